package subscriptions

import (
	"context"
	"fmt"
	"iter"
	"time"

	"github.com/kronor-io/kronor-go/captures"
	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/validate"
	"github.com/kronor-io/kronor-go/refunds"
)

// MerchantWatcher is a [Watcher] of the merchant token: besides payment
// requests ([Watcher.Wait], [Watcher.Watch]) it follows captures, releases
// and refunds to their end, which only the merchant role can read. Every
// wait of every kind is a subscription on the watcher's one websocket, with
// the same guarantees as a payment wait: reconnection with backoff, HTTP
// polls while the websocket is down, a catch-up read once it is back, and
// Close ending everything.
//
// The waits take a *client.Client's watcher, so a session token's watcher
// cannot wait for a capture: that does not compile.
type MerchantWatcher struct {
	*Watcher
}

// NewMerchantWatcher returns a watcher that authenticates with the merchant
// client's token. It connects on the first wait, to c's endpoint with https
// replaced by wss. Close it when done.
func NewMerchantWatcher(c *client.Client, opts ...Option) (*MerchantWatcher, error) {
	if c == nil {
		return nil, errNilClient
	}
	w, err := NewWatcher(c, opts...)
	if err != nil {
		return nil, err
	}
	return &MerchantWatcher{w}, nil
}

// CaptureCooldown is how long after a capture ended CAPTURE_COOLDOWN the
// payment may be captured again: the gateway's documentation says "try
// capturing again in 24 hours".
const CaptureCooldown = 24 * time.Hour

// WaitCapture blocks until the capture identified by captureID (a
// captures.Receipt's ID) has ended and returns it: CAPTURE_DONE returns the
// capture and no error. It returns at once when the capture already ended.
//
// A capture that failed returns the capture with a [*CaptureError]:
// errors.Is with [ErrCaptureDeclined] (the card was declined: collect the
// amount by other means), [ErrCooldown] (too many partial captures at this
// provider: capture again at the error's RetryAt) or [ErrFailed] (ERROR).
// A capture id that is not positive is a *client.ValidationError naming
// captureID, and nothing is sent; an unknown capture returns
// [ErrNotFound]. When ctx ends first, WaitCapture returns the capture as
// last seen and an error wrapping ctx.Err(). Other errors are as for
// [Watcher.Wait].
func (w *MerchantWatcher) WaitCapture(ctx context.Context, captureID int64) (captures.Capture, error) {
	var v validate.Collector
	v.ID("captureID", "capture", captureID)
	if err := v.Err(); err != nil {
		return captures.Capture{}, err
	}
	c, ended, err := last(ctx, w.Watcher, captureKind, idKey(captureID))
	if !ended || c.Status.Succeeded() {
		return c, err
	}
	e := &CaptureError{Capture: c}
	if c.Status == captures.StatusCooldown {
		e.RetryAt = c.StatusEnteredAt.Add(CaptureCooldown)
	}
	return c, e
}

// WaitRelease blocks until the release identified by releaseID (a
// captures.ReleaseReceipt's ID) has ended and returns it: DONE returns the
// release and no error. It returns at once when the release already ended.
//
// A release that ended in ERROR returns the release with a
// [*ReleaseError] matching [ErrFailed]; one whose outcome is
// RELEASE_AMBIGUOUS (it may or may not have reached the provider) returns
// at once with a [*ReleaseError] matching [ErrAmbiguous]: Kronor resolves
// it by hand, so do not release again; escalate, and wait again later (a
// wait on a resolved release returns its end at once). A release id that is
// not positive is a *client.ValidationError naming releaseID, and nothing
// is sent; an unknown release returns [ErrNotFound].
func (w *MerchantWatcher) WaitRelease(ctx context.Context, releaseID int64) (captures.TransactionRelease, error) {
	var v validate.Collector
	v.ID("releaseID", "release", releaseID)
	if err := v.Err(); err != nil {
		return captures.TransactionRelease{}, err
	}
	r, ended, err := last(ctx, w.Watcher, releaseKind, idKey(releaseID))
	if !ended || r.Status.Succeeded() {
		return r, err
	}
	return r, &ReleaseError{Release: r}
}

// WaitRefund blocks until the refund identified by waitToken (a
// refunds.Receipt's WaitToken) has ended and returns it: PAID (the money is
// back with the customer) returns the refund and no error. It returns at
// once when the refund already ended. The steps on the way (INITIALIZING,
// CREATED, DEBITED, WAITING_FOR_REFUND, AWAITING_ACCOUNT_SELECTION) do not
// end the wait.
//
// A refund that ended in ERROR returns the refund with a [*RefundError]
// matching [ErrFailed]: the money was not returned. One whose outcome is
// REFUND_AMBIGUOUS returns at once with a [*RefundError] matching
// [ErrAmbiguous]: Kronor resolves it by hand, so do not refund again. A
// malformed wait token is a *client.ValidationError naming waitToken, and
// nothing is sent; an unknown refund returns [ErrNotFound].
func (w *MerchantWatcher) WaitRefund(ctx context.Context, waitToken string) (refunds.Refund, error) {
	var v validate.Collector
	id := v.UUID("waitToken", waitToken)
	if err := v.Err(); err != nil {
		return refunds.Refund{}, err
	}
	r, ended, err := last(ctx, w.Watcher, refundKind, tokenKey(id))
	if !ended || r.Status.Succeeded() {
		return r, err
	}
	return r, &RefundError{Refund: r}
}

// WatchCapture reports the statuses of the capture identified by captureID
// as they change, from its first, like [Watcher.Watch] for a payment
// request: each value is the capture with Status and StatusEnteredAt of
// that step, and a step that came and went unseen (while the websocket was
// reconnecting, or between two pushes of the gateway) is still reported, in
// its place, from the capture's status history.
//
// The sequence ends after the capture's end, whichever it is (CAPTURE_DONE
// or a failure: check Status, or use [MerchantWatcher.WaitCapture], which
// returns a failure as a [*CaptureError]), or with an error as its last
// element: a *client.ValidationError naming captureID (nothing is sent),
// [ErrNotFound], an error wrapping ctx.Err() when ctx ends, [ErrClosed], or
// the gateway's refusal. Stopping the loop early ends the watch.
func (w *MerchantWatcher) WatchCapture(ctx context.Context, captureID int64) iter.Seq2[captures.Capture, error] {
	var v validate.Collector
	v.ID("captureID", "capture", captureID)
	return watchSeq(ctx, w.Watcher, captureKind, idKey(captureID), v.Err())
}

// WatchRelease reports the statuses of the release identified by releaseID
// as they change, from its first (IN_PROGRESS), as [MerchantWatcher.WatchCapture]
// does for a capture. The sequence ends after DONE, ERROR or
// RELEASE_AMBIGUOUS (which only Kronor resolves: do not release again), or
// with an error as its last element, a *client.ValidationError naming
// releaseID among them.
func (w *MerchantWatcher) WatchRelease(ctx context.Context, releaseID int64) iter.Seq2[captures.TransactionRelease, error] {
	var v validate.Collector
	v.ID("releaseID", "release", releaseID)
	return watchSeq(ctx, w.Watcher, releaseKind, idKey(releaseID), v.Err())
}

// WatchRefund reports the statuses of the refund identified by waitToken as
// they change, from its first (INITIALIZING), through the steps on the way
// (CREATED, DEBITED, WAITING_FOR_REFUND, AWAITING_ACCOUNT_SELECTION), as
// [MerchantWatcher.WatchCapture] does for a capture. The sequence ends after
// PAID, ERROR or REFUND_AMBIGUOUS (which only Kronor resolves: do not refund
// again), or with an error as its last element, a *client.ValidationError
// naming waitToken among them.
func (w *MerchantWatcher) WatchRefund(ctx context.Context, waitToken string) iter.Seq2[refunds.Refund, error] {
	var v validate.Collector
	id := v.UUID("waitToken", waitToken)
	return watchSeq(ctx, w.Watcher, refundKind, tokenKey(id), v.Err())
}

// CaptureError is the error [MerchantWatcher.WaitCapture] returns when the
// capture failed. errors.Is matches it with [ErrCaptureDeclined],
// [ErrCooldown] or [ErrFailed], according to its status.
type CaptureError struct {
	// Capture is the capture in its final status.
	Capture captures.Capture
	// RetryAt is, for a capture in CAPTURE_COOLDOWN, when the payment may
	// be captured again: CaptureCooldown after the capture entered it. Zero
	// otherwise.
	RetryAt time.Time
}

// Error says which capture ended how, and when a cooldown ends.
func (e *CaptureError) Error() string {
	s := fmt.Sprintf("subscriptions: capture %d of payment %d ended %s", e.Capture.ID, e.Capture.PaymentID, e.Capture.Status)
	if !e.RetryAt.IsZero() {
		s += "; capture again after " + e.RetryAt.UTC().Format(time.RFC3339)
	}
	if e.Capture.ErrorMessage != "" {
		s += ": " + e.Capture.ErrorMessage
	}
	return s
}

// Unwrap returns the target matching the capture's status.
func (e *CaptureError) Unwrap() error {
	return outcomeError(captureKind.table, string(e.Capture.Status))
}

// ReleaseError is the error [MerchantWatcher.WaitRelease] returns when the
// release failed ([ErrFailed]) or its outcome is ambiguous
// ([ErrAmbiguous]).
type ReleaseError struct {
	// Release is the release in its last status.
	Release captures.TransactionRelease
}

// Error says which release ended how.
func (e *ReleaseError) Error() string {
	s := fmt.Sprintf("subscriptions: release %d of payment %d ended %s", e.Release.ID, e.Release.PaymentID, e.Release.Status)
	if e.Release.Status.Ambiguous() {
		s += ambiguousAdvice
	}
	return s
}

// Unwrap returns the target matching the release's status.
func (e *ReleaseError) Unwrap() error {
	return outcomeError(releaseKind.table, string(e.Release.Status))
}

// RefundError is the error [MerchantWatcher.WaitRefund] returns when the
// refund failed ([ErrFailed]) or its outcome is ambiguous ([ErrAmbiguous]).
type RefundError struct {
	// Refund is the refund in its last status.
	Refund refunds.Refund
}

// Error says which refund ended how.
func (e *RefundError) Error() string {
	s := fmt.Sprintf("subscriptions: refund %s of payment %d ended %s", e.Refund.WaitToken, e.Refund.PaymentID, e.Refund.Status)
	if e.Refund.Status.Ambiguous() {
		s += ambiguousAdvice
	}
	if e.Refund.ErrorMessage != "" {
		s += ": " + e.Refund.ErrorMessage
	}
	return s
}

// Unwrap returns the target matching the refund's status.
func (e *RefundError) Unwrap() error { return outcomeError(refundKind.table, string(e.Refund.Status)) }

const ambiguousAdvice = " (it may or may not have reached the provider: Kronor resolves it by hand; do not retry it)"
