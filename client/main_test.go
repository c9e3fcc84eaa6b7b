package client_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/conninfo"
	"github.com/kronor-io/kronor-go/internal/gql"
	"github.com/kronor-io/kronor-go/internal/testsupport"
)

func TestMain(m *testing.M) { testsupport.VerifyNoLeaks(m) }

const testToken = "tok_SENTINEL_d3adb33f_secret"

// recorded is one request the scripted server received.
type recorded struct {
	Method string
	Path   string
	Header http.Header
	Body   []byte
}

// script is an httptest server that answers the n-th request with the n-th
// step. A request beyond the script fails the test.
type script struct {
	t     *testing.T
	srv   *httptest.Server
	mu    sync.Mutex
	steps []http.HandlerFunc
	reqs  []recorded
}

func newScript(t *testing.T, steps ...http.HandlerFunc) *script {
	t.Helper()
	s := &script{t: t, steps: steps}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *script) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	n := len(s.reqs)
	s.reqs = append(s.reqs, recorded{r.Method, r.URL.Path, r.Header.Clone(), body})
	var step http.HandlerFunc
	if n < len(s.steps) {
		step = s.steps[n]
	}
	s.mu.Unlock()
	if step == nil {
		s.t.Errorf("unexpected request %d to %s", n+1, r.URL.Path)
		http.Error(w, "unexpected request", http.StatusTeapot)
		return
	}
	step(w, r)
}

// URL is the scripted server's GraphQL endpoint.
func (s *script) URL() string { return s.srv.URL + "/v1/graphql" }

// requests returns a copy of the requests received so far.
func (s *script) requests() []recorded {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]recorded(nil), s.reqs...)
}

// newClient returns a client for s with a tiny backoff.
func (s *script) newClient(t *testing.T, opts ...client.Option) *client.Client {
	t.Helper()
	base := []client.Option{
		client.WithEndpoint(s.URL()),
		client.WithHTTPClient(s.srv.Client()),
		client.WithBackoff(time.Millisecond, 2*time.Millisecond),
	}
	c, err := client.New(testToken, append(base, opts...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// reply answers with status, a JSON body and extra header pairs.
func reply(status int, body string, headerPairs ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(headerPairs); i += 2 {
			w.Header().Set(headerPairs[i], headerPairs[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

// hangUp reads the request and closes the connection without an answer: a
// response lost after the request was written.
func hangUp(w http.ResponseWriter, r *http.Request) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	conn.Close()
}

const okBody = `{"data":{"ping":"pong"}}`

type pingData struct {
	Ping string `json:"ping"`
}

// pingRequest is a mutation-like request carrying an idempotency key.
func pingRequest() *gql.Request {
	return &gql.Request{
		OpName: "Ping",
		Query:  "mutation Ping($key: String!) { ping(idempotencyKey: $key) }",
		Variables: map[string]any{
			"key": "order-42-capture-1",
		},
	}
}

// ping sends pingRequest through c.
func ping(ctx context.Context, c client.Caller) (*pingData, error) {
	d := &pingData{}
	err := c.MakeRequest(ctx, pingRequest(), &gql.Response{Data: d})
	return d, err
}

// info is what the SDK's other packages see of c (internal/conninfo).
func info(c client.Caller) conninfo.Info {
	i, _ := conninfo.Of(c)
	return i
}

// mustJSON marshals v.
func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
