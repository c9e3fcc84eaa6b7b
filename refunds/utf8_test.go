package refunds

import (
	"context"
	"testing"

	"github.com/kronor-io/kronor-go/internal/validate/validatetest"
)

// Every string field of Params is refused when it is not valid UTF-8, before
// anything is sent (encoding/json would replace the bytes with U+FFFD).
func TestInvalidUTF8Refused(t *testing.T) {
	c, sent := validatetest.CountingClient(t, "merchant-token")
	valid := func() Params {
		return Params{Amount: 100, PaymentTransactionID: "tx-1", Message: "Refund for order 1",
			MerchantReference: "refund-1", CreatedBy: "ops", GeneratedFrom: "Portal", IdempotencyKey: "order-1-refund-1"}
	}
	_, err := Create(context.Background(), c, valid())
	validatetest.CheckPasses(t, err)
	p := valid()
	fields := validatetest.StringFields(&p)
	if len(fields) != 6 {
		t.Fatalf("%d string fields found, want 6: %v", len(fields), fields)
	}
	for _, f := range fields {
		p := valid()
		validatetest.Set(&p, f.Path, validatetest.Invalid)
		before := sent.Load()
		_, err := Create(context.Background(), c, p)
		validatetest.CheckRefused(t, f, err, sent.Load()-before)
	}
}
