package main

import (
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/sessions"
	"github.com/kronor-io/kronor-go/subscriptions"
)

// methods are the --method values of checkout.
var methods = []string{"swish", "card", "mobilepay", "vipps", "p24", "banktransfer", "paypal"}

// defaultCountry is the country of a session in each currency when --country
// is not given.
var defaultCountry = map[sessions.Currency]sessions.Country{
	sessions.CurrencySEK: sessions.CountrySE, sessions.CurrencyNOK: sessions.CountryNO,
	sessions.CurrencyDKK: sessions.CountryDK, sessions.CurrencyPLN: sessions.CountryPL,
	sessions.CurrencyISK: sessions.CountryIS, sessions.CurrencyCZK: sessions.CountryCZ,
	sessions.CurrencyHUF: sessions.CountryHU, sessions.CurrencyRON: sessions.CountryRO,
	sessions.CurrencyCHF: sessions.CountryCH, sessions.CurrencyGBP: sessions.CountryGB,
}

type checkoutFlags struct {
	amount, currency, method, country  string
	reference, message, returnURL      string
	swishNumber, payerName, payerEmail string
	expires                            time.Duration
	darkText                           bool
}

func (a *app) checkout(args []string) error {
	var f checkoutFlags
	fs := a.flagSet("checkout", func(fs *flag.FlagSet) {
		fmt.Fprintln(fs.Output(), `Usage: kronor checkout --amount 100.00 [--currency SEK] [--method swish] [flags]

Creates a payment session for an order (with the reference check: rerun with
the same --reference to resume it, or to be told it is paid), starts a payment,
prints the payer's next step (the payment page's URL; for Swish the QR code,
drawn here for a phone to scan) and then each status until the payment ends.
Exit status 0 when it is paid or authorized, 1 when it fails.`)
	})
	fs.StringVar(&f.amount, "amount", "", "amount the customer pays, e.g. 100.00 or 100,56 (required)")
	fs.StringVar(&f.currency, "currency", "SEK", "currency: "+currencyList())
	fs.StringVar(&f.method, "method", "swish", "payment method: "+strings.Join(methods, ", "))
	fs.StringVar(&f.country, "country", "", "country of the session (default: the currency's, else SE; p24 needs PL)")
	fs.StringVar(&f.reference, "reference", "", "the order's merchant reference (default: a new one); rerun with the same to resume")
	fs.StringVar(&f.message, "message", "Kronor CLI checkout", "message shown to the customer (letters, digits, space and : ; . , ? ! ( ))")
	fs.StringVar(&f.returnURL, "return-url", "https://example.com/", "where the customer is sent when the payment is done")
	fs.StringVar(&f.swishNumber, "swish-number", "", "the customer's Swish number: Swish asks that phone (ecom) instead of showing a QR code")
	fs.StringVar(&f.payerName, "payer-name", "Test Payer", "the customer's name (sent for p24 and paypal, which need one)")
	fs.StringVar(&f.payerEmail, "payer-email", "payer@example.com", "the customer's email (sent for p24 and paypal)")
	fs.DurationVar(&f.expires, "expires", time.Hour, "how long the session stays open (at most 24h)")
	fs.BoolVar(&f.darkText, "qr-dark-text", false, "draw the QR code for a terminal with dark text on a light background")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("checkout takes no arguments, got %q", pos)
	}

	// Everything the command can check, before anything is sent.
	currency, err := parseCurrency(f.currency)
	if err != nil {
		return err
	}
	amount, err := parseAmount(f.amount, currency)
	if err != nil {
		return err
	}
	method := strings.ToLower(f.method)
	if !slices.Contains(methods, method) {
		return usageErrorf("method %q: give one of %s", f.method, strings.Join(methods, ", "))
	}
	country := sessions.Country(strings.ToUpper(f.country))
	if country == "" {
		country = defaultCountry[currency]
		if method == "p24" {
			country = sessions.CountryPL
		}
		if country == "" {
			country = sessions.CountrySE
		}
	}
	if !country.Known() {
		return usageErrorf("country %q: give an ISO 3166-1 code the gateway takes, e.g. SE", f.country)
	}
	ref := f.reference
	if ref == "" {
		ref = "kronor-cli-" + strings.ToLower(rand.Text()[:12])
	}

	merchant, err := a.merchant()
	if err != nil {
		return err
	}
	p := sessions.Params{
		Amount:            amount,
		Currency:          currency,
		Country:           country,
		MerchantReference: ref,
		Message:           f.message,
		ExpiresAt:         time.Now().Add(f.expires),
	}
	if method == "p24" || method == "paypal" {
		p.AdditionalData = additionalData(f, amount, country)
	}
	a.printf("Gateway:   %s", merchant.Endpoint())
	a.printf("Order:     %s, %s %s", ref, formatAmount(amount, currency), currency)
	// The reference check finds the order's session, and the same method
	// started again in it resumes the pending payment.
	// The rerun gives every parameter again: the same method with other
	// parameters (another --return-url, no --swish-number) would start a
	// second payment in the session.
	flags, note := a.rerunFlags(fs, "amount", "currency", "method", "reference")
	a.rerun = fmt.Sprintf("kronor checkout --amount %s --currency %s --method %s --reference %s",
		formatAmount(amount, currency), currency, method, shellQuote(ref)) + flags
	a.rerunNote = note
	check, err := sessions.CreateWithReferenceCheck(a.ctx, merchant, p)
	if err != nil {
		return fmt.Errorf("payment session: %w", err)
	}
	if check.AlreadyPaid() {
		a.printf("Already paid: payment id %d; nothing charged.", check.PaymentID)
		a.emit(map[string]any{"type": "paid", "reference": ref, "paymentId": check.PaymentID, "alreadyPaid": true})
		// The customer may have paid twice while no checkout was running:
		// a rerun checks the order's charges as a finished checkout does.
		return a.chargedOnce(merchant, ref)
	}
	sc := check.Client(merchant)
	started, err := startPayment(a, sc, method, f)
	if err != nil {
		return fmt.Errorf("starting the %s payment: %w", method, err)
	}
	wt := started.WaitToken
	a.printf("Payment:   %s, wait token %s", started.Method, wt)

	// The payer's next step.
	req, err := payments.Latest(a.ctx, sc)
	if err != nil {
		return fmt.Errorf("reading the payment: %w", err)
	}
	if req.WaitToken != wt {
		return fmt.Errorf("the session's latest payment is %s, not the one started (%s)", req.WaitToken, wt)
	}
	a.emit(map[string]any{"type": "payment", "reference": ref, "method": started.Method, "waitToken": wt,
		"amount": amount, "currency": currency, "paymentUrl": req.PaymentURL, "swishQrCode": req.SwishQRCode,
		"qrCodeUrl": req.QRCodeURL})
	switch {
	case req.SwishQRCode != "":
		if req.SwishAppLink != "" {
			a.printf("On the payer's own phone, open: %s", req.SwishAppLink)
		}
		a.printf("Next step: scan this QR code with the Swish app:")
		if !a.g.json {
			if err := drawQR(a.stdout, req.SwishQRCode, f.darkText); err != nil {
				return fmt.Errorf("drawing the QR code: %w", err)
			}
		}
	case method == "swish" && f.swishNumber != "":
		a.printf("Next step: approve the payment in the Swish app of %s", f.swishNumber)
	}
	if req.PaymentURL != "" {
		a.printf("Next step: open %s", req.PaymentURL)
	}
	if req.QRCodeURL != "" {
		a.printf("QR code:   %s", req.QRCodeURL)
	}
	if req.PaymentURL == "" && req.SwishQRCode == "" && f.swishNumber == "" {
		a.printf("Next step: the gateway gave no payment page yet; follow the status below")
	}
	a.printf("Waiting for the payment (Ctrl-C stops waiting; the payment goes on: kronor watch %s)", wt)
	w, err := a.watcher(merchant)
	if err != nil {
		return err
	}
	defer w.Close()
	last, err := a.follow(w, wt)
	if err != nil {
		return err
	}
	if err := a.ended(last); err != nil {
		return err
	}
	return a.chargedOnce(merchant, ref)
}

// chargedOnce checks that the order was charged once: a payer who paid in two
// tabs is reported, with what to give back.
func (a *app) chargedOnce(merchant *client.Client, ref string) error {
	charges, err := payments.Charges(a.ctx, merchant, ref)
	if err != nil {
		return fmt.Errorf("checking the order's charges: %w", err)
	}
	dups := payments.Duplicates(charges)
	for _, d := range dups {
		a.printf("DUPLICATE charge %s (%s, payment id %d): refund or release it", d.WaitToken, d.Status, d.ResultingPaymentID)
		a.emit(map[string]any{"type": "duplicate", "waitToken": d.WaitToken, "status": d.Status, "paymentId": d.ResultingPaymentID})
	}
	if len(dups) > 0 {
		return failedf("order %s was charged %d times", ref, len(charges))
	}
	return nil
}

// follow prints every status of the payment request wt until it ends, as w
// reports them, and returns the request as last seen.
func (a *app) follow(w *subscriptions.Watcher, wt string) (payments.Request, error) {
	var last payments.Request
	for r, err := range w.Watch(a.ctx, wt) {
		if err != nil {
			if a.ctx.Err() != nil {
				fmt.Fprintf(a.stderr, "kronor: stopped waiting; payment %s was %s, follow it with: kronor watch %s\n", wt, statusOr(last.Status), wt)
			}
			return last, fmt.Errorf("following payment %s: %w", wt, err)
		}
		last = r
		a.printf("  %-26s %s", r.Status, localTime(r.StatusEnteredAt))
		a.emit(map[string]any{"type": "status", "waitToken": wt, "status": r.Status, "at": r.StatusEnteredAt})
	}
	return last, nil
}

func statusOr(s payments.Status) string { return orNotSeen(string(s)) }

// ended reports how the payment request r ended.
func (a *app) ended(r payments.Request) error {
	money := formatAmount(r.Amount, r.Currency) + " " + string(r.Currency)
	a.emit(map[string]any{"type": "end", "waitToken": r.WaitToken, "status": r.Status,
		"paymentId": r.ResultingPaymentID, "amount": r.Amount, "currency": r.Currency})
	switch {
	case r.Status == payments.StatusAuthorized:
		a.printf("Authorized: %s, payment id %d. Capture it: kronor capture %d --amount %s (or release it: kronor release %d)",
			money, r.ResultingPaymentID, r.ResultingPaymentID, formatAmount(r.Amount, r.Currency), r.ResultingPaymentID)
		return nil
	case r.Status.Succeeded():
		a.printf("Paid: %s, payment id %d", money, r.ResultingPaymentID)
		return nil
	default:
		return failedf("payment %s ended %s", r.WaitToken, statusOr(r.Status))
	}
}

// startPayment starts the payment of the method in the session.
func startPayment(a *app, sc *client.Session, method string, f checkoutFlags) (*payments.Started, error) {
	r := payments.Redirect{ReturnURL: f.returnURL}
	opt := payments.CancelOtherPending()
	switch method {
	case "swish":
		return payments.Swish(a.ctx, sc, payments.SwishParams{Redirect: r, CustomerSwishNumber: f.swishNumber}, opt)
	case "card":
		return payments.CreditCard(a.ctx, sc, payments.CreditCardParams{Redirect: r}, opt)
	case "mobilepay":
		return payments.MobilePay(a.ctx, sc, payments.MobilePayParams{Redirect: r}, opt)
	case "vipps":
		return payments.Vipps(a.ctx, sc, payments.VippsParams{Redirect: r}, opt)
	case "p24":
		return payments.P24(a.ctx, sc, payments.P24Params{Redirect: r}, opt)
	case "banktransfer":
		return payments.BankTransfer(a.ctx, sc, payments.BankTransferParams{Redirect: r}, opt)
	case "paypal":
		return payments.PayPal(a.ctx, sc, payments.PayPalParams{Redirect: r}, opt)
	}
	return nil, errors.New("unknown method " + method) // checked before
}

// additionalData is what Przelewy24 (the customer's name) and PayPal (a
// shipping address and order lines) need: the payer from the flags, one order
// line of the whole amount, and a placeholder address.
func additionalData(f checkoutFlags, amount int64, country sessions.Country) *sessions.AdditionalData {
	first, last, _ := strings.Cut(f.payerName, " ")
	if last == "" {
		last = first
	}
	return &sessions.AdditionalData{
		Name:     f.payerName,
		Email:    f.payerEmail,
		IP:       "127.0.0.1",
		Language: sessions.LanguageEN,
		ShippingAddress: &sessions.Address{
			FirstName: first, LastName: last, StreetAddress: "Testgatan 1", PostalCode: "11122",
			City: "Stockholm", Country: country, Email: f.payerEmail, PhoneNumber: "+46700000000",
		},
		OrderLines: []sessions.OrderLine{{
			Name: f.message, PricePerItem: amount, Quantity: 1, TotalAmount: amount,
		}},
	}
}
