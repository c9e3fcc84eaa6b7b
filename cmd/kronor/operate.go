package main

import (
	"flag"
	"fmt"
	"strconv"

	"github.com/kronor-io/kronor-go/captures"
	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/refunds"
	"github.com/kronor-io/kronor-go/sessions"
	"github.com/kronor-io/kronor-go/subscriptions"
)

// operate captures, releases or refunds (op) a payment.
func (a *app) operate(op string, args []string) error {
	var amountText, key, message, reference string
	var noWait bool
	fs := a.flagSet(op, func(fs *flag.FlagSet) {
		switch op {
		case "capture":
			fmt.Fprintln(fs.Output(), `Usage: kronor capture PAYMENT_ID --amount 100.00 [--idempotency-key K]

Captures all or part of an authorized card payment, then follows the capture
until it ends.`)
		case "release":
			fmt.Fprintln(fs.Output(), `Usage: kronor release PAYMENT_ID [--amount 100.00] [--idempotency-key K]

Releases the whole reservation of an authorized card payment that has not been
captured (default amount: the authorized amount), then follows the release.`)
		case "refund":
			fmt.Fprintln(fs.Output(), `Usage: kronor refund PAYMENT_ID --amount 100.00 [--message M] [--idempotency-key K]

Refunds all or part of a paid payment, then follows the refund until it ends.`)
		}
		fmt.Fprintln(fs.Output(), `
The idempotency key defaults to one derived from the operation, the payment id
and the amount, and is printed: rerunning the same command (after a crash, a
lost answer, a Ctrl-C) applies the operation once. For a second operation of
the same amount on the same payment, give a new --idempotency-key.`)
	})
	fs.StringVar(&amountText, "amount", "", "amount in the payment's currency, e.g. 100.00 or 100,56")
	fs.StringVar(&key, "idempotency-key", "", "idempotency key (default: derived from the operation, payment id and amount)")
	fs.BoolVar(&noWait, "no-wait", false, "print the receipt and do not follow the status")
	switch op {
	case "capture":
		fs.StringVar(&message, "message", "", "text on the customer's statement (optional, at most 50 characters)")
	case "refund":
		fs.StringVar(&message, "message", "Refund", "message shown to the customer")
		fs.StringVar(&reference, "reference", "", "the refund's merchant reference (optional; the gateway refuses a second refund with the same)")
	case "release":
		fs.StringVar(&reference, "reference", "", "the release's merchant reference (optional)")
	}
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErrorf("%s takes one payment id (kronor %s -h)", op, op)
	}
	id, err := parseID(pos[0], "payment id")
	if err != nil {
		return err
	}
	if amountText == "" && op != "release" {
		return usageErrorf("--amount is required, e.g. --amount 100.00")
	}
	if key != "" {
		if err := client.CheckIdempotencyKey(key); err != nil {
			return fmt.Errorf("--idempotency-key: %w", err)
		}
	}
	merchant, err := a.merchant()
	if err != nil {
		return err
	}
	// The payment's currency says what the amount means.
	p, err := payments.Get(a.ctx, merchant, id)
	if err != nil {
		return fmt.Errorf("payment %d: %w", id, err)
	}
	var amount int64
	if amountText == "" {
		amount = p.AmountAuthorized
	} else if amount, err = parseAmount(amountText, sessions.Currency(p.Currency)); err != nil {
		return err
	}
	derived := key == ""
	if derived {
		key = client.DeriveIdempotencyKey("kronor-cli", op, strconv.FormatInt(id, 10), strconv.FormatInt(amount, 10))
	}
	money := formatAmount(amount, p.Currency) + " " + string(p.Currency)
	// The rerun gives the key with every parameter again (--message,
	// --reference): the key with other parameters is an idempotency conflict.
	flags, note := a.rerunFlags(fs, "amount", "idempotency-key")
	a.rerun = fmt.Sprintf("kronor %s %d --amount %s --idempotency-key %s", op, id, formatAmount(amount, p.Currency), key) + flags
	a.rerunNote = note
	if derived {
		a.printf("Idempotency key: %s (derived from %s, payment %d, %s: rerunning this command applies it once)", key, op, id, money)
	} else {
		a.printf("Idempotency key: %s", key)
	}

	switch op {
	case "capture":
		r, err := captures.Create(a.ctx, merchant, captures.Params{Amount: amount, PaymentID: id, Message: message,
			GeneratedFrom: "kronor-cli", IdempotencyKey: key})
		if err != nil {
			return fmt.Errorf("capture of payment %d: %w", id, err)
		}
		a.printf("Capture %d of %s registered (payment %d)", r.ID, money, id)
		a.emit(map[string]any{"type": "capture", "id": r.ID, "transactionId": r.TransactionID, "paymentId": id,
			"amount": amount, "currency": p.Currency, "idempotencyKey": r.IdempotencyKey})
		if noWait {
			return nil
		}
		return a.withMerchantWatcher(merchant, func(w *subscriptions.MerchantWatcher) error {
			return a.followCapture(merchant, w, r.ID, p.Currency)
		})
	case "release":
		r, err := captures.Release(a.ctx, merchant, captures.ReleaseParams{Amount: amount, PaymentID: id,
			MerchantReference: reference, GeneratedFrom: "kronor-cli", IdempotencyKey: key})
		if err != nil {
			return fmt.Errorf("release of payment %d: %w", id, err)
		}
		a.printf("Release %d of %s registered (payment %d)", r.ID, money, id)
		a.emit(map[string]any{"type": "release", "id": r.ID, "paymentId": id,
			"amount": amount, "currency": p.Currency, "idempotencyKey": r.IdempotencyKey})
		if noWait {
			return nil
		}
		return a.withMerchantWatcher(merchant, func(w *subscriptions.MerchantWatcher) error {
			return a.followRelease(w, r.ID)
		})
	default:
		r, err := refunds.Create(a.ctx, merchant, refunds.Params{Amount: amount, PaymentID: id, Message: message,
			MerchantReference: reference, GeneratedFrom: "kronor-cli", IdempotencyKey: key})
		if err != nil {
			return fmt.Errorf("refund of payment %d: %w", id, err)
		}
		a.printf("Refund %s of %s registered (payment %d)", r.WaitToken, money, id)
		a.emit(map[string]any{"type": "refund", "waitToken": r.WaitToken, "transactionId": r.TransactionID, "paymentId": id,
			"amount": amount, "currency": p.Currency, "idempotencyKey": r.IdempotencyKey})
		if noWait {
			return nil
		}
		return a.withMerchantWatcher(merchant, func(w *subscriptions.MerchantWatcher) error {
			return a.followRefund(merchant, w, r.WaitToken, p.Currency)
		})
	}
}
