package kronortest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

func TestRoles(t *testing.T) {
	f := newFixture(t)
	tok := f.session("ref-roles", 1000, nil)
	wt := f.swish(tok)
	tests := []struct {
		name     string
		merchant bool // with the merchant token, else the session token
		query    string
		path     string // "" = allowed
		message  string
	}{
		{"merchant reads payments", true, `{ payments { id } }`, "", ""},
		{"session reads payments", false, `{ payments { id } }`, "$.selectionSet.payments", "field 'payments' not found in type: 'query_root'"},
		{"session reads refunds", false, `{ refunds { waitToken } }`, "$.selectionSet.refunds", ""},
		{"session reads captures", false, `{ paymentCaptures { id } }`, "$.selectionSet.paymentCaptures", ""},
		{"session reads releases", false, `{ transactionReleases { id } }`, "$.selectionSet.transactionReleases", ""},
		{"both read paymentRequests", false, `{ paymentRequests { waitToken status { status enteredAt } } }`, "", ""},
		{"session reads merchantReference2", false, `{ paymentRequests { merchantReference2 } }`,
			"$.selectionSet.paymentRequests.selectionSet.merchantReference2", "field 'merchantReference2' not found in type: 'PaymentRequest'"},
		{"merchant reads merchantReference2", true, `{ paymentRequests { merchantReference2 } }`, "", ""},
		{"session reads a card number", false, `{ paymentRequests { transactionCreditCardDetails { cardNumber } } }`,
			"$.selectionSet.paymentRequests.selectionSet.transactionCreditCardDetails.selectionSet.cardNumber", "field 'cardNumber' not found in type: 'CreditCardDetails'"},
		{"session reads a card session URL", false, `{ paymentRequests { transactionCreditCardDetails { sessionUrl } } }`, "", ""},
		{"merchant reads a card session URL", true, `{ paymentRequests { transactionCreditCardDetails { sessionUrl } } }`,
			"transactionCreditCardDetails.selectionSet.sessionUrl", ""},
		{"merchant reads a Swish QR code", true, `{ paymentRequests { transactionSwishDetails { qrCode } } }`, "transactionSwishDetails.selectionSet.qrCode", ""},
		{"session reads a Swish QR code", false, `{ paymentRequests { transactionSwishDetails { qrCode dateCreated } } }`, "", ""},
		{"role field hidden in a fragment", false, `{ paymentRequests { ...F } } fragment F on PaymentRequest { merchantReference2 }`,
			"$.selectionSet.paymentRequests.selectionSet.merchantReference2", ""},
		{"role field hidden in an inline fragment", false, `{ paymentRequests { ... on PaymentRequest { transactionP24Details { p24Statement } } } }`,
			"transactionP24Details.selectionSet.p24Statement", ""},
		{"merchant starts a Swish payment", true, `mutation { newSwishPayment(pay: {idempotencyKey: "k", flow: "mcom", returnUrl: "https://x.example"}) { waitToken } }`,
			"$.selectionSet.newSwishPayment", "field 'newSwishPayment' not found in type: 'mutation_root'"},
		{"session creates a session", false, `mutation { newPaymentSession(payment: {amount: 1, expiresAt: "x", idempotencyKey: "k", merchantReference: "r", message: "m"}) { token } }`,
			"$.selectionSet.newPaymentSession", ""},
		{"session refunds", false, `mutation { refundPayment(refund: {amount: 1, idempotencyKey: "k", message: "m"}) { waitToken } }`,
			"$.selectionSet.refundPayment", ""},
		{"session cancels", false, `mutation { cancelPayment(cancel: {idempotencyKey: "k"}) { waitToken } }`, "", ""},
		{"merchant cancels a session payment", true, `mutation { cancelPayment(cancel: {idempotencyKey: "k"}) { waitToken } }`, "$.selectionSet.cancelPayment", ""},
		{"unknown field", true, `{ paymentRequests { nope } }`, "$.selectionSet.paymentRequests.selectionSet.nope", "field 'nope' not found in type: 'PaymentRequest'"},
		{"__typename is always there", false, `{ __typename paymentRequests { __typename } }`, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			token := tok
			if tc.merchant {
				token = f.srv.MerchantToken()
			}
			before := f.srv.Totals()
			r := f.as(token, tc.query, nil)
			if tc.path == "" {
				r.ok(t, nil)
				return
			}
			e := r.fails(t, "validation-failed", tc.path)
			if tc.message != "" && e.Message != tc.message {
				t.Fatalf("message %q, want %q", e.Message, tc.message)
			}
			if f.srv.Totals() != before {
				t.Fatal("a refused request changed the state")
			}
		})
	}
	f.wantStatus(wt, "CANCELLED") // by "session cancels"
}

func TestAuthentication(t *testing.T) {
	f := newFixture(t)
	// Hasura in JWT mode: HTTP 200, one error at $, invalid-headers without a
	// bearer token, invalid-jwt with one it cannot verify.
	tests := []struct {
		name, header, code, message string
	}{
		{"no header", "", "invalid-headers", "Missing 'Authorization' or 'Cookie' header in JWT authentication mode"},
		{"unknown token", "Bearer nope", "invalid-jwt", "Could not verify JWT: JWSError JWSInvalidSignature"},
		{"not a bearer token", "Basic " + f.srv.MerchantToken(), "invalid-headers", "Malformed Authorization header"},
		{"empty bearer", "Bearer ", "invalid-headers", "Malformed Authorization header"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, f.srv.URL(), bytes.NewReader([]byte(`{"query":"{ payments { id } }"}`)))
			req.Header.Set("Content-Type", "application/json")
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var r result
			raw, _ := io.ReadAll(resp.Body)
			if err := json.Unmarshal(raw, &r); err != nil {
				t.Fatal(err)
			}
			var keys map[string]json.RawMessage
			_ = json.Unmarshal(raw, &keys)
			if _, hasData := keys["data"]; hasData || len(keys) != 1 {
				t.Fatalf("want only errors, got %s", raw)
			}
			if resp.StatusCode != http.StatusOK || len(r.Errors) != 1 || r.Errors[0].code() != tc.code ||
				r.Errors[0].path() != "$" || r.Errors[0].Message != tc.message {
				t.Fatalf("HTTP %d %s", resp.StatusCode, raw)
			}
			if len(r.Errors[0].Extensions) != 2 {
				t.Fatalf("extensions beyond code and path: %s", raw)
			}
		})
	}
	// "bearer" is case-insensitive, as in HTTP.
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL(), bytes.NewReader([]byte(`{"query":"{ payments { id } }"}`)))
	req.Header.Set("Authorization", "bearer "+f.srv.MerchantToken())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("lower-case bearer: HTTP %d", resp.StatusCode)
	}
}

func TestMalformedRequests(t *testing.T) {
	f := newFixture(t)
	send := func(method, body string) (int, result) {
		req, _ := http.NewRequest(method, f.srv.URL(), bytes.NewReader([]byte(body)))
		req.Header.Set("Authorization", "Bearer "+f.srv.MerchantToken())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var r result
		decodeBody(t, resp, &r)
		return resp.StatusCode, r
	}
	if st, r := send(http.MethodGet, ""); st != http.StatusMethodNotAllowed || len(r.Errors) != 1 {
		t.Fatalf("GET: %d %+v", st, r)
	}
	if st, r := send(http.MethodPost, "{not json"); st != http.StatusBadRequest || len(r.Errors) != 1 {
		t.Fatalf("bad JSON: %d %+v", st, r)
	}
	if st, r := send(http.MethodPost, `{"query":"{ payments { id "}`); st != http.StatusOK || len(r.Errors) != 1 {
		t.Fatalf("bad GraphQL: %d %+v", st, r)
	}
	if st, r := send(http.MethodPost, `{"query":"subscription { paymentRequests { waitToken } }"}`); st != http.StatusOK || len(r.Errors) != 1 {
		t.Fatalf("subscription over HTTP: %d %+v", st, r)
	}
	big := `{"query":"` + string(bytes.Repeat([]byte(" "), 2<<20)) + `{ payments { id } }"}`
	if st, _ := send(http.MethodPost, big); st != http.StatusRequestEntityTooLarge {
		t.Fatalf("huge body: %d", st)
	}
}
