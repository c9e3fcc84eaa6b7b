package subscriptions_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/payments"
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
