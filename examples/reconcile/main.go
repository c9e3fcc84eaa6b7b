// Command reconcile is a merchant's nightly job: it lists yesterday's
// payments (UTC) with their refunds, adds them up per currency and payment
// method, and checks the sums against the gateway's own totals, which take
// one request however many payments there are.
//
//	go run ./examples/reconcile
//
// Without KRONOR_TOKEN it runs on the built-in fake gateway, filled with
// three days of payments; see examples/checkout for the configuration. The
// last line is a checkpoint: a job that stopped half-way (or tomorrow's run)
// resumes after it with KRONOR_RECONCILE_AFTER=<checkpoint>, and lists and
// totals only what comes after.
package main

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/kronor-io/kronor-go/examples/internal/demo"
	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/sessions"
)

// EnvAfter is a checkpoint printed by an earlier run: listing resumes after
// it.
const EnvAfter = "KRONOR_RECONCILE_AFTER"

func main() { demo.Main("reconcile", run) }

// key groups the listing's sums.
type key struct {
	currency sessions.Currency
	method   payments.Method
}

func run(ctx context.Context, cfg demo.Config) error {
	gw, steps, err := demo.Begin(cfg, time.Second)
	if err != nil {
		return err
	}
	defer gw.Close()

	today := time.Now().UTC().Truncate(24 * time.Hour)
	yesterday := today.AddDate(0, 0, -1)
	if gw.Fake != nil {
		n, err := fill(gw.Fake, today)
		if err != nil {
			return err
		}
		steps.Step("Filling the fake gateway with %d payments over three days", n)
	}
	f := payments.Filter{CreatedFrom: yesterday, CreatedBefore: today}
	if s := cfg.Getenv(EnvAfter); s != "" {
		if err := f.After.UnmarshalText([]byte(s)); err != nil {
			return fmt.Errorf("%s: %w", EnvAfter, err)
		}
		steps.Step("Resuming after %s", f.After)
	}

	steps.Step("Listing the payments of %s (UTC), oldest first", yesterday.Format(time.DateOnly))
	sums := map[key]*payments.Total{}
	var last payments.Cursor
	n := 0
	for p, err := range payments.All(ctx, gw.Merchant, f, payments.WithPageSize(50)) {
		if err != nil {
			if n > 0 {
				steps.Info("stopped after %d payments; resume with %s=%s", n, EnvAfter, last)
			}
			return fmt.Errorf("list payments: %w", err)
		}
		n++
		last = p.Cursor()
		steps.Info("#%-4d %s %-13s %-10s %s", p.ID, p.CreatedAt.UTC().Format(time.TimeOnly), p.Method, p.Status,
			demo.Amount(p.AmountPaid+p.AmountAuthorized, p.Currency))
		s := sums[key{p.Currency, p.Method}]
		if s == nil {
			s = &payments.Total{Currency: p.Currency}
			sums[key{p.Currency, p.Method}] = s
		}
		s.Payments++
		s.Paid += p.AmountPaid
		s.Authorized += p.AmountAuthorized
		for _, r := range p.Refunds {
			steps.Info("   refund %s %s", demo.Amount(r.Amount, p.Currency), r.Status)
			if r.Status.Succeeded() {
				s.Refunded += r.Amount
				s.Refunds++
			}
		}
	}
	steps.Info("%d payments", n)

	steps.Step("Sums per currency and method, from the listing")
	byCurrency := map[sessions.Currency]payments.Total{}
	keys := slices.SortedFunc(maps.Keys(sums), func(a, b key) int {
		return cmp.Or(cmp.Compare(a.currency, b.currency), cmp.Compare(a.method, b.method))
	})
	for _, k := range keys {
		s := sums[k]
		steps.Info("%s %-13s %s", k.currency, k.method, line(*s))
		c := byCurrency[k.currency]
		c.Currency = k.currency
		c.Payments += s.Payments
		c.Paid += s.Paid
		c.Authorized += s.Authorized
		c.Refunded += s.Refunded
		c.Refunds += s.Refunds
		byCurrency[k.currency] = c
	}

	steps.Step("The gateway's totals per currency (one request)")
	totals, err := payments.Totals(ctx, gw.Merchant, f)
	if err != nil {
		return fmt.Errorf("totals: %w", err)
	}
	agree := len(totals) == len(byCurrency)
	for _, t := range totals {
		mark := "matches the listing"
		if byCurrency[t.Currency] != t {
			mark, agree = "DIFFERS from the listing", false
		}
		steps.Info("%s %s: %s", t.Currency, line(t), mark)
	}
	if !agree {
		// Payments of the day cannot change, but refunds can arrive
		// between the listing and the totals: run again to confirm.
		return fmt.Errorf("the listing and the gateway's totals disagree")
	}
	if n > 0 {
		steps.Step("Checkpoint: %s", last)
		steps.Info("to resume after it: %s=%s", EnvAfter, last)
	}
	return nil
}

// line formats a total's figures.
func line(t payments.Total) string {
	return fmt.Sprintf("%d payments, paid %s, authorized %s, refunded %s (%d refunds)", t.Payments,
		demo.Amount(t.Paid, t.Currency), demo.Amount(t.Authorized, t.Currency), demo.Amount(t.Refunded, t.Currency), t.Refunds)
}

// day is the fake's payments of one day: hour of the day, amount, currency,
// method, and an amount refunded.
var day = []kronortest.StoredPayment{
	{CreatedAt: hour(8), Amount: 12500, Currency: "SEK", Method: "SWISH"},
	{CreatedAt: hour(9), Amount: 49900, Currency: "SEK", Method: "CREDIT_CARD", Refunded: 9900},
	{CreatedAt: hour(11), Amount: 30000, Currency: "SEK", Method: "CREDIT_CARD", Status: "AUTHORIZED"},
	{CreatedAt: hour(13), Amount: 7900, Currency: "SEK", Method: "SWISH", Refunded: 7900},
	{CreatedAt: hour(15), Amount: 25000, Currency: "DKK", Method: "MOBILEPAY"},
	{CreatedAt: hour(17), Amount: 89000, Currency: "NOK", Method: "VIPPS"},
	{CreatedAt: hour(20), Amount: 4500, Currency: "EUR", Method: "PAYPAL", Refunded: 1500},
}

// hour is an offset into a day, as a time after the zero time.
func hour(h int) time.Time { return time.Time{}.Add(time.Duration(h) * time.Hour) }

// fill stores day's payments on the fake for the day before yesterday,
// yesterday and today (up to now), and returns how many.
func fill(srv *kronortest.Server, today time.Time) (int, error) {
	var ps []kronortest.StoredPayment
	for d := -2; d <= 0; d++ {
		start := today.AddDate(0, 0, d)
		for _, p := range day {
			p.CreatedAt = start.Add(p.CreatedAt.Sub(time.Time{}))
			if p.CreatedAt.After(time.Now()) {
				continue
			}
			p.MerchantReference = demo.OrderID()
			ps = append(ps, p)
		}
	}
	_, err := srv.AddPayments(ps...)
	return len(ps), err
}
