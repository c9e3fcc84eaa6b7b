// Command checkout walks one payment from start to end with the SDK's
// crash-safe recipe: it creates (or finds) the order's payment session with
// the reference check, starts a Swish payment with the session's token (or
// resumes the one already started), prints what the checkout page shows the
// customer (the Swish QR code's data and the app link, as soon as the
// gateway has them), follows the payment with the watcher, printing each
// status as it happens, and checks that the order was charged once.
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
// -order REF names the order (its merchant reference); by default every run
// is a fresh order. Run it again with the same -order, after it finished or
// after it was killed at any point, and it resumes the same payment: one
// session's payment, one charge. For an order that is already paid it says
// so, charges nothing and exits 0.
//
// It exits 0 when the order is paid, and 1 with the reason otherwise.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/kronor-io/kronor-go/examples/internal/demo"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/sessions"
	"github.com/kronor-io/kronor-go/subscriptions"
)

func main() { demo.Main("checkout", run) }

// run is the whole example; main only wires it to the process.
func run(ctx context.Context, cfg demo.Config) error {
	fs := flag.NewFlagSet("checkout", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	order := fs.String("order", "", "the order's merchant reference (default: a fresh order); rerun with the same one to resume it")
	if err := fs.Parse(cfg.Args); err != nil {
		return fmt.Errorf("%w (usage: checkout [-order REF])", err)
	}
	if *order == "" {
		*order = demo.OrderID()
	}

	gw, steps, err := demo.Begin(cfg, time.Second)
	if err != nil {
		return err
	}
	defer gw.Close()

	const amount, currency = 10000, sessions.CurrencySEK
	steps.Step("Payment session for %s, order %s, with the reference check", demo.Amount(amount, currency), *order)
	// No idempotency key: every run gets a fresh one, so a rerun reads the
	// order as it is now. The gateway returns the order's unexpired session
	// instead of creating a second one, and says whether it was paid since,
	// so ExpiresAt may come from the clock on every run.
	check, err := sessions.CreateWithReferenceCheck(ctx, gw.Merchant, sessions.Params{
		Amount:            amount,
		Currency:          currency,
		Country:           sessions.CountrySE,
		MerchantReference: *order,
		Message:           sessions.Message("Order " + *order), // an order reference may hold "-" or "#"
		ExpiresAt:         time.Now().Add(time.Hour),
	})
	if err != nil {
		return fmt.Errorf("session: %w", err)
	}
	if check.AlreadyPaid() {
		steps.Info("already paid: payment id %d; nothing charged", check.PaymentID)
		return checkCharges(ctx, gw, steps, *order)
	}
	if check.Earlier {
		steps.Info("session ready: the order's earlier session, created %s", check.CreatedAt.Local().Format(time.TimeOnly))
	} else {
		steps.Info("session ready")
	}
	customer := check.Client(gw.Merchant)

	steps.Step("Swish payment with the session's token")
	// The same method with the same parameters in the same session returns
	// the payment already pending: a rerun resumes it. CancelOtherPending
	// first cancels a pending payment of another method (a second tab).
	started, err := payments.Swish(ctx, customer, payments.SwishParams{
		Redirect: payments.Redirect{ReturnURL: "https://shop.example/orders/" + *order + "/done"},
	}, payments.CancelOtherPending())
	if err != nil {
		return fmt.Errorf("start Swish payment: %w", err)
	}
	steps.Info("payment started, wait token %s", started.WaitToken)

	// One watcher of the session's token, for this checkout: it tells what
	// to show the customer (only the session's token reads the Swish QR code
	// and app link) and follows the payment, over one websocket.
	watcher, err := subscriptions.NewSessionWatcher(customer)
	if err != nil {
		return err
	}
	defer watcher.Close()

	steps.Step("The checkout page shows the customer how to pay")
	next, err := watcher.NextStep(ctx, started.WaitToken)
	if err != nil {
		return fmt.Errorf("payment %s: %w", started.WaitToken, err)
	}
	switch {
	case next.Ended():
		steps.Info("nothing to show: the payment already ended %s", next.Request.Status)
	default:
		if next.SwishQRCode != "" {
			steps.Info("QR code to scan with Swish on another device: %s", next.SwishQRCode)
		}
		if next.SwishAppLink != "" {
			steps.Info("\"Open Swish\" button on this device: %s", next.SwishAppLink)
		}
		if next.PaymentURL != "" {
			steps.Info("payment page: %s", next.PaymentURL)
		}
	}
	steps.Info("%s", gw.Customer("approve the payment in Swish"))

	steps.Step("Waiting for the payment, status by status")
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
	return checkCharges(ctx, gw, steps, *order)
}

// checkCharges is the recipe's last step: the order must have been charged
// once. A customer who paid in two tabs at once is reported, with what to
// give back.
func checkCharges(ctx context.Context, gw *demo.Gateway, steps *demo.Steps, order string) error {
	charges, err := payments.Charges(ctx, gw.Merchant, order)
	if err != nil {
		return fmt.Errorf("checking the order's charges: %w", err)
	}
	dups := payments.Duplicates(charges)
	if len(dups) == 0 {
		steps.Info("charged once")
		return nil
	}
	for _, d := range dups {
		steps.Info("DUPLICATE charge %s (%s, payment id %d): refund or release it", d.WaitToken, d.Status, d.ResultingPaymentID)
	}
	return fmt.Errorf("order %s was charged %d times", order, len(charges))
}
