package subscriptions

import (
	"context"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/validate"
	"github.com/kronor-io/kronor-go/payments"
)

// SessionWatcher is a [Watcher] of a payment session's token: besides
// waiting for the session's payment requests ([Watcher.Wait],
// [Watcher.Watch]) it tells the customer's next step ([SessionWatcher.NextStep]),
// which only the session token's role can read (the card page's URL, the
// Swish QR code and app link). Make one per checkout and close it when the
// checkout is done; its waits share its one websocket.
type SessionWatcher struct {
	*Watcher
}

// NewSessionWatcher returns a watcher that authenticates with the session
// client's token. It connects on the first wait. Close it when done.
func NewSessionWatcher(s *client.Session, opts ...Option) (*SessionWatcher, error) {
	if s == nil {
		return nil, errNilClient
	}
	w, err := NewWatcher(s, opts...)
	if err != nil {
		return nil, err
	}
	return &SessionWatcher{w}, nil
}

// NextStep returns, as soon as the gateway has it, what the merchant must
// show the customer to pay the started payment identified by waitToken:
// the hosted payment page's URL, the Swish QR code and app link, MobilePay's
// QR code (see [payments.NextStep]). It returns at once when the gateway
// already has it, and is driven by the watcher's subscription otherwise: no
// polling on the merchant's side.
//
// When the request ends before there is anything to show (a Swish payment
// started with the customer's number, or a payment that failed at once),
// NextStep returns the step with Ended true: with no error when the
// payment succeeded, and with a [*StatusError] (errors.Is with
// [ErrDeclined], ...) when it failed. A malformed wait token is a
// *client.ValidationError; an unknown one [ErrNotFound]; when ctx ends
// first, NextStep returns the step as last read and an error wrapping
// ctx.Err().
//
// Follow the payment to its end with [Watcher.Wait] on the same watcher
// (or a merchant one).
func (w *SessionWatcher) NextStep(ctx context.Context, waitToken string) (payments.NextStep, error) {
	var v validate.Collector
	id := v.UUID("waitToken", waitToken)
	if err := v.Err(); err != nil {
		return payments.NextStep{}, err
	}
	var (
		step payments.NextStep
		err  error
	)
	follow(ctx, w.Watcher, sessionRequestKind, tokenKey(id), func(batch []payments.Request, e error) bool {
		if e != nil {
			err = e
			return false
		}
		// The step as of the request's latest report, not of a status it
		// went through before.
		step = batch[len(batch)-1].NextStep()
		return !step.Ready() && !step.Ended()
	})
	if err == nil && step.Ended() && !step.Request.Status.Succeeded() {
		err = &StatusError{Request: step.Request}
	}
	return step, err
}
