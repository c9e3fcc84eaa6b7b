package main

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/sessions"
)

// rerunHint is the command the CLI prints after a temporary failure, to be
// run as it stands ("rerun kronor ..., which applies nothing twice").
var rerunHint = regexp.MustCompile(`rerun kronor (.+), which applies nothing twice`)

// hintedRerun returns the arguments of the rerun command printed in stderr.
func hintedRerun(t *testing.T, stderr string) []string {
	t.Helper()
	m := rerunHint.FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no rerun command in stderr:\n%s", stderr)
	}
	return shellWords(m[1])
}

// shellWords splits s into words as a POSIX shell does for words that are
// plain or single-quoted, the only quoting the command prints.
func shellWords(s string) []string {
	var words []string
	var w strings.Builder
	in, quoted := false, false
	for _, r := range s {
		switch {
		case quoted && r == '\'':
			quoted = false
		case quoted:
			w.WriteRune(r)
		case r == '\'':
			quoted, in = true, true
		case r == ' ':
			if in {
				words = append(words, w.String())
				w.Reset()
				in = false
			}
		default:
			w.WriteRune(r)
			in = true
		}
	}
	if in {
		words = append(words, w.String())
	}
	return words
}

// loseAnswer runs kronor with args (a capture or refund) while the gateway
// applies every mutation and loses its answer, wants exit 3, and returns
// stderr.
func loseAnswer(t *testing.T, srv *kronortest.Server, args ...string) string {
	t.Helper()
	srv.FailNext(1000, kronortest.FaultMutationsOnly(kronortest.FaultDropAfterCommit))
	_, errOut := start(t, env(srv), append([]string{"--timeout", "1s"}, args...)...).wantExit(exitGateway, srv.MerchantToken())
	srv.ClearFaults()
	return errOut
}

// rerunAppliesOnce runs the rerun command hinted in errOut and wants it to
// get the same object (what) back: count, the fake's number of them, stays 1.
func rerunAppliesOnce(t *testing.T, srv *kronortest.Server, errOut, what string, count func() int) {
	t.Helper()
	args := hintedRerun(t, errOut)
	_, out, errOut2 := kronor(t, env(srv), append(args, "--no-wait")...)
	if n := count(); n != 1 {
		t.Fatalf("%d %ss after the printed rerun", n, what)
	}
	if !strings.Contains(out, "registered") {
		t.Fatalf("the printed rerun (%q) did not return the %s:\nstdout:\n%s\nstderr:\n%s",
			strings.Join(args, " "), what, out, errOut2)
	}
}

// TestRefundRerunHintKeepsTheParameters: a refund with its own --message
// whose answer is lost (the gateway applied it) ends with exit 3 and a
// command to rerun "which applies nothing twice". Run as printed, that
// command must get the same refund back. It drops --message, so the gateway
// sees the printed key with other parameters.
func TestRefundRerunHintKeepsTheParameters(t *testing.T) {
	srv := kronortest.NewServer()
	defer srv.Close()
	id := paid(t, srv, "--amount", "100")

	errOut := loseAnswer(t, srv, "refund", strconv.FormatInt(id, 10), "--amount", "25", "--message", "Sorry", "--no-wait")
	refunds := func() int { return srv.Totals().Refunds }
	if n := refunds(); n != 1 {
		t.Fatalf("%d refunds after the lost answer, want 1 (the fake applied it)", n)
	}
	rerunAppliesOnce(t, srv, errOut, "refund", refunds)
}

// TestCaptureRerunHintKeepsTheParameters: the same for a capture with a
// --message (the text on the customer's statement).
func TestCaptureRerunHintKeepsTheParameters(t *testing.T) {
	srv := kronortest.NewServer()
	defer srv.Close()
	id := paid(t, srv, "--amount", "100", "--method", "card")

	errOut := loseAnswer(t, srv, "capture", strconv.FormatInt(id, 10), "--amount", "60", "--message", "First parcel", "--no-wait")
	rerunAppliesOnce(t, srv, errOut, "capture", func() int { return srv.Totals().Captures })
}

// TestCheckoutRerunHintKeepsTheParameters: a checkout with its own
// --return-url whose payment start loses its answer (the payment was
// started) prints a rerun command. Run as printed, it must resume that
// payment, not start a second one in the same session: the hint drops
// --return-url, and the gateway returns the pending payment only for the
// same method with the same parameters.
func TestCheckoutRerunHintKeepsTheParameters(t *testing.T) {
	srv := kronortest.NewServer()
	defer srv.Close()
	const ref = "order-rerun-1"
	// The session's mutation goes through; the payment's start is applied
	// and its answers lost until the call's time limit.
	srv.FailNext(1, kronortest.FaultMutationsOnly(kronortest.FaultLatency(0)))
	srv.FailNext(1000, kronortest.FaultMutationsOnly(kronortest.FaultDropAfterCommit))
	_, errOut := start(t, env(srv), "--timeout", "1s", "checkout", "--amount", "10", "--reference", ref,
		"--return-url", "https://shop.example/orders/"+ref).wantExit(exitGateway, srv.MerchantToken())
	srv.ClearFaults()
	if n := len(srv.PaymentRequests(ref)); n != 1 {
		t.Fatalf("%d payment requests after the lost answer, want 1\nstderr:\n%s", n, errOut)
	}
	args := hintedRerun(t, errOut)
	p := start(t, env(srv), args...)
	p.until(waitTokenLine)
	if reqs := srv.PaymentRequests(ref); len(reqs) != 1 {
		t.Fatalf("the printed rerun (%q) started a second payment for the order: %d payment requests, %+v",
			strings.Join(args, " "), len(reqs), reqs)
	}
}

// TestCheckoutRerunOfPaidOrderReportsDuplicate: a customer paid an order
// twice (Swish and a card, in two tabs of its session) while the checkout
// was not running (killed, or stopped with Ctrl-C). The rerun of the same
// checkout is told the order is paid; it must still check that it was
// charged once, as the checkout that follows the payment to its end does,
// and report the duplicate (exit 1), not "nothing charged" with exit 0.
func TestCheckoutRerunOfPaidOrderReportsDuplicate(t *testing.T) {
	srv := kronortest.NewServer()
	defer srv.Close()
	const ref = "order-paid-twice"
	ctx := context.Background()
	m := merchantClient(t, srv)
	check, err := sessions.CreateWithReferenceCheck(ctx, m, sessions.Params{Amount: 1000, Currency: sessions.CurrencySEK,
		Country: sessions.CountrySE, MerchantReference: ref, Message: "Kronor CLI checkout", ExpiresAt: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	sc := check.Client(m)
	r := payments.Redirect{ReturnURL: "https://example.com/"}
	swish, err := payments.Swish(ctx, sc, payments.SwishParams{Redirect: r})
	if err != nil {
		t.Fatal(err)
	}
	card, err := payments.CreditCard(ctx, sc, payments.CreditCardParams{Redirect: r})
	if err != nil {
		t.Fatal(err)
	}
	for _, wt := range []string{swish.WaitToken, card.WaitToken} {
		if err := srv.Approve(wt); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errOut := kronor(t, env(srv), "checkout", "--amount", "10", "--reference", ref)
	if code != exitFailed || !strings.Contains(out, "DUPLICATE") {
		t.Fatalf("exit %d, want 1 with the duplicate reported\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
}

// TestRerunHintRepeatsTheGlobalFlags: a refund run with the gateway and the
// time limit given as global flags (--url before the command, --timeout
// after it), and no $KRONOR_URL, loses its answer. The printed rerun repeats
// both, so that, run as printed with only the token in the environment, it
// reaches the same gateway and gets the same refund back. The hint says the
// token comes from the environment, and does not show it (wantExit).
func TestRerunHintRepeatsTheGlobalFlags(t *testing.T) {
	srv := kronortest.NewServer()
	defer srv.Close()
	id := paid(t, srv, "--amount", "100")
	onlyToken := map[string]string{envToken: srv.MerchantToken()}

	srv.FailNext(1000, kronortest.FaultMutationsOnly(kronortest.FaultDropAfterCommit))
	_, errOut := start(t, onlyToken, "--url", srv.URL(), "refund", strconv.FormatInt(id, 10), "--amount", "25",
		"--timeout", "1s", "--no-wait").wantExit(exitGateway, srv.MerchantToken())
	srv.ClearFaults()
	args := hintedRerun(t, errOut)
	joined := " " + strings.Join(args, " ") + " "
	for _, want := range []string{" --url " + srv.URL() + " ", " --timeout 1s "} {
		if !strings.Contains(joined, want) {
			t.Errorf("the printed rerun %q lacks %q", joined, want)
		}
	}
	if !strings.Contains(errOut, "with the token in $"+envToken) {
		t.Errorf("the hint does not say where the token comes from:\n%s", errOut)
	}
	code, out, errOut2 := kronor(t, onlyToken, args...)
	if n := srv.Totals().Refunds; n != 1 || code != exitOK || !strings.Contains(out, "registered") {
		t.Fatalf("the printed rerun %q: exit %d, %d refunds\nstdout:\n%s\nstderr:\n%s", joined, code, n, out, errOut2)
	}
}

// TestRerunHintLeavesOutASecretURL: a --url with a query (which may carry
// an API key) is not repeated in the printed rerun; the hint says to give
// the same --url instead. (The error line before the hint, the client's,
// still shows the URL: only the hint is checked here.)
func TestRerunHintLeavesOutASecretURL(t *testing.T) {
	srv := kronortest.NewServer()
	defer srv.Close()
	id := paid(t, srv, "--amount", "100")
	const secret = "s3cret-api-key"
	srv.FailNext(1000, kronortest.FaultMutationsOnly(kronortest.FaultDropAfterCommit))
	_, errOut := start(t, map[string]string{envToken: srv.MerchantToken()}, "--timeout", "1s", "--url", srv.URL()+"?key="+secret,
		"refund", strconv.FormatInt(id, 10), "--amount", "25", "--no-wait").wantExit(exitGateway, srv.MerchantToken())
	srv.ClearFaults()
	args := hintedRerun(t, errOut)
	hint := errOut[strings.Index(errOut, "rerun kronor"):]
	if slices.Contains(args, "--url") || strings.Contains(hint, secret) {
		t.Fatalf("the hint shows the --url that holds a secret:\n%s", hint)
	}
	if !slices.Contains(args, "--timeout") || !strings.Contains(hint, "give it the same --url, left out here as it may hold a secret") {
		t.Fatalf("the hint does not repeat the other globals, or does not say the --url is left out:\n%s", hint)
	}
}
