package payments_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/sessions"
)

func ExampleSwish() {
	srv := kronortest.NewServer() // a fake gateway; use client.New(token) in production
	defer srv.Close()
	merchant := srv.Client() // the fake's merchant client; in production client.New(token)
	ctx := context.Background()

	s, err := sessions.Create(ctx, merchant, sessions.Params{
		Amount: 10000, Currency: sessions.CurrencySEK, MerchantReference: "order-1234",
		Message: "Order 1234", ExpiresAt: time.Now().Add(time.Hour),
	})
	if err != nil {
		log.Fatal(err)
	}
	sc := s.Client(merchant) // payments run with the session's token

	started, err := payments.Swish(ctx, sc, payments.SwishParams{
		Redirect: payments.Redirect{ReturnURL: "https://shop.example/done"},
	})
	if err != nil {
		log.Fatal(err)
	}
	req, err := payments.Latest(ctx, sc)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(req.WaitToken == started.WaitToken, req.Method, req.Status)

	_ = srv.Approve(started.WaitToken) // in the fake: the customer pays
	req, err = payments.Latest(ctx, sc)
	if err != nil {
		log.Fatal(err)
	}
	p, err := payments.Get(ctx, merchant, req.ResultingPaymentID) // the merchant token
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.Status, p.AmountPaid, p.Currency)
	// Output:
	// true SWISH WAITING_FOR_PAYMENT
	// PAID 10000 SEK
}
