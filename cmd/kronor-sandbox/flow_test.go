package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	graphql "github.com/hasura/go-graphql-client"
)

// specSubscription is the spec's React example's subscription, verbatim.
const specSubscription = `
    subscription PaymentStatus {
      paymentRequests {
        waitToken
        amount
        status {
          status
        }
      }
    }
`

// TestSandboxWalksTheSpecsReactFlow walks the spec's React/Apollo example on
// both websocket protocols with a third-party websocket GraphQL client
// (hasura/go-graphql-client, used raw, not through the SDK's watcher): a
// page on another origin opens the websocket with the connectionParams of
// Apollo's WebSocketLink ({headers: {Authorization: "Bearer <session
// token>"}}), subscribes to the spec's PaymentStatus document, and sees the
// payment go from WAITING_FOR_PAYMENT to PAID when the customer pays on the
// payer page.
func TestSandboxWalksTheSpecsReactFlow(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ctx, stop := context.WithCancel(ctx)
	endpoint, merchant, done := serve(t, ctx, "-addr", "127.0.0.1:0", "-approve-after", "0")
	base := strings.TrimSuffix(endpoint, "/v1/graphql")
	wsURL := "ws" + strings.TrimPrefix(endpoint, "http")

	for i, protocol := range []graphql.SubscriptionProtocolType{graphql.SubscriptionsTransportWS, graphql.GraphQLWS} {
		t.Run(string(protocol), func(t *testing.T) {
			var s struct{ NewPaymentSession struct{ Token string } }
			gql(t, endpoint, merchant, `mutation($p: PaymentSessionInput!) { newPaymentSession(payment: $p) { token } }`, map[string]any{"p": map[string]any{
				"amount": 1000, "expiresAt": time.Now().Add(time.Hour).Format(time.RFC3339), "idempotencyKey": "react-" + string(protocol),
				"merchantReference": "react-order-" + string(rune('a'+i)), "message": "React",
			}}, &s)
			token := s.NewPaymentSession.Token
			var p struct{ NewSwishPayment struct{ WaitToken string } }
			gql(t, endpoint, token, `mutation { newSwishPayment(pay: {idempotencyKey: "p1", flow: "mcom", returnUrl: "https://shop.example"}) { waitToken } }`, nil, &p)
			wt := p.NewSwishPayment.WaitToken

			type update struct {
				status string
				err    error
			}
			updates := make(chan update, 16)
			sc := graphql.NewSubscriptionClient(wsURL).
				WithProtocol(protocol).
				WithWebSocketOptions(graphql.WebsocketOptions{HTTPHeader: http.Header{"Origin": {"http://localhost:3000"}}}).
				WithWebSocket(dialQuiet).
				WithConnectionParams(map[string]any{"headers": map[string]any{"Authorization": "Bearer " + token}}).
				WithRetryTimeout(time.Nanosecond).
				WithExitWhenNoSubscription(false).
				WithLog(func(...any) {})
			if _, err := sc.Exec(specSubscription, nil, func(msg []byte, err error) error {
				var data struct {
					PaymentRequests []struct {
						WaitToken string
						Amount    json.Number
						Status    []struct{ Status string }
					}
				}
				if err == nil {
					err = json.Unmarshal(msg, &data)
				}
				u := update{err: err}
				for _, r := range data.PaymentRequests {
					if r.WaitToken == wt && len(r.Status) > 0 && r.Amount.String() == "1000" {
						u.status = r.Status[0].Status
					}
				}
				select {
				case updates <- u:
				case <-ctx.Done():
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			ran := make(chan error, 1)
			go func() { ran <- sc.RunWithContext(ctx) }()
			defer func() {
				_ = sc.Close()
				<-ran
			}()

			next := func() string {
				t.Helper()
				select {
				case u := <-updates:
					if u.err != nil {
						t.Fatalf("subscription error: %v", u.err)
					}
					return u.status
				case <-ctx.Done():
					t.Fatal("no update before the deadline")
				}
				return ""
			}
			if st := next(); st != "WAITING_FOR_PAYMENT" {
				t.Fatalf("first update: %q", st)
			}
			resp, err := http.PostForm(base+"/pay/swish/"+wt, url.Values{"action": {"approve"}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if st := next(); st != "PAID" {
				t.Fatalf("after the payer paid: %q", st)
			}
		})
	}
	stop()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
}

// quietConn is the third-party client's websocket in these tests: its
// default one, but for a read that fails while the client is closing, which
// returns the context's error. On such a failure the default reports EOF
// or a closed connection, and hasura/go-graphql-client v0.16.0's read loop
// then sends that on a channel which only its Run loop drains: when Run has
// already returned for the Close, the read loop's goroutine blocks forever
// (goleak finds it in about one run of ten). On the context's error the
// read loop returns. The SDK's watcher has its own websocket for the same
// reason (subscriptions/socket.go).
type quietConn struct {
	ctx context.Context
	ws  *websocket.Conn
}

// dialQuiet is the client's websocket constructor (WithWebSocket).
func dialQuiet(ctx context.Context, endpoint string, o graphql.WebsocketOptions) (graphql.WebsocketConn, error) {
	ws, _, err := websocket.Dial(ctx, endpoint, &websocket.DialOptions{ //nolint:bodyclose // closed by Dial
		HTTPClient: o.HTTPClient, HTTPHeader: o.HTTPHeader, Subprotocols: o.Subprotocols,
	})
	if err != nil {
		return nil, err
	}
	return &quietConn{ctx: ctx, ws: ws}, nil
}

func (c *quietConn) ReadJSON(v any) error {
	err := wsjson.Read(c.ctx, c.ws, v)
	if err != nil && c.ctx.Err() != nil {
		return c.ctx.Err()
	}
	return err
}

func (c *quietConn) WriteJSON(v any) error          { return wsjson.Write(c.ctx, c.ws, v) }
func (c *quietConn) Ping() error                    { return c.ws.Ping(c.ctx) }
func (c *quietConn) Close() error                   { return c.ws.Close(websocket.StatusNormalClosure, "") }
func (c *quietConn) SetReadLimit(limit int64)       { c.ws.SetReadLimit(limit) }
func (c *quietConn) GetCloseStatus(err error) int32 { return int32(websocket.CloseStatus(err)) }
