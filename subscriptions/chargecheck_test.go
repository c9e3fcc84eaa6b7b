package subscriptions_test

import (
	"context"
	"errors"
	"testing"

	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/subscriptions"
)

// TestWaitDoesNotHideAnUncheckedDuplicate: an order paid twice (Swish and a
// card in two tabs of one session), and the read of the order's charges
// after the payment fails (the gateway answers 503 until the client gives
// up). Wait returns the payment with no error: the quick start prints
// "paid" and ships, and the second charge is never reported. The only trace
// is a warning on the watcher's logger, which is off by default. Wait must
// not report a clean single charge that it could not check: it must return
// an error (a duplicate, or that the check failed).
func TestWaitDoesNotHideAnUncheckedDuplicate(t *testing.T) {
	g := newGateway(t)
	ctx := context.Background()
	sc, swish := g.swish(t)
	card, err := payments.CreditCard(ctx, sc, payments.CreditCardParams{Redirect: payments.Redirect{ReturnURL: returnURL}})
	if err != nil {
		t.Fatal(err)
	}
	for _, wt := range []string{swish, card.WaitToken} {
		if err := g.srv.Approve(wt); err != nil {
			t.Fatal(err)
		}
	}
	if charges, err := payments.Charges(ctx, g.merchant, refOf(t, g, swish)); err != nil || len(charges) != 2 {
		t.Fatalf("the order's charges: %d, %v; want 2", len(charges), err)
	}

	w := watcher(t, g.merchant, fast()...)
	// Wait's first read goes through (the payment is PAID already); the
	// charge check's read fails on every attempt.
	g.srv.FailNext(1, kronortest.FaultLatency(0))
	g.srv.FailNext(1000, kronortest.FaultHTTP503)
	req, err := w.Wait(ctx, swish)
	g.srv.ClearFaults()
	if req.Status != payments.StatusPaid {
		t.Fatalf("Wait returned %s, %v; want the PAID request", req.Status, err)
	}
	if err == nil {
		t.Fatal("Wait returned a paid order with no error although it could not check the order's other charges (there is a second one)")
	}
	if !errors.Is(err, subscriptions.ErrDuplicateCharge) {
		t.Logf("Wait's error: %v", err)
	}
}

// refOf returns the merchant reference of the payment request wt.
func refOf(t *testing.T, g *gateway, wt string) string {
	t.Helper()
	r, err := payments.RequestDetails(context.Background(), g.merchant, wt)
	if err != nil {
		t.Fatal(err)
	}
	return r.Reference
}
