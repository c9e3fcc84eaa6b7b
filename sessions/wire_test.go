package sessions

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/kronor-io/kronor-go/client"
)

func cannedClient(t *testing.T, body string) *client.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	c, err := client.New("merchant-token", client.WithEndpoint(srv.URL+"/v1/graphql"), client.WithMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestReferenceCheckPaymentID(t *testing.T) {
	ctx := context.Background()
	c := cannedClient(t, `{"data":{"newPaymentSessionWithReferenceCheck":{"token":"tok","paymentId":"1234","paymentTransactionId":"tx"}}}`)
	r, err := CreateWithReferenceCheck(ctx, c, validParams(), WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	if r.Token != "tok" || r.PaymentID != 1234 || r.PaymentTransactionID != "tx" || !r.AlreadyPaid() || r.IdempotencyKey != "order-1-session" {
		t.Fatalf("result = %+v", r)
	}

	c = cannedClient(t, `{"data":{"newPaymentSessionWithReferenceCheck":{"token":"tok","paymentId":null,"paymentTransactionId":null}}}`)
	if r, err = CreateWithReferenceCheck(ctx, c, validParams(), WithClock(clock)); err != nil || r.AlreadyPaid() {
		t.Fatalf("result = %+v, %v", r, err)
	}

	c = cannedClient(t, `{"data":{"newPaymentSessionWithReferenceCheck":{"token":"tok","paymentId":"p-1","paymentTransactionId":"tx"}}}`)
	_, err = CreateWithReferenceCheck(ctx, c, validParams(), WithClock(clock))
	if err == nil || !strings.Contains(err.Error(), `paymentId "p-1", which is not a 64-bit integer`) {
		t.Fatalf("error = %v", err)
	}
}
