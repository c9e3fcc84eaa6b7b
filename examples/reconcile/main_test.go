package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/kronor-io/kronor-go/examples/internal/demo"
	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/payments"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestReconcileOnTheFake: of three days of payments only yesterday's are
// listed, and the listing's sums agree with the gateway's totals.
func TestReconcileOnTheFake(t *testing.T) {
	srv, out, err := demo.RunOnFake(t, run)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	yesterday := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -1).Format(time.DateOnly)
	for _, want := range []string{
		"payments of " + yesterday,
		"   7 payments\n",
		"SEK CREDIT_CARD   2 payments, paid 499.00 SEK, authorized 300.00 SEK, refunded 99.00 SEK (1 refunds)",
		"SEK 4 payments, paid 703.00 SEK, authorized 300.00 SEK, refunded 178.00 SEK (2 refunds): matches the listing",
		"EUR 1 payments, paid 45.00 EUR, authorized 0.00 EUR, refunded 15.00 EUR (1 refunds): matches the listing",
		"refund 99.00 SEK PAID",
		"Checkpoint: " + yesterday + "T20:00:00Z/",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "DIFFERS") || strings.Count(out, "   #") != 7 {
		t.Errorf("output:\n%s", out)
	}
	if got := srv.Totals().Payments; got < 14 {
		t.Errorf("the fake holds %d payments, want at least two full days", got)
	}
}

// TestReconcileResumesOnAConfiguredGateway runs the configured path
// (KRONOR_TOKEN, KRONOR_URL) against a fake standing in for Kronor, resuming
// after the first of yesterday's payments.
func TestReconcileResumesOnAConfiguredGateway(t *testing.T) {
	srv := kronortest.NewServer()
	defer srv.Close()
	y := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -1)
	ids, err := srv.AddPayments(
		kronortest.StoredPayment{CreatedAt: y.Add(time.Hour), Amount: 1000},
		kronortest.StoredPayment{CreatedAt: y.Add(2 * time.Hour), Amount: 2000},
		kronortest.StoredPayment{CreatedAt: y.Add(3 * time.Hour), Amount: 3000, Refunded: 500},
		kronortest.StoredPayment{CreatedAt: y.Add(-time.Hour), Amount: 9000}, // the day before
	)
	if err != nil {
		t.Fatal(err)
	}
	after := payments.Cursor{CreatedAt: y.Add(time.Hour), ID: ids[0]}
	env := map[string]string{demo.EnvToken: srv.MerchantToken(), demo.EnvURL: srv.URL(), EnvAfter: after.String()}
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := run(ctx, demo.Config{Getenv: func(k string) string { return env[k] }, Out: &out}); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	for _, want := range []string{
		"the gateway at " + srv.URL(), "Resuming after " + after.String(), "   2 payments\n",
		"SEK 2 payments, paid 50.00 SEK, authorized 0.00 SEK, refunded 5.00 SEK (1 refunds): matches the listing",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "Filling") {
		t.Errorf("filled a configured gateway:\n%s", out.String())
	}

	env[EnvAfter] = "yesterday"
	out.Reset()
	if err := run(ctx, demo.Config{Getenv: func(k string) string { return env[k] }, Out: &out}); err == nil || !strings.Contains(err.Error(), EnvAfter) {
		t.Errorf("a bad checkpoint: %v", err)
	}
}
