package kronortest_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/kronortest"
)

// nextStepQuery reads, with the session token, every field of the customer's
// next step, as Kronor's iOS SDK and the SDK's next-step call select them.
const nextStepQuery = `{ paymentRequests { waitToken status { status }
	transactionCreditCardDetails { sessionId sessionUrl }
	transactionSwishDetails { qrCode returnUrl amount }
	transactionMobilePayDetails { sessionId sessionUrl qrCodeUrl redirectUrl }
	transactionVippsDetails { sessionId sessionUrl }
	transactionP24Details { sessionId sessionUrl }
	transactionBankTransferDetails { payUrl authorizationUrl }
	transactionPayPalDetails { paymentUrl orderId }
} }`

type nextStep struct {
	PaymentRequests []struct {
		WaitToken                    string
		Status                       []struct{ Status string }
		TransactionCreditCardDetails []struct{ SessionID, SessionURL *string }
		TransactionSwishDetails      []struct {
			QRCode    *string `json:"qrCode"`
			ReturnURL *string `json:"returnUrl"`
			Amount    *int64
		}
		TransactionMobilePayDetails []struct {
			SessionID, SessionURL *string
			QRCodeURL             *string `json:"qrCodeUrl"`
			RedirectURL           *string `json:"redirectUrl"`
		}
		TransactionVippsDetails        []struct{ SessionID, SessionURL *string }
		TransactionP24Details          []struct{ SessionID, SessionURL *string }
		TransactionBankTransferDetails []struct {
			PayURL           *string `json:"payUrl"`
			AuthorizationURL *string `json:"authorizationUrl"`
		}
		TransactionPayPalDetails []struct {
			PaymentURL *string `json:"paymentUrl"`
			OrderID    *string `json:"orderId"`
		}
	}
}

// fields returns the next-step fields of the only request, by name, "" for null.
func (n nextStep) fields(t *testing.T) map[string]string {
	t.Helper()
	if len(n.PaymentRequests) != 1 {
		t.Fatalf("%d payment requests", len(n.PaymentRequests))
	}
	r := n.PaymentRequests[0]
	out := map[string]string{}
	set := func(name string, v *string) {
		if v != nil {
			out[name] = *v
		}
	}
	for _, d := range r.TransactionCreditCardDetails {
		set("card.sessionId", d.SessionID)
		set("card.sessionUrl", d.SessionURL)
	}
	for _, d := range r.TransactionSwishDetails {
		set("swish.qrCode", d.QRCode)
		set("swish.returnUrl", d.ReturnURL)
	}
	for _, d := range r.TransactionMobilePayDetails {
		set("mobilepay.sessionId", d.SessionID)
		set("mobilepay.sessionUrl", d.SessionURL)
		set("mobilepay.qrCodeUrl", d.QRCodeURL)
		set("mobilepay.redirectUrl", d.RedirectURL)
	}
	for _, d := range r.TransactionVippsDetails {
		set("vipps.sessionId", d.SessionID)
		set("vipps.sessionUrl", d.SessionURL)
	}
	for _, d := range r.TransactionP24Details {
		set("p24.sessionId", d.SessionID)
		set("p24.sessionUrl", d.SessionURL)
	}
	for _, d := range r.TransactionBankTransferDetails {
		set("bank.payUrl", d.PayURL)
		set("bank.authorizationUrl", d.AuthorizationURL)
	}
	for _, d := range r.TransactionPayPalDetails {
		set("paypal.paymentUrl", d.PaymentURL)
		set("paypal.orderId", d.OrderID)
	}
	return out
}

// payerMethods are the methods with a next step for the customer, the
// session each needs and the fields it fills.
func payerMethods(f *fixture) []struct {
	call    methodCall
	session map[string]any
	fields  []string
} {
	calls := map[string]methodCall{}
	for _, m := range methodCalls(f.key) {
		calls[m.name] = m
	}
	mcom := calls["swish"]
	mcom.input = map[string]any{"idempotencyKey": f.key(), "flow": "mcom", "returnUrl": "https://shop.example/return?order=1"}
	p24 := map[string]any{"name": "Anna", "email": "a@example.com", "ip": "127.0.0.1", "language": "PL"}
	return []struct {
		call    methodCall
		session map[string]any
		fields  []string
	}{
		{calls["card"], nil, []string{"card.sessionId", "card.sessionUrl"}},
		{mcom, nil, []string{"swish.qrCode", "swish.returnUrl"}},
		{calls["mobilepay"], map[string]any{"currency": "DKK"}, []string{"mobilepay.sessionId", "mobilepay.sessionUrl", "mobilepay.qrCodeUrl", "mobilepay.redirectUrl"}},
		{calls["vipps"], map[string]any{"currency": "NOK"}, []string{"vipps.sessionId", "vipps.sessionUrl"}},
		{calls["p24"], map[string]any{"currency": "PLN", "country": "PL", "additionalData": p24}, []string{"p24.sessionId", "p24.sessionUrl"}},
		{calls["bank transfer"], nil, []string{"bank.payUrl", "bank.authorizationUrl"}},
		{calls["paypal"], map[string]any{"additionalData": paypalData()}, []string{"paypal.paymentUrl", "paypal.orderId"}},
	}
}

// By default each method's next step is there as soon as its create call has
// answered, at WAITING_FOR_PAYMENT.
func TestPayerDataAtWaitingForPayment(t *testing.T) {
	f := newFixture(t)
	for i, m := range payerMethods(f) {
		t.Run(m.call.name, func(t *testing.T) {
			tok := f.session("ref-next-"+string(rune('a'+i)), 1000, m.session)
			f.start(tok, m.call)
			var n nextStep
			f.as(tok, nextStepQuery, nil).ok(t, &n)
			got := n.fields(t)
			if len(got) != len(m.fields) {
				t.Errorf("fields %v, want exactly %v", got, m.fields)
			}
			for _, name := range m.fields {
				if got[name] == "" {
					t.Errorf("%s missing: %v", name, got)
				}
			}
		})
	}
}

// The Swish m-commerce flow's QR data and app link carry one Swish token; the
// app link calls the merchant's returnUrl back. The e-commerce flow (the
// customer's number) has neither: the customer's Swish app is asked directly.
func TestSwishQRCodeAndAppLink(t *testing.T) {
	f := newFixture(t)
	m := payerMethods(f)[1]
	tok := f.session("ref-swish-link", 1000, nil)
	f.start(tok, m.call)
	var n nextStep
	f.as(tok, nextStepQuery, nil).ok(t, &n)
	got := n.fields(t)
	link, err := url.Parse(got["swish.returnUrl"])
	if err != nil || link.Scheme != "swish" || link.Host != "paymentrequest" {
		t.Fatalf("app link %q: %v", got["swish.returnUrl"], err)
	}
	token := link.Query().Get("token")
	if len(token) != 32 || got["swish.qrCode"] != "D"+token {
		t.Fatalf("token %q, QR code %q", token, got["swish.qrCode"])
	}
	if cb := link.Query().Get("callbackurl"); cb != "https://shop.example/return?order=1" {
		t.Fatalf("callbackurl %q", cb)
	}
	if a := n.PaymentRequests[0].TransactionSwishDetails[0].Amount; a == nil || *a != 1000 {
		t.Fatalf("amount %v", a)
	}

	ecom := f.session("ref-swish-ecom", 1000, nil)
	f.start(ecom, methodCalls(f.key)[0]) // flow "ecom"
	f.as(ecom, nextStepQuery, nil).ok(t, &n)
	if got := n.fields(t); len(got) != 0 {
		t.Fatalf("ecom flow has %v", got)
	}
}

// With WithPayerDataDelay the next step appears later, pushed to the
// subscribers of the payment request.
func TestPayerDataDelayIsPushed(t *testing.T) {
	for _, proto := range []string{legacyWS, transportWS} {
		t.Run(proto, func(t *testing.T) {
			f := newFixture(t, kronortest.WithPayerDataDelay(time.Second))
			m := payerMethods(f)[1] // Swish mcom
			tok := f.session("ref-next-delay", 1000, nil)
			wt := f.start(tok, m.call)
			w := connect(t, f.srv, proto, tok)
			sub := strings.Replace(nextStepQuery, "{ paymentRequests {", "subscription { paymentRequests {", 1)
			w.subscribe("1", sub, nil)
			var n nextStep
			w.result("1", &n)
			if got := n.fields(t); len(got) != 0 || n.PaymentRequests[0].Status[0].Status != "WAITING_FOR_PAYMENT" {
				t.Fatalf("before the delay: %v", got)
			}
			f.clock.Advance(time.Second - time.Millisecond)
			f.as(tok, nextStepQuery, nil).ok(t, &n)
			if got := n.fields(t); len(got) != 0 {
				t.Fatalf("just before the delay: %v", got)
			}
			f.clock.Advance(time.Millisecond)
			w.result("1", &n)
			if got := n.fields(t); got["swish.qrCode"] == "" || got["swish.returnUrl"] == "" {
				t.Fatalf("pushed after the delay: %v", got)
			}
			if n.PaymentRequests[0].WaitToken != wt {
				t.Fatalf("pushed %s", n.PaymentRequests[0].WaitToken)
			}
		})
	}
}

// A payment that ends before its next step is known never gets one.
func TestPayerDataNotAfterTheEnd(t *testing.T) {
	f := newFixture(t, kronortest.WithPayerDataDelay(time.Second))
	tok := f.session("ref-next-end", 1000, nil)
	wt := f.card(tok)
	if err := f.srv.Decline(wt); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Hour)
	var n nextStep
	f.as(tok, nextStepQuery, nil).ok(t, &n)
	if got := n.fields(t); len(got) != 0 {
		t.Fatalf("a declined payment got %v", got)
	}
}
