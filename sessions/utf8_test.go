package sessions

import (
	"context"
	"testing"

	"github.com/kronor-io/kronor-go/internal/validate/validatetest"
)

// Every string field of Params, down to the address and each order line, is
// refused when it is not valid UTF-8, by Create and CreateWithReferenceCheck,
// before anything is sent: encoding/json would replace the bytes with U+FFFD,
// so MerchantReference "\xff" and "\xfe" would both reach the gateway as "�",
// and the reference check could report another order's payment.
func TestInvalidUTF8Refused(t *testing.T) {
	c, sent := validatetest.CountingClient(t, "merchant-token")
	ctx := context.Background()
	_, err := Create(ctx, c, validParams(), WithClock(clock))
	validatetest.CheckPasses(t, err)
	_, err = CreateWithReferenceCheck(ctx, c, refCheckParams(), WithClock(clock))
	validatetest.CheckPasses(t, err)
	p := validParams()
	fields := validatetest.StringFields(&p)
	// 7 in Params, 6 in AdditionalData, 14 in the address, 4 in each of the
	// two order lines: a field added later is covered by this test too.
	if len(fields) != 35 {
		t.Fatalf("%d string fields found, want 35: %v", len(fields), fields)
	}
	for _, f := range fields {
		for _, refCheck := range []bool{false, true} {
			p := validParams()
			validatetest.Set(&p, f.Path, validatetest.Invalid)
			before := sent.Load()
			var err error
			if refCheck {
				if f.Path == "IdempotencyKey" {
					continue // refused for being set at all (RuleFreshKey)
				}
				p.IdempotencyKey = ""
				_, err = CreateWithReferenceCheck(ctx, c, p, WithClock(clock))
			} else {
				_, err = Create(ctx, c, p, WithClock(clock))
			}
			validatetest.CheckRefused(t, f, err, sent.Load()-before)
		}
	}
}

// Two merchant references that encoding/json would send alike are both refused.
func TestInvalidUTF8ReferencesDoNotCollide(t *testing.T) {
	for _, ref := range []string{"\xff", "\xfe", "order-1\xc3"} {
		p := validParams()
		p.MerchantReference = ref
		if _, err := p.input(now, true); err == nil {
			t.Errorf("merchantReference %q accepted", ref)
		}
	}
}
