package sessions_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/sessions"
)

func ExampleCreate() {
	srv := kronortest.NewServer() // a fake gateway; use client.New(token) in production
	defer srv.Close()
	merchant := srv.Client() // the fake's merchant client; in production client.New(token)

	s, err := sessions.Create(context.Background(), merchant, sessions.Params{
		Amount:            10056, // 100,56 kr
		Currency:          sessions.CurrencySEK,
		MerchantReference: "order-1234",
		Message:           "Order 1234",
		ExpiresAt:         time.Now().Add(time.Hour),
		IdempotencyKey:    client.DeriveIdempotencyKey("order-1234", "session"),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("session token issued:", s.Token != "")
	// Output: session token issued: true
}

func ExampleCreateWithReferenceCheck() {
	srv := kronortest.NewServer()
	defer srv.Close()
	merchant := srv.Client() // the fake's merchant client; in production client.New(token)

	p := sessions.Params{
		Amount:            5000,
		Currency:          sessions.CurrencySEK,
		Country:           sessions.CountrySE,
		MerchantReference: "order-77",
		Message:           "Order 77",
		ExpiresAt:         time.Now().Add(time.Hour),
	}
	first, err := sessions.CreateWithReferenceCheck(context.Background(), merchant, p)
	if err != nil {
		log.Fatal(err)
	}
	again, err := sessions.CreateWithReferenceCheck(context.Background(), merchant, p)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("same session:", again.Token == first.Token)
	fmt.Println("already paid:", again.AlreadyPaid())
	// Output:
	// same session: true
	// already paid: false
}

func ExampleCreate_validation() {
	srv := kronortest.NewServer()
	defer srv.Close()
	merchant := srv.Client() // the fake's merchant client; in production client.New(token)
	_, err := sessions.Create(context.Background(), merchant, sessions.Params{
		Amount:            0,
		MerchantReference: "order-1",
		Message:           "Order #1",
		ExpiresAt:         time.Now().Add(48 * time.Hour),
	})
	var ve *client.ValidationError
	if errors.As(err, &ve) {
		for _, v := range ve.Violations {
			fmt.Println(v.Field)
		}
	}
	fmt.Println(errors.Is(err, client.ErrInvalidInput))
	fmt.Println("requests sent:", srv.Requests())
	// Output:
	// payment.amount
	// payment.message
	// payment.expiresAt
	// true
	// requests sent: 0
}
