package payments_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/e2etest"
	"github.com/kronor-io/kronor-go/internal/testsupport"
	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/sessions"
)

func TestMain(m *testing.M) {
	testsupport.VerifyNoLeaks(m)
}

const returnURL = "https://shop.example/return"

var redirect = payments.Redirect{ReturnURL: returnURL}

// sessionParams is a valid session of amount 10000 in currency.
func sessionParams(ref string, currency sessions.Currency) sessions.Params {
	return sessions.Params{
		Amount:            10000,
		Currency:          currency,
		MerchantReference: ref,
		Message:           "Order " + strings.ReplaceAll(ref, "-", " "),
		ExpiresAt:         time.Now().Add(time.Hour),
	}
}

// p24Session is a valid session of amount 10000 that Przelewy24 accepts: in
// PLN, country PL, with the customer's name.
func p24Session(ref string) sessions.Params {
	p := sessionParams(ref, sessions.CurrencyPLN)
	p.Country = sessions.CountryPL
	p.AdditionalData = &sessions.AdditionalData{Name: "Jan Kowalski", Email: "jan@example.com", IP: "192.0.2.7", Language: sessions.LanguagePL}
	return p
}

// payPalSession is a valid session of amount 10000 that PayPal accepts: with
// a shipping address and order lines.
func payPalSession(ref string) sessions.Params {
	p := sessionParams(ref, sessions.CurrencyEUR)
	p.AdditionalData = &sessions.AdditionalData{
		Name: "Anna Andersson", Email: "anna@example.com", IP: "192.0.2.1", Language: sessions.LanguageEN,
		ShippingAddress: &sessions.Address{
			FirstName: "Anna", LastName: "Andersson", StreetAddress: "Storgatan 1", PostalCode: "11122",
			City: "Stockholm", Country: sessions.CountrySE, Email: "anna@example.com", PhoneNumber: "+46701234567",
		},
		OrderLines: []sessions.OrderLine{{Name: "Shirt", PricePerItem: 10000, Quantity: 1, TaxRate: 2500, TotalAmount: 10000, TotalTaxAmount: 2000}},
	}
	return p
}

// errorPath returns the extensions.path of the gateway's first error.
func errorPath(err error) string {
	var ce *client.Error
	if errors.As(err, &ce) && len(ce.Errors) > 0 {
		p, _ := ce.Errors[0].Extensions["path"].(string)
		return p
	}
	return ""
}

func TestStartEveryMethod(t *testing.T) {
	ctx := context.Background()
	g := e2etest.New(t)
	pl := p24Session("p24-1")
	pp := payPalSession("paypal-1")
	cases := []struct {
		name    string
		session sessions.Params
		start   func(c *client.Session) (*payments.Started, error)
		method  payments.Method
		// hosted: the request has a PaymentURL for the customer; gateway:
		// the start's answer names the processing gateway.
		hosted, gateway bool
	}{
		{"swish mcom", sessionParams("swish-1", sessions.CurrencySEK), func(c *client.Session) (*payments.Started, error) {
			return payments.Swish(ctx, c, payments.SwishParams{Redirect: redirect})
		}, payments.MethodSwish, false, false},
		{"swish ecom", sessionParams("swish-2", sessions.CurrencySEK), func(c *client.Session) (*payments.Started, error) {
			return payments.Swish(ctx, c, payments.SwishParams{Redirect: redirect, CustomerSwishNumber: "46701234567"})
		}, payments.MethodSwish, false, false},
		{"card", sessionParams("card-1", sessions.CurrencySEK), func(c *client.Session) (*payments.Started, error) {
			return payments.CreditCard(ctx, c, payments.CreditCardParams{Redirect: redirect})
		}, payments.MethodCreditCard, true, true},
		{"mobilepay", sessionParams("mobilepay-1", sessions.CurrencyDKK), func(c *client.Session) (*payments.Started, error) {
			return payments.MobilePay(ctx, c, payments.MobilePayParams{Redirect: redirect, UserFlow: payments.UserFlowNativeRedirect})
		}, payments.MethodMobilePay, true, true},
		{"vipps", sessionParams("vipps-1", sessions.CurrencyNOK), func(c *client.Session) (*payments.Started, error) {
			return payments.Vipps(ctx, c, payments.VippsParams{Redirect: redirect})
		}, payments.MethodVipps, true, true},
		{"p24", pl, func(c *client.Session) (*payments.Started, error) {
			return payments.P24(ctx, c, payments.P24Params{Redirect: redirect})
		}, payments.MethodP24, true, false},
		{"bank transfer", sessionParams("bank-1", sessions.CurrencySEK), func(c *client.Session) (*payments.Started, error) {
			return payments.BankTransfer(ctx, c, payments.BankTransferParams{Redirect: redirect, Flow: payments.FlowMcom})
		}, payments.MethodBankTransfer, true, true},
		{"paypal", pp, func(c *client.Session) (*payments.Started, error) {
			return payments.PayPal(ctx, c, payments.PayPalParams{Redirect: redirect})
		}, payments.MethodPayPal, true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sc := g.Session(t, tc.session)
			st, err := tc.start(sc)
			if err != nil {
				t.Fatalf("start: %v", err)
			}
			if st.WaitToken == "" || st.Method != tc.method || st.IdempotencyKey == "" || (st.Gateway != "") != tc.gateway ||
				(st.PaymentRequestID != "") != (tc.method == payments.MethodBankTransfer) {
				t.Fatalf("started = %+v", st)
			}
			if status, err := g.Srv.PaymentRequestStatus(st.WaitToken); err != nil || status != payments.StatusWaitingForPayment {
				t.Fatalf("fake's status of %s = %q, %v", st.WaitToken, status, err)
			}
			list, err := payments.List(ctx, sc)
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 1 {
				t.Fatalf("List = %+v, want one request", list)
			}
			r := list[0]
			if r.WaitToken != st.WaitToken || r.Method != tc.method || r.Amount != 10000 ||
				r.Status != payments.StatusWaitingForPayment || r.Reference != tc.session.MerchantReference ||
				r.Message != tc.session.Message || r.TransactionID == "" || r.CreatedAt.IsZero() || r.StatusEnteredAt.IsZero() {
				t.Fatalf("request = %+v", r)
			}
			if (r.PaymentURL != "") != tc.hosted || (r.QRCodeURL != "") != (tc.method == payments.MethodMobilePay) ||
				(r.SwishQRCode != "") != (tc.name == "swish mcom") {
				t.Fatalf("request's URLs: payment %q, QR code %q, Swish QR code %q", r.PaymentURL, r.QRCodeURL, r.SwishQRCode)
			}
			if c := g.Srv.Counts(tc.session.MerchantReference); c.PaymentRequests != 1 {
				t.Fatalf("counts = %+v", c)
			}
		})
	}
}

func TestPreconditions(t *testing.T) {
	ctx := context.Background()
	g := e2etest.New(t)
	cases := []struct {
		name    string
		session sessions.Params
		start   func(c *client.Session) error
		want    string
	}{
		{"mobilepay on a SEK session", sessionParams("pre-1", sessions.CurrencySEK), func(c *client.Session) error {
			_, err := payments.MobilePay(ctx, c, payments.MobilePayParams{Redirect: redirect})
			return err
		}, "DKK"},
		{"vipps on a SEK session", sessionParams("pre-2", sessions.CurrencySEK), func(c *client.Session) error {
			_, err := payments.Vipps(ctx, c, payments.VippsParams{Redirect: redirect})
			return err
		}, "NOK"},
		{"p24 on a SEK session", sessionParams("pre-3", sessions.CurrencySEK), func(c *client.Session) error {
			_, err := payments.P24(ctx, c, payments.P24Params{Redirect: redirect})
			return err
		}, "PLN"},
		{"p24 without a name", func() sessions.Params {
			p := sessionParams("pre-4", sessions.CurrencyPLN)
			p.Country = sessions.CountryPL
			return p
		}(), func(c *client.Session) error {
			_, err := payments.P24(ctx, c, payments.P24Params{Redirect: redirect})
			return err
		}, "name"},
		{"paypal without shipping address", sessionParams("pre-5", sessions.CurrencySEK), func(c *client.Session) error {
			_, err := payments.PayPal(ctx, c, payments.PayPalParams{Redirect: redirect})
			return err
		}, "shippingAddress"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sc := g.Session(t, tc.session)
			err := tc.start(sc)
			if !errors.Is(err, client.ErrRejected) {
				t.Fatalf("error = %v, want client.ErrRejected", err)
			}
			if !strings.Contains(err.Error(), tc.want) || errorPath(err) == "" {
				t.Fatalf("error %q (path %q) does not name %q", err, errorPath(err), tc.want)
			}
			if c := g.Srv.Counts(tc.session.MerchantReference); c.PaymentRequests != 0 {
				t.Fatalf("a rejected start created a payment request: %+v", c)
			}
		})
	}
}

func TestDuplicatePaymentSemantics(t *testing.T) {
	ctx := context.Background()
	g := e2etest.New(t)
	sc := g.Session(t, sessionParams("dup-1", sessions.CurrencySEK))

	// The same method with the same parameters while pending: the same request.
	first, err := payments.Swish(ctx, sc, payments.SwishParams{Redirect: redirect})
	if err != nil {
		t.Fatal(err)
	}
	again, err := payments.Swish(ctx, sc, payments.SwishParams{Redirect: redirect})
	if err != nil {
		t.Fatal(err)
	}
	if again.WaitToken != first.WaitToken || again.IdempotencyKey == first.IdempotencyKey {
		t.Fatalf("second start = %+v, want the pending %s under a new key", again, first.WaitToken)
	}
	if c := g.Srv.Counts("dup-1"); c.PaymentRequests != 1 {
		t.Fatalf("counts = %+v", c)
	}

	// Once paid, any other method answers with the paid request.
	if err := g.Srv.Approve(first.WaitToken); err != nil {
		t.Fatal(err)
	}
	card, err := payments.CreditCard(ctx, sc, payments.CreditCardParams{Redirect: redirect})
	if err != nil {
		t.Fatal(err)
	}
	if card.WaitToken != first.WaitToken {
		t.Fatalf("card start after a paid Swish = %s, want the paid %s", card.WaitToken, first.WaitToken)
	}
	if c := g.Srv.Counts("dup-1"); c.PaymentRequests != 1 || c.Payments != 1 {
		t.Fatalf("counts = %+v, want one request and one payment", c)
	}
}

func TestIdempotencyKeySurvivesRetries(t *testing.T) {
	ctx := context.Background()
	g := e2etest.New(t)
	sc := g.Session(t, sessionParams("retry-1", sessions.CurrencySEK))
	// The gateway commits the start, then the connection drops: the client
	// retries with the same body (the same key), and gets the same request.
	g.Srv.FailNext(1, kronortest.FaultDropAfterCommit)
	st, err := payments.CreditCard(ctx, sc, payments.CreditCardParams{Redirect: redirect})
	if err != nil {
		t.Fatal(err)
	}
	if c := g.Srv.Counts("retry-1"); c.PaymentRequests != 1 {
		t.Fatalf("counts = %+v, want one request", c)
	}
	// A caller's own key is sent as given: repeating it returns the same start.
	key := client.DeriveIdempotencyKey("retry-1", "card", "1")
	a, err := payments.Cancel(ctx, sc, payments.CancelParams{IdempotencyKey: key})
	if err != nil {
		t.Fatal(err)
	}
	b, err := payments.Cancel(ctx, sc, payments.CancelParams{IdempotencyKey: key})
	if err != nil {
		t.Fatalf("repeating a cancel with its key: %v", err)
	}
	if a.WaitToken != st.WaitToken || b.WaitToken != a.WaitToken || a.IdempotencyKey != key {
		t.Fatalf("cancels = %+v, %+v; want %s", a, b, st.WaitToken)
	}
}

func TestCancel(t *testing.T) {
	ctx := context.Background()
	g := e2etest.New(t)
	sc := g.Session(t, sessionParams("cancel-1", sessions.CurrencySEK))
	st, err := payments.Swish(ctx, sc, payments.SwishParams{Redirect: redirect})
	if err != nil {
		t.Fatal(err)
	}
	c, err := payments.Cancel(ctx, sc, payments.CancelParams{})
	if err != nil {
		t.Fatal(err)
	}
	if c.WaitToken != st.WaitToken {
		t.Fatalf("cancelled %q, want %q", c.WaitToken, st.WaitToken)
	}
	r, err := payments.Latest(ctx, sc)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != payments.StatusCancelled || !r.Status.Failed() {
		t.Fatalf("status after cancel = %s", r.Status)
	}
	// A new start after the cancel makes a new request.
	st2, err := payments.Swish(ctx, sc, payments.SwishParams{Redirect: redirect})
	if err != nil {
		t.Fatal(err)
	}
	if st2.WaitToken == st.WaitToken {
		t.Fatal("start after cancel returned the cancelled request")
	}
	list, err := payments.List(ctx, sc)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].WaitToken != st.WaitToken || list[1].WaitToken != st2.WaitToken {
		t.Fatalf("List = %+v, want both requests oldest first", list)
	}
	latest, err := payments.Latest(ctx, sc)
	if err != nil || latest.WaitToken != st2.WaitToken {
		t.Fatalf("Latest = %+v, %v", latest, err)
	}

	// CancelSwish cancels one Swish payment by its wait token.
	cs, err := payments.CancelSwish(ctx, sc, payments.CancelSwishParams{WaitToken: st2.WaitToken})
	if err != nil {
		t.Fatal(err)
	}
	if cs.WaitToken != st2.WaitToken {
		t.Fatalf("CancelSwish = %+v", cs)
	}
	if s, _ := g.Srv.PaymentRequestStatus(st2.WaitToken); s != payments.StatusCancelled {
		t.Fatalf("status = %s", s)
	}
	// Cancelling what is no longer waiting is the gateway's refusal.
	_, err = payments.CancelSwish(ctx, sc, payments.CancelSwishParams{WaitToken: st2.WaitToken})
	if !errors.Is(err, client.ErrRejected) {
		t.Fatalf("second CancelSwish: %v, want ErrRejected", err)
	}
}

func TestCancelAfterPaymentIsRejected(t *testing.T) {
	ctx := context.Background()
	g := e2etest.New(t)
	sc, _ := g.PaidSwish(t, "cancel-2", 10000)
	if _, err := payments.Cancel(ctx, sc, payments.CancelParams{}); !errors.Is(err, client.ErrRejected) {
		t.Fatalf("cancel of a paid payment: %v, want ErrRejected", err)
	}
}

func TestLatestWithoutPayments(t *testing.T) {
	g := e2etest.New(t)
	sc := g.Session(t, sessionParams("latest-1", sessions.CurrencySEK))
	_, err := payments.Latest(context.Background(), sc)
	if !errors.Is(err, payments.ErrNotFound) {
		t.Fatalf("Latest = %v, want ErrNotFound", err)
	}
	list, err := payments.List(context.Background(), sc)
	if err != nil || len(list) != 0 {
		t.Fatalf("List = %v, %v", list, err)
	}
}

func TestGetPayment(t *testing.T) {
	ctx := context.Background()
	g := e2etest.New(t)
	sc := g.Session(t, sessionParams("get-1", sessions.CurrencySEK))
	st, err := payments.Swish(ctx, sc, payments.SwishParams{Redirect: redirect, CustomerSwishNumber: "46701234567"})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Srv.Approve(st.WaitToken); err != nil {
		t.Fatal(err)
	}
	r, err := payments.Latest(ctx, sc)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != payments.StatusPaid || r.ResultingPaymentID == 0 {
		t.Fatalf("request = %+v", r)
	}
	p, err := payments.Get(ctx, g.Merchant, r.ResultingPaymentID)
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != r.ResultingPaymentID || p.AmountPaid != 10000 || p.Currency != "SEK" || p.Status != payments.StatusPaid ||
		p.Method != payments.MethodSwish || p.MerchantReference != "get-1" || p.TransactionID != r.TransactionID ||
		p.CreatedAt.IsZero() || len(p.Refunds) != 0 {
		t.Fatalf("payment = %+v", p)
	}
	if p.Swish == nil || p.Card != nil {
		t.Fatalf("details: swish %+v, card %+v", p.Swish, p.Card)
	}

	d, err := payments.RequestDetails(ctx, g.Merchant, st.WaitToken)
	if err != nil {
		t.Fatal(err)
	}
	if d.WaitToken != st.WaitToken || d.Status != payments.StatusPaid || d.ResultingPaymentID != p.ID || d.Swish == nil {
		t.Fatalf("details = %+v", d)
	}
	if n := len(d.StatusHistory); n < 2 || d.StatusHistory[n-1].Status != payments.StatusPaid {
		t.Fatalf("history = %+v, want it to end in PAID", d.StatusHistory)
	}
	for i := 1; i < len(d.StatusHistory); i++ {
		if d.StatusHistory[i].EnteredAt.Before(d.StatusHistory[i-1].EnteredAt) {
			t.Fatalf("history not oldest first: %+v", d.StatusHistory)
		}
	}

	if _, err := payments.Get(ctx, g.Merchant, p.ID+1000); !errors.Is(err, payments.ErrNotFound) {
		t.Fatalf("Get of a missing payment: %v, want ErrNotFound", err)
	}
	if _, err := payments.RequestDetails(ctx, g.Merchant, "00000000-0000-4000-8000-000000000000"); !errors.Is(err, payments.ErrNotFound) {
		t.Fatalf("RequestDetails of a missing request: %v, want ErrNotFound", err)
	}
}

func TestCardIsAuthorized(t *testing.T) {
	ctx := context.Background()
	g := e2etest.New(t)
	sc := g.Session(t, sessionParams("card-auth", sessions.CurrencySEK))
	st, err := payments.CreditCard(ctx, sc, payments.CreditCardParams{Redirect: redirect})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Srv.Approve(st.WaitToken); err != nil {
		t.Fatal(err)
	}
	r, err := payments.Latest(ctx, sc)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != payments.StatusAuthorized || !r.Status.Succeeded() {
		t.Fatalf("card request = %+v", r)
	}
	p, err := payments.Get(ctx, g.Merchant, r.ResultingPaymentID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != payments.StatusAuthorized || p.AmountAuthorized != 10000 || p.AmountPaid != 0 || p.Card == nil {
		t.Fatalf("payment = %+v", p)
	}
}

func TestBankTransferWalksToPaid(t *testing.T) {
	ctx := context.Background()
	g := e2etest.New(t)
	p := sessionParams("bank-2", sessions.CurrencySEK)
	sc := g.Session(t, p)
	st, err := payments.BankTransfer(ctx, sc, payments.BankTransferParams{Redirect: redirect})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Srv.Advance(st.WaitToken, payments.StatusFlowCompleted); err != nil {
		t.Fatal(err)
	}
	r, err := payments.Latest(ctx, sc)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != payments.StatusFlowCompleted || r.Status.Final() {
		t.Fatalf("status = %s, want FLOW_COMPLETED (not final)", r.Status)
	}
	if err := g.Srv.Approve(st.WaitToken); err != nil {
		t.Fatal(err)
	}
	if r, err = payments.Latest(ctx, sc); err != nil || r.Status != payments.StatusPaid {
		t.Fatalf("Latest = %+v, %v", r, err)
	}
}

func TestExecutionDateNeedsTheSessionsPermission(t *testing.T) {
	ctx := context.Background()
	g := e2etest.New(t)
	date := time.Now().AddDate(0, 0, 3).Format(time.DateOnly)
	sc := g.Session(t, sessionParams("exec-1", sessions.CurrencySEK))
	_, err := payments.BankTransfer(ctx, sc, payments.BankTransferParams{Redirect: redirect, ExecutionDate: date})
	if !errors.Is(err, client.ErrRejected) || !strings.Contains(errorPath(err), "executionDate") {
		t.Fatalf("execution date without allowExecutionDate: %v (path %q)", err, errorPath(err))
	}
	if c := g.Srv.Counts("exec-1"); c.PaymentRequests != 0 {
		t.Fatalf("a refused bank transfer created a payment request: %+v", c)
	}
	p := sessionParams("exec-2", sessions.CurrencySEK)
	p.AllowExecutionDate = true
	sc = g.Session(t, p)
	st, err := payments.BankTransfer(ctx, sc, payments.BankTransferParams{Redirect: redirect, ExecutionDate: date})
	if err != nil {
		t.Fatalf("execution date with allowExecutionDate: %v", err)
	}
	if s, err := g.Srv.PaymentRequestStatus(st.WaitToken); err != nil || s != payments.StatusWaitingForPayment {
		t.Fatalf("fake's status of the bank transfer = %q, %v; want WAITING_FOR_PAYMENT", s, err)
	}
}

func TestCapturePayPal(t *testing.T) {
	ctx := context.Background()
	g := e2etest.New(t)
	p := sessionParams("paypal-2", sessions.CurrencyEUR)
	p.AdditionalData = &sessions.AdditionalData{
		Name: "Anna Andersson", Email: "anna@example.com", IP: "192.0.2.1", Language: sessions.LanguageEN,
		ShippingAddress: &sessions.Address{
			FirstName: "Anna", LastName: "Andersson", StreetName: "Storgatan", StreetNumber: "1", PostalCode: "11122",
			City: "Stockholm", Country: sessions.CountrySE, Email: "anna@example.com", PhoneNumber: "+46701234567",
		},
		OrderLines: []sessions.OrderLine{
			{Name: "Shirt", PricePerItem: 6000, Quantity: 1, TaxRate: 2500, TotalAmount: 6000, TotalTaxAmount: 1200},
			{Name: "Gift wrap", PricePerItem: 0, Quantity: 1, TaxRate: 0, TotalAmount: 0, TotalTaxAmount: 0},
			{Name: "Hat", PricePerItem: 5000, Quantity: 1, TaxRate: 2500, TotalAmount: 4000, TotalTaxAmount: 800, TotalDiscountAmount: 1000},
		},
	}
	sc := g.Session(t, p)
	st, err := payments.PayPal(ctx, sc, payments.PayPalParams{Redirect: redirect})
	if err != nil {
		t.Fatal(err)
	}
	// The payer is at PayPal, approving.
	if err := g.Srv.Advance(st.WaitToken, payments.StatusProcessingRedirectedWeb); err != nil {
		t.Fatal(err)
	}
	pc, err := payments.CapturePayPal(ctx, sc, payments.CapturePayPalParams{PaymentID: st.WaitToken})
	if err != nil {
		t.Fatal(err)
	}
	if pc.PaymentID != st.WaitToken || pc.IdempotencyKey == "" {
		t.Fatalf("capture = %+v", pc)
	}
	if s, _ := g.Srv.PaymentRequestStatus(st.WaitToken); s != payments.StatusPaid {
		t.Fatalf("status after CapturePayPal = %s, want PAID", s)
	}
	_, err = payments.CapturePayPal(ctx, sc, payments.CapturePayPalParams{PaymentID: "00000000-0000-4000-8000-000000000000"})
	e2etest.Rejected(t, err, "not-found", "PayPal payment")
}
