package main

import (
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/sessions"
)

func (a *app) list(args []string) error {
	var since, until, reference string
	var statuses []payments.Status
	var methods []payments.Method
	var currencies []sessions.Currency
	fs := a.flagSet("payments list", func(fs *flag.FlagSet) {
		fmt.Fprintln(fs.Output(), `Usage: kronor payments list [--since 24h] [--until TIME] [--status PAID] [--json]

Lists the payments created in a time range, oldest first, then their totals per
currency. TIME is a duration back from now (24h, 90m), a date (2024-05-01) or
an RFC 3339 time. --status, --method and --currency take one value or several,
separated by commas or given again.`)
	})
	fs.StringVar(&since, "since", "24h", "list payments created since TIME")
	fs.StringVar(&until, "until", "", "and before TIME (default: now, and those created while listing)")
	fs.StringVar(&reference, "reference", "", "only the payments of this merchant reference")
	fs.Func("status", "only payments in this status, e.g. PAID or AUTHORIZED", func(s string) error {
		for _, v := range splitList(s) {
			st := payments.Status(strings.ToUpper(v))
			if !st.Known() {
				return fmt.Errorf("unknown status %q", v)
			}
			statuses = append(statuses, st)
		}
		return nil
	})
	fs.Func("method", "only payments of this method, e.g. SWISH or CREDIT_CARD", func(s string) error {
		for _, v := range splitList(s) {
			methods = append(methods, payments.Method(strings.ToUpper(v)))
		}
		return nil
	})
	fs.Func("currency", "only payments in this currency", func(s string) error {
		for _, v := range splitList(s) {
			c, err := parseCurrency(v)
			if err != nil {
				return err
			}
			currencies = append(currencies, c)
		}
		return nil
	})
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("payments list takes no arguments, got %q", pos)
	}
	now := time.Now()
	f := payments.Filter{Statuses: statuses, Methods: methods, Currencies: currencies, MerchantReference: reference}
	if f.CreatedFrom, err = parseTime(since, now, "--since"); err != nil {
		return err
	}
	if until != "" {
		if f.CreatedBefore, err = parseTime(until, now, "--until"); err != nil {
			return err
		}
	}
	merchant, err := a.merchant()
	if err != nil {
		return err
	}

	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	n := 0
	for p, err := range payments.All(a.ctx, merchant, f) {
		if err != nil {
			_ = tw.Flush()
			return fmt.Errorf("listing payments: %w", err)
		}
		if n == 0 && !a.g.json {
			fmt.Fprintln(tw, "CREATED\tID\tMETHOD\tSTATUS\tAMOUNT\tREFUNDED\tREFERENCE")
		}
		n++
		a.emit(map[string]any{"type": "payment", "id": p.ID, "createdAt": p.CreatedAt, "method": p.Method,
			"status": p.Status, "amountPaid": p.AmountPaid, "amountAuthorized": p.AmountAuthorized,
			"currency": p.Currency, "refundStatus": p.RefundStatus, "merchantReference": p.MerchantReference,
			"transactionId": p.TransactionID, "cursor": p.Cursor().String()})
		if !a.g.json {
			amount := p.AmountPaid
			if amount == 0 {
				amount = p.AmountAuthorized
			}
			var refunded int64
			for _, r := range p.Refunds {
				if r.Status.Succeeded() {
					refunded += r.Amount
				}
			}
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s %s\t%s\t%s\n", localTime(p.CreatedAt), p.ID, p.Method, p.Status,
				formatAmount(amount, p.Currency), p.Currency, formatAmount(refunded, p.Currency), p.MerchantReference)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if n == 0 {
		a.printf("No payments created since %s.", localTime(f.CreatedFrom))
	}
	totals, err := payments.Totals(a.ctx, merchant, f)
	if err != nil {
		return fmt.Errorf("totals: %w", err)
	}
	for _, t := range totals {
		a.emit(map[string]any{"type": "total", "currency": t.Currency, "payments": t.Payments, "paid": t.Paid,
			"authorized": t.Authorized, "refunded": t.Refunded, "refunds": t.Refunds})
		a.printf("Total %s: %d payments, paid %s, authorized %s, refunded %s (%d refunds)", t.Currency, t.Payments,
			formatAmount(t.Paid, t.Currency), formatAmount(t.Authorized, t.Currency), formatAmount(t.Refunded, t.Currency), t.Refunds)
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// parseTime reads a duration back from now, a date or an RFC 3339 time.
func parseTime(s string, now time.Time, flagName string) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			return time.Time{}, usageErrorf("%s %s: give a duration back from now without a sign, e.g. 24h", flagName, s)
		}
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, time.Local); err == nil {
		return t, nil
	}
	return time.Time{}, usageErrorf("%s %q: give a duration back from now (24h), a date (2024-05-01) or an RFC 3339 time", flagName, s)
}
