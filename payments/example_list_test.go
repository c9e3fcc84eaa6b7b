package payments_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/payments"
)

func ExampleAll() {
	srv := kronortest.NewServer() // a fake gateway; use client.New(token) in production
	defer srv.Close()
	day := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	if _, err := srv.AddPayments(
		kronortest.StoredPayment{CreatedAt: day.Add(9 * time.Hour), Amount: 12500, Method: payments.MethodSwish},
		kronortest.StoredPayment{CreatedAt: day.Add(13 * time.Hour), Amount: 49900, Method: payments.MethodCreditCard, Refunded: 9900},
		kronortest.StoredPayment{CreatedAt: day.Add(30 * time.Hour), Amount: 100}, // the next day
	); err != nil {
		log.Fatal(err)
	}
	merchant := srv.Client() // the fake's merchant client; in production client.New(token)
	ctx := context.Background()

	f := payments.Filter{CreatedFrom: day, CreatedBefore: day.AddDate(0, 0, 1)}
	var last payments.Cursor // save it to resume after it: f.After = last
	for p, err := range payments.All(ctx, merchant, f) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(p.CreatedAt.Format(time.TimeOnly), p.Method, p.Status, p.AmountPaid, p.Currency, len(p.Refunds), "refund(s)")
		last = p.Cursor()
	}
	fmt.Println("checkpoint:", last)

	totals, err := payments.Totals(ctx, merchant, f)
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range totals {
		fmt.Println(t.Currency, t.Payments, "payments, paid", t.Paid, "refunded", t.Refunded)
	}
	// Output:
	// 09:00:00 SWISH PAID 12500 SEK 0 refund(s)
	// 13:00:00 CREDIT_CARD PAID 49900 SEK 1 refund(s)
	// checkpoint: 2024-05-01T13:00:00Z/2
	// SEK 2 payments, paid 62400 refunded 9900
}
