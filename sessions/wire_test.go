package sessions

import (
	"context"
	"strings"
	"testing"

	"github.com/kronor-io/kronor-go/internal/validate/validatetest"
)

func TestReferenceCheckPaymentID(t *testing.T) {
	ctx := context.Background()
	c := validatetest.NewRecorder(t, `{"data":{"newPaymentSessionWithReferenceCheck":{"token":"tok","paymentId":"1234","paymentTransactionId":"tx"}}}`).Client(t)
	r, err := CreateWithReferenceCheck(ctx, c, refCheckParams(), WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	if r.Token != "tok" || r.PaymentID != 1234 || r.PaymentTransactionID != "tx" || !r.AlreadyPaid() || r.IdempotencyKey == "" {
		t.Fatalf("result = %+v", r)
	}

	c = validatetest.NewRecorder(t, `{"data":{"newPaymentSessionWithReferenceCheck":{"token":"tok","paymentId":null,"paymentTransactionId":null}}}`).Client(t)
	if r, err = CreateWithReferenceCheck(ctx, c, refCheckParams(), WithClock(clock)); err != nil || r.AlreadyPaid() {
		t.Fatalf("result = %+v, %v", r, err)
	}

	c = validatetest.NewRecorder(t, `{"data":{"newPaymentSessionWithReferenceCheck":{"token":"tok","paymentId":"p-1","paymentTransactionId":"tx"}}}`).Client(t)
	_, err = CreateWithReferenceCheck(ctx, c, refCheckParams(), WithClock(clock))
	if err == nil || !strings.Contains(err.Error(), `paymentId "p-1", which is not a 64-bit integer`) {
		t.Fatalf("error = %v", err)
	}
}
