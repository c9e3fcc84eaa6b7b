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

// Client sends GraphQL requests to the Kronor gateway with a token. It
// implements genqlient's graphql.Client, is safe for concurrent use, and
// should be reused: it holds no per-request state.
//
// A Client never reveals its token when printed or logged.
type Client struct {
	cfg  *config     // shared by every Client derived with WithToken
	cred *credential // a pointer, so printing a Client value shows no token
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

	// sleep waits for d or until ctx is done. Tests replace it.
	sleep func(ctx context.Context, d time.Duration) error
}

// Option configures a [Client] made by [New].
type Option func(*settings)

// settings is what the options set: the config as given (endpoint not yet
// checked, hc the caller's) and the options' errors.
type settings struct {
	config
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

// WithInsecureHTTP allows a plain http:// endpoint on a host that is not
// loopback, and redirects to one. Without it only https, or http to
// 127.0.0.0/8, ::1 and localhost, is accepted, because the token would
// otherwise cross the network in clear text.
func WithInsecureHTTP() Option {
	return func(s *settings) { s.insecureHTTP = true }
}

// New returns a Client that authenticates every request with
// "Authorization: Bearer <token>". The token is a merchant token, or a
// session token for the payment-gateway operations (see [Client.WithToken]).
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
	cfg.endpoint, cfg.wsURL = u.String(), ws.String()
	cfg.sleep = sleepContext
	if cfg.logger == nil {
		cfg.logger = slog.New(slog.DiscardHandler)
	}
	cfg.hc = cfg.wrapHTTPClient(s.hc)
	return &Client{cfg: cfg, cred: cred}, nil
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

// WithToken returns a Client that shares c's endpoint, transport, options
// and logger but authenticates with token, typically the session token
// returned by a new payment session, for the payment-gateway operations.
// Requests of a Client derived with a token [New] would refuse (empty, or
// containing a line break or control character) fail at once, without being
// sent or retried.
func (c *Client) WithToken(token string) *Client {
	return &Client{cfg: c.cfg, cred: newCredential(token)}
}

// Endpoint returns the GraphQL endpoint URL, e.g. [ProductionURL].
func (c *Client) Endpoint() string { return c.cfg.endpoint }

// WebSocketURL returns the endpoint for GraphQL subscriptions: the endpoint
// with https replaced by wss and http by ws.
func (c *Client) WebSocketURL() string { return c.cfg.wsURL }

// HTTPClient returns the *http.Client the Client sends requests through (a
// copy of the one given to [WithHTTPClient], with the redirect policy
// described there).
func (c *Client) HTTPClient() *http.Client { return c.cfg.hc }

// Logger returns the logger given to [WithLogger], or a logger that
// discards everything. It is never nil.
func (c *Client) Logger() *slog.Logger { return c.cfg.logger }

// ConnectionInitPayload returns the payload of a websocket connection_init
// message that authenticates a subscription with c's token:
// {"headers":{"Authorization":"Bearer <token>"}}. It contains the token:
// send it, never log it.
func (c *Client) ConnectionInitPayload() map[string]any {
	auth := ""
	if len(c.cred.auth) > 0 {
		auth = c.cred.auth[0]
	}
	return map[string]any{"headers": map[string]any{"Authorization": auth}}
}

// String describes the client without its token. String, GoString, Format
// and LogValue have value receivers so that printing a Client or a *Client,
// with any verb, never reveals the token.
func (c Client) String() string {
	if c.cfg == nil {
		return "client.Client{}"
	}
	return "client.Client{endpoint: " + c.cfg.endpoint + ", token: [REDACTED]}"
}

// GoString is like String, so %#v does not reveal the token either.
func (c Client) GoString() string { return c.String() }

// Format prints the client as [Client.String] for every verb.
func (c Client) Format(f fmt.State, verb rune) { _, _ = io.WriteString(f, c.String()) }

// LogValue makes a Client logged through log/slog show its endpoint and
// hide its token.
func (c Client) LogValue() slog.Value {
	if c.cfg == nil {
		return slog.StringValue("client.Client{}")
	}
	return slog.GroupValue(
		slog.String("endpoint", c.cfg.endpoint),
		slog.String("token", "[REDACTED]"),
	)
}

// Redact returns s with c's token replaced by [REDACTED], for text a server
// or proxy may have echoed it in (a close reason, a log line). The errors
// MakeRequest returns and the values [Client.GraphQLError] returns are
// redacted already.
func (c *Client) Redact(s string) string { return c.cred.red.String(s) }

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
