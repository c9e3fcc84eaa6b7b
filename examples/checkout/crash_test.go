package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/examples/internal/demo"
	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/payments"
)

// asMain makes the test binary run the example's main instead of the tests,
// so the crash tests run the example as a separate process that they can
// kill, built like the tests (with -race under go test -race).
const asMain = "KRONOR_CHECKOUT_TEST_AS_MAIN"

// process is one run of the example as a separate process.
type process struct {
	t     *testing.T
	cmd   *exec.Cmd
	lines chan string
	out   strings.Builder // everything read so far
	done  chan error
}

// start runs the example with -order order against the gateway at url.
func start(t *testing.T, url, token, order string) *process {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-order", order)
	cmd.Env = append(cleanEnv(), asMain+"=1", demo.EnvToken+"="+token, demo.EnvURL+"="+url)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout // one stream: the failure message follows the steps
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{t: t, cmd: cmd, lines: make(chan string, 64), done: make(chan error, 1)}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
		p.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		for range p.lines {
		}
	})
	return p
}

// cleanEnv is the environment without any KRONOR_ setting of the machine.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "KRONOR_") {
			env = append(env, kv)
		}
	}
	return env
}

// until reads the output until a line matches re, and returns its
// submatches; the test fails if the process ends or 60 s pass first.
func (p *process) until(re *regexp.Regexp) []string {
	p.t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		select {
		case line, ok := <-p.lines:
			if !ok {
				p.t.Fatalf("the example ended before printing %q:\n%s", re, p.out.String())
			}
			p.out.WriteString(line + "\n")
			if m := re.FindStringSubmatch(line); m != nil {
				return m
			}
		case <-deadline:
			p.t.Fatalf("no line matching %q within 60 s:\n%s", re, p.out.String())
		}
	}
}

// kill ends the process at once, as a crash would.
func (p *process) kill() {
	p.t.Helper()
	if err := p.cmd.Process.Kill(); err != nil {
		p.t.Fatal(err)
	}
	for line := range p.lines {
		p.out.WriteString(line + "\n")
	}
	<-p.done
}

// exit reads the rest of the output and returns it with the exit error.
func (p *process) exit() (string, error) {
	p.t.Helper()
	timeout := time.After(60 * time.Second)
	for {
		select {
		case line, ok := <-p.lines:
			if !ok {
				return p.out.String(), <-p.done
			}
			p.out.WriteString(line + "\n")
		case <-timeout:
			p.t.Fatalf("the example did not end within 60 s:\n%s", p.out.String())
		}
	}
}

var (
	sessionReady   = regexp.MustCompile(`session ready`)
	paymentStarted = regexp.MustCompile(`payment started, wait token ([0-9a-f-]{36})`)
	waiting        = regexp.MustCompile(`WAITING_FOR_PAYMENT`)
)

// TestCrashAndRerun kills the example at each point of the recipe and runs it
// again with the same -order: the rerun finishes the same payment, and the
// gateway holds one session, one payment request and one payment for the
// order. A third run for the paid order charges nothing and exits 0.
func TestCrashAndRerun(t *testing.T) {
	srv := kronortest.NewServer() // no automatic approval: the test is the customer
	defer srv.Close()
	for _, tc := range []struct {
		name   string
		killAt *regexp.Regexp
	}{
		{"after the session", sessionReady},
		{"after the payment started", paymentStarted},
		{"while waiting", waiting},
	} {
		t.Run(tc.name, func(t *testing.T) {
			order := demo.OrderID()
			first := start(t, srv.URL(), srv.MerchantToken(), order)
			m := first.until(tc.killAt)
			firstToken := ""
			if tc.killAt == paymentStarted {
				firstToken = m[1]
			}
			if tc.killAt == waiting {
				firstToken = paymentStarted.FindStringSubmatch(first.out.String())[1]
			}
			first.kill()

			rerun := start(t, srv.URL(), srv.MerchantToken(), order)
			token := rerun.until(paymentStarted)[1]
			if firstToken != "" && token != firstToken {
				t.Errorf("the rerun started payment %s, not the first run's %s", token, firstToken)
			}
			rerun.until(waiting)
			if err := srv.Approve(token); err != nil {
				t.Fatal(err)
			}
			out, err := rerun.exit()
			if err != nil || !strings.Contains(out, "Paid: 100.00 SEK") || !strings.Contains(out, "charged once") {
				t.Fatalf("rerun: %v\n%s", err, out)
			}
			want := kronortest.Counts{Sessions: 1, PaymentRequests: 1, Payments: 1}
			if got := srv.Counts(order); got != want {
				t.Errorf("the gateway holds %+v for the order, want %+v", got, want)
			}

			again := start(t, srv.URL(), srv.MerchantToken(), order)
			out, err = again.exit()
			if err != nil || !strings.Contains(out, "already paid") || strings.Contains(out, "payment started") {
				t.Fatalf("run for a paid order: %v\n%s", err, out)
			}
			if got := srv.Counts(order); got != want {
				t.Errorf("after the run for the paid order the gateway holds %+v, want %+v", got, want)
			}
		})
	}
}

// TestCrashAndRerunOnTheSandbox does the same against cmd/kronor-sandbox,
// built and run as a process of its own, which approves each payment a few
// seconds after it starts: the first run is killed while waiting, the rerun
// resumes the same payment and ends PAID, charged once.
func TestCrashAndRerunOnTheSandbox(t *testing.T) {
	if testing.Short() {
		t.Skip("builds cmd/kronor-sandbox")
	}
	bin := filepath.Join(t.TempDir(), "kronor-sandbox")
	build := exec.Command(goTool(), "build", "-o", bin, "github.com/kronor-io/kronor-go/cmd/kronor-sandbox")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	sandbox := exec.Command(bin, "-addr", "127.0.0.1:0", "-approve-after", "3s")
	stdout, err := sandbox.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := sandbox.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = sandbox.Process.Kill()
		_ = sandbox.Wait()
	}()
	url, token := readSandbox(t, stdout)

	order := demo.OrderID()
	first := start(t, url, token, order)
	firstToken := first.until(paymentStarted)[1]
	first.until(waiting)
	first.kill()

	rerun := start(t, url, token, order)
	if got := rerun.until(paymentStarted)[1]; got != firstToken {
		t.Errorf("the rerun started payment %s, not the first run's %s", got, firstToken)
	}
	out, err := rerun.exit()
	if err != nil || !strings.Contains(out, "Paid: 100.00 SEK") || !strings.Contains(out, "charged once") {
		t.Fatalf("rerun: %v\n%s", err, out)
	}
	merchant, err := client.New(token, client.WithEndpoint(url))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	charges, err := payments.Charges(ctx, merchant, order)
	if err != nil || len(charges) != 1 || charges[0].WaitToken != firstToken {
		t.Fatalf("charges for the order: %+v, %v; want the one payment %s", charges, err, firstToken)
	}
}

// readSandbox reads the sandbox's endpoint and merchant token off its banner.
func readSandbox(t *testing.T, r io.Reader) (url, token string) {
	t.Helper()
	found := make(chan [2]string, 1)
	go func() {
		sc := bufio.NewScanner(r)
		var u, tok string
		for sc.Scan() {
			line := sc.Text()
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "GraphQL:"); ok {
				u = strings.TrimSpace(v)
			}
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "Merchant token:"); ok {
				tok = strings.TrimSpace(v)
			}
			if u != "" && tok != "" {
				found <- [2]string{u, tok}
				u, tok = "", ""
			}
		}
	}()
	select {
	case v := <-found:
		return v[0], v[1]
	case <-time.After(60 * time.Second):
		t.Fatal("the sandbox printed no endpoint and token within 60 s")
	}
	return "", ""
}

// goTool is the go command on the PATH (GOTOOLCHAIN, when set, picks the
// same toolchain as the tests').
func goTool() string { return "go" }
