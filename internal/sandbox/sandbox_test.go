package sandbox_test

import (
	"context"
	"flag"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/captures"
	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/e2etest"
	"github.com/kronor-io/kronor-go/internal/sandbox"
	"github.com/kronor-io/kronor-go/internal/testsupport"
	"github.com/kronor-io/kronor-go/kronortest"
)

func TestMain(m *testing.M) { testsupport.VerifyNoLeaks(m) }

// parse registers the flags on a new flag set and parses args with it.
func parse(t *testing.T, args ...string) sandbox.Options {
	t.Helper()
	var o sandbox.Options
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	o.Register(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return o
}

func TestFlags(t *testing.T) {
	want := sandbox.Options{Addr: "127.0.0.1:8080", ApproveAfter: 2 * time.Second, SettleDelay: kronortest.DefaultSettleDelay, CORS: true}
	if got := parse(t); got != want {
		t.Fatalf("defaults = %+v, want %+v", got, want)
	}
	want = sandbox.Options{Addr: "127.0.0.1:0", ApproveAfter: time.Minute, SettleDelay: time.Hour, Token: "T"}
	got := parse(t, "--addr", "127.0.0.1:0", "--approve-after", "1m", "--settle-delay", "1h", "--token", "T", "--cors=false")
	if got != want {
		t.Fatalf("parsed %+v, want %+v", got, want)
	}
}

func TestStartRefusesBadOptions(t *testing.T) {
	busy := kronortest.NewServer()
	defer busy.Close()
	busyAddr := strings.TrimSuffix(strings.TrimPrefix(busy.URL(), "http://"), kronortest.Path)
	for _, tc := range []struct {
		o    sandbox.Options
		want string
	}{
		{sandbox.Options{Addr: "127.0.0.1:0", ApproveAfter: -time.Second}, "--approve-after -1s: must not be negative"},
		{sandbox.Options{Addr: "127.0.0.1:0", SettleDelay: -time.Millisecond}, "--settle-delay -1ms: must not be negative"},
		{sandbox.Options{Addr: busyAddr}, busyAddr},
	} {
		srv, err := tc.o.Start(nil)
		if srv != nil {
			srv.Close()
		}
		if srv != nil || err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Start(%+v) = %v, %v; want no server and an error naming %q", tc.o, srv, err, tc.want)
		}
	}
}

// preflight returns the Access-Control-Allow-Origin of a browser's CORS
// preflight to srv.
func preflight(t *testing.T, srv *kronortest.Server) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodOptions, srv.URL(), nil)
	req.Header.Set("Origin", "http://localhost:3000")
	req.Header.Set("Access-Control-Request-Method", "POST")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.Header.Get("Access-Control-Allow-Origin")
}

func TestStartAppliesTheOptions(t *testing.T) {
	for _, cors := range []bool{true, false} {
		srv, err := sandbox.Options{Addr: "127.0.0.1:0", Token: "sandbox-token", CORS: cors}.Start(nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(srv.Close)
		if srv.MerchantToken() != "sandbox-token" {
			t.Errorf("token %q", srv.MerchantToken())
		}
		if got := preflight(t, srv); (got != "") != cors {
			t.Errorf("CORS %v: Access-Control-Allow-Origin %q", cors, got)
		}
	}
}

// TestStartAppliesTheSettleDelay: with --settle-delay 0 a capture settles at
// the next request; with an hour it is still CAPTURING then.
func TestStartAppliesTheSettleDelay(t *testing.T) {
	for _, tc := range []struct {
		delay time.Duration
		want  string
	}{{0, "CAPTURE_DONE"}, {time.Hour, "CAPTURING"}} {
		srv, err := sandbox.Options{Addr: "127.0.0.1:0", SettleDelay: tc.delay}.Start(nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(srv.Close)
		g := &e2etest.Gateway{Srv: srv, Merchant: srv.Client(client.WithBackoff(time.Millisecond, 2*time.Millisecond))}
		_, r := g.AuthorizedCard(t, "settle-"+tc.delay.String(), 1000)
		ctx := context.Background()
		c, err := captures.Create(ctx, g.Merchant, captures.Params{Amount: 1000, PaymentID: r.ResultingPaymentID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := captures.Get(ctx, g.Merchant, c.ID); err != nil { // the next request
			t.Fatal(err)
		}
		if got, err := srv.CaptureStatus(c.ID); err != nil || got != tc.want {
			t.Errorf("--settle-delay %s: capture %s, %v; want %s", tc.delay, got, err, tc.want)
		}
	}
}
