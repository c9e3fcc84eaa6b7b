package subscriptions_test

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/kronortest"
)

// remoteGatewayEnv makes the test binary serve a fake gateway instead of
// running tests: benchmarks run the gateway in a child process so that the
// heap they measure is the watcher's alone.
const remoteGatewayEnv = "SUBSCRIPTIONS_REMOTE_GATEWAY"

// remoteServer is what a remote gateway process serves.
type remoteServer interface {
	URL() string
	MerchantToken() string
	Live() kronortest.Live
	Approve(waitToken string) error
	Close()
}

// serveRemoteGateway runs a fake gateway (kronortest, or the lean one when
// the environment variable says "lean"), prints "<url> <merchant token>",
// and answers commands on stdin, one per line:
//
//	live                    -> "<websockets> <subscriptions>"
//	create <n>              -> n new wait tokens (lean gateway only)
//	approve <token>...      -> "<nanoseconds the approvals took>"
//
// It ends when stdin closes.
func serveRemoteGateway() int {
	var srv remoteServer
	var lean *leanGateway
	if os.Getenv(remoteGatewayEnv) == "lean" {
		lean = newLeanGateway()
		srv = lean
	} else {
		srv = kronortest.NewServer()
	}
	defer srv.Close()
	fmt.Printf("%s %s\n", srv.URL(), srv.MerchantToken())
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	for in.Scan() {
		f := strings.Fields(in.Text())
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "live":
			l := srv.Live()
			fmt.Printf("%d %d\n", l.WebSockets, l.Subscriptions)
		case "create":
			n, _ := strconv.Atoi(f[1])
			fmt.Println(strings.Join(lean.create(n), " "))
		case "approve":
			start := time.Now()
			for _, tok := range f[1:] {
				if err := srv.Approve(tok); err != nil {
					fmt.Fprintln(os.Stderr, err)
				}
			}
			fmt.Println(time.Since(start).Nanoseconds())
		default:
			fmt.Fprintf(os.Stderr, "unknown command %q\n", f[0])
			fmt.Println()
		}
	}
	return 0
}

// remoteGateway is a fake gateway in a child process.
type remoteGateway struct {
	cmd        *exec.Cmd
	in         io.WriteCloser
	out        *bufio.Reader
	url, token string
	closeOnce  sync.Once
}

// close ends the child process and waits for it.
func (r *remoteGateway) close() {
	r.closeOnce.Do(func() {
		_ = r.in.Close()
		_ = r.cmd.Wait()
	})
}

// startRemoteGateway starts a child process serving kind: "kronortest" or
// "lean".
func startRemoteGateway(tb testing.TB, kind string) *remoteGateway {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), remoteGatewayEnv+"="+kind)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	outPipe, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	r := &remoteGateway{cmd: cmd, in: in, out: bufio.NewReader(outPipe)}
	tb.Cleanup(r.close)
	f := strings.Fields(r.line(tb))
	if len(f) != 2 {
		tb.Fatalf("remote gateway said %q", f)
	}
	r.url, r.token = f[0], f[1]
	return r
}

func (r *remoteGateway) line(tb testing.TB) string {
	tb.Helper()
	s, err := r.out.ReadString('\n')
	if err != nil {
		tb.Fatalf("remote gateway: %v", err)
	}
	return strings.TrimSpace(s)
}

func (r *remoteGateway) command(tb testing.TB, cmd string) string {
	tb.Helper()
	if _, err := io.WriteString(r.in, cmd+"\n"); err != nil {
		tb.Fatalf("remote gateway: %v", err)
	}
	return r.line(tb)
}

func (r *remoteGateway) live(tb testing.TB) kronortest.Live {
	tb.Helper()
	var l kronortest.Live
	if _, err := fmt.Sscan(r.command(tb, "live"), &l.WebSockets, &l.Subscriptions); err != nil {
		tb.Fatalf("remote gateway live: %v", err)
	}
	return l
}

// approve approves tokens and returns how long the gateway took.
func (r *remoteGateway) approve(tb testing.TB, tokens []string) time.Duration {
	tb.Helper()
	ns, err := strconv.ParseInt(r.command(tb, "approve "+strings.Join(tokens, " ")), 10, 64)
	if err != nil {
		tb.Fatalf("remote gateway approve: %v", err)
	}
	return time.Duration(ns)
}

// create makes n payment requests on the lean gateway.
func (r *remoteGateway) create(tb testing.TB, n int) []string {
	tb.Helper()
	return strings.Fields(r.command(tb, fmt.Sprintf("create %d", n)))
}
