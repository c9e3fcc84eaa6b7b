package subscriptions

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/conninfo"
)

// Protocol is a GraphQL-over-websocket protocol, named by the websocket
// subprotocol it negotiates.
type Protocol string

const (
	// ProtocolGraphQLWS is Apollo's legacy subscriptions-transport-ws
	// protocol, negotiated as the "graphql-ws" subprotocol (connection_init,
	// start, data, stop, ka): what Kronor's own SDKs speak. The default.
	ProtocolGraphQLWS Protocol = "graphql-ws"
	// ProtocolGraphQLTransportWS is the newer GraphQL over WebSocket protocol,
	// negotiated as the "graphql-transport-ws" subprotocol (subscribe, next,
	// complete, ping, pong).
	ProtocolGraphQLTransportWS Protocol = "graphql-transport-ws"
)

// Defaults of the options.
const (
	// DefaultPollInterval is how often a watcher reads the watched payment
	// requests over HTTP while its websocket is down, like Kronor's iOS SDK.
	DefaultPollInterval = time.Second
	// DefaultReconnectInitial and DefaultReconnectMax bound the wait between
	// reconnection attempts, as in Kronor's own SDKs (0.5 s doubling to 8 s).
	DefaultReconnectInitial = 500 * time.Millisecond
	DefaultReconnectMax     = 8 * time.Second
	// DefaultReadTimeout is how long the websocket may stay silent before it
	// is taken for dead and replaced, and HTTP polling takes over while a new
	// one connects: three of the gateway's keep-alive intervals. The gateway
	// sends a keep-alive every 5 s on the legacy protocol (Hasura's default),
	// and answers the pings the watcher sends on graphql-transport-ws, so a
	// socket that went silent without closing (a proxy or NAT that dropped
	// it) blinds a wait for at most 15 s.
	DefaultReadTimeout = 15 * time.Second
	// DefaultKeepAlive is how often the watcher pings the gateway on
	// graphql-transport-ws, so that a healthy idle connection is never
	// silent for a whole read timeout.
	DefaultKeepAlive = 5 * time.Second
	// DefaultPollConcurrency is how many HTTP requests a watcher has in
	// flight at once when it polls or catches up after a reconnection; each
	// reads up to 100 payment requests.
	DefaultPollConcurrency = 4
)

// Internal limits.
const (
	writeTimeout    = 10 * time.Second // one websocket write
	ackTimeout      = 15 * time.Second // connection_init to connection_ack
	httpReadTimeout = 15 * time.Second // one HTTP read, retries included
	closeGrace      = 10 * time.Second // graceful websocket close before cancelling
	// recycleAfter: the hasura client keeps an entry for every subscription
	// stopped on a connection until the server confirms with "complete"
	// (which not every server sends). A connection holding this many such
	// entries, and more of them than active watches, is replaced.
	recycleAfter = 10_000
)

// Option configures a [Watcher].
type Option func(*settings)

type settings struct {
	protocol        Protocol
	pollInterval    time.Duration
	backoffInitial  time.Duration
	backoffMax      time.Duration
	readTimeout     time.Duration
	keepAlive       time.Duration
	pollConcurrency int
	logger          *slog.Logger
	recycleAfter    int
	noChargeCheck   bool
	errs            []error
}

// WithProtocol selects the websocket protocol (default
// [ProtocolGraphQLWS]).
func WithProtocol(p Protocol) Option {
	return func(s *settings) {
		if p != ProtocolGraphQLWS && p != ProtocolGraphQLTransportWS {
			s.errs = append(s.errs, fmt.Errorf("unknown protocol %q", p))
			return
		}
		s.protocol = p
	}
}

// WithPollInterval sets how often the watched payment requests are read over
// HTTP while the websocket is down (default [DefaultPollInterval]). d must
// be positive.
func WithPollInterval(d time.Duration) Option {
	return func(s *settings) {
		if d <= 0 {
			s.errs = append(s.errs, fmt.Errorf("poll interval %v is not positive", d))
			return
		}
		s.pollInterval = d
	}
}

// WithReconnectBackoff bounds the wait between reconnection attempts: a
// connection that drops after being up a while is replaced after a random
// wait shorter than initial; each further failure doubles the wait, up to
// max (defaults [DefaultReconnectInitial], [DefaultReconnectMax]). Both
// must be positive and initial <= max.
func WithReconnectBackoff(initial, max time.Duration) Option {
	return func(s *settings) {
		if initial <= 0 || max < initial {
			s.errs = append(s.errs, fmt.Errorf("reconnect backoff %v..%v: need 0 < initial <= max", initial, max))
			return
		}
		s.backoffInitial, s.backoffMax = initial, max
	}
}

// WithReadTimeout sets how long the websocket may receive nothing before it
// is replaced (default [DefaultReadTimeout]). It must be longer than the
// gateway's keep-alive interval (legacy protocol) and than the keep-alive
// set with [WithKeepAlive] (graphql-transport-ws); otherwise a healthy idle
// connection is needlessly replaced.
func WithReadTimeout(d time.Duration) Option {
	return func(s *settings) {
		if d <= 0 {
			s.errs = append(s.errs, fmt.Errorf("read timeout %v is not positive", d))
			return
		}
		s.readTimeout = d
	}
}

// WithKeepAlive sets how often the watcher sends a ping on
// graphql-transport-ws (default [DefaultKeepAlive]); 0 sends none. The
// legacy protocol has no client ping: there the gateway's keep-alives keep
// the connection busy.
func WithKeepAlive(d time.Duration) Option {
	return func(s *settings) {
		if d < 0 {
			s.errs = append(s.errs, fmt.Errorf("keep-alive %v is negative", d))
			return
		}
		s.keepAlive = d
	}
}

// WithPollConcurrency sets how many HTTP requests the watcher has in flight
// at once when polling or catching up (default [DefaultPollConcurrency]);
// each reads up to 100 payment requests. n must be at least 1.
func WithPollConcurrency(n int) Option {
	return func(s *settings) {
		if n < 1 {
			s.errs = append(s.errs, fmt.Errorf("poll concurrency %d is less than 1", n))
			return
		}
		s.pollConcurrency = n
	}
}

// WithoutChargeCheck turns off the check [Watcher.Wait] makes when a
// payment succeeds, that it is the order's only charge (one HTTP read of
// the order's payment requests per successful wait). Turn it off only when
// your service checks its orders' charges by other means (payments.Charges
// after each checkout, or a reconciliation).
func WithoutChargeCheck() Option {
	return func(s *settings) { s.noChargeCheck = true }
}

// WithLogger logs the watcher's connection events to l instead of the
// client's logger: connections and reconnections at Debug, refusals at
// Warn. Tokens are never logged.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) {
		if l == nil {
			s.errs = append(s.errs, errors.New("nil logger"))
			return
		}
		s.logger = l
	}
}

// Watcher waits for payment requests to reach their outcome, over one
// websocket that carries a subscription per watched request. It is safe for
// concurrent use; one Watcher serves any number of concurrent waits. Close
// it when done.
//
// The websocket is opened on the first wait and kept while the watcher is
// open. When it drops (or stays silent for the read timeout, or the gateway
// closes it, whatever the close code) the watcher opens a new one, at once
// after a connection that was up a while and then with growing waits
// (see [WithReconnectBackoff]), and subscribes every wait again; meanwhile
// it polls the waits over HTTP (see [WithPollInterval]), and once the new
// websocket is up it reads each wait that lost its subscription once over
// HTTP. A refused token ends the waits in progress with an error matching
// client.ErrUnauthorized; the next wait tries again.
type Watcher struct {
	c    client.Caller
	info conninfo.Info // the websocket URL, the token's redaction, ...
	log  *slog.Logger
	cfg  settings

	ctx       context.Context // ends at Close; bounds HTTP reads
	cancel    context.CancelFunc
	wake      chan struct{} // capacity 1: nudges the supervisor
	done      chan struct{} // closed by Close
	closeOnce sync.Once
	wg        sync.WaitGroup // every goroutine the watcher starts

	polling     atomic.Bool // a periodic poll round is running
	httpReads   atomic.Int64
	connections atomic.Int64

	mu      sync.Mutex
	closed  bool
	watches map[entry]struct{}
	conn    *conn  // the current connection, or nil while down
	gen     uint64 // generation of the latest connection
}

// NewWatcher returns a watcher that authenticates with c's token: the
// merchant client, or a session client (merchant.Session(token)). It connects on the
// first wait, to c's endpoint with https replaced by wss.
func NewWatcher(c client.Caller, opts ...Option) (*Watcher, error) {
	info, ok := conninfo.Of(c)
	if !ok {
		return nil, errNilClient
	}
	cfg := settings{
		protocol:        ProtocolGraphQLWS,
		pollInterval:    DefaultPollInterval,
		backoffInitial:  DefaultReconnectInitial,
		backoffMax:      DefaultReconnectMax,
		readTimeout:     DefaultReadTimeout,
		keepAlive:       DefaultKeepAlive,
		pollConcurrency: DefaultPollConcurrency,
		recycleAfter:    recycleAfter,
	}
	for _, o := range opts {
		o(&cfg)
	}
	if len(cfg.errs) > 0 {
		return nil, fmt.Errorf("subscriptions: %w", errors.Join(cfg.errs...))
	}
	if cfg.logger == nil {
		cfg.logger = info.Logger
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := &Watcher{
		c:       c,
		info:    info,
		log:     cfg.logger,
		cfg:     cfg,
		ctx:     ctx,
		cancel:  cancel,
		wake:    make(chan struct{}, 1),
		done:    make(chan struct{}),
		watches: make(map[entry]struct{}),
	}
	w.wg.Add(1)
	go w.supervise()
	return w, nil
}

// Close ends every wait with [ErrClosed], closes the websocket and returns
// once every goroutine of the watcher has ended. It is safe to call more
// than once.
func (w *Watcher) Close() error {
	w.closeOnce.Do(func() {
		w.mu.Lock()
		w.closed = true
		ended := make([]entry, 0, len(w.watches))
		for wt := range w.watches {
			ended = append(ended, wt)
		}
		w.mu.Unlock()
		for _, wt := range ended {
			wt.fail(ErrClosed)
		}
		w.cancel()
		close(w.done)
	})
	w.wg.Wait()
	return nil
}

func (w *Watcher) isClosed() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.closed
}

// Stats is a snapshot of a watcher's state, for metrics and tests.
type Stats struct {
	// Watches is the number of watches in progress.
	Watches int
	// Subscriptions is the number of them subscribed on the current
	// connection.
	Subscriptions int
	// Connected reports whether the websocket is up and acknowledged.
	Connected bool
	// Connections counts the websocket connections acknowledged by the
	// gateway since the watcher was made.
	Connections int64
	// HTTPReads counts the HTTP requests made: one first read per watch,
	// and the polls while the websocket was down and catch-up reads after
	// it came back, each of up to 100 payment requests.
	HTTPReads int64
}

// Stats returns a snapshot of the watcher's state.
func (w *Watcher) Stats() Stats {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := Stats{
		Watches:     len(w.watches),
		Connections: w.connections.Load(),
		HTTPReads:   w.httpReads.Load(),
	}
	if c := w.conn; c != nil && c.acked && !c.finished {
		s.Connected = true
		s.Subscriptions = len(c.byID)
	}
	return s
}

// poke wakes the supervisor.
func (w *Watcher) poke() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// register adds a watch; it is subscribed at once when the websocket is up,
// otherwise as soon as it is.
func (w *Watcher) register(e entry) error {
	wt := e.base()
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return ErrClosed
	}
	w.watches[e] = struct{}{}
	c := w.conn
	if c != nil && c.acked && !c.finished {
		wt.subGen = c.gen
		w.mu.Unlock()
		w.subscribe(c, e)
		return nil
	}
	w.mu.Unlock()
	w.poke()
	return nil
}

// unregister removes a watch that ended and stops its subscription. The
// watch gets nothing more from the subscription from here on; the stop
// message itself is sent in the background (see stopLater), so that the
// caller's wait returns without waiting for the websocket.
func (w *Watcher) unregister(e entry) {
	wt := e.base()
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.watches, e)
	c, id := w.conn, wt.subID
	live := c != nil && id != "" && wt.subGen == c.gen
	wt.subGen, wt.subID = 0, ""
	if !live {
		return
	}
	delete(c.byID, id)
	c.stopped++
	if c.stopped >= w.cfg.recycleAfter && c.stopped > 2*len(w.watches) && !c.recycle {
		c.recycle = true
		w.poke()
	}
	w.stopLater(c, id)
}

// stopLater queues the stop of subscription id on c, sent by one goroutine
// that sends every queued stop in turn and ends when none is left. When
// thousands of waits end at once, their callers neither wait for nor queue
// up on the websocket's writes; the stops still go out as fast as the
// socket takes them. After Close no goroutine is started: closing the
// websocket ends every subscription on it. Called with w.mu held.
func (w *Watcher) stopLater(c *conn, id string) {
	if w.closed {
		return
	}
	c.stops = append(c.stops, id)
	if c.stopping {
		return
	}
	c.stopping = true
	w.wg.Add(1) // under w.mu with w.closed false: before Close waits
	go w.sendStops(c)
}

// sendStops sends c's queued stops until there are none left, or c ended.
func (w *Watcher) sendStops(c *conn) {
	defer w.wg.Done()
	for {
		w.mu.Lock()
		ids := c.stops
		c.stops = nil
		if len(ids) == 0 || c.finished {
			c.stopping = false
			w.mu.Unlock()
			return
		}
		w.mu.Unlock()
		for _, id := range ids {
			_ = c.sc.Unsubscribe(id)
		}
	}
}
