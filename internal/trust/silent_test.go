package trust

import (
	"context"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/internal/testsupport"
	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/sessions"
	"github.com/kronor-io/kronor-go/subscriptions"
)

// TestSilentWebSocketThroughProxy: a watcher's websocket goes silent at the
// TCP level while a payment is waited for (a byte-level proxy keeps both
// connections open and drops every byte the gateway sends: the outcome,
// the keep-alives, any close), and the wait still ends with the outcome:
// the watcher notices the silence by its read timeout and reads the
// payment again.
func TestSilentWebSocketThroughProxy(t *testing.T) {
	p := newProxied(t, []kronortest.Option{kronortest.WithKeepAlive(50 * time.Millisecond)})
	srv, px := p.srv, p.px
	w, err := subscriptions.NewWatcher(p.client(t),
		subscriptions.WithReadTimeout(500*time.Millisecond),
		subscriptions.WithPollInterval(50*time.Millisecond),
		subscriptions.WithReconnectBackoff(10*time.Millisecond, 100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.Close() })

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	order := "silent-1"
	s, err := sessions.Create(ctx, p.direct, proxySessionParams(order))
	if err != nil {
		t.Fatal(err)
	}
	started, err := payments.Swish(ctx, s.Client(p.direct), payments.SwishParams{Redirect: payments.Redirect{ReturnURL: returnURL}})
	if err != nil {
		t.Fatal(err)
	}
	type waited struct {
		req payments.Request
		err error
	}
	done := make(chan waited, 1)
	go func() {
		r, err := w.Wait(ctx, started.WaitToken)
		done <- waited{r, err}
	}()
	// Once the wait is subscribed on the websocket, the websocket goes
	// silent, then the customer pays.
	if !testsupport.Eventually(20*time.Second, func() bool { st := w.Stats(); return st.Connected && st.Subscriptions == 1 }) {
		t.Fatalf("the wait was not subscribed: %+v", w.Stats())
	}
	if n := px.SilenceWebSockets(); n != 1 {
		t.Fatalf("silenced %d websockets, want the watcher's one", n)
	}
	if err := srv.Approve(started.WaitToken); err != nil {
		t.Fatal(err)
	}
	var wd waited
	select {
	case wd = <-done:
	case <-ctx.Done():
		t.Fatalf("the wait did not end: watcher %+v, proxy %v", w.Stats(), px.Stats())
	}
	if wd.err != nil || wd.req.Status != payments.StatusPaid || wd.req.ResultingPaymentID == 0 {
		t.Fatalf("Wait = %s with payment %d, %v; want PAID with a payment", wd.req.Status, wd.req.ResultingPaymentID, wd.err)
	}
	if ps := px.Stats(); ps.Dropped == 0 || ps.Silenced != 1 {
		t.Errorf("proxy %v, %d bytes dropped: want the silent socket to have swallowed the gateway's messages", ps, ps.Dropped)
	}
	if got, want := srv.Counts(order), (kronortest.Counts{Sessions: 1, PaymentRequests: 1, Payments: 1}); got != want {
		t.Errorf("the gateway holds %+v, want %+v", got, want)
	}
}
