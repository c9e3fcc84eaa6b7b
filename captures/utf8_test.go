package captures

import (
	"context"
	"testing"

	"github.com/kronor-io/kronor-go/internal/validate/validatetest"
)

// Every string field of Params and ReleaseParams, and GetByTransactionID's
// transaction id, is refused when it is not valid UTF-8, before anything is
// sent (encoding/json would replace the bytes with U+FFFD, so two different
// ids would reach the gateway alike).
func TestInvalidUTF8Refused(t *testing.T) {
	c, sent := validatetest.CountingClient(t, "merchant-token")
	ctx := context.Background()

	capture := func() Params {
		return Params{Amount: 100, PaymentTransactionID: "tx-1", Message: "Part 1",
			CreatedBy: "ops", GeneratedFrom: "Portal", IdempotencyKey: "order-1-capture-1"}
	}
	_, err := Create(ctx, c, capture())
	validatetest.CheckPasses(t, err)
	p := capture()
	fields := validatetest.StringFields(&p)
	if len(fields) != 5 {
		t.Fatalf("capture: %d string fields found, want 5: %v", len(fields), fields)
	}
	for _, f := range fields {
		p := capture()
		validatetest.Set(&p, f.Path, validatetest.Invalid)
		before := sent.Load()
		_, err := Create(ctx, c, p)
		validatetest.CheckRefused(t, f, err, sent.Load()-before)
	}

	release := func() ReleaseParams {
		return ReleaseParams{Amount: 100, PaymentTransactionID: "tx-1", MerchantReference: "release-1",
			CreatedBy: "ops", GeneratedFrom: "Portal", IdempotencyKey: "order-1-release-1"}
	}
	_, err = Release(ctx, c, release())
	validatetest.CheckPasses(t, err)
	r := release()
	fields = validatetest.StringFields(&r)
	if len(fields) != 5 {
		t.Fatalf("release: %d string fields found, want 5: %v", len(fields), fields)
	}
	for _, f := range fields {
		r := release()
		validatetest.Set(&r, f.Path, validatetest.Invalid)
		before := sent.Load()
		_, err := Release(ctx, c, r)
		validatetest.CheckRefused(t, f, err, sent.Load()-before)
	}

	before := sent.Load()
	_, err = GetByTransactionID(ctx, c, validatetest.Invalid)
	validatetest.CheckRefused(t, validatetest.StringField{Path: "transactionId", Plain: true}, err, sent.Load()-before)
}
