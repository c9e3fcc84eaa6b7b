// Command release authorizes a card payment and then releases the reservation
// instead of capturing it, as a merchant does when an order is cancelled before
// it ships. An authorized payment cannot be refunded: it is released, in full.
//
//	go run ./examples/release
//
// Without KRONOR_TOKEN it runs on the built-in fake gateway; see
// examples/checkout for the configuration.
package main

import (
	"context"
	"fmt"
	"time"

	"github.com/kronor-io/kronor-go/captures"
	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/examples/internal/demo"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/sessions"
	"github.com/kronor-io/kronor-go/subscriptions"
)

func main() { demo.Main("release", run) }

func run(ctx context.Context, cfg demo.Config) error {
	gw, steps, err := demo.Begin(cfg, time.Second)
	if err != nil {
		return err
	}
	defer gw.Close()
	order := demo.OrderID()

	session, err := demo.NewSession(ctx, gw, steps, order, sessions.Params{Amount: 25000, Currency: sessions.CurrencySEK, Country: sessions.CountrySE})
	if err != nil {
		return err
	}
	req, err := demo.AuthorizeCard(ctx, gw, steps, session, order)
	if err != nil {
		return err
	}

	steps.Step("The order is cancelled: releasing the whole %s", demo.Amount(req.Amount, req.Currency))
	receipt, err := captures.Release(ctx, gw.Merchant, captures.ReleaseParams{
		Amount: req.Amount, PaymentID: req.ResultingPaymentID,
		IdempotencyKey: client.DeriveIdempotencyKey(order, "release"),
	})
	if err != nil {
		return fmt.Errorf("release: %w", err)
	}
	w, err := subscriptions.NewMerchantWatcher(gw.Merchant)
	if err != nil {
		return err
	}
	defer w.Close()
	steps.Info("release %d registered; waiting for it to be done", receipt.ID)
	rel, err := w.WaitRelease(ctx, receipt.ID)
	if err != nil {
		// A *subscriptions.ReleaseError: failed, or ambiguous (Kronor
		// resolves it by hand: do not release again).
		return fmt.Errorf("release %d: %w", receipt.ID, err)
	}
	for _, change := range rel.StatusHistory {
		steps.Info("release %s", change.Status)
	}
	payment, err := payments.Get(ctx, gw.Merchant, req.ResultingPaymentID)
	if err != nil {
		return fmt.Errorf("read payment: %w", err)
	}
	steps.Step("Released: payment %d is %s, nothing was charged", payment.ID, payment.Status)
	return nil
}
