package subscriptions_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/subscriptions"
)

// TestKilledWebSocketsResubscribeWithoutMultiplying kills the websocket
// under several waits again and again: each time the watcher reconnects and
// subscribes each watch exactly once (the gateway's live count equals the
// watches: no subscriptions multiplying after reconnects, hasura issue
// #164), and every wait still returns PAID.
func TestKilledWebSocketsResubscribeWithoutMultiplying(t *testing.T) {
	protocols(t, func(t *testing.T, p subscriptions.Protocol) {
		g := newGateway(t)
		w := watcher(t, g.merchant, fast(subscriptions.WithProtocol(p))...)
		const n, kills = 5, 6
		tokens := make([]string, n)
		chans := make([]<-chan result, n)
		for i := range tokens {
			_, tokens[i] = g.swish(t)
			chans[i] = waitAsync(context.Background(), w, tokens[i])
		}
		want := kronortest.Live{WebSockets: 1, Subscriptions: n}
		eventually(t, 5*time.Second, "the subscriptions", func() bool { return g.srv.Live() == want })

		for i := range kills {
			g.srv.CloseWebSockets()
			eventually(t, 5*time.Second, fmt.Sprintf("reconnection %d", i+1), func() bool {
				s := w.Stats()
				return s.Connections == int64(i+2) && s.Subscriptions == n && g.srv.Live() == want
			})
		}
		if live, s := g.srv.Live(), w.Stats(); live != want || s.Subscriptions != n || s.Watches != n {
			t.Fatalf("after %d reconnections: gateway %+v, watcher %+v; want %d subscriptions", kills, live, s, n)
		}
		for _, tok := range tokens {
			if err := g.srv.Approve(tok); err != nil {
				t.Fatal(err)
			}
		}
		for i, ch := range chans {
			if r := receive(t, ch, 5*time.Second); r.err != nil || r.req.Status != payments.StatusPaid || r.req.WaitToken != tokens[i] {
				t.Errorf("Wait = %+v, %v; want PAID", r.req, r.err)
			}
		}
		eventually(t, 5*time.Second, "the subscriptions to end", func() bool { return g.srv.Live().Subscriptions == 0 })
	})
}

// TestChangeWhileDownIsSeenByPolling: the websocket drops and cannot come
// back; the payment is approved meanwhile; polling over HTTP delivers it.
func TestChangeWhileDownIsSeenByPolling(t *testing.T) {
	protocols(t, func(t *testing.T, p subscriptions.Protocol) {
		g := newGateway(t)
		px := newProxy(t, g.srv.URL())
		_, token := g.swish(t)
		w := watcher(t, px.client(t, g.srv.MerchantToken()), fast(subscriptions.WithProtocol(p))...)
		ch := waitAsync(context.Background(), w, token)
		eventually(t, 5*time.Second, "the subscription", func() bool { return g.srv.Live().Subscriptions == 1 })

		px.refusing.Store(true)
		g.srv.CloseWebSockets()
		eventually(t, 5*time.Second, "the drop", func() bool { return !w.Stats().Connected })
		if err := g.srv.Approve(token); err != nil {
			t.Fatal(err)
		}
		r := receive(t, ch, 5*time.Second)
		if r.err != nil || r.req.Status != payments.StatusPaid {
			t.Fatalf("Wait = %+v, %v; want PAID", r.req, r.err)
		}
		// No websocket came back: the outcome came over HTTP.
		if n, live := px.accepted.Load(), g.srv.Live().WebSockets; n != 1 || live != 0 {
			t.Errorf("accepted %d websockets, %d live; want the first one only, gone", n, live)
		}
	})
}

// TestChangeWhileDownIsSeenAfterReconnecting: with polling all but off, a
// change made while the websocket was down arrives once it is back.
func TestChangeWhileDownIsSeenAfterReconnecting(t *testing.T) {
	protocols(t, func(t *testing.T, p subscriptions.Protocol) {
		g := newGateway(t)
		px := newProxy(t, g.srv.URL())
		_, token := g.bank(t)
		w := watcher(t, px.client(t, g.srv.MerchantToken()),
			subscriptions.WithProtocol(p), subscriptions.WithPollInterval(time.Hour),
			subscriptions.WithReconnectBackoff(5*time.Millisecond, 20*time.Millisecond))
		events := make(chan payments.Request, 10)
		errs := make(chan error, 1)
		go func() {
			defer close(events)
			for r, err := range w.Watch(context.Background(), token) {
				if err != nil {
					errs <- err
					return
				}
				events <- r
			}
		}()
		readCreated(t, events)
		eventually(t, 5*time.Second, "the subscription", func() bool { return g.srv.Live().Subscriptions == 1 })

		px.refusing.Store(true)
		g.srv.CloseWebSockets()
		eventually(t, 5*time.Second, "the drop", func() bool { return !w.Stats().Connected && g.srv.Live().WebSockets == 0 })
		// The whole bank transfer happens while the socket is down.
		if err := g.srv.Approve(token); err != nil {
			t.Fatal(err)
		}
		px.refusing.Store(false)

		var got []payments.Status
		for r := range events {
			got = append(got, r.Status)
		}
		want := []payments.Status{payments.StatusFlowCompleted, payments.StatusAccepted, payments.StatusPaid}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("after reconnecting Watch reported %v, want %v", got, want)
		}
		select {
		case err := <-errs:
			t.Errorf("Watch error: %v", err)
		default:
		}
		if px.accepted.Load() < 2 {
			t.Errorf("accepted %d websockets; want a reconnection", px.accepted.Load())
		}
	})
}

// TestPollAndSubscriptionReportEachStatusOnce: a status seen by polling
// while down, then again by the new subscription and the catch-up read, is
// reported once.
func TestPollAndSubscriptionReportEachStatusOnce(t *testing.T) {
	g := newGateway(t)
	px := newProxy(t, g.srv.URL())
	_, token := g.bank(t)
	w := watcher(t, px.client(t, g.srv.MerchantToken()), fast()...)
	events := make(chan payments.Request, 10)
	go func() {
		defer close(events)
		for r, err := range w.Watch(context.Background(), token) {
			if err != nil {
				t.Errorf("Watch: %v", err)
				return
			}
			events <- r
		}
	}()
	readCreated(t, events)
	eventually(t, 5*time.Second, "the subscription", func() bool { return g.srv.Live().Subscriptions == 1 })
	px.refusing.Store(true)
	g.srv.CloseWebSockets()
	if err := g.srv.Advance(token, "FLOW_COMPLETED"); err != nil {
		t.Fatal(err)
	}
	if r := <-events; r.Status != payments.StatusFlowCompleted {
		t.Fatalf("while down: %s, want FLOW_COMPLETED", r.Status)
	}
	reads := w.Stats().HTTPReads
	px.refusing.Store(false)
	eventually(t, 5*time.Second, "the reconnection and catch-up read", func() bool {
		s := w.Stats()
		return s.Connections == 2 && s.Subscriptions == 1 && s.HTTPReads > reads && g.srv.Live().Subscriptions == 1
	})
	if err := g.srv.Approve(token); err != nil {
		t.Fatal(err)
	}
	var got []payments.Status
	for r := range events {
		got = append(got, r.Status)
	}
	if want := []payments.Status{payments.StatusAccepted, payments.StatusPaid}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("then Watch reported %v, want %v", got, want)
	}
}

// TestServerCloseCodesReconnect: the hasura client stops for good on a
// close with code 1000 (and hands other codes to its error hook); the
// watcher reconnects after each.
func TestServerCloseCodesReconnect(t *testing.T) {
	codes := []websocket.StatusCode{websocket.StatusNormalClosure, websocket.StatusGoingAway,
		websocket.StatusInternalError, websocket.StatusTryAgainLater, 4400, 4500}
	protocols(t, func(t *testing.T, p subscriptions.Protocol) {
		g := newGateway(t)
		px := newProxy(t, g.srv.URL())
		_, token := g.swish(t)
		w := watcher(t, px.client(t, g.srv.MerchantToken()), fast(subscriptions.WithProtocol(p))...)
		ch := waitAsync(context.Background(), w, token)
		eventually(t, 5*time.Second, "the subscription", func() bool { return g.srv.Live().Subscriptions == 1 })
		for i, code := range codes {
			px.closeAll(code)
			eventually(t, 5*time.Second, fmt.Sprintf("a reconnection after close %d", code), func() bool {
				s := w.Stats()
				return s.Connections == int64(i+2) && s.Subscriptions == 1 && g.srv.Live().Subscriptions == 1
			})
		}
		if err := g.srv.Approve(token); err != nil {
			t.Fatal(err)
		}
		if r := receive(t, ch, 5*time.Second); r.err != nil || r.req.Status != payments.StatusPaid {
			t.Fatalf("Wait = %+v, %v; want PAID", r.req, r.err)
		}
	})
}

// TestWebSocketRefusalIsReported: the gateway refuses the websocket's
// connection_init (a connection_error message, or a close with code 4401 or
// 4403): the waits fail with client.ErrUnauthorized, and the watcher does
// not keep retrying: each new wait tries once more.
func TestWebSocketRefusalIsReported(t *testing.T) {
	type refusal struct {
		name  string
		setup func(px *proxy)
	}
	refusals := []refusal{
		{"close 4401", func(px *proxy) { px.initClose.Store(4401) }},
		{"close 4403", func(px *proxy) { px.initClose.Store(4403) }},
	}
	protocols(t, func(t *testing.T, p subscriptions.Protocol) {
		rs := refusals
		if p == subscriptions.ProtocolGraphQLWS {
			// The fake gateway answers a bad token with connection_error on
			// the legacy protocol.
			rs = append(rs, refusal{"connection_error", func(px *proxy) {
				px.setToServer(func(msg map[string]any) map[string]any {
					if msg["type"] == "connection_init" {
						msg["payload"] = map[string]any{"headers": map[string]any{"Authorization": "Bearer revoked"}}
					}
					return msg
				})
			}})
		}
		for _, r := range rs {
			t.Run(r.name, func(t *testing.T) {
				g := newGateway(t)
				px := newProxy(t, g.srv.URL())
				r.setup(px)
				_, t1 := g.swish(t)
				_, t2 := g.swish(t)
				w := watcher(t, px.client(t, g.srv.MerchantToken()), fast(subscriptions.WithProtocol(p))...)
				c1, c2 := waitAsync(context.Background(), w, t1), waitAsync(context.Background(), w, t2)
				for _, ch := range []<-chan result{c1, c2} {
					r := receive(t, ch, 5*time.Second)
					if !errors.Is(r.err, client.ErrUnauthorized) {
						t.Fatalf("Wait = %v, want client.ErrUnauthorized", r.err)
					}
				}
				accepted := px.accepted.Load()
				if s := w.Stats(); s.Watches != 0 || s.Connected {
					t.Errorf("after the refusal: %+v", s)
				}
				if _, err := w.Wait(context.Background(), t1); !errors.Is(err, client.ErrUnauthorized) {
					t.Fatalf("second Wait = %v, want client.ErrUnauthorized", err)
				}
				if got := px.accepted.Load(); got != accepted+1 {
					t.Errorf("the second wait made %d connection attempts, want 1", got-accepted)
				}
			})
		}
	})
}

// TestSubscriptionRefusalIsReported: the gateway refuses one subscription
// (a validation error, as for a field the token's role cannot see): that
// wait fails with client.ErrRejected, the others on the same connection go
// on.
func TestSubscriptionRefusalIsReported(t *testing.T) {
	protocols(t, func(t *testing.T, p subscriptions.Protocol) {
		g := newGateway(t)
		px := newProxy(t, g.srv.URL())
		_, refused := g.swish(t)
		_, fine := g.swish(t)
		px.setToServer(func(msg map[string]any) map[string]any {
			payload, _ := msg["payload"].(map[string]any)
			vars, _ := payload["variables"].(map[string]any)
			if vars["waitToken"] == refused {
				q := payload["query"].(string)
				payload["query"] = strings.Replace(q, "reference", "merchantSecret", 1)
			}
			return msg
		})
		w := watcher(t, px.client(t, g.srv.MerchantToken()), fast(subscriptions.WithProtocol(p))...)
		cFine := waitAsync(context.Background(), w, fine)
		eventually(t, 5*time.Second, "the first subscription", func() bool { return g.srv.Live().Subscriptions == 1 })
		r := receive(t, waitAsync(context.Background(), w, refused), 5*time.Second)
		var ce *client.Error
		if !errors.Is(r.err, client.ErrRejected) || !errors.As(r.err, &ce) || len(ce.Errors) == 0 || ce.Errors[0].Code != "validation-failed" {
			t.Fatalf("Wait = %v, want a validation-failed *client.Error", r.err)
		}
		if err := g.srv.Approve(fine); err != nil {
			t.Fatal(err)
		}
		if r := receive(t, cFine, 5*time.Second); r.err != nil || r.req.Status != payments.StatusPaid {
			t.Fatalf("the other Wait = %+v, %v; want PAID", r.req, r.err)
		}
		if got := w.Stats().Connections; got != 1 {
			t.Errorf("%d connections; a refused subscription must not cost the connection", got)
		}
	})
}

// TestBadMessagesDoNotStopTheClient: a message the watcher cannot decode,
// and a temporary error for a subscription, are handled without returning
// an error to the hasura client (which would tear it down): the connection
// stays, the watch is subscribed again, and the wait completes.
func TestBadMessagesDoNotStopTheClient(t *testing.T) {
	protocols(t, func(t *testing.T, p subscriptions.Protocol) {
		g := newGateway(t)
		px := newProxy(t, g.srv.URL())
		_, token := g.swish(t)
		w := watcher(t, px.client(t, g.srv.MerchantToken()), fast(subscriptions.WithProtocol(p))...)
		ch := waitAsync(context.Background(), w, token)
		eventually(t, 5*time.Second, "the subscription", func() bool { return g.srv.Live().Subscriptions == 1 })
		id := px.started()[0]

		dataType, errPayload := "data", any(map[string]any{"message": "try again", "extensions": map[string]any{"type": "TEMPORARY_FAILURE", "code": "unexpected"}})
		if p == subscriptions.ProtocolGraphQLTransportWS {
			dataType, errPayload = "next", []any{errPayload}
		}
		px.inject(map[string]any{"type": dataType, "id": id, "payload": map[string]any{"data": map[string]any{"paymentRequests": "garbage"}}})
		px.inject(map[string]any{"type": dataType, "id": id, "payload": map[string]any{"data": nil}})
		px.inject(map[string]any{"type": "error", "id": id, "payload": errPayload})
		eventually(t, 5*time.Second, "the resubscription", func() bool {
			return len(px.started()) == 2 && w.Stats().Subscriptions == 1 && g.srv.Live().Subscriptions == 1
		})
		if err := g.srv.Approve(token); err != nil {
			t.Fatal(err)
		}
		if r := receive(t, ch, 5*time.Second); r.err != nil || r.req.Status != payments.StatusPaid {
			t.Fatalf("Wait = %+v, %v; want PAID", r.req, r.err)
		}
		if n := px.accepted.Load(); n != 1 || w.Stats().Connections != 1 {
			t.Errorf("%d websockets, %d connections; bad messages must not cost the connection", n, w.Stats().Connections)
		}
	})
}

// TestKeepAlivesKeepAnIdleConnection: with a read timeout shorter than the
// hasura client's default minute, a quiet but healthy connection stays up
// as long as keep-alives arrive (the gateway's on both protocols).
func TestKeepAlivesKeepAnIdleConnection(t *testing.T) {
	protocols(t, func(t *testing.T, p subscriptions.Protocol) {
		g := newGateway(t, kronortest.WithKeepAlive(25*time.Millisecond))
		px := newProxy(t, g.srv.URL())
		_, token := g.swish(t)
		w := watcher(t, px.client(t, g.srv.MerchantToken()),
			fast(subscriptions.WithProtocol(p), subscriptions.WithReadTimeout(600*time.Millisecond), subscriptions.WithKeepAlive(0))...)
		checkKeptAlive(t, g, px, w, token, 600*time.Millisecond)
	})
}

// TestWatcherPingsKeepAnIdleConnection: on graphql-transport-ws the
// watcher's own pings (answered by pongs) keep a connection up even when
// the gateway sends no keep-alives of its own.
func TestWatcherPingsKeepAnIdleConnection(t *testing.T) {
	g := newGateway(t) // gateway keep-alives every 10 s, dropped below anyway
	px := newProxy(t, g.srv.URL())
	px.setToClient(dropKeepAlives)
	_, token := g.swish(t)
	w := watcher(t, px.client(t, g.srv.MerchantToken()), fast(
		subscriptions.WithProtocol(subscriptions.ProtocolGraphQLTransportWS),
		subscriptions.WithReadTimeout(600*time.Millisecond), subscriptions.WithKeepAlive(25*time.Millisecond))...)
	checkKeptAlive(t, g, px, w, token, 600*time.Millisecond)
}

// dropKeepAlives is a proxy rewrite that loses the gateway's keep-alives
// (ka on graphql-ws, ping on graphql-transport-ws).
func dropKeepAlives(msg map[string]any) map[string]any {
	if msg["type"] == "ping" || msg["type"] == "ka" {
		return nil
	}
	return msg
}

// TestSilentConnectionIsReplaced: a connection that goes silent (here the
// keep-alives are lost on the way) is taken for dead after the read
// timeout and replaced, and the wait still completes.
func TestSilentConnectionIsReplaced(t *testing.T) {
	protocols(t, func(t *testing.T, p subscriptions.Protocol) {
		g := newGateway(t, kronortest.WithKeepAlive(10*time.Millisecond))
		px := newProxy(t, g.srv.URL())
		px.setToClient(dropKeepAlives)
		_, token := g.swish(t)
		w := watcher(t, px.client(t, g.srv.MerchantToken()),
			fast(subscriptions.WithProtocol(p), subscriptions.WithReadTimeout(50*time.Millisecond), subscriptions.WithKeepAlive(0))...)
		ch := waitAsync(context.Background(), w, token)
		eventually(t, 10*time.Second, "two replacements", func() bool { return w.Stats().Connections >= 3 })
		if err := g.srv.Approve(token); err != nil {
			t.Fatal(err)
		}
		if r := receive(t, ch, 5*time.Second); r.err != nil || r.req.Status != payments.StatusPaid {
			t.Fatalf("Wait = %+v, %v; want PAID", r.req, r.err)
		}
	})
}

// checkKeptAlive waits for token on w until it is subscribed, then for 100
// keep-alives (the gateway's, or the pongs to the watcher's pings) relayed
// by px, 25 ms apart: four read timeouts, in which a silent connection would
// have been replaced four times. It fails the test if the watcher replaced
// its connection meanwhile, except once for each time the process itself
// stalled longer than half the read timeout (the test machine may be busy);
// then it approves the payment and checks the wait returns.
func checkKeptAlive(t *testing.T, g *gateway, px *proxy, w *subscriptions.Watcher, token string, readTimeout time.Duration) {
	t.Helper()
	ch := waitAsync(context.Background(), w, token)
	eventually(t, 5*time.Second, "the subscription", func() bool { return g.srv.Live().Subscriptions == 1 })
	from, start := time.Now(), px.alive.Load()
	eventually(t, 30*time.Second, "100 keep-alives", func() bool { return px.alive.Load() >= start+100 })
	stalls := px.stalls(from, readTimeout/2)
	if replaced := int(px.accepted.Load()) - 1; replaced > stalls {
		t.Errorf("the connection was replaced %d times (the process stalled %d times); keep-alives must keep it", replaced, stalls)
	}
	if stalls > 0 {
		t.Logf("the process stalled %d times for more than %v", stalls, readTimeout/2)
	}
	if err := g.srv.Approve(token); err != nil {
		t.Fatal(err)
	}
	if r := receive(t, ch, 5*time.Second); r.err != nil {
		t.Fatal(r.err)
	}
}

// TestPollingThroughFailures: while the websocket is down, half of the HTTP
// polls fail (HTTP 503 or a TEMPORARY_FAILURE); polling goes on, and the
// outcome still arrives.
func TestPollingThroughFailures(t *testing.T) {
	g := newGateway(t)
	px := newProxy(t, g.srv.URL())
	_, token := g.swish(t)
	c, err := client.New(g.srv.MerchantToken(), client.WithEndpoint(px.URL()), client.WithMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	w := watcher(t, c, fast()...)
	ch := waitAsync(context.Background(), w, token)
	eventually(t, 5*time.Second, "the subscription", func() bool { return g.srv.Live().Subscriptions == 1 })
	px.refusing.Store(true)
	g.srv.CloseWebSockets()
	g.srv.FailFraction(0.3, kronortest.FaultHTTP503)
	g.srv.FailFraction(0.3, kronortest.FaultTemporaryFailure)
	reads := w.Stats().HTTPReads
	if err := g.srv.Approve(token); err != nil {
		t.Fatal(err)
	}
	if r := receive(t, ch, 10*time.Second); r.err != nil || r.req.Status != payments.StatusPaid {
		t.Fatalf("Wait = %+v, %v; want PAID", r.req, r.err)
	}
	t.Logf("%d polls", w.Stats().HTTPReads-reads)
	if px.accepted.Load() != 1 {
		t.Errorf("%d websockets; the outcome must have come from polling", px.accepted.Load())
	}
	g.srv.ClearFaults()
}

// TestCloseEndsASlowFirstRead: Close ends a wait whose first HTTP read is
// still on its way.
func TestCloseEndsASlowFirstRead(t *testing.T) {
	g := newGateway(t)
	_, token := g.swish(t)
	w, err := subscriptions.NewWatcher(g.merchant)
	if err != nil {
		t.Fatal(err)
	}
	g.srv.FailNext(1, kronortest.FaultLatency(3*time.Second))
	before := g.srv.Requests()
	ch := waitAsync(context.Background(), w, token)
	eventually(t, 5*time.Second, "the first read", func() bool { return g.srv.Requests() > before })
	start := time.Now()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r := receive(t, ch, 5*time.Second)
	if !errors.Is(r.err, subscriptions.ErrClosed) {
		t.Fatalf("Wait = %v, want ErrClosed", r.err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Wait returned %v after Close; want at once", d)
	}
}

// TestWebSocketGoneSilentIsCoveredByPolling: a websocket that goes silent
// without closing (a proxy or NAT that dropped it: no keep-alives, no data,
// no close) while the payment is approved. The watcher notices within its
// read timeout, three of the gateway's keep-alive intervals, and polling over
// HTTP delivers the outcome that the silent socket swallowed, although every
// websocket after it is silent too.
func TestWebSocketGoneSilentIsCoveredByPolling(t *testing.T) {
	if subscriptions.DefaultReadTimeout > 3*5*time.Second {
		t.Errorf("DefaultReadTimeout %v: a silent socket must be noticed within 3 of Hasura's 5 s keep-alive intervals", subscriptions.DefaultReadTimeout)
	}
	protocols(t, func(t *testing.T, p subscriptions.Protocol) {
		const keepAlive = 20 * time.Millisecond
		g := newGateway(t, kronortest.WithKeepAlive(keepAlive))
		px := newProxy(t, g.srv.URL())
		_, token := g.swish(t)
		w := watcher(t, px.client(t, g.srv.MerchantToken()),
			fast(subscriptions.WithProtocol(p), subscriptions.WithReadTimeout(3*keepAlive), subscriptions.WithKeepAlive(keepAlive))...)
		ch := waitAsync(context.Background(), w, token)
		eventually(t, 5*time.Second, "the subscription", func() bool { return g.srv.Live().Subscriptions == 1 })

		var swallowed atomic.Int32
		px.setToClient(func(map[string]any) map[string]any { swallowed.Add(1); return nil })
		if err := g.srv.Approve(token); err != nil {
			t.Fatal(err)
		}
		r := receive(t, ch, 10*time.Second)
		if r.err != nil || r.req.Status != payments.StatusPaid {
			t.Fatalf("Wait = %+v, %v; want PAID", r.req, r.err)
		}
		if swallowed.Load() == 0 {
			t.Error("the proxy swallowed nothing: the socket was not silent")
		}
		// The first read and at least one poll: the outcome came over HTTP.
		if s := w.Stats(); s.HTTPReads < 2 || s.Connected {
			t.Errorf("Stats = %+v: want the silent socket dropped and the outcome polled", s)
		}
	})
}

// TestHandshakeNamesTheSDKAndTheApp: the websocket handshake sends the
// client's User-Agent, WithAppInfo's plugin included, as its HTTP requests do.
func TestHandshakeNamesTheSDKAndTheApp(t *testing.T) {
	g := newGateway(t)
	px := newProxy(t, g.srv.URL())
	_, token := g.swish(t)
	w := watcher(t, px.client(t, g.srv.MerchantToken(), client.WithAppInfo("shop-plugin", "1.4.2", "")), fast()...)
	ch := waitAsync(context.Background(), w, token)
	eventually(t, 5*time.Second, "the subscription", func() bool { return g.srv.Live().Subscriptions == 1 })
	if err := g.srv.Approve(token); err != nil {
		t.Fatal(err)
	}
	if r := receive(t, ch, 5*time.Second); r.err != nil {
		t.Fatal(r.err)
	}
	want := "kronor-go/" + client.Version + " shop-plugin/1.4.2"
	uas := px.handshakeUserAgents()
	if len(uas) == 0 || uas[0] != want {
		t.Errorf("handshake User-Agents %q, want %q", uas, want)
	}
}
