package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/kronor-io/kronor-go/examples/internal/demo"
	"github.com/kronor-io/kronor-go/kronortest"
)

func TestMain(m *testing.M) {
	if os.Getenv(asMain) == "1" {
		main() // the crash tests' separate process (crash_test.go)
		os.Exit(0)
	}
	goleak.VerifyTestMain(m)
}

func TestCheckoutPaysOnTheFake(t *testing.T) {
	// The customer pays a second after the start: long enough, even on a
	// busy machine, for the checkout page's step to show the QR code and
	// the app link before the payment ends.
	srv, out, err := demo.RunOnFake(t, run, kronortest.WithAutoApprove(time.Second))
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	for _, want := range []string{"100.00 SEK", "QR code to scan with Swish on another device: ", "\"Open Swish\" button on this device: swish://", "WAITING_FOR_PAYMENT", "PAID", "Paid: 100.00 SEK, payment id"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// Exactly one of everything: nothing was created twice.
	if got, want := srv.Totals(), (kronortest.Counts{Sessions: 1, PaymentRequests: 1, Payments: 1}); got != want {
		t.Errorf("fake holds %+v, want %+v", got, want)
	}
}

// TestCheckoutAgainstAConfiguredGateway runs the configured path (KRONOR_TOKEN,
// KRONOR_URL) against a fake standing in for Kronor.
func TestCheckoutAgainstAConfiguredGateway(t *testing.T) {
	srv := kronortest.NewServer(kronortest.WithAutoApprove(5 * time.Millisecond))
	defer srv.Close()
	env := map[string]string{demo.EnvToken: srv.MerchantToken(), demo.EnvURL: srv.URL()}
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := run(ctx, demo.Config{Getenv: func(k string) string { return env[k] }, Out: &out}); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "the gateway at "+srv.URL()) || !strings.Contains(out.String(), "PAID") {
		t.Errorf("output:\n%s", out.String())
	}
	if got := srv.Totals().Payments; got != 1 {
		t.Errorf("payments on the gateway: %d, want 1", got)
	}
}

// TestCheckoutFailsWhenDeclined declines the payment as soon as it is started
// (the wait token is read off the gateway's answer through a proxy) and expects
// run to fail, saying why.
func TestCheckoutFailsWhenDeclined(t *testing.T) {
	srv := kronortest.NewServer() // no automatic approval
	defer srv.Close()
	target, _ := url.Parse(srv.URL())
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: target.Scheme, Host: target.Host})
	proxy.ModifyResponse = func(r *http.Response) error {
		if r.StatusCode != http.StatusOK || r.Request.Method != http.MethodPost {
			return nil
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return err
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		var resp struct {
			Data struct {
				NewSwishPayment *struct{ WaitToken string } `json:"newSwishPayment"`
			} `json:"data"`
		}
		if json.Unmarshal(body, &resp) == nil && resp.Data.NewSwishPayment != nil {
			if err := srv.Decline(resp.Data.NewSwishPayment.WaitToken); err != nil {
				t.Errorf("decline: %v", err)
			}
		}
		return nil
	}
	front := httptest.NewServer(proxy)
	defer front.Close()

	env := map[string]string{demo.EnvToken: srv.MerchantToken(), demo.EnvURL: front.URL + target.Path}
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := run(ctx, demo.Config{Getenv: func(k string) string { return env[k] }, Out: &out})
	if err == nil || !strings.Contains(err.Error(), "DECLINED") {
		t.Fatalf("run: got %v, want an error saying the payment was DECLINED\n%s", err, out.String())
	}
}
