// Command card-capture-refund walks the life of a card payment: the customer's
// card is authorized, the merchant captures part of it when the first parcel
// ships and waits for the capture to be done, then refunds part of what was
// captured and waits for the money to be back with the customer. Both waits
// are pushed over the merchant watcher's websocket: nothing polls.
//
//	go run ./examples/card-capture-refund
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
	"github.com/kronor-io/kronor-go/refunds"
	"github.com/kronor-io/kronor-go/sessions"
	"github.com/kronor-io/kronor-go/subscriptions"
)

func main() { demo.Main("card-capture-refund", run) }

func run(ctx context.Context, cfg demo.Config) error {
	gw, steps, err := demo.Begin(cfg, time.Second)
	if err != nil {
		return err
	}
	defer gw.Close()
	order := demo.OrderID()
	const total, captured, refunded = 50000, 30000, 10000
	const currency = "SEK"

	session, err := demo.NewSession(ctx, gw, steps, order, sessions.Params{Amount: total, Currency: sessions.CurrencySEK, Country: sessions.CountrySE})
	if err != nil {
		return err
	}
	req, err := demo.AuthorizeCard(ctx, gw, steps, session, order)
	if err != nil {
		return err
	}
	paymentID := req.ResultingPaymentID
	steps.Info("%s reserved on the card, payment id %d", demo.Amount(req.Amount, req.Currency), paymentID)

	// One watcher of the merchant token follows the capture and the refund,
	// over one websocket.
	w, err := subscriptions.NewMerchantWatcher(gw.Merchant)
	if err != nil {
		return err
	}
	defer w.Close()

	steps.Step("Capturing %s of it: the first parcel ships", demo.Amount(captured, currency))
	receipt, err := captures.Create(ctx, gw.Merchant, captures.Params{
		Amount: captured, PaymentID: paymentID, Message: "First parcel",
		IdempotencyKey: client.DeriveIdempotencyKey(order, "capture", "1"),
	})
	if err != nil {
		return fmt.Errorf("capture: %w", err)
	}
	steps.Info("capture %d registered; waiting for it to be done", receipt.ID)
	capture, err := w.WaitCapture(ctx, receipt.ID)
	if err != nil {
		// A *subscriptions.CaptureError says how it failed: declined (collect
		// the amount by other means), cooldown (capture again at RetryAt) or
		// an error.
		return fmt.Errorf("capture %d: %w", receipt.ID, err)
	}
	steps.Info("capture %d: %s", capture.ID, capture.Status)
	payment, err := payments.Get(ctx, gw.Merchant, paymentID)
	if err != nil {
		return fmt.Errorf("read payment: %w", err)
	}
	steps.Info("payment is %s: %s paid of %s authorized", payment.Status,
		demo.Amount(payment.AmountPaid, payment.Currency), demo.Amount(payment.AmountAuthorized, payment.Currency))

	steps.Step("Refunding %s: the customer returned an item", demo.Amount(refunded, currency))
	refund, err := refunds.Create(ctx, gw.Merchant, refunds.Params{
		Amount: refunded, PaymentID: paymentID, Message: "Returned item",
		IdempotencyKey: client.DeriveIdempotencyKey(order, "refund", "1"),
	})
	if err != nil {
		return fmt.Errorf("refund: %w", err)
	}
	steps.Info("refund %s registered; waiting for the money to reach the customer", refund.WaitToken)
	r, err := w.WaitRefund(ctx, refund.WaitToken)
	if err != nil {
		// A *subscriptions.RefundError: failed, or ambiguous (Kronor resolves
		// it by hand: do not refund again).
		return fmt.Errorf("refund %s: %w", refund.WaitToken, err)
	}
	steps.Info("refund of %s: %s", demo.Amount(r.Amount, currency), r.Status)
	steps.Step("Done: captured %s, refunded %s", demo.Amount(captured, currency), demo.Amount(refunded, currency))
	return nil
}
