package main

import (
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/kronor-io/kronor-go/examples/internal/demo"
	"github.com/kronor-io/kronor-go/kronortest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestBankTransferOnTheFake(t *testing.T) {
	srv, out, err := demo.RunOnFake(t, run)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	for _, want := range []string{"FLOW_COMPLETED", "ACCEPTED", "payment PAID", "ship the order"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if got, want := srv.Totals(), (kronortest.Counts{Sessions: 1, PaymentRequests: 1, Payments: 1}); got != want {
		t.Errorf("fake holds %+v, want %+v", got, want)
	}
}
