package kronortest_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestSessionValidation(t *testing.T) {
	f := newFixture(t)
	shipping := map[string]any{
		"firstName": "Anna", "lastName": "Svensson", "streetAddress": "Gatan 1", "postalCode": "11122",
		"city": "Stockholm", "country": "SE", "email": "anna@example.com", "phoneNumber": "+46700000000",
	}
	ad := func(extra map[string]any) map[string]any {
		m := map[string]any{"name": "Anna", "email": "anna@example.com", "ip": "127.0.0.1", "language": "SV"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	line := func(total int) map[string]any {
		return map[string]any{"name": "Socks", "pricePerItem": total, "quantity": 1, "taxRate": 2500, "totalAmount": total, "totalTaxAmount": total / 5}
	}
	now := f.clock.Now()
	tests := []struct {
		name  string
		extra map[string]any
		path  string // "" = valid
	}{
		{"valid", nil, ""},
		{"valid without currency (merchant default)", map[string]any{"currency": nil}, ""},
		{"valid with additional data", map[string]any{"additionalData": ad(map[string]any{"shippingAddress": shipping, "orderLines": []any{line(600), line(400)}})}, ""},
		{"valid expiring in exactly 24h", map[string]any{"expiresAt": now.Add(24 * time.Hour).Format(time.RFC3339)}, ""},
		{"zero amount", map[string]any{"amount": 0}, "payment.amount"},
		{"negative amount", map[string]any{"amount": -5}, "payment.amount"},
		{"amount beyond Int", map[string]any{"amount": 3_000_000_000}, "payment.amount"},
		{"expiresAt in the past", map[string]any{"expiresAt": now.Add(-time.Minute).Format(time.RFC3339)}, "payment.expiresAt"},
		{"expiresAt now", map[string]any{"expiresAt": now.Format(time.RFC3339)}, "payment.expiresAt"},
		{"expiresAt beyond 24h", map[string]any{"expiresAt": now.Add(24*time.Hour + time.Second).Format(time.RFC3339)}, "payment.expiresAt"},
		{"expiresAt not ISO 8601", map[string]any{"expiresAt": "tomorrow"}, "payment.expiresAt"},
		{"empty merchantReference", map[string]any{"merchantReference": ""}, "payment.merchantReference"},
		{"merchantReference too long", map[string]any{"merchantReference": strings.Repeat("r", 65)}, "payment.merchantReference"},
		{"merchantReference2 too long", map[string]any{"merchantReference2": strings.Repeat("r", 1001)}, "payment.merchantReference2"},
		{"message with a forbidden character", map[string]any{"message": "Order #1"}, "payment.message"},
		{"message too long", map[string]any{"message": strings.Repeat("m", 51)}, "payment.message"},
		{"preferredGateway other than KRONOR", map[string]any{"preferredGateway": "TRUSTLY"}, "payment.preferredGateway"},
		{"unknown currency", map[string]any{"currency": "XYZ"}, "payment.currency"},
		{"bad idempotency key", map[string]any{"idempotencyKey": "has space"}, "payment.idempotencyKey"},
		{"idempotency key too long", map[string]any{"idempotencyKey": strings.Repeat("k", 65)}, "payment.idempotencyKey"},
		{"missing required field", map[string]any{"message": nil}, "payment.message"},
		{"additionalData without name", map[string]any{"additionalData": ad(map[string]any{"name": ""})}, "payment.additionalData.name"},
		{"order lines not summing to amount", map[string]any{"additionalData": ad(map[string]any{"orderLines": []any{line(600)}})}, "payment.additionalData.orderLines"},
		{"order line quantity zero", map[string]any{"additionalData": ad(map[string]any{"orderLines": []any{map[string]any{
			"name": "x", "pricePerItem": 1000, "quantity": 0, "taxRate": 0, "totalAmount": 1000, "totalTaxAmount": 0}}})}, "payment.additionalData.orderLines[0].quantity"},
		{"shipping address without city", map[string]any{"additionalData": ad(map[string]any{"shippingAddress": func() map[string]any {
			m := map[string]any{}
			for k, v := range shipping {
				m[k] = v
			}
			m["city"] = ""
			return m
		}()})}, "payment.additionalData.shippingAddress.city"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := f.srv.Totals()
			r := post(t, f.srv.URL(), f.srv.MerchantToken(), sessionMutation, map[string]any{"p": f.sessionInput("ref-validation", 1000, tc.extra)})
			if tc.path == "" {
				r.ok(t, nil)
				if got := f.srv.Totals().Sessions; got != before.Sessions+1 {
					t.Fatalf("sessions: %d, want %d", got, before.Sessions+1)
				}
				return
			}
			r.fails(t, "validation-failed", "$.selectionSet.newPaymentSession.args."+tc.path)
			if got := f.srv.Totals(); got != before {
				t.Fatalf("an invalid session stored something: %+v, before %+v", got, before)
			}
		})
	}
}

func TestSessionTokenLifetime(t *testing.T) {
	f := newFixture(t)
	tok := f.session("ref-life", 1000, nil) // expires in one hour
	f.swish(tok)

	f.clock.Advance(time.Hour)
	// Expired: no new payment...
	f.as(tok, `mutation { newCreditCardPayment(pay: {idempotencyKey: "late", returnUrl: "https://x.example"}) { waitToken } }`, nil).
		fails(t, "session-expired", "$.selectionSet.newCreditCardPayment")
	// ...but the session's requests can still be read.
	var out struct{ PaymentRequests []requestRow }
	f.as(tok, `{ paymentRequests { waitToken } }`, nil).ok(t, &out)
	if len(out.PaymentRequests) != 1 {
		t.Fatalf("%d requests", len(out.PaymentRequests))
	}

	// A day after expiry the token is refused.
	f.clock.Advance(24*time.Hour + time.Second)
	r := f.as(tok, `{ paymentRequests { waitToken } }`, nil)
	if r.Status != http.StatusOK || len(r.Errors) != 1 || r.Errors[0].code() != "invalid-jwt" ||
		r.Errors[0].Message != "Could not verify JWT: JWTExpired" || r.Errors[0].path() != "$" {
		t.Fatalf("expired token: HTTP %d %s", r.Status, r.raw)
	}
}

func TestReferenceCheck(t *testing.T) {
	f := newFixture(t)
	type res struct {
		NewPaymentSessionWithReferenceCheck struct {
			Token                string
			PaymentID            *string
			PaymentTransactionID *string
		}
	}
	check := func(ref string, amount int, extra map[string]any) res {
		t.Helper()
		in := f.sessionInput(ref, amount, map[string]any{"country": "SE"})
		for k, v := range extra {
			in[k] = v
		}
		var out res
		f.merchant(refCheckMutation, map[string]any{"p": in}).ok(t, &out)
		return out
	}
	first := check("order-7", 1000, nil)
	if first.NewPaymentSessionWithReferenceCheck.PaymentID != nil {
		t.Fatal("a new session reports a payment")
	}
	tok := first.NewPaymentSessionWithReferenceCheck.Token

	same := check("order-7", 1000, nil)
	if same.NewPaymentSessionWithReferenceCheck.Token != tok {
		t.Fatal("same reference, amount and currency: want the same session")
	}
	if got := f.srv.Counts("order-7").Sessions; got != 1 {
		t.Fatalf("sessions for order-7: %d, want 1", got)
	}
	for name, extra := range map[string]map[string]any{
		"changed amount":             {"amount": 1200},
		"changed currency":           {"currency": "NOK"},
		"changed merchantReference2": {"merchantReference2": "other"},
	} {
		if check("order-7", 1000, extra).NewPaymentSessionWithReferenceCheck.Token == tok {
			t.Errorf("%s: got the old session, want a new one", name)
		}
	}

	// Pay in the first session: the check now reports the payment.
	wt := f.swish(tok)
	if err := f.srv.Approve(wt); err != nil {
		t.Fatal(err)
	}
	row := f.request(wt)
	paid := check("order-7", 1000, nil).NewPaymentSessionWithReferenceCheck
	if paid.Token != tok || paid.PaymentID == nil || *paid.PaymentID != itoa(*row.ResultingPaymentID) ||
		paid.PaymentTransactionID == nil || *paid.PaymentTransactionID != row.TransactionID {
		t.Fatalf("after payment: %+v, want token %s payment %d tx %s", paid, tok, *row.ResultingPaymentID, row.TransactionID)
	}
	// A changed cart gets a new session, still told about the payment made
	// for the same merchantReference.
	changed := check("order-7", 1500, nil).NewPaymentSessionWithReferenceCheck
	if changed.Token == tok || changed.PaymentID == nil || *changed.PaymentID != *paid.PaymentID {
		t.Fatalf("changed cart after payment: %+v", changed)
	}

	// An expired session is not reused.
	other := check("order-8", 1000, nil).NewPaymentSessionWithReferenceCheck.Token
	f.clock.Advance(time.Hour)
	if check("order-8", 1000, map[string]any{"expiresAt": f.clock.Now().Add(time.Hour).Format(time.RFC3339)}).
		NewPaymentSessionWithReferenceCheck.Token == other {
		t.Fatal("expired session reused")
	}

	// The reference-check input requires country and currency.
	in := f.sessionInput("order-9", 1000, nil) // no country
	f.merchant(refCheckMutation, map[string]any{"p": in}).fails(t, "validation-failed", "args.payment.country")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
