package subscriptions_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/google/uuid"

	"github.com/kronor-io/kronor-go/kronortest"
)

// leanGateway is a minimal gateway for benchmarks at scale: it serves only
// the watcher's two operations (the PollPaymentRequest query over HTTP, the
// WatchPaymentRequest subscription over both websocket protocols) for
// payment requests it makes up, and pushes a change to the subscriptions
// of that one request (kronortest re-evaluates every subscription on every
// change, which costs it O(subscriptions) per change).
type leanGateway struct {
	srv *http.Server
	ln  net.Listener
	wg  sync.WaitGroup

	mu    sync.Mutex
	reqs  map[string]*leanRequest
	subs  map[string]map[*leanSub]struct{} // by wait token
	conns map[*leanConn]struct{}
	nsubs int
	seq   int64
}

type leanRequest struct {
	token     string
	status    string
	createdAt time.Time
	history   []leanStatus
	paymentID int64
}

type leanStatus struct {
	Status    string    `json:"status"`
	EnteredAt time.Time `json:"enteredAt"`
}

type leanConn struct {
	ws     *websocket.Conn
	legacy bool
	mu     sync.Mutex // serializes writes
	subs   map[string]*leanSub
}

type leanSub struct {
	conn  *leanConn
	id    string
	token string
}

func newLeanGateway() *leanGateway {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	g := &leanGateway{ln: ln, reqs: map[string]*leanRequest{}, subs: map[string]map[*leanSub]struct{}{}, conns: map[*leanConn]struct{}{}}
	g.srv = &http.Server{Handler: g}
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		_ = g.srv.Serve(ln)
	}()
	return g
}

func (g *leanGateway) URL() string           { return "http://" + g.ln.Addr().String() + "/v1/graphql" }
func (g *leanGateway) MerchantToken() string { return "lean-merchant" }

func (g *leanGateway) Live() kronortest.Live {
	g.mu.Lock()
	defer g.mu.Unlock()
	return kronortest.Live{WebSockets: len(g.conns), Subscriptions: g.nsubs}
}

func (g *leanGateway) Close() {
	_ = g.srv.Close()
	g.mu.Lock()
	for c := range g.conns {
		_ = c.ws.CloseNow()
	}
	g.mu.Unlock()
	g.wg.Wait()
}

func (g *leanGateway) create(n int) []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	tokens := make([]string, n)
	now := time.Now().UTC()
	for i := range tokens {
		r := &leanRequest{token: uuid.NewString(), status: "WAITING_FOR_PAYMENT", createdAt: now,
			history: []leanStatus{{"WAITING_FOR_PAYMENT", now}}}
		g.reqs[r.token] = r
		tokens[i] = r.token
	}
	return tokens
}

// Approve makes the request PAID and pushes it to its subscriptions.
func (g *leanGateway) Approve(token string) error {
	g.mu.Lock()
	r := g.reqs[token]
	if r == nil {
		g.mu.Unlock()
		return fmt.Errorf("no request %s", token)
	}
	g.seq++
	r.status, r.paymentID = "PAID", g.seq
	r.history = append(r.history, leanStatus{"PAID", time.Now().UTC()})
	row := g.row(r)
	subs := make([]*leanSub, 0, len(g.subs[token]))
	for s := range g.subs[token] {
		subs = append(subs, s)
	}
	g.mu.Unlock()
	for _, s := range subs {
		s.conn.send(s.id, row)
	}
	return nil
}

// row is the request as the watcher's fragment selects it. Callers hold mu.
func (g *leanGateway) row(r *leanRequest) map[string]any {
	var pid any
	if r.paymentID != 0 {
		pid = r.paymentID
	}
	cur := r.history[len(r.history)-1]
	return map[string]any{
		"waitToken": r.token, "amount": 10000, "currency": "SEK", "createdAt": r.createdAt,
		"reference": "lean", "paymentProvider": "SWISH", "resultingPaymentId": pid,
		"transactionId": r.token, "status": []leanStatus{cur}, "statusHistory": r.history,
	}
}

func (g *leanGateway) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if strings.EqualFold(req.Header.Get("Upgrade"), "websocket") {
		g.serveWS(w, req)
		return
	}
	var body struct {
		Variables struct {
			WaitToken string `json:"waitToken"`
		} `json:"variables"`
	}
	if err := json.NewDecoder(req.Body).Decode(&body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rows := []any{}
	g.mu.Lock()
	if r := g.reqs[body.Variables.WaitToken]; r != nil {
		rows = append(rows, g.row(r))
	}
	g.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{"paymentRequests": rows}})
}

func (g *leanGateway) serveWS(w http.ResponseWriter, req *http.Request) {
	ws, err := websocket.Accept(w, req, &websocket.AcceptOptions{Subprotocols: []string{"graphql-ws", "graphql-transport-ws"}})
	if err != nil {
		return
	}
	ws.SetReadLimit(1 << 20)
	c := &leanConn{ws: ws, legacy: ws.Subprotocol() == "graphql-ws", subs: map[string]*leanSub{}}
	g.mu.Lock()
	g.conns[c] = struct{}{}
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		delete(g.conns, c)
		for _, s := range c.subs {
			g.unsubscribe(s)
		}
		g.mu.Unlock()
		_ = ws.CloseNow()
	}()
	for {
		_, b, err := ws.Read(context.Background())
		if err != nil {
			return
		}
		var msg struct {
			ID      string `json:"id"`
			Type    string `json:"type"`
			Payload struct {
				Variables struct {
					WaitToken string `json:"waitToken"`
				} `json:"variables"`
			} `json:"payload"`
		}
		if json.Unmarshal(b, &msg) != nil {
			continue
		}
		switch msg.Type {
		case "connection_init":
			c.write(map[string]any{"type": "connection_ack"})
		case "ping":
			c.write(map[string]any{"type": "pong"})
		case "start", "subscribe":
			s := &leanSub{conn: c, id: msg.ID, token: msg.Payload.Variables.WaitToken}
			g.mu.Lock()
			c.subs[s.id] = s
			if g.subs[s.token] == nil {
				g.subs[s.token] = map[*leanSub]struct{}{}
			}
			g.subs[s.token][s] = struct{}{}
			g.nsubs++
			var row map[string]any
			if r := g.reqs[s.token]; r != nil {
				row = g.row(r)
			}
			g.mu.Unlock()
			if row != nil {
				c.send(s.id, row)
			}
		case "stop", "complete":
			g.mu.Lock()
			if s := c.subs[msg.ID]; s != nil {
				g.unsubscribe(s)
			}
			g.mu.Unlock()
			if msg.Type == "stop" {
				c.write(map[string]any{"type": "complete", "id": msg.ID})
			}
		}
	}
}

// unsubscribe drops s. Callers hold mu.
func (g *leanGateway) unsubscribe(s *leanSub) {
	delete(s.conn.subs, s.id)
	if m := g.subs[s.token]; m != nil {
		if _, ok := m[s]; ok {
			delete(m, s)
			g.nsubs--
		}
		if len(m) == 0 {
			delete(g.subs, s.token)
		}
	}
}

func (c *leanConn) send(id string, row map[string]any) {
	typ := "next"
	if c.legacy {
		typ = "data"
	}
	c.write(map[string]any{"type": typ, "id": id, "payload": map[string]any{"data": map[string]any{"paymentRequests": []any{row}}}})
}

func (c *leanConn) write(msg map[string]any) {
	b, _ := json.Marshal(msg)
	c.mu.Lock()
	defer c.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = c.ws.Write(ctx, websocket.MessageText, b)
}
