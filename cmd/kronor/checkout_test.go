package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/kronor-io/kronor-go/kronortest"
)

var (
	waitTokenLine = regexp.MustCompile(`wait token ([0-9a-f-]{36})`)
	waitingLine   = regexp.MustCompile(`^\s+WAITING_FOR_PAYMENT\s`)
)

// qrDrawing returns the QR code drawn in a checkout's output: the lines
// between the Swish step and the wait.
func qrDrawing(t *testing.T, out string) string {
	t.Helper()
	_, rest, ok := strings.Cut(out, "scan this QR code with the Swish app:\n")
	if !ok {
		t.Fatalf("no QR code in:\n%s", out)
	}
	drawing, _, ok := strings.Cut(rest, "Waiting for the payment")
	if !ok {
		t.Fatalf("no end of the QR code in:\n%s", out)
	}
	return drawing
}

// TestCheckoutPaid pays a Swish checkout through the fake's controls, as the
// customer would: the command prints the QR code and the wait token, and each
// status until PAID, and exits 0. The drawn code decodes to the Swish data the
// gateway gives for the payment (read by a rerun of the same order with
// --json, which resumes the same payment instead of starting another).
func TestCheckoutPaid(t *testing.T) {
	srv := kronortest.NewServer()
	defer srv.Close()
	vars := env(srv)

	p := start(t, vars, "checkout", "--amount", "100,56", "--currency", "sek", "--method", "swish", "--reference", "order-1")
	wt := p.until(waitTokenLine)[1]
	p.until(waitingLine)

	rerun := start(t, vars, "--json", "checkout", "--amount", "100.56", "--reference", "order-1")
	var payment struct {
		Type, WaitToken, SwishQRCode string
		Amount                       int64
	}
	line := rerun.until(regexp.MustCompile(`^\{.*"type":"payment".*\}$`))[0]
	if err := json.Unmarshal([]byte(line), &payment); err != nil {
		t.Fatalf("%v: %s", err, line)
	}
	if payment.WaitToken != wt || payment.Amount != 10056 || payment.SwishQRCode == "" {
		t.Fatalf("the rerun reported %+v, want the payment %s of 10056 with its Swish QR data", payment, wt)
	}

	if err := srv.Approve(wt); err != nil {
		t.Fatal(err)
	}
	out, _ := p.wantExit(0, srv.MerchantToken())
	for _, want := range []string{"Order:     order-1, 100.56 SEK", "Payment:   SWISH, wait token " + wt, "WAITING_FOR_PAYMENT", "  PAID ", "Paid: 100.56 SEK, payment id "} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q:\n%s", want, out)
		}
	}
	got, err := decodeQR(t, terminalImage(t, qrDrawing(t, out), light, dark, 4))
	if err != nil || got != payment.SwishQRCode {
		t.Errorf("the drawn QR code decodes to %q (%v), want the gateway's Swish data %q", got, err, payment.SwishQRCode)
	}

	jsonOut, _ := rerun.wantExit(0, srv.MerchantToken())
	var statuses []string
	for _, l := range strings.Split(strings.TrimSpace(jsonOut), "\n") {
		var ev struct{ Type, Status string }
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			t.Fatalf("--json printed a line that is not JSON: %q", l)
		}
		if ev.Type == "status" {
			statuses = append(statuses, ev.Status)
		}
	}
	if len(statuses) == 0 || statuses[len(statuses)-1] != "PAID" {
		t.Errorf("--json statuses %v, want them to end PAID", statuses)
	}
	if c := srv.Counts("order-1"); c.Sessions != 1 || c.PaymentRequests != 1 || c.Payments != 1 {
		t.Errorf("two runs for one order made %+v, want one session, payment request and payment", c)
	}

	// A third run for the paid order charges nothing.
	code, out, _ := kronor(t, vars, "checkout", "--amount", "100.56", "--reference", "order-1")
	if code != 0 || !strings.Contains(out, "Already paid") {
		t.Errorf("checkout of a paid order: exit %d\n%s", code, out)
	}
	if c := srv.Counts("order-1"); c.PaymentRequests != 1 {
		t.Errorf("after the paid order's checkout: %+v", c)
	}
}

// TestCheckoutDeclined: the customer declines; exit 1 with the reason.
func TestCheckoutDeclined(t *testing.T) {
	srv := kronortest.NewServer()
	defer srv.Close()
	p := start(t, env(srv), "checkout", "--amount", "25", "--method", "card")
	wt := p.until(waitTokenLine)[1]
	p.until(regexp.MustCompile(`Next step: open http://127\.0\.0\.1:\d+/pay/card/` + wt))
	p.until(waitingLine)
	if err := srv.Decline(wt); err != nil {
		t.Fatal(err)
	}
	out, errOut := p.wantExit(1, srv.MerchantToken())
	if !strings.Contains(out, "DECLINED") || !strings.Contains(errOut, "payment "+wt+" ended DECLINED") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", out, errOut)
	}
}

// TestCheckoutMethods starts every method in a session that meets its
// preconditions; the fake approves each, and the checkout ends 0 with the
// method's end status (AUTHORIZED for a card).
func TestCheckoutMethods(t *testing.T) {
	srv := kronortest.NewServer(kronortest.WithAutoApprove(1)) // at once
	defer srv.Close()
	for _, tc := range []struct{ method, currency, end string }{
		{"swish", "SEK", "Paid: 10.00 SEK"},
		{"card", "EUR", "Authorized: 10.00 EUR"},
		{"mobilepay", "DKK", "Paid: 10.00 DKK"},
		{"vipps", "NOK", "Paid: 10.00 NOK"},
		{"p24", "PLN", "Paid: 10.00 PLN"},
		{"banktransfer", "SEK", "Paid: 10.00 SEK"},
		{"paypal", "SEK", "Paid: 10.00 SEK"},
	} {
		t.Run(tc.method, func(t *testing.T) {
			p := start(t, env(srv), "checkout", "--amount", "10", "--currency", tc.currency, "--method", tc.method)
			out, _ := p.wantExit(0, srv.MerchantToken())
			if !strings.Contains(out, tc.end) {
				t.Errorf("want %q in:\n%s", tc.end, out)
			}
			if tc.method != "swish" && !strings.Contains(out, "Next step: open http") {
				t.Errorf("no payment URL in:\n%s", out)
			}
		})
	}
}

// TestCheckoutInterrupted: Ctrl-C while waiting stops the command cleanly
// (exit 130, the way to follow the payment on, no goroutine left: TestMain
// checks), and leaves the payment as it was.
func TestCheckoutInterrupted(t *testing.T) {
	srv := kronortest.NewServer()
	defer srv.Close()
	p := start(t, env(srv), "checkout", "--amount", "5")
	wt := p.until(waitTokenLine)[1]
	p.until(waitingLine)
	p.cancel()
	_, errOut := p.wantExit(exitInterrupted, srv.MerchantToken())
	if !strings.Contains(errOut, "kronor watch "+wt) {
		t.Errorf("stderr:\n%s", errOut)
	}
	if st, err := srv.PaymentRequestStatus(wt); err != nil || st != "WAITING_FOR_PAYMENT" {
		t.Errorf("after Ctrl-C the payment is %s (%v)", st, err)
	}
}
