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
	// One watcher, so one websocket, whatever the token turns out to be.
	return a.withMerchantWatcher(merchant, func(w *subscriptions.MerchantWatcher) error {
		switch {
		case capture:
			return a.followCapture(merchant, w, id, "")
		case release:
			return a.followRelease(w, id)
		}
		wt := pos[0]
		last, err := a.follow(w.Watcher, wt)
		if errors.Is(err, client.ErrNotFound) && last.Status == "" {
			// Not a payment request's: a refund's? The refund's watch tells,
			// with its first read, before it prints anything.
			if rerr := a.followRefund(merchant, w, wt, ""); !errors.Is(rerr, client.ErrNotFound) {
				return rerr
			}
			return fmt.Errorf("no payment or refund has the wait token %s: %w", wt, err)
		}
		if err != nil {
			return err
		}
		return a.ended(last)
	})
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

// withMerchantWatcher calls f with a watcher of the merchant token, logging
// with -v, and closes the watcher once f has returned.
func (a *app) withMerchantWatcher(merchant *client.Client, f func(*subscriptions.MerchantWatcher) error) error {
	w, err := subscriptions.NewMerchantWatcher(merchant, a.watcherOptions()...)
	if err != nil {
		return err
	}
	defer w.Close()
	return f(w)
}

// followCapture follows capture id of a payment in currency ("": unknown)
// with w.
func (a *app) followCapture(merchant *client.Client, w *subscriptions.MerchantWatcher, id int64, currency sessions.Currency) error {
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

// followRelease follows release id with w.
func (a *app) followRelease(w *subscriptions.MerchantWatcher, id int64) error {
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

// followRefund follows the refund wt of a payment in currency ("": unknown)
// with w.
func (a *app) followRefund(merchant *client.Client, w *subscriptions.MerchantWatcher, wt string, currency sessions.Currency) error {
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
