package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/kronor-io/kronor-go/internal/conninfo"
	"github.com/kronor-io/kronor-go/internal/gql"
	"github.com/kronor-io/kronor-go/internal/redact"
)

// The gateway's GraphQL endpoints.
const (
	// ProductionURL is the production endpoint.
	ProductionURL = "https://kronor.io/v1/graphql"
	// StagingURL is the staging (test) endpoint.
	StagingURL = "https://staging.kronor.io/v1/graphql"
)

// Environment selects one of Kronor's hosted gateways.
type Environment int

const (
	// Production is Kronor's live gateway, [ProductionURL].
	Production Environment = iota
	// Staging is Kronor's test gateway, [StagingURL].
	Staging
)

// String returns "production" or "staging".
func (e Environment) String() string {
	switch e {
	case Production:
		return "production"
	case Staging:
		return "staging"
	}
	return fmt.Sprintf("Environment(%d)", int(e))
}

// URL returns the environment's GraphQL endpoint, or "" for an unknown
// environment.
func (e Environment) URL() string {
	switch e {
	case Production:
		return ProductionURL
	case Staging:
		return StagingURL
	}
	return ""
}

// Defaults of the options.
const (
	// DefaultMaxAttempts is the default number of attempts, including the
	// first: Kronor's own SDKs make at most 6.
	DefaultMaxAttempts = 6
	// DefaultInitialBackoff is the default longest wait before the first
	// retry; it doubles for each later retry.
	DefaultInitialBackoff = 500 * time.Millisecond
	// DefaultMaxBackoff is the default cap on the wait between attempts.
	DefaultMaxBackoff = 8 * time.Second
	// DefaultTimeout is the default time limit of one call, all its
	// attempts and the waits between them included, when the call's context
	// has no earlier deadline (see [WithTimeout]).
	DefaultTimeout = 60 * time.Second
	// DefaultAttemptTimeout is the default time limit of one attempt: sending
	// the request and reading the whole answer (see [WithAttemptTimeout]).
	DefaultAttemptTimeout = 20 * time.Second
	// DefaultMaxResponseBytes is the default cap on a response body: 10 MiB.
	DefaultMaxResponseBytes = 10 << 20
	// MaxRetryAfter is the longest Retry-After the client waits for. When
	// the gateway asks for a longer wait, the client stops retrying and
	// returns the error (see [ErrTemporary]).
	MaxRetryAfter = time.Minute
)

// Client is the merchant's client: it sends GraphQL requests to the Kronor
// gateway with the merchant API token, for the merchant role's operations
// (sessions, captures, releases, refunds, payment reads). It is safe for
// concurrent use, and should be reused: it holds no per-request state. [Client.Session] derives the client
// of a payment session's token.
//
// A Client never reveals its token when printed or logged.
type Client struct {
	conn
}

// Session is the client of a payment session's token, for the payment
// gateway role's operations: starting, cancelling and listing the session's
// payments (package payments). Make it with [Client.Session] (or the
// sessions package's Client methods): it shares the merchant client's
// endpoint, transport, retries, time limits and logger. A merchant operation
// does not compile with a Session, nor a session operation with a Client.
//
// A Session never reveals its token when printed or logged.
type Session struct {
	conn
}

// Caller is a merchant [Client] or a [Session]: what the few calls that work
// with either token take (payments.CapturePayPal, payments.Charges,
// subscriptions.NewWatcher). Only this package's two types implement it.
type Caller interface {
	gql.Client
	// Endpoint returns the GraphQL endpoint URL.
	Endpoint() string
	connection() *conn
}

// conn is a token on the shared settings: what Client and Session are.
type conn struct {
	cfg  *config     // shared by the merchant Client and its Sessions
	cred *credential // a pointer, so printing a Client value shows no token
}

func (c *Client) connection() *conn {
	if c == nil {
		return nil
	}
	return &c.conn
}

func (s *Session) connection() *conn {
	if s == nil {
		return nil
	}
	return &s.conn
}

// credential holds the ready-made header values and the redaction of the
// token.
type credential struct {
	auth []string        // {"Bearer <token>"}, shared by every request
	red  redact.Redactor // hides the token in text a server sends back
	err  error           // why checkToken refused the token, if it did
}

// config is everything a Client needs apart from its token. It is
// immutable after New.
type config struct {
	endpoint         string
	wsURL            string
	hc               *http.Client
	logger           *slog.Logger
	maxAttempts      int
	initialBackoff   time.Duration
	maxBackoff       time.Duration
	timeout          time.Duration // one call, all attempts
	attemptTimeout   time.Duration // one attempt
	maxResponseBytes int64
	insecureHTTP     bool
	userAgent        []string // the User-Agent header's value, shared by every request

	// sleep waits for d or until ctx is done. Tests replace it.
	sleep func(ctx context.Context, d time.Duration) error
}

// Option configures a [Client] made by [New].
type Option func(*settings)

// settings is what the options set: the config as given (endpoint not yet
// checked, hc the caller's) and the options' errors.
type settings struct {
	config
	app  string // WithAppInfo's part of the User-Agent
	errs []error
}

// WithEnvironment selects one of Kronor's gateways (the default is
// [Production]). It replaces any earlier [WithEndpoint].
func WithEnvironment(env Environment) Option {
	return func(s *settings) {
		u := env.URL()
		if u == "" {
			s.errs = append(s.errs, fmt.Errorf("unknown environment %d", int(env)))
			return
		}
		s.endpoint = u
	}
}

// WithEndpoint sends requests to rawURL, an absolute http or https URL of a
// GraphQL endpoint, such as a local fake gateway's. Plain http is accepted
// only for loopback hosts unless [WithInsecureHTTP] is also given. It
// replaces any earlier [WithEnvironment].
func WithEndpoint(rawURL string) Option {
	return func(s *settings) { s.endpoint = rawURL }
}

// WithHTTPClient sends requests through hc instead of a client using
// [http.DefaultTransport]. The Client uses a copy of hc whose CheckRedirect
// also removes the Authorization header on a redirect to another host; hc
// itself is not modified. hc's own Timeout, if any, still applies.
func WithHTTPClient(hc *http.Client) Option {
	return func(s *settings) { s.hc = hc }
}

// WithLogger logs every attempt to l: successes at Debug, failed attempts
// that will be retried at Info, and final failures at Warn. Logging is off
// by default. Log records carry the operation name, attempt, HTTP status,
// duration and retry wait, never the token, headers or request body.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) { s.logger = l }
}

// WithMaxAttempts sets the number of attempts per request, including the
// first (default [DefaultMaxAttempts]); 1 disables retries. n must be at
// least 1.
func WithMaxAttempts(n int) Option {
	return func(s *settings) {
		if n < 1 {
			s.errs = append(s.errs, fmt.Errorf("max attempts %d is less than 1", n))
			return
		}
		s.maxAttempts = n
	}
}

// WithBackoff sets the waits between attempts: the wait before retry n is at
// most initial*2^(n-1), capped at max, and drawn at random from the upper half
// of that (default [DefaultInitialBackoff] and [DefaultMaxBackoff], so at
// most 0.5, 1, 2, 4, 8 s, as in Kronor's own SDKs). A Retry-After sent by the
// gateway lengthens the wait. Both must be positive and initial <= max.
func WithBackoff(initial, max time.Duration) Option {
	return func(s *settings) {
		if initial <= 0 || max < initial {
			s.errs = append(s.errs, fmt.Errorf("backoff %v..%v: need 0 < initial <= max", initial, max))
			return
		}
		s.initialBackoff, s.maxBackoff = initial, max
	}
}

// WithTimeout limits each call, all its attempts and the waits between them
// included, to d (default [DefaultTimeout], 60 s), so that a call made with a
// context that has no deadline still ends. A context with an earlier
// deadline bounds the call instead. When the limit ends a call whose request
// may have reached the gateway, the error matches [ErrTemporary]: retry with
// the same idempotency key. d <= 0 removes the limit, leaving only the
// context's.
//
// In an HTTP handler, pass the request's context (r.Context()) to every call,
// so that a call ends when the customer's request does.
func WithTimeout(d time.Duration) Option {
	return func(s *settings) { s.timeout = d }
}

// WithAttemptTimeout limits each attempt (sending the request and reading
// the whole answer) to d (default [DefaultAttemptTimeout], 20 s). A timed-out
// attempt counts as a lost answer and is retried with the same bytes. d <= 0
// removes the per-attempt limit, leaving the call's ([WithTimeout]).
func WithAttemptTimeout(d time.Duration) Option {
	return func(s *settings) { s.attemptTimeout = d }
}

// WithMaxResponseBytes caps the size of a response body (default
// [DefaultMaxResponseBytes]). A longer body fails the request with
// [ErrResponseTooLarge]. n must be positive.
func WithMaxResponseBytes(n int64) Option {
	return func(s *settings) {
		if n <= 0 {
			s.errs = append(s.errs, fmt.Errorf("max response bytes %d is not positive", n))
			return
		}
		s.maxResponseBytes = n
	}
}

// WithAppInfo identifies your application or plugin to Kronor: it is added
// to the User-Agent of every HTTP request and of the websocket handshake, as
// "kronor-go/<Version> name/version (url)", so that Kronor's support can
// tell which integration sent a request. name is required; version and url
// are optional. Each must be printable ASCII without parentheses or "/" in
// name; name and version without spaces.
func WithAppInfo(name, version, url string) Option {
	return func(s *settings) {
		if err := checkAppInfo(name, version, url); err != nil {
			s.errs = append(s.errs, err)
			return
		}
		s.app = name
		if version != "" {
			s.app += "/" + version
		}
		if url != "" {
			s.app += " (" + url + ")"
		}
	}
}

// checkAppInfo refuses what cannot go into a User-Agent unambiguously.
func checkAppInfo(name, version, url string) error {
	bad := func(s string, slash bool) bool {
		for i := 0; i < len(s); i++ {
			b := s[i]
			if b < 0x21 || b > 0x7e || b == '(' || b == ')' || (!slash && b == '/') {
				return true
			}
		}
		return false
	}
	switch {
	case name == "":
		return errors.New("app info: empty name")
	case bad(name, false):
		return fmt.Errorf("app info: name %q: want printable ASCII without spaces, parentheses or /", name)
	case bad(version, false):
		return fmt.Errorf("app info: version %q: want printable ASCII without spaces, parentheses or /", version)
	case bad(url, true):
		return fmt.Errorf("app info: url %q: want printable ASCII without spaces or parentheses", url)
	}
	return nil
}

// WithInsecureHTTP allows a plain http:// endpoint on a host that is not
// loopback, and redirects to one. Without it only https, or http to
// 127.0.0.0/8, ::1 and localhost, is accepted, because the token would
// otherwise cross the network in clear text.
func WithInsecureHTTP() Option {
	return func(s *settings) { s.insecureHTTP = true }
}

// New returns a Client that authenticates every request with
// "Authorization: Bearer <token>". The token is the merchant's API token; a
// payment session's token is a [Session], made with [Client.Session].
// Without options, the client talks to [Production]. New refuses an empty
// token and one that cannot be sent in a header: one containing a line
// break or another control character, such as the trailing newline of a
// token read from a file (it is not trimmed: fix the configuration). Its
// error never contains the token.
func New(token string, opts ...Option) (*Client, error) {
	cred := newCredential(token)
	if cred.err != nil {
		return nil, fmt.Errorf("kronor: new client: %w", cred.err)
	}
	s := settings{config: config{
		endpoint:         ProductionURL,
		maxAttempts:      DefaultMaxAttempts,
		initialBackoff:   DefaultInitialBackoff,
		maxBackoff:       DefaultMaxBackoff,
		timeout:          DefaultTimeout,
		attemptTimeout:   DefaultAttemptTimeout,
		maxResponseBytes: DefaultMaxResponseBytes,
	}}
	for _, o := range opts {
		if o != nil {
			o(&s)
		}
	}
	if len(s.errs) > 0 {
		return nil, fmt.Errorf("kronor: new client: %w", errors.Join(s.errs...))
	}
	u, err := checkEndpoint(s.endpoint, s.insecureHTTP)
	if err != nil {
		return nil, fmt.Errorf("kronor: new client: %w", err)
	}
	ws := *u
	if ws.Scheme == "https" {
		ws.Scheme = "wss"
	} else {
		ws.Scheme = "ws"
	}
	cfg := new(config)
	*cfg = s.config
	ua := userAgent
	if s.app != "" {
		ua += " " + s.app
	}
	cfg.userAgent = []string{ua}
	cfg.endpoint, cfg.wsURL = u.String(), ws.String()
	cfg.sleep = sleepContext
	if cfg.logger == nil {
		cfg.logger = slog.New(slog.DiscardHandler)
	}
	cfg.hc = cfg.wrapHTTPClient(s.hc)
	return &Client{conn{cfg: cfg, cred: cred}}, nil
}

// newCredential checks token (see checkToken); a refused token gives a
// credential holding the reason, which its requests return.
func newCredential(token string) *credential {
	if err := checkToken(token); err != nil {
		return &credential{err: err}
	}
	return &credential{auth: []string{"Bearer " + token}, red: redact.New(token)}
}

// checkToken refuses a token that cannot be sent in an Authorization header:
// an empty one, or one with a byte net/http refuses in a header value (a
// control character other than tab: CR, LF, NUL, DEL...). Such a request
// could never be sent, so it is refused before anything is. A trailing
// newline, typical of a token read from a file, is refused rather than
// trimmed: the caller's configuration is wrong and should be fixed there.
// The error never contains the token.
func checkToken(token string) error {
	if token == "" {
		return errors.New("empty token")
	}
	for i := 0; i < len(token); i++ {
		if b := token[i]; (b >= ' ' || b == '\t') && b != 0x7f {
			continue
		}
		where := fmt.Sprintf("at byte %d of %d", i+1, len(token))
		if strings.Trim(token[i:], "\r\n") == "" {
			where = "at its end (a trailing newline, as read from a file?)"
		}
		return fmt.Errorf("the token contains a line break or control character %s; it cannot be sent in an HTTP header", where)
	}
	return nil
}

// checkEndpoint parses and validates an endpoint URL.
func checkEndpoint(raw string, insecure bool) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("endpoint: %w", err)
	}
	if !u.IsAbs() || u.Host == "" || u.Opaque != "" {
		return nil, fmt.Errorf("endpoint %q is not an absolute URL", raw)
	}
	if u.User != nil {
		return nil, errors.New("endpoint must not contain user info")
	}
	u.Scheme = strings.ToLower(u.Scheme)
	switch u.Scheme {
	case "https":
	case "http":
		if !insecure && !isLoopback(u.Hostname()) {
			return nil, fmt.Errorf("endpoint %q: plain http is only allowed to a loopback host (use https, or WithInsecureHTTP)", u.Redacted())
		}
	default:
		return nil, fmt.Errorf("endpoint %q: scheme must be http or https", u.Redacted())
	}
	u.Fragment, u.RawFragment = "", ""
	return u, nil
}

// isLoopback reports whether host is localhost or a loopback IP address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// errRedirect marks a redirect the client, or the CheckRedirect of the
// caller's http.Client, refused; such errors are not retried: the refused
// request is never sent, and a retry would be redirected the same way.
type errRedirect struct {
	msg string
	err error // the caller's CheckRedirect error, if that refused it
}

func (e *errRedirect) Error() string {
	if e.err != nil {
		return e.err.Error()
	}
	return e.msg
}

func (e *errRedirect) Unwrap() error { return e.err }

// wrapHTTPClient returns a copy of hc (or of a default client) whose
// redirect policy never forwards the Authorization header to another origin
// and refuses plain-http redirects that New would have refused.
func (cfg *config) wrapHTTPClient(hc *http.Client) *http.Client {
	var c http.Client
	if hc != nil {
		c = *hc
	}
	next := c.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > 0 {
			orig := via[0].URL
			if !strings.EqualFold(req.URL.Scheme, orig.Scheme) || !strings.EqualFold(req.URL.Host, orig.Host) {
				req.Header.Del("Authorization")
			}
		}
		switch strings.ToLower(req.URL.Scheme) {
		case "https":
		case "http":
			if !cfg.insecureHTTP && !isLoopback(req.URL.Hostname()) {
				return &errRedirect{msg: "refused redirect to plain http on a non-loopback host"}
			}
		default:
			// net/http would fail it before sending anything, every time.
			return &errRedirect{msg: "refused redirect to a scheme other than http or https"}
		}
		if next != nil {
			err := next(req, via)
			if err != nil && err != http.ErrUseLastResponse {
				return &errRedirect{err: err}
			}
			return err
		}
		if len(via) >= 10 {
			return &errRedirect{msg: "stopped after 10 redirects"}
		}
		return nil
	}
	return &c
}

// Session returns the client of a payment session's token: c's endpoint,
// transport, options and logger with token, for the payment-gateway
// operations. Requests of a Session with a token [New] would refuse (empty,
// or containing a line break or control character) fail at once, without
// being sent or retried.
func (c *Client) Session(token string) *Session {
	return &Session{conn{cfg: c.cfg, cred: newCredential(token)}}
}

// Endpoint returns the GraphQL endpoint URL, e.g. [ProductionURL].
func (c *Client) Endpoint() string { return c.cfg.endpoint }

// Endpoint returns the GraphQL endpoint URL, e.g. [ProductionURL].
func (s *Session) Endpoint() string { return s.cfg.endpoint }

// info is what package subscriptions needs of a connection (see
// internal/conninfo).
func (c *conn) info() conninfo.Info {
	return conninfo.Info{
		WebSocketURL: c.cfg.wsURL,
		HTTPClient:   c.cfg.hc,
		Logger:       c.cfg.logger,
		UserAgent:    c.cfg.userAgent[0],
		InitPayload: func() map[string]any {
			auth := ""
			if len(c.cred.auth) > 0 {
				auth = c.cred.auth[0]
			}
			return map[string]any{"headers": map[string]any{"Authorization": auth}}
		},
		Redact: c.cred.red.String,
		GraphQLError: func(message string, path []any, extensions map[string]any) any {
			return c.graphQLError(message, path, extensions)
		},
	}
}

func init() {
	conninfo.Of = func(v any) (conninfo.Info, bool) {
		k, ok := v.(Caller)
		if !ok {
			return conninfo.Info{}, false
		}
		cn := k.connection()
		if cn == nil || cn.cfg == nil {
			return conninfo.Info{}, false
		}
		return cn.info(), true
	}
}

// describe is String's text for a connection of the given type.
func (c conn) describe(typ string) string {
	if c.cfg == nil {
		return typ + "{}"
	}
	return typ + "{endpoint: " + c.cfg.endpoint + ", token: [REDACTED]}"
}

// logValue is LogValue's value for a connection of the given type.
func (c conn) logValue(typ string) slog.Value {
	if c.cfg == nil {
		return slog.StringValue(typ + "{}")
	}
	return slog.GroupValue(
		slog.String("endpoint", c.cfg.endpoint),
		slog.String("token", "[REDACTED]"),
	)
}

// String describes the client without its token. String, GoString, Format
// and LogValue have value receivers so that printing a Client or a *Client,
// with any verb, never reveals the token.
func (c Client) String() string { return c.describe("client.Client") }

// GoString is like String, so %#v does not reveal the token either.
func (c Client) GoString() string { return c.String() }

// Format prints the client as [Client.String] for every verb.
func (c Client) Format(f fmt.State, verb rune) { _, _ = io.WriteString(f, c.String()) }

// LogValue makes a Client logged through log/slog show its endpoint and
// hide its token.
func (c Client) LogValue() slog.Value { return c.logValue("client.Client") }

// String describes the session client without its token, like
// [Client.String].
func (s Session) String() string { return s.describe("client.Session") }

// GoString is like String, so %#v does not reveal the token either.
func (s Session) GoString() string { return s.String() }

// Format prints the session client as [Session.String] for every verb.
func (s Session) Format(f fmt.State, verb rune) { _, _ = io.WriteString(f, s.String()) }

// LogValue makes a Session logged through log/slog show its endpoint and
// hide its token.
func (s Session) LogValue() slog.Value { return s.logValue("client.Session") }

func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
