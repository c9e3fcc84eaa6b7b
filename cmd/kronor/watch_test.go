package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/refunds"
)

// TestWatch follows a payment a shop started with the SDK, from its first
// status to PAID (exit 0), and one that the customer never pays (exit 1).
func TestWatch(t *testing.T) {
	srv := kronortest.NewServer()
	defer srv.Close()
	wt := startSwish(t, srv, "shop-order-1", 4200)
	p := start(t, env(srv), "watch", wt)
	p.until(waitingLine)
	if err := srv.Approve(wt); err != nil {
		t.Fatal(err)
	}
	out, _ := p.wantExit(0, srv.MerchantToken())
	if !strings.Contains(out, "Paid: 42.00 SEK, payment id") {
		t.Fatalf("output:\n%s", out)
	}

	wt = startSwish(t, srv, "shop-order-2", 100)
	if err := srv.TimeOut(wt); err != nil {
		t.Fatal(err)
	}
	out, errOut := start(t, env(srv), "watch", wt).wantExit(1, srv.MerchantToken())
	if !strings.Contains(out, "ERROR") || !strings.Contains(errOut, "ended ERROR") {
		t.Fatalf("stdout:\n%s\nstderr:\n%s", out, errOut)
	}
	_, errOut = start(t, env(srv), "watch", "6a0cd5e0-4b3e-4c5f-9b8e-2f1f2d9c0e11").wantExit(2, srv.MerchantToken())
	if !strings.Contains(errOut, "no payment or refund has the wait token") {
		t.Fatalf("stderr:\n%s", errOut)
	}
}

// TestWatchCapture follows a capture by its id.
func TestWatchCapture(t *testing.T) {
	srv := kronortest.NewServer(kronortest.WithManualSettlement())
	defer srv.Close()
	id := paid(t, srv, "--amount", "30", "--method", "card")
	out, _ := start(t, env(srv), "capture", itoa(id), "--amount", "30", "--no-wait").wantExit(0, srv.MerchantToken())
	capture := regexp.MustCompile(`Capture (\d+) of`).FindStringSubmatch(out)
	if capture == nil {
		t.Fatalf("output:\n%s", out)
	}
	p := start(t, env(srv), "watch", "--capture", capture[1])
	p.until(regexp.MustCompile(`^\s+CAPTURING\s`))
	srv.Settle()
	if out, _ := p.wantExit(0, srv.MerchantToken()); !strings.Contains(out, "Captured: 30.00 SEK") {
		t.Fatalf("output:\n%s", out)
	}
}

// TestWatchRefund follows a refund by its wait token. The command first
// reads the payment request of that token, finds none, and follows the
// refund on the same watcher: one websocket, and before it two HTTP reads,
// the payment request's and the refund's (the refund's watch tells a refund
// apart by its first read; no other read is needed). The gateway is reached
// through a proxy that counts both.
func TestWatchRefund(t *testing.T) {
	srv := kronortest.NewServer()
	defer srv.Close()
	id := paid(t, srv, "--amount", "100")
	r, err := refunds.Create(context.Background(), merchantClient(t, srv), refunds.Params{Amount: 2500, PaymentID: id, Message: "Sorry"})
	if err != nil {
		t.Fatal(err)
	}

	target, err := url.Parse(strings.TrimSuffix(srv.URL(), kronortest.Path))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var websockets, readsBefore int // the websockets opened; the HTTP requests before the first
	proxy := httputil.NewSingleHostReverseProxy(target)
	counting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		switch {
		case strings.EqualFold(r.Header.Get("Upgrade"), "websocket"):
			websockets++
		case websockets == 0:
			readsBefore++
		}
		mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	defer counting.Close()

	vars := map[string]string{envToken: srv.MerchantToken(), envURL: counting.URL + kronortest.Path}
	out, errOut := start(t, vars, "watch", r.WaitToken).wantExit(0, srv.MerchantToken())
	if !strings.Contains(out, "INITIALIZING") || !strings.Contains(out, "Refunded: 25.00 SEK") {
		t.Fatalf("stdout:\n%s\nstderr:\n%s", out, errOut)
	}
	mu.Lock()
	defer mu.Unlock()
	if websockets != 1 || readsBefore != 2 {
		t.Fatalf("kronor watch of a refund opened %d websockets after %d HTTP requests, want 1 after 2", websockets, readsBefore)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestPaymentsList lists the payments of the last day, filtered by status,
// as a table with totals and as JSON lines.
func TestPaymentsList(t *testing.T) {
	srv := kronortest.NewServer()
	defer srv.Close()
	now := time.Now()
	if _, err := srv.AddPayments(
		kronortest.StoredPayment{CreatedAt: now.Add(-48 * time.Hour), Amount: 111, MerchantReference: "old"},
		kronortest.StoredPayment{CreatedAt: now.Add(-2 * time.Hour), Amount: 10056, MerchantReference: "swish-1", Refunded: 56},
		kronortest.StoredPayment{CreatedAt: now.Add(-time.Hour), Amount: 5000, Method: "CREDIT_CARD", Status: "AUTHORIZED", MerchantReference: "card-1"},
		kronortest.StoredPayment{CreatedAt: now.Add(-time.Minute), Amount: 900, Currency: "ISK", MerchantReference: "isk-1"},
	); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := kronor(t, env(srv), "payments", "list", "--since", "24h")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	for _, want := range []string{"swish-1", "100.56 SEK", "card-1", "AUTHORIZED", "50.00 SEK", "900 ISK", "0.56",
		"Total SEK: 2 payments, paid 100.56, authorized 50.00, refunded 0.56 (1 refunds)", "Total ISK: 1 payments, paid 900"} {
		if !strings.Contains(out, want) {
			t.Errorf("the listing lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "old") {
		t.Errorf("the listing shows a payment of two days ago:\n%s", out)
	}

	code, out, _ = kronor(t, env(srv), "payments", "list", "--since", "24h", "--status", "paid", "--json")
	var refs, types []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var v struct{ Type, MerchantReference, Status string }
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatalf("not JSON: %q", line)
		}
		types = append(types, v.Type)
		if v.Type == "payment" {
			refs = append(refs, v.MerchantReference)
		}
	}
	if code != 0 || !slices.Equal(refs, []string{"swish-1", "isk-1"}) || !slices.Contains(types, "total") {
		t.Fatalf("exit %d, references %v, types %v:\n%s", code, refs, types, out)
	}
}

// TestSandbox runs kronor sandbox (with its own --token: no secret, the
// token the fake accepts), points the other commands at it with the
// exports it prints, pays a checkout on the sandbox's payer page as a person
// would, and stops the sandbox with Ctrl-C (exit 0).
func TestSandbox(t *testing.T) {
	sb := start(t, nil, "sandbox", "--addr", "127.0.0.1:0", "--approve-after", "0", "--settle-delay", "0", "--token", "sandbox-merchant")
	url := sb.until(regexp.MustCompile(`^  export KRONOR_URL=(\S+)$`))[1]
	token := sb.until(regexp.MustCompile(`^  export KRONOR_TOKEN=(\S+)$`))[1]
	if token != "sandbox-merchant" {
		t.Fatalf("the sandbox accepts %q, not the --token given", token)
	}
	vars := map[string]string{envURL: url, envToken: token}

	p := start(t, vars, "checkout", "--amount", "12.34")
	wt := p.until(waitTokenLine)[1]
	p.until(waitingLine)
	payer := strings.TrimSuffix(url, kronortest.Path) + "/pay/swish/" + wt
	if out := sb.stdout.String(); !strings.Contains(out, strings.TrimSuffix(url, kronortest.Path)+"/pay/METHOD/WAIT_TOKEN") {
		t.Fatalf("the sandbox does not say where the payer pages are:\n%s", out)
	}
	resp, err := postForm(payer, "approve")
	if err != nil || resp != 200 {
		t.Fatalf("payer page: %d %v", resp, err)
	}
	if out, _ := p.wantExit(0, ""); !strings.Contains(out, "Paid: 12.34 SEK") {
		t.Fatalf("output:\n%s", out)
	}
	sb.cancel()
	if out, _ := sb.wantExit(0, ""); !strings.HasSuffix(out, "kronor sandbox: stopped\n") {
		t.Fatalf("sandbox output:\n%s", out)
	}
}

// TestImportsOnlyThePublicSDK: the command is a thin layer over the SDK's
// public packages: it imports no package of the SDK's internal/ tree but the
// command plumbing it shares with another command (internal/sandbox, the
// flags of kronor-sandbox), which itself imports nothing of the SDK but its
// public packages; nor one of the SDK that a merchant would not import; and
// every package of the module it depends on is a dependency of those public
// packages or that plumbing (so nothing internal is reached but through
// them).
func TestImportsOnlyThePublicSDK(t *testing.T) {
	const mod = "github.com/kronor-io/kronor-go/"
	public := []string{"client", "sessions", "payments", "captures", "refunds", "subscriptions", "kronortest"}
	plumbing := []string{"internal/sandbox"}
	list := func(args ...string) []string {
		t.Helper()
		out, err := exec.Command("go", append([]string{"list"}, args...)...).Output()
		if err != nil {
			t.Fatalf("go list %v: %v", args, err)
		}
		return strings.Fields(string(out))
	}
	imports := list("-f", `{{join .Imports " "}}`, ".")
	if len(imports) < 5 {
		t.Fatalf("go list found the imports %v", imports)
	}
	for _, imp := range imports {
		if p, ok := strings.CutPrefix(imp, mod); ok && !slices.Contains(public, p) && !slices.Contains(plumbing, p) {
			t.Errorf("cmd/kronor imports %s: only the public packages %v and the commands' plumbing %v", imp, public, plumbing)
		}
	}
	for _, pl := range plumbing {
		for _, imp := range list("-f", `{{join .Imports " "}}`, "../../"+pl) {
			if p, ok := strings.CutPrefix(imp, mod); ok && !slices.Contains(public, p) {
				t.Errorf("%s, which cmd/kronor imports, imports %s: only the public packages %v", pl, imp, public)
			}
		}
	}
	var publicPaths []string
	for _, p := range public {
		publicPaths = append(publicPaths, mod+p)
	}
	reachable := list(append([]string{"-deps"}, publicPaths...)...)
	for _, dep := range list("-deps", "-f", `{{if not .Standard}}{{.ImportPath}}{{end}}`, ".") {
		if dep == mod+"cmd/kronor" || dep == "rsc.io/qr" || strings.HasPrefix(dep, "rsc.io/qr/") {
			continue
		}
		if p, ok := strings.CutPrefix(dep, mod); ok && slices.Contains(plumbing, p) {
			continue
		}
		if !slices.Contains(reachable, dep) {
			t.Errorf("cmd/kronor depends on %s, which the public SDK packages do not", dep)
		}
	}
}

func postForm(url, action string) (int, error) {
	req, err := newFormRequest(context.Background(), url, action)
	if err != nil {
		return 0, err
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
