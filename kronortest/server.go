package kronortest

import (
	"context"
	"errors"
	"fmt"
	"github.com/kronor-io/kronor-go/kronortest/internal/bounded"
	"io"
	stdlog "log"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/kronortest/internal/graph"
)

// Path is where the fake gateway serves GraphQL, as the real one does.
const Path = "/v1/graphql"

// Server is a fake Kronor gateway listening on a loopback port. Create it with
// [NewServer] and stop it with [Server.Close]. All its methods are safe for
// concurrent use.
type Server struct {
	store *store
	cfg   config
	log   *slog.Logger

	ln      net.Listener
	httpSrv *http.Server
	url     string
	exec    *executor.Executor // over the whole schema, for errors before authentication
	execs   roleExecutor       // the executor of each role
	ws      transport.Websocket
	roles   *roleChecker
	texts   interner // the queries and variable names of requests (decodeParams)

	done      chan struct{}
	closeOnce sync.Once
	wg        sync.WaitGroup
	unlisten  func() // stops listening to a ManualClock

	requests atomic.Int64
	live     liveCount
	pushes   pushCount

	wsMu    sync.Mutex
	wsConns map[net.Conn]struct{}

	conns connTracker

	faults faultState
}

type config struct {
	clock        Clock
	autoApprove  time.Duration
	payerDelay   time.Duration
	logger       *slog.Logger
	manualSettle bool
	settleDelay  time.Duration
	seed         uint64
	seeded       bool
	addr         string
	idemLimit    int
	keepAlive    time.Duration
	origins      []string
	token        string
}

// Option configures a [Server].
type Option func(*config)

// WithClock makes the server read the time from c (default: the system clock).
// With a [*ManualClock], sessions expire and automatic approvals fire only when
// the test moves the clock.
func WithClock(c Clock) Option { return func(o *config) { o.clock = c } }

// WithAutoApprove approves every new payment request after d: PAID,
// AUTHORIZED for card payments, FLOW_COMPLETED, ACCEPTED and PAID for bank
// transfers. A request cancelled, declined or failed before then stays so.
// Zero (the default) approves nothing by itself.
func WithAutoApprove(d time.Duration) Option { return func(o *config) { o.autoApprove = d } }

// WithPayerDataDelay makes the customer's next step appear d after a payment
// request reaches WAITING_FOR_PAYMENT, as the real gateway fills it in
// asynchronously, and pushes it to paymentRequests subscribers then: each
// method's hosted payment URL (transactionCreditCardDetails,
// transactionMobilePayDetails, transactionVippsDetails and
// transactionP24Details' sessionUrl; MobilePay's qrCodeUrl and redirectUrl;
// transactionBankTransferDetails' payUrl and authorizationUrl;
// transactionPayPalDetails' paymentUrl and orderId), and for the Swish mcom
// flow transactionSwishDetails' qrCode and returnUrl (the swish:// app link).
// Until then those fields are null. Zero (the default) has them at
// WAITING_FOR_PAYMENT, readable as soon as the create-payment call answers. A
// payment that ends before then never gets them.
func WithPayerDataDelay(d time.Duration) Option { return func(o *config) { o.payerDelay = max(d, 0) } }

// WithLogger makes the server log requests and faults to l (default: nothing).
func WithLogger(l *slog.Logger) Option { return func(o *config) { o.logger = l } }

// WithManualSettlement keeps captures, releases and refunds in their first
// state (CAPTURING, or WAITING_FOR_CAPTURE for [OutcomePending]; IN_PROGRESS;
// INITIALIZING) until [Server.Settle] is called. By default they move by
// themselves (see [WithSettleDelay]).
func WithManualSettlement() Option { return func(o *config) { o.manualSettle = true } }

// DefaultSettleDelay is how long each step of a capture, release or refund
// takes on the fake by default (see [WithSettleDelay]).
const DefaultSettleDelay = 20 * time.Millisecond

// WithSettleDelay sets how long each step of a capture, release or refund
// takes on the fake's clock (default [DefaultSettleDelay]). As on the real
// gateway they move asynchronously after their mutation has answered: a
// capture CAPTURING → CAPTURE_DONE (WAITING_FOR_CAPTURE → CAPTURING →
// CAPTURE_DONE when [OutcomePending] is scripted), a release IN_PROGRESS →
// DONE, a refund INITIALIZING → CREATED → DEBITED → PAID, or to their
// scripted outcome ([Server.ScriptCapture]), one status every d, each
// entered at its time and pushed to subscribers. With a [*ManualClock] the
// steps run when the clock is moved past them. d <= 0 restores the earlier
// behaviour: each settles (as one [Server.Settle] does) when the next request
// after its creation is served. [WithManualSettlement] overrides it.
func WithSettleDelay(d time.Duration) Option {
	return func(o *config) { o.settleDelay = max(d, 0) }
}

// WithSeed seeds the pseudo-random choice of [Server.FailFraction], so a test
// run is repeatable (default: a fixed seed).
func WithSeed(seed int64) Option {
	return func(o *config) { o.seed, o.seeded = uint64(seed), true }
}

// WithAddr makes the server listen on addr, e.g. "127.0.0.1:8080", instead of
// a random loopback port.
func WithAddr(addr string) Option { return func(o *config) { o.addr = addr } }

// WithIdempotencyLimit sets how many idempotency keys the server remembers
// (default [DefaultIdempotencyLimit]); the least recently used is forgotten
// first.
func WithIdempotencyLimit(n int) Option { return func(o *config) { o.idemLimit = n } }

// WithKeepAlive sets the interval of websocket keep-alives: "ka" messages on
// graphql-ws, pings on graphql-transport-ws (default [DefaultKeepAlive], 5s,
// as Hasura's).
func WithKeepAlive(d time.Duration) Option { return func(o *config) { o.keepAlive = d } }

// WithAllowedOrigins lets browsers from the given origins call the server:
// CORS headers on HTTP and accepted websocket origins. "*" allows any origin.
// By default only same-origin browser websockets are accepted.
func WithAllowedOrigins(origins ...string) Option {
	return func(o *config) { o.origins = append(o.origins, origins...) }
}

// WithMerchantToken sets the merchant token (default: random per server).
func WithMerchantToken(token string) Option { return func(o *config) { o.token = token } }

// NewServer starts a fake gateway on 127.0.0.1 at a random port (see
// [WithAddr]) and returns it. It panics if it cannot listen, as
// httptest.NewServer does; [Start] returns that error instead. Close it when
// done.
func NewServer(opts ...Option) *Server {
	s, err := Start(opts...)
	if err != nil {
		panic(err.Error())
	}
	return s
}

// Start is [NewServer] for programs that serve the fake on an address they
// are given, such as cmd/kronor-sandbox: it returns an error, which names the
// address, when it cannot listen there (e.g. the address is in use), instead
// of panicking. Close the server when done.
func Start(opts ...Option) (*Server, error) {
	cfg := config{clock: realClock{}, addr: "127.0.0.1:0", keepAlive: DefaultKeepAlive, settleDelay: DefaultSettleDelay}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.clock == nil {
		cfg.clock = realClock{}
	}
	if !cfg.seeded {
		cfg.seed = 1
	}
	if cfg.token == "" {
		cfg.token = randomToken("kronortest-merchant-")
	}
	log := cfg.logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return nil, fmt.Errorf("kronortest: listen on %s: %w", cfg.addr, err)
	}
	s := &Server{
		cfg:     cfg,
		log:     log,
		ln:      ln,
		url:     "http://" + ln.Addr().String() + Path,
		done:    make(chan struct{}),
		wsConns: map[net.Conn]struct{}{},
	}
	s.texts.texts.Limit, s.texts.maxLen = roleCacheLimit, roleCacheMaxQuery
	s.faults.rng = rand.New(rand.NewPCG(cfg.seed, cfg.seed^0x9e3779b97f4a7c15))
	s.store = newStore(cfg.clock, cfg.idemLimit)
	s.store.merchantToken = cfg.token
	s.store.base = "http://" + ln.Addr().String()
	s.store.autoApprove = cfg.autoApprove
	s.store.payerDelay = cfg.payerDelay
	s.store.manualSettle = cfg.manualSettle
	s.store.settleDelay = cfg.settleDelay

	full := graph.NewExecutableSchema(graph.Config{Resolvers: &resolver{srv: s}}).Schema()
	s.roles = newRoleChecker(full)
	// One executor per role, each over its role's schema (roleschema.go); its
	// own query cache, since a document valid for one role may not be for
	// the other.
	newExecutor := func(schema *ast.Schema) *executor.Executor {
		ex := executor.New(graph.NewExecutableSchema(graph.Config{Resolvers: &resolver{srv: s}, Schema: schema}))
		ex.SetQueryCache(&queryCache{docs: bounded.Cache[string, *ast.QueryDocument]{Limit: 1000}})
		ex.SetParserTokenLimit(maxQueryTokens) // see limits.go
		ex.Use(introspection{})
		ex.Use(s.roles)
		ex.Use(variablesCheck{roles: s.roles})
		ex.Use(servedHook{s: s})
		ex.SetErrorPresenter(presentError)
		ex.SetRecoverFunc(func(ctx context.Context, v any) error {
			s.log.Error("kronortest: panic in a resolver", "panic", v)
			return gwError(codeUnexpected, "$", "internal error: %v", v)
		})
		return ex
	}
	s.exec = newExecutor(full)
	s.execs = roleExecutor{anon: s.exec, merchant: newExecutor(roleSchema(full, roleMerchant)), gwExe: newExecutor(roleSchema(full, roleGateway))}
	s.ws = s.websocketTransport()

	mux := http.NewServeMux()
	mux.Handle(Path, s)
	mux.HandleFunc("/pay/", s.servePayerPage)
	s.httpSrv = &http.Server{
		// The GraphQL endpoint, which nearly every request is for, is
		// served without the mux's pattern matching; for that path (which
		// the mux matches escaped, and needs no cleaning) the mux would
		// choose s all the same.
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodConnect && r.URL.EscapedPath() == Path {
				s.ServeHTTP(w, r)
				return
			}
			mux.ServeHTTP(w, r)
		}),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          stdlog.New(&logAdapter{l: log}, "", 0),
		ConnState:         s.conns.track,
	}

	if mc, ok := cfg.clock.(*ManualClock); ok {
		s.unlisten = mc.onChange(func() { s.store.runDue() })
	} else {
		s.wg.Add(1)
		go s.scheduler()
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.httpSrv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("kronortest: serve", "err", err)
		}
	}()
	return s, nil
}

// URL returns the GraphQL endpoint, e.g. "http://127.0.0.1:41234/v1/graphql".
// Its websocket address is the same with the ws scheme.
func (s *Server) URL() string { return s.url }

// WebSocketURL returns the websocket endpoint, e.g. "ws://127.0.0.1:41234/v1/graphql".
func (s *Server) WebSocketURL() string { return "ws" + strings.TrimPrefix(s.url, "http") }

// MerchantToken returns the merchant API token: "Authorization: Bearer <it>"
// gives the merchant role.
func (s *Server) MerchantToken() string { return s.cfg.token }

// Client returns a new merchant client for the server, as httptest's
// Server.Client does for an HTTP server: its endpoint is [Server.URL], its
// token [Server.MerchantToken], and it retries quickly (waits of 1 to 10 ms
// instead of seconds) so that a test of faults stays fast. opts are applied
// after these and may override them, e.g. [client.WithLogger]. Client panics
// when an option is invalid, as a test's setup mistake.
//
// A payment session's client, for the payment starters, is the session's
// Client method or [client.Client.Session] of this one.
func (s *Server) Client(opts ...client.Option) *client.Client {
	all := append([]client.Option{
		client.WithEndpoint(s.url),
		client.WithBackoff(time.Millisecond, 10*time.Millisecond),
	}, opts...)
	c, err := client.New(s.cfg.token, all...)
	if err != nil {
		panic("kronortest: Server.Client: " + err.Error())
	}
	return c
}

// Close stops the server: it closes the listener, every connection and every
// websocket, and waits for the server's goroutines to end. It is safe to call
// more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.done)
		if s.unlisten != nil {
			s.unlisten()
		}
		_ = s.httpSrv.Close()
		s.CloseWebSockets()
		s.wg.Wait()
		// net/http may linger on a closing connection for a moment (to avoid a
		// TCP reset); wait for it, so no goroutine outlives Close.
		s.conns.wait(5 * time.Second)
	})
}

// ServeHTTP serves the GraphQL endpoint: POST for queries and mutations, a
// websocket upgrade for subscriptions.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.wg.Add(1)
	defer s.wg.Done()
	select {
	case <-s.done:
		http.Error(w, "server closed", http.StatusServiceUnavailable)
		return
	default:
	}
	if s.cors(w, r) {
		return
	}
	if r.Header.Get("Upgrade") != "" {
		s.serveWebSocket(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		writeJSON(w, http.StatusMethodNotAllowed, gqlResponse{Errors: errList(gwError("invalid-http-method", "$", "only POST (and websocket upgrades) are supported"))})
		return
	}
	defer func() {
		if v := recover(); v != nil {
			err := s.exec.PresentRecoveredError(r.Context(), v)
			gerr, _ := err.(*gqlerror.Error)
			writeJSON(w, http.StatusInternalServerError, gqlResponse{Errors: errList(gerr)})
		}
	}()
	postTransport{s: s}.Do(w, r, s.execs) // runOne starts each operation's trace
}

// cors writes the CORS headers for allowed origins and answers preflights;
// it reports whether the request was answered.
func (s *Server) cors(w http.ResponseWriter, r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" || len(s.cfg.origins) == 0 || !s.originAllowed(origin) {
		return false
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Add("Vary", "Origin")
	h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
	h.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
	h.Set("Access-Control-Max-Age", "600")
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusNoContent)
		return true
	}
	return false
}

func (s *Server) originAllowed(origin string) bool {
	for _, o := range s.cfg.origins {
		if o == "*" || strings.EqualFold(o, origin) {
			return true
		}
	}
	return false
}

// scheduler runs, on the system clock, what is due by itself: automatic
// approvals, payer data, and the steps of timed settlement.
func (s *Server) scheduler() {
	defer s.wg.Done()
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		next := s.store.runDue()
		wait := time.Hour
		if !next.IsZero() {
			wait = max(next.Sub(s.store.now()), time.Millisecond)
		}
		t.Reset(wait)
		select {
		case <-t.C:
		case <-s.store.wakeDue:
		case <-s.done:
			return
		}
	}
}

// servedHook runs, before every operation served on either transport, what
// is due (store.served): automatic approvals, payer data, and the
// settlement of pending captures, releases and refunds.
type servedHook struct{ s *Server }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = servedHook{}

func (servedHook) ExtensionName() string                   { return "KronortestServed" }
func (servedHook) Validate(graphql.ExecutableSchema) error { return nil }
func (h servedHook) MutateOperationParameters(context.Context, *graphql.RawParams) *gqlerror.Error {
	h.s.store.served()
	return nil
}

// logAdapter lets net/http's error log write to slog.
type logAdapter struct{ l *slog.Logger }

func (a *logAdapter) Write(p []byte) (int, error) {
	a.l.Debug("kronortest: http server", "msg", strings.TrimSpace(string(p)))
	return len(p), nil
}

var _ io.Writer = (*logAdapter)(nil)

// introspection enables GraphQL introspection (for GraphiQL and friends).
type introspection struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = introspection{}

func (introspection) ExtensionName() string                   { return "KronortestIntrospection" }
func (introspection) Validate(graphql.ExecutableSchema) error { return nil }
func (introspection) MutateOperationContext(_ context.Context, rc *graphql.OperationContext) *gqlerror.Error {
	rc.DisableIntrospection = false
	return nil
}

// queryCache keeps parsed and validated query documents, so a query sent again
// is not parsed again.
type queryCache struct {
	docs bounded.Cache[string, *ast.QueryDocument]
}

func (c *queryCache) Get(_ context.Context, key string) (*ast.QueryDocument, bool) {
	return c.docs.Get(key)
}

func (c *queryCache) Add(_ context.Context, key string, doc *ast.QueryDocument) {
	c.docs.Add(key, doc)
}

// connTracker counts the HTTP connections net/http still serves (neither
// closed nor hijacked).
type connTracker struct {
	mu   sync.Mutex
	open map[net.Conn]struct{}
	zero chan struct{} // closed and replaced when open becomes empty
}

func (c *connTracker) track(conn net.Conn, st http.ConnState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.open == nil {
		c.open = map[net.Conn]struct{}{}
	}
	switch st {
	case http.StateNew:
		c.open[conn] = struct{}{}
	case http.StateClosed, http.StateHijacked:
		delete(c.open, conn)
		if len(c.open) == 0 && c.zero != nil {
			close(c.zero)
			c.zero = nil
		}
	}
}

// wait returns when no connection is open, or after timeout.
func (c *connTracker) wait(timeout time.Duration) {
	c.mu.Lock()
	if len(c.open) == 0 {
		c.mu.Unlock()
		return
	}
	if c.zero == nil {
		c.zero = make(chan struct{})
	}
	ch := c.zero
	c.mu.Unlock()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-ch:
	case <-t.C:
	}
}
