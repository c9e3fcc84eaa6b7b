package subscriptions

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	graphql "github.com/hasura/go-graphql-client"
)

// errRetired refuses a second socket to a hasura client: each client owns
// one websocket, and the watcher's supervisor replaces the client when the
// socket ends.
var errRetired = errors.New("subscriptions: this client's websocket has ended")

// errReadTimeout: the socket received nothing for the read timeout.
var errReadTimeout = errors.New("subscriptions: websocket silent for the read timeout")

// lostError is a read failure other than a close frame: a dropped
// connection, or a read timeout. Its close status is 1005 (no status
// received), which the hasura client takes as a reason to restart, which
// ends it.
type lostError struct{ err error }

func (e *lostError) Error() string { return "subscriptions: websocket lost: " + e.err.Error() }
func (e *lostError) Unwrap() error { return e.err }

// dialOnce returns the hasura client's websocket constructor for c: the
// first call dials, later ones (the client's own reconnection attempts) are
// refused, so the client's Run returns when its socket ends.
func dialOnce(c *conn) graphql.CreateWebSocketConnFunc {
	return func(ctx context.Context, endpoint string, o graphql.WebsocketOptions) (graphql.WebsocketConn, error) {
		if !c.dialed.CompareAndSwap(false, true) {
			return nil, errRetired
		}
		ws, _, err := websocket.Dial(ctx, endpoint, &websocket.DialOptions{ //nolint:bodyclose // closed by Dial
			HTTPClient:   o.HTTPClient,
			HTTPHeader:   o.HTTPHeader,
			Subprotocols: o.Subprotocols,
		})
		if err != nil {
			return nil, err
		}
		if len(o.Subprotocols) > 0 && ws.Subprotocol() != o.Subprotocols[0] {
			_ = ws.Close(websocket.StatusProtocolError, "subprotocol not agreed")
			return nil, fmt.Errorf("subscriptions: the gateway did not agree to the %q subprotocol", o.Subprotocols[0])
		}
		return newSocket(ctx, ws, o.ReadTimeout, o.WriteTimeout), nil
	}
}

// socket is the websocket under a hasura client (graphql.WebsocketConn). It
// differs from the client's default in what its read loop sees:
//   - a dropped connection or a read timeout is reported with close status
//     1005, which makes the client restart (and so end: see dialOnce),
//     whatever the error's text; the default socket reports some drops
//     with status -1, on which the client reads on from a dead socket.
//   - after a failure (a read error, or a connection_error message) every
//     later read waits for the session to end and returns the context's
//     error. The client's read loop sends each failure on an unbuffered
//     channel that only its Run loop drains; a second failure from the same
//     socket (a connection_error followed by the server's close) would be
//     sent after Run has returned, and block that goroutine forever.
//   - a message that is not JSON is reported without closing the socket (the
//     client logs it and reads on).
//   - the close status of an error is read without pinging the peer.
//
// Reading a message costs no timer, no context and no buffer of its own:
// one timer, armed while a read waits, closes the websocket after the read
// timeout, the session's end closes it too, the reads themselves run
// under a context that never ends (so the websocket library registers
// nothing on it), and every message is read into the same buffer (decoding
// copies what it keeps). The read loop reads every message of the
// connection, thousands a second when many waits end together.
type socket struct {
	ws           *websocket.Conn
	ctx          context.Context // the session's context: ends when the client closes it
	readTimeout  time.Duration
	writeTimeout time.Duration
	failed       atomic.Bool

	// The reads' state. The hasura client reads from its read loop alone;
	// readMu keeps that an assumption of nothing.
	readMu  sync.Mutex
	readCtx context.Context // ctx's values, never done
	silence *time.Timer     // armed during a read: closes ws after the read timeout
	silent  atomic.Bool     // silence closed ws
	buf     bytes.Buffer    // the message being decoded
}

// maxKeptBuffer is the largest read buffer kept for the next message; one
// grown past it by a large message is dropped after that message.
const maxKeptBuffer = 64 << 10

func newSocket(ctx context.Context, ws *websocket.Conn, readTimeout, writeTimeout time.Duration) *socket {
	s := &socket{ws: ws, ctx: ctx, readTimeout: readTimeout, writeTimeout: writeTimeout, readCtx: context.WithoutCancel(ctx)}
	s.silence = time.AfterFunc(readTimeout, func() {
		s.silent.Store(true)
		_ = ws.CloseNow()
	})
	s.silence.Stop()
	// A read in progress when the session ends fails at once, as it did
	// when it read under the session's context. ws is closed by then in
	// any case; this registration lasts as long as the session.
	context.AfterFunc(ctx, func() { _ = ws.CloseNow() })
	return s
}

// ReadJSON reads the next message into v.
func (s *socket) ReadJSON(v any) error {
	if s.failed.Load() {
		<-s.ctx.Done()
		return s.ctx.Err()
	}
	s.readMu.Lock()
	defer s.readMu.Unlock()
	if s.buf.Cap() > maxKeptBuffer {
		s.buf = bytes.Buffer{}
	}
	s.buf.Reset()
	s.silence.Reset(s.readTimeout)
	_, r, err := s.ws.Reader(s.readCtx)
	if err == nil {
		_, err = s.buf.ReadFrom(r)
	}
	s.silence.Stop()
	if err != nil {
		s.failed.Store(true)
		switch {
		case s.ctx.Err() != nil:
			return s.ctx.Err() // the client is closing the session: end quietly
		case s.silent.Load():
			return &lostError{errReadTimeout}
		case websocket.CloseStatus(err) == -1:
			return &lostError{err}
		}
		return err // a close frame
	}
	if err := json.Unmarshal(s.buf.Bytes(), v); err != nil {
		return fmt.Errorf("subscriptions: undecodable websocket message: %w", err)
	}
	if m, ok := v.(*graphql.OperationMessage); ok && (m.Type == graphql.GQLConnectionError || m.Type == "conn_err") {
		s.failed.Store(true)
	}
	return nil
}

// WriteJSON sends v as one text message.
func (s *socket) WriteJSON(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(s.ctx, s.writeTimeout)
	defer cancel()
	return s.ws.Write(ctx, websocket.MessageText, b)
}

// Ping sends a websocket ping and waits for the pong.
func (s *socket) Ping() error {
	ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
	defer cancel()
	return s.ws.Ping(ctx)
}

// Close closes the socket: with a close handshake while it works, at once
// after it failed.
func (s *socket) Close() error {
	if s.failed.Load() {
		return s.ws.CloseNow()
	}
	return s.ws.Close(websocket.StatusNormalClosure, "")
}

// SetReadLimit caps the size of a message.
func (s *socket) SetReadLimit(limit int64) { s.ws.SetReadLimit(limit) }

// GetCloseStatus returns the websocket close code err carries, or -1; a
// lost connection counts as 1005 (no status received).
func (s *socket) GetCloseStatus(err error) int32 {
	var lost *lostError
	if errors.As(err, &lost) {
		return int32(websocket.StatusNoStatusRcvd)
	}
	return int32(websocket.CloseStatus(err))
}
