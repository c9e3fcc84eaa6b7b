package benchmarks_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/benchmarks"
	"github.com/kronor-io/kronor-go/internal/testsupport"
	"github.com/kronor-io/kronor-go/kronortest"
)

// The tests run every measurement at a small size and check what it
// returns is whole and consistent; they assert nothing about speed.

func TestMain(m *testing.M) {
	benchmarks.ServeGatewayIfAsked() // the child process of StartSelfGateway
	testsupport.VerifyNoLeaks(m)
}

// newMerchant returns the merchant client of g, its idle connections closed
// at the end of the test.
func newMerchant(t *testing.T, g benchmarks.Gateway) *client.Client {
	t.Helper()
	merchant, tr, err := benchmarks.NewMerchant(g, 8)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tr.CloseIdleConnections)
	return merchant
}

// noSubscriptionsLeft fails t unless the fake in g drops every
// subscription soon: a watcher's Close returns before the fake has handled
// the websocket's end.
func noSubscriptionsLeft(t *testing.T, g *benchmarks.LocalGateway) {
	t.Helper()
	if !testsupport.Eventually(10*time.Second, func() bool { return g.Server.Live().Subscriptions == 0 }) {
		t.Errorf("%d subscriptions left at the fake", g.Server.Live().Subscriptions)
	}
}

// childGateway starts the fake gateway in a child process of this test
// binary, closed at the end of the test.
func childGateway(t *testing.T) *benchmarks.RemoteGateway {
	t.Helper()
	g, err := benchmarks.StartSelfGateway("-test.run=^$")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	return g
}

func TestOverhead(t *testing.T) {
	for name, f := range map[string]func(int) (benchmarks.OverheadResult, error){
		"loopback": benchmarks.OverheadLoopback,
		"inmemory": benchmarks.OverheadInMemory,
	} {
		t.Run(name, func(t *testing.T) {
			r, err := f(120)
			if err != nil {
				t.Fatal(err)
			}
			if r.Calls != 120 || r.Rounds != 3 || r.ClientTime <= 0 || r.BaselineTime <= 0 || r.ClientAllocs <= 0 || r.BaselineAllocs <= 0 {
				t.Fatalf("incomplete result %+v", r)
			}
			if want := float64(r.ClientAllocs) / float64(r.BaselineAllocs); !near(r.AllocsRatio, want) {
				t.Errorf("AllocsRatio = %v, want %v", r.AllocsRatio, want)
			}
		})
	}
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

// TestOverheadMinimumChunk: fewer calls than a chunk still measure one.
func TestOverheadMinimumChunk(t *testing.T) {
	r, err := benchmarks.OverheadInMemory(1)
	if err != nil {
		t.Fatal(err)
	}
	if r.Calls != 50 {
		t.Errorf("Calls = %d, want 50", r.Calls)
	}
}

// TestOverheadReportsErrors: a failing path ends the measurement with its
// error.
func TestOverheadReportsErrors(t *testing.T) {
	boom := errors.New("boom")
	_, err := benchmarks.MeasureOverhead(benchmarks.OverheadPair{
		Client:   func() error { return nil },
		Baseline: func() error { return boom },
	}, 100)
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
}

func TestNewOverheadPairChecksTheResponse(t *testing.T) {
	srv := kronortest.NewServer() // answers CaptureByID with no capture
	defer srv.Close()
	hc := benchmarks.NewHTTPClient()
	defer hc.CloseIdleConnections()
	if _, err := benchmarks.NewOverheadPair(hc, srv.URL(), srv.MerchantToken()); err == nil {
		t.Fatal("NewOverheadPair accepted a response without the canned capture")
	}
}

func TestCheckout(t *testing.T) {
	r, err := benchmarks.MeasureCheckout(40, 2)
	if err != nil {
		t.Fatal(err)
	}
	if r.Flows != 40 || r.Workers != 2 || r.Rounds != 8 || r.FlowsPerSecond <= 0 || r.FlowRoundTripsPerSecond <= 0 || r.BareRoundTripsPerSecond <= 0 || r.ShareOfLimit <= 0 {
		t.Fatalf("incomplete result %+v", r)
	}
	// A flow makes a session, a payment and at least one query.
	if r.RoundTripsPerFlow < 3 {
		t.Errorf("RoundTripsPerFlow = %v, want at least 3", r.RoundTripsPerFlow)
	}
	if want := float64(r.Flows) / r.Elapsed.Seconds(); !near(r.FlowsPerSecond, want) {
		t.Errorf("FlowsPerSecond = %v, want Flows / Elapsed = %v", r.FlowsPerSecond, want)
	}
	heap, err := benchmarks.StoredPaymentHeap(nil, 200)
	if err != nil {
		t.Fatal(err)
	}
	if heap <= 0 {
		t.Errorf("heap per stored payment = %v", heap)
	}
}

// TestSaturatingWorkers: the sweep picks one of its candidates, and refuses
// to pick from none.
func TestSaturatingWorkers(t *testing.T) {
	hc := benchmarks.NewHTTPClient()
	defer hc.CloseIdleConnections()
	candidates := []int{1, 2, 4}
	w, err := benchmarks.SaturatingWorkers(hc, candidates, 50, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(candidates, w) {
		t.Errorf("SaturatingWorkers = %d, not one of %v", w, candidates)
	}
	if w, err := benchmarks.SaturatingWorkers(hc, []int{3}, 10, 1); err != nil || w != 3 {
		t.Errorf("SaturatingWorkers of one candidate = %d, %v; want 3", w, err)
	}
	if _, err := benchmarks.SaturatingWorkers(hc, nil, 10, 1); err == nil {
		t.Error("SaturatingWorkers picked from no candidates")
	}
}

// TestCheckoutFlowCountsRequests: Checkout.Requests counts every request a
// flow makes, as the fake's request log does.
func TestCheckoutFlowCountsRequests(t *testing.T) {
	srv := kronortest.NewServer()
	defer srv.Close()
	hc := benchmarks.NewHTTPClient()
	defer hc.CloseIdleConnections()
	c := benchmarks.NewCheckout(srv, hc)
	for range 3 {
		if err := c.Flow(); err != nil {
			t.Fatal(err)
		}
	}
	if got := c.Requests(); got < 9 || got != int64(srv.Requests()) {
		t.Errorf("Requests() = %d after 3 flows; the fake received %d requests (want at least 9)", got, srv.Requests())
	}
}

// TestCheckoutFlowStoresOnePayment: a flow leaves one session's payment,
// PAID, in the fake.
func TestCheckoutFlowStoresOnePayment(t *testing.T) {
	srv := kronortest.NewServer()
	defer srv.Close()
	hc := benchmarks.NewHTTPClient()
	defer hc.CloseIdleConnections()
	c := benchmarks.NewCheckout(srv, hc)
	for range 3 {
		if err := c.Flow(); err != nil {
			t.Fatal(err)
		}
	}
	if got := srv.Totals(); got.Sessions != 3 || got.Payments != 3 {
		t.Errorf("Totals = %+v, want 3 sessions and 3 payments", got)
	}
}

func TestLatencies(t *testing.T) {
	g := benchmarks.NewLocalGateway()
	t.Cleanup(func() { g.Close() }) // after the merchant's connections
	merchant := newMerchant(t, g)
	ctx := context.Background()

	w, err := benchmarks.WatchLatency(ctx, g, merchant, 7)
	if err != nil {
		t.Fatal(err)
	}
	if w.Samples != 7 || w.P50 <= 0 || w.P50 > w.P99 || w.P99 > w.Max {
		t.Errorf("watch latencies %+v", w)
	}
	p, err := benchmarks.PollLatency(ctx, g, merchant, 5, 40*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if p.Samples != 5 || p.P50 <= 0 || p.P50 > p.P99 || p.P99 > p.Max {
		t.Errorf("poll latencies %+v", p)
	}
	noSubscriptionsLeft(t, g)
}

func TestObjectLatencies(t *testing.T) {
	g := benchmarks.NewLocalGateway(kronortest.WithManualSettlement())
	t.Cleanup(func() { g.Close() }) // after the merchant's connections
	merchant := newMerchant(t, g)
	for _, kind := range []benchmarks.Object{benchmarks.ObjectPayment, benchmarks.ObjectCapture, benchmarks.ObjectRefund} {
		l, err := benchmarks.ObjectWatchLatency(context.Background(), g, merchant, kind, 5)
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if l.Samples != 5 || l.P50 <= 0 || l.P50 > l.P99 || l.P99 > l.Max {
			t.Errorf("%s latencies %+v", kind, l)
		}
	}
	noSubscriptionsLeft(t, g)
}

func TestMixedWaitsAgainstAChildProcess(t *testing.T) {
	g := childGateway(t)
	merchant := newMerchant(t, g)
	r, err := benchmarks.MixedWaits(context.Background(), g, merchant, 40)
	if err != nil {
		t.Fatal(err)
	}
	if r.Waits != 40 || r.WebSockets != 1 || r.Connections != 1 || r.Resolve <= 0 || r.PerWatch.Goroutines < 1 {
		t.Errorf("result %+v, want 40 waits on 1 websocket", r)
	}
}

func TestConcurrentWaitsAgainstAChildProcess(t *testing.T) {
	g := childGateway(t)
	merchant := newMerchant(t, g)
	r, err := benchmarks.ConcurrentWaits(context.Background(), g, merchant, 60)
	if err != nil {
		t.Fatal(err)
	}
	if r.Waits != 60 || r.WebSockets != 1 || r.Connections != 1 {
		t.Errorf("result %+v, want 60 waits on 1 websocket", r)
	}
	if r.PerWatch.Stack <= 0 || r.PerWatch.Goroutines < 1 || r.Resolve <= 0 || r.Gateway <= 0 {
		t.Errorf("incomplete result %+v", r)
	}
	// The gateway's last push comes after its first approval and before
	// the last wait returned, and each wait ended on its push.
	if r.Pushes != 60 || r.Delivered <= 0 || r.Delivered > r.Resolve || r.AfterPushes != r.Resolve-r.Delivered {
		t.Errorf("pushes %d, delivered in %v, all returned in %v (after the pushes %v); want 60 pushes, delivered within the time to return",
			r.Pushes, r.Delivered, r.Resolve, r.AfterPushes)
	}
	if n, since, err := g.Pushes(); err != nil || n < 60 || since != r.Delivered {
		t.Errorf("Pushes() = %d, %v, %v", n, since, err)
	}
	if _, err := g.Approve("00000000-0000-0000-0000-000000000000"); err == nil {
		t.Error("the child approved an unknown wait token")
	}
	if err := g.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := g.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := g.Live(); err == nil {
		t.Error("Live after Close did not fail")
	}
}

// TestConcurrentWaitsInProcess: the gateway in this process times its
// pushes from the start of the approvals as the child process does.
func TestConcurrentWaitsInProcess(t *testing.T) {
	g := benchmarks.NewLocalGateway()
	t.Cleanup(func() { g.Close() }) // after the merchant's connections
	merchant := newMerchant(t, g)
	r, err := benchmarks.ConcurrentWaits(context.Background(), g, merchant, 20)
	if err != nil {
		t.Fatal(err)
	}
	if r.Pushes != 20 || r.Delivered <= 0 || r.Delivered > r.Resolve {
		t.Errorf("pushes %d, delivered in %v, all returned in %v; want 20 pushes, delivered within the time to return", r.Pushes, r.Delivered, r.Resolve)
	}
}

func TestIdleGoroutines(t *testing.T) {
	m := benchmarks.IdleGoroutines(500)
	if m.Stack <= 0 || m.Goroutines < 1 {
		t.Errorf("IdleGoroutines = %+v", m)
	}
}

// TestBinaryPrograms: the two programs of the binary-size figure build, and
// each walks the same checkout to PAID against the fake gateway, so the
// baseline does what the SDK program does.
func TestBinaryPrograms(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs two programs")
	}
	sdk, nethttp, err := benchmarks.BinaryPrograms()
	if err != nil {
		t.Fatal(err)
	}
	srv := kronortest.NewServer(kronortest.WithAutoApprove(10 * time.Millisecond))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, dir := range []string{sdk, nethttp} {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			bin := filepath.Join(t.TempDir(), "prog")
			if err := benchmarks.BuildProgram(ctx, dir, bin); err != nil {
				t.Fatal(err)
			}
			cmd := exec.CommandContext(ctx, bin)
			cmd.Env = append(os.Environ(), "KRONOR_URL="+srv.URL(), "KRONOR_TOKEN="+srv.MerchantToken())
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.HasPrefix(string(out), "paid, payment id ") {
				t.Fatalf("%s: %v\n%s", filepath.Base(dir), err, out)
			}
		})
	}
	if got := srv.Totals(); got.Sessions != 2 || got.Payments != 2 {
		t.Errorf("Totals = %+v, want a session and a payment from each program", got)
	}
	r, err := benchmarks.BinarySizes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.SDK <= 0 || r.NetHTTP <= 0 || !near(r.Ratio, float64(r.SDK)/float64(r.NetHTTP)) {
		t.Errorf("incomplete result %+v", r)
	}
}

// BenchmarkCheckoutFlow runs whole checkout flows (Checkout.Flow) on the
// fake gateway on GOMAXPROCS goroutines, without the bare baseline: the
// benchmark to profile the fake with (-cpuprofile, -memprofile).
func BenchmarkCheckoutFlow(b *testing.B) {
	srv := kronortest.NewServer()
	defer srv.Close()
	hc := benchmarks.NewHTTPClient()
	defer hc.CloseIdleConnections()
	c := benchmarks.NewCheckout(srv, hc)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := c.Flow(); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(c.Requests())/float64(b.N), "roundtrips/flow")
}

// BenchmarkMeasureCheckout runs cmd/kronor-bench's checkout measurement
// (MeasureCheckout: 4,000 flows, in rounds beside bare loopback round trips,
// on the workers SaturatingWorkers picks among 1, 2, 4 and 8 times
// GOMAXPROCS) once per iteration and reports the mean of its figures;
// -count gives their spread.
func BenchmarkMeasureCheckout(b *testing.B) {
	procs := runtime.GOMAXPROCS(0)
	hc := benchmarks.NewHTTPClient()
	workers, err := benchmarks.SaturatingWorkers(hc, []int{procs, 2 * procs, 4 * procs, 8 * procs}, 2000, 3)
	hc.CloseIdleConnections()
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var share, flowRate, bareRate float64
	for range b.N {
		r, err := benchmarks.MeasureCheckout(4000, workers)
		if err != nil {
			b.Fatal(err)
		}
		share += r.ShareOfLimit
		flowRate += r.FlowRoundTripsPerSecond
		bareRate += r.BareRoundTripsPerSecond
	}
	n := float64(b.N)
	b.ReportMetric(share/n, "share-of-limit")
	b.ReportMetric(flowRate/n, "flow-roundtrips/s")
	b.ReportMetric(bareRate/n, "bare-roundtrips/s")
	b.ReportMetric(float64(workers), "workers")
}
