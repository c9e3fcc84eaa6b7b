package refunds_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/refunds"
	"github.com/kronor-io/kronor-go/sessions"
	"github.com/kronor-io/kronor-go/subscriptions"
)

// paidSwishPayment runs a Swish payment of amount in a fake gateway and returns
// the id of the PAID payment.
func paidSwishPayment(srv *kronortest.Server, merchant *client.Client, ref string, amount int64) int64 {
	ctx := context.Background()
	s, err := sessions.Create(ctx, merchant, sessions.Params{
		Amount: amount, Currency: sessions.CurrencySEK, MerchantReference: ref,
		Message: "Order", ExpiresAt: time.Now().Add(time.Hour),
	})
	if err != nil {
		log.Fatal(err)
	}
	st, err := payments.Swish(ctx, s.Client(merchant), payments.SwishParams{
		Redirect: payments.Redirect{ReturnURL: "https://shop.example/done"},
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := srv.Approve(st.WaitToken); err != nil { // the customer pays in Swish
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
	paymentID := paidSwishPayment(srv, merchant, "order-1234", 10000)

	// Refund 25,00 kr. The key is derived from the order and the refund's
	// number: a process that restarts and runs this again refunds only once.
	r, err := refunds.Create(context.Background(), merchant, refunds.Params{
		Amount:         2500,
		PaymentID:      paymentID,
		Message:        "Refund for order 1234",
		IdempotencyKey: client.DeriveIdempotencyKey("order-1234", "refund", "1"),
	})
	if err != nil {
		log.Fatal(err)
	}
	// Refunding is asynchronous: wait until the money is back with the
	// customer (PAID), pushed over the merchant watcher's websocket.
	w, err := subscriptions.NewMerchantWatcher(merchant)
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()
	ref, err := w.WaitRefund(context.Background(), r.WaitToken)
	if err != nil {
		log.Fatal(err) // a *subscriptions.RefundError: failed, or ambiguous
	}
	fmt.Println(ref.Amount, ref.Status)
	// Output: 2500 PAID
}
