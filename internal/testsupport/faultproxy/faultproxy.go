// Package faultproxy is a byte-level HTTP/1.1 proxy on loopback that injects
// the failures a merchant's service meets between it and the gateway: a
// connection reset after the gateway committed the request, an answer cut
// short with or without a Content-Length, a proxy's HTML page instead of the
// gateway's answer (200 or 502), an answer that never comes, and websockets
// killed or silenced.
//
// It parses just enough HTTP/1.1 to find where each exchange begins and ends
// (request line, headers and a Content-Length body; status line, headers and
// a body by Content-Length, chunked encoding or connection close), forwards
// the bytes unchanged when no fault applies, and writes every fault as raw
// bytes on the client's TCP connection. A keep-alive connection carries
// several exchanges; each is faulted or not on its own. A websocket upgrade
// is relayed as raw bytes in both directions.
//
// It is test support: no SDK package may import it (internal/depcheck).
package faultproxy

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Fault is a failure the proxy applies to one HTTP exchange.
type Fault uint8

// The faults. Those that forward the request let the gateway commit it
// before the client is failed.
const (
	// None forwards the request and relays the answer unchanged.
	None Fault = iota
	// Reset forwards the request, reads the whole answer and then resets
	// the client's connection (TCP RST) without sending it a byte.
	Reset
	// CutWithLength forwards the request and sends the answer's status
	// line and headers with a Content-Length for the whole body, but only
	// half of the body, then closes the connection: the client can tell
	// the body was cut short.
	CutWithLength
	// CutWithoutLength forwards the request and sends the answer's status
	// line and headers without Content-Length and Transfer-Encoding, with
	// "Connection: close", then half of the body, then closes the
	// connection cleanly (FIN): the client reads a body that ends early
	// with nothing to tell it so.
	CutWithoutLength
	// HTML200 forwards the request, drops the gateway's answer and answers
	// "200 OK" with a text/html page instead, as a captive portal or a
	// misconfigured proxy does. The connection stays open.
	HTML200
	// HTML502 answers "502 Bad Gateway" with an HTML page without
	// forwarding the request: the gateway never sees it.
	HTML502
	// HTML502Forwarded forwards the request, drops the gateway's answer and
	// answers "502 Bad Gateway" with an HTML page: the gateway committed it.
	HTML502Forwarded
	// Stall forwards the request, reads the gateway's answer and sends the
	// client nothing, until the client closes the connection or the proxy
	// is closed.
	Stall
)

// Faults lists every fault but None, in order.
var Faults = []Fault{Reset, CutWithLength, CutWithoutLength, HTML200, HTML502, HTML502Forwarded, Stall}

// String names the fault, e.g. "cut-without-length".
func (f Fault) String() string {
	switch f {
	case None:
		return "none"
	case Reset:
		return "reset"
	case CutWithLength:
		return "cut-with-length"
	case CutWithoutLength:
		return "cut-without-length"
	case HTML200:
		return "html-200"
	case HTML502:
		return "html-502"
	case HTML502Forwarded:
		return "html-502-forwarded"
	case Stall:
		return "stall"
	}
	return "fault(" + strconv.Itoa(int(f)) + ")"
}

// Forwards reports whether the request reaches the gateway under f (every
// fault but HTML502).
func (f Fault) Forwards() bool { return f != HTML502 }

// Limits of what the proxy reads.
const (
	maxHead = 1 << 20  // request or response line and headers
	maxBody = 64 << 20 // one body
	maxLine = 4096     // one chunk-size line
)

// Proxy is a fault-injecting proxy listening on 127.0.0.1. Its methods are
// safe for concurrent use. Close it when done.
type Proxy struct {
	ln       *net.TCPListener
	upstream string // host:port
	path     string // of the upstream URL given to New
	match    func(*http.Request, []byte) bool

	mu      sync.Mutex
	next    []nextFault
	fracs   []fracFault
	rng     *rand.Rand
	conns   map[net.Conn]struct{} // every open connection, both sides
	sockets map[*socket]struct{}
	closed  bool
	stats   Stats

	dropped atomic.Int64 // bytes of silenced websockets

	wg sync.WaitGroup
}

type nextFault struct {
	n int
	f Fault
}

type fracFault struct {
	p float64
	f Fault
}

// Stats counts what the proxy has seen and done.
type Stats struct {
	// Connections is the number of client connections accepted.
	Connections int
	// Open is the number of client connections open now.
	Open int
	// Exchanges is the number of requests read from clients, websocket
	// upgrades included.
	Exchanges int
	// Forwarded is the number of requests sent to the upstream.
	Forwarded int
	// Faults counts the faults applied, by kind.
	Faults map[Fault]int
	// WebSockets is the number of websockets relayed (upgrades the upstream
	// accepted).
	WebSockets int
	// Killed and Silenced count the websockets KillWebSockets and
	// SilenceWebSockets acted on.
	Killed, Silenced int
	// Dropped is the number of upstream-to-client bytes of silenced
	// websockets that were dropped.
	Dropped int64
}

// Faulted returns the number of faults applied, of every kind.
func (s Stats) Faulted() int {
	n := 0
	for _, v := range s.Faults {
		n += v
	}
	return n
}

// String summarises s on one line, e.g. "12 exchanges on 3 connections, 11
// forwarded; faults: reset 2, stall 1; 1 websocket, 1 killed".
func (s Stats) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d exchanges on %d connections, %d forwarded; faults:", s.Exchanges, s.Connections, s.Forwarded)
	keys := make([]Fault, 0, len(s.Faults))
	for f := range s.Faults {
		keys = append(keys, f)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	if len(keys) == 0 {
		b.WriteString(" none")
	}
	for i, f := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, " %s %d", f, s.Faults[f])
	}
	fmt.Fprintf(&b, "; %d websockets, %d killed, %d silenced", s.WebSockets, s.Killed, s.Silenced)
	return b.String()
}

// Option configures a [Proxy].
type Option func(*Proxy)

// WithSeed seeds the pseudo-random choice of [Proxy.FailFraction] (default
// 1), so that the sequence of draws is the same in every run.
func WithSeed(seed uint64) Option {
	return func(p *Proxy) { p.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) }
}

// WithMatch restricts faults to the exchanges for which match returns true,
// given the request (its body already read) and its body; the others are
// neither faulted nor counted against [Proxy.FailNext]. See [Mutations].
func WithMatch(match func(r *http.Request, body []byte) bool) Option {
	return func(p *Proxy) { p.match = match }
}

// Mutations matches GraphQL requests whose document is a mutation, for
// [WithMatch].
func Mutations(_ *http.Request, body []byte) bool {
	var req struct {
		Query string `json:"query"`
	}
	if json.Unmarshal(body, &req) != nil {
		return false
	}
	q := req.Query
	for {
		q = strings.TrimLeft(q, " \t\r\n,\ufeff")
		if !strings.HasPrefix(q, "#") {
			break
		}
		_, q, _ = strings.Cut(q, "\n")
	}
	return strings.HasPrefix(q, "mutation")
}

// New starts a proxy on 127.0.0.1 at a random port that forwards to
// upstream: a loopback "host:port" or an http URL on a loopback host (whose
// path [Proxy.URL] keeps).
func New(upstream string, opts ...Option) (*Proxy, error) {
	hostport, path := upstream, ""
	if strings.Contains(upstream, "://") {
		u, err := url.Parse(upstream)
		if err != nil {
			return nil, fmt.Errorf("faultproxy: upstream: %w", err)
		}
		if u.Scheme != "http" {
			return nil, fmt.Errorf("faultproxy: upstream %q: only http is proxied", upstream)
		}
		hostport, path = u.Host, u.Path
	}
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return nil, fmt.Errorf("faultproxy: upstream %q: %w", upstream, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("faultproxy: upstream %q is not on loopback", upstream)
	}
	ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, fmt.Errorf("faultproxy: listen: %w", err)
	}
	p := &Proxy{
		ln:       ln,
		upstream: hostport,
		path:     path,
		conns:    map[net.Conn]struct{}{},
		sockets:  map[*socket]struct{}{},
		stats:    Stats{Faults: map[Fault]int{}},
	}
	WithSeed(1)(p)
	for _, o := range opts {
		o(p)
	}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr returns the proxy's address, e.g. "127.0.0.1:41234".
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// URL returns the upstream URL given to New with the proxy's address, e.g.
// "http://127.0.0.1:41234/v1/graphql".
func (p *Proxy) URL() string { return "http://" + p.Addr() + p.path }

// FailNext applies f to the next n exchanges (that match, see [WithMatch]).
// Calls queue up: FailNext(1, a) then FailNext(2, b) faults one exchange
// with a, the next two with b. They come before any FailFraction.
func (p *Proxy) FailNext(n int, f Fault) {
	if n <= 0 || f == None {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.next = append(p.next, nextFault{n: n, f: f})
}

// FailFraction applies f to a fraction q (0 to 1) of the exchanges (that
// match), chosen by a seeded pseudo-random draw (see [WithSeed]). Fractions
// of different faults are disjoint slices of one draw per exchange, so
// their sum should not pass 1. q = 0 removes f.
func (p *Proxy) FailFraction(q float64, f Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	q = min(max(q, 0), 1)
	for i, ff := range p.fracs {
		if ff.f == f {
			if q == 0 {
				p.fracs = append(p.fracs[:i], p.fracs[i+1:]...)
			} else {
				p.fracs[i].p = q
			}
			return
		}
	}
	if q > 0 && f != None {
		p.fracs = append(p.fracs, fracFault{p: q, f: f})
	}
}

// Clear cancels every scheduled fault: traffic passes from now on.
func (p *Proxy) Clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.next, p.fracs = nil, nil
}

// Pending returns how many exchanges FailNext has still to fault.
func (p *Proxy) Pending() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, nf := range p.next {
		n += nf.n
	}
	return n
}

// Stats returns what the proxy has counted so far.
func (p *Proxy) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.stats
	s.Faults = make(map[Fault]int, len(p.stats.Faults))
	for f, n := range p.stats.Faults {
		s.Faults[f] = n
	}
	s.Dropped = p.dropped.Load()
	return s
}

// KillWebSockets closes every relayed websocket abruptly: both TCP
// connections are reset, with no websocket close frame. It returns how many
// it killed.
func (p *Proxy) KillWebSockets() int {
	p.mu.Lock()
	socks := make([]*socket, 0, len(p.sockets))
	for ws := range p.sockets {
		socks = append(socks, ws)
		// Gone from the set at once, not when its relay goroutine notices:
		// a SilenceWebSockets or KillWebSockets right after this one acts
		// only on the websockets still open.
		delete(p.sockets, ws)
	}
	p.stats.Killed += len(socks)
	p.mu.Unlock()
	for _, ws := range socks {
		ws.kill()
	}
	return len(socks)
}

// SilenceWebSockets makes every relayed websocket silent: from now on the
// upstream's bytes to the client are dropped (no messages, no keep-alives,
// no close), while the client's still reach the upstream. A silenced
// websocket stays so until it is killed or closed. It returns how many it
// silenced.
func (p *Proxy) SilenceWebSockets() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for ws := range p.sockets {
		if !ws.silenced.Swap(true) {
			n++
		}
	}
	p.stats.Silenced += n
	return n
}

// Close stops the proxy: it stops listening, closes every connection and
// websocket, and waits for the proxy's goroutines to end. It is safe to
// call more than once.
func (p *Proxy) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		p.wg.Wait()
		return nil
	}
	p.closed = true
	conns := make([]net.Conn, 0, len(p.conns))
	for c := range p.conns {
		conns = append(conns, c)
	}
	p.mu.Unlock()
	err := p.ln.Close()
	for _, c := range conns {
		_ = c.Close()
	}
	p.wg.Wait()
	return err
}

// track registers an open connection so Close can close it; it returns
// false (and closes c) when the proxy is closed.
func (p *Proxy) track(c net.Conn, client bool) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		_ = c.Close()
		return false
	}
	p.conns[c] = struct{}{}
	if client {
		p.stats.Connections++
		p.stats.Open++
	}
	return true
}

func (p *Proxy) untrack(c net.Conn, client bool) {
	_ = c.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.conns, c)
	if client {
		p.stats.Open--
	}
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.AcceptTCP()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return // closed
		}
		if !p.track(c, true) {
			return
		}
		p.wg.Add(1)
		go p.serve(c)
	}
}

// pick chooses the fault for an exchange and counts it.
func (p *Proxy) pick(req *http.Request, body []byte) Fault {
	if p.match != nil && !p.match(req, body) {
		return None
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	f := None
	if len(p.next) > 0 {
		f = p.next[0].f
		if p.next[0].n--; p.next[0].n == 0 {
			p.next = p.next[1:]
		}
	} else if len(p.fracs) > 0 {
		u, acc := p.rng.Float64(), 0.0
		for _, ff := range p.fracs {
			if acc += ff.p; u < acc {
				f = ff.f
				break
			}
		}
	}
	if f != None {
		p.stats.Faults[f]++
	}
	return f
}

func (p *Proxy) count(f func(s *Stats)) {
	p.mu.Lock()
	f(&p.stats)
	p.mu.Unlock()
}

// upstreamConn is the connection to the upstream that serves one client
// connection's exchanges, dialled when first needed and again after the
// upstream closes it.
type upstreamConn struct {
	c  *net.TCPConn
	br *bufio.Reader
}

func (p *Proxy) dial() (*upstreamConn, error) {
	c, err := net.DialTimeout("tcp", p.upstream, 5*time.Second)
	if err != nil {
		return nil, err
	}
	if !p.track(c, false) {
		return nil, net.ErrClosed
	}
	return &upstreamConn{c: c.(*net.TCPConn), br: bufio.NewReader(c)}, nil
}

// serve carries the exchanges of one client connection.
func (p *Proxy) serve(cc *net.TCPConn) {
	defer p.wg.Done()
	defer p.untrack(cc, true)
	var up *upstreamConn
	closeUp := func() {
		if up != nil {
			p.untrack(up.c, false)
			up = nil
		}
	}
	defer closeUp()
	br := bufio.NewReader(cc)
	for {
		head, req, err := readRequest(br)
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) && !errors.Is(err, syscall.ECONNRESET) {
				_, _ = cc.Write(page(http.StatusBadRequest))
			}
			return
		}
		var body []byte
		switch {
		case len(req.TransferEncoding) > 0:
			// Go's client sends a body it holds in memory with a
			// Content-Length; a chunked request is not relayed.
			_, _ = cc.Write(page(http.StatusNotImplemented))
			return
		case req.ContentLength > maxBody:
			_, _ = cc.Write(page(http.StatusRequestEntityTooLarge))
			return
		case req.ContentLength > 0:
			body = make([]byte, req.ContentLength)
			if _, err := io.ReadFull(br, body); err != nil {
				return
			}
		}
		p.count(func(s *Stats) { s.Exchanges++ })
		upgrade := isUpgrade(req.Header)
		fault := None
		if !upgrade {
			fault = p.pick(req, body)
		}
		if fault == HTML502 {
			if _, err := cc.Write(page(http.StatusBadGateway)); err != nil {
				return
			}
			continue
		}

		if up == nil {
			if up, err = p.dial(); err != nil {
				_, _ = cc.Write(page(http.StatusBadGateway))
				return
			}
		}
		if _, err := up.c.Write(append(head, body...)); err != nil {
			return
		}
		p.count(func(s *Stats) { s.Forwarded++ })
		rhead, resp, err := readResponse(up.br, req)
		if err != nil {
			return // the client sees its connection close
		}
		if upgrade && resp.StatusCode == http.StatusSwitchingProtocols {
			if _, err := cc.Write(rhead); err != nil {
				return
			}
			p.relay(cc, br, up)
			return
		}
		raw, decoded, untilClose, err := readBody(up.br, resp)
		if err != nil {
			return
		}
		if untilClose || resp.Close {
			closeUp()
		}

		switch fault {
		case None:
			if _, err := cc.Write(append(rhead, raw...)); err != nil || untilClose || resp.Close {
				_ = cc.CloseWrite()
				return
			}
		case Reset:
			_ = cc.SetLinger(0) // Close sends RST
			return
		case CutWithLength:
			n := len(decoded)
			_, _ = cc.Write(append(rewriteHead(rhead, "Content-Length: "+strconv.Itoa(max(n, 1))), decoded[:n/2]...))
			_ = cc.CloseWrite()
			return
		case CutWithoutLength:
			_, _ = cc.Write(append(rewriteHead(rhead, "Connection: close"), decoded[:len(decoded)/2]...))
			_ = cc.CloseWrite()
			return
		case HTML200, HTML502Forwarded:
			code := http.StatusOK
			if fault == HTML502Forwarded {
				code = http.StatusBadGateway
			}
			if _, err := cc.Write(page(code)); err != nil {
				return
			}
		case Stall:
			// The client sends nothing more on this connection before it
			// has its answer: the read ends when it gives up and closes
			// the connection, or when Close closes it.
			_, _ = io.Copy(io.Discard, br)
			return
		}
	}
}

// socket is a relayed websocket: the client's connection and the upstream's.
type socket struct {
	cc, uc   *net.TCPConn
	silenced atomic.Bool
}

func (ws *socket) kill() {
	_ = ws.cc.SetLinger(0)
	_ = ws.uc.SetLinger(0)
	_ = ws.cc.Close()
	_ = ws.uc.Close()
}

// relay copies the bytes of an upgraded connection both ways until either
// side closes, dropping the upstream's while the socket is silenced. The
// bytes already buffered on either side are relayed first.
func (p *Proxy) relay(cc *net.TCPConn, br *bufio.Reader, up *upstreamConn) {
	ws := &socket{cc: cc, uc: up.c}
	p.mu.Lock()
	p.sockets[ws] = struct{}{}
	p.stats.WebSockets++
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.sockets, ws)
		p.mu.Unlock()
	}()

	var wg sync.WaitGroup
	wg.Go(func() { // client -> upstream; the client's end ends the relay
		_, _ = io.Copy(up.c, br)
		_ = cc.Close()
		_ = up.c.Close()
	})
	buf := make([]byte, 32<<10)
	for { // upstream -> client
		n, err := up.br.Read(buf)
		if n > 0 {
			if ws.silenced.Load() {
				p.dropped.Add(int64(n))
			} else if _, werr := cc.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			if !ws.silenced.Load() {
				_ = cc.CloseWrite()
			}
			break
		}
	}
	if ws.silenced.Load() {
		// A silent socket says nothing, not even that the upstream
		// closed: it stays open until the client closes it, it is killed
		// or the proxy is closed.
		wg.Wait()
	}
	_ = cc.Close()
	_ = up.c.Close()
	wg.Wait()
}

// readHead reads a request's or response's line and headers, up to and
// including the empty line that ends them, as raw bytes. Empty lines before
// the first line are skipped, as RFC 9112 allows.
func readHead(br *bufio.Reader) ([]byte, error) {
	var head []byte
	lineStart := 0
	for {
		frag, err := br.ReadSlice('\n')
		head = append(head, frag...)
		if len(head) > maxHead {
			return nil, errors.New("faultproxy: header too long")
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil {
			if len(head) > 0 && errors.Is(err, io.EOF) {
				return nil, io.ErrUnexpectedEOF
			}
			return nil, err
		}
		line := head[lineStart:]
		if string(line) == "\r\n" || string(line) == "\n" {
			if lineStart == 0 {
				head = head[:0]
				continue
			}
			return head, nil
		}
		lineStart = len(head)
	}
}

// readRequest reads a request's head; its body is left in br.
func readRequest(br *bufio.Reader) ([]byte, *http.Request, error) {
	head, err := readHead(br)
	if err != nil {
		return nil, nil, err
	}
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(head)))
	if err != nil {
		return nil, nil, err
	}
	return head, req, nil
}

// readResponse reads the head of the response to req; its body is left in
// br.
func readResponse(br *bufio.Reader, req *http.Request) ([]byte, *http.Response, error) {
	head, err := readHead(br)
	if err != nil {
		return nil, nil, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(head)), req)
	if err != nil {
		return nil, nil, err
	}
	if resp.StatusCode/100 == 1 && resp.StatusCode != http.StatusSwitchingProtocols {
		return nil, nil, fmt.Errorf("faultproxy: interim response %d is not relayed", resp.StatusCode)
	}
	return head, resp, nil
}

// readBody reads the body of resp from br: raw is its bytes as sent,
// decoded its content (raw without the chunked framing). untilClose reports
// a body delimited by the connection's end.
func readBody(br *bufio.Reader, resp *http.Response) (raw, decoded []byte, untilClose bool, err error) {
	switch {
	case len(resp.TransferEncoding) > 0:
		if resp.TransferEncoding[len(resp.TransferEncoding)-1] != "chunked" {
			return nil, nil, false, fmt.Errorf("faultproxy: transfer encoding %q", resp.TransferEncoding)
		}
		raw, decoded, err = readChunked(br)
		return raw, decoded, false, err
	case resp.ContentLength > maxBody:
		return nil, nil, false, errors.New("faultproxy: body too long")
	case resp.ContentLength >= 0:
		raw = make([]byte, resp.ContentLength)
		_, err = io.ReadFull(br, raw)
		return raw, raw, false, err
	default:
		raw, err = io.ReadAll(io.LimitReader(br, maxBody+1))
		if err == nil && len(raw) > maxBody {
			err = errors.New("faultproxy: body too long")
		}
		return raw, raw, true, err
	}
}

// readChunked reads a chunked body, trailers included.
func readChunked(br *bufio.Reader) (raw, decoded []byte, err error) {
	line := func() ([]byte, error) {
		l, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) || len(l) > maxLine {
			return nil, errors.New("faultproxy: chunk line too long")
		}
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		raw = append(raw, l...)
		return l, err
	}
	for {
		l, err := line()
		if err != nil {
			return nil, nil, err
		}
		sz, _, _ := strings.Cut(strings.TrimSpace(string(l)), ";")
		n, err := strconv.ParseInt(strings.TrimSpace(sz), 16, 64)
		if err != nil || n < 0 {
			return nil, nil, fmt.Errorf("faultproxy: bad chunk size %q", l)
		}
		if n == 0 {
			for { // trailers, then the empty line
				t, err := line()
				if err != nil {
					return nil, nil, err
				}
				if len(bytes.TrimRight(t, "\r\n")) == 0 {
					return raw, decoded, nil
				}
			}
		}
		if int64(len(decoded))+n > maxBody {
			return nil, nil, errors.New("faultproxy: body too long")
		}
		start := len(raw)
		raw = append(raw, make([]byte, n)...)
		if _, err := io.ReadFull(br, raw[start:]); err != nil {
			return nil, nil, err
		}
		decoded = append(decoded, raw[start:]...)
		if l, err := line(); err != nil || len(bytes.TrimRight(l, "\r\n")) != 0 {
			return nil, nil, fmt.Errorf("faultproxy: chunk not followed by CRLF: %v", err)
		}
	}
}

// rewriteHead returns a response head without its framing headers
// (Content-Length, Transfer-Encoding, Trailer, Connection, Keep-Alive) and
// with add appended.
func rewriteHead(head []byte, add ...string) []byte {
	var b bytes.Buffer
	for i, l := range bytes.SplitAfter(head, []byte("\n")) {
		t := bytes.TrimRight(l, "\r\n")
		if i == 0 {
			b.Write(t)
			b.WriteString("\r\n")
			continue
		}
		if len(t) == 0 {
			break
		}
		name, _, _ := bytes.Cut(t, []byte(":"))
		switch strings.ToLower(strings.TrimSpace(string(name))) {
		case "content-length", "transfer-encoding", "trailer", "connection", "keep-alive":
			continue
		}
		b.Write(t)
		b.WriteString("\r\n")
	}
	for _, a := range add {
		b.WriteString(a)
		b.WriteString("\r\n")
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

// page is a whole HTTP/1.1 response carrying an HTML page, as a proxy in
// front of the gateway would answer.
func page(code int) []byte {
	text := http.StatusText(code)
	body := fmt.Sprintf("<html>\r\n<head><title>%d %s</title></head>\r\n<body>\r\n<center><h1>%d %s</h1></center>\r\n<hr><center>faultproxy</center>\r\n</body>\r\n</html>\r\n", code, text, code, text)
	return fmt.Appendf(nil, "HTTP/1.1 %d %s\r\nServer: faultproxy\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n%s", code, text, len(body), body)
}

// isUpgrade reports whether h asks for a protocol upgrade (a websocket).
func isUpgrade(h http.Header) bool {
	if h.Get("Upgrade") == "" {
		return false
	}
	for _, v := range h.Values("Connection") {
		for t := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), "upgrade") {
				return true
			}
		}
	}
	return false
}
