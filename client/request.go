package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kronor-io/kronor-go/internal/gql"
)

// Header values shared by every request (never modified).
var (
	jsonContentType = []string{"application/json"}
)

// MakeRequest sends req to the gateway with the merchant token and decodes
// the response into resp. It serves the SDK's own packages only: the
// operation functions that genqlient generates in the SDK run through it
// (it implements the SDK's internal gql.Client), and its parameter types
// are internal, so a program outside the SDK cannot build a request for
// it. It is no transport for a merchant's own genqlient code (see
// CHANGELOG.md).
//
// The request body is encoded once; every retry resends exactly the same
// bytes, so a mutation keeps its idempotency key. A request is retried on
// every failure after which it may have been applied and no complete answer
// came back (see [ErrTemporary]); the gateway answers a retried mutation
// with its original result instead of applying it twice. Nothing else is
// retried: a rejection, a refused token, a request that could never be sent
// (a Session made with a token New would refuse; a redirect the client
// refuses: plain http to another host, a scheme other than http or https,
// or one refused by the CheckRedirect of the http.Client given to
// [WithHTTPClient]). Retries stop after the configured number of attempts,
// when the context is done, and before a wait that would pass the
// context's deadline or the call's time limit ([WithTimeout]).
//
// On failure MakeRequest returns an [*Error]. When the response carries both
// data and errors, the data is decoded into resp.Data and the error is
// returned as well. When a value inside data fails to decode, the GraphQL
// errors and extensions are still read and classify the failure (retried,
// unauthorized, rejected) as usual, and the *Error's Err holds the decoding
// error. resp.Extensions receives the response's extensions;
// resp.Errors is left empty: the GraphQL errors are in the returned *Error.
func (c *Client) MakeRequest(ctx context.Context, req *gql.Request, resp *gql.Response) error {
	return c.makeRequest(ctx, req, resp)
}

// MakeRequest sends req with the session's token, as [Client.MakeRequest]
// does with the merchant token.
func (s *Session) MakeRequest(ctx context.Context, req *gql.Request, resp *gql.Response) error {
	return s.makeRequest(ctx, req, resp)
}

// makeRequest is MakeRequest of both clients.
func (c *conn) makeRequest(ctx context.Context, req *gql.Request, resp *gql.Response) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if req == nil {
		return errors.New("kronor: nil request")
	}
	if c.cred.err != nil {
		return fmt.Errorf("kronor: client token: %w", c.cred.err)
	}
	op := req.OpName
	if strings.HasPrefix(strings.TrimSpace(req.Query), "subscription") {
		return fmt.Errorf("kronor: %s: a subscription cannot be sent over HTTP", op)
	}
	if resp == nil {
		resp = &gql.Response{}
	}
	body, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("kronor: %s: encoding the request: %w", op, err)
	}
	if err := ctx.Err(); err != nil {
		// Nothing was sent: neither temporary nor rejected.
		return &Error{Operation: op, Err: fmt.Errorf("not sent: %w", err), IdempotencyKey: idempotencyKeyOf(body)}
	}
	// The key the errors carry, read from body once, on the first failure.
	key := lazyKey{body: body}
	// The call's time limit bounds every attempt and every wait, without a
	// context of its own: an answer on the first attempt costs nothing more.
	var limit time.Time
	if t := c.cfg.timeout; t > 0 {
		limit = time.Now().Add(t)
		if dl, ok := ctx.Deadline(); ok && !dl.After(limit) {
			limit = time.Time{} // the caller's deadline comes first
		}
	}

	log := c.cfg.logger
	for n := 1; ; n++ {
		start := time.Now()
		o := c.attempt(ctx, body, resp, limit)
		if o.success() {
			if log.Enabled(ctx, slog.LevelDebug) {
				log.LogAttrs(ctx, slog.LevelDebug, "kronor: request succeeded",
					slog.String("operation", op), slog.Int("attempt", n),
					slog.Int("status", o.status), slog.Duration("duration", time.Since(start)))
			}
			return nil
		}
		elapsed := time.Since(start)

		giveUp := ""
		var wait time.Duration
		switch {
		case !o.retryable:
			// A final answer stands, whether or not the caller's context
			// ended meanwhile.
			giveUp = "not retryable"
		case ctx.Err() != nil:
			// The caller's context ended while the request was in flight,
			// or just after its answer: it may have been applied, and it
			// would have been retried.
			giveUp = "context done"
			if err := ctx.Err(); !errors.Is(o.err, err) {
				// The last attempt got an answer (a 503, say), and the
				// call ended because the context did: the error says both.
				o.err = contextEnded(err, o.err)
			}
		case !limit.IsZero() && !time.Now().Before(limit):
			giveUp = "the call's time limit ran out"
			o.err = limitError(o.err)
		case n >= c.cfg.maxAttempts:
			giveUp = "attempts exhausted"
		case o.retryAfter > MaxRetryAfter:
			giveUp = "Retry-After too long"
		default:
			wait = c.backoff(n)
			if o.retryAfter > wait {
				wait = o.retryAfter
			}
			if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= wait {
				giveUp = "next wait would pass the context deadline"
			} else if !limit.IsZero() && time.Until(limit) <= wait {
				giveUp = "next wait would pass the call's time limit"
			}
		}
		if giveUp != "" {
			e := c.newError(op, o, n, key.get())
			if log.Enabled(ctx, slog.LevelWarn) {
				log.LogAttrs(ctx, slog.LevelWarn, "kronor: request failed",
					slog.String("operation", op), slog.Int("attempt", n),
					slog.Int("status", o.status), slog.Duration("duration", elapsed),
					slog.Bool("retryable", o.retryable), slog.String("reason", giveUp),
					slog.String("error", e.Error()))
			}
			return e
		}
		if log.Enabled(ctx, slog.LevelInfo) {
			log.LogAttrs(ctx, slog.LevelInfo, "kronor: request failed, retrying",
				slog.String("operation", op), slog.Int("attempt", n),
				slog.Int("status", o.status), slog.Duration("duration", elapsed),
				slog.Duration("wait", wait), slog.String("error", c.newError(op, o, n, key.get()).Error()))
		}
		if err := c.cfg.sleep(ctx, wait); err != nil {
			o.err = contextEnded(err, o.err)
			e := c.newError(op, o, n, key.get())
			if log.Enabled(ctx, slog.LevelWarn) {
				log.LogAttrs(ctx, slog.LevelWarn, "kronor: request failed",
					slog.String("operation", op), slog.Int("attempt", n),
					slog.String("reason", "context done while waiting to retry"),
					slog.String("error", e.Error()))
			}
			return e
		}
		resetData(resp)
	}
}

// outcome is the result of one attempt.
type outcome struct {
	status     int
	requestID  string // the answer's x-request-id
	errs       []GraphQLError
	err        error // transport, decoding or size error
	retryable  bool
	retryAfter time.Duration
}

func (o *outcome) success() bool {
	return o.err == nil && len(o.errs) == 0 && !o.retryable && o.status/100 == 2
}

// callTimeoutError says that the limit set by WithTimeout ended a call. It
// is a context.DeadlineExceeded.
type callTimeoutError struct{}

func (callTimeoutError) Error() string { return "the call's time limit ran out (client.WithTimeout)" }

func (callTimeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

var errCallTimeout error = callTimeoutError{}

// limitError returns err, the last attempt's failure, with the call's time
// limit named.
func limitError(err error) error {
	if err == nil {
		return errCallTimeout
	}
	return fmt.Errorf("%w: %w", errCallTimeout, err)
}

// newError builds the *Error returned for o after n attempts of a request
// sent with key.
func (c *conn) newError(op string, o outcome, n int, key string) *Error {
	e := &Error{
		Operation:      op,
		StatusCode:     o.status,
		Errors:         o.errs,
		Retryable:      o.retryable,
		Attempts:       n,
		Err:            o.err,
		RequestID:      o.requestID,
		IdempotencyKey: key,
	}
	if e.Err != nil {
		msg := e.Err.Error()
		if red := c.cred.red.String(msg); red != msg {
			e.Err = &redactedError{msg: red, err: e.Err}
		}
	}
	return e
}

// redactedError hides the token in an underlying error's text while keeping
// it reachable for errors.Is and errors.As.
type redactedError struct {
	msg string
	err error
}

func (r *redactedError) Error() string { return r.msg }
func (r *redactedError) Unwrap() error { return r.err }

// backoff returns the wait before retry n (n >= 1): drawn from the upper
// half of min(initial*2^(n-1), max).
func (c *conn) backoff(n int) time.Duration {
	base := c.cfg.initialBackoff
	for i := 1; i < n && base < c.cfg.maxBackoff; i++ {
		base *= 2
	}
	base = min(base, c.cfg.maxBackoff)
	half := base / 2
	return half + time.Duration(rand.Int64N(int64(base-half)+1))
}

// resetData zeroes the value resp.Data points to, so a retry does not merge
// into the partial data of an earlier attempt.
func resetData(resp *gql.Response) {
	if resp.Data == nil {
		return
	}
	v := reflect.ValueOf(resp.Data)
	if v.Kind() == reflect.Pointer && !v.IsNil() && v.Elem().CanSet() {
		v.Elem().SetZero()
	}
}

// wire types: the JSON shape of a GraphQL response.
type wireResponse struct {
	Data any `json:"data"`
	wireErrors
}

type wireError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// wireErrors is a response without its data: what classifies it.
type wireErrors struct {
	Errors     []wireError    `json:"errors"`
	Extensions map[string]any `json:"extensions"`
}

// exchange holds the per-attempt buffers, reused through a pool.
type exchange struct {
	buf  bytes.Buffer
	lr   io.LimitedReader
	wire wireResponse
}

var exchangePool = sync.Pool{New: func() any { return new(exchange) }}

// maxPooledBuffer: larger response buffers are not kept in the pool.
const maxPooledBuffer = 256 << 10

func putExchange(x *exchange) {
	x.lr.R = nil
	x.wire = wireResponse{}
	if x.buf.Cap() > maxPooledBuffer {
		return
	}
	x.buf.Reset()
	exchangePool.Put(x)
}

// attempt sends body once and interprets the answer, within the attempt's
// time limit and the call's (callLimit, when not zero).
func (c *conn) attempt(ctx context.Context, body []byte, resp *gql.Response, callLimit time.Time) (o outcome) {
	actx := ctx
	end := callLimit
	if t := c.cfg.attemptTimeout; t > 0 {
		if a := time.Now().Add(t); end.IsZero() || a.Before(end) {
			end = a
		}
	}
	// A context that ends sooner already bounds the attempt; skipping the
	// extra timer keeps the hot path cheap.
	if dl, ok := ctx.Deadline(); !end.IsZero() && (!ok || dl.After(end)) {
		var cancel context.CancelFunc
		actx, cancel = context.WithDeadline(ctx, end)
		defer cancel()
	}
	hreq, err := http.NewRequestWithContext(actx, http.MethodPost, c.cfg.endpoint, bytes.NewReader(body))
	if err != nil {
		return outcome{err: err}
	}
	h := hreq.Header
	h["Content-Type"] = jsonContentType
	h["User-Agent"] = c.cfg.userAgent
	h["Authorization"] = c.cred.auth

	hresp, err := c.cfg.hc.Do(hreq)
	if err != nil {
		return outcome{err: err, retryable: retryableTransportError(err)}
	}
	defer hresp.Body.Close()
	o.status = hresp.StatusCode
	o.retryAfter = retryAfter(hresp.Header)
	if v := hresp.Header["X-Request-Id"]; len(v) > 0 {
		o.requestID = v[0]
	}
	ok := o.status/100 == 2
	retryStatus := retryableStatus(o.status)

	limit := c.cfg.maxResponseBytes
	if hresp.ContentLength > limit {
		o.err = fmt.Errorf("%w: %d bytes, over the limit of %d", ErrResponseTooLarge, hresp.ContentLength, limit)
		return o
	}
	x := exchangePool.Get().(*exchange)
	defer putExchange(x)
	if hresp.ContentLength > 0 {
		x.buf.Grow(int(hresp.ContentLength))
	}
	x.lr = io.LimitedReader{R: hresp.Body, N: limit + 1}
	if _, err := x.buf.ReadFrom(&x.lr); err != nil {
		o.err = fmt.Errorf("%w: reading the response: %w", errIncomplete, err)
		// A lost answer: safe to retry (same idempotency key), unless the
		// gateway already refused the request. (MakeRequest does not retry
		// once the context ended, but the outcome is as unknown.)
		o.retryable = ok || retryStatus
		return o
	}
	if int64(x.buf.Len()) > limit {
		o.err = fmt.Errorf("%w: over the limit of %d bytes", ErrResponseTooLarge, limit)
		return o
	}

	// Whichever way they were read, the errors and extensions classify the
	// answer below.
	var we wireErrors
	if ok {
		w := &x.wire
		w.Data = resp.Data
		if err := json.Unmarshal(x.buf.Bytes(), w); err != nil {
			if !graphQLObject(x.buf.Bytes()) {
				// Cut short (a connection closed mid-body with no length) or
				// not the gateway's answer at all (a proxy's HTML page): the
				// request may have been applied and its answer is lost.
				o.err = incompleteError(hresp.Header, x.buf.Len(), err)
				o.retryable = true
				return o
			}
			// A value inside data did not decode. A custom decoder's error
			// (bigint, timestamptz, uuid, genqlient's interface decoders)
			// stops json.Unmarshal where it occurs, so errors and extensions
			// after data were never read: read them again, without data,
			// from the bytes already in hand. The decoding error is kept in
			// Err.
			o.err = fmt.Errorf("decoding the response: %w", err)
			we = decodeErrorsAgain(x.buf.Bytes(), w.wireErrors)
		} else {
			we = w.wireErrors
			if len(we.Errors) == 0 && dataUnset(resp) && !hasData(x.buf.Bytes()) {
				// A JSON object that is no GraphQL answer: neither data nor
				// errors. Not the gateway's: its answer is lost.
				o.err = incompleteError(hresp.Header, x.buf.Len(), errors.New("neither data nor errors"))
				o.retryable = true
				return o
			}
		}
		resp.Extensions = we.Extensions
	} else {
		// Best effort: a proxy's error page is not JSON. (A variable of its
		// own: we's address would move it to the heap on every request.)
		var e wireErrors
		if json.Unmarshal(x.buf.Bytes(), &e) == nil {
			we = e
		}
	}
	temporary := isTemporary(we.Extensions)
	if len(we.Errors) > 0 {
		o.errs = c.convertErrors(we.Errors)
		for i := range o.errs {
			temporary = temporary || o.errs[i].Temporary()
		}
	}
	o.retryable = retryStatus || (temporary && (ok || o.status >= 500))
	return o
}

// lazyKey is the idempotency key of a request body, read on first use: only
// a failed call needs it, and it reports each failed attempt.
type lazyKey struct {
	body []byte
	key  string
	read bool
}

func (k *lazyKey) get() string {
	if !k.read {
		k.key, k.read = idempotencyKeyOf(k.body), true
	}
	return k.key
}

// idempotencyKeyOf returns the idempotency key a request body carries: the
// idempotencyKey of the first input variable that has one (every mutation
// of the gateway takes it in its input object), or "".
func idempotencyKeyOf(body []byte) string {
	var req struct {
		Variables map[string]json.RawMessage `json:"variables"`
	}
	if json.Unmarshal(body, &req) != nil {
		return ""
	}
	for _, name := range slices.Sorted(maps.Keys(req.Variables)) {
		raw := req.Variables[name]
		var in struct {
			IdempotencyKey string `json:"idempotencyKey"`
		}
		if json.Unmarshal(raw, &in) == nil && in.IdempotencyKey != "" {
			return in.IdempotencyKey
		}
	}
	return ""
}

// errIncomplete marks an attempt whose answer was lost: cut short, or not the
// gateway's GraphQL JSON.
var errIncomplete = errors.New("no complete answer")

// incompleteError describes an answer that was cut short or is not GraphQL.
func incompleteError(h http.Header, n int, err error) error {
	ct := h.Get("Content-Type")
	if ct == "" {
		ct = "none"
	}
	return fmt.Errorf("%w: the answer (%d bytes, Content-Type %s) was cut short or is not the gateway's GraphQL JSON: %w",
		errIncomplete, n, ct, err)
}

// graphQLObject reports whether body is one complete JSON object, as every
// GraphQL answer is.
func graphQLObject(body []byte) bool {
	b := bytes.TrimLeft(body, " \t\r\n")
	return len(b) > 0 && b[0] == '{' && json.Valid(b)
}

// dataUnset reports whether resp.Data is still its zero value after
// decoding: either the answer had no data, or its data was empty.
func dataUnset(resp *gql.Response) bool {
	if resp.Data == nil {
		return true
	}
	v := reflect.ValueOf(resp.Data)
	return v.Kind() == reflect.Pointer && (v.IsNil() || v.Elem().IsZero())
}

// hasData reports whether the JSON object body has a "data" member (null
// included). Only called when the decoded data is empty, so the common
// answer is decoded once.
func hasData(body []byte) bool {
	var top struct {
		Data json.RawMessage `json:"data"`
	}
	return json.Unmarshal(body, &top) == nil && len(top.Data) > 0
}

// decodeErrorsAgain reads the errors and extensions of a 2xx body whose
// data failed to decode (only on that failure path, so the hot path decodes
// once). When the body cannot be read even without its data, it falls back
// to what the first pass decoded.
func decodeErrorsAgain(body []byte, first wireErrors) wireErrors {
	var we wireErrors
	if json.Unmarshal(body, &we) != nil {
		return first
	}
	return we
}

// isTemporary reports whether extensions.type is TEMPORARY_FAILURE.
func isTemporary(ext map[string]any) bool {
	t, _ := ext["type"].(string)
	return t == TemporaryFailure
}

func (c *conn) convertErrors(ws []wireError) []GraphQLError {
	out := make([]GraphQLError, len(ws))
	for i, w := range ws {
		// Decoded for this attempt alone: converted in place.
		out[i] = c.graphQLError(w.Message, w.Path, w.Extensions)
	}
	return out
}

// retryableStatus: the HTTP statuses that say "try again": 408, 429 and
// every 5xx. After a 5xx the request may have been applied; a retry with the
// same bytes (the same idempotency key) is safe, as in Kronor's own SDKs.
func retryableStatus(code int) bool {
	return code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code/100 == 5
}

// retryableTransportError: network failures are retried (the request may
// have been applied, and a retry carries the same idempotency key), unless a
// redirect was refused (the redirected request is never sent, and a retry
// would be redirected the same way) or the server's certificate was refused
// (nothing was sent). A failure because the call's context ended is of the
// retryable kind too, the outcome being as unknown, but MakeRequest does not
// retry it. The failures net/http finds before sending anything (a header
// value it cannot send, an unsupported scheme) cannot happen here: New
// refuses such a token and a Session with one fails before sending, New
// refuses such an endpoint, and the redirect policy refuses such a redirect.
func retryableTransportError(err error) bool {
	var re *errRedirect
	if errors.As(err, &re) {
		return false
	}
	var ce *tls.CertificateVerificationError
	return !errors.As(err, &ce)
}

// retryAfter reads the Retry-After header of h: delay seconds or an HTTP
// date. It returns 0 when the header is absent, malformed or in the past.
// MakeRequest honours it only for a retryable answer.
func retryAfter(h http.Header) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		if secs > int64(24*time.Hour/time.Second) {
			secs = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}

// contextEnded is the error of a call that the context's error ctxErr ended
// after an attempt that failed with last (nil when the attempt's failure is
// in the error's other fields, such as a status or GraphQL errors).
func contextEnded(ctxErr, last error) error {
	if last == nil {
		return ctxErr
	}
	return fmt.Errorf("%w (last attempt: %w)", ctxErr, last)
}
