package subscriptions_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/subscriptions"
)

func TestWaitReturnsPaidOverTheSubscription(t *testing.T) {
	protocols(t, func(t *testing.T, p subscriptions.Protocol) {
		tokens := map[string]func(g *gateway, sc *client.Client) *client.Client{
			"merchant token": func(g *gateway, _ *client.Client) *client.Client { return g.merchant },
			"session token":  func(_ *gateway, sc *client.Client) *client.Client { return sc },
		}
		for name, pick := range tokens {
			t.Run(name, func(t *testing.T) {
				g := newGateway(t)
				sc, token := g.swish(t)
				w := watcher(t, pick(g, sc), subscriptions.WithProtocol(p))
				ch := waitAsync(context.Background(), w, token)

				eventually(t, 5*time.Second, "the subscription", func() bool { return g.srv.Live().Subscriptions == 1 })
				reads := w.Stats().HTTPReads
				if err := g.srv.Approve(token); err != nil {
					t.Fatal(err)
				}
				r := receive(t, ch, 5*time.Second)
				if r.err != nil {
					t.Fatalf("Wait: %v", r.err)
				}
				if r.req.Status != payments.StatusPaid || r.req.WaitToken != token || r.req.ResultingPaymentID == 0 {
					t.Errorf("Wait returned %+v, want PAID %s with a resulting payment id", r.req, token)
				}
				if got := w.Stats().HTTPReads; got != reads {
					t.Errorf("the outcome came with %d HTTP reads; want it from the subscription", got-reads)
				}
				eventually(t, 5*time.Second, "the subscription to end", func() bool { return g.srv.Live().Subscriptions == 0 })
			})
		}
	})
}

func TestWaitCardIsAuthorized(t *testing.T) {
	g := newGateway(t)
	_, token := g.card(t)
	w := watcher(t, g.merchant)
	ch := waitAsync(context.Background(), w, token)
	eventually(t, 5*time.Second, "the subscription", func() bool { return g.srv.Live().Subscriptions == 1 })
	if err := g.srv.Approve(token); err != nil {
		t.Fatal(err)
	}
	r := receive(t, ch, 5*time.Second)
	if r.err != nil || r.req.Status != payments.StatusAuthorized || r.req.ResultingPaymentID == 0 {
		t.Fatalf("Wait = %+v, %v; want AUTHORIZED with a payment id", r.req, r.err)
	}
}

func TestWaitUnknownToken(t *testing.T) {
	g := newGateway(t)
	w := watcher(t, g.merchant)
	_, err := w.Wait(context.Background(), "7d0c5c4e-0d8a-4a3e-9d8e-1f2a3b4c5d6e")
	if !errors.Is(err, subscriptions.ErrNotFound) {
		t.Fatalf("Wait(unknown) = %v, want ErrNotFound", err)
	}
	if live := g.srv.Live(); live.WebSockets != 0 {
		t.Errorf("an unknown token opened %d websockets", live.WebSockets)
	}
}
