package payments

import (
	"context"
	"errors"
	"fmt"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/api"
	"github.com/kronor-io/kronor-go/internal/validate"
)

// Charges returns the payment requests made for the order merchantReference
// that took the customer's money (Status.Succeeded: PAID, AUTHORIZED,
// PARTIALLY_CAPTURED), oldest first. With the merchant client it reads every
// session of the order, with a session client that session's.
//
// One charge is the normal end of a checkout. More than one is a duplicate:
// a customer who paid in two browser tabs, or with two methods at once,
// which the gateway does not prevent while both payments are pending. Keep
// the first, and refund (PAID) or release (AUTHORIZED) the others: see
// [Duplicates].
func Charges(ctx context.Context, c client.Caller, merchantReference string) ([]Request, error) {
	var v validate.Collector
	v.RequiredMaxLen("merchantReference", merchantReference, 64)
	if err := v.Err(); err != nil {
		return nil, err
	}
	resp, err := api.OrderPaymentRequests(ctx, c, merchantReference)
	if err != nil {
		return nil, fmt.Errorf("payments: paymentRequests of %q: %w", merchantReference, err)
	}
	var out []Request
	for i := range resp.PaymentRequests {
		r := requestFrom(&resp.PaymentRequests[i].PaymentRequestCore)
		if r.Status.Succeeded() {
			out = append(out, r)
		}
	}
	return out, nil
}

// Duplicates returns the charges to give back when an order was charged more
// than once: every charge but the first (the one to keep), or nil. Refund a
// PAID one with package refunds, release an AUTHORIZED one with
// captures.Release.
func Duplicates(charges []Request) []Request {
	if len(charges) < 2 {
		return nil
	}
	return charges[1:]
}

// StartOption adjusts how a payment is started.
type StartOption func(*startOptions)

type startOptions struct {
	cancelOthers bool
}

// CancelOtherPending makes a start first cancel the session's pending
// payment of another method (cancelPayment): the defence against a customer
// who pays in two tabs, say Swish pending in one and a card in the other.
// A pending payment of the same method is left alone: the gateway answers a
// start with the same method and parameters with that payment, which is how
// a rerun after a crash resumes it. When the other payment has moved on
// from WAITING_FOR_PAYMENT (the customer is paying it), it cannot be
// cancelled and the start is refused with [ErrOtherPaymentInProgress]: wait
// for that payment instead of starting a second one.
//
// It narrows the window without closing it: two tabs that start at the same
// moment can still both be pending. Check the end of every checkout with
// [Charges] (subscriptions.Watcher.Wait does, and reports a duplicate).
func CancelOtherPending() StartOption {
	return func(o *startOptions) { o.cancelOthers = true }
}

// ErrOtherPaymentInProgress is returned, wrapped in an [*InProgressError],
// by a start with [CancelOtherPending] when the session has a payment of
// another method that is under way and can no longer be cancelled.
var ErrOtherPaymentInProgress = errors.New("payments: another payment of the session is in progress")

// InProgressError reports the payment that stopped a start with
// [CancelOtherPending]: nothing was started. Follow Request (its WaitToken)
// until it ends; start another payment only if it fails.
type InProgressError struct {
	// Request is the other payment, as last read.
	Request Request
}

// Error names the other payment and its status.
func (e *InProgressError) Error() string {
	return fmt.Sprintf("payments: not started: the session's %s payment %s is %s and can no longer be cancelled; wait for it to end",
		e.Request.Method, e.Request.WaitToken, e.Request.Status)
}

// Unwrap returns [ErrOtherPaymentInProgress].
func (e *InProgressError) Unwrap() error { return ErrOtherPaymentInProgress }

// prepare applies the start options before a payment of method m is started.
func prepare(ctx context.Context, c *client.Session, m Method, opts []StartOption) error {
	var o startOptions
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	if !o.cancelOthers {
		return nil
	}
	reqs, err := List(ctx, c)
	if err != nil {
		return fmt.Errorf("payments: not started: reading the session's payments: %w", err)
	}
	waiting, busy := others(reqs, m)
	if busy != nil {
		return busy
	}
	if !waiting {
		return nil
	}
	if _, err := Cancel(ctx, c, CancelParams{}); err != nil {
		if errors.Is(err, client.ErrRejected) {
			// It moved on between the read and the cancel: the customer is
			// paying it.
			if latest, lerr := List(ctx, c); lerr == nil {
				if _, busy := others(latest, m); busy != nil {
					return busy
				}
			}
		}
		return fmt.Errorf("payments: not started: cancelling the session's other pending payment: %w", err)
	}
	return nil
}

// others sorts out the session's payments of methods other than m that have
// not ended: waiting reports one still WAITING_FOR_PAYMENT (cancellable), and
// busy is the first that has moved on from it (no longer cancellable), or nil.
func others(reqs []Request, m Method) (waiting bool, busy *InProgressError) {
	for _, r := range reqs {
		switch {
		case r.Status.Final() || r.Method == m:
		case r.Status == StatusWaitingForPayment:
			waiting = true
		default:
			return waiting, &InProgressError{Request: r}
		}
	}
	return waiting, nil
}
