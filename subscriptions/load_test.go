package subscriptions_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/subscriptions"
)

// requests starts n Swish payment requests in one session and returns their
// wait tokens.
func (g *gateway) requests(t testing.TB, n int) []string {
	t.Helper()
	sc := g.session(t)
	tokens := make([]string, n)
	for i := range tokens {
		p, err := payments.Swish(context.Background(), sc, payments.SwishParams{
			Redirect: payments.Redirect{ReturnURL: fmt.Sprintf("%s?attempt=%d", returnURL, i)},
		})
		if err != nil {
			t.Fatalf("payments.Swish: %v", err)
		}
		tokens[i] = p.WaitToken
	}
	return tokens
}

// TestThousandConcurrentWaits runs 1,000 waits on one watcher (one
// websocket), kills the websocket under them, and approves half of them and
// declines the others.
func TestThousandConcurrentWaits(t *testing.T) {
	const n = 1000
	g := newGateway(t)
	tokens := g.requests(t, n)
	// All in one session, half of them paid: the charge check would (rightly)
	// report each paid wait as a duplicate. This test is about the websocket.
	w := watcher(t, g.merchant, append(fast(), subscriptions.WithoutChargeCheck())...)
	chans := make([]<-chan result, n)
	for i, tok := range tokens {
		chans[i] = waitAsync(context.Background(), w, tok)
	}
	want := kronortest.Live{WebSockets: 1, Subscriptions: n}
	eventually(t, 60*time.Second, "1,000 subscriptions on one websocket", func() bool { return g.srv.Live() == want })
	g.srv.CloseWebSockets()
	eventually(t, 60*time.Second, "the reconnection", func() bool {
		s := w.Stats()
		return s.Connections == 2 && s.Subscriptions == n && g.srv.Live() == want
	})
	for i, tok := range tokens {
		end := g.srv.Approve
		if i%2 == 1 {
			end = g.srv.Decline
		}
		if err := end(tok); err != nil {
			t.Fatal(err)
		}
	}
	for i, ch := range chans {
		r := receive(t, ch, 60*time.Second)
		switch {
		case r.req.WaitToken != tokens[i]:
			t.Fatalf("wait %d returned %s, want %s", i, r.req.WaitToken, tokens[i])
		case i%2 == 0 && (r.err != nil || r.req.Status != payments.StatusPaid):
			t.Fatalf("wait %d = %s, %v; want PAID", i, r.req.Status, r.err)
		case i%2 == 1 && r.req.Status != payments.StatusDeclined:
			t.Fatalf("wait %d = %s, %v; want DECLINED", i, r.req.Status, r.err)
		}
	}
	eventually(t, 30*time.Second, "every subscription to end", func() bool { return g.srv.Live().Subscriptions == 0 })
	if s := w.Stats(); s.Watches != 0 || s.Connections != 2 {
		t.Errorf("Stats = %+v, want no watch and 2 connections", s)
	}
}

// TestSessionTokenWatcherSeesOnlyItsSession: a watcher on a session token
// waits for that session's request; another session's is not found.
func TestSessionTokenWatcherSeesOnlyItsSession(t *testing.T) {
	g := newGateway(t)
	sc, mine := g.swish(t)
	_, theirs := g.swish(t)
	w := watcher(t, sc, fast()...)
	if _, err := w.Wait(context.Background(), theirs); !errors.Is(err, subscriptions.ErrNotFound) {
		t.Fatalf("Wait(another session's request) = %v, want ErrNotFound", err)
	}
	ch := waitAsync(context.Background(), w, mine)
	eventually(t, 5*time.Second, "the subscription", func() bool { return g.srv.Live().Subscriptions == 1 })
	if err := g.srv.Approve(mine); err != nil {
		t.Fatal(err)
	}
	if r := receive(t, ch, 5*time.Second); r.err != nil || r.req.Status != payments.StatusPaid {
		t.Fatalf("Wait = %+v, %v", r.req, r.err)
	}
}

// TestEndedWaitsStopTheirSubscriptionsOnce: when many waits end together,
// each one's subscription is stopped exactly once, on the same websocket,
// and the gateway is left with none (the stops are sent in the background,
// after the waits returned).
func TestEndedWaitsStopTheirSubscriptionsOnce(t *testing.T) {
	const n = 50
	g := newGateway(t)
	px := newProxy(t, g.srv.URL())
	var mu sync.Mutex
	stops := map[string]int{}
	px.setToServer(func(msg map[string]any) map[string]any {
		if msg["type"] == "stop" || msg["type"] == "complete" { // graphql-ws, graphql-transport-ws
			mu.Lock()
			stops[msg["id"].(string)]++
			mu.Unlock()
		}
		return msg
	})
	protocols(t, func(t *testing.T, p subscriptions.Protocol) {
		tokens := g.requests(t, n)
		w := watcher(t, px.client(t, g.srv.MerchantToken()), fast(subscriptions.WithProtocol(p), subscriptions.WithoutChargeCheck())...)
		before := len(px.started())
		chans := make([]<-chan result, n)
		for i, tok := range tokens {
			chans[i] = waitAsync(context.Background(), w, tok)
		}
		eventually(t, 10*time.Second, "the subscriptions", func() bool { return g.srv.Live().Subscriptions == n })
		for _, tok := range tokens {
			if err := g.srv.Approve(tok); err != nil {
				t.Fatal(err)
			}
		}
		for i, ch := range chans {
			if r := receive(t, ch, 10*time.Second); r.err != nil || r.req.Status != payments.StatusPaid {
				t.Fatalf("wait %d = %s, %v; want PAID", i, r.req.Status, r.err)
			}
		}
		eventually(t, 10*time.Second, "every subscription to end at the gateway", func() bool { return g.srv.Live().Subscriptions == 0 })
		started := px.started()[before:]
		if len(started) != n {
			t.Fatalf("%d subscriptions started, want %d", len(started), n)
		}
		mu.Lock()
		defer mu.Unlock()
		for _, id := range started {
			if stops[id] != 1 {
				t.Errorf("subscription %s stopped %d times, want once", id, stops[id])
			}
		}
		if s := w.Stats(); s.Connections != 1 || s.Watches != 0 {
			t.Errorf("Stats = %+v, want 1 connection and no watch", s)
		}
	})
}
