package captures_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/kronor-io/kronor-go/captures"
	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/sessions"
	"github.com/kronor-io/kronor-go/subscriptions"
)

// authorizedCardPayment runs a card payment of amount in a fake gateway and
// returns the id of the AUTHORIZED payment.
func authorizedCardPayment(srv *kronortest.Server, merchant *client.Client, ref string, amount int64) int64 {
	ctx := context.Background()
	s, err := sessions.Create(ctx, merchant, sessions.Params{
		Amount: amount, Currency: sessions.CurrencySEK, MerchantReference: ref,
		Message: "Order", ExpiresAt: time.Now().Add(time.Hour),
	})
	if err != nil {
		log.Fatal(err)
	}
	st, err := payments.CreditCard(ctx, s.Client(merchant), payments.CreditCardParams{
		Redirect: payments.Redirect{ReturnURL: "https://shop.example/done"},
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := srv.Approve(st.WaitToken); err != nil { // the customer enters the card
		log.Fatal(err)
	}
	r, err := payments.Latest(ctx, s.Client(merchant))
	if err != nil {
		log.Fatal(err)
	}
	return r.ResultingPaymentID
}

func ExampleCreate() {
	srv := kronortest.NewServer() // a fake gateway; use client.New(token) in production
	defer srv.Close()
	merchant := srv.Client() // the fake's merchant client; in production client.New(token)
	paymentID := authorizedCardPayment(srv, merchant, "order-1234", 10000)

	// Capture 40,00 kr of the 100,00 kr authorized.
	r, err := captures.Create(context.Background(), merchant, captures.Params{
		Amount:         4000,
		PaymentID:      paymentID,
		IdempotencyKey: client.DeriveIdempotencyKey("order-1234", "capture", "1"),
	})
	if err != nil {
		log.Fatal(err)
	}
	// Capturing is asynchronous: wait for its end, pushed over the merchant
	// watcher's websocket.
	w, err := subscriptions.NewMerchantWatcher(merchant)
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()
	c, err := w.WaitCapture(context.Background(), r.ID)
	if err != nil {
		log.Fatal(err) // a *subscriptions.CaptureError: declined, cooldown or failed
	}
	fmt.Println(c.Amount, c.Status, c.Status.Final())
	// Output: 4000 CAPTURE_DONE true
}

func ExampleRelease() {
	srv := kronortest.NewServer()
	defer srv.Close()
	merchant := srv.Client() // the fake's merchant client; in production client.New(token)
	paymentID := authorizedCardPayment(srv, merchant, "order-99", 10000)

	// The order is cancelled before shipping: give the reservation back.
	r, err := captures.Release(context.Background(), merchant, captures.ReleaseParams{
		Amount:    10000, // the whole authorization
		PaymentID: paymentID,
	})
	if err != nil {
		log.Fatal(err)
	}
	w, err := subscriptions.NewMerchantWatcher(merchant)
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()
	rel, err := w.WaitRelease(context.Background(), r.ID)
	if err != nil {
		log.Fatal(err) // a *subscriptions.ReleaseError: failed, or ambiguous
	}
	fmt.Println(rel.Amount, rel.Status)
	// Output: 10000 DONE
}
