package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/gql"
)

func TestRequestHeadersAndBody(t *testing.T) {
	s := newScript(t, reply(200, okBody))
	c := s.newClient(t)
	d, err := ping(context.Background(), c)
	if err != nil {
		t.Fatalf("ping: %v", err)
	}
	if d.Ping != "pong" {
		t.Errorf("data = %+v, want ping=pong", d)
	}
	reqs := s.requests()
	if len(reqs) != 1 {
		t.Fatalf("got %d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.Method != http.MethodPost || r.Path != "/v1/graphql" {
		t.Errorf("request %s %s, want POST /v1/graphql", r.Method, r.Path)
	}
	for k, want := range map[string]string{
		"Authorization": "Bearer " + testToken,
		"Content-Type":  "application/json",
		"User-Agent":    "kronor-go/" + client.Version,
	} {
		if got := r.Header.Get(k); got != want {
			t.Errorf("header %s = %q, want %q", k, got, want)
		}
	}
	want := mustJSON(t, pingRequest())
	if got := strings.TrimSpace(string(r.Body)); got != want {
		t.Errorf("body = %s\nwant   %s", got, want)
	}
}

func TestNewDefaultsAndEnvironments(t *testing.T) {
	for _, tc := range []struct {
		name     string
		opts     []client.Option
		endpoint string
		ws       string
	}{
		{"default", nil, client.ProductionURL, "wss://kronor.io/v1/graphql"},
		{"production", []client.Option{client.WithEnvironment(client.Production)}, "https://kronor.io/v1/graphql", "wss://kronor.io/v1/graphql"},
		{"staging", []client.Option{client.WithEnvironment(client.Staging)}, "https://staging.kronor.io/v1/graphql", "wss://staging.kronor.io/v1/graphql"},
		{"endpoint http loopback", []client.Option{client.WithEndpoint("http://127.0.0.1:4000/v1/graphql")}, "http://127.0.0.1:4000/v1/graphql", "ws://127.0.0.1:4000/v1/graphql"},
		{"endpoint https", []client.Option{client.WithEndpoint("https://gw.example.com/v1/graphql?x=1")}, "https://gw.example.com/v1/graphql?x=1", "wss://gw.example.com/v1/graphql?x=1"},
		{"last option wins", []client.Option{client.WithEndpoint("http://localhost:1/g"), client.WithEnvironment(client.Staging)}, client.StagingURL, "wss://staging.kronor.io/v1/graphql"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := client.New(testToken, tc.opts...)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if c.Endpoint() != tc.endpoint {
				t.Errorf("Endpoint() = %q, want %q", c.Endpoint(), tc.endpoint)
			}
			if info(c).WebSocketURL != tc.ws {
				t.Errorf("WebSocketURL() = %q, want %q", info(c).WebSocketURL, tc.ws)
			}
			if info(c).Logger == nil {
				t.Error("Logger() is nil")
			}
			if info(c).HTTPClient == nil {
				t.Error("HTTPClient() is nil")
			}
		})
	}
}

func TestNewRejects(t *testing.T) {
	for _, tc := range []struct {
		name  string
		token string
		opts  []client.Option
	}{
		{"empty token", "", nil},
		{"http to a public host", testToken, []client.Option{client.WithEndpoint("http://kronor.io/v1/graphql")}},
		{"http to a private address", testToken, []client.Option{client.WithEndpoint("http://10.0.0.1/v1/graphql")}},
		{"http to a loopback look-alike", testToken, []client.Option{client.WithEndpoint("http://localhost.example.com/v1/graphql")}},
		{"relative URL", testToken, []client.Option{client.WithEndpoint("/v1/graphql")}},
		{"no host", testToken, []client.Option{client.WithEndpoint("https:///v1/graphql")}},
		{"other scheme", testToken, []client.Option{client.WithEndpoint("ftp://kronor.io/v1/graphql")}},
		{"websocket scheme", testToken, []client.Option{client.WithEndpoint("wss://kronor.io/v1/graphql")}},
		{"unparsable", testToken, []client.Option{client.WithEndpoint("https://kronor.io/%zz")}},
		{"empty endpoint", testToken, []client.Option{client.WithEndpoint("")}},
		{"user info", testToken, []client.Option{client.WithEndpoint("https://u:p@kronor.io/v1/graphql")}},
		{"unknown environment", testToken, []client.Option{client.WithEnvironment(client.Environment(7))}},
		{"zero attempts", testToken, []client.Option{client.WithMaxAttempts(0)}},
		{"zero backoff", testToken, []client.Option{client.WithBackoff(0, 0)}},
		{"backoff max below initial", testToken, []client.Option{client.WithBackoff(2, 1)}},
		{"zero response cap", testToken, []client.Option{client.WithMaxResponseBytes(0)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := client.New(tc.token, tc.opts...)
			if err == nil {
				t.Fatalf("New succeeded (%v), want an error", c)
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("error reveals the token: %v", err)
			}
		})
	}
}

func TestHTTPRule(t *testing.T) {
	for _, u := range []string{
		"http://127.0.0.1:8080/v1/graphql",
		"http://127.1.2.3/v1/graphql",
		"http://[::1]:8080/v1/graphql",
		"http://localhost:8080/v1/graphql",
		"http://LOCALHOST/v1/graphql",
		"HTTP://localhost/v1/graphql",
	} {
		if _, err := client.New(testToken, client.WithEndpoint(u)); err != nil {
			t.Errorf("New(%s): %v, want loopback http accepted", u, err)
		}
	}
	for _, u := range []string{"http://kronor.io/v1/graphql", "http://192.168.1.10/v1/graphql", "http://[2001:db8::1]/v1/graphql"} {
		if _, err := client.New(testToken, client.WithEndpoint(u)); err == nil {
			t.Errorf("New(%s) succeeded, want refused without WithInsecureHTTP", u)
		}
		c, err := client.New(testToken, client.WithEndpoint(u), client.WithInsecureHTTP())
		if err != nil {
			t.Errorf("New(%s, WithInsecureHTTP): %v", u, err)
			continue
		}
		if !strings.HasPrefix(info(c).WebSocketURL, "ws://") {
			t.Errorf("WebSocketURL() = %q, want ws://", info(c).WebSocketURL)
		}
	}
}

func TestSessionSharesTransport(t *testing.T) {
	s := newScript(t, reply(200, okBody), reply(200, okBody), reply(200, okBody))
	merchant := s.newClient(t)
	session := merchant.Session("session-token-xyz")
	if info(session).HTTPClient != info(merchant).HTTPClient {
		t.Error("derived client has its own *http.Client, want the merchant client's")
	}
	if session.Endpoint() != merchant.Endpoint() || info(session).Logger != info(merchant).Logger {
		t.Error("derived client does not share endpoint and logger")
	}
	ctx := context.Background()
	for _, c := range []client.Caller{session, merchant, session} {
		if _, err := ping(ctx, c); err != nil {
			t.Fatalf("ping: %v", err)
		}
	}
	reqs := s.requests()
	want := []string{"Bearer session-token-xyz", "Bearer " + testToken, "Bearer session-token-xyz"}
	for i, r := range reqs {
		if got := r.Header.Get("Authorization"); got != want[i] {
			t.Errorf("request %d Authorization = %q, want %q", i+1, got, want[i])
		}
	}
	if got := info(session).InitPayload(); mustJSON(t, got) != `{"headers":{"Authorization":"Bearer session-token-xyz"}}` {
		t.Errorf("ConnectionInitPayload() = %v", mustJSON(t, got))
	}
}

func TestWithEmptyTokenSendsNothing(t *testing.T) {
	s := newScript(t)
	c := s.newClient(t).Session("")
	if _, err := ping(context.Background(), c); err == nil {
		t.Fatal("request with an empty token succeeded")
	}
	if n := len(s.requests()); n != 0 {
		t.Errorf("server got %d requests, want 0", n)
	}
}

// badTokens cannot be sent in an Authorization header.
var badTokens = []struct{ name, token, hint string }{
	{"trailing newline", testToken + "\n", "trailing newline"},
	{"trailing CRLF", testToken + "\r\n", "trailing newline"},
	{"inner newline", "tok_" + "\n" + testToken, "at byte 5 of"},
	{"NUL", testToken[:6] + "\x00" + testToken[6:], "at byte 7 of"},
	{"DEL", testToken + "\x7f", "at byte"},
	{"escape", "\x1b" + testToken, "at byte 1 of"},
}

func TestNewRefusesTokenThatIsNoHeaderValue(t *testing.T) {
	for _, tc := range badTokens {
		t.Run(tc.name, func(t *testing.T) {
			c, err := client.New(tc.token, client.WithEndpoint("http://127.0.0.1:1/v1/graphql"))
			if err == nil {
				t.Fatalf("New accepted the token (%v)", c)
			}
			msg := err.Error()
			if !strings.Contains(msg, "the token contains a line break or control character") || !strings.Contains(msg, tc.hint) {
				t.Errorf("error %q does not say the token contains a line break or control character (%s)", msg, tc.hint)
			}
			if strings.Contains(msg, testToken) || strings.Contains(msg, "tok_") {
				t.Errorf("error reveals the token: %q", msg)
			}
		})
	}
	// A tab is a valid header byte, as is anything from 0x80 on: net/http
	// sends them, and the gateway decides.
	for _, ok := range []string{"a\tb", "tok\u00e9n"} {
		if _, err := client.New(ok); err != nil {
			t.Errorf("New(%q): %v, want it accepted", ok, err)
		}
	}
}

// A client derived with a token that cannot be sent fails at once: nothing
// sent, no retry, no wait, and the error does not contain the token.
func TestSessionWithATokenThatIsNoHeaderValueSendsNothing(t *testing.T) {
	s := newScript(t)
	merchant := s.newClient(t)
	waits := 0
	client.SetSleep(merchant, func(ctx context.Context, d time.Duration) error { waits++; return nil })
	for _, tc := range badTokens {
		_, err := ping(context.Background(), merchant.Session(tc.token))
		if err == nil {
			t.Fatalf("%s: the request succeeded", tc.name)
		}
		if !strings.Contains(err.Error(), "the token contains a line break or control character") {
			t.Errorf("%s: err = %v, want it to say the token contains a line break or control character", tc.name, err)
		}
		if strings.Contains(fmt.Sprintf("%v %+v %#v", err, err, err), testToken) {
			t.Errorf("%s: the error reveals the token: %v", tc.name, err)
		}
		if errors.Is(err, client.ErrTemporary) {
			t.Errorf("%s: err = %v is ErrTemporary, want a permanent failure", tc.name, err)
		}
	}
	if waits != 0 {
		t.Errorf("the client waited %d times to retry, want none", waits)
	}
	if n := len(s.requests()); n != 0 {
		t.Errorf("server got %d requests, want 0", n)
	}
}

func TestSubscriptionRefused(t *testing.T) {
	s := newScript(t)
	c := s.newClient(t)
	req := pingRequest()
	req.Query = "\nsubscription Watch { paymentRequests { status } }"
	if err := c.MakeRequest(context.Background(), req, nil); err == nil {
		t.Fatal("subscription over HTTP succeeded, want an error")
	}
	if n := len(s.requests()); n != 0 {
		t.Errorf("server got %d requests, want 0", n)
	}
}

func TestEnvironmentString(t *testing.T) {
	if client.Production.String() != "production" || client.Staging.String() != "staging" {
		t.Errorf("String() = %q, %q", client.Production, client.Staging)
	}
	if client.Environment(9).URL() != "" {
		t.Error("unknown environment has a URL")
	}
}

func TestNilContextAndResponse(t *testing.T) {
	s := newScript(t, reply(200, okBody))
	c := s.newClient(t)
	//lint:ignore SA1012 a nil context must not crash the client
	if err := c.MakeRequest(nil, pingRequest(), nil); err != nil { //nolint:staticcheck
		t.Fatalf("MakeRequest(nil ctx, nil resp): %v", err)
	}
	if err := c.MakeRequest(context.Background(), nil, nil); err == nil || errors.Is(err, client.ErrTemporary) {
		t.Errorf("nil request: err = %v, want a plain error", err)
	}
}

// One client serves many goroutines, with retries in flight.
func TestConcurrentUse(t *testing.T) {
	const n = 20
	var mu sync.Mutex
	seen := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen[string(body)]++
		first := seen[string(body)] == 1
		mu.Unlock()
		if first {
			reply(503, ``)(w, r)
			return
		}
		var req struct {
			Variables struct{ Key string } `json:"variables"`
		}
		json.Unmarshal(body, &req)
		reply(200, `{"data":{"ping":"`+req.Variables.Key+`"}}`)(w, r)
	}))
	defer srv.Close()
	c, err := client.New(testToken, client.WithEndpoint(srv.URL), client.WithHTTPClient(srv.Client()), client.WithBackoff(time.Millisecond, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := "key-" + strconv.Itoa(i)
			req := pingRequest()
			req.Variables = map[string]any{"key": key}
			d := &pingData{}
			if err := c.Session(testToken).MakeRequest(context.Background(), req, &gql.Response{Data: d}); err != nil {
				errs <- err
				return
			}
			if d.Ping != key {
				errs <- fmt.Errorf("got %q, want %q", d.Ping, key)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for body, count := range seen {
		if count != 2 {
			t.Errorf("body sent %d times, want 2: %s", count, body)
		}
	}
}

// A response whose data does not fit the expected type still reports its
// GraphQL errors.
func TestUndecodableDataKeepsErrors(t *testing.T) {
	s := newScript(t, reply(200, `{"data":{"ping":12},"errors":[{"message":"bad","extensions":{"code":"unexpected"}}]}`))
	c := s.newClient(t)
	_, err := ping(context.Background(), c)
	var e *client.Error
	if !errors.As(err, &e) || len(e.Errors) != 1 || e.Err == nil || e.Retryable {
		t.Fatalf("err = %#v", err)
	}
}
