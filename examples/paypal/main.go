// Command paypal pays with PayPal, which needs the customer's shipping address
// and the order lines on the session, and follows the payment until Kronor
// has captured it.
//
// Kronor captures a PayPal payment by itself once the payer approves it.
// A service that hosts PayPal's own button learns of the approval first (its
// onApprove callback) and may complete the payment at once with
// payments.CapturePayPal; it must not call it before the payer approved,
// which a program like this one cannot see.
//
//	go run ./examples/paypal
//
// Without KRONOR_TOKEN it runs on the built-in fake gateway; see
// examples/checkout for the configuration. On Kronor, PayPal needs a merchant
// account onboarded for it.
package main

import (
	"context"
	"fmt"
	"time"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/examples/internal/demo"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/sessions"
)

func main() { demo.Main("paypal", run) }

func run(ctx context.Context, cfg demo.Config) error {
	gw, steps, err := demo.Begin(cfg, time.Second)
	if err != nil {
		return err
	}
	defer gw.Close()
	order := demo.OrderID()

	lines := []sessions.OrderLine{
		{Name: "Rain jacket", Reference: "SKU-1001", PricePerItem: 79900, Quantity: 1, TaxRate: 2500, TotalAmount: 79900, TotalTaxAmount: 15980},
		{Name: "Wool socks", Reference: "SKU-2002", PricePerItem: 9900, Quantity: 2, TaxRate: 2500, TotalAmount: 19800, TotalTaxAmount: 3960},
	}
	var total int64
	for _, l := range lines {
		total += l.TotalAmount
	}
	session, err := demo.NewSession(ctx, gw, steps, order, sessions.Params{
		Amount: total, Currency: sessions.CurrencyEUR, Country: sessions.CountryFI,
		AdditionalData: &sessions.AdditionalData{
			Name: "Aino Virtanen", Email: "aino@example.com", IP: "192.0.2.10", Language: sessions.LanguageEN,
			ShippingAddress: &sessions.Address{
				FirstName: "Aino", LastName: "Virtanen", StreetAddress: "Mannerheimintie 1",
				PostalCode: "00100", City: "Helsinki", Country: sessions.CountryFI,
				Email: "aino@example.com", PhoneNumber: "+358401234567",
			},
			OrderLines: lines,
		},
	})
	if err != nil {
		return err
	}
	for _, l := range lines {
		steps.Info("%d x %-12s %s", l.Quantity, l.Name, demo.Amount(l.TotalAmount, "EUR"))
	}

	steps.Step("Starting a PayPal payment")
	started, err := payments.PayPal(ctx, session, payments.PayPalParams{
		Redirect:       payments.Redirect{ReturnURL: "https://shop.example/orders/" + order + "/done"},
		IdempotencyKey: client.DeriveIdempotencyKey(order, "paypal", "1"),
	})
	if err != nil {
		return fmt.Errorf("start PayPal payment: %w", err)
	}
	demo.ShowPaymentPage(ctx, gw, steps, session, "approve the payment at PayPal")
	steps.Info("Kronor captures the funds once the payer approves")
	req, err := demo.Follow(ctx, gw, steps, started.WaitToken)
	if err != nil {
		return err
	}
	if req.Status != payments.StatusPaid {
		return fmt.Errorf("payment ended %s, not PAID", req.Status)
	}
	steps.Step("Paid with PayPal: %s, payment id %d", demo.Amount(req.Amount, req.Currency), req.ResultingPaymentID)
	return nil
}
