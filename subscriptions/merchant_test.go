package subscriptions_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/kronor-io/kronor-go/captures"
	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/refunds"
	"github.com/kronor-io/kronor-go/subscriptions"
)

// merchantWatcher makes a merchant watcher closed at the end of the test.
func merchantWatcher(t testing.TB, c *client.Client, opts ...subscriptions.Option) *subscriptions.MerchantWatcher {
	t.Helper()
	w, err := subscriptions.NewMerchantWatcher(c, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.Close() })
	return w
}

// authorized pays a card payment of a new session and returns the
// AUTHORIZED payment's id.
func (g *gateway) authorized(t testing.TB) int64 {
	t.Helper()
	_, token := g.card(t)
	return g.approved(t, token)
}

// paid pays a Swish payment of a new session and returns the PAID
// payment's id.
func (g *gateway) paid(t testing.TB) int64 {
	t.Helper()
	_, token := g.swish(t)
	return g.approved(t, token)
}

func (g *gateway) approved(t testing.TB, token string) int64 {
	t.Helper()
	if err := g.srv.Approve(token); err != nil {
		t.Fatal(err)
	}
	d, err := payments.RequestDetails(context.Background(), g.merchant, token)
	if err != nil || d.ResultingPaymentID == 0 {
		t.Fatalf("RequestDetails = %+v, %v", d, err)
	}
	return d.ResultingPaymentID
}

func (g *gateway) capture(t testing.TB, paymentID int64) int64 {
	t.Helper()
	r, err := captures.Create(context.Background(), g.merchant, captures.Params{Amount: cardAmount, PaymentID: paymentID})
	if err != nil {
		t.Fatal(err)
	}
	return r.ID
}

func (g *gateway) release(t testing.TB, paymentID int64) int64 {
	t.Helper()
	r, err := captures.Release(context.Background(), g.merchant, captures.ReleaseParams{Amount: cardAmount, PaymentID: paymentID})
	if err != nil {
		t.Fatal(err)
	}
	return r.ID
}

func (g *gateway) refund(t testing.TB, paymentID int64) string {
	t.Helper()
	r, err := refunds.Create(context.Background(), g.merchant, refunds.Params{Amount: 3000, PaymentID: paymentID, Message: "Returned"})
	if err != nil {
		t.Fatal(err)
	}
	return r.WaitToken
}

// async runs f in a goroutine and returns its outcome channel.
func async[T any](f func() (T, error)) <-chan outcome[T] {
	ch := make(chan outcome[T], 1)
	go func() {
		v, err := f()
		ch <- outcome[T]{v, err}
	}()
	return ch
}

type outcome[T any] struct {
	v   T
	err error
}

func get[T any](t testing.TB, ch <-chan outcome[T]) outcome[T] {
	t.Helper()
	select {
	case o := <-ch:
		return o
	case <-time.After(10 * time.Second):
		t.Fatal("the wait did not end within 10s")
		return outcome[T]{}
	}
}

// subscribed waits until w has n live subscriptions.
func subscribed(t testing.TB, w interface{ Stats() subscriptions.Stats }, n int) {
	t.Helper()
	eventually(t, 5*time.Second, "the subscriptions", func() bool {
		s := w.Stats()
		return s.Connected && s.Subscriptions == n
	})
}

func TestWaitCaptureReturnsAtCaptureDone(t *testing.T) {
	protocols(t, func(t *testing.T, p subscriptions.Protocol) {
		g := newGateway(t, kronortest.WithManualSettlement())
		id := g.capture(t, g.authorized(t))
		w := merchantWatcher(t, g.merchant, fast(subscriptions.WithProtocol(p))...)
		ch := async(func() (captures.Capture, error) { return w.WaitCapture(context.Background(), id) })
		subscribed(t, w, 1)
		select {
		case o := <-ch:
			t.Fatalf("the wait ended before the capture settled: %+v, %v", o.v, o.err)
		default:
		}
		g.srv.Settle()
		o := get(t, ch)
		if o.err != nil || o.v.ID != id || o.v.Status != captures.StatusDone || o.v.Amount != cardAmount {
			t.Fatalf("WaitCapture = %+v, %v", o.v, o.err)
		}
		if s := w.Stats(); s.Connections != 1 {
			t.Errorf("stats %+v: want one websocket", s)
		}
	})
}

func TestWaitCaptureFailures(t *testing.T) {
	for _, tc := range []struct {
		outcome kronortest.Outcome
		status  captures.Status
		target  error
	}{
		{kronortest.OutcomeDeclined, captures.StatusDeclined, subscriptions.ErrCaptureDeclined},
		{kronortest.OutcomeCooldown, captures.StatusCooldown, subscriptions.ErrCooldown},
		{kronortest.OutcomeError, captures.StatusError, subscriptions.ErrFailed},
	} {
		t.Run(tc.outcome.String(), func(t *testing.T) {
			g := newGateway(t, kronortest.WithManualSettlement())
			g.srv.ScriptCapture(tc.outcome)
			id := g.capture(t, g.authorized(t))
			w := merchantWatcher(t, g.merchant, fast()...)
			ch := async(func() (captures.Capture, error) { return w.WaitCapture(context.Background(), id) })
			subscribed(t, w, 1)
			g.srv.Settle()
			o := get(t, ch)
			var ce *subscriptions.CaptureError
			if !errors.Is(o.err, tc.target) || !errors.As(o.err, &ce) {
				t.Fatalf("WaitCapture error %v, want a *CaptureError matching %v", o.err, tc.target)
			}
			if o.v.Status != tc.status || ce.Capture.ID != id || ce.Capture.Status != tc.status {
				t.Fatalf("capture %+v, error's %+v; want %s", o.v, ce.Capture, tc.status)
			}
			if tc.status == captures.StatusCooldown {
				if want := o.v.StatusEnteredAt.Add(24 * time.Hour); o.v.StatusEnteredAt.IsZero() || !ce.RetryAt.Equal(want) {
					t.Fatalf("RetryAt %v, want the cooldown's start %v + 24h", ce.RetryAt, o.v.StatusEnteredAt)
				}
			} else if !ce.RetryAt.IsZero() {
				t.Fatalf("RetryAt %v for %s", ce.RetryAt, tc.status)
			}
			for _, other := range []error{subscriptions.ErrCaptureDeclined, subscriptions.ErrCooldown, subscriptions.ErrFailed} {
				if other != tc.target && errors.Is(o.err, other) {
					t.Errorf("%v also matches %v", o.err, other)
				}
			}
		})
	}
}

func TestWaitReleaseOutcomes(t *testing.T) {
	for _, tc := range []struct {
		outcome kronortest.Outcome
		status  captures.ReleaseStatus
		target  error
	}{
		{kronortest.OutcomeSuccess, captures.ReleaseDone, nil},
		{kronortest.OutcomeError, captures.ReleaseError, subscriptions.ErrFailed},
		{kronortest.OutcomeAmbiguous, captures.ReleaseAmbiguous, subscriptions.ErrAmbiguous},
	} {
		t.Run(tc.outcome.String(), func(t *testing.T) {
			g := newGateway(t, kronortest.WithManualSettlement())
			g.srv.ScriptRelease(tc.outcome)
			id := g.release(t, g.authorized(t))
			w := merchantWatcher(t, g.merchant, fast()...)
			ch := async(func() (captures.TransactionRelease, error) { return w.WaitRelease(context.Background(), id) })
			subscribed(t, w, 1)
			g.srv.Settle()
			o := get(t, ch)
			if o.v.ID != id || o.v.Status != tc.status {
				t.Fatalf("WaitRelease = %+v, %v; want %s", o.v, o.err, tc.status)
			}
			if tc.target == nil {
				if o.err != nil {
					t.Fatal(o.err)
				}
				return
			}
			var re *subscriptions.ReleaseError
			if !errors.Is(o.err, tc.target) || !errors.As(o.err, &re) || re.Release.ID != id {
				t.Fatalf("WaitRelease error %v, want a *ReleaseError matching %v", o.err, tc.target)
			}
		})
	}
}

func TestWaitRefundOutcomes(t *testing.T) {
	for _, tc := range []struct {
		outcome kronortest.Outcome
		settles int // settlements to reach the end
		status  refunds.Status
		target  error
	}{
		{kronortest.OutcomeSuccess, 1, refunds.StatusPaid, nil},
		{kronortest.OutcomePending, 2, refunds.StatusPaid, nil},
		{kronortest.OutcomeAwaitingAccount, 2, refunds.StatusPaid, nil},
		{kronortest.OutcomeError, 1, refunds.StatusError, subscriptions.ErrFailed},
		{kronortest.OutcomeAmbiguous, 1, refunds.StatusAmbiguous, subscriptions.ErrAmbiguous},
	} {
		t.Run(tc.outcome.String(), func(t *testing.T) {
			g := newGateway(t, kronortest.WithManualSettlement())
			paymentID := g.paid(t)
			g.srv.ScriptRefund(tc.outcome)
			token := g.refund(t, paymentID)
			w := merchantWatcher(t, g.merchant, fast()...)
			ch := async(func() (refunds.Refund, error) { return w.WaitRefund(context.Background(), token) })
			subscribed(t, w, 1)
			for i := range tc.settles {
				g.srv.Settle()
				if i < tc.settles-1 {
					// Not over: the refund waits at a step on the way.
					select {
					case o := <-ch:
						t.Fatalf("the wait ended at a step on the way: %+v, %v", o.v, o.err)
					case <-time.After(50 * time.Millisecond):
					}
				}
			}
			o := get(t, ch)
			if o.v.WaitToken != token || o.v.Status != tc.status {
				t.Fatalf("WaitRefund = %+v, %v; want %s", o.v, o.err, tc.status)
			}
			if tc.target == nil {
				if o.err != nil {
					t.Fatal(o.err)
				}
				return
			}
			var re *subscriptions.RefundError
			if !errors.Is(o.err, tc.target) || !errors.As(o.err, &re) || re.Refund.WaitToken != token {
				t.Fatalf("WaitRefund error %v, want a *RefundError matching %v", o.err, tc.target)
			}
		})
	}
}

// TestMerchantWaitsOnFinalObjectsReturnAtOnce: a capture, release or
// refund that already ended is read once over HTTP; no websocket opens.
func TestMerchantWaitsOnFinalObjectsReturnAtOnce(t *testing.T) {
	g := newGateway(t, kronortest.WithManualSettlement())
	g.srv.ScriptCapture(kronortest.OutcomeDeclined)
	declined := g.capture(t, g.authorized(t))
	done := g.capture(t, g.authorized(t))
	released := g.release(t, g.authorized(t))
	g.srv.Settle()
	refunded := g.refund(t, g.paid(t))
	g.srv.Settle()

	w := merchantWatcher(t, g.merchant, fast()...)
	ctx := context.Background()
	if c, err := w.WaitCapture(ctx, done); err != nil || c.Status != captures.StatusDone {
		t.Errorf("WaitCapture(done) = %+v, %v", c, err)
	}
	if c, err := w.WaitCapture(ctx, declined); !errors.Is(err, subscriptions.ErrCaptureDeclined) || c.Status != captures.StatusDeclined {
		t.Errorf("WaitCapture(declined) = %+v, %v", c, err)
	}
	if r, err := w.WaitRelease(ctx, released); err != nil || r.Status != captures.ReleaseDone {
		t.Errorf("WaitRelease = %+v, %v", r, err)
	}
	if r, err := w.WaitRefund(ctx, refunded); err != nil || r.Status != refunds.StatusPaid {
		t.Errorf("WaitRefund = %+v, %v", r, err)
	}
	if s := w.Stats(); s.Connections != 0 || s.HTTPReads != 4 || s.Watches != 0 {
		t.Errorf("stats %+v: want four reads and no websocket", s)
	}
}

func TestMerchantWaitsForMissingObjects(t *testing.T) {
	g := newGateway(t)
	w := merchantWatcher(t, g.merchant, fast()...)
	ctx := context.Background()
	if _, err := w.WaitCapture(ctx, 987654); !errors.Is(err, subscriptions.ErrNotFound) || !errors.Is(err, client.ErrNotFound) {
		t.Errorf("WaitCapture of a missing capture: %v", err)
	}
	if _, err := w.WaitRelease(ctx, 987654); !errors.Is(err, client.ErrNotFound) {
		t.Errorf("WaitRelease of a missing release: %v", err)
	}
	if _, err := w.WaitRefund(ctx, uuid.NewString()); !errors.Is(err, client.ErrNotFound) {
		t.Errorf("WaitRefund of a missing refund: %v", err)
	}
	if s := w.Stats(); s.Watches != 0 || s.Connections != 0 {
		t.Errorf("stats %+v after three misses", s)
	}
}

func TestMerchantWaitsRejectBadInput(t *testing.T) {
	g := newGateway(t)
	w := merchantWatcher(t, g.merchant, fast()...)
	ctx := context.Background()
	before := g.srv.Requests()
	check := func(name string, err error, field string) {
		t.Helper()
		var ve *client.ValidationError
		if !errors.As(err, &ve) || len(ve.Violations) != 1 || ve.Violations[0].Field != field {
			t.Errorf("%s: %v, want a *client.ValidationError naming %s", name, err, field)
		}
	}
	for _, id := range []int64{0, -1} {
		_, err := w.WaitCapture(ctx, id)
		check("WaitCapture", err, "captureID")
		_, err = w.WaitRelease(ctx, id)
		check("WaitRelease", err, "releaseID")
	}
	for _, token := range []string{"", "not-a-token", "12345678-1234-1234-1234-1234567890ab'"} {
		_, err := w.WaitRefund(ctx, token)
		check("WaitRefund", err, "waitToken")
	}
	if n := g.srv.Requests(); n != before {
		t.Errorf("%d requests sent for bad input", n-before)
	}
	if s := w.Stats(); s.HTTPReads != 0 || s.Connections != 0 {
		t.Errorf("stats %+v after bad input", s)
	}
}

// TestWaitCaptureSurvivesTheWebsocketDropping: the socket is killed while
// a capture is pending and the capture settles before it is back; the
// wait still ends, from the polls or the catch-up read.
func TestWaitCaptureSurvivesTheWebsocketDropping(t *testing.T) {
	protocols(t, func(t *testing.T, p subscriptions.Protocol) {
		g := newGateway(t, kronortest.WithManualSettlement())
		id := g.capture(t, g.authorized(t))
		refundToken := g.refund(t, g.paid(t))
		w := merchantWatcher(t, g.merchant, fast(subscriptions.WithProtocol(p))...)
		capCh := async(func() (captures.Capture, error) { return w.WaitCapture(context.Background(), id) })
		refCh := async(func() (refunds.Refund, error) { return w.WaitRefund(context.Background(), refundToken) })
		subscribed(t, w, 2)
		g.srv.CloseWebSockets()
		g.srv.Settle()
		if o := get(t, capCh); o.err != nil || o.v.Status != captures.StatusDone {
			t.Fatalf("WaitCapture = %+v, %v", o.v, o.err)
		}
		if o := get(t, refCh); o.err != nil || o.v.Status != refunds.StatusPaid {
			t.Fatalf("WaitRefund = %+v, %v", o.v, o.err)
		}
	})
}

// TestMixedWaitsShareOneWebsocket: a payment, a capture, a release and a
// refund waited for at once are four subscriptions on one websocket.
func TestMixedWaitsShareOneWebsocket(t *testing.T) {
	g := newGateway(t, kronortest.WithManualSettlement())
	capID := g.capture(t, g.authorized(t))
	relID := g.release(t, g.authorized(t))
	refToken := g.refund(t, g.paid(t))
	_, payToken := g.swish(t)
	w := merchantWatcher(t, g.merchant, fast()...)
	ctx := context.Background()
	payCh := waitAsync(ctx, w.Watcher, payToken)
	capCh := async(func() (captures.Capture, error) { return w.WaitCapture(ctx, capID) })
	relCh := async(func() (captures.TransactionRelease, error) { return w.WaitRelease(ctx, relID) })
	refCh := async(func() (refunds.Refund, error) { return w.WaitRefund(ctx, refToken) })
	subscribed(t, w, 4)
	// The fake counts a subscription once it has handled its start.
	eventually(t, 5*time.Second, "one websocket with four subscriptions on the fake", func() bool {
		return g.srv.Live() == kronortest.Live{WebSockets: 1, Subscriptions: 4}
	})
	g.srv.Settle()
	if err := g.srv.Approve(payToken); err != nil {
		t.Fatal(err)
	}
	if r := receive(t, payCh, 10*time.Second); r.err != nil || r.req.Status != payments.StatusPaid {
		t.Errorf("Wait = %+v, %v", r.req, r.err)
	}
	if o := get(t, capCh); o.err != nil || o.v.Status != captures.StatusDone {
		t.Errorf("WaitCapture = %+v, %v", o.v, o.err)
	}
	if o := get(t, relCh); o.err != nil || o.v.Status != captures.ReleaseDone {
		t.Errorf("WaitRelease = %+v, %v", o.v, o.err)
	}
	if o := get(t, refCh); o.err != nil || o.v.Status != refunds.StatusPaid {
		t.Errorf("WaitRefund = %+v, %v", o.v, o.err)
	}
	if s := w.Stats(); s.Connections != 1 {
		t.Errorf("%d websocket connections, want 1", s.Connections)
	}
	eventually(t, 5*time.Second, "the subscriptions to end", func() bool { return g.srv.Live().Subscriptions == 0 })
}

// TestCloseEndsMerchantWaits: Close ends a pending capture wait with
// ErrClosed and releases the websocket.
func TestCloseEndsMerchantWaits(t *testing.T) {
	g := newGateway(t, kronortest.WithManualSettlement())
	id := g.capture(t, g.authorized(t))
	w, err := subscriptions.NewMerchantWatcher(g.merchant, fast()...)
	if err != nil {
		t.Fatal(err)
	}
	ch := async(func() (captures.Capture, error) { return w.WaitCapture(context.Background(), id) })
	subscribed(t, w, 1)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if o := get(t, ch); !errors.Is(o.err, subscriptions.ErrClosed) || o.v.Status != captures.StatusCapturing {
		t.Fatalf("WaitCapture after Close = %+v, %v; want the capture as last seen and ErrClosed", o.v, o.err)
	}
	eventually(t, 5*time.Second, "the websocket to close", func() bool { return g.srv.Live().WebSockets == 0 })
}

// TestWaitCaptureEndsWithTheContext returns the capture as last seen.
func TestWaitCaptureEndsWithTheContext(t *testing.T) {
	g := newGateway(t, kronortest.WithManualSettlement())
	id := g.capture(t, g.authorized(t))
	w := merchantWatcher(t, g.merchant, fast()...)
	ctx, cancel := context.WithCancel(context.Background())
	ch := async(func() (captures.Capture, error) { return w.WaitCapture(ctx, id) })
	subscribed(t, w, 1)
	cancel()
	if o := get(t, ch); !errors.Is(o.err, context.Canceled) || o.v.ID != id || o.v.Status != captures.StatusCapturing {
		t.Fatalf("WaitCapture = %+v, %v", o.v, o.err)
	}
}
