package subscriptions

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync/atomic"
	"time"

	graphql "github.com/hasura/go-graphql-client"
)

// How the watcher uses the hasura subscription client, and why.
//
// Each connection is its own graphql.SubscriptionClient, used for that one
// websocket only: its socket constructor (dialOnce) refuses a second dial,
// so when the socket ends for any reason the client's Run returns, and the
// watcher's supervisor opens a new client, with backoff. This avoids the
// hasura client's own reconnection, which
//   - stops for good on a close with code 1000 (and on an abnormal close),
//     and needs WithRetryStatusCodes for others;
//   - re-sends the subscriptions it holds with new ids, racing with
//     subscriptions added meanwhile (one added while it redials is lost,
//     one added while it processes connection_ack is started twice: the
//     subscriptions that multiply after reconnects, hasura issue #164);
//   - sleeps between attempts without watching any context.
//
// A new client gets a subscription for every active watch, each made only
// after connection_ack (so none races with the client's own ack handling),
// and then one HTTP read per watch that lost its subscription catches up
// with changes made while the socket was down. Subscription ids are never
// reused across clients, so nothing multiplies.
//
// Other settings: synchronous delivery (the default runs every message in
// its own goroutine, which reorders them); handlers that always return nil
// (an error returned by a handler tears down the client); no
// exit-when-no-subscription (the default closes the client whenever the
// last subscription ends); a read timeout that the gateway's keep-alives
// (legacy protocol) or the watcher's pings (graphql-transport-ws) keep from
// firing on a healthy idle connection, instead of the default minute
// after which an idle connection without keep-alives is torn down; no
// hasura keep-alive or idle-timeout goroutines, whose blocking sends on the
// client's error channel can outlive the client (see socket for the read
// loop's). The watcher closes a connection with a websocket close
// handshake, which lets the client's read loop end on its own.

// conn is one websocket connection and the hasura client that owns it.
type conn struct {
	gen    uint64
	sc     *graphql.SubscriptionClient
	cancel context.CancelFunc // cancels the context Run dials with
	ended  chan struct{}      // closed once Run has returned
	dialed atomic.Bool        // the client's one socket was dialed

	// Guarded by Watcher.mu.
	startedAt time.Time
	acked     bool // connection_ack received
	ackedAt   time.Time
	synced    bool             // every watch was subscribed after the ack
	finished  bool             // Run returned
	err       error            // why the connection ended
	closing   bool             // the watcher is closing it
	recycle   bool             // replace it: too many stopped subscriptions
	stopped   int              // subscriptions stopped, not yet confirmed complete
	byID      map[string]entry // subscription id -> watch
	stops     []string         // subscriptions to stop, in order (see stopLater)
	stopping  bool             // a goroutine is sending stops
}

// newConn starts a connection of generation gen. Called with w.mu held.
func (w *Watcher) newConn(gen uint64) *conn {
	ctx, cancel := context.WithCancel(context.Background())
	c := &conn{
		gen:       gen,
		cancel:    cancel,
		ended:     make(chan struct{}),
		startedAt: time.Now(),
		byID:      make(map[string]entry),
	}
	protocol := graphql.SubscriptionsTransportWS // "graphql-ws"
	if w.cfg.protocol == ProtocolGraphQLTransportWS {
		protocol = graphql.GraphQLWS // "graphql-transport-ws"
	}
	sc := graphql.NewSubscriptionClient(w.info.WebSocketURL).
		WithProtocol(protocol).
		WithWebSocketOptions(graphql.WebsocketOptions{
			HTTPClient:   w.info.HTTPClient,
			HTTPHeader:   http.Header{"User-Agent": {w.info.UserAgent}},
			ReadTimeout:  w.cfg.readTimeout,
			WriteTimeout: writeTimeout,
		}).
		WithConnectionParams(w.info.InitPayload()).
		WithSyncMode(true).
		WithExitWhenNoSubscription(false).
		WithConnectionInitialisationTimeout(0). // the supervisor times the ack
		WithWebSocket(dialOnce(c)).             // one socket per client
		WithRetryTimeout(time.Nanosecond).      // no redial loop: Run returns
		WithRetryDelay(0).
		OnConnected(func() { w.connected(c) }).
		OnError(func(sc *graphql.SubscriptionClient, err error) error {
			w.connError(c, sc, err)
			return err // ends Run; the supervisor decides what comes next
		}).
		OnSubscriptionComplete(func(s graphql.Subscription) { w.completed(c, s) })
	if w.log.Enabled(context.Background(), slog.LevelDebug) {
		sc = sc.WithLog(func(args ...any) {
			w.log.Debug("subscriptions: websocket", "gen", gen, "message", w.info.Redact(fmt.Sprint(args...)))
		}).WithoutLogTypes(graphql.GQLConnectionInit) // it carries the token
	}
	c.sc = sc

	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		err := sc.RunWithContext(ctx)
		cancel()
		w.mu.Lock()
		c.finished = true
		if c.err == nil {
			c.err = err
		}
		w.mu.Unlock()
		close(c.ended)
		w.poke()
	}()
	return c
}

// connected runs on the hasura client's read loop after connection_ack.
func (w *Watcher) connected(c *conn) {
	w.mu.Lock()
	if !c.finished {
		c.acked = true
		c.ackedAt = time.Now()
	}
	w.mu.Unlock()
	w.connections.Add(1)
	w.poke()
}

// connError records why the hasura client is about to stop: a close code
// it does not handle itself, or a connection_error message.
func (w *Watcher) connError(c *conn, sc *graphql.SubscriptionClient, err error) {
	var gqlErr graphql.Error
	code := closeStatus(sc, err)
	// The error's text comes from the server, which might echo the token.
	text := w.info.Redact(err.Error())
	switch {
	case code == int32(graphql.StatusUnauthorized) || code == int32(graphql.StatusForbidden):
		err = &unauthorizedError{cause: fmt.Errorf("websocket closed with code %d: %s", code, text)}
	case errors.As(err, &gqlErr) || code < 0:
		// connection_error: the gateway refused connection_init.
		err = &unauthorizedError{cause: fmt.Errorf("connection_error: %s", text)}
	default:
		err = fmt.Errorf("websocket closed with code %d: %s", code, text)
	}
	w.mu.Lock()
	if c.err == nil {
		c.err = err
	}
	w.mu.Unlock()
}

// closeStatus returns the websocket close code err carries, or -1.
func closeStatus(sc *graphql.SubscriptionClient, err error) int32 {
	if s, ok := sc.GetContext().(*graphql.SubscriptionContext); ok {
		if ws := s.GetWebsocketConn(); ws != nil {
			return ws.GetCloseStatus(err)
		}
	}
	return -1
}

// completed runs when the server completes a subscription.
func (w *Watcher) completed(c *conn, s graphql.Subscription) {
	id := s.GetID()
	w.mu.Lock()
	defer w.mu.Unlock()
	e, ok := c.byID[id]
	if !ok {
		// A subscription the watcher stopped: the client dropped its entry.
		if c.stopped > 0 {
			c.stopped--
		}
		return
	}
	// The server ended a subscription the watcher still needs: poll the
	// watch and subscribe it again on the next tick.
	delete(c.byID, id)
	if wt := e.base(); wt.subGen == c.gen {
		wt.subGen, wt.subID = 0, ""
	}
}

// subscribe starts e's subscription on c. Its subGen was set to c.gen by the
// caller under w.mu.
func (w *Watcher) subscribe(c *conn, e entry) {
	wt := e.base()
	gen := c.gen
	_, op := wt.kind.operation()
	id, err := c.sc.Exec(op, wt.vars, func(data []byte, err error) error {
		w.onMessage(e, gen, data, err)
		return nil // an error here would stop the hasura client
	})
	w.mu.Lock()
	_, active := w.watches[e]
	current := active && wt.subGen == gen && w.conn == c && !c.finished
	if err == nil && current {
		wt.subID = id
		c.byID[id] = e
		w.mu.Unlock()
		return
	}
	if err != nil && wt.subGen == gen {
		wt.subGen = 0 // the connection is failing; the next one subscribes it
	}
	w.mu.Unlock()
	if err != nil {
		w.log.Debug("subscriptions: subscribe failed", "gen", gen, "error", err)
	}
	if id != "" {
		_ = c.sc.Unsubscribe(id)
	}
}

// onMessage handles a subscription message on the hasura client's read
// loop: it must be quick and must not block. Data is handed to the watch
// as it is; the watch's caller decodes it.
func (w *Watcher) onMessage(e entry, gen uint64, data []byte, err error) {
	if err != nil {
		w.subscriptionFailed(e, gen, err)
		return
	}
	if len(data) == 0 {
		return
	}
	e.onData(data) // decoded by the watch's caller
	e.base().subFailures.Store(0)
}

// maxSubscriptionFailures is how many temporary subscription errors in a
// row a watch tolerates (Kronor's SDKs: 5).
const maxSubscriptionFailures = 5

// subscriptionFailed handles the server's error for one subscription, which
// ends that subscription server-side.
func (w *Watcher) subscriptionFailed(e entry, gen uint64, err error) {
	wt := e.base()
	opName, _ := wt.kind.operation()
	ce := subscriptionError(err, w.info, opName)
	w.mu.Lock()
	c, id := w.conn, ""
	current := c != nil && c.gen == gen && wt.subGen == gen
	if current {
		id = wt.subID
		delete(c.byID, id)
		c.stopped++
		wt.subGen, wt.subID = 0, ""
	}
	w.mu.Unlock()
	if !current {
		// An error for a subscription already given up (an older
		// connection's, or one already being replaced): the watch's current
		// subscription, or its polls, decide.
		w.log.Debug("subscriptions: error for a replaced subscription", "kind", wt.kind.name(), "id", wt.key, "gen", gen, "error", ce)
		return
	}
	if id != "" {
		// The error ended the subscription on the server; stopping it too
		// drops the hasura client's entry, and ends it should the server
		// have kept it.
		_ = c.sc.Unsubscribe(id)
	}
	failures := wt.subFailures.Add(1)

	if ce.Retryable && failures < maxSubscriptionFailures {
		// Polled, and subscribed again, on the next tick.
		w.log.Debug("subscriptions: temporary subscription failure", "kind", wt.kind.name(), "id", wt.key, "error", ce)
		return
	}
	w.log.Warn("subscriptions: the gateway refused the subscription", "kind", wt.kind.name(), "id", wt.key, "error", ce)
	e.fail(fmt.Errorf("subscriptions: watching %s %s: %w", wt.kind.name(), wt.key, ce))
}

// supervise keeps a connection up while there are watches, polls while it
// is down, and tears everything down at Close.
func (w *Watcher) supervise() {
	defer w.wg.Done()
	poll := time.NewTicker(w.cfg.pollInterval)
	defer poll.Stop()
	var keepAlive <-chan time.Time
	if w.cfg.protocol == ProtocolGraphQLTransportWS && w.cfg.keepAlive > 0 {
		t := time.NewTicker(w.cfg.keepAlive)
		defer t.Stop()
		keepAlive = t.C
	}
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()

	var s supervisorState
	for {
		if next := w.step(&s); !next.IsZero() {
			timer.Reset(time.Until(next))
		}
		select {
		case <-w.done:
			w.shutdown()
			return
		case <-w.wake:
		case <-timer.C:
		case <-poll.C:
			w.pollTick()
		case <-keepAlive:
			w.ping()
		}
	}
}

type supervisorState struct {
	failures int       // connections in a row that failed or did not stay up
	nextDial time.Time // earliest time of the next attempt
}

// step reconciles the connection with the watches and returns when it wants
// to run again (zero: only when something happens).
func (w *Watcher) step(s *supervisorState) (next time.Time) {
	now := time.Now()
	var (
		toFail  []entry
		failErr error
		toSub   []entry
		toRead  []entry
		subConn *conn
		toClose *conn
	)
	w.mu.Lock()
	c := w.conn
	if c != nil && c.finished {
		w.conn = nil
		for e := range w.watches {
			if wt := e.base(); wt.subGen == c.gen {
				// Its subscription ended with the connection; changes during
				// the outage are read once after reconnecting.
				wt.subGen, wt.subID = 0, ""
				wt.catchUp = true
			}
		}
		if c.acked && now.Sub(c.ackedAt) >= w.cfg.backoffMax {
			s.failures = 0
		} else {
			s.failures++
		}
		if isAuthError(c.err) {
			// Report the refusal; do not retry until a new watch asks.
			w.log.Warn("subscriptions: the gateway refused the websocket connection", "error", c.err, "watches", len(w.watches))
			failErr = c.err
			for e := range w.watches {
				toFail = append(toFail, e)
				delete(w.watches, e)
			}
		}
		s.nextDial = now.Add(w.backoff(s.failures))
		w.log.Debug("subscriptions: websocket ended", "gen", c.gen, "acked", c.acked, "error", c.err,
			"watches", len(w.watches), "retry_in", s.nextDial.Sub(now))
		c = nil
	}
	if c == nil && len(w.watches) > 0 && !w.closed {
		if now.Before(s.nextDial) {
			next = s.nextDial
		} else {
			w.gen++
			c = w.newConn(w.gen)
			w.conn = c
			w.log.Debug("subscriptions: connecting", "gen", c.gen, "url", w.info.WebSocketURL, "protocol", w.cfg.protocol)
		}
	}
	if c != nil && !c.acked && !c.closing {
		if deadline := c.startedAt.Add(ackTimeout); now.Before(deadline) {
			next = deadline
		} else {
			c.closing = true
			toClose = c
		}
	}
	if c != nil && c.acked && !c.synced {
		c.synced = true
		subConn = c
		for e := range w.watches {
			if wt := e.base(); wt.subGen != c.gen {
				wt.subGen = c.gen
				toSub = append(toSub, e)
				if wt.catchUp {
					wt.catchUp = false
					toRead = append(toRead, e)
				}
			}
		}
	}
	if c != nil && c.recycle && !c.closing {
		c.closing = true
		toClose = c
	}
	w.mu.Unlock()

	for _, e := range toFail {
		e.fail(failErr)
	}
	if toClose != nil {
		w.closeConn(toClose)
	}
	if subConn != nil {
		w.log.Debug("subscriptions: connected", "gen", subConn.gen, "resubscribing", len(toSub))
		for _, e := range toSub {
			w.subscribe(subConn, e)
		}
		// Catch up with changes made while the socket was down.
		w.readAll(toRead, nil)
	}
	return next
}

// backoff returns the wait before the next connection attempt after
// failures failed attempts in a row.
func (w *Watcher) backoff(failures int) time.Duration {
	if failures == 0 {
		return rand.N(w.cfg.backoffInitial)
	}
	d := w.cfg.backoffInitial
	for i := 1; i < failures && d < w.cfg.backoffMax; i++ {
		d *= 2
	}
	d = min(d, w.cfg.backoffMax)
	return d/2 + rand.N(d/2+1)
}

// pollTick polls the watches that have no live subscription, and
// resubscribes them when the socket is up.
func (w *Watcher) pollTick() {
	w.mu.Lock()
	c := w.conn
	live := c != nil && c.acked && c.synced && !c.finished
	var list, resub []entry
	for e := range w.watches {
		wt := e.base()
		if live && wt.subGen == c.gen {
			continue
		}
		list = append(list, e)
		if live {
			wt.subGen = c.gen
			resub = append(resub, e)
		}
	}
	w.mu.Unlock()
	for _, e := range resub {
		w.subscribe(c, e)
	}
	if len(list) > 0 && w.polling.CompareAndSwap(false, true) {
		w.readAll(list, func() { w.polling.Store(false) })
	}
}

// pollBatch is how many objects one HTTP poll reads.
const pollBatch = 100

// readAll reads every watch in list over HTTP, pollBatch of one kind per
// request and a few requests at a time, in the background; then calls
// done, if not nil.
func (w *Watcher) readAll(list []entry, done func()) {
	var batches [][]entry
	byKind := make(map[kindOps][]entry, 1)
	for _, e := range list {
		k := e.base().kind
		b := append(byKind[k], e)
		if len(b) == pollBatch {
			batches = append(batches, b)
			b = nil
		}
		byKind[k] = b
	}
	for _, b := range byKind {
		if len(b) > 0 {
			batches = append(batches, b)
		}
	}
	n := min(len(batches), w.cfg.pollConcurrency)
	if n == 0 {
		if done != nil {
			done()
		}
		return
	}
	var next atomic.Int64
	var running atomic.Int64
	running.Store(int64(n))
	w.wg.Add(n)
	for range n {
		go func() {
			defer w.wg.Done()
			defer func() {
				if running.Add(-1) == 0 && done != nil {
					done()
				}
			}()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(batches) || w.ctx.Err() != nil {
					return
				}
				w.refresh(batches[i])
			}
		}()
	}
}

// refresh reads a batch of watches of one kind over HTTP and applies the
// results.
func (w *Watcher) refresh(batch []entry) {
	k := batch[0].base().kind
	ctx, cancel := context.WithTimeout(w.ctx, httpReadTimeout)
	defer cancel()
	w.httpReads.Add(1)
	err := k.poll(ctx, w.c, batch)
	switch {
	case err != nil && isAuthError(err):
		w.log.Warn("subscriptions: the gateway refused the token", "error", err)
		err = fmt.Errorf("subscriptions: polling %ss: %w", k.name(), err)
		for _, e := range batch {
			e.fail(err)
		}
	case err != nil:
		w.log.Debug("subscriptions: poll failed", "kind", k.name(), "count", len(batch), "error", err)
	}
}

// ping sends a graphql-transport-ws ping; the gateway's pong keeps the
// connection from looking idle.
func (w *Watcher) ping() {
	w.mu.Lock()
	c := w.conn
	ok := c != nil && c.acked && !c.finished
	w.mu.Unlock()
	if !ok {
		return
	}
	if s, ok := c.sc.GetContext().(*graphql.SubscriptionContext); ok {
		_ = s.Send(graphql.OperationMessage{Type: graphql.GQLPing}, graphql.GQLPing)
	}
}

// closeConn closes c in the background: with a websocket close handshake,
// so that the hasura client's read loop ends by itself, or, before there
// is a socket or when the handshake does not end the client in time, by
// cancelling the client's context.
func (w *Watcher) closeConn(c *conn) {
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		if s, ok := c.sc.GetContext().(*graphql.SubscriptionContext); ok {
			if ws := s.GetWebsocketConn(); ws != nil {
				_ = ws.Close()
			} else {
				c.cancel()
			}
		} else {
			c.cancel()
		}
		t := time.NewTimer(closeGrace)
		defer t.Stop()
		select {
		case <-c.ended:
		case <-t.C:
			c.cancel()
		}
	}()
}

// shutdown closes the connection at Close.
func (w *Watcher) shutdown() {
	w.mu.Lock()
	c := w.conn
	w.conn = nil
	w.mu.Unlock()
	if c != nil {
		w.closeConn(c)
	}
}
