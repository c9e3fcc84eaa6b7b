// Command sdk is a merchant's smallest checkout with the SDK: a payment
// session, a Swish payment, and a wait until it is paid, with client,
// sessions, payments and subscriptions. cmd/kronor-bench reports the size
// of its binary beside that of the same program on net/http (../nethttp).
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/sessions"
	"github.com/kronor-io/kronor-go/subscriptions"
)

func main() {
	ctx := context.Background()
	merchant, err := client.New(os.Getenv("KRONOR_TOKEN"), client.WithEndpoint(os.Getenv("KRONOR_URL")))
	if err != nil {
		log.Fatal(err)
	}
	order := "ORD1001"
	session, err := sessions.Create(ctx, merchant, sessions.Params{
		Amount:            10056,
		Currency:          sessions.CurrencySEK,
		MerchantReference: order,
		Message:           "Order " + order,
		ExpiresAt:         time.Now().Add(time.Hour),
		IdempotencyKey:    client.DeriveIdempotencyKey(order, "session"),
	})
	if err != nil {
		log.Fatal(err)
	}
	started, err := payments.Swish(ctx, session.Client(merchant), payments.SwishParams{
		Redirect: payments.Redirect{ReturnURL: "https://shop.example/orders/" + order},
	})
	if err != nil {
		log.Fatal(err)
	}
	watcher, err := subscriptions.NewWatcher(merchant)
	if err != nil {
		log.Fatal(err)
	}
	defer watcher.Close()
	paid, err := watcher.Wait(ctx, started.WaitToken)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("paid, payment id", paid.ResultingPaymentID)
}
