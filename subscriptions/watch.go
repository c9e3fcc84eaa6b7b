package subscriptions

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/api"
	"github.com/kronor-io/kronor-go/internal/mapping"
	"github.com/kronor-io/kronor-go/internal/statustable"
	"github.com/kronor-io/kronor-go/internal/validate"
	"github.com/kronor-io/kronor-go/payments"
)

// Wait blocks until the payment request identified by waitToken is PAID or
// AUTHORIZED (or PARTIALLY_CAPTURED) and returns it, with its
// ResultingPaymentID. It returns at once when the request already is. It
// reports the request as it is when seen: one that was AUTHORIZED and has
// since been released, captured or declined at capture ends the wait
// RELEASED, PAID or CAPTURE_DECLINED, never with the AUTHORIZED it went
// through.
//
// Progress statuses (WAITING_FOR_PAYMENT, FLOW_COMPLETED, ACCEPTED, ...) do
// not end the wait. A request that ends DECLINED, CANCELLED, ERROR,
// CAPTURE_DECLINED or RELEASED returns the request with a [*StatusError]
// (errors.Is with [ErrDeclined], [ErrCancelled], [ErrFailed],
// [ErrCaptureDeclined], [ErrReleased]). An unknown wait token returns
// [ErrNotFound]. A refused token returns an error matching
// client.ErrUnauthorized. When ctx ends first, Wait returns the request as
// last seen and an error wrapping ctx.Err().
//
// When the payment succeeds, Wait reads the order's payment requests
// (payments.Charges, by the request's merchant reference) to check that
// this is the order's only charge. A customer who paid twice (two tabs, or
// two methods at once, which the gateway does not prevent while both are
// pending) gets the request and a [*DuplicateChargeError] (errors.Is with
// [ErrDuplicateCharge]) listing the charges: the order is paid, and every
// charge but the first is to be refunded or released. When that read
// fails, Wait returns the request without error and logs a warning. See
// [WithoutChargeCheck].
//
// Wait first reads the request over HTTP (with the client's retries); when
// that read fails, Wait returns its error (a *client.Error). Once the read
// succeeded, losing the websocket does not end the wait: see [Watcher].
func (w *Watcher) Wait(ctx context.Context, waitToken string) (payments.Request, error) {
	var (
		last    payments.Request
		outcome error // the watch's error, or a *StatusError for a failed end
	)
	// Each batch ends with the request's current status: a request that was
	// AUTHORIZED and has since been released ends the wait RELEASED, not
	// AUTHORIZED.
	w.watch(ctx, waitToken, func(batch []payments.Request, err error) bool {
		if err != nil {
			outcome = err
			return false
		}
		last = batch[len(batch)-1]
		if last.Status.Final() && !last.Status.Succeeded() {
			outcome = &StatusError{Request: last}
		}
		return !last.Status.Final()
	})
	if outcome == nil && !last.Status.Succeeded() {
		// watch ends only after a final status or an error.
		return last, fmt.Errorf("subscriptions: watch of %s ended without an outcome", waitToken)
	}
	if outcome == nil && !w.cfg.noChargeCheck {
		outcome = w.checkCharges(ctx, last)
	}
	return last, outcome
}

// checkCharges returns a *DuplicateChargeError when the order of req, which
// succeeded, has other successful payment requests.
func (w *Watcher) checkCharges(ctx context.Context, req payments.Request) error {
	if req.Reference == "" {
		return nil
	}
	charges, err := payments.Charges(ctx, w.c, req.Reference)
	if err != nil {
		w.log.Warn("subscriptions: the payment succeeded; checking the order's other charges failed",
			"waitToken", req.WaitToken, "reference", req.Reference, "error", err)
		return nil
	}
	if len(charges) < 2 {
		return nil
	}
	return &DuplicateChargeError{Request: req, Charges: charges}
}

// Watch reports every status the payment request identified by waitToken
// has gone through and goes through, once each and in order: a Go iterator
// for progress displays. It starts from the request's first status, as the
// gateway's status history records it, so a watch started after the
// payment moved on still reports the steps it took, and the sequence does
// not depend on when the watch began. Each element is the request as last
// read, with Status and StatusEnteredAt of that step.
//
//	for r, err := range w.Watch(ctx, waitToken) {
//		if err != nil { ... }
//		fmt.Println(r.Status)
//	}
//
// The sequence ends after a final status (see [payments.Status.Final]), or
// with an error as its last element: [ErrNotFound] for an unknown wait
// token, an error wrapping ctx.Err() when ctx ends, [ErrClosed] when the
// watcher closes, or the gateway's refusal. Stopping the loop early ends
// the watch. A status that came and went unseen (while the websocket was
// reconnecting) is still reported, in its place, from the request's status
// history; fields other than Status and StatusEnteredAt are then as of the
// later report. When the request had already moved past a final status
// before it was seen (an AUTHORIZED payment since captured or released),
// the statuses that followed are reported too, so the sequence always ends
// with the request's status as it is.
func (w *Watcher) Watch(ctx context.Context, waitToken string) iter.Seq2[payments.Request, error] {
	return func(yield func(payments.Request, error) bool) {
		w.watch(ctx, waitToken, func(batch []payments.Request, err error) bool {
			if err != nil {
				return yield(payments.Request{}, err)
			}
			for _, r := range batch {
				if !yield(r, nil) {
					return false
				}
			}
			return true
		})
	}
}

// watch follows the payment request and hands yield its statuses in
// batches, each ending with the request's status as last read, until a
// batch ends with a final status, an error (handed alone, last), or yield
// returns false.
func (w *Watcher) watch(ctx context.Context, waitToken string, yield func([]payments.Request, error) bool) {
	var v validate.Collector
	id := v.UUID("waitToken", waitToken)
	if err := v.Err(); err != nil {
		yield(nil, err)
		return
	}
	if w.isClosed() {
		yield(nil, ErrClosed)
		return
	}

	// The first read is over HTTP: it tells an unknown wait token apart and
	// returns at once for a request that already ended. Close ends it too.
	rctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(w.ctx, cancel)
	rep, found, err := w.read(rctx, id)
	stop()
	cancel()
	if err != nil {
		switch {
		case ctx.Err() != nil:
			err = contextError(ctx, waitToken)
		case w.ctx.Err() != nil:
			err = ErrClosed
		}
		yield(nil, err)
		return
	}
	if !found {
		yield(nil, fmt.Errorf("subscriptions: payment request %s %w", waitToken, ErrNotFound))
		return
	}
	// The statuses so far, from the first, through the same ordering as
	// every later report.
	wt := newWatch(id)
	wt.apply(rep)
	if !deliver(wt, yield) {
		return
	}

	if err := w.register(wt); err != nil {
		yield(nil, err)
		return
	}
	defer w.unregister(wt)

	for {
		select {
		case <-wt.notify:
			if !deliver(wt, yield) {
				return
			}
		case <-ctx.Done():
			// Deliver what arrived together with the cancellation first.
			if deliver(wt, yield) {
				yield(nil, contextError(ctx, waitToken))
			}
			return
		}
	}
}

// deliver hands yield what the watch accepted since the last call and
// reports whether the watch goes on: false after a final status, the
// watch's error, or yield returning false.
func deliver(wt *watch, yield func([]payments.Request, error) bool) bool {
	events, err := wt.take()
	if len(events) > 0 && (!yield(events, nil) || events[len(events)-1].Status.Final()) {
		return false
	}
	if err != nil {
		yield(nil, err)
		return false
	}
	return true
}

func contextError(ctx context.Context, waitToken string) error {
	return fmt.Errorf("subscriptions: stopped waiting for payment request %s: %w", waitToken, ctx.Err())
}

// watch is the state of one Watch call: small, and fed by whichever source
// reports first (the subscription, a poll, a catch-up read). It has no
// goroutine of its own; the caller's goroutine drains it.
type watch struct {
	id     uuid.UUID
	vars   map[string]any // the subscription's variables, reused on every connection
	notify chan struct{}  // capacity 1: "events or err changed"

	mu     sync.Mutex
	last   progress           // the latest status accepted
	seen   []payments.Status  // every status delivered, to deliver each once
	events []payments.Request // accepted, not yet taken
	err    error              // terminal error, set once
	done   bool               // final status accepted or err set: accept nothing more

	// Guarded by Watcher.mu.
	subGen      uint64       // connection generation the subscription belongs to; 0 for none
	subID       string       // hasura subscription id on that connection
	subFailures atomic.Int32 // consecutive temporary subscription errors
	catchUp     bool         // lost its subscription: read once over HTTP when resubscribed
}

// progress is what ordering needs of a status report.
type progress struct {
	status    payments.Status
	enteredAt time.Time
}

func newWatch(id uuid.UUID) *watch {
	return &watch{
		id:     id,
		vars:   map[string]any{"waitToken": id.String()},
		notify: make(chan struct{}, 1),
	}
}

// apply offers a report of the request's state from any source: the
// request as it is now, and the statuses it went through. Statuses not
// delivered before and newer than the latest delivered one are delivered,
// in order; so each status is delivered once even when the subscription and
// a poll both report it, a slow poll cannot move a request back, and a
// status that came and went unseen (during a reconnection) is still
// delivered, from the history.
func (wt *watch) apply(rep report) {
	wt.mu.Lock()
	defer wt.mu.Unlock()
	if wt.done {
		return
	}
	added := false
	for _, p := range rep.steps() {
		if !newer(wt.last, p) || slices.Contains(wt.seen, p.status) {
			continue
		}
		r := rep.req
		r.Status, r.StatusEnteredAt = p.status, p.enteredAt
		wt.seen = append(wt.seen, p.status)
		wt.last = p
		wt.events = append(wt.events, r)
		added = true
	}
	// A report may go on past a final status (AUTHORIZED, then RELEASED):
	// the watch ends with the latest one.
	wt.done = wt.last.status.Final()
	if added {
		wt.signal()
	}
}

// fail ends the watch with err, unless it already ended.
func (wt *watch) fail(err error) {
	wt.mu.Lock()
	defer wt.mu.Unlock()
	if wt.done {
		return
	}
	wt.done = true
	wt.err = err
	wt.signal()
}

func (wt *watch) signal() {
	select {
	case wt.notify <- struct{}{}:
	default:
	}
}

// take returns the events not yet taken and the terminal error, if any.
func (wt *watch) take() ([]payments.Request, error) {
	wt.mu.Lock()
	defer wt.mu.Unlock()
	events := wt.events
	wt.events = nil
	return events, wt.err
}

// newer reports whether next comes after last: a later time, or the same
// time (coarse clocks, or several steps in one transaction) and a later
// step of the flow.
func newer(last, next progress) bool {
	if next.status == last.status {
		return false
	}
	switch {
	case next.enteredAt.After(last.enteredAt):
		return true
	case next.enteredAt.Before(last.enteredAt):
		return false
	}
	return rank(next.status) >= rank(last.status)
}

// rank orders statuses along the payment flow, for reports with equal
// times (internal/statustable).
func rank(s payments.Status) int {
	i, _ := statustable.Of(statustable.Payment, string(s))
	return i.Rank
}

// report is what one read of the request (a subscription message or an
// HTTP read) says: the request now, and its status history.
type report struct {
	req     payments.Request
	history []api.WatchedPaymentRequestStatusHistoryCurrentPaymentStatus
}

// steps returns the statuses of the report in the order they happened,
// ending with the current one.
func (rep report) steps() []progress {
	steps := make([]progress, 0, len(rep.history)+1)
	for _, h := range rep.history {
		steps = append(steps, progress{payments.Status(h.Status), h.EnteredAt})
	}
	slices.SortStableFunc(steps, func(a, b progress) int {
		if c := a.enteredAt.Compare(b.enteredAt); c != 0 {
			return c
		}
		return rank(a.status) - rank(b.status)
	})
	cur := progress{rep.req.Status, rep.req.StatusEnteredAt}
	if n := len(steps); n == 0 || steps[n-1] != cur {
		steps = append(steps, cur)
	}
	return steps
}

// toReport converts the watched selection.
func toReport(p *api.WatchedPaymentRequest) report {
	r := mapping.PaymentRequest(&p.PaymentRequestCore).(payments.Request)
	return report{req: r, history: p.StatusHistory}
}

// read fetches the request over HTTP. found is false when the gateway has
// no row for the wait token.
func (w *Watcher) read(ctx context.Context, id uuid.UUID) (rep report, found bool, err error) {
	w.httpReads.Add(1)
	resp, err := api.PollPaymentRequest(ctx, w.c, id)
	if err != nil {
		return report{}, false, fmt.Errorf("subscriptions: reading payment request %s: %w", id, err)
	}
	for i := range resp.PaymentRequests {
		row := &resp.PaymentRequests[i].WatchedPaymentRequest
		if row.WaitToken == id {
			return toReport(row), true, nil
		}
	}
	return report{}, false, nil
}

// isAuthError reports whether err means the token was refused.
func isAuthError(err error) bool { return errors.Is(err, client.ErrUnauthorized) }
