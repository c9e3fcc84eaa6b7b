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
	"os"
	"os/signal"
	"time"

	"github.com/kronor-io/kronor-go/captures"
	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/examples/internal/demo"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/sessions"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, demo.Config{Getenv: os.Getenv, Out: os.Stdout}); err != nil {
		fmt.Fprintln(os.Stderr, "release failed:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cfg demo.Config) error {
	gw, err := demo.Open(cfg, time.Second)
	if err != nil {
		return err
	}
	defer gw.Close()
	fmt.Fprintf(cfg.Out, "Running against %s.\n", gw.Name)
	steps := demo.NewSteps(cfg.Out)
	order := demo.OrderID()

	session, err := demo.NewSession(ctx, gw, steps, order, sessions.Params{Amount: 25000, Currency: sessions.CurrencySEK, Country: sessions.CountrySE})
	if err != nil {
		return err
	}
	steps.Step("Starting a card payment")
	started, err := payments.CreditCard(ctx, session, payments.CreditCardParams{Redirect: payments.Redirect{
		ReturnURL:      "https://shop.example/orders/" + order + "/done",
		IdempotencyKey: client.DeriveIdempotencyKey(order, "card", "1"),
	}})
	if err != nil {
		return fmt.Errorf("start card payment: %w", err)
	}
	demo.ShowPaymentPage(ctx, gw, steps, session, "enter the card details")
	req, err := demo.Follow(ctx, gw, steps, started.WaitToken)
	if err != nil {
		return err
	}
	if req.Status != payments.StatusAuthorized {
		return fmt.Errorf("payment ended %s, not AUTHORIZED", req.Status)
	}

	steps.Step("The order is cancelled: releasing the whole %s", demo.Amount(req.Amount, req.Currency))
	receipt, err := captures.Release(ctx, gw.Merchant, captures.ReleaseParams{
		Amount: req.Amount, PaymentID: req.ResultingPaymentID,
		IdempotencyKey: client.DeriveIdempotencyKey(order, "release"),
	})
	if err != nil {
		return fmt.Errorf("release: %w", err)
	}
	rel, err := demo.Until(ctx, demo.PollInterval, demo.PollTimeout,
		func(ctx context.Context) (*captures.TransactionRelease, error) {
			return captures.GetRelease(ctx, gw.Merchant, receipt.ID)
		},
		func(r *captures.TransactionRelease) bool { return r.Status.Final() })
	if err != nil {
		return fmt.Errorf("release %d: %w", receipt.ID, err)
	}
	for _, change := range rel.StatusHistory {
		steps.Info("release %s", change.Status)
	}
	if !rel.Status.Succeeded() {
		return fmt.Errorf("release ended %s", rel.Status)
	}
	payment, err := payments.Get(ctx, gw.Merchant, req.ResultingPaymentID)
	if err != nil {
		return fmt.Errorf("read payment: %w", err)
	}
	steps.Step("Released: payment %d is %s, nothing was charged", payment.ID, payment.Status)
	return nil
}
