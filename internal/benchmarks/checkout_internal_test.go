package benchmarks

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/kronortest"
)

// TestCheckoutBodies: the flow's requests, built around their changing
// values, are the bytes json.Marshal writes for them.
func TestCheckoutBodies(t *testing.T) {
	c := &Checkout{expiresAt: time.Now().Add(23 * time.Hour).Format(time.RFC3339)}
	want, _ := json.Marshal(map[string]any{
		"query": sessionQuery,
		"variables": map[string]any{"p": map[string]any{
			"amount": 10056, "currency": "SEK", "expiresAt": c.expiresAt, "message": "Order",
			"merchantReference": "bench-1234", "idempotencyKey": "bench-session-1234",
		}},
	})
	if got := c.sessionBody(1234); !bytes.Equal(got, want) {
		t.Errorf("sessionBody(1234) = %s, want %s", got, want)
	}
	for _, w := range []string{"6f1f5e0e-8d1c-4a57-9a55-3c8b1b0c2d11", `odd "token" <&>`} {
		want, _ := json.Marshal(map[string]any{"query": statusQuery, "variables": map[string]any{"w": w}})
		got, err := statusBody(w)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("statusBody(%q) = %s, %v, want %s", w, got, err, want)
		}
	}
	want, _ = json.Marshal(map[string]any{"query": `mutation { newSwishPayment(pay: {idempotencyKey: "pay", flow: "mcom", returnUrl: "https://shop.example"}) { waitToken } }`})
	if !bytes.Equal([]byte(payBody), want) {
		t.Errorf("payBody = %s, want %s", payBody, want)
	}
}

// TestPostFailsOnGraphQLErrors: a response with errors is an error, with
// the response in it, whether the answer is checked further or not.
func TestPostFailsOnGraphQLErrors(t *testing.T) {
	srv := kronortest.NewServer()
	defer srv.Close()
	hc := NewHTTPClient()
	defer hc.CloseIdleConnections()
	var waitToken string
	for _, check := range []func([]byte) error{read("waitToken", &waitToken), nil} {
		err := post(hc, srv.URL(), "not-a-token", []byte(payBody), check)
		if err == nil || !strings.Contains(err.Error(), "invalid-jwt") {
			t.Errorf("post with a bad token (check %t): %v, want the invalid-jwt error", check != nil, err)
		}
	}
}

// TestStringField: the first member of that name with a string value, as
// encoding/json reads it, escapes and all; anything else is an error.
func TestStringField(t *testing.T) {
	for _, tc := range []struct {
		raw, name, want string
		ok              bool
	}{
		{`{"data":{"newPaymentSession":{"token":"abc.def"}}}`, "token", "abc.def", true},
		{`{"data":{"paymentRequests":[{"waitToken":"w","status":[{"status":"PAID"}]}]}}`, "status", "PAID", true},
		{`{"a":"x\"y\\","b":1}`, "a", `x"y\`, true},
		{`{"a":"\u00e5\n"}`, "a", "å\n", true},
		{`{"a":1}`, "a", "", false},
		{`{"b":"x"}`, "a", "", false},
		{`{"a":"cut`, "a", "", false},
		{`{"a":"bad \q escape"}`, "a", "", false},
	} {
		got, err := stringField([]byte(tc.raw), tc.name)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("stringField(%s, %q) = %q, %v; want %q (ok %t)", tc.raw, tc.name, got, err, tc.want, tc.ok)
		}
	}
}

// FuzzStringField: on a JSON object with a member name whose value is a
// string, stringField reads what encoding/json does.
func FuzzStringField(f *testing.F) {
	f.Add("abc.def")
	f.Add(`x"y\\`)
	f.Add("å\n\u2028<&>")
	f.Fuzz(func(t *testing.T, v string) {
		raw, err := json.Marshal(map[string]any{"data": map[string]any{"name": v}})
		if err != nil {
			t.Skip()
		}
		var want struct{ Data struct{ Name string } }
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatal(err)
		}
		got, err := stringField(raw, "name")
		if err != nil || got != want.Data.Name {
			t.Fatalf("stringField(%s) = %q, %v; want %q", raw, got, err, want.Data.Name)
		}
	})
}
