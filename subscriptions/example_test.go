package subscriptions_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/kronor-io/kronor-go/captures"
	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/refunds"
	"github.com/kronor-io/kronor-go/sessions"
	"github.com/kronor-io/kronor-go/subscriptions"
)

// start creates a session and starts a payment with it on a fake gateway.
func start(ctx context.Context, merchant *client.Client, bank bool) string {
	s, err := sessions.Create(ctx, merchant, sessions.Params{
		Amount:            10000,
		Currency:          sessions.CurrencySEK,
		MerchantReference: fmt.Sprintf("example-%d", time.Now().UnixNano()),
		Message:           "Order 1234",
		ExpiresAt:         time.Now().Add(time.Hour),
	})
	if err != nil {
		log.Fatal(err)
	}
	redirect := payments.Redirect{ReturnURL: "https://shop.example/return"}
	var started *payments.Started
	if bank {
		started, err = payments.BankTransfer(ctx, s.Client(merchant), payments.BankTransferParams{Redirect: redirect})
	} else {
		started, err = payments.Swish(ctx, s.Client(merchant), payments.SwishParams{Redirect: redirect})
	}
	if err != nil {
		log.Fatal(err)
	}
	return started.WaitToken
}

// Wait for the outcome of a Swish payment. The fake gateway approves every
// payment 200 ms after it starts.
func Example() {
	srv := kronortest.NewServer(kronortest.WithAutoApprove(200 * time.Millisecond))
	defer srv.Close()
	merchant := srv.Client() // the fake's merchant client; in production client.New(token)
	ctx := context.Background()
	waitToken := start(ctx, merchant, false)

	// One watcher per token, shared by every wait.
	w, err := subscriptions.NewWatcher(merchant)
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()

	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	req, err := w.Wait(ctx, waitToken)
	switch {
	case err == nil:
		fmt.Println(req.Status, "as payment", req.ResultingPaymentID)
	case errors.Is(err, subscriptions.ErrDeclined), errors.Is(err, subscriptions.ErrCancelled):
		fmt.Println("not paid: offer another method")
	default:
		log.Fatal(err)
	}
	// Output: PAID as payment 1
}

// Follow a bank transfer through its progress statuses.
func ExampleWatcher_Watch() {
	srv := kronortest.NewServer(kronortest.WithAutoApprove(200 * time.Millisecond))
	defer srv.Close()
	merchant := srv.Client() // the fake's merchant client; in production client.New(token)
	ctx := context.Background()
	waitToken := start(ctx, merchant, true)

	w, err := subscriptions.NewWatcher(merchant, subscriptions.WithProtocol(subscriptions.ProtocolGraphQLTransportWS))
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()

	for req, err := range w.Watch(ctx, waitToken) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(req.Status)
	}
	// Output:
	// PRE_FLIGHT_CHECK
	// INITIALIZING
	// WAITING_FOR_PAYMENT
	// FLOW_COMPLETED
	// ACCEPTED
	// PAID
}

// Capture an authorized card payment and wait until the money is taken.
func ExampleMerchantWatcher_WaitCapture() {
	srv := kronortest.NewServer(kronortest.WithAutoApprove(10 * time.Millisecond))
	defer srv.Close()
	merchant, err := client.New(srv.MerchantToken(), client.WithEndpoint(srv.URL()))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	w, err := subscriptions.NewMerchantWatcher(merchant)
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()

	// A card payment, authorized by the customer.
	s, err := sessions.Create(ctx, merchant, sessions.Params{
		Amount: 10000, Currency: sessions.CurrencySEK, MerchantReference: "order-77",
		Message: "Order 77", ExpiresAt: time.Now().Add(time.Hour),
	})
	if err != nil {
		log.Fatal(err)
	}
	started, err := payments.CreditCard(ctx, s.Client(merchant), payments.CreditCardParams{
		Redirect: payments.Redirect{ReturnURL: "https://shop.example/return"},
	})
	if err != nil {
		log.Fatal(err)
	}
	req, err := w.Wait(ctx, started.WaitToken)
	if err != nil {
		log.Fatal(err)
	}

	receipt, err := captures.Create(ctx, merchant, captures.Params{Amount: 10000, PaymentID: req.ResultingPaymentID})
	if err != nil {
		log.Fatal(err)
	}
	c, err := w.WaitCapture(ctx, receipt.ID)
	var ce *subscriptions.CaptureError
	switch {
	case errors.Is(err, subscriptions.ErrCooldown) && errors.As(err, &ce):
		fmt.Println("capture again after", ce.RetryAt)
	case errors.Is(err, subscriptions.ErrCaptureDeclined):
		fmt.Println("declined: collect the amount by other means")
	case err != nil:
		log.Fatal(err)
	default:
		fmt.Println(req.Status, "then", c.Status)
	}
	// Output: AUTHORIZED then CAPTURE_DONE
}

// Follow a refund through its steps to PAID, the money back with the
// customer. The fake settles each step 20 ms after the one before.
func ExampleMerchantWatcher_WatchRefund() {
	srv := kronortest.NewServer(kronortest.WithAutoApprove(10 * time.Millisecond))
	defer srv.Close()
	merchant, err := client.New(srv.MerchantToken(), client.WithEndpoint(srv.URL()))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	w, err := subscriptions.NewMerchantWatcher(merchant)
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()
	req, err := w.Wait(ctx, start(ctx, merchant, false)) // a paid Swish payment
	if err != nil {
		log.Fatal(err)
	}

	receipt, err := refunds.Create(ctx, merchant, refunds.Params{
		Amount: 2500, PaymentID: req.ResultingPaymentID, Message: "One item returned",
	})
	if err != nil {
		log.Fatal(err)
	}
	for r, err := range w.WatchRefund(ctx, receipt.WaitToken) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(r.Status)
	}
	// Output:
	// INITIALIZING
	// CREATED
	// DEBITED
	// PAID
}

// Show the customer how to pay a Swish payment as soon as the gateway has
// it: the QR code for another device, the app link for this one.
func ExampleSessionWatcher_NextStep() {
	srv := kronortest.NewServer(kronortest.WithPayerDataDelay(50 * time.Millisecond))
	defer srv.Close()
	merchant, err := client.New(srv.MerchantToken(), client.WithEndpoint(srv.URL()))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	s, err := sessions.Create(ctx, merchant, sessions.Params{
		Amount: 10000, Currency: sessions.CurrencySEK, MerchantReference: "order-78",
		Message: "Order 78", ExpiresAt: time.Now().Add(time.Hour),
	})
	if err != nil {
		log.Fatal(err)
	}
	session := s.Client(merchant)
	started, err := payments.Swish(ctx, session, payments.SwishParams{
		Redirect: payments.Redirect{ReturnURL: "https://shop.example/return"},
	})
	if err != nil {
		log.Fatal(err)
	}

	// A watcher of the session's token: only its role reads the QR code.
	w, err := subscriptions.NewSessionWatcher(session)
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()
	next, err := w.NextStep(ctx, started.WaitToken)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(next.SwishQRCode != "", strings.HasPrefix(next.SwishAppLink, "swish://"))
	// Output: true true
}
