package payments

import (
	"context"
	"testing"

	"github.com/kronor-io/kronor-go/internal/validate/validatetest"
)

// Every string field of every payment's parameters is refused when it is not
// valid UTF-8, before anything is sent (encoding/json would replace the bytes
// with U+FFFD).
func TestInvalidUTF8Refused(t *testing.T) {
	c, sent := validatetest.CountingSession(t, "session-token")
	ctx := context.Background()
	r := Redirect{ReturnURL: returnURL, MerchantReturnURL: "https://shop.example/merchant"}
	const key = "order-1-pay-1"
	// Each case returns a valid parameters value (a pointer) and the call
	// sending it; nfields is its number of string fields.
	cases := []struct {
		name    string
		nfields int
		make    func() (any, func() error)
	}{
		{"Swish", 5, func() (any, func() error) {
			p := &SwishParams{Redirect: r, IdempotencyKey: key, CustomerSwishNumber: "46701234567", Flow: FlowEcom}
			return p, func() error { _, err := Swish(ctx, c, *p); return err }
		}},
		{"CreditCard", 3, func() (any, func() error) {
			p := &CreditCardParams{Redirect: r, IdempotencyKey: key}
			return p, func() error { _, err := CreditCard(ctx, c, *p); return err }
		}},
		{"MobilePay", 4, func() (any, func() error) {
			p := &MobilePayParams{Redirect: r, IdempotencyKey: key, UserFlow: UserFlowQR}
			return p, func() error { _, err := MobilePay(ctx, c, *p); return err }
		}},
		{"Vipps", 4, func() (any, func() error) {
			p := &VippsParams{Redirect: r, IdempotencyKey: key, UserFlow: UserFlowWebRedirect}
			return p, func() error { _, err := Vipps(ctx, c, *p); return err }
		}},
		{"P24", 3, func() (any, func() error) {
			p := &P24Params{Redirect: r, IdempotencyKey: key, PaymentMethodID: 25, RegulationAccept: true}
			return p, func() error { _, err := P24(ctx, c, *p); return err }
		}},
		{"BankTransfer", 6, func() (any, func() error) {
			p := &BankTransferParams{Redirect: r, IdempotencyKey: key, ASPSPID: 7, RequestRedirectState: "state-1", ExecutionDate: "2030-01-02", Flow: FlowEcom}
			return p, func() error { _, err := BankTransfer(ctx, c, *p); return err }
		}},
		{"PayPal", 3, func() (any, func() error) {
			p := &PayPalParams{Redirect: r, IdempotencyKey: key}
			return p, func() error { _, err := PayPal(ctx, c, *p); return err }
		}},
		{"Cancel", 1, func() (any, func() error) {
			p := &CancelParams{IdempotencyKey: "order-1-cancel"}
			return p, func() error { _, err := Cancel(ctx, c, *p); return err }
		}},
		{"CancelSwish", 2, func() (any, func() error) {
			p := &CancelSwishParams{WaitToken: "0b6f0d3c-36a3-4a4f-9a57-5b0c9f7b1e21", IdempotencyKey: "order-1-cancel"}
			return p, func() error { _, err := CancelSwish(ctx, c, *p); return err }
		}},
		{"CapturePayPal", 2, func() (any, func() error) {
			p := &CapturePayPalParams{PaymentID: "pp-1", IdempotencyKey: "order-1-capture"}
			return p, func() error { _, err := CapturePayPal(ctx, c, *p); return err }
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, call := tc.make()
			validatetest.CheckPasses(t, call())
			fields := validatetest.StringFields(p)
			if len(fields) != tc.nfields {
				t.Fatalf("%d string fields found, want %d: %v", len(fields), tc.nfields, fields)
			}
			for _, f := range fields {
				p, call := tc.make()
				validatetest.Set(p, f.Path, validatetest.Invalid)
				before := sent.Load()
				validatetest.CheckRefused(t, f, call(), sent.Load()-before)
			}
		})
	}
}
