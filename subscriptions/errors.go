package subscriptions

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	graphql "github.com/hasura/go-graphql-client"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/conninfo"
	"github.com/kronor-io/kronor-go/internal/convert"
	"github.com/kronor-io/kronor-go/internal/statustable"
	"github.com/kronor-io/kronor-go/payments"
)

// Targets for [errors.Is] on the errors of the waits.
var (
	// ErrNotFound: the gateway has no payment request with that wait token
	// (visible to the watcher's token). It is the same value as
	// payments.ErrNotFound (and the other packages' ErrNotFound).
	ErrNotFound = convert.ErrNotFound

	// ErrDeclined: the payment request ended DECLINED.
	ErrDeclined = errors.New("subscriptions: payment declined")
	// ErrCancelled: the payment request ended CANCELLED.
	ErrCancelled = errors.New("subscriptions: payment cancelled")
	// ErrFailed: the payment request ended in ERROR (a technical failure, or
	// the customer never paid before the request expired); or a capture,
	// release or refund ended in ERROR.
	ErrFailed = errors.New("subscriptions: failed")
	// ErrCaptureDeclined: the payment request ended CAPTURE_DECLINED, or a
	// capture did: the card was declined at capture.
	ErrCaptureDeclined = errors.New("subscriptions: capture declined")
	// ErrCooldown: a capture ended CAPTURE_COOLDOWN (too many partial
	// captures of the payment in a short time, at some providers): capture
	// again after [CaptureError.RetryAt].
	ErrCooldown = errors.New("subscriptions: capture in cooldown")
	// ErrAmbiguous: a release or refund may or may not have reached the
	// provider (RELEASE_AMBIGUOUS, REFUND_AMBIGUOUS). Kronor resolves it by
	// hand: do not release or refund again.
	ErrAmbiguous = errors.New("subscriptions: outcome ambiguous, to be resolved by Kronor")
	// ErrReleased: the payment request was already RELEASED (an
	// authorization released without capture) when it was watched.
	ErrReleased = errors.New("subscriptions: authorization released")

	// ErrDuplicateCharge: the payment succeeded, and so did another payment
	// request of the same order: the customer was charged more than once.
	// See [DuplicateChargeError].
	ErrDuplicateCharge = errors.New("subscriptions: order charged more than once")

	// ErrChargeUnchecked: the payment succeeded, but reading the order's
	// other charges failed, so a second charge may have gone unseen. See
	// [ChargeCheckError].
	ErrChargeUnchecked = errors.New("subscriptions: the order's other charges could not be checked")

	// ErrClosed: the watcher was closed.
	ErrClosed = errors.New("subscriptions: watcher closed")

	errNilClient = errors.New("subscriptions: nil client")
)

// DuplicateChargeError is the error [Watcher.Wait] returns, with the
// request, when the payment succeeded and the order has other successful
// payment requests. The order is paid: ship it once, keep the first charge,
// and give back the others (payments.Duplicates(Charges)): refund a PAID one
// (package refunds), release an AUTHORIZED one (captures.Release).
type DuplicateChargeError struct {
	// Request is the payment request that was waited for; it succeeded.
	Request payments.Request
	// Charges are the order's successful payment requests, oldest first,
	// Request among them.
	Charges []payments.Request
}

// Error names the order and the charges to give back.
func (e *DuplicateChargeError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "subscriptions: payment request %s ended %s, and order %q was charged %d times; keep %s, give back",
		e.Request.WaitToken, e.Request.Status, e.Request.Reference, len(e.Charges), e.Charges[0].WaitToken)
	const most = 5
	dups := payments.Duplicates(e.Charges)
	for i, c := range dups[:min(len(dups), most)] {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, " %s (%s, payment %d)", c.WaitToken, c.Status, c.ResultingPaymentID)
	}
	if len(dups) > most {
		fmt.Fprintf(&b, " and %d more", len(dups)-most)
	}
	return b.String()
}

// Unwrap returns [ErrDuplicateCharge].
func (e *DuplicateChargeError) Unwrap() error { return ErrDuplicateCharge }

// ChargeCheckError is the error [Watcher.Wait] returns, with the request,
// when the payment succeeded but the read of the order's charges that
// checks it is the only one failed. The order is paid: fulfil it. Whether
// it was also paid twice is not known yet: check again, with
// payments.Charges(ctx, c, Request.Reference) or another Wait for the same
// wait token (both only read, so they are safe to repeat), until the read
// succeeds. errors.Is matches it with [ErrChargeUnchecked] and with what
// the read failed with (client.ErrTemporary, a context's error, ...).
type ChargeCheckError struct {
	// Request is the payment request that was waited for; it succeeded.
	Request payments.Request
	// Err is why the order's charges could not be read.
	Err error
}

// Error says that the payment succeeded, that the check failed and why, and
// what to do.
func (e *ChargeCheckError) Error() string {
	return fmt.Sprintf("subscriptions: payment request %s ended %s (payment %d); checking order %q for another charge failed, check it again with payments.Charges: %v",
		e.Request.WaitToken, e.Request.Status, e.Request.ResultingPaymentID, e.Request.Reference, e.Err)
}

// Unwrap returns [ErrChargeUnchecked] and the read's error.
func (e *ChargeCheckError) Unwrap() []error { return []error{ErrChargeUnchecked, e.Err} }

// StatusError is the error [Watcher.Wait] returns when the payment request
// reaches a final status other than PAID or AUTHORIZED. It carries the
// request as last seen. errors.Is matches it with [ErrDeclined],
// [ErrCancelled], [ErrFailed], [ErrCaptureDeclined] or [ErrReleased],
// according to its status.
type StatusError struct {
	// Request is the payment request in its final status.
	Request payments.Request
}

// Error says which payment request ended in which status.
func (e *StatusError) Error() string {
	return fmt.Sprintf("subscriptions: payment request %s ended %s", e.Request.WaitToken, e.Request.Status)
}

// Unwrap returns the target matching the request's status, or nil for a
// status without one.
func (e *StatusError) Unwrap() error {
	return outcomeError(statustable.Payment, string(e.Request.Status))
}

// outcomeError returns the target status s of table t matches, or nil.
func outcomeError(t map[string]statustable.Info, s string) error {
	i, _ := statustable.Of(t, s)
	return outcomeErrors[i.Outcome]
}

// outcomeErrors is the target each failed or ambiguous end matches.
var outcomeErrors = map[statustable.Outcome]error{
	statustable.Declined:        ErrDeclined,
	statustable.Cancelled:       ErrCancelled,
	statustable.Failed:          ErrFailed,
	statustable.CaptureDeclined: ErrCaptureDeclined,
	statustable.Released:        ErrReleased,
	statustable.Cooldown:        ErrCooldown,
	statustable.Ambiguous:       ErrAmbiguous,
}

// subscriptionError turns an error the hasura client handed to a
// subscription handler (the server's "error" message for that subscription,
// or GraphQL errors inside a data message) into a [*client.Error], so the
// caller classifies it with client.ErrUnauthorized, client.ErrRejected and
// client.ErrTemporary exactly like an HTTP failure. Each GraphQL error is
// read by the client's GraphQLError (conninfo), which removes c's token from every text, should
// the server echo it.
func subscriptionError(err error, c conninfo.Info, op string) *client.Error {
	var list graphql.Errors
	var one graphql.Error
	var gqlErrs []client.GraphQLError
	switch {
	case errors.As(err, &list):
		for _, e := range list {
			gqlErrs = append(gqlErrs, gqlError(c, e.Message, e.Path, e.Extensions))
		}
	case errors.As(err, &one):
		gqlErrs = append(gqlErrs, gqlError(c, one.Message, one.Path, one.Extensions))
	default:
		// The legacy protocol's error payload is one object, which the hasura
		// client does not decode: it passes the raw JSON as the error text.
		gqlErrs = parseRawErrors(err.Error(), c)
	}
	ce := &client.Error{Operation: op, Errors: gqlErrs}
	for _, g := range gqlErrs {
		if g.Temporary() {
			ce.Retryable = true
		}
	}
	return ce
}

// rawError is one GraphQL error as JSON.
type rawError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// parseRawErrors decodes an error payload the hasura client passed on as
// text: one error object, a list of them, or {"errors": [...]}. Anything
// else becomes one error carrying the text as its message. Each error is
// read by the client's GraphQLError (conninfo).
func parseRawErrors(text string, c conninfo.Info) []client.GraphQLError {
	text = strings.TrimSpace(text)
	var list []rawError
	if err := json.Unmarshal([]byte(text), &list); err != nil || len(list) == 0 {
		var wrapped struct {
			Errors []rawError `json:"errors"`
			rawError
		}
		if err := json.Unmarshal([]byte(text), &wrapped); err == nil {
			list = wrapped.Errors
			if len(list) == 0 && (wrapped.Message != "" || wrapped.Extensions != nil) {
				list = []rawError{wrapped.rawError}
			}
		}
	}
	if len(list) == 0 {
		return []client.GraphQLError{gqlError(c, text, nil, nil)}
	}
	out := make([]client.GraphQLError, 0, len(list))
	for _, e := range list {
		out = append(out, gqlError(c, e.Message, e.Path, e.Extensions))
	}
	return out
}

// unauthorizedError is the error reported to every waiter when the gateway
// refuses the websocket connection itself: a close with code 4401 or 4403,
// or a connection_error message. errors.Is(err, client.ErrUnauthorized)
// holds.
type unauthorizedError struct {
	cause error
}

func (e *unauthorizedError) Error() string {
	return "subscriptions: the gateway refused the websocket connection: " + e.cause.Error()
}

func (e *unauthorizedError) Is(target error) bool { return target == client.ErrUnauthorized }

func (e *unauthorizedError) Unwrap() error { return e.cause }

// gqlError reads one GraphQL error a server sent as the client reads its own
// (the token redacted everywhere).
func gqlError(c conninfo.Info, message string, path []any, extensions map[string]any) client.GraphQLError {
	return c.GraphQLError(message, path, extensions).(client.GraphQLError)
}
