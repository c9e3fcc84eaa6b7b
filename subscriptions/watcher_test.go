package subscriptions_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/testsupport"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/subscriptions"
)

func TestNewWatcherChecksOptions(t *testing.T) {
	c, err := client.New("token", client.WithEndpoint("http://127.0.0.1:1/v1/graphql"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := subscriptions.NewWatcher(nil); err == nil {
		t.Error("NewWatcher(nil) succeeded")
	}
	bad := map[string]subscriptions.Option{
		"protocol":      subscriptions.WithProtocol("graphql-sse"),
		"poll interval": subscriptions.WithPollInterval(0),
		"backoff":       subscriptions.WithReconnectBackoff(time.Second, time.Millisecond),
		"read timeout":  subscriptions.WithReadTimeout(-time.Second),
		"keep-alive":    subscriptions.WithKeepAlive(-time.Second),
		"concurrency":   subscriptions.WithPollConcurrency(0),
		"logger":        subscriptions.WithLogger(nil),
	}
	for name, o := range bad {
		if w, err := subscriptions.NewWatcher(c, o); err == nil {
			_ = w.Close()
			t.Errorf("%s: NewWatcher accepted a bad option", name)
		} else if !strings.HasPrefix(err.Error(), "subscriptions: ") {
			t.Errorf("%s: error %q", name, err)
		}
	}
	w, err := subscriptions.NewWatcher(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestConnectionIsRecycled: the hasura client keeps an entry for each
// subscription stopped on a connection until the server confirms it with
// "complete". A server that does not confirm (here the confirmations are
// dropped on the way) would make a long-lived connection grow without end:
// the watcher replaces such a connection, without losing a wait.
func TestConnectionIsRecycled(t *testing.T) {
	g := newGateway(t)
	px := newProxy(t, g.srv.URL())
	px.setToClient(func(msg map[string]any) map[string]any {
		if msg["type"] == "complete" {
			return nil
		}
		return msg
	})
	w := watcher(t, px.client(t, g.srv.MerchantToken()), fast(subscriptions.WithRecycleAfter(3))...)
	_, longToken := g.swish(t)
	long := waitAsync(context.Background(), w, longToken)
	eventually(t, 5*time.Second, "the first subscription", func() bool { return g.srv.Live().Subscriptions == 1 })
	for range 4 {
		_, tok := g.swish(t)
		ch := waitAsync(context.Background(), w, tok)
		eventually(t, 5*time.Second, "a second subscription", func() bool { return w.Stats().Subscriptions == 2 })
		if err := g.srv.Approve(tok); err != nil {
			t.Fatal(err)
		}
		if r := receive(t, ch, 5*time.Second); r.err != nil {
			t.Fatal(r.err)
		}
	}
	eventually(t, 5*time.Second, "a new connection", func() bool {
		s := w.Stats()
		return s.Connections == 2 && s.Subscriptions == 1 && g.srv.Live().Subscriptions == 1
	})
	if err := g.srv.Approve(longToken); err != nil {
		t.Fatal(err)
	}
	if r := receive(t, long, 5*time.Second); r.err != nil || r.req.Status != payments.StatusPaid {
		t.Fatalf("the long wait = %+v, %v", r.req, r.err)
	}
}

// TestConfirmedStopsDoNotRecycle: when the server confirms stopped
// subscriptions (the fake gateway does), the connection is kept.
func TestConfirmedStopsDoNotRecycle(t *testing.T) {
	g := newGateway(t)
	w := watcher(t, g.merchant, fast(subscriptions.WithRecycleAfter(3))...)
	for range 6 {
		_, tok := g.swish(t)
		ch := waitAsync(context.Background(), w, tok)
		eventually(t, 5*time.Second, "the subscription", func() bool { return g.srv.Live().Subscriptions == 1 })
		if err := g.srv.Approve(tok); err != nil {
			t.Fatal(err)
		}
		if r := receive(t, ch, 5*time.Second); r.err != nil {
			t.Fatal(r.err)
		}
		eventually(t, 5*time.Second, "the subscription to end", func() bool { return g.srv.Live().Subscriptions == 0 })
	}
	if n := w.Stats().Connections; n != 1 {
		t.Errorf("%d connections; confirmed stops must not recycle the connection", n)
	}
}

// TestLogsNeverShowTheToken: at Debug level the watcher logs its
// connections and the hasura client's messages, but never the
// connection_init payload that carries the token.
func TestLogsNeverShowTheToken(t *testing.T) {
	protocols(t, func(t *testing.T, p subscriptions.Protocol) {
		g := newGateway(t)
		var buf testsupport.SyncBuffer
		log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
		sc, token := g.swish(t)
		w := watcher(t, sc, fast(subscriptions.WithProtocol(p), subscriptions.WithLogger(log))...)
		ch := waitAsync(context.Background(), w, token)
		eventually(t, 5*time.Second, "the subscription", func() bool { return g.srv.Live().Subscriptions == 1 })
		g.srv.CloseWebSockets()
		eventually(t, 5*time.Second, "the reconnection", func() bool { return w.Stats().Connections == 2 && w.Stats().Subscriptions == 1 })
		if err := g.srv.Approve(token); err != nil {
			t.Fatal(err)
		}
		if r := receive(t, ch, 5*time.Second); r.err != nil {
			t.Fatal(r.err)
		}
		out := buf.String()
		if !strings.Contains(out, "subscriptions: connected") || !strings.Contains(out, "start") && !strings.Contains(out, "subscribe") {
			t.Errorf("the debug log lacks the connection events:\n%s", out)
		}
		secret := strings.TrimPrefix(initPayload(sc)["headers"].(map[string]any)["Authorization"].(string), "Bearer ")
		if strings.Contains(out, secret) {
			t.Error("the log shows the token")
		}
	})
}

// TestEchoedTokenIsRedacted: a gateway (or a proxy) that echoes the token
// in a connection_error or in a subscription's error does not get it into
// the errors the waits return, nor into the logs.
func TestEchoedTokenIsRedacted(t *testing.T) {
	protocols(t, func(t *testing.T, p subscriptions.Protocol) {
		g := newGateway(t)
		px := newProxy(t, g.srv.URL())
		token := g.srv.MerchantToken()
		echo := "cannot verify Bearer " + token
		// The subscription's data becomes an error echoing the token.
		px.setToClient(func(msg map[string]any) map[string]any {
			if msg["type"] == "data" || msg["type"] == "next" {
				e := map[string]any{"message": echo, "path": []any{"paymentRequests", token},
					"extensions": map[string]any{"code": "validation-failed", "header": []any{echo}, token: "echoed as a key"}}
				if p == subscriptions.ProtocolGraphQLWS {
					return map[string]any{"type": "error", "id": msg["id"], "payload": e}
				}
				return map[string]any{"type": "error", "id": msg["id"], "payload": []any{e}}
			}
			return msg
		})
		var buf testsupport.SyncBuffer
		log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
		_, wt := g.swish(t)
		w := watcher(t, px.client(t, token), fast(subscriptions.WithProtocol(p), subscriptions.WithLogger(log))...)
		_, err := w.Wait(context.Background(), wt)
		var ce *client.Error
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), "cannot verify Bearer [REDACTED]") {
			t.Fatalf("Wait = %v, want the echoed error, redacted", err)
		}
		if strings.Contains(err.Error(), token) || strings.Contains(fmt.Sprint(ce.Errors), token) {
			t.Errorf("the error shows the token: %v %+v", err, ce.Errors)
		}

		if p == subscriptions.ProtocolGraphQLWS {
			// connection_init answered with a connection_error echoing it.
			px.setToClient(func(msg map[string]any) map[string]any {
				if msg["type"] == "connection_ack" {
					return map[string]any{"type": "connection_error", "payload": map[string]any{"message": echo}}
				}
				return msg
			})
			px.closeAll(websocket.StatusGoingAway)
			_, err := w.Wait(context.Background(), wt)
			if !errors.Is(err, client.ErrUnauthorized) || strings.Contains(err.Error(), token) {
				t.Errorf("Wait = %v, want client.ErrUnauthorized without the token", err)
			}
		}
		if out := buf.String(); strings.Contains(out, token) {
			t.Errorf("the log shows the token:\n%s", out)
		}
	})
}
