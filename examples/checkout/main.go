// Command checkout walks one payment from start to end: it creates a payment
// session with the merchant token, starts a Swish payment with the session's
// token, follows the payment with the watcher, printing each status as it
// happens, and prints the resulting payment id.
//
// With no configuration it runs against the built-in fake gateway, which
// approves the payment after a moment, so it needs no account and no network:
//
//	go run ./examples/checkout
//
// With KRONOR_TOKEN set (a merchant API token) it runs against Kronor staging
// (KRONOR_ENV=production for production, or KRONOR_URL for any endpoint) and
// waits for you to approve the payment in the Swish test app.
//
// It exits 0 when the payment is PAID, and 1 with the reason otherwise.
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
	"github.com/kronor-io/kronor-go/subscriptions"
)

func main() { demo.Main("checkout", run) }

// run is the whole example; main only wires it to the process.
func run(ctx context.Context, cfg demo.Config) error {
	gw, steps, err := demo.Begin(cfg, time.Second)
	if err != nil {
		return err
	}
	defer gw.Close()

	const amount, currency = 10000, sessions.CurrencySEK
	order := demo.OrderID()
	steps.Step("Creating a payment session for %s, order %s", demo.Amount(amount, string(currency)), order)
	session, err := sessions.Create(ctx, gw.Merchant, sessions.Params{
		Amount:            amount,
		Currency:          currency,
		Country:           sessions.CountrySE,
		MerchantReference: order,
		Message:           "Order " + order,
		ExpiresAt:         time.Now().Add(time.Hour),
		// Derived from the order: rerunning this step after a crash returns
		// the same session instead of creating a second one.
		IdempotencyKey: client.DeriveIdempotencyKey(order, "session"),
	})
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	steps.Info("session created; its token runs the payment calls")
	customer := session.Client(gw.Merchant)

	steps.Step("Starting a Swish payment with the session's token")
	started, err := payments.Swish(ctx, customer, payments.SwishParams{
		Redirect: payments.Redirect{
			ReturnURL:      "https://shop.example/orders/" + order + "/done",
			IdempotencyKey: client.DeriveIdempotencyKey(order, "swish", "1"),
		},
	})
	if err != nil {
		return fmt.Errorf("start Swish payment: %w", err)
	}
	steps.Info("wait token %s", started.WaitToken)
	steps.Info("%s", gw.Customer("approve the payment in Swish"))

	steps.Step("Waiting for the payment, status by status")
	watcher, err := subscriptions.NewWatcher(gw.Merchant)
	if err != nil {
		return err
	}
	defer watcher.Close()
	var last payments.Request
	for req, err := range watcher.Watch(ctx, started.WaitToken) {
		if err != nil {
			return fmt.Errorf("payment %s: %w", started.WaitToken, err)
		}
		steps.Info("%-20s at %s", req.Status, req.StatusEnteredAt.Local().Format(time.TimeOnly))
		last = req
	}
	if last.Status != payments.StatusPaid {
		return fmt.Errorf("payment ended %s, not PAID", last.Status)
	}

	steps.Step("Paid: %s, payment id %d", demo.Amount(last.Amount, last.Currency), last.ResultingPaymentID)
	if last.ResultingPaymentID == 0 {
		return errors.New("the gateway reported PAID without a payment id")
	}
	return nil
}
