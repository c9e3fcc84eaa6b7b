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
// the response in it, whether the data is decoded or not.
func TestPostFailsOnGraphQLErrors(t *testing.T) {
	srv := kronortest.NewServer()
	defer srv.Close()
	hc := NewHTTPClient()
	defer hc.CloseIdleConnections()
	var out struct{ NewSwishPayment struct{ WaitToken string } }
	for _, o := range []any{&out, nil} {
		err := post(hc, srv.URL(), "not-a-token", []byte(payBody), o)
		if err == nil || !strings.Contains(err.Error(), "invalid-jwt") {
			t.Errorf("post with a bad token (out %T): %v, want the invalid-jwt error", o, err)
		}
	}
}
