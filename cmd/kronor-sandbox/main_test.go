package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/goleak"

	"github.com/kronor-io/kronor-go/internal/sandbox"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// serve runs the command in the background and returns its endpoint and
// merchant token; stopping ctx stops it, and the returned channel reports
// run's error.
func serve(t *testing.T, ctx context.Context, args ...string) (endpoint, token string, done <-chan error) {
	t.Helper()
	pr, pw := io.Pipe()
	errc := make(chan error, 1)
	go func() {
		err := run(ctx, args, pw, io.Discard)
		pw.CloseWithError(io.EOF)
		errc <- err
	}()
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "GraphQL:"); ok {
			endpoint = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "Merchant token:"); ok {
			token = strings.TrimSpace(v)
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if endpoint == "" || token == "" {
		t.Fatalf("no banner (endpoint %q, token %q): %v", endpoint, token, <-errc)
	}
	return endpoint, token, errc
}

func gql(t *testing.T, endpoint, token, query string, vars map[string]any, out any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, endpoint, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		Data   json.RawMessage
		Errors []any
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || len(r.Errors) > 0 || resp.StatusCode != http.StatusOK {
		t.Fatalf("HTTP %d %+v %v", resp.StatusCode, r.Errors, err)
	}
	if err := json.Unmarshal(r.Data, out); err != nil {
		t.Fatal(err)
	}
}

func TestSandboxWalksAPayment(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ctx, stop := context.WithCancel(ctx)
	endpoint, merchant, done := serve(t, ctx, "-addr", "127.0.0.1:0", "-approve-after", "0", "-settle-delay", "0", "-token", "sandbox-merchant")
	if merchant != "sandbox-merchant" {
		t.Fatalf("token %q", merchant)
	}

	var s struct{ NewPaymentSession struct{ Token string } }
	gql(t, endpoint, merchant, `mutation($p: PaymentSessionInput!) { newPaymentSession(payment: $p) { token } }`, map[string]any{"p": map[string]any{
		"amount": 1000, "expiresAt": time.Now().Add(time.Hour).Format(time.RFC3339), "idempotencyKey": "sandbox-1",
		"merchantReference": "sandbox-order", "message": "Sandbox",
	}}, &s)
	var p struct{ NewSwishPayment struct{ WaitToken string } }
	gql(t, endpoint, s.NewPaymentSession.Token, `mutation { newSwishPayment(pay: {idempotencyKey: "p1", flow: "mcom", returnUrl: "https://shop.example"}) { waitToken } }`, nil, &p)

	// The customer pays on the payer page.
	base := strings.TrimSuffix(endpoint, "/v1/graphql")
	resp, err := http.PostForm(base+"/pay/swish/"+p.NewSwishPayment.WaitToken, url.Values{"action": {"approve"}})
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Contains(page, []byte("PAID")) {
		t.Fatalf("payer page: HTTP %d %s", resp.StatusCode, page)
	}
	var q struct {
		PaymentRequests []struct{ Status []struct{ Status string } }
	}
	gql(t, endpoint, s.NewPaymentSession.Token, `{ paymentRequests { status { status } } }`, nil, &q)
	if len(q.PaymentRequests) != 1 || q.PaymentRequests[0].Status[0].Status != "PAID" {
		t.Fatalf("status %+v", q)
	}

	// Browsers may call it cross-origin.
	req, _ := http.NewRequest(http.MethodOptions, endpoint, nil)
	req.Header.Set("Origin", "http://localhost:3000")
	req.Header.Set("Access-Control-Request-Method", "POST")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "http://localhost:3000" ||
		!strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), "Authorization") {
		t.Fatalf("preflight: HTTP %d %v", resp.StatusCode, resp.Header)
	}

	// ...and subscribe from a page on another origin, as Apollo's WebSocketLink does.
	wsURL := "ws" + strings.TrimPrefix(endpoint, "http")
	c, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{
		Subprotocols: []string{"graphql-ws"},
		HTTPHeader:   http.Header{"Origin": {"http://localhost:3000"}},
	})
	if err != nil {
		t.Fatalf("cross-origin websocket: %v", err)
	}
	init, _ := json.Marshal(map[string]any{"type": "connection_init", "payload": map[string]any{
		"headers": map[string]any{"Authorization": "Bearer " + s.NewPaymentSession.Token}}})
	if err := c.Write(ctx, websocket.MessageText, init); err != nil {
		t.Fatal(err)
	}
	_, ack, err := c.Read(ctx)
	if err != nil || !bytes.Contains(ack, []byte("connection_ack")) {
		t.Fatalf("connection_init: %s %v", ack, err)
	}
	c.Close(websocket.StatusNormalClosure, "")

	stop()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
}

func TestSandboxFlags(t *testing.T) {
	for _, args := range [][]string{{"-approve-after", "-1s"}, {"-settle-delay", "-1ms"}, {"-nope"}, {"extra"}, {"-addr", "256.0.0.1:1"}} {
		if err := run(context.Background(), args, io.Discard, io.Discard); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}

// flagsOf describes each flag of fs: its usage and default.
func flagsOf(fs *flag.FlagSet) map[string]string {
	m := map[string]string{}
	fs.VisitAll(func(f *flag.Flag) { m[f.Name] = f.Usage + " (default " + f.DefValue + ")" })
	return m
}

// TestFlagsAreTheSandboxOptions: the command takes the sandbox's options
// (internal/sandbox), which kronor sandbox takes too (its own test checks
// that), and -v; nothing else.
func TestFlagsAreTheSandboxOptions(t *testing.T) {
	var o sandbox.Options
	var verbose bool
	got := flagsOf(flags(&o, &verbose, io.Discard))

	shared := flag.NewFlagSet("shared", flag.ContinueOnError)
	new(sandbox.Options).Register(shared)
	want := flagsOf(shared)
	if len(want) < 5 {
		t.Fatalf("the sandbox registers %d flags", len(want))
	}
	want["v"] = "log every fault and server error (default false)"
	if !maps.Equal(got, want) {
		t.Fatalf("kronor-sandbox's flags:\n%v\nwant:\n%v", got, want)
	}
}
