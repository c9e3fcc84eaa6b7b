package subscriptions_test

import (
	"context"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/kronor-io/kronor-go/client"
)

// proxy sits between a watcher and the fake gateway: HTTP requests pass
// through, websockets are relayed message by message, so a test can refuse
// websockets for a while, close them with a chosen code, rewrite or inject
// messages, and count the gateway's keep-alives.
type proxy struct {
	srv      *httptest.Server
	upstream *url.URL
	rp       *httputil.ReverseProxy

	refusing atomic.Bool  // answer websocket upgrades with 503
	accepted atomic.Int32 // websockets relayed so far
	alive    atomic.Int32 // keep-alives (ka, ping, pong) sent by the gateway
	// initClose, when not 0, answers every connection_init by closing the
	// client's websocket with this code, as Hasura refuses a token.
	initClose atomic.Int32

	mu sync.Mutex
	// toServer, when set, rewrites each client message (nil drops it).
	toServer func(msg map[string]any) map[string]any
	// toClient, when set, rewrites each gateway message (nil drops it).
	toClient func(msg map[string]any) map[string]any
	conns    map[*relay]struct{}
	starts   []string // subscription ids the client started, in order
	// userAgents are the User-Agent headers of the websocket handshakes.
	userAgents []string
	aliveAt    []time.Time // when each gateway keep-alive was relayed
	wg         sync.WaitGroup
}

type relay struct {
	client, server *websocket.Conn
}

func newProxy(t testing.TB, upstream string) *proxy {
	t.Helper()
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{upstream: u, conns: map[*relay]struct{}{}}
	p.rp = httputil.NewSingleHostReverseProxy(&url.URL{Scheme: u.Scheme, Host: u.Host})
	p.rp.Transport = &http.Transport{}
	p.rp.ErrorLog = log.New(io.Discard, "", 0) // cancelled polls at Close
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(func() {
		p.srv.Close()
		p.closeAll(websocket.StatusGoingAway)
		p.wg.Wait()
		p.rp.Transport.(*http.Transport).CloseIdleConnections()
	})
	return p
}

// URL is the proxy's GraphQL endpoint.
func (p *proxy) URL() string { return p.srv.URL + p.upstream.Path }

// client returns a client of the proxy with token.
func (p *proxy) client(t testing.TB, token string, opts ...client.Option) *client.Client {
	t.Helper()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	c, err := client.New(token, append([]client.Option{client.WithEndpoint(p.URL()),
		client.WithHTTPClient(&http.Client{Transport: tr}),
		client.WithBackoff(time.Millisecond, 5*time.Millisecond)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (p *proxy) setToServer(f func(map[string]any) map[string]any) {
	p.mu.Lock()
	p.toServer = f
	p.mu.Unlock()
}

func (p *proxy) setToClient(f func(map[string]any) map[string]any) {
	p.mu.Lock()
	p.toClient = f
	p.mu.Unlock()
}

// started returns the ids of the subscriptions clients started.
func (p *proxy) started() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.starts...)
}

// closeAll closes every relayed websocket toward the client with code.
func (p *proxy) closeAll(code websocket.StatusCode) {
	p.mu.Lock()
	conns := make([]*relay, 0, len(p.conns))
	for r := range p.conns {
		conns = append(conns, r)
	}
	p.mu.Unlock()
	for _, r := range conns {
		_ = r.client.Close(code, "proxy")
		_ = r.server.CloseNow()
	}
}

// inject sends msg to every connected client.
func (p *proxy) inject(msg map[string]any) {
	p.mu.Lock()
	conns := make([]*relay, 0, len(p.conns))
	for r := range p.conns {
		conns = append(conns, r)
	}
	p.mu.Unlock()
	b, _ := json.Marshal(msg)
	for _, r := range conns {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = r.client.Write(ctx, websocket.MessageText, b)
		cancel()
	}
}

func (p *proxy) serve(w http.ResponseWriter, r *http.Request) {
	if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		p.rp.ServeHTTP(w, r)
		return
	}
	if p.refusing.Load() {
		http.Error(w, "refused by the test proxy", http.StatusServiceUnavailable)
		return
	}
	p.mu.Lock()
	p.userAgents = append(p.userAgents, r.Header.Get("User-Agent"))
	p.mu.Unlock()
	p.wg.Add(1)
	defer p.wg.Done()
	cc, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{"graphql-ws", "graphql-transport-ws"}})
	if err != nil {
		return
	}
	up := *p.upstream
	up.Scheme = "ws"
	sc, _, err := websocket.Dial(r.Context(), up.String(), &websocket.DialOptions{Subprotocols: []string{cc.Subprotocol()}})
	if err != nil {
		_ = cc.Close(websocket.StatusTryAgainLater, "upstream")
		return
	}
	rl := &relay{client: cc, server: sc}
	p.mu.Lock()
	p.conns[rl] = struct{}{}
	p.mu.Unlock()
	p.accepted.Add(1)
	defer func() {
		p.mu.Lock()
		delete(p.conns, rl)
		p.mu.Unlock()
	}()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var pumps sync.WaitGroup
	pumps.Add(2)
	go func() { // client -> gateway
		defer pumps.Done()
		defer cancel()
		p.pump(ctx, cc, sc, true)
	}()
	go func() { // gateway -> client
		defer pumps.Done()
		defer cancel()
		p.pump(ctx, sc, cc, false)
	}()
	<-ctx.Done()
	_ = cc.CloseNow()
	_ = sc.CloseNow()
	pumps.Wait()
}

func (p *proxy) pump(ctx context.Context, from, to *websocket.Conn, toServer bool) {
	for {
		_, b, err := from.Read(ctx)
		if err != nil {
			if code := websocket.CloseStatus(err); code != -1 {
				_ = to.Close(code, "relayed")
			}
			return
		}
		var msg map[string]any
		if err := json.Unmarshal(b, &msg); err == nil {
			typ, _ := msg["type"].(string)
			if code := p.initClose.Load(); toServer && typ == "connection_init" && code != 0 {
				_ = from.Close(websocket.StatusCode(code), "unauthorized")
				return
			}
			p.mu.Lock()
			f := p.toClient
			if toServer {
				f = p.toServer
				if typ == "start" || typ == "subscribe" {
					id, _ := msg["id"].(string)
					p.starts = append(p.starts, id)
				}
			}
			p.mu.Unlock()
			if !toServer && (typ == "ka" || typ == "ping" || typ == "pong") {
				p.alive.Add(1)
				p.mu.Lock()
				p.aliveAt = append(p.aliveAt, time.Now())
				p.mu.Unlock()
			}
			if f != nil {
				msg = f(msg)
				if msg == nil {
					continue
				}
				b, _ = json.Marshal(msg)
			}
		}
		if err := to.Write(ctx, websocket.MessageText, b); err != nil {
			return
		}
	}
}

// stalls counts the gaps longer than d between relayed keep-alives since
// from: times the test process itself stalled (the machine is busy), when
// a read timeout of the client may legitimately have fired.
func (p *proxy) stalls(from time.Time, d time.Duration) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n, last := 0, from
	for _, t := range p.aliveAt {
		if t.Before(from) {
			continue
		}
		if t.Sub(last) > d {
			n++
		}
		last = t
	}
	return n
}

// handshakeUserAgents returns the User-Agent of every websocket handshake.
func (p *proxy) handshakeUserAgents() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.userAgents...)
}
