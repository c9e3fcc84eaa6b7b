package main

import (
	"errors"
	"flag"
	"fmt"
	"iter"
	"strconv"
	"time"

	"github.com/kronor-io/kronor-go/captures"
	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/refunds"
	"github.com/kronor-io/kronor-go/sessions"
	"github.com/kronor-io/kronor-go/subscriptions"
)

func (a *app) watch(args []string) error {
	var capture, release bool
	fs := a.flagSet("watch", func(fs *flag.FlagSet) {
		fmt.Fprintln(fs.Output(), `Usage: kronor watch WAIT_TOKEN
       kronor watch --capture CAPTURE_ID
       kronor watch --release RELEASE_ID

Prints the statuses of a payment (or of a refund, by its wait token), a capture
or a release as they change, from the first, until it ends. Exit status 0 when
it succeeded, 1 when it failed.`)
	})
	fs.BoolVar(&capture, "capture", false, "the argument is a capture's id")
	fs.BoolVar(&release, "release", false, "the argument is a release's id")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErrorf("watch takes one wait token or id (kronor watch -h)")
	}
	if capture && release {
		return usageErrorf("give --capture or --release, not both")
	}
	var id int64
	if capture || release {
		if id, err = parseID(pos[0], "id"); err != nil {
			return err
		}
	}
	merchant, err := a.merchant()
	if err != nil {
		return err
	}
	switch {
	case capture:
		return a.followCapture(merchant, id, "")
	case release:
		return a.followRelease(merchant, id)
	}
	wt := pos[0]
	last, err := a.follow(merchant, wt)
	if errors.Is(err, client.ErrNotFound) && last.Status == "" {
		// Not a payment request's: a refund's?
		if _, rerr := refunds.Get(a.ctx, merchant, wt); rerr == nil {
			return a.followRefund(merchant, wt, "")
		}
		return fmt.Errorf("no payment or refund has the wait token %s: %w", wt, err)
	}
	if err != nil {
		return err
	}
	return a.ended(last)
}

func parseID(s, what string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, usageErrorf("%s %q: give the gateway's number, e.g. 1234", what, s)
	}
	return id, nil
}

// followSeq prints each status of the object kind id that seq reports, as
// it changes, until seq ends; it returns the last status. status gives a
// value's status and the time it entered it.
func followSeq[T any](a *app, kind, id string, seq iter.Seq2[T, error], status func(T) (string, time.Time)) (T, string, error) {
	var last T
	var st string
	for v, err := range seq {
		if err != nil {
			if a.ctx.Err() != nil {
				fmt.Fprintf(a.stderr, "kronor: stopped waiting; %s %s was %s, follow it with: kronor watch %s\n", kind, id, orNotSeen(st), watchArgs(kind, id))
			}
			return last, st, fmt.Errorf("following %s %s: %w", kind, id, err)
		}
		s, at := status(v)
		last, st = v, s
		a.printf("  %-26s %s", s, localTime(at))
		a.emit(map[string]any{"type": "status", kind: id, "status": s, "at": at})
	}
	return last, st, nil
}

func orNotSeen(st string) string {
	if st == "" {
		return "not seen yet"
	}
	return st
}

func watchArgs(kind, id string) string {
	if kind == "refund" {
		return id
	}
	return "--" + kind + " " + id
}

// merchantWatcher returns a watcher of the merchant token, logging with -v.
func (a *app) merchantWatcher(merchant *client.Client) (*subscriptions.MerchantWatcher, error) {
	return subscriptions.NewMerchantWatcher(merchant, a.watcherOptions()...)
}

// followCapture follows capture id of a payment in currency ("": unknown).
func (a *app) followCapture(merchant *client.Client, id int64, currency sessions.Currency) error {
	w, err := a.merchantWatcher(merchant)
	if err != nil {
		return err
	}
	defer w.Close()
	c, st, err := followSeq(a, "capture", strconv.FormatInt(id, 10), w.WatchCapture(a.ctx, id),
		func(c captures.Capture) (string, time.Time) { return string(c.Status), c.StatusEnteredAt })
	if err != nil {
		return err
	}
	if !c.Status.Succeeded() {
		return failedf("capture %d ended %s%s", id, st, because(c.ErrorMessage))
	}
	a.printf("Captured: %s, payment id %d", a.amountText(merchant, c.Amount, c.PaymentID, currency), c.PaymentID)
	return nil
}

func (a *app) followRelease(merchant *client.Client, id int64) error {
	w, err := a.merchantWatcher(merchant)
	if err != nil {
		return err
	}
	defer w.Close()
	r, st, err := followSeq(a, "release", strconv.FormatInt(id, 10), w.WatchRelease(a.ctx, id),
		func(r captures.TransactionRelease) (string, time.Time) {
			var at time.Time
			for _, h := range r.StatusHistory {
				if h.Status == r.Status {
					at = h.EnteredAt
				}
			}
			return string(r.Status), at
		})
	if err != nil {
		return err
	}
	switch {
	case r.Status.Ambiguous():
		return failedf("release %d is %s: its outcome is unknown until Kronor resolves it; do not release again, contact Kronor's support", id, st)
	case !r.Status.Succeeded():
		return failedf("release %d ended %s", id, st)
	}
	a.printf("Released: payment id %d", r.PaymentID)
	return nil
}

// followRefund follows the refund wt of a payment in currency ("": unknown).
func (a *app) followRefund(merchant *client.Client, wt string, currency sessions.Currency) error {
	w, err := a.merchantWatcher(merchant)
	if err != nil {
		return err
	}
	defer w.Close()
	r, st, err := followSeq(a, "refund", wt, w.WatchRefund(a.ctx, wt),
		func(r refunds.Refund) (string, time.Time) { return string(r.Status), r.StatusEnteredAt })
	if err != nil {
		return err
	}
	switch {
	case r.Status.Ambiguous():
		return failedf("refund %s is %s: its outcome is unknown until Kronor resolves it; do not refund again, contact Kronor's support", wt, st)
	case !r.Status.Succeeded():
		return failedf("refund %s ended %s%s", wt, st, because(r.ErrorMessage))
	}
	a.printf("Refunded: %s, payment id %d", a.amountText(merchant, r.Amount, r.PaymentID, currency), r.PaymentID)
	return nil
}

func because(msg string) string {
	if msg == "" {
		return ""
	}
	return ": " + msg
}

// amountText formats an amount of minor units of payment paymentID's currency,
// reading the payment when the currency is not known yet.
func (a *app) amountText(merchant *client.Client, minor, paymentID int64, currency sessions.Currency) string {
	if currency == "" && !a.g.json {
		p, err := payments.Get(a.ctx, merchant, paymentID)
		if err != nil {
			return strconv.FormatInt(minor, 10) + " (minor units)"
		}
		currency = p.Currency
	}
	return formatAmount(minor, currency) + " " + string(currency)
}
