// Command bank-transfer pays by bank transfer and follows the payment through
// its own steps: FLOW_COMPLETED (the customer finished at the bank),
// ACCEPTED (the bank debited the money) and PAID. Ship only on PAID.
//
//	go run ./examples/bank-transfer
//
// Without KRONOR_TOKEN it runs on the built-in fake gateway; see
// examples/checkout for the configuration.
package main

import (
	"context"
	"fmt"
	"time"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/examples/internal/demo"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/sessions"
)

func main() { demo.Main("bank-transfer", run) }

func run(ctx context.Context, cfg demo.Config) error {
	gw, steps, err := demo.Begin(cfg, time.Second)
	if err != nil {
		return err
	}
	defer gw.Close()
	order := demo.OrderID()

	session, err := demo.NewSession(ctx, gw, steps, order, sessions.Params{Amount: 149500, Currency: sessions.CurrencySEK, Country: sessions.CountrySE})
	if err != nil {
		return err
	}
	steps.Step("Starting a bank transfer")
	started, err := payments.BankTransfer(ctx, session, payments.BankTransferParams{
		Redirect:       payments.Redirect{ReturnURL: "https://shop.example/orders/" + order + "/done"},
		IdempotencyKey: client.DeriveIdempotencyKey(order, "bank-transfer", "1"),
	})
	if err != nil {
		return fmt.Errorf("start bank transfer: %w", err)
	}
	demo.ShowPaymentPage(ctx, gw, steps, session, "log in at the bank and confirm")
	req, err := demo.Follow(ctx, gw, steps, started.WaitToken)
	if err != nil {
		return err
	}
	if req.Status != payments.StatusPaid {
		return fmt.Errorf("payment ended %s, not PAID", req.Status)
	}
	steps.Step("Paid by bank transfer: %s, payment id %d; ship the order", demo.Amount(req.Amount, req.Currency), req.ResultingPaymentID)
	return nil
}
