package subscriptions_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/subscriptions"
)

// TestWaitDoesNotHideAnUncheckedDuplicate: an order paid twice (Swish and a
// card in two tabs of one session), and the read of the order's charges
// after the payment fails (the gateway answers 503 until the client gives
// up). Wait must not report a clean single charge that it could not check:
// it returns the paid request with a *ChargeCheckError, which says the
// order is paid and is to be checked again; another Wait, once the gateway
// answers, reports the duplicate.
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
	var ce *subscriptions.ChargeCheckError
	if !errors.As(err, &ce) || !errors.Is(err, subscriptions.ErrChargeUnchecked) || !errors.Is(err, client.ErrTemporary) {
		t.Fatalf("Wait's error %v; want a *ChargeCheckError matching ErrChargeUnchecked and the read's client.ErrTemporary", err)
	}
	if ce.Request.WaitToken != swish || ce.Request.Status != payments.StatusPaid {
		t.Fatalf("the error carries %+v, want the paid request", ce.Request)
	}
	if errors.Is(err, subscriptions.ErrDuplicateCharge) {
		t.Fatalf("an unchecked order reported as a duplicate: %v", err)
	}
	for _, want := range []string{swish, "PAID", "payments.Charges"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error %q does not say %q", err, want)
		}
	}

	// Checked again once the gateway answers: the duplicate.
	_, err = w.Wait(ctx, swish)
	var dup *subscriptions.DuplicateChargeError
	if !errors.As(err, &dup) || len(dup.Charges) != 2 {
		t.Fatalf("second Wait: %v, want a *DuplicateChargeError with 2 charges", err)
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
