package client_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/gql"
)

const temporaryBody = `{"errors":[{"message":"try again","extensions":{"type":"TEMPORARY_FAILURE","code":"unexpected"}}]}`

// waits records the waits a client chose, without sleeping.
type waits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *waits) install(c *client.Client) {
	client.SetSleep(c, func(ctx context.Context, d time.Duration) error {
		w.mu.Lock()
		w.d = append(w.d, d)
		w.mu.Unlock()
		return ctx.Err()
	})
}

func (w *waits) get() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.d...)
}

// assertSameBodies checks every request carried the identical body bytes.
func assertSameBodies(t *testing.T, reqs []recorded) {
	t.Helper()
	for i, r := range reqs {
		if !bytes.Equal(r.Body, reqs[0].Body) {
			t.Errorf("attempt %d body differs:\n%s\nfirst:\n%s", i+1, r.Body, reqs[0].Body)
		}
		if !bytes.Contains(r.Body, []byte("order-42-capture-1")) {
			t.Errorf("attempt %d body lacks the idempotency key: %s", i+1, r.Body)
		}
	}
}

func TestRetriedFailures(t *testing.T) {
	for _, tc := range []struct {
		name string
		fail http.HandlerFunc
	}{
		{"HTTP 429", reply(429, `{"errors":[{"message":"slow down"}]}`)},
		{"HTTP 502", reply(502, `<html>bad gateway</html>`)},
		{"HTTP 503", reply(503, ``)},
		{"HTTP 504", reply(504, `gateway timeout`)},
		{"network error after the request was written", hangUp},
		{"GraphQL TEMPORARY_FAILURE", reply(200, temporaryBody)},
		{"GraphQL TEMPORARY_FAILURE among other errors", reply(200, `{"errors":[{"message":"x","extensions":{"code":"unexpected"}},{"message":"y","extensions":{"type":"TEMPORARY_FAILURE"}}]}`)},
		{"top-level TEMPORARY_FAILURE", reply(200, `{"errors":[{"message":"busy"}],"extensions":{"type":"TEMPORARY_FAILURE"}}`)},
		{"HTTP 500 marked TEMPORARY_FAILURE", reply(500, temporaryBody)},
		{"truncated body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "100")
			w.WriteHeader(200)
			w.Write([]byte(`{"data":`))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newScript(t, tc.fail, tc.fail, reply(200, okBody))
			c := s.newClient(t)
			var w waits
			w.install(c)
			d, err := ping(context.Background(), c)
			if err != nil {
				t.Fatalf("ping: %v", err)
			}
			if d.Ping != "pong" {
				t.Errorf("data = %+v", d)
			}
			reqs := s.requests()
			if len(reqs) != 3 {
				t.Fatalf("server got %d requests, want 3", len(reqs))
			}
			assertSameBodies(t, reqs)
			if n := len(w.get()); n != 2 {
				t.Errorf("client waited %d times, want 2", n)
			}
		})
	}
}

func TestRetriesExhausted(t *testing.T) {
	fail := reply(503, `{"errors":[{"message":"unavailable"}]}`)
	s := newScript(t, fail, fail, fail, fail)
	c := s.newClient(t, client.WithMaxAttempts(4))
	_, err := ping(context.Background(), c)
	var e *client.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want *client.Error", err)
	}
	if !errors.Is(err, client.ErrTemporary) || errors.Is(err, client.ErrRejected) || errors.Is(err, client.ErrUnauthorized) {
		t.Errorf("err = %v: want only ErrTemporary", err)
	}
	if e.Attempts != 4 || !e.Retryable || e.StatusCode != 503 || e.Operation != "Ping" {
		t.Errorf("Error = %+v, want 4 attempts, retryable, HTTP 503, operation Ping", *e)
	}
	if len(e.Errors) != 1 || e.Errors[0].Message != "unavailable" {
		t.Errorf("Errors = %+v", e.Errors)
	}
	reqs := s.requests()
	if len(reqs) != 4 {
		t.Fatalf("server got %d requests, want 4", len(reqs))
	}
	assertSameBodies(t, reqs)
}

func TestMaxAttemptsOneDisablesRetries(t *testing.T) {
	s := newScript(t, reply(503, ``))
	c := s.newClient(t, client.WithMaxAttempts(1))
	if _, err := ping(context.Background(), c); !errors.Is(err, client.ErrTemporary) {
		t.Fatalf("err = %v, want ErrTemporary", err)
	}
	if n := len(s.requests()); n != 1 {
		t.Errorf("server got %d requests, want 1", n)
	}
}

func TestNotRetried(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer http.HandlerFunc
	}{
		{"HTTP 400", reply(400, `{"errors":[{"message":"bad"}]}`)},
		{"HTTP 401", reply(401, `{"errors":[{"message":"Could not verify JWT","extensions":{"code":"invalid-jwt"}}]}`)},
		{"HTTP 403", reply(403, ``)},
		{"HTTP 413", reply(413, ``)},
		{"HTTP 422", reply(422, ``)},
		{"HTTP 404 page", reply(404, `<html>not found</html>`)},
		{"HTTP 405", reply(405, ``)},
		{"validation-failed", reply(200, `{"errors":[{"message":"field 'x' not found","extensions":{"code":"validation-failed","type":"VALIDATION_FAILURE"}}]}`)},
		{"other GraphQL error", reply(200, `{"errors":[{"message":"no","extensions":{"code":"unexpected"}}]}`)},
		{"top-level type not temporary", reply(200, `{"errors":[{"message":"no"}],"extensions":{"type":"FATAL"}}`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newScript(t, tc.answer)
			c := s.newClient(t)
			var w waits
			w.install(c)
			_, err := ping(context.Background(), c)
			var e *client.Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want *client.Error", err)
			}
			if e.Retryable || e.Attempts != 1 || errors.Is(err, client.ErrTemporary) {
				t.Errorf("Error = %+v, want not retryable after 1 attempt", *e)
			}
			if n := len(s.requests()); n != 1 {
				t.Errorf("server got %d requests, want 1", n)
			}
			if n := len(w.get()); n != 0 {
				t.Errorf("client waited %d times, want 0", n)
			}
		})
	}
}

func TestBackoffSchedule(t *testing.T) {
	fail := reply(503, ``)
	s := newScript(t, fail, fail, fail, fail, fail, fail, fail)
	c, err := client.New(testToken, client.WithEndpoint(s.URL()), client.WithHTTPClient(s.srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	var w waits
	w.install(c)
	if _, err := ping(context.Background(), c); !errors.Is(err, client.ErrTemporary) {
		t.Fatalf("err = %v, want ErrTemporary", err)
	}
	if n := len(s.requests()); n != client.DefaultMaxAttempts {
		t.Errorf("server got %d requests, want %d", n, client.DefaultMaxAttempts)
	}
	ceilings := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}
	got := w.get()
	if len(got) != len(ceilings) {
		t.Fatalf("waits = %v, want %d", got, len(ceilings))
	}
	for i, d := range got {
		if d < ceilings[i]/2 || d > ceilings[i] {
			t.Errorf("wait %d = %v, want within [%v, %v]", i+1, d, ceilings[i]/2, ceilings[i])
		}
	}
}

func TestBackoffCapped(t *testing.T) {
	fail := reply(503, ``)
	s := newScript(t, fail, fail, fail, fail, fail)
	c := s.newClient(t, client.WithBackoff(10*time.Millisecond, 25*time.Millisecond), client.WithMaxAttempts(5))
	var w waits
	w.install(c)
	if _, err := ping(context.Background(), c); !errors.Is(err, client.ErrTemporary) {
		t.Fatalf("err = %v, want ErrTemporary", err)
	}
	got := w.get()
	if len(got) != 4 {
		t.Fatalf("waits = %v, want 4 (one before each retry)", got)
	}
	for i, d := range got {
		if d > 25*time.Millisecond || d <= 0 {
			t.Errorf("wait %d = %v, want in (0, 25ms]", i+1, d)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Now()
	for _, tc := range []struct {
		name     string
		value    string
		min, max time.Duration
	}{
		{"seconds", "7", 7 * time.Second, 7 * time.Second},
		{"HTTP date", now.Add(30 * time.Second).UTC().Format(http.TimeFormat), 28 * time.Second, 31 * time.Second},
		{"date in the past uses backoff", now.Add(-time.Hour).UTC().Format(http.TimeFormat), 0, 2 * time.Millisecond},
		{"garbage uses backoff", "soon", 0, 2 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newScript(t, reply(503, ``, "Retry-After", tc.value), reply(200, okBody))
			c := s.newClient(t)
			var w waits
			w.install(c)
			if _, err := ping(context.Background(), c); err != nil {
				t.Fatalf("ping: %v", err)
			}
			got := w.get()
			if len(got) != 1 || got[0] < tc.min || got[0] > tc.max {
				t.Errorf("waits = %v, want one within [%v, %v]", got, tc.min, tc.max)
			}
		})
	}
	t.Run("on a temporary GraphQL error", func(t *testing.T) {
		s := newScript(t, reply(200, temporaryBody, "Retry-After", "3"), reply(200, okBody))
		c := s.newClient(t)
		var w waits
		w.install(c)
		if _, err := ping(context.Background(), c); err != nil {
			t.Fatalf("ping: %v", err)
		}
		if got := w.get(); len(got) != 1 || got[0] != 3*time.Second {
			t.Errorf("waits = %v, want [3s]", got)
		}
	})
	t.Run("too long gives up", func(t *testing.T) {
		long := strconv.Itoa(int(2 * client.MaxRetryAfter / time.Second))
		s := newScript(t, reply(429, ``, "Retry-After", long))
		c := s.newClient(t)
		var w waits
		w.install(c)
		_, err := ping(context.Background(), c)
		if !errors.Is(err, client.ErrTemporary) {
			t.Fatalf("err = %v, want ErrTemporary", err)
		}
		if n := len(w.get()); n != 0 {
			t.Errorf("client waited %d times, want 0", n)
		}
	})
}

// The next wait would pass the deadline: the client returns at once, with
// the last error, instead of sleeping into the deadline.
func TestRetryStopsBeforeDeadline(t *testing.T) {
	s := newScript(t, reply(503, ``))
	c := s.newClient(t, client.WithBackoff(time.Hour, time.Hour))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := ping(ctx, c)
	if ctx.Err() != nil {
		t.Fatalf("client returned after the deadline (ctx.Err() = %v)", ctx.Err())
	}
	var e *client.Error
	if !errors.As(err, &e) || !errors.Is(err, client.ErrTemporary) || e.StatusCode != 503 || e.Attempts != 1 {
		t.Fatalf("err = %v, want the HTTP 503 ErrTemporary of the only attempt", err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v: the deadline was not reached", err)
	}
}

// A wait ends when the context is cancelled.
func TestWaitEndsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	first := func(w http.ResponseWriter, r *http.Request) {
		reply(503, ``)(w, r)
		cancel()
	}
	s := newScript(t, first)
	// No call time limit: the hour's wait would pass it, and the call
	// would give up at once, before the context ends.
	c := s.newClient(t, client.WithBackoff(time.Hour, time.Hour), client.WithTimeout(0))
	done := make(chan error, 1)
	go func() { _, err := ping(ctx, c); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		var e *client.Error
		if !errors.As(err, &e) || e.Attempts != 1 {
			t.Errorf("err = %#v, want *client.Error after 1 attempt", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("client kept waiting after the context was cancelled")
	}
	if n := len(s.requests()); n != 1 {
		t.Errorf("server got %d requests, want 1", n)
	}
}

// answerThenCancel is a transport that answers every request with status
// and, before it returns the answer, cancels the request's context.
type answerThenCancel struct {
	status int
	cancel context.CancelFunc
}

func (a answerThenCancel) RoundTrip(r *http.Request) (*http.Response, error) {
	a.cancel()
	return &http.Response{
		StatusCode: a.status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(`{"errors":[{"message":"busy"}]}`)), Request: r,
	}, nil
}

// TestAnswerAsTheContextEnds: when the context ends with a retryable answer
// in hand (it would have been retried), the error says both: it is
// context.Canceled and ErrTemporary, with the answer's status; a final
// answer stands as it is.
func TestAnswerAsTheContextEnds(t *testing.T) {
	for _, tc := range []struct {
		status              int
		canceled, temporary bool
	}{
		{http.StatusServiceUnavailable, true, true},
		{http.StatusBadRequest, false, false},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		c, err := client.New(testToken, client.WithEndpoint("http://127.0.0.1:1/v1/graphql"), // never dialled: the transport answers
			client.WithHTTPClient(&http.Client{Transport: answerThenCancel{tc.status, cancel}}))
		if err != nil {
			t.Fatal(err)
		}
		_, err = ping(ctx, c)
		cancel()
		var e *client.Error
		if !errors.As(err, &e) || e.StatusCode != tc.status || e.Attempts != 1 {
			t.Fatalf("HTTP %d: err = %#v, want *client.Error of that status after 1 attempt", tc.status, err)
		}
		if got := errors.Is(err, context.Canceled); got != tc.canceled {
			t.Errorf("HTTP %d: errors.Is(err, context.Canceled) = %v, want %v (%v)", tc.status, got, tc.canceled, err)
		}
		if got := errors.Is(err, client.ErrTemporary); got != tc.temporary {
			t.Errorf("HTTP %d: errors.Is(err, ErrTemporary) = %v, want %v (%v)", tc.status, got, tc.temporary, err)
		}
	}
}

// Every answer that may follow a request the gateway applied, and is not a
// complete answer, is retried with the same bytes; when every attempt gets
// one, the error is ErrTemporary.
func TestIncompleteAnswersRetried(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer http.HandlerFunc
	}{
		{"HTTP 500", reply(500, `{"errors":[{"message":"boom"}]}`)},
		{"HTTP 501", reply(501, ``)},
		{"HTTP 502 HTML", reply(502, `<html><body>Bad Gateway</body></html>`)},
		{"HTTP 408", reply(408, ``)},
		{"JSON cut short", reply(200, `{"data":`)},
		{"JSON cut short inside a string", reply(200, `{"data":{"ping":"po`)},
		{"empty body with 200", reply(200, ``)},
		{"HTML page with 200", reply(200, `<html></html>`)},
		{"JSON array with 200", reply(200, `[]`)},
		{"JSON object that is no GraphQL answer", reply(200, `{"status":"ok"}`)},
		{"JSON null with 200", reply(200, `null`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newScript(t, tc.answer, reply(200, okBody))
			c := s.newClient(t)
			d, err := ping(context.Background(), c)
			if err != nil {
				t.Fatalf("ping: %v", err)
			}
			if d.Ping != "pong" {
				t.Errorf("data = %+v, want the retry's", d)
			}
			reqs := s.requests()
			if len(reqs) != 2 {
				t.Fatalf("server got %d requests, want 2", len(reqs))
			}
			assertSameBodies(t, reqs)

			s = newScript(t, tc.answer, tc.answer)
			c = s.newClient(t, client.WithMaxAttempts(2))
			_, err = ping(context.Background(), c)
			if !errors.Is(err, client.ErrTemporary) || errors.Is(err, client.ErrRejected) {
				t.Errorf("all attempts failed: err = %v, want ErrTemporary only", err)
			}
		})
	}
}

// A data value that does not decode, in a complete answer, is not a lost
// answer: a retry would get the same bytes.
func TestUndecodableDataNotRetried(t *testing.T) {
	s := newScript(t, reply(200, `{"data":{"ping":42}}`))
	c := s.newClient(t)
	_, err := ping(context.Background(), c)
	if err == nil || errors.Is(err, client.ErrTemporary) {
		t.Fatalf("err = %v, want a decoding error that is not temporary", err)
	}
	if n := len(s.requests()); n != 1 {
		t.Errorf("server got %d requests, want 1", n)
	}
}

// A context cancelled while the request is in flight is not retried, and,
// the request having maybe been applied, it is a temporary failure.
func TestCancelledContextNotRetried(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	hang := func(w http.ResponseWriter, r *http.Request) {
		cancel()
		<-r.Context().Done()
	}
	s := newScript(t, hang)
	c := s.newClient(t)
	_, err := ping(ctx, c)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if !errors.Is(err, client.ErrTemporary) {
		t.Errorf("err = %v: a request cancelled in flight may have been applied: want ErrTemporary", err)
	}
	if n := len(s.requests()); n != 1 {
		t.Errorf("server got %d requests, want 1", n)
	}
}

// A context that ended before the call sends nothing, and the error says so.
func TestCancelledBeforeSendingSendsNothing(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s := newScript(t)
	c := s.newClient(t)
	_, err := ping(ctx, c)
	if !errors.Is(err, context.Canceled) || errors.Is(err, client.ErrTemporary) || errors.Is(err, client.ErrRejected) {
		t.Fatalf("err = %v, want context.Canceled, neither temporary nor rejected", err)
	}
	if !strings.Contains(err.Error(), "not sent") {
		t.Errorf("err = %v: should say nothing was sent", err)
	}
	if n := len(s.requests()); n != 0 {
		t.Errorf("server got %d requests, want 0", n)
	}
}

// WithTimeout bounds a whole call made with a context without deadline:
// every attempt hangs, and the call gives up at the limit with ErrTemporary
// naming it.
func TestCallTimeoutBoundsTheCall(t *testing.T) {
	hang := func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
	s := newScript(t, hang, hang, hang, hang, hang, hang)
	c := s.newClient(t, client.WithTimeout(300*time.Millisecond), client.WithAttemptTimeout(0))
	done := make(chan error, 1)
	go func() {
		_, err := ping(context.Background(), c)
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, client.ErrTemporary) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want ErrTemporary and context.DeadlineExceeded", err)
		}
		if !strings.Contains(err.Error(), "client.WithTimeout") {
			t.Errorf("err = %v: should name the call's time limit", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the call did not end at its time limit")
	}
}

// The call's time limit also stops the retries: a retry whose wait would pass
// it is not made.
func TestCallTimeoutStopsRetries(t *testing.T) {
	s := newScript(t, reply(503, ``))
	c := s.newClient(t, client.WithTimeout(time.Second), client.WithBackoff(10*time.Second, 10*time.Second))
	_, err := ping(context.Background(), c)
	var e *client.Error
	if !errors.As(err, &e) || !errors.Is(err, client.ErrTemporary) || e.Attempts != 1 {
		t.Fatalf("err = %v, want ErrTemporary after 1 attempt", err)
	}
}

// The defaults bound a call: 60 s in all, 20 s an attempt.
func TestDefaultTimeouts(t *testing.T) {
	if client.DefaultTimeout > time.Minute || client.DefaultAttemptTimeout >= client.DefaultTimeout {
		t.Errorf("DefaultTimeout %v, DefaultAttemptTimeout %v: want at most 60 s, the attempt's shorter", client.DefaultTimeout, client.DefaultAttemptTimeout)
	}
}

// An attempt that exceeds the per-attempt timeout is a network error: retried.
func TestAttemptTimeoutRetried(t *testing.T) {
	hang := func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
	s := newScript(t, hang, reply(200, okBody))
	c := s.newClient(t, client.WithAttemptTimeout(50*time.Millisecond))
	if _, err := ping(context.Background(), c); err != nil {
		t.Fatalf("ping: %v", err)
	}
	reqs := s.requests()
	if len(reqs) != 2 {
		t.Fatalf("server got %d requests, want 2", len(reqs))
	}
	assertSameBodies(t, reqs)
}

// Data of a failed attempt does not leak into the result of the retry.
func TestRetryResetsPartialData(t *testing.T) {
	type two struct {
		A string `json:"a"`
		B string `json:"b"`
	}
	s := newScript(t,
		reply(200, `{"data":{"a":"stale","b":"stale"},"errors":[{"message":"x","extensions":{"type":"TEMPORARY_FAILURE"}}]}`),
		reply(200, `{"data":{"b":"fresh"}}`))
	c := s.newClient(t)
	d := &two{}
	if err := c.MakeRequest(context.Background(), pingRequest(), &gql.Response{Data: d}); err != nil {
		t.Fatalf("MakeRequest: %v", err)
	}
	if d.A != "" || d.B != "fresh" {
		t.Errorf("data = %+v, want only the retry's data", d)
	}
}
