package kronortest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/kronor-io/kronor-go/kronortest"
)

const (
	legacyWS    = "graphql-ws"           // subscriptions-transport-ws
	transportWS = "graphql-transport-ws" // graphql-ws the library
)

// wsClient is a plain websocket GraphQL client speaking one subprotocol.
type wsClient struct {
	t     *testing.T
	ctx   context.Context
	c     *websocket.Conn
	proto string
}

type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// dialWS connects and sends connection_init with the payload; it does not wait
// for the acknowledgement.
func dialWS(t *testing.T, srv *kronortest.Server, proto string, header http.Header, init any) *wsClient {
	t.Helper()
	ctx := deadline(t)
	c, resp, err := websocket.Dial(ctx, srv.WebSocketURL(), &websocket.DialOptions{Subprotocols: []string{proto}, HTTPHeader: header})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	if resp.Body != nil {
		resp.Body.Close()
	}
	if c.Subprotocol() != proto {
		t.Fatalf("negotiated %q, want %q", c.Subprotocol(), proto)
	}
	w := &wsClient{t: t, ctx: ctx, c: c, proto: proto}
	t.Cleanup(func() { c.CloseNow() })
	w.send(wsMessage{Type: "connection_init", Payload: mustJSON(t, init)})
	return w
}

func authPayload(token string) map[string]any {
	return map[string]any{"headers": map[string]any{"Authorization": "Bearer " + token}}
}

// connect dials, authenticates with token and waits for connection_ack.
func connect(t *testing.T, srv *kronortest.Server, proto, token string) *wsClient {
	t.Helper()
	w := dialWS(t, srv, proto, nil, authPayload(token))
	if m := w.next(); m.Type != "connection_ack" {
		t.Fatalf("want connection_ack, got %+v", m)
	}
	return w
}

func mustJSON(t testing.TB, v any) json.RawMessage {
	t.Helper()
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (w *wsClient) send(m wsMessage) {
	w.t.Helper()
	b, _ := json.Marshal(m)
	if err := w.c.Write(w.ctx, websocket.MessageText, b); err != nil {
		w.t.Fatalf("write: %v", err)
	}
}

// read returns the next message other than a keep-alive, or the read error.
func (w *wsClient) read() (wsMessage, error) {
	for {
		_, b, err := w.c.Read(w.ctx)
		if err != nil {
			return wsMessage{}, err
		}
		var m wsMessage
		if err := json.Unmarshal(b, &m); err != nil {
			return wsMessage{}, err
		}
		switch m.Type {
		case "ka", "ping", "pong":
			continue
		}
		return m, nil
	}
}

func (w *wsClient) next() wsMessage {
	w.t.Helper()
	m, err := w.read()
	if err != nil {
		w.t.Fatalf("read: %v", err)
	}
	return m
}

// subscribe starts a subscription with the given id.
func (w *wsClient) subscribe(id, query string, vars map[string]any) {
	w.t.Helper()
	typ := "start"
	if w.proto == transportWS {
		typ = "subscribe"
	}
	w.send(wsMessage{ID: id, Type: typ, Payload: mustJSON(w.t, map[string]any{"query": query, "variables": vars})})
}

func (w *wsClient) stop(id string) {
	typ := "stop"
	if w.proto == transportWS {
		typ = "complete"
	}
	w.send(wsMessage{ID: id, Type: typ})
}

// result waits for the next data message of subscription id.
func (w *wsClient) result(id string, v any) {
	w.t.Helper()
	m := w.next()
	want := "data"
	if w.proto == transportWS {
		want = "next"
	}
	if m.Type != want || m.ID != id {
		w.t.Fatalf("want %s for %s, got %s %s %s", want, id, m.Type, m.ID, m.Payload)
	}
	var p struct {
		Data   json.RawMessage
		Errors []gqlError
	}
	if err := json.Unmarshal(m.Payload, &p); err != nil || len(p.Errors) > 0 {
		w.t.Fatalf("payload %s: %v", m.Payload, err)
	}
	if err := json.Unmarshal(p.Data, v); err != nil {
		w.t.Fatal(err)
	}
}

type watched struct {
	PaymentRequests []struct {
		WaitToken string
		Status    []struct{ Status string }
	}
}

// statusOf returns the status of waitToken in a result ("" if absent).
func (r watched) statusOf(waitToken string) string {
	for _, pr := range r.PaymentRequests {
		if pr.WaitToken == waitToken && len(pr.Status) > 0 {
			return pr.Status[0].Status
		}
	}
	return ""
}

const watchQuery = `subscription($w: uuid!) { paymentRequests(where: {waitToken: {_eq: $w}}) { waitToken status { status } } }`

// waitLive waits until srv.Live() is want.
func waitLive(t *testing.T, srv *kronortest.Server, want kronortest.Live) {
	t.Helper()
	ctx := deadline(t)
	for {
		live, changed := kronortest.LiveChange(srv)
		if live == want {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("Live() is %+v, want %+v", live, want)
		case <-changed:
		}
	}
}

func TestSubscriptionPushesEveryStatusInOrder(t *testing.T) {
	for _, proto := range []string{legacyWS, transportWS} {
		for _, asMerchant := range []bool{false, true} {
			name := proto + "/session"
			if asMerchant {
				name = proto + "/merchant"
			}
			t.Run(name, func(t *testing.T) {
				f := newFixture(t)
				tok := f.session("ref-ws", 1000, nil)
				wt := f.start(tok, methodCalls(f.key)[5]) // bank transfer: the longest walk
				token := tok
				if asMerchant {
					token = f.srv.MerchantToken()
				}
				w := connect(t, f.srv, proto, token)
				w.subscribe("1", watchQuery, map[string]any{"w": wt})
				var r watched
				w.result("1", &r)
				if got := r.statusOf(wt); got != "WAITING_FOR_PAYMENT" {
					t.Fatalf("first result: %q", got)
				}
				waitLive(t, f.srv, kronortest.Live{WebSockets: 1, Subscriptions: 1})
				// Each change is pushed; an approval, which walks
				// FLOW_COMPLETED, ACCEPTED and PAID in one transaction, is
				// pushed as its end, with the walk in the status history.
				if err := f.srv.Advance(wt, "PROCESSING_REDIRECTED_APP"); err != nil {
					t.Fatal(err)
				}
				w.result("1", &r)
				if got := r.statusOf(wt); got != "PROCESSING_REDIRECTED_APP" {
					t.Fatalf("pushed %s after Advance, want PROCESSING_REDIRECTED_APP", got)
				}
				if err := f.srv.Approve(wt); err != nil {
					t.Fatal(err)
				}
				w.result("1", &r)
				if got := r.statusOf(wt); got != "PAID" {
					t.Fatalf("pushed %s after Approve, want PAID", got)
				}
				want := []string{"PRE_FLIGHT_CHECK", "INITIALIZING", "WAITING_FOR_PAYMENT", "PROCESSING_REDIRECTED_APP", "FLOW_COMPLETED", "ACCEPTED", "PAID"}
				if got := statuses(f.request(wt).StatusHistory); !slices.Equal(got, want) {
					t.Fatalf("status history %v, want %v", got, want)
				}
				w.stop("1")
				if m := w.next(); m.Type != "complete" || m.ID != "1" {
					t.Fatalf("after stop: %+v", m)
				}
				waitLive(t, f.srv, kronortest.Live{WebSockets: 1})
				w.c.Close(websocket.StatusNormalClosure, "")
				waitLive(t, f.srv, kronortest.Live{})
			})
		}
	}
}

func TestSubscriptionScopes(t *testing.T) {
	f := newFixture(t)
	tokA, tokB := f.session("ref-scope-a", 1000, nil), f.session("ref-scope-b", 1000, nil)
	a := f.swish(tokA)
	wa := connect(t, f.srv, legacyWS, tokA)
	wa.subscribe("a", `subscription { paymentRequests { waitToken status { status } } }`, nil)
	wm := connect(t, f.srv, transportWS, f.srv.MerchantToken())
	wm.subscribe("m", `subscription { paymentRequests(orderBy: [{createdAt: ASC}]) { waitToken status { status } } }`, nil)
	var r watched
	wa.result("a", &r)
	if len(r.PaymentRequests) != 1 || r.statusOf(a) != "WAITING_FOR_PAYMENT" {
		t.Fatalf("session A first result %+v", r)
	}
	wm.result("m", &r)
	if len(r.PaymentRequests) != 1 {
		t.Fatalf("merchant first result %+v", r)
	}

	// Session B's new payment: the merchant sees it, at the end of its
	// creation (WAITING_FOR_PAYMENT); session A sees nothing of it.
	b := f.swish(tokB)
	wm.result("m", &r)
	if got := r.statusOf(b); got != "WAITING_FOR_PAYMENT" || len(r.PaymentRequests) != 2 {
		t.Fatalf("merchant sees %+v, want WAITING_FOR_PAYMENT for %s", r, b)
	}
	if err := f.srv.Decline(a); err != nil {
		t.Fatal(err)
	}
	wa.result("a", &r) // the next message A gets is about A
	if len(r.PaymentRequests) != 1 || r.statusOf(a) != "DECLINED" {
		t.Fatalf("session A sees %+v", r)
	}
	wm.result("m", &r)
	if r.statusOf(a) != "DECLINED" || r.statusOf(b) != "WAITING_FOR_PAYMENT" {
		t.Fatalf("merchant sees %+v", r)
	}

	// Role rules hold on the websocket too: an error message, then complete.
	wa.subscribe("bad", `subscription { paymentRequests { merchantReference2 } }`, nil)
	errs := wa.operationError("bad")
	if len(errs) != 1 || errs[0].code() != "validation-failed" {
		t.Fatalf("role error %+v", errs)
	}
}

// operationError waits for the error of operation id, in Hasura's shape (on
// graphql-ws {"errors":[…]}, on graphql-transport-ws the array), and for the
// complete that follows it, and returns the errors.
func (w *wsClient) operationError(id string) []gqlError {
	w.t.Helper()
	m := w.next()
	if m.Type != "error" || m.ID != id {
		w.t.Fatalf("want error for %s, got %s %s %s", id, m.Type, m.ID, m.Payload)
	}
	var errs []gqlError
	if w.proto == legacyWS {
		var p struct{ Errors []gqlError }
		dec := json.NewDecoder(bytes.NewReader(m.Payload))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			w.t.Fatalf("graphql-ws error payload %s: %v", m.Payload, err)
		}
		errs = p.Errors
	} else if err := json.Unmarshal(m.Payload, &errs); err != nil {
		w.t.Fatalf("graphql-transport-ws error payload %s: %v", m.Payload, err)
	}
	if c := w.next(); c.Type != "complete" || c.ID != id {
		w.t.Fatalf("after the error of %s: %+v", id, c)
	}
	return errs
}

func TestWebSocketAuthentication(t *testing.T) {
	f := newFixture(t)
	tok := f.session("ref-ws-auth", 1000, nil)
	tests := []struct {
		name   string
		header http.Header
		init   any
		ok     bool
	}{
		{"nested headers.Authorization", nil, authPayload(tok), true},
		{"nested headers.authorization", nil, map[string]any{"headers": map[string]any{"authorization": "Bearer " + f.srv.MerchantToken()}}, true},
		// Hasura reads the token from the payload's headers only: a top-level
		// Authorization is no credential.
		{"top-level Authorization", nil, map[string]any{"Authorization": "Bearer " + tok}, false},
		{"top-level authorization", nil, map[string]any{"authorization": "Bearer " + f.srv.MerchantToken()}, false},
		// Without headers in the payload, those of the upgrade request count.
		{"upgrade request header", http.Header{"Authorization": {"Bearer " + tok}}, map[string]any{}, true},
		{"payload headers override the upgrade request's", http.Header{"Authorization": {"Bearer " + tok}}, map[string]any{"headers": map[string]any{}}, false},
		{"no token", nil, map[string]any{}, false},
		{"no payload", nil, nil, false},
		{"bad token", nil, authPayload("nope"), false},
	}
	for _, proto := range []string{legacyWS, transportWS} {
		for _, tc := range tests {
			t.Run(proto+"/"+tc.name, func(t *testing.T) {
				w := dialWS(t, f.srv, proto, tc.header, tc.init)
				m, err := w.read()
				if tc.ok {
					if err != nil || m.Type != "connection_ack" {
						t.Fatalf("want connection_ack, got %+v %v", m, err)
					}
					return
				}
				if proto == legacyWS && err == nil {
					// subscriptions-transport-ws reports the error first.
					if m.Type != "connection_error" {
						t.Fatalf("want connection_error, got %+v", m)
					}
					m, err = w.read()
				}
				if code := websocket.CloseStatus(err); code != kronortest.CloseCodeUnauthorized {
					t.Fatalf("want close %d, got %+v %v (code %d)", kronortest.CloseCodeUnauthorized, m, err, code)
				}
			})
		}
	}
	// The refused and the accepted websockets are gone once their clients close.
	waitLive(t, f.srv, kronortest.Live{})
}

func TestCloseWebSockets(t *testing.T) {
	f := newFixture(t)
	tok := f.session("ref-ws-close", 1000, nil)
	wt := f.swish(tok)
	var clients []*wsClient
	for _, proto := range []string{legacyWS, transportWS, legacyWS} {
		w := connect(t, f.srv, proto, tok)
		w.subscribe("1", watchQuery, map[string]any{"w": wt})
		var r watched
		w.result("1", &r)
		clients = append(clients, w)
	}
	waitLive(t, f.srv, kronortest.Live{WebSockets: 3, Subscriptions: 3})
	f.srv.CloseWebSockets()
	for _, w := range clients {
		_, err := w.read()
		if err == nil {
			t.Fatal("read after CloseWebSockets succeeded")
		}
		if code := websocket.CloseStatus(err); code == websocket.StatusNormalClosure {
			t.Fatalf("an abrupt close looks normal: %v", err)
		}
	}
	waitLive(t, f.srv, kronortest.Live{})

	// A client that reconnects gets the current state first.
	if err := f.srv.Approve(wt); err != nil {
		t.Fatal(err)
	}
	w := connect(t, f.srv, transportWS, tok)
	w.subscribe("again", watchQuery, map[string]any{"w": wt})
	var r watched
	w.result("again", &r)
	if r.statusOf(wt) != "PAID" {
		t.Fatalf("after reconnect: %+v", r)
	}
}

// TestServerCloseEndsWebSockets: Close with live subscriptions ends them and
// leaves no goroutine behind (goleak checks the latter).
func TestServerCloseEndsWebSockets(t *testing.T) {
	clock := kronortest.NewManualClock(t0)
	srv := kronortest.NewServer(kronortest.WithClock(clock))
	f := &fixture{t: t, srv: srv, clock: clock}
	tok := f.session("ref-ws-srv-close", 1000, nil)
	w := connect(t, srv, legacyWS, tok)
	w.subscribe("1", `subscription { paymentRequests { waitToken } }`, nil)
	var r watched
	w.result("1", &r)
	srv.Close()
	for {
		m, err := w.read()
		if err == nil && m.Type == "complete" {
			continue // the subscription ends, then the websocket
		}
		if err == nil || errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("read after Close: %+v %v", m, err)
		}
		break
	}
	if l := srv.Live(); l != (kronortest.Live{}) {
		t.Fatalf("Live after Close: %+v", l)
	}
}

func TestKeepAlives(t *testing.T) {
	f := newFixture(t, kronortest.WithKeepAlive(5*time.Millisecond))
	for proto, want := range map[string]string{legacyWS: "ka", transportWS: "ping"} {
		t.Run(proto, func(t *testing.T) {
			w := connect(t, f.srv, proto, f.srv.MerchantToken())
			for n := 0; n < 2; {
				_, b, err := w.c.Read(w.ctx)
				if err != nil {
					t.Fatalf("waiting for %s: %v", want, err)
				}
				var m wsMessage
				if err := json.Unmarshal(b, &m); err != nil {
					t.Fatal(err)
				}
				if m.Type != want {
					t.Fatalf("got %s, want only %s", m.Type, want)
				}
				n++
			}
		})
	}
}

func TestWebSocketOrigins(t *testing.T) {
	closed := newFixture(t)
	open := newFixture(t, kronortest.WithAllowedOrigins("http://shop.example"))
	dial := func(srv *kronortest.Server, origin string) error {
		c, resp, err := websocket.Dial(deadline(t), srv.WebSocketURL(), &websocket.DialOptions{
			Subprotocols: []string{legacyWS}, HTTPHeader: http.Header{"Origin": {origin}},
		})
		if resp != nil && resp.Body != nil {
			resp.Body.Close()
		}
		if err == nil {
			c.CloseNow()
		}
		return err
	}
	if err := dial(closed.srv, "http://shop.example"); err == nil {
		t.Error("a cross-origin websocket was accepted by default")
	}
	if err := dial(open.srv, "http://shop.example"); err != nil {
		t.Errorf("an allowed origin was refused: %v", err)
	}
	if err := dial(open.srv, "http://evil.example"); err == nil {
		t.Error("an origin not allowed was accepted")
	}
}

// TestPushesCountTheResultsSent: Pushes counts each subscription result
// sent on a websocket, on both subprotocols, by the time the subscriber
// reads it, with when it was sent; the acknowledgement, keep-alives and the
// complete after a stop are not results.
func TestPushesCountTheResultsSent(t *testing.T) {
	for _, proto := range []string{legacyWS, transportWS} {
		t.Run(proto, func(t *testing.T) {
			f := newFixture(t, kronortest.WithKeepAlive(5*time.Millisecond))
			tok := f.session("ref-pushes", 1000, nil)
			wt := f.start(tok, methodCalls(f.key)[0])
			if n, last := f.srv.Pushes(); n != 0 || !last.IsZero() {
				t.Fatalf("before any subscription Pushes() = %d, %v", n, last)
			}
			w := connect(t, f.srv, proto, f.srv.MerchantToken())
			before := time.Now()
			w.subscribe("1", watchQuery, map[string]any{"w": wt})
			var r watched
			w.result("1", &r)
			n, first := f.srv.Pushes()
			if n != 1 || first.Before(before) || first.After(time.Now()) {
				t.Fatalf("after the first result Pushes() = %d, %v (subscribed at %v)", n, first, before)
			}
			waitLive(t, f.srv, kronortest.Live{WebSockets: 1, Subscriptions: 1})
			if err := f.srv.Approve(wt); err != nil {
				t.Fatal(err)
			}
			w.result("1", &r)
			if got := r.statusOf(wt); got != "PAID" {
				t.Fatalf("second result: %q", got)
			}
			n, second := f.srv.Pushes()
			if n != 2 || !second.After(first) {
				t.Fatalf("after the second result Pushes() = %d, %v (first at %v)", n, second, first)
			}
			w.stop("1")
			if m := w.next(); m.Type != "complete" || m.ID != "1" {
				t.Fatalf("after stop: %+v", m)
			}
			waitLive(t, f.srv, kronortest.Live{WebSockets: 1})
			if n, last := f.srv.Pushes(); n != 2 || !last.Equal(second) {
				t.Errorf("after the stop Pushes() = %d, %v; want 2, %v", n, last, second)
			}
		})
	}
}

// TestUnchangedResultIsNotPushed: a change the subscription's selection does
// not show (the payer data arriving, on a subscription of the status) sends
// nothing, as with Hasura's live queries, which push a result only when it
// differs from the last; the next change that shows is the next message.
func TestUnchangedResultIsNotPushed(t *testing.T) {
	for _, proto := range []string{legacyWS, transportWS} {
		t.Run(proto, func(t *testing.T) {
			f := newFixture(t, kronortest.WithPayerDataDelay(time.Second))
			tok := f.session("ref-unchanged", 1000, nil)
			wt := f.start(tok, payerMethods(f)[1].call) // Swish mcom: it has payer data
			w := connect(t, f.srv, proto, f.srv.MerchantToken())
			w.subscribe("1", watchQuery, map[string]any{"w": wt})
			var r watched
			w.result("1", &r)
			if got := r.statusOf(wt); got != "WAITING_FOR_PAYMENT" {
				t.Fatalf("first result: %q", got)
			}
			sent, unchanged, _ := kronortest.PushCounts(f.srv)
			f.clock.Advance(time.Second) // the payer data arrives
			ctx := deadline(t)
			for {
				_, u, changed := kronortest.PushCounts(f.srv)
				if u == unchanged+1 {
					break
				}
				select {
				case <-changed:
				case <-ctx.Done():
					t.Fatalf("the payer data's change was not offered to the subscription: %d results unchanged, want %d", u, unchanged+1)
				}
			}
			if err := f.srv.Approve(wt); err != nil {
				t.Fatal(err)
			}
			w.result("1", &r)
			if got := r.statusOf(wt); got != "PAID" {
				t.Fatalf("the result after the payer data: %q, want PAID", got)
			}
			if s, u, _ := kronortest.PushCounts(f.srv); s != sent+1 || u != unchanged+1 {
				t.Errorf("results sent %d, unchanged %d; want %d, %d", s, u, sent+1, unchanged+1)
			}
		})
	}
}
