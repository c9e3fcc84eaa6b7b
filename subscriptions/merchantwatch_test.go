package subscriptions_test

import (
	"context"
	"errors"
	"iter"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/kronor-io/kronor-go/captures"
	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/refunds"
	"github.com/kronor-io/kronor-go/subscriptions"
)

// collect runs a Watch loop in a goroutine: each status goes to steps, the
// sequence's error (nil when it ended with the object's end) to end.
func collect[T any](seq iter.Seq2[T, error], status func(T) string) (steps <-chan string, end <-chan error) {
	st, e := make(chan string, 16), make(chan error, 1)
	go func() {
		var err error
		for v, werr := range seq {
			if werr != nil {
				err = werr
				break
			}
			st <- status(v)
		}
		close(st)
		e <- err
	}()
	return st, e
}

// next receives the next status reported, or fails after 10 s.
func next(t *testing.T, steps <-chan string) string {
	t.Helper()
	select {
	case s, ok := <-steps:
		if !ok {
			t.Fatal("the watch ended early")
		}
		return s
	case <-time.After(10 * time.Second):
		t.Fatal("no status reported within 10s")
		return ""
	}
}

// rest receives the statuses until the watch ends, and its error.
func rest(t *testing.T, steps <-chan string, end <-chan error) ([]string, error) {
	t.Helper()
	var got []string
	deadline := time.After(10 * time.Second)
	for {
		select {
		case s, ok := <-steps:
			if !ok {
				return got, <-end
			}
			got = append(got, s)
		case <-deadline:
			t.Fatalf("the watch did not end within 10s; so far %v", got)
		}
	}
}

// A refund's watch reports every status of its walk in order, those the
// gateway pushed and those a settlement walked in one go (read from the
// status history), and ends at PAID with no error.
func TestWatchRefundReportsEveryStep(t *testing.T) {
	protocols(t, func(t *testing.T, p subscriptions.Protocol) {
		g := newGateway(t, kronortest.WithManualSettlement())
		paymentID := g.paid(t)
		g.srv.ScriptRefund(kronortest.OutcomePending)
		token := g.refund(t, paymentID)
		w := merchantWatcher(t, g.merchant, fast(subscriptions.WithProtocol(p))...)
		steps, end := collect(w.WatchRefund(context.Background(), token), func(r refunds.Refund) string { return string(r.Status) })
		if s := next(t, steps); s != string(refunds.StatusInitializing) {
			t.Fatalf("first status %s, want INITIALIZING", s)
		}
		subscribed(t, w, 1)
		g.srv.Settle()
		if s := next(t, steps); s != string(refunds.StatusWaitingForRefund) {
			t.Fatalf("after the first settlement %s, want WAITING_FOR_REFUND", s)
		}
		g.srv.Settle() // CREATED, DEBITED, PAID in one go
		got, err := rest(t, steps, end)
		if want := []string{"CREATED", "DEBITED", "PAID"}; err != nil || !slices.Equal(got, want) {
			t.Fatalf("then %v, %v; want %v and the end", got, err, want)
		}
		subscribed(t, w, 0)
	})
}

// A capture's and a release's watches end at their end, a failed one too
// (as a value: the Wait methods make it an error), and one that already
// ended reports its path at once.
func TestWatchCaptureAndReleaseEnd(t *testing.T) {
	g := newGateway(t, kronortest.WithManualSettlement())
	w := merchantWatcher(t, g.merchant, fast()...)
	ctx := context.Background()
	captureStatus := func(c captures.Capture) string { return string(c.Status) }

	g.srv.ScriptCapture(kronortest.OutcomeDeclined)
	declined := g.capture(t, g.authorized(t))
	steps, end := collect(w.WatchCapture(ctx, declined), captureStatus)
	if s := next(t, steps); s != string(captures.StatusCapturing) {
		t.Fatalf("first status %s, want CAPTURING", s)
	}
	subscribed(t, w, 1)
	g.srv.Settle()
	if got, err := rest(t, steps, end); err != nil || !slices.Equal(got, []string{"CAPTURE_DECLINED"}) {
		t.Fatalf("declined capture: then %v, %v", got, err)
	}

	done := g.capture(t, g.authorized(t))
	released := g.release(t, g.authorized(t))
	g.srv.Settle()
	steps, end = collect(w.WatchCapture(ctx, done), captureStatus)
	if got, err := rest(t, steps, end); err != nil || !slices.Equal(got, []string{"CAPTURING", "CAPTURE_DONE"}) {
		t.Fatalf("settled capture: %v, %v", got, err)
	}
	steps, end = collect(w.WatchRelease(ctx, released), func(r captures.TransactionRelease) string { return string(r.Status) })
	if got, err := rest(t, steps, end); err != nil || !slices.Equal(got, []string{"IN_PROGRESS", "DONE"}) {
		t.Fatalf("settled release: %v, %v", got, err)
	}
}

// Stopping a watch's loop early ends its subscription.
func TestWatchRefundStopsWithTheLoop(t *testing.T) {
	g := newGateway(t, kronortest.WithManualSettlement())
	token := g.refund(t, g.paid(t))
	w := merchantWatcher(t, g.merchant, fast()...)
	for r, err := range w.WatchRefund(context.Background(), token) {
		if err != nil || r.Status != refunds.StatusInitializing {
			t.Fatalf("first %+v, %v", r, err)
		}
		break
	}
	if s := w.Stats(); s.Watches != 0 {
		t.Fatalf("stats %+v after the loop stopped, want no watch", s)
	}
}

// firstError returns the first error of seq, nil when it has none.
func firstError[T any](seq iter.Seq2[T, error]) error {
	for _, err := range seq {
		if err != nil {
			return err
		}
	}
	return nil
}

// Bad input is a *client.ValidationError naming the argument, with nothing
// sent; a missing object ends the watch with ErrNotFound.
func TestWatchesRejectBadInputAndMissingObjects(t *testing.T) {
	g := newGateway(t)
	w := merchantWatcher(t, g.merchant, fast()...)
	ctx := context.Background()
	capture := func(id int64) error { return firstError(w.WatchCapture(ctx, id)) }
	release := func(id int64) error { return firstError(w.WatchRelease(ctx, id)) }
	refund := func(token string) error { return firstError(w.WatchRefund(ctx, token)) }
	before := g.srv.Requests()
	check := func(name string, err error, field string) {
		t.Helper()
		var ve *client.ValidationError
		if !errors.As(err, &ve) || len(ve.Violations) != 1 || ve.Violations[0].Field != field {
			t.Errorf("%s: %v, want a *client.ValidationError naming %s", name, err, field)
		}
	}
	check("WatchCapture(0)", capture(0), "captureID")
	check("WatchRelease(-1)", release(-1), "releaseID")
	check("WatchRefund(bad)", refund("not-a-token"), "waitToken")
	if n := g.srv.Requests(); n != before {
		t.Errorf("%d requests sent for bad input", n-before)
	}
	if err := capture(987654); !errors.Is(err, subscriptions.ErrNotFound) {
		t.Errorf("WatchCapture of a missing capture: %v", err)
	}
	if err := release(987654); !errors.Is(err, subscriptions.ErrNotFound) {
		t.Errorf("WatchRelease of a missing release: %v", err)
	}
	if err := refund(uuid.NewString()); !errors.Is(err, subscriptions.ErrNotFound) {
		t.Errorf("WatchRefund of a missing refund: %v", err)
	}
}
