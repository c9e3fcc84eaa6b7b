// Command reference-check shows how newPaymentSessionWithReferenceCheck keeps a
// customer from paying twice for one order: the customer pays, comes back (a
// second tab, a retried checkout, a restarted service), and the second checkout
// for the same merchant reference learns the order is already paid instead of
// charging again.
//
//	go run ./examples/reference-check
//
// Without KRONOR_TOKEN it runs on the built-in fake gateway; see
// examples/checkout for the configuration.
package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/examples/internal/demo"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/sessions"
)

func main() { demo.Main("reference-check", run) }

func run(ctx context.Context, cfg demo.Config) error {
	gw, steps, err := demo.Begin(cfg, time.Second)
	if err != nil {
		return err
	}
	defer gw.Close()
	order := demo.OrderID()
	params := sessions.Params{
		Amount: 12900, Currency: sessions.CurrencySEK, Country: sessions.CountrySE,
		MerchantReference: order, Message: sessions.Message("Order " + order), ExpiresAt: time.Now().Add(time.Hour),
	}

	steps.Step("Checkout for order %s, %s: session with reference check", order, demo.Amount(params.Amount, params.Currency))
	first, err := sessions.CreateWithReferenceCheck(ctx, gw.Merchant, params)
	if err != nil {
		return fmt.Errorf("first checkout: %w", err)
	}
	steps.Info("no earlier payment for this reference: paying")
	started, err := payments.Swish(ctx, first.Client(gw.Merchant), payments.SwishParams{
		Redirect:       payments.Redirect{ReturnURL: "https://shop.example/orders/" + order + "/done"},
		IdempotencyKey: client.DeriveIdempotencyKey(order, "swish", "1"),
	})
	if err != nil {
		return fmt.Errorf("start Swish payment: %w", err)
	}
	steps.Info("%s", gw.Customer("approve the payment in Swish"))
	req, err := demo.Follow(ctx, gw, steps, started.WaitToken)
	if err != nil {
		return err
	}
	if req.Status != payments.StatusPaid {
		return fmt.Errorf("payment ended %s, not PAID", req.Status)
	}

	steps.Step("The customer checks out order %s again", order)
	// A new idempotency key: this is a second, separate checkout attempt.
	second, err := sessions.CreateWithReferenceCheck(ctx, gw.Merchant, params)
	if err != nil {
		return fmt.Errorf("second checkout: %w", err)
	}
	if !second.AlreadyPaid() {
		return errors.New("the gateway reported no earlier payment: the customer would pay twice")
	}
	steps.Info("already paid: payment id %d, transaction %s", second.PaymentID, second.PaymentTransactionID)
	steps.Step("No second payment started; the order is shown as paid")
	return nil
}
