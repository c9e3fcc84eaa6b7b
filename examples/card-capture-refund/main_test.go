package main

import (
	"context"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/kronor-io/kronor-go/examples/internal/demo"
	"github.com/kronor-io/kronor-go/kronortest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestCardCaptureRefundOnTheFake(t *testing.T) {
	srv, out, err := demo.RunOnFake(t, run)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	for _, want := range []string{"AUTHORIZED", "CAPTURE_DONE", "PARTIALLY_CAPTURED: 300.00 SEK paid of 500.00 SEK authorized", "refund of 100.00 SEK: PAID"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if got, want := srv.Totals(), (kronortest.Counts{Sessions: 1, PaymentRequests: 1, Payments: 1, Captures: 1, Refunds: 1}); got != want {
		t.Errorf("fake holds %+v, want %+v", got, want)
	}
}

func TestCardCaptureRefundReportsADeclinedCapture(t *testing.T) {
	_, out, err := demo.RunOnFake(t, func(ctx context.Context, cfg demo.Config) error {
		cfg.Fake.ScriptCapture(kronortest.OutcomeDeclined)
		return run(ctx, cfg)
	})
	if err == nil || !strings.Contains(err.Error(), "CAPTURE_DECLINED") {
		t.Fatalf("run: got %v, want the capture's CAPTURE_DECLINED\n%s", err, out)
	}
}
