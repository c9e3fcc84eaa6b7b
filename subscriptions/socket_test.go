package subscriptions

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	graphql "github.com/hasura/go-graphql-client"
)

// socketPair dials a websocket server that sends msgs, one message each,
// and then nothing until the test ends; it returns the client's socket.
func socketPair(t *testing.T, readTimeout time.Duration, msgs ...string) *socket {
	t.Helper()
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		for _, m := range msgs {
			if err := c.Write(r.Context(), websocket.MessageText, []byte(m)); err != nil {
				return
			}
		}
		select {
		case <-done:
		case <-r.Context().Done():
		}
	}))
	ctx, cancel := context.WithCancel(context.Background())
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil) //nolint:bodyclose // closed by Dial
	if err != nil {
		t.Fatal(err)
	}
	ws.SetReadLimit(1 << 20)
	t.Cleanup(func() {
		close(done)
		cancel()
		_ = ws.CloseNow()
		srv.Close()
	})
	return newSocket(ctx, ws, readTimeout, time.Second)
}

// TestSocketReusesItsBufferSafely: messages read into the socket's one
// buffer, small and large (past the size kept), decode whole, and what an
// earlier message decoded to is not overwritten by the later ones.
func TestSocketReusesItsBufferSafely(t *testing.T) {
	big := `{"type":"data","id":"2","payload":{"data":"` + strings.Repeat("x", 2*maxKeptBuffer) + `"}}`
	msgs := []string{
		`{"type":"data","id":"1","payload":{"data":{"a":"first"}}}`,
		big,
		`{"type":"data","id":"3","payload":{"data":{"a":"third"}}}`,
		`{"type":"ka"}`,
	}
	s := socketPair(t, 5*time.Second, msgs...)
	got := make([]graphql.OperationMessage, len(msgs))
	for i := range msgs {
		if err := s.ReadJSON(&got[i]); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	want := []struct{ id, typ, payload string }{
		{"1", "data", `{"data":{"a":"first"}}`},
		{"2", "data", big[len(`{"type":"data","id":"2","payload":`) : len(big)-1]},
		{"3", "data", `{"data":{"a":"third"}}`},
		{"", "ka", ""},
	}
	for i, w := range want {
		g := got[i]
		if g.ID != w.id || string(g.Type) != w.typ || string(g.Payload) != w.payload {
			t.Errorf("message %d decoded to id %q type %q payload of %d bytes %.40q, want id %q type %q payload of %d bytes",
				i, g.ID, g.Type, len(g.Payload), g.Payload, w.id, w.typ, len(w.payload))
		}
	}
	if c := s.buf.Cap(); c > maxKeptBuffer {
		t.Errorf("buffer of %d bytes kept after the large message", c)
	}
}

// TestSocketReadTimeout: a read that waits longer than the read timeout
// fails as a lost connection (close status 1005, which ends the hasura
// client), and every read after it waits for the session to end.
func TestSocketReadTimeout(t *testing.T) {
	s := socketPair(t, 50*time.Millisecond, `{"type":"ka"}`)
	var m graphql.OperationMessage
	if err := s.ReadJSON(&m); err != nil || m.Type != graphql.GQLConnectionKeepAlive {
		t.Fatalf("first read: %+v, %v", m, err)
	}
	start := time.Now()
	err := s.ReadJSON(&m)
	if !errors.Is(err, errReadTimeout) {
		t.Fatalf("silent socket: err = %v, want the read timeout", err)
	}
	if waited := time.Since(start); waited < 50*time.Millisecond {
		t.Errorf("the read timed out after %v, before the read timeout", waited)
	}
	if code := s.GetCloseStatus(err); code != int32(websocket.StatusNoStatusRcvd) {
		t.Errorf("close status %d, want 1005", code)
	}
	if !s.failed.Load() {
		t.Error("the socket does not count as failed after the timeout")
	}
}

// TestSocketTimeoutCountsOneRead: the read timeout bounds each read, not
// the time between reads (the client handling a message): the silence timer
// is armed only while a read waits.
func TestSocketTimeoutCountsOneRead(t *testing.T) {
	s := socketPair(t, time.Minute, `{"type":"ka"}`, `{"type":"ka"}`)
	var m graphql.OperationMessage
	for i := range 2 {
		if err := s.ReadJSON(&m); err != nil {
			t.Fatalf("read %d: %v", i, err)
		}
		if s.silence.Stop() {
			t.Fatalf("after read %d the silence timer is still armed", i)
		}
	}
}
