package kronortest

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	coderws "github.com/coder/websocket"
)

// CloseCodeUnauthorized is the websocket close code the server uses to refuse
// a connection whose connection_init carries no valid token.
const CloseCodeUnauthorized = 4401

// websocketTransport serves both websocket subprotocols, graphql-ws (the
// legacy subscriptions-transport-ws of Kronor's SDKs and Apollo's
// WebSocketLink) and graphql-transport-ws, with keep-alives.
func (s *Server) websocketTransport() transport.Websocket {
	return transport.Websocket{
		// serveWebSocket has checked the origin already.
		Implementation: hasuraWebsocket{
			WebsocketImplementation: transport.CoderWebsocketImplementation{AcceptOptions: coderws.AcceptOptions{InsecureSkipVerify: true}},
			pushes:                  &s.pushes,
		},
		KeepAlivePingInterval: s.cfg.keepAlive,
		PingPongInterval:      s.cfg.keepAlive,
		MissingPongOk:         true,
		InitFunc:              s.wsInit,
	}
}

// websocketOriginOK accepts a websocket from a non-browser client (no Origin),
// from a page of the server's own origin, or from an allowed origin.
func (s *Server) websocketOriginOK(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	if u, err := url.Parse(origin); err == nil && strings.EqualFold(u.Host, r.Host) {
		return true
	}
	return s.originAllowed(origin)
}

type upgradeAuthKey struct{}

// wsInit authenticates a websocket as Hasura does: from the headers of its
// connection_init payload, {"headers":{"Authorization":"Bearer …"}} as
// Kronor's SDKs and Apollo's connectionParams send it (header names are
// case-insensitive), or, when the payload has no headers, from the upgrade
// request's. Anything else in the payload is not a credential: a top-level
// Authorization leaves the websocket unauthenticated. A missing or bad token
// closes the websocket with code 4401 (after a connection_error message on
// graphql-ws).
func (s *Server) wsInit(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	h, hasHeaders := initAuthorization(p)
	if !hasHeaders {
		h, _ = ctx.Value(upgradeAuthKey{}).(string)
	}
	id, err := s.store.authenticate(h)
	if err != nil {
		code := codeInvalidJWT
		if ae, ok := err.(*authError); ok {
			code = ae.code
		}
		ctx = transport.WithWebsocketCloseCode(ctx, CloseCodeUnauthorized)
		ctx = transport.AppendCloseReason(ctx, code+": "+err.Error())
		return ctx, nil, err
	}
	return withIdentity(ctx, id), nil, nil
}

// initAuthorization returns the Authorization header of a connection_init
// payload's headers, and whether the payload has headers at all.
func initAuthorization(p transport.InitPayload) (string, bool) {
	hs, ok := p["headers"].(map[string]any)
	if !ok {
		return "", false
	}
	for k, v := range hs {
		if s, isString := v.(string); isString && strings.EqualFold(k, "Authorization") {
			return s, true
		}
	}
	return "", true
}

// serveWebSocket runs one websocket connection, counting and tracking it so
// Live reports it and CloseWebSockets can close it.
func (s *Server) serveWebSocket(w http.ResponseWriter, r *http.Request) {
	if !s.websocketOriginOK(r) {
		writeJSON(w, http.StatusForbidden, gqlResponse{Errors: errList(gwError("access-denied", "$",
			"websocket origin %q is not allowed", r.Header.Get("Origin")))})
		return
	}
	s.live.add(1, 0)
	defer s.live.add(-1, 0)
	tw := &trackingWriter{ResponseWriter: w, s: s}
	ctx := context.WithValue(r.Context(), upgradeAuthKey{}, r.Header.Get("Authorization"))
	s.ws.Do(tw, r.WithContext(graphql.StartOperationTrace(ctx)), s.execs)
}

// trackingWriter records the connection the websocket library hijacks, so
// CloseWebSockets and Close can close it, until it is closed.
type trackingWriter struct {
	http.ResponseWriter
	s *Server
}

func (t *trackingWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, rw, err := http.NewResponseController(t.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	tc := &trackedConn{Conn: c, s: t.s}
	t.s.wsMu.Lock()
	t.s.wsConns[tc] = struct{}{}
	closed := isClosed(t.s.done)
	t.s.wsMu.Unlock()
	if closed {
		_ = tc.Close()
	}
	return tc, rw, nil
}

func (t *trackingWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }

// trackedConn forgets itself when closed.
type trackedConn struct {
	net.Conn
	s    *Server
	once sync.Once
}

func (c *trackedConn) Close() error {
	c.once.Do(func() {
		c.s.wsMu.Lock()
		delete(c.s.wsConns, c)
		c.s.wsMu.Unlock()
	})
	return c.Conn.Close()
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// CloseWebSockets closes every live websocket abruptly, at the TCP level, with
// no close frame: what a client sees when the network drops. Their
// subscriptions end.
func (s *Server) CloseWebSockets() {
	s.wsMu.Lock()
	conns := make([]net.Conn, 0, len(s.wsConns))
	for c := range s.wsConns {
		conns = append(conns, c)
	}
	s.wsMu.Unlock()
	for _, c := range conns {
		_ = c.Close()
	}
}
