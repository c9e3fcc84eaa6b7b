package payments

import (
	"context"
	"strings"
	"testing"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/validate/validatetest"
)

const returnURL = "https://shop.example/return"

func TestValidation(t *testing.T) {
	ok := Redirect{ReturnURL: returnURL}
	ctx := context.Background()
	type call func(m *client.Client, c *client.Session) error
	wrap := func(_ any, err error) error { return err }
	cases := []struct {
		name  string
		call  call
		field string
		rule  string
	}{
		{"swish returnUrl missing", func(m *client.Client, c *client.Session) error { return wrap(Swish(ctx, c, SwishParams{})) }, "pay.returnUrl", "is required"},
		{"swish returnUrl relative", func(m *client.Client, c *client.Session) error {
			return wrap(Swish(ctx, c, SwishParams{Redirect: Redirect{ReturnURL: "/done"}}))
		}, "pay.returnUrl", "absolute http or https URL"},
		{"swish merchantReturnUrl not http", func(m *client.Client, c *client.Session) error {
			return wrap(Swish(ctx, c, SwishParams{Redirect: Redirect{ReturnURL: returnURL, MerchantReturnURL: "javascript:alert(1)"}}))
		}, "pay.merchantReturnUrl", "absolute http or https URL"},
		{"swish bad key", func(m *client.Client, c *client.Session) error {
			return wrap(Swish(ctx, c, SwishParams{Redirect: Redirect{ReturnURL: returnURL}, IdempotencyKey: "ä"}))
		}, "pay.idempotencyKey", "A-Za-z0-9"},
		{"swish unknown flow", func(m *client.Client, c *client.Session) error {
			return wrap(Swish(ctx, c, SwishParams{Redirect: ok, Flow: "MCOM"}))
		}, "pay.flow", `"mcom" or "ecom"`},
		{"swish ecom without number", func(m *client.Client, c *client.Session) error {
			return wrap(Swish(ctx, c, SwishParams{Redirect: ok, Flow: FlowEcom}))
		}, "pay.customerSwishNumber", `required for the "ecom" flow`},
		{"swish mcom with number", func(m *client.Client, c *client.Session) error {
			return wrap(Swish(ctx, c, SwishParams{Redirect: ok, Flow: FlowMcom, CustomerSwishNumber: "46701234567"}))
		}, "pay.customerSwishNumber", `must be empty for the "mcom" flow`},
		{"card returnUrl missing", func(m *client.Client, c *client.Session) error { return wrap(CreditCard(ctx, c, CreditCardParams{})) }, "pay.returnUrl", "is required"},
		{"mobilepay unknown user flow", func(m *client.Client, c *client.Session) error {
			return wrap(MobilePay(ctx, c, MobilePayParams{Redirect: ok, UserFlow: "APP"}))
		}, "pay.userFlow", "NativeRedirect"},
		{"mobilepay returnUrl missing", func(m *client.Client, c *client.Session) error { return wrap(MobilePay(ctx, c, MobilePayParams{})) }, "pay.returnUrl", "is required"},
		{"vipps unknown user flow", func(m *client.Client, c *client.Session) error {
			return wrap(Vipps(ctx, c, VippsParams{Redirect: ok, UserFlow: "qr"}))
		}, "pay.userFlow", "NativeRedirect"},
		{"vipps returnUrl missing", func(m *client.Client, c *client.Session) error { return wrap(Vipps(ctx, c, VippsParams{})) }, "pay.returnUrl", "is required"},
		{"p24 returnUrl missing", func(m *client.Client, c *client.Session) error { return wrap(P24(ctx, c, P24Params{})) }, "pay.returnUrl", "is required"},
		{"p24 negative method", func(m *client.Client, c *client.Session) error {
			return wrap(P24(ctx, c, P24Params{Redirect: ok, PaymentMethodID: -1}))
		}, "pay.paymentMethodId", "positive"},
		{"p24 consent without method", func(m *client.Client, c *client.Session) error {
			return wrap(P24(ctx, c, P24Params{Redirect: ok, RegulationAccept: true}))
		}, "pay.p24RegulationAccept", "needs paymentMethodId"},
		{"bank transfer returnUrl missing", func(m *client.Client, c *client.Session) error {
			return wrap(BankTransfer(ctx, c, BankTransferParams{}))
		}, "pay.returnUrl", "is required"},
		{"bank transfer date format", func(m *client.Client, c *client.Session) error {
			return wrap(BankTransfer(ctx, c, BankTransferParams{Redirect: ok, ExecutionDate: "2026-3-1"}))
		}, "pay.executionDate", "yyyy-mm-dd"},
		{"bank transfer bad flow", func(m *client.Client, c *client.Session) error {
			return wrap(BankTransfer(ctx, c, BankTransferParams{Redirect: ok, Flow: "web"}))
		}, "pay.flow", `"mcom" or "ecom"`},
		{"bank transfer negative aspsp", func(m *client.Client, c *client.Session) error {
			return wrap(BankTransfer(ctx, c, BankTransferParams{Redirect: ok, ASPSPID: -3}))
		}, "pay.aspspId", "positive"},
		{"paypal returnUrl missing", func(m *client.Client, c *client.Session) error { return wrap(PayPal(ctx, c, PayPalParams{})) }, "pay.returnUrl", "is required"},
		{"paypal capture id missing", func(m *client.Client, c *client.Session) error {
			return wrap(CapturePayPal(ctx, c, CapturePayPalParams{}))
		}, "pay.paymentId", "is required"},
		{"paypal capture id too long", func(m *client.Client, c *client.Session) error {
			return wrap(CapturePayPal(ctx, c, CapturePayPalParams{PaymentID: strings.Repeat("1", 65)}))
		}, "pay.paymentId", "at most 64"},
		{"paypal capture bad key", func(m *client.Client, c *client.Session) error {
			return wrap(CapturePayPal(ctx, c, CapturePayPalParams{PaymentID: "1", IdempotencyKey: "a/b"}))
		}, "pay.idempotencyKey", "A-Za-z0-9"},
		{"cancel bad key", func(m *client.Client, c *client.Session) error {
			return wrap(Cancel(ctx, c, CancelParams{IdempotencyKey: "a b"}))
		}, "cancel.idempotencyKey", "A-Za-z0-9"},
		{"cancel swish token missing", func(m *client.Client, c *client.Session) error { return wrap(CancelSwish(ctx, c, CancelSwishParams{})) }, "pay.paymentId", "is required"},
		{"cancel swish bad key", func(m *client.Client, c *client.Session) error {
			return wrap(CancelSwish(ctx, c, CancelSwishParams{WaitToken: "x", IdempotencyKey: strings.Repeat("k", 65)}))
		}, "pay.idempotencyKey", "1 to 64"},
		{"get non-positive id", func(m *client.Client, c *client.Session) error { return wrap(Get(ctx, m, 0)) }, "id", "positive"},
		{"request details bad token", func(m *client.Client, c *client.Session) error { return wrap(RequestDetails(ctx, m, "not-a-uuid")) }, "waitToken", "UUID"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, sent := validatetest.CountingClient(t, "merchant-token")
			err := tc.call(m, m.Session("session-token"))
			validatetest.CheckViolation(t, err, tc.field, tc.rule, sent.Load())
		})
	}
}
