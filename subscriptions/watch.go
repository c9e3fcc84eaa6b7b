package subscriptions

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/kronor-io/kronor-go/client"
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
// fails (after the client's retries), Wait returns the request and a
// [*ChargeCheckError] (errors.Is with [ErrChargeUnchecked]): the order is
// paid, and whether it was paid twice is to be checked again. See
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
	w.watchRequest(ctx, waitToken, func(batch []payments.Request, err error) bool {
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
		return &ChargeCheckError{Request: req, Err: err}
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
//
// A malformed wait token is a *client.ValidationError, the sequence's one
// element, and nothing is sent.
func (w *Watcher) Watch(ctx context.Context, waitToken string) iter.Seq2[payments.Request, error] {
	var v validate.Collector
	id := v.UUID("waitToken", waitToken)
	return watchSeq(ctx, w, requestKind, tokenKey(id), v.Err())
}

// watchSeq is the sequence of a Watch method: invalid, when not nil, alone;
// else the object k's statuses one by one (see follow).
func watchSeq[T any](ctx context.Context, w *Watcher, kd *kind[T], k key, invalid error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		if invalid != nil {
			yield(zero, invalid)
			return
		}
		follow(ctx, w, kd, k, func(batch []T, err error) bool {
			if err != nil {
				return yield(zero, err)
			}
			for _, v := range batch {
				if !yield(v, nil) {
					return false
				}
			}
			return true
		})
	}
}

// watchRequest follows the payment request identified by waitToken (see
// follow).
func (w *Watcher) watchRequest(ctx context.Context, waitToken string, yield func([]payments.Request, error) bool) {
	var v validate.Collector
	id := v.UUID("waitToken", waitToken)
	if err := v.Err(); err != nil {
		yield(nil, err)
		return
	}
	follow(ctx, w, requestKind, tokenKey(id), yield)
}

// follow follows the object k of kind kd and hands yield its statuses in
// batches, each ending with the object's status as last read, until a
// batch ends with an end (see kind.ends), an error (handed alone, last), or
// yield returns false.
func follow[T any](ctx context.Context, w *Watcher, kd *kind[T], k key, yield func([]T, error) bool) {
	if w.isClosed() {
		yield(nil, ErrClosed)
		return
	}

	// The first read is over HTTP: it tells an unknown object apart and
	// returns at once for one that already ended. Close ends it too.
	rctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(w.ctx, cancel)
	w.httpReads.Add(1)
	rows, err := kd.read(rctx, w.c, []key{k})
	stop()
	cancel()
	if err != nil {
		switch {
		case ctx.Err() != nil:
			err = contextError(ctx, kd.noun, k)
		case w.ctx.Err() != nil:
			err = ErrClosed
		default:
			err = fmt.Errorf("subscriptions: reading %s %s: %w", kd.noun, k, err)
		}
		yield(nil, err)
		return
	}
	i := slices.IndexFunc(rows, func(r row[T]) bool { return r.key == k })
	if i < 0 {
		yield(nil, fmt.Errorf("subscriptions: %s %s %w", kd.noun, k, ErrNotFound))
		return
	}
	// The statuses so far, from the first, through the same ordering as
	// every later report.
	wt := newWatch(kd, k, w.log)
	wt.apply(&rows[i])
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
				yield(nil, contextError(ctx, kd.noun, k))
			}
			return
		}
	}
}

// last follows the object k of kind kd to its end and returns it as last
// seen: the end, or with ctx's end or the watch's error, what came before.
func last[T any](ctx context.Context, w *Watcher, kd *kind[T], k key) (v T, ended bool, err error) {
	follow(ctx, w, kd, k, func(batch []T, e error) bool {
		if e != nil {
			err = e
			return false
		}
		v = batch[len(batch)-1]
		return true
	})
	if err == nil {
		ended = true
	}
	return v, ended, err
}

// deliver hands yield what the watch accepted since the last call and
// reports whether the watch goes on: false after an end, the watch's
// error, or yield returning false.
func deliver[T any](wt *watch[T], yield func([]T, error) bool) bool {
	events, end, err := wt.take()
	if len(events) > 0 && (!yield(events, nil) || end) {
		return false
	}
	if err != nil {
		yield(nil, err)
		return false
	}
	return true
}

func contextError(ctx context.Context, noun string, k key) error {
	return fmt.Errorf("subscriptions: stopped waiting for %s %s: %w", noun, k, ctx.Err())
}

// entry is a watch of any kind, as the watcher's machinery (registration,
// subscriptions, polls) handles it.
type entry interface {
	base() *watchBase
	// onData takes a subscription message's data, which the watch's caller
	// decodes (see watch.onData).
	onData(data []byte)
	// fail ends the watch with err, unless it already ended.
	fail(err error)
	// ended reports whether the watch accepts nothing more.
	ended() bool
}

// watchBase is the part of a watch that the watcher's machinery uses.
type watchBase struct {
	key    key
	kind   kindOps
	vars   map[string]any // the subscription's variables, reused on every connection
	notify chan struct{}  // capacity 1: "events, raw or err changed"
	log    *slog.Logger   // the watcher's

	// Guarded by Watcher.mu.
	subGen      uint64       // connection generation the subscription belongs to; 0 for none
	subID       string       // hasura subscription id on that connection
	subFailures atomic.Int32 // consecutive temporary subscription errors
	catchUp     bool         // lost its subscription: read once over HTTP when resubscribed
}

func (b *watchBase) base() *watchBase { return b }

// watch is the state of one wait: small, and fed by whichever source
// reports first (the subscription, a poll, a catch-up read). It has no
// goroutine of its own; the caller's goroutine drains it.
type watch[T any] struct {
	watchBase
	k *kind[T]

	mu     sync.Mutex
	raw    [][]byte // subscription data not yet decoded, in order of arrival
	last   progress // the latest status accepted
	seen   []string // every status delivered, to deliver each once
	events []T      // accepted, not yet taken
	err    error    // terminal error, set once
	done   bool     // end accepted or err set: accept nothing more
	// readySent: an event carried what kind.ready looks for.
	readySent bool
}

func newWatch[T any](kd *kind[T], k key, log *slog.Logger) *watch[T] {
	return &watch[T]{
		watchBase: watchBase{
			key:    k,
			kind:   kd,
			vars:   kd.vars(k),
			notify: make(chan struct{}, 1),
			log:    log,
		},
		k: kd,
	}
}

// onData queues a subscription message's data for the watch's caller to
// decode and apply, and wakes it. It runs on the hasura client's read loop,
// which reads every message of the connection one after another: when
// thousands of waits end together, decoding there made the read loop the
// one busy goroutine the messages queued for, while the callers' goroutines,
// each with one message to decode, can share the machine's cores. The
// watch keeps a copy of data: the client's buffers are its own.
func (wt *watch[T]) onData(data []byte) {
	wt.mu.Lock()
	if wt.done {
		wt.mu.Unlock()
		return
	}
	wt.raw = append(wt.raw, bytes.Clone(data))
	wt.mu.Unlock()
	wt.signal()
}

// decodeRaw decodes the subscription data onData queued, in order, and
// applies the rows that are this watch's. Data that does not decode is
// logged and skipped: the subscription's next message, or a poll, reports
// the object again.
func (wt *watch[T]) decodeRaw() {
	wt.mu.Lock()
	raw := wt.raw
	wt.raw = nil
	wt.mu.Unlock()
	for _, data := range raw {
		rows, err := wt.k.decode(data)
		if err != nil {
			wt.log.Warn("subscriptions: undecodable subscription data", "kind", wt.k.noun, "id", wt.key, "error", err)
			continue
		}
		for i := range rows {
			if rows[i].key == wt.key {
				wt.apply(&rows[i])
			}
		}
	}
}

// apply offers a report of the object's state from any source: the object
// as it is now, and the statuses it went through. Statuses not delivered
// before and newer than the latest delivered one are delivered, in order;
// so each status is delivered once even when the subscription and a poll
// both report it, a slow poll cannot move an object back, and a status
// that came and went unseen (during a reconnection) is still delivered,
// from the history.
func (wt *watch[T]) apply(r *row[T]) {
	wt.mu.Lock()
	defer wt.mu.Unlock()
	if wt.done {
		return
	}
	added := false
	for _, p := range wt.k.steps(r) {
		if !wt.newer(p) || slices.Contains(wt.seen, p.status) {
			continue
		}
		wt.seen = append(wt.seen, p.status)
		wt.last = p
		wt.events = append(wt.events, wt.k.stamp(r.value, p))
		added = true
	}
	if ready := wt.k.ready; ready != nil && !wt.readySent && ready(r.value) {
		// What the kind waits for besides statuses (the customer's next
		// step) came without a new status: deliver the object again, in its
		// current status, once.
		wt.readySent = true
		if !added && r.cur.status == wt.last.status && r.cur.enteredAt.Equal(wt.last.enteredAt) {
			wt.events = append(wt.events, wt.k.stamp(r.value, wt.last))
			added = true
		}
	}
	// A report may go on past an end (AUTHORIZED, then RELEASED): the watch
	// ends with the latest one.
	wt.done = wt.last.status != "" && wt.k.ends(wt.last.status)
	if added {
		wt.signal()
	}
}

// newer reports whether next comes after the latest status accepted: a
// later time, or the same time (coarse clocks, or several steps in one
// transaction) and a later step of the flow.
func (wt *watch[T]) newer(next progress) bool {
	last := wt.last
	if next.status == last.status {
		return false
	}
	switch {
	case next.enteredAt.After(last.enteredAt):
		return true
	case next.enteredAt.Before(last.enteredAt):
		return false
	}
	return wt.k.rank(next.status) >= wt.k.rank(last.status)
}

func (wt *watch[T]) fail(err error) {
	wt.decodeRaw() // what the subscription delivered before the failure comes first
	wt.mu.Lock()
	defer wt.mu.Unlock()
	if wt.done {
		return
	}
	wt.done = true
	wt.err = err
	wt.signal()
}

func (wt *watch[T]) ended() bool {
	wt.mu.Lock()
	defer wt.mu.Unlock()
	return wt.done
}

func (wt *watch[T]) signal() {
	select {
	case wt.notify <- struct{}{}:
	default:
	}
}

// take decodes the subscription data queued, and returns the events not
// yet taken, whether the last of them is an end, and the terminal error, if
// any.
func (wt *watch[T]) take() (events []T, end bool, err error) {
	wt.decodeRaw()
	wt.mu.Lock()
	defer wt.mu.Unlock()
	events = wt.events
	wt.events = nil
	return events, wt.done && wt.err == nil, wt.err
}

// isAuthError reports whether err means the token was refused.
func isAuthError(err error) bool { return errors.Is(err, client.ErrUnauthorized) }
