// Command cancel starts a Swish payment and cancels it while it waits for the
// customer, as a shop does when the customer abandons the checkout. Only a
// payment still WAITING_FOR_PAYMENT can be cancelled.
//
//	go run ./examples/cancel
//
// Without KRONOR_TOKEN it runs on the built-in fake gateway (which, here, never
// approves); see examples/checkout for the configuration.
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

func main() { demo.Main("cancel", run) }

func run(ctx context.Context, cfg demo.Config) error {
	// The customer never pays here: the fake gateway approves nothing for an hour.
	gw, steps, err := demo.Begin(cfg, time.Hour)
	if err != nil {
		return err
	}
	defer gw.Close()
	order := demo.OrderID()

	session, err := demo.NewSession(ctx, gw, steps, order, sessions.Params{Amount: 4900, Currency: sessions.CurrencySEK, Country: sessions.CountrySE})
	if err != nil {
		return err
	}
	steps.Step("Starting a Swish payment")
	started, err := payments.Swish(ctx, session, payments.SwishParams{
		Redirect:       payments.Redirect{ReturnURL: "https://shop.example/orders/" + order + "/done"},
		IdempotencyKey: client.DeriveIdempotencyKey(order, "swish", "1"),
	})
	if err != nil {
		return fmt.Errorf("start Swish payment: %w", err)
	}
	latest, err := payments.Latest(ctx, session)
	if err != nil {
		return fmt.Errorf("read payment: %w", err)
	}
	steps.Info("payment %s", latest.Status)

	steps.Step("The customer abandons the checkout: cancelling the payment")
	if _, err := payments.CancelSwish(ctx, session, payments.CancelSwishParams{WaitToken: started.WaitToken}); err != nil {
		return fmt.Errorf("cancel: %w", err)
	}
	w, err := subscriptions.NewWatcher(gw.Merchant)
	if err != nil {
		return err
	}
	defer w.Close()
	_, err = w.Wait(ctx, started.WaitToken)
	var ended *subscriptions.StatusError
	switch {
	case errors.Is(err, subscriptions.ErrCancelled) && errors.As(err, &ended):
		steps.Info("payment %s", ended.Request.Status)
	case err == nil:
		return errors.New("the payment was paid before it could be cancelled")
	default:
		return fmt.Errorf("payment %s: %w", started.WaitToken, err)
	}
	steps.Step("Cancelled: the customer was not charged; a new payment may be started in this session")
	return nil
}
