package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/client"
)

func redirectTo(location string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, location, http.StatusTemporaryRedirect)
	}
}

func TestRedirectToAnotherHostDropsAuthorization(t *testing.T) {
	other := newScript(t, reply(200, okBody))
	s := newScript(t, redirectTo(other.URL()))
	c := s.newClient(t)
	if d, err := ping(context.Background(), c); err != nil || d.Ping != "pong" {
		t.Fatalf("ping: %+v, %v", d, err)
	}
	if got := s.requests()[0].Header.Get("Authorization"); got != "Bearer "+testToken {
		t.Errorf("first host got Authorization %q", got)
	}
	reqs := other.requests()
	if len(reqs) != 1 {
		t.Fatalf("other host got %d requests, want 1", len(reqs))
	}
	if got, ok := reqs[0].Header["Authorization"]; ok {
		t.Errorf("other host got Authorization %q", got)
	}
	if !bytes.Equal(reqs[0].Body, s.requests()[0].Body) {
		t.Errorf("redirected body differs")
	}
}

func TestRedirectSameHostKeepsAuthorization(t *testing.T) {
	s := newScript(t, redirectTo("/v2/graphql"), reply(200, okBody))
	c := s.newClient(t)
	if _, err := ping(context.Background(), c); err != nil {
		t.Fatalf("ping: %v", err)
	}
	reqs := s.requests()
	if len(reqs) != 2 || reqs[1].Path != "/v2/graphql" {
		t.Fatalf("requests = %+v", reqs)
	}
	if got := reqs[1].Header.Get("Authorization"); got != "Bearer "+testToken {
		t.Errorf("redirected request Authorization = %q, want the token", got)
	}
}

// roundTripper serves requests in memory, so tests can use real host names
// without touching the network.
type roundTripper struct {
	mu   sync.Mutex
	reqs []*http.Request
	fn   func(*http.Request) *http.Response
}

func (rt *roundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	rt.mu.Lock()
	rt.reqs = append(rt.reqs, r)
	rt.mu.Unlock()
	resp := rt.fn(r)
	resp.Request = r
	return resp, nil
}

func memResponse(status int, body string, header ...string) *http.Response {
	h := http.Header{}
	for i := 0; i+1 < len(header); i += 2 {
		h.Set(header[i], header[i+1])
	}
	return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body))}
}

func TestRedirectToSubdomainDropsAuthorization(t *testing.T) {
	rt := &roundTripper{fn: func(r *http.Request) *http.Response {
		if r.URL.Host == "kronor.io" {
			return memResponse(307, "", "Location", "https://evil.kronor.io/v1/graphql")
		}
		return memResponse(200, okBody)
	}}
	c, err := client.New(testToken, client.WithHTTPClient(&http.Client{Transport: rt}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ping(context.Background(), c); err != nil {
		t.Fatalf("ping: %v", err)
	}
	if len(rt.reqs) != 2 {
		t.Fatalf("got %d requests, want 2", len(rt.reqs))
	}
	if rt.reqs[0].Header.Get("Authorization") == "" {
		t.Error("first request has no Authorization")
	}
	if got, ok := rt.reqs[1].Header["Authorization"]; ok {
		t.Errorf("redirect to evil.kronor.io carried Authorization %q", got)
	}
}

func TestRedirectToPlainHTTPRefused(t *testing.T) {
	for _, target := range []string{"http://kronor.io/v1/graphql", "http://attacker.example/v1/graphql"} {
		rt := &roundTripper{fn: func(r *http.Request) *http.Response {
			return memResponse(307, "", "Location", target)
		}}
		c, err := client.New(testToken, client.WithHTTPClient(&http.Client{Transport: rt}))
		if err != nil {
			t.Fatal(err)
		}
		_, err = ping(context.Background(), c)
		var e *client.Error
		if !errors.As(err, &e) || e.Retryable || e.Attempts != 1 {
			t.Errorf("redirect to %s: err = %v, want a non-retryable *client.Error", target, err)
		}
		if len(rt.reqs) != 1 {
			t.Errorf("redirect to %s: %d requests sent, want 1", target, len(rt.reqs))
		}
	}
}

// A redirect that could never be followed (another scheme, or one the
// caller's own CheckRedirect refuses) fails at once: the refused request is
// never sent, and retrying would be redirected the same way.
func TestUnfollowableRedirectNotRetried(t *testing.T) {
	errPolicy := errors.New("policy: no redirects")
	for _, tc := range []struct {
		name, target string
		policy       func(*http.Request, []*http.Request) error
		want         error
	}{
		{"ftp", "ftp://kronor.io/v1/graphql", nil, nil},
		{"mailto", "mailto:someone@kronor.io", nil, nil},
		{"caller's policy", "https://kronor.io/elsewhere", func(*http.Request, []*http.Request) error { return errPolicy }, errPolicy},
	} {
		rt := &roundTripper{fn: func(r *http.Request) *http.Response {
			return memResponse(307, "", "Location", tc.target)
		}}
		c, err := client.New(testToken, client.WithHTTPClient(&http.Client{Transport: rt, CheckRedirect: tc.policy}))
		if err != nil {
			t.Fatal(err)
		}
		client.SetSleep(c, func(ctx context.Context, d time.Duration) error {
			t.Errorf("%s: the client waits to retry", tc.name)
			return nil
		})
		_, err = ping(context.Background(), c)
		var e *client.Error
		if !errors.As(err, &e) || e.Retryable || e.Attempts != 1 || errors.Is(err, client.ErrTemporary) {
			t.Errorf("%s: err = %v, want a non-retryable *client.Error after one attempt", tc.name, err)
		}
		if tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want it to wrap %v", tc.name, err, tc.want)
		}
		if len(rt.reqs) != 1 {
			t.Errorf("%s: %d requests sent, want 1", tc.name, len(rt.reqs))
		}
	}
}

func TestCallersHTTPClientNotModified(t *testing.T) {
	s := newScript(t, redirectTo("/elsewhere"))
	called := 0
	hc := s.srv.Client()
	own := func(req *http.Request, via []*http.Request) error {
		called++
		return http.ErrUseLastResponse
	}
	hc.CheckRedirect = own
	c, err := client.New(testToken, client.WithEndpoint(s.URL()), client.WithHTTPClient(hc), client.WithMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	if info(c).HTTPClient == hc {
		t.Error("HTTPClient() returns the caller's client, want a copy")
	}
	if fmt.Sprintf("%p", hc.CheckRedirect) != fmt.Sprintf("%p", own) {
		t.Error("the caller's CheckRedirect was replaced")
	}
	_, err = ping(context.Background(), c)
	var e *client.Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusTemporaryRedirect {
		t.Errorf("err = %v, want the 307 returned by the caller's policy", err)
	}
	if called != 1 {
		t.Errorf("caller's CheckRedirect called %d times, want 1", called)
	}
}

func TestResponseSizeCap(t *testing.T) {
	big := `{"data":{"ping":"` + strings.Repeat("x", 1000) + `"}}`
	chunked := func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
		for i := 0; i < 10; i++ {
			io.WriteString(w, strings.Repeat(" ", 100))
			http.NewResponseController(w).Flush()
		}
		io.WriteString(w, okBody)
	}
	for name, h := range map[string]http.HandlerFunc{
		"with Content-Length": reply(200, big),
		"chunked":             chunked,
		"error status":        reply(503, big),
	} {
		t.Run(name, func(t *testing.T) {
			s := newScript(t, h)
			c := s.newClient(t, client.WithMaxResponseBytes(512))
			_, err := ping(context.Background(), c)
			if !errors.Is(err, client.ErrResponseTooLarge) {
				t.Fatalf("err = %v, want ErrResponseTooLarge", err)
			}
			if n := len(s.requests()); n != 1 {
				t.Errorf("server got %d requests, want 1", n)
			}
		})
	}
	t.Run("exactly at the cap", func(t *testing.T) {
		s := newScript(t, reply(200, okBody))
		c := s.newClient(t, client.WithMaxResponseBytes(int64(len(okBody))))
		if _, err := ping(context.Background(), c); err != nil {
			t.Fatalf("ping: %v", err)
		}
	})
}

func TestHTTPS(t *testing.T) {
	srv := httptest.NewUnstartedServer(reply(200, okBody))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake below
	srv.StartTLS()
	defer srv.Close()
	c, err := client.New(testToken, client.WithEndpoint(srv.URL+"/v1/graphql"), client.WithHTTPClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(info(c).WebSocketURL, "wss://") {
		t.Errorf("WebSocketURL() = %q", info(c).WebSocketURL)
	}
	if _, err := ping(context.Background(), c); err != nil {
		t.Fatalf("ping: %v", err)
	}
	// An untrusted certificate is refused and not retried.
	c2, err := client.New(testToken, client.WithEndpoint(srv.URL+"/v1/graphql"), client.WithHTTPClient(&http.Client{Transport: &http.Transport{}}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = ping(context.Background(), c2)
	var e *client.Error
	if !errors.As(err, &e) || e.Retryable || e.Attempts != 1 {
		t.Errorf("untrusted certificate: err = %v, want one non-retryable attempt", err)
	}
	info(c2).HTTPClient.CloseIdleConnections()
}

// The token never appears in a log line, an error text, or a printed client.
func TestTokenRedacted(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	echo := func(w http.ResponseWriter, r *http.Request) {
		// A misbehaving server that echoes the Authorization header.
		auth := r.Header.Get("Authorization")
		reply(200, `{"errors":[{"message":"bad token `+auth+`","extensions":{"code":"invalid-jwt","type":"`+auth+`"}}]}`)(w, r)
	}
	s := newScript(t,
		reply(200, okBody),
		reply(503, ``), reply(200, okBody),
		reply(401, `{"errors":[{"message":"Could not verify JWT","extensions":{"code":"invalid-jwt"}}]}`),
		echo,
		hangUp, hangUp,
	)
	c := s.newClient(t, client.WithLogger(logger), client.WithMaxAttempts(2))
	ctx := context.Background()
	var errs []error
	for i := 0; i < 5; i++ {
		_, err := ping(ctx, c)
		errs = append(errs, err)
	}
	if n := len(s.requests()); n != 7 {
		t.Fatalf("server got %d requests, want 7", n)
	}
	if errs[0] != nil || errs[1] != nil || errs[2] == nil || errs[3] == nil || errs[4] == nil {
		t.Fatalf("errors = %v", errs)
	}
	for i, err := range errs {
		if err == nil {
			continue
		}
		for _, text := range []string{err.Error(), fmt.Sprintf("%v|%+v|%#v", err, err, err)} {
			if strings.Contains(text, testToken) {
				t.Errorf("error %d reveals the token: %s", i, text)
			}
		}
		var e *client.Error
		if errors.As(err, &e) {
			for _, g := range e.Errors {
				if strings.Contains(g.Message, testToken) || strings.Contains(g.Type, testToken) {
					t.Errorf("GraphQL error reveals the token: %+v", g)
				}
			}
		}
	}
	// Log the client itself, too.
	logger.Info("client", "client", c)
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) < 8 {
		t.Fatalf("got %d log lines, want at least 8:\n%s", len(lines), logs.String())
	}
	for _, l := range lines {
		if strings.Contains(l, testToken) {
			t.Errorf("log line reveals the token: %s", l)
		}
	}
	for _, want := range []string{`"level":"DEBUG"`, `"level":"INFO"`, `"level":"WARN"`, `"operation":"Ping"`, `"attempt":2`, `"wait":`, `"status":503`, `"token":"[REDACTED]"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("logs lack %s:\n%s", want, logs.String())
		}
	}
	for _, format := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		for _, v := range []any{c, *c, c.Session(testToken)} {
			if out := fmt.Sprintf(format, v); strings.Contains(out, testToken) || strings.Contains(out, fmt.Sprintf("%x", testToken)) {
				t.Errorf("Sprintf(%q) reveals the token: %s", format, out)
			}
		}
	}
	if s := c.String(); !strings.Contains(s, c.Endpoint()) || !strings.Contains(s, "REDACTED") {
		t.Errorf("String() = %q", s)
	}
}

// A gateway (or proxy) that echoes the token anywhere in an error, its path
// and the keys of its extensions included, does not get it into the error,
// the GraphQL errors' fields or the logs; the rest of the path is kept.
func TestTokenEchoedInPathRedacted(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	echo := func(status int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			auth := r.Header.Get("Authorization")
			e := map[string]any{
				"message": "no",
				"path":    []any{"ping", 2, auth, []any{auth}, map[string]any{auth: auth}},
				"extensions": map[string]any{
					"code": "bad-request", auth: "x", "nested": map[string]any{auth: []any{auth}},
				},
			}
			b, _ := json.Marshal(map[string]any{"errors": []any{e}})
			reply(status, string(b))(w, r)
		}
	}
	s := newScript(t, echo(200), echo(503), echo(503))
	c := s.newClient(t, client.WithLogger(logger), client.WithMaxAttempts(2))
	for i := 0; i < 2; i++ {
		_, err := ping(context.Background(), c)
		var e *client.Error
		if !errors.As(err, &e) || len(e.Errors) != 1 {
			t.Fatalf("request %d: err = %v, want a *client.Error with one GraphQL error", i+1, err)
		}
		g := e.Errors[0]
		for _, text := range []string{err.Error(), fmt.Sprintf("%v|%+v|%#v|%+v|%#v|%v", err, err, err, *e, g, g.Path)} {
			if strings.Contains(text, testToken) {
				t.Errorf("request %d: the token leaks: %s", i+1, text)
			}
		}
		if len(g.Path) != 5 || g.Path[0] != "ping" || g.Path[1] != 2 || g.Path[2] != "Bearer [REDACTED]" {
			t.Errorf("request %d: Path = %#v, want ping, 2, Bearer [REDACTED], ...", i+1, g.Path)
		}
		if !strings.Contains(err.Error(), "(at ping[2].Bearer [REDACTED].?.?)") {
			t.Errorf("request %d: Error() = %q, want the redacted path", i+1, err.Error())
		}
		if g.Extensions["Bearer [REDACTED]"] != "x" || g.Code != "bad-request" {
			t.Errorf("request %d: Extensions = %v, Code = %q, want the key redacted and the value kept", i+1, g.Extensions, g.Code)
		}
	}
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "level=INFO") {
		t.Fatalf("logs lack the retry and the failure:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), testToken) {
		t.Errorf("the logs reveal the token:\n%s", logs.String())
	}
}

func TestLoggingOffByDefault(t *testing.T) {
	var logs bytes.Buffer
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	defer slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	s := newScript(t, reply(503, ``), reply(200, okBody))
	c := s.newClient(t)
	if _, err := ping(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if logs.Len() != 0 {
		t.Errorf("client logged without WithLogger:\n%s", logs.String())
	}
	if info(c).Logger.Enabled(context.Background(), slog.LevelError) {
		t.Error("default Logger() is enabled")
	}
}
