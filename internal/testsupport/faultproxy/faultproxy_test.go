package faultproxy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/kronor-io/kronor-go/internal/testsupport"
	"github.com/kronor-io/kronor-go/internal/testsupport/faultproxy"
)

func TestMain(m *testing.M) { testsupport.VerifyNoLeaks(m) }

// wait bounds every wait of these tests for an event; a loaded machine
// reaches it well before.
const wait = 10 * time.Second

// upstream is the server behind the proxy:
//
//	POST /json   answers {"data":{"n":N,"echo":BODY}} with a Content-Length
//	             (N counts the requests served: what a gateway commits)
//	GET  /big    answers a 30 kB JSON body in chunked encoding
//	GET  /close  answers a body delimited by the connection's end
//	GET  /ws     a websocket that echoes each message
type upstream struct {
	*httptest.Server
	served   atomic.Int32
	servedCh chan int32    // each N served
	wsGot    chan string   // each websocket message received
	wsDone   chan struct{} // a websocket handler returned
}

var bigBody = func() []byte {
	var b bytes.Buffer
	b.WriteString(`{"data":{"parts":[`)
	for i := range 3 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%q", strings.Repeat(string(rune('a'+i)), 10000))
	}
	b.WriteString(`]}}`)
	return b.Bytes()
}()

func newUpstream(t *testing.T) *upstream {
	t.Helper()
	u := &upstream{servedCh: make(chan int32, 1000), wsGot: make(chan string, 100), wsDone: make(chan struct{}, 10)}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /json", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		n := u.served.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"data":{"n":%d,"echo":%q}}`, n, body)
		u.servedCh <- n
	})
	mux.HandleFunc("GET /big", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		for part := range bytes.SplitSeq(bigBody, []byte(`","`)) {
			_, _ = w.Write(part)
			w.(http.Flusher).Flush() // chunked: no Content-Length
			if !bytes.HasSuffix(part, []byte(`]}}`)) {
				_, _ = w.Write([]byte(`","`))
			}
		}
	})
	mux.HandleFunc("GET /close", func(w http.ResponseWriter, r *http.Request) {
		c, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close()
		_, _ = rw.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n" + `{"data":{"until":"close"}}`)
		_ = rw.Flush()
	})
	mux.HandleFunc("GET /ws", func(w http.ResponseWriter, r *http.Request) {
		defer func() { u.wsDone <- struct{}{} }()
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		for {
			typ, b, err := c.Read(context.Background())
			if err != nil {
				return
			}
			u.wsGot <- string(b)
			if err := c.Write(context.Background(), typ, b); err != nil {
				return
			}
		}
	})
	u.Server = httptest.NewServer(mux)
	t.Cleanup(u.Close)
	return u
}

// newProxy starts a proxy to u, closed when the test ends (before u).
func newProxy(t *testing.T, u *upstream, opts ...faultproxy.Option) *faultproxy.Proxy {
	t.Helper()
	p, err := faultproxy.New(u.URL, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Error(err)
		}
	})
	return p
}

// newHTTPClient is a plain net/http client with a transport of its own.
func newHTTPClient(t *testing.T) *http.Client {
	t.Helper()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

func post(ctx context.Context, hc *http.Client, url, body string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	return hc.Do(req)
}

// exchange posts body to /json and returns the response with its body read.
func exchange(t *testing.T, hc *http.Client, p *faultproxy.Proxy, body string) (*http.Response, []byte, error) {
	t.Helper()
	resp, err := post(t.Context(), hc, p.URL()+"/json", body)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func TestPassesExchangesThroughOnKeepAliveConnections(t *testing.T) {
	u := newUpstream(t)
	p := newProxy(t, u)
	hc := newHTTPClient(t)
	for i := 1; i <= 3; i++ {
		resp, b, err := exchange(t, hc, p, fmt.Sprintf(`{"i":%d}`, i))
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf(`{"data":{"n":%d,"echo":%q}}`, i, fmt.Sprintf(`{"i":%d}`, i))
		if resp.StatusCode != 200 || string(b) != want || resp.ContentLength != int64(len(want)) {
			t.Fatalf("exchange %d: %d, length %d, %s; want 200, %s", i, resp.StatusCode, resp.ContentLength, b, want)
		}
	}

	// A chunked answer is relayed chunked, whole.
	resp, err := hc.Get(p.URL() + "/big")
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || !bytes.Equal(b, bigBody) || len(resp.TransferEncoding) != 1 || resp.TransferEncoding[0] != "chunked" {
		t.Fatalf("chunked answer: %v, %v, %d bytes (equal: %v); want chunked, whole", err, resp.TransferEncoding, len(b), bytes.Equal(b, bigBody))
	}

	s := p.Stats()
	if s.Connections != 1 || s.Exchanges != 4 || s.Forwarded != 4 || s.Faulted() != 0 {
		t.Errorf("stats %v; want 4 exchanges forwarded on 1 connection, no fault", s)
	}

	// A body delimited by the connection's end is relayed so, and the
	// client's connection ends with it.
	resp, err = hc.Get(p.URL() + "/close")
	if err != nil {
		t.Fatal(err)
	}
	b, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || string(b) != `{"data":{"until":"close"}}` || resp.ContentLength != -1 || !resp.Close {
		t.Fatalf("answer until close: %v, %s, length %d, close %v", err, b, resp.ContentLength, resp.Close)
	}
	if !testsupport.Eventually(wait, func() bool { return p.Stats().Open == 0 }) {
		t.Errorf("%d client connections still open after an answer delimited by close", p.Stats().Open)
	}
}

// TestFaults applies each fault to one exchange and observes it with a
// plain net/http client; the next exchange on the same client passes.
func TestFaults(t *testing.T) {
	for _, tc := range []struct {
		fault     faultproxy.Fault
		forwarded bool
		check     func(t *testing.T, resp *http.Response, body []byte, err error)
	}{
		{faultproxy.Reset, true, func(t *testing.T, resp *http.Response, body []byte, err error) {
			if !errors.Is(err, syscall.ECONNRESET) {
				t.Errorf("err = %v, want a connection reset", err)
			}
		}},
		{faultproxy.CutWithLength, true, func(t *testing.T, resp *http.Response, body []byte, err error) {
			if resp == nil || resp.StatusCode != 200 || resp.ContentLength <= int64(len(body)) || !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("got %v, body %q, err %v; want 200 with a length, a shorter body and an unexpected EOF", resp, body, err)
			}
		}},
		{faultproxy.CutWithoutLength, true, func(t *testing.T, resp *http.Response, body []byte, err error) {
			if resp == nil || resp.StatusCode != 200 || resp.ContentLength != -1 || len(resp.TransferEncoding) != 0 || !resp.Close {
				t.Fatalf("got %v; want 200 without length, delimited by close", resp)
			}
			if err != nil || !bytes.HasPrefix(body, []byte(`{"data":{"n":1`)) || json.Valid(body) {
				t.Errorf("body %q, err %v; want a clean EOF in the middle of the JSON", body, err)
			}
		}},
		{faultproxy.HTML200, true, func(t *testing.T, resp *http.Response, body []byte, err error) {
			if err != nil || resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html" || !bytes.Contains(body, []byte("<html>")) {
				t.Errorf("got %v, %q, %v; want 200 with an HTML page", resp, body, err)
			}
		}},
		{faultproxy.HTML502, false, func(t *testing.T, resp *http.Response, body []byte, err error) {
			if err != nil || resp.StatusCode != 502 || !bytes.Contains(body, []byte("502 Bad Gateway")) {
				t.Errorf("got %v, %q, %v; want 502 with an HTML page", resp, body, err)
			}
		}},
		{faultproxy.HTML502Forwarded, true, func(t *testing.T, resp *http.Response, body []byte, err error) {
			if err != nil || resp.StatusCode != 502 || resp.Header.Get("Content-Type") != "text/html" {
				t.Errorf("got %v, %q, %v; want 502 with an HTML page", resp, body, err)
			}
		}},
	} {
		t.Run(tc.fault.String(), func(t *testing.T) {
			u := newUpstream(t)
			p := newProxy(t, u)
			hc := newHTTPClient(t)
			p.FailNext(1, tc.fault)
			resp, body, err := exchange(t, hc, p, `{}`)
			tc.check(t, resp, body, err)
			if got, want := u.served.Load() == 1, tc.forwarded; got != want {
				t.Errorf("upstream served %d requests; forwarded %v, want %v", u.served.Load(), got, want)
			}
			if f := p.Stats().Faults; f[tc.fault] != 1 || len(f) != 1 {
				t.Errorf("faults applied: %v, want one %s", f, tc.fault)
			}
			if tc.fault.Forwards() != tc.forwarded {
				t.Errorf("%s.Forwards() = %v", tc.fault, tc.fault.Forwards())
			}
			// Traffic passes afterwards.
			if resp, body, err := exchange(t, hc, p, `{}`); err != nil || resp.StatusCode != 200 || !json.Valid(body) {
				t.Errorf("next exchange: %v, %v, %q", resp, err, body)
			}
		})
	}
}

// TestStallEndsWhenTheClientGivesUp: a stalled exchange is forwarded and
// answered upstream, the client gets nothing, and the proxy closes its side
// when the client gives up.
func TestStallEndsWhenTheClientGivesUp(t *testing.T) {
	u := newUpstream(t)
	p := newProxy(t, u)
	hc := newHTTPClient(t)
	p.FailNext(1, faultproxy.Stall)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		resp, err := post(ctx, hc, p.URL()+"/json", `{}`)
		if err == nil {
			resp.Body.Close()
			err = fmt.Errorf("answered %d", resp.StatusCode)
		}
		done <- err
	}()
	select {
	case <-u.servedCh:
	case <-time.After(wait):
		t.Fatal("the stalled request never reached the upstream")
	}
	if !testsupport.Eventually(wait, func() bool { return p.Stats().Faults[faultproxy.Stall] == 1 && p.Pending() == 0 }) {
		t.Fatal("the stall was not applied")
	}
	select {
	case err := <-done:
		t.Fatalf("the client had an answer during the stall: %v", err)
	default:
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want the client's cancellation", err)
		}
	case <-time.After(wait):
		t.Fatal("the client did not give up")
	}
	if !testsupport.Eventually(wait, func() bool { return p.Stats().Open == 0 }) {
		t.Errorf("the proxy kept %d client connections open after the client gave up", p.Stats().Open)
	}
}

// TestCloseEndsStalls: Close ends a stall (and every goroutine of the
// proxy: TestMain checks for leaks).
func TestCloseEndsStalls(t *testing.T) {
	u := newUpstream(t)
	p := newProxy(t, u)
	hc := newHTTPClient(t)
	p.FailNext(1, faultproxy.Stall)
	done := make(chan error, 1)
	go func() {
		resp, err := post(t.Context(), hc, p.URL()+"/json", `{}`)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	if !testsupport.Eventually(wait, func() bool { return p.Stats().Faults[faultproxy.Stall] == 1 && u.served.Load() == 1 }) {
		t.Fatal("the stall was not applied")
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err == nil {
			t.Error("the stalled client got an answer")
		}
	case <-time.After(wait):
		t.Fatal("the stalled client still waits after Close")
	}
	if s := p.Stats(); s.Open != 0 {
		t.Errorf("%d connections open after Close", s.Open)
	}
}

// TestKeepAliveSurvivesHTMLPages: the HTML faults are whole answers, so the
// connection carries the next exchanges; the faults that break an answer
// end it.
func TestKeepAliveSurvivesHTMLPages(t *testing.T) {
	u := newUpstream(t)
	p := newProxy(t, u)
	hc := newHTTPClient(t)
	codes := []int{}
	p.FailNext(1, faultproxy.None) // ignored
	for _, f := range []faultproxy.Fault{faultproxy.None, faultproxy.HTML502, faultproxy.HTML200, faultproxy.None, faultproxy.HTML502Forwarded, faultproxy.None} {
		p.FailNext(1, f)
		resp, _, err := exchange(t, hc, p, `{}`)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		codes = append(codes, resp.StatusCode)
	}
	if fmt.Sprint(codes) != "[200 502 200 200 502 200]" {
		t.Errorf("statuses %v", codes)
	}
	s := p.Stats()
	if s.Connections != 1 || s.Exchanges != 6 || s.Forwarded != 5 || s.Faulted() != 3 {
		t.Errorf("stats %v; want 6 exchanges on 1 connection, 5 forwarded, 3 faulted", s)
	}
	if u.served.Load() != 5 {
		t.Errorf("upstream served %d, want 5", u.served.Load())
	}

	p.FailNext(1, faultproxy.CutWithLength)
	if _, _, err := exchange(t, hc, p, `{}`); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("cut: %v", err)
	}
	if _, _, err := exchange(t, hc, p, `{}`); err != nil {
		t.Fatal(err)
	}
	if s := p.Stats(); s.Connections != 2 {
		t.Errorf("%d connections after a cut answer, want a second one", s.Connections)
	}
}

// TestCutChunkedAnswer: a chunked answer is cut in its content, not its
// framing.
func TestCutChunkedAnswer(t *testing.T) {
	u := newUpstream(t)
	p := newProxy(t, u)
	hc := newHTTPClient(t)
	for _, f := range []faultproxy.Fault{faultproxy.CutWithLength, faultproxy.CutWithoutLength} {
		p.FailNext(1, f)
		resp, err := hc.Get(p.URL() + "/big")
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if len(resp.TransferEncoding) != 0 || len(b) != len(bigBody)/2 || !bytes.HasPrefix(bigBody, b) {
			t.Errorf("%s: encoding %v, %d bytes of %d (a prefix: %v)", f, resp.TransferEncoding, len(b), len(bigBody), bytes.HasPrefix(bigBody, b))
		}
		switch f {
		case faultproxy.CutWithLength:
			if resp.ContentLength != int64(len(bigBody)) || !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("%s: length %d, err %v; want %d, unexpected EOF", f, resp.ContentLength, err, len(bigBody))
			}
		case faultproxy.CutWithoutLength:
			if resp.ContentLength != -1 || err != nil {
				t.Errorf("%s: length %d, err %v; want none, a clean EOF", f, resp.ContentLength, err)
			}
		}
	}
}

// TestFailFractionIsSeeded: the same seed faults the same exchanges of the
// same sequential traffic; another seed others; the fractions are about as
// set.
func TestFailFractionIsSeeded(t *testing.T) {
	u := newUpstream(t)
	run := func(seed uint64) string {
		p := newProxy(t, u, faultproxy.WithSeed(seed))
		p.FailFraction(0.3, faultproxy.HTML502)
		p.FailFraction(0.2, faultproxy.HTML200)
		p.FailFraction(0.1, faultproxy.HTML200) // changes HTML200's fraction
		hc := newHTTPClient(t)
		var seq strings.Builder
		for range 200 {
			resp, b, err := exchange(t, hc, p, `{}`)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case resp.StatusCode == 502:
				seq.WriteByte('5')
			case !json.Valid(b):
				seq.WriteByte('h')
			default:
				seq.WriteByte('.')
			}
		}
		s := p.Stats()
		if n := s.Faults[faultproxy.HTML502]; n < 40 || n > 80 {
			t.Errorf("seed %d: %d of 200 exchanges answered 502, want about 60", seed, n)
		}
		if n := s.Faults[faultproxy.HTML200]; n < 8 || n > 35 {
			t.Errorf("seed %d: %d of 200 exchanges answered an HTML 200, want about 20", seed, n)
		}
		if got := strings.Count(seq.String(), "5") + strings.Count(seq.String(), "h"); got != s.Faulted() {
			t.Errorf("seed %d: %d faults seen, %d counted", seed, got, s.Faulted())
		}
		return seq.String()
	}
	a, b, c := run(42), run(42), run(43)
	if a != b {
		t.Errorf("seed 42 faulted differently:\n%s\n%s", a, b)
	}
	if a == c {
		t.Errorf("seeds 42 and 43 faulted the same exchanges: %s", a)
	}
}

// TestMatchRestrictsFaults: with WithMatch(Mutations), queries pass and
// are not counted against FailNext.
func TestMatchRestrictsFaults(t *testing.T) {
	u := newUpstream(t)
	p := newProxy(t, u, faultproxy.WithMatch(faultproxy.Mutations))
	hc := newHTTPClient(t)
	p.FailNext(1, faultproxy.HTML502)
	for _, tc := range []struct {
		body string
		code int
	}{
		{`{"query":"query Q { a }"}`, 200},
		{`{"query":"{ a }"}`, 200},
		{`{"query":"# a comment\n  mutation M { a }"}`, 502},
		{`{"query":"mutation M { a }"}`, 200},
	} {
		resp, _, err := exchange(t, hc, p, tc.body)
		if err != nil || resp.StatusCode != tc.code {
			t.Errorf("%s: %v, %v; want %d", tc.body, resp, err, tc.code)
		}
	}
}

// TestWebSocketsRelayedKilledAndSilenced relays a websocket, silences it
// (the client's messages still arrive, the upstream's are dropped) and
// kills it.
func TestWebSocketsRelayedKilledAndSilenced(t *testing.T) {
	u := newUpstream(t)
	p := newProxy(t, u)
	hc := newHTTPClient(t)
	ctx, cancel := context.WithTimeout(t.Context(), wait)
	defer cancel()
	dial := func() *websocket.Conn {
		c, _, err := websocket.Dial(ctx, "ws://"+p.Addr()+"/ws", &websocket.DialOptions{HTTPClient: hc})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.CloseNow() })
		return c
	}
	echo := func(c *websocket.Conn, msg string) {
		t.Helper()
		if err := c.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
			t.Fatal(err)
		}
		if _, b, err := c.Read(ctx); err != nil || string(b) != msg {
			t.Fatalf("echo of %q: %q, %v", msg, b, err)
		}
	}
	received := func(msg string) {
		t.Helper()
		select {
		case got := <-u.wsGot:
			if got != msg {
				t.Fatalf("upstream received %q, want %q", got, msg)
			}
		case <-ctx.Done():
			t.Fatalf("upstream never received %q", msg)
		}
	}
	ended := func() {
		t.Helper()
		select {
		case <-u.wsDone:
		case <-ctx.Done():
			t.Fatal("the upstream's websocket did not end")
		}
	}

	// Killed: the client's next read fails at once.
	c := dial()
	echo(c, "hello")
	received("hello")
	if n := p.KillWebSockets(); n != 1 {
		t.Fatalf("killed %d websockets, want 1", n)
	}
	if _, _, err := c.Read(ctx); err == nil || ctx.Err() != nil {
		t.Fatalf("read after kill: %v (context: %v), want a connection error", err, ctx.Err())
	}
	ended()

	// Silenced: the upstream receives and echoes, the client gets none of
	// it; killed then, the client's read fails without the echo.
	c = dial()
	echo(c, "before")
	received("before")
	if n := p.SilenceWebSockets(); n != 1 {
		t.Fatalf("silenced %d websockets, want 1", n)
	}
	if err := c.Write(ctx, websocket.MessageText, []byte("quiet")); err != nil {
		t.Fatal(err)
	}
	received("quiet")
	if !testsupport.Eventually(wait, func() bool { return p.Stats().Dropped >= int64(len("quiet")) }) {
		t.Fatalf("the echo was not dropped: %v", p.Stats())
	}
	p.KillWebSockets()
	if _, b, err := c.Read(ctx); err == nil || ctx.Err() != nil {
		t.Fatalf("read on a silenced websocket: %q, %v (context: %v), want the kill's error and no echo", b, err, ctx.Err())
	}
	ended()

	s := p.Stats()
	if s.WebSockets != 2 || s.Killed != 2 || s.Silenced != 1 || s.Faulted() != 0 {
		t.Errorf("stats %v; want 2 websockets, 2 killed, 1 silenced", s)
	}
}

// TestCloseEndsWebSockets: Close ends relayed websockets.
func TestCloseEndsWebSockets(t *testing.T) {
	u := newUpstream(t)
	p := newProxy(t, u)
	hc := newHTTPClient(t)
	ctx, cancel := context.WithTimeout(t.Context(), wait)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws://"+p.Addr()+"/ws", &websocket.DialOptions{HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	p.SilenceWebSockets()
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Read(ctx); err == nil || ctx.Err() != nil {
		t.Fatalf("read after Close: %v, want a connection error", err)
	}
}

func TestNewRefusesUpstreamsOffLoopback(t *testing.T) {
	for _, up := range []string{"http://example.com/v1/graphql", "10.0.0.1:80", "https://127.0.0.1:1/", "127.0.0.1"} {
		if p, err := faultproxy.New(up); err == nil {
			p.Close()
			t.Errorf("New(%q) accepted it", up)
		}
	}
}

func TestFaultNames(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range append([]faultproxy.Fault{faultproxy.None}, faultproxy.Faults...) {
		if s := f.String(); seen[s] || strings.HasPrefix(s, "fault(") {
			t.Errorf("fault %d is named %q", f, s)
		} else {
			seen[s] = true
		}
	}
}
