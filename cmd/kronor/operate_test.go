package main

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/payments"
)

var paymentIDLine = regexp.MustCompile(`payment id (\d+)`)

// paid runs a checkout that the fake approves at once and returns the
// payment id.
func paid(t *testing.T, srv *kronortest.Server, args ...string) int64 {
	t.Helper()
	p := start(t, env(srv), append([]string{"checkout"}, args...)...)
	wt := p.until(waitTokenLine)[1]
	if err := srv.Approve(wt); err != nil {
		t.Fatal(err)
	}
	out, _ := p.wantExit(0, srv.MerchantToken())
	m := paymentIDLine.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no payment id in:\n%s", out)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

// TestCaptureRerunIsSafe captures part of an authorized card payment with the
// derived idempotency key, printed; the same command again returns the same
// capture instead of capturing twice.
func TestCaptureRerunIsSafe(t *testing.T) {
	srv := kronortest.NewServer()
	defer srv.Close()
	id := paid(t, srv, "--amount", "100", "--method", "card")
	args := []string{"capture", strconv.FormatInt(id, 10), "--amount", "60,50"}
	p := start(t, env(srv), args...)
	out, _ := p.wantExit(0, srv.MerchantToken())
	key := regexp.MustCompile(`Idempotency key: (\S+) \(derived from capture, payment \d+, 60\.50 SEK: rerunning this command applies it once\)`).FindStringSubmatch(out)
	capture := regexp.MustCompile(`Capture (\d+) of 60\.50 SEK registered`).FindStringSubmatch(out)
	if key == nil || capture == nil || !strings.Contains(out, "CAPTURE_DONE") || !strings.Contains(out, "Captured: 60.50 SEK") {
		t.Fatalf("output:\n%s", out)
	}
	out2, _ := start(t, env(srv), args...).wantExit(0, srv.MerchantToken())
	if !strings.Contains(out2, "Idempotency key: "+key[1]) || !strings.Contains(out2, "Capture "+capture[1]+" of") {
		t.Fatalf("the rerun did not reuse the key and capture:\n%s", out2)
	}
	if n := srv.Totals().Captures; n != 1 {
		t.Fatalf("%d captures after two runs of the same command", n)
	}
	// Another capture of the same amount needs its own key.
	out3, _ := start(t, env(srv), append(args[:2:2], "--amount", "39.50", "--idempotency-key", "second-capture")...).wantExit(0, srv.MerchantToken())
	if !strings.Contains(out3, "Idempotency key: second-capture\n") || srv.Totals().Captures != 2 {
		t.Fatalf("second capture:\n%s", out3)
	}
	if got := captured(t, srv, id); got != 10000 {
		t.Fatalf("captured %d, want 10000", got)
	}
}

func captured(t *testing.T, srv *kronortest.Server, id int64) int64 {
	t.Helper()
	p, err := payments.Get(context.Background(), merchantClient(t, srv), id)
	if err != nil {
		t.Fatal(err)
	}
	return p.AmountPaid
}

// TestCaptureDeclined: a capture the card issuer declines ends with exit 1.
func TestCaptureDeclined(t *testing.T) {
	srv := kronortest.NewServer()
	defer srv.Close()
	id := paid(t, srv, "--amount", "100", "--method", "card")
	srv.ScriptCapture(kronortest.OutcomeDeclined)
	_, errOut := start(t, env(srv), "capture", strconv.FormatInt(id, 10), "--amount", "100").wantExit(1, srv.MerchantToken())
	if !strings.Contains(errOut, "ended CAPTURE_DECLINED") {
		t.Fatalf("stderr:\n%s", errOut)
	}
}

// TestRelease releases an authorized payment's whole reservation (the
// default amount).
func TestRelease(t *testing.T) {
	srv := kronortest.NewServer()
	defer srv.Close()
	id := paid(t, srv, "--amount", "80", "--method", "card")
	out, _ := start(t, env(srv), "--json", "release", strconv.FormatInt(id, 10)).wantExit(0, srv.MerchantToken())
	if !strings.Contains(out, `"type":"release"`) || !strings.Contains(out, `"amount":8000`) || !strings.Contains(out, `"status":"DONE"`) {
		t.Fatalf("output:\n%s", out)
	}
	if strings.Contains(out, "Idempotency key:") {
		t.Fatalf("--json printed text:\n%s", out)
	}
}

// TestRefund refunds part of a paid Swish payment, follows it to PAID, and a
// rerun refunds nothing twice; a refund the provider fails ends with exit 1;
// kronor watch follows a refund by its wait token.
func TestRefund(t *testing.T) {
	srv := kronortest.NewServer(kronortest.WithManualSettlement())
	defer srv.Close()
	id := paid(t, srv, "--amount", "100")
	args := []string{"refund", strconv.FormatInt(id, 10), "--amount", "25", "--message", "Sorry"}
	p := start(t, env(srv), args...)
	wt := p.until(regexp.MustCompile(`Refund ([0-9a-f-]{36}) of 25\.00 SEK registered`))[1]
	p.until(regexp.MustCompile(`^\s+INITIALIZING\s`))
	// A second terminal watches the same refund.
	w := start(t, env(srv), "watch", wt)
	w.until(regexp.MustCompile(`^\s+INITIALIZING\s`))
	srv.Settle()
	out, _ := p.wantExit(0, srv.MerchantToken())
	if !strings.Contains(out, "  PAID ") || !strings.Contains(out, "Refunded: 25.00 SEK, payment id "+strconv.FormatInt(id, 10)) {
		t.Fatalf("output:\n%s", out)
	}
	if wout, _ := w.wantExit(0, srv.MerchantToken()); !strings.Contains(wout, "Refunded: 25.00 SEK") {
		t.Fatalf("watch of the refund:\n%s", wout)
	}
	rerun, _ := start(t, env(srv), args...).wantExit(0, srv.MerchantToken())
	if !strings.Contains(rerun, "Refund "+wt+" of 25.00 SEK") || srv.Totals().Refunds != 1 {
		t.Fatalf("the rerun refunded again (%d refunds):\n%s", srv.Totals().Refunds, rerun)
	}

	srv.ScriptRefund(kronortest.OutcomeError)
	p = start(t, env(srv), "refund", strconv.FormatInt(id, 10), "--amount", "10")
	p.until(regexp.MustCompile(`^\s+INITIALIZING\s`))
	srv.Settle()
	if _, errOut := p.wantExit(1, srv.MerchantToken()); !strings.Contains(errOut, "ended ERROR") {
		t.Fatalf("stderr:\n%s", errOut)
	}
}

// TestRefundRejected: the gateway refuses a refund beyond the paid amount:
// exit 3 with its message.
func TestRefundRejected(t *testing.T) {
	srv := kronortest.NewServer()
	defer srv.Close()
	id := paid(t, srv, "--amount", "10")
	_, errOut := start(t, env(srv), "refund", strconv.FormatInt(id, 10), "--amount", "11").wantExit(3, srv.MerchantToken())
	if !strings.Contains(errOut, "refund of payment") {
		t.Fatalf("stderr:\n%s", errOut)
	}
}
