package benchmarks

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/sessions"
)

// Gateway is the fake gateway the watcher measurements run against: in this
// process (LocalGateway) or in a child process (RemoteGateway), so that the
// heap measured in this process is the watcher's alone.
type Gateway interface {
	// URL is the GraphQL endpoint.
	URL() string
	// MerchantToken is the merchant role's token.
	MerchantToken() string
	// Approve has the customer pay each payment request, in order, and
	// returns the time the gateway took to apply the approvals.
	Approve(waitTokens ...string) (time.Duration, error)
	// Live reports the websockets and subscriptions open at the gateway.
	Live() (kronortest.Live, error)
	// Pushes reports how many subscription results the gateway has sent
	// (kronortest.Server.Pushes), and how long after the start of the
	// latest Approve it began sending the last of them.
	Pushes() (n int64, sinceApprove time.Duration, err error)
	// Settle settles every pending capture, release and refund (the
	// gateway is made with kronortest.WithManualSettlement).
	Settle() error
	// Close stops the gateway.
	Close() error
}

// LocalGateway is a kronortest.Server in this process.
type LocalGateway struct {
	*kronortest.Server

	mu           sync.Mutex
	approveStart time.Time // of the latest Approve
}

// NewLocalGateway starts a fake gateway in this process.
func NewLocalGateway(opts ...kronortest.Option) *LocalGateway {
	return &LocalGateway{Server: kronortest.NewServer(opts...)}
}

// Approve approves each payment request with Server.Approve.
func (g *LocalGateway) Approve(waitTokens ...string) (time.Duration, error) {
	start := time.Now()
	g.mu.Lock()
	g.approveStart = start
	g.mu.Unlock()
	for _, tok := range waitTokens {
		if err := g.Server.Approve(tok); err != nil {
			return time.Since(start), err
		}
	}
	return time.Since(start), nil
}

// Live returns Server.Live.
func (g *LocalGateway) Live() (kronortest.Live, error) { return g.Server.Live(), nil }

// Pushes returns Server.Pushes, its last push timed from the start of the
// latest Approve.
func (g *LocalGateway) Pushes() (int64, time.Duration, error) {
	n, last := g.Server.Pushes()
	g.mu.Lock()
	defer g.mu.Unlock()
	return n, last.Sub(g.approveStart), nil
}

// Settle calls Server.Settle.
func (g *LocalGateway) Settle() error {
	g.Server.Settle()
	return nil
}

// Close closes the server.
func (g *LocalGateway) Close() error {
	g.Server.Close()
	return nil
}

// GatewayEnv is the environment variable that makes a program started by
// StartSelfGateway serve a fake gateway (ServeGatewayIfAsked) instead of
// doing its own work.
const GatewayEnv = "KRONOR_BENCHMARKS_GATEWAY"

// ServeGatewayIfAsked serves a fake gateway on stdin and stdout
// (ServeGateway, with manual settlement of captures, releases and refunds)
// and exits the process when GatewayEnv is "1" in its
// environment, and returns at once otherwise. Call it first thing in main,
// or in TestMain, of a program that uses StartSelfGateway.
func ServeGatewayIfAsked() {
	if os.Getenv(GatewayEnv) != "1" {
		return
	}
	if err := ServeGateway(os.Stdin, os.Stdout, kronortest.WithManualSettlement()); err != nil {
		fmt.Fprintln(os.Stderr, "gateway:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// ServeGateway runs a fake gateway for a parent process: it writes
// "<url> <merchant token>", then answers commands read from in, one per
// line:
//
//	live                  -> "<websockets> <subscriptions>"
//	approve <token>...    -> "<nanoseconds the approvals took>" or "error <message>"
//	pushes                -> "<subscription results sent> <nanoseconds from the start of the latest approve to the last of them>"
//	settle                -> "ok": every pending capture, release and refund settled
//
// It returns when in ends.
func ServeGateway(in io.Reader, out io.Writer, opts ...kronortest.Option) error {
	g := NewLocalGateway(opts...)
	defer g.Close()
	srv := g.Server
	w := bufio.NewWriter(out)
	reply := func(format string, args ...any) error {
		fmt.Fprintf(w, format+"\n", args...)
		return w.Flush()
	}
	if err := reply("%s %s", srv.URL(), srv.MerchantToken()); err != nil {
		return err
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 256<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		var err error
		switch {
		case len(f) == 0:
			continue
		case f[0] == "live":
			l := srv.Live()
			err = reply("%d %d", l.WebSockets, l.Subscriptions)
		case f[0] == "settle":
			srv.Settle()
			err = reply("ok")
		case f[0] == "pushes":
			n, since, _ := g.Pushes()
			err = reply("%d %d", n, since.Nanoseconds())
		case f[0] == "approve":
			d, aerr := g.Approve(f[1:]...)
			if aerr != nil {
				err = reply("error %s", strings.ReplaceAll(aerr.Error(), "\n", " "))
			} else {
				err = reply("%d", d.Nanoseconds())
			}
		default:
			err = reply("error unknown command %q", f[0])
		}
		if err != nil {
			return err
		}
	}
	return sc.Err()
}

// RemoteGateway is a fake gateway in a child process running ServeGateway.
type RemoteGateway struct {
	cmd        *exec.Cmd
	in         io.WriteCloser
	out        *bufio.Reader
	url, token string

	mu     sync.Mutex
	closed bool
}

// StartSelfGateway starts the running program again, with args and
// GatewayEnv=1, as a fake gateway (see ServeGatewayIfAsked). A test binary
// passes "-test.run=^$" so that a TestMain that forgot to call
// ServeGatewayIfAsked runs no test.
func StartSelfGateway(args ...string) (*RemoteGateway, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), GatewayEnv+"=1")
	return StartRemoteGateway(cmd)
}

// StartRemoteGateway starts cmd, a program that runs ServeGateway on its
// stdin and stdout, and reads its address and token.
func StartRemoteGateway(cmd *exec.Cmd) (*RemoteGateway, error) {
	if cmd.Stderr == nil {
		cmd.Stderr = os.Stderr
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	g := &RemoteGateway{cmd: cmd, in: in, out: bufio.NewReader(out)}
	line, err := g.line()
	f := strings.Fields(line)
	if err == nil && len(f) != 2 {
		err = fmt.Errorf("the gateway process said %q", line)
	}
	if err != nil {
		_ = g.Close()
		return nil, err
	}
	g.url, g.token = f[0], f[1]
	return g, nil
}

// URL is the gateway's GraphQL endpoint.
func (g *RemoteGateway) URL() string { return g.url }

// MerchantToken is the gateway's merchant token.
func (g *RemoteGateway) MerchantToken() string { return g.token }

func (g *RemoteGateway) line() (string, error) {
	s, err := g.out.ReadString('\n')
	if err != nil {
		return "", fmt.Errorf("gateway process: %w", err)
	}
	return strings.TrimSpace(s), nil
}

func (g *RemoteGateway) command(cmd string) (string, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return "", errors.New("gateway process: closed")
	}
	if _, err := io.WriteString(g.in, cmd+"\n"); err != nil {
		return "", fmt.Errorf("gateway process: %w", err)
	}
	s, err := g.line()
	if err != nil {
		return "", err
	}
	if msg, ok := strings.CutPrefix(s, "error "); ok {
		return "", fmt.Errorf("gateway process: %s", msg)
	}
	return s, nil
}

// Live asks the gateway process for its live websockets and subscriptions.
func (g *RemoteGateway) Live() (kronortest.Live, error) {
	s, err := g.command("live")
	if err != nil {
		return kronortest.Live{}, err
	}
	var l kronortest.Live
	if _, err := fmt.Sscan(s, &l.WebSockets, &l.Subscriptions); err != nil {
		return kronortest.Live{}, fmt.Errorf("gateway process: live: %q: %w", s, err)
	}
	return l, nil
}

// Pushes asks the gateway process how many subscription results it has
// sent, and how long after the start of the latest Approve it began sending
// the last of them.
func (g *RemoteGateway) Pushes() (int64, time.Duration, error) {
	s, err := g.command("pushes")
	if err != nil {
		return 0, 0, err
	}
	var n, ns int64
	if _, err := fmt.Sscan(s, &n, &ns); err != nil {
		return 0, 0, fmt.Errorf("gateway process: pushes: %q: %w", s, err)
	}
	return n, time.Duration(ns), nil
}

// Settle has the gateway process settle every pending capture, release
// and refund.
func (g *RemoteGateway) Settle() error {
	_, err := g.command("settle")
	return err
}

// Approve has the gateway process approve the payment requests, in order,
// and returns the time it took there.
func (g *RemoteGateway) Approve(waitTokens ...string) (time.Duration, error) {
	s, err := g.command("approve " + strings.Join(waitTokens, " "))
	if err != nil {
		return 0, err
	}
	ns, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("gateway process: approve: %q: %w", s, err)
	}
	return time.Duration(ns), nil
}

// Close ends the gateway process (closing its stdin) and waits for it; a
// process still running after 10 seconds is killed.
func (g *RemoteGateway) Close() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return nil
	}
	g.closed = true
	_ = g.in.Close()
	done := make(chan error, 1)
	go func() { done <- g.cmd.Wait() }()
	timer := time.NewTimer(10 * time.Second)
	defer timer.Stop()
	select {
	case err := <-done:
		return err
	case <-timer.C:
		_ = g.cmd.Process.Kill()
		<-done
		return errors.New("gateway process: killed after not exiting within 10s")
	}
}

// NewMerchant returns a merchant client for g on a transport of its own,
// with at most maxConns connections (so thousands of concurrent first reads
// queue instead of opening thousands of sockets). Call
// CloseIdleConnections on the returned transport when done.
func NewMerchant(g Gateway, maxConns int) (*client.Client, *http.Transport, error) {
	tr := &http.Transport{MaxConnsPerHost: maxConns, MaxIdleConnsPerHost: maxConns}
	c, err := client.New(g.MerchantToken(),
		client.WithEndpoint(g.URL()),
		client.WithHTTPClient(&http.Client{Transport: tr}),
		client.WithBackoff(time.Millisecond, 50*time.Millisecond))
	if err != nil {
		return nil, nil, err
	}
	return c, tr, nil
}

// StartSwish starts n Swish payment requests through the SDK (sessions.Create,
// then payments.Swish with the session token), perSession of them in each
// session, on workers goroutines, and returns their wait tokens.
func StartSwish(ctx context.Context, merchant *client.Client, n, perSession, workers int) ([]string, error) {
	return startPayments(ctx, merchant, n, perSession, workers, false)
}

// StartCards is StartSwish with card payments, one per session (approved,
// a card payment is AUTHORIZED: each can be captured or released).
func StartCards(ctx context.Context, merchant *client.Client, n, workers int) ([]string, error) {
	return startPayments(ctx, merchant, n, 1, workers, true)
}

func startPayments(ctx context.Context, merchant *client.Client, n, perSession, workers int, card bool) ([]string, error) {
	perSession = max(perSession, 1)
	tokens := make([]string, n)
	prefix := fmt.Sprintf("bench-%d", time.Now().UnixNano())
	jobs := make(chan int)
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range max(workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for start := range jobs {
				err := func() error {
					ref := fmt.Sprintf("%s-%d", prefix, start)
					s, err := sessions.Create(ctx, merchant, sessions.Params{
						Amount: 10000, Currency: sessions.CurrencySEK, MerchantReference: ref,
						Message: "Benchmark", ExpiresAt: time.Now().Add(time.Hour),
					})
					if err != nil {
						return err
					}
					sc := s.Client(merchant)
					for i := start; i < min(start+perSession, n); i++ {
						redirect := payments.Redirect{ReturnURL: "https://shop.example/return?attempt=" + strconv.Itoa(i)}
						var p *payments.Started
						if card {
							p, err = payments.CreditCard(ctx, sc, payments.CreditCardParams{Redirect: redirect})
						} else {
							p, err = payments.Swish(ctx, sc, payments.SwishParams{Redirect: redirect})
						}
						if err != nil {
							return err
						}
						tokens[i] = p.WaitToken
					}
					return nil
				}()
				if err != nil {
					once.Do(func() { first = err; cancel() })
				}
			}
		}()
	}
	for run := 0; run < n; run += perSession {
		select {
		case jobs <- run:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(jobs)
	wg.Wait()
	if first != nil {
		return nil, first
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return tokens, nil
}
