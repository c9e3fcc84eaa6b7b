package main

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/sessions"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.Cleanup(func(int) {
		if decoder.path != "" {
			_ = os.RemoveAll(filepath.Dir(decoder.path))
		}
	}))
}

// deadline bounds every wait of a test for output or an exit.
const deadline = 30 * time.Second

// lines is an io.Writer that keeps what is written and tells waiters about
// each new complete line.
type lines struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{} // closed and replaced on every write
}

func newLines() *lines { return &lines{changed: make(chan struct{})} }

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	close(l.changed)
	l.changed = make(chan struct{})
	return len(p), nil
}

func (l *lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// proc is one run of the command in the background.
type proc struct {
	t              *testing.T
	stdout, stderr *lines
	cancel         context.CancelFunc // Ctrl-C
	done           chan int
}

// env is the environment of a run that talks to srv.
func env(srv *kronortest.Server) map[string]string {
	return map[string]string{envToken: srv.MerchantToken(), envURL: srv.URL()}
}

// start runs the command with args and the environment vars in the background.
func start(t *testing.T, vars map[string]string, args ...string) *proc {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p := &proc{t: t, stdout: newLines(), stderr: newLines(), cancel: cancel, done: make(chan int, 1)}
	go func() {
		p.done <- run(ctx, args, func(k string) string { return vars[k] }, p.stdout, p.stderr)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-p.done:
		case <-time.After(deadline):
			t.Errorf("kronor %v did not stop after its context ended", args)
		}
	})
	return p
}

// kronor runs the command to its end and returns its exit status and output.
func kronor(t *testing.T, vars map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	p := start(t, vars, args...)
	code = p.exit()
	return code, p.stdout.String(), p.stderr.String()
}

// until waits for a line of standard output matching re and returns its
// submatches.
func (p *proc) until(re *regexp.Regexp) []string {
	p.t.Helper()
	timeout := time.After(deadline)
	for {
		p.stdout.mu.Lock()
		out, changed := p.stdout.buf.String(), p.stdout.changed
		p.stdout.mu.Unlock()
		for _, line := range strings.Split(out, "\n") {
			if m := re.FindStringSubmatch(line); m != nil {
				return m
			}
		}
		select {
		case <-changed:
		case code := <-p.done:
			p.done <- code
			select { // a last write may have raced with the exit
			case <-changed:
				continue
			default:
			}
			p.t.Fatalf("kronor exited %d before printing a line matching %q:\n%s\nstderr:\n%s", code, re, out, p.stderr.String())
		case <-timeout:
			p.t.Fatalf("no line matching %q within %s:\n%s\nstderr:\n%s", re, deadline, out, p.stderr.String())
		}
	}
}

// exit waits for the run to end and returns its exit status.
func (p *proc) exit() int {
	p.t.Helper()
	select {
	case code := <-p.done:
		p.done <- code
		return code
	case <-time.After(deadline):
		p.t.Fatalf("kronor did not exit within %s:\n%s\nstderr:\n%s", deadline, p.stdout.String(), p.stderr.String())
	}
	return 0
}

// wantExit checks the exit status and that no output shows the token.
func (p *proc) wantExit(want int, token string) (stdout, stderr string) {
	p.t.Helper()
	code := p.exit()
	stdout, stderr = p.stdout.String(), p.stderr.String()
	if code != want {
		p.t.Fatalf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", code, want, stdout, stderr)
	}
	if token != "" && strings.Contains(stdout+stderr, token) {
		p.t.Fatalf("the output shows the token:\n%s\n%s", stdout, stderr)
	}
	return stdout, stderr
}

// merchantClient is the test's own SDK client of srv.
func merchantClient(t *testing.T, srv *kronortest.Server) *client.Client {
	t.Helper()
	c, err := client.New(srv.MerchantToken(), client.WithEndpoint(srv.URL()))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// startSwish starts a Swish payment of amount SEK minor units for order ref
// with the SDK, as a merchant's shop would, and returns its wait token.
func startSwish(t *testing.T, srv *kronortest.Server, ref string, amount int64) string {
	t.Helper()
	ctx := context.Background()
	m := merchantClient(t, srv)
	s, err := sessions.Create(ctx, m, sessions.Params{Amount: amount, Currency: sessions.CurrencySEK, MerchantReference: ref,
		Message: "Test", ExpiresAt: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	st, err := payments.Swish(ctx, s.Client(m), payments.SwishParams{Redirect: payments.Redirect{ReturnURL: "https://shop.example/"}})
	if err != nil {
		t.Fatal(err)
	}
	return st.WaitToken
}

var httpClient = &http.Client{Timeout: deadline}

func newFormRequest(ctx context.Context, rawURL, action string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, strings.NewReader(url.Values{"action": {action}}.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req, nil
}
