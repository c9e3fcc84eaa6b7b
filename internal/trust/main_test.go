package trust

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/testsupport"
	"github.com/kronor-io/kronor-go/kronortest"
)

var long = flag.Bool("long", false, "run the long variants: 10,000 checkout flows and 10,000 concurrent waits")

func TestMain(m *testing.M) { testsupport.VerifyNoLeaks(m) }

// gateway is a fake gateway with a merchant client on a transport of its own,
// whose idle connections are closed when the test ends.
type gateway struct {
	srv      *kronortest.Server
	merchant *client.Client
}

// newGateway starts a fake gateway and a merchant client for it with quick
// retries. Extra client options come last, so they win.
func newGateway(t testing.TB, srvOpts []kronortest.Option, clientOpts ...client.Option) *gateway {
	t.Helper()
	srv := kronortest.NewServer(srvOpts...)
	t.Cleanup(srv.Close)
	return &gateway{srv: srv, merchant: newClient(t, srv, srv.MerchantToken(), clientOpts...)}
}

// newClient makes a client for srv with its own transport, as a separate
// process would have.
func newClient(t testing.TB, srv *kronortest.Server, token string, opts ...client.Option) *client.Client {
	t.Helper()
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	t.Cleanup(tr.CloseIdleConnections)
	c, err := client.New(token, append([]client.Option{
		client.WithEndpoint(srv.URL()),
		client.WithHTTPClient(&http.Client{Transport: tr}),
		client.WithBackoff(time.Millisecond, 10*time.Millisecond),
	}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// counter is a slog.Handler that counts records by the values of some
// attributes (e.g. the fake's "fault" and "operation"), for reporting what was
// injected. Records without the first attribute are not counted.
type counter struct {
	keys []string
	mu   sync.Mutex
	n    map[string]int
}

func newCounter(keys ...string) *counter { return &counter{keys: keys, n: map[string]int{}} }

func (c *counter) Enabled(context.Context, slog.Level) bool { return true }
func (c *counter) WithAttrs([]slog.Attr) slog.Handler       { return c }
func (c *counter) WithGroup(string) slog.Handler            { return c }
func (c *counter) Handle(_ context.Context, r slog.Record) error {
	vals := make([]string, len(c.keys))
	r.Attrs(func(a slog.Attr) bool {
		for i, k := range c.keys {
			if a.Key == k {
				vals[i] = a.Value.String()
			}
		}
		return true
	})
	if vals[0] == "" {
		return nil
	}
	c.mu.Lock()
	c.n[strings.Join(vals, " / ")]++
	c.mu.Unlock()
	return nil
}

// sum adds up the counts whose key satisfies match.
func (c *counter) sum(match func(key string) bool) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for k, v := range c.n {
		if match(k) {
			n += v
		}
	}
	return n
}

func (c *counter) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	keys := make([]string, 0, len(c.n))
	for k := range c.n {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "\n\t%5d  %s", c.n[k], k)
	}
	return b.String()
}

// slowAttempts is a slog.Handler that keeps the client's log records of
// attempts that took longer than a threshold, to explain a slow run.
type slowAttempts struct {
	over time.Duration
	mu   sync.Mutex
	recs []string
}

func (s *slowAttempts) Enabled(context.Context, slog.Level) bool { return true }
func (s *slowAttempts) WithAttrs([]slog.Attr) slog.Handler       { return s }
func (s *slowAttempts) WithGroup(string) slog.Handler            { return s }
func (s *slowAttempts) Handle(_ context.Context, r slog.Record) error {
	slow := false
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "duration" && a.Value.Kind() == slog.KindDuration && a.Value.Duration() > s.over {
			slow = true
		}
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	})
	if slow {
		s.mu.Lock()
		s.recs = append(s.recs, b.String())
		s.mu.Unlock()
	}
	return nil
}

func (s *slowAttempts) records() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.recs...)
}
