package subscriptions_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/api"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/sessions"
	"github.com/kronor-io/kronor-go/subscriptions"
)

// percentile returns the p-th percentile (0..100) of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p / 100)
	return sorted[i]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// BenchmarkWaitLatency measures the time from the gateway's status change
// (Approve) to Wait returning, one wait at a time, beside a loop that polls
// the same query over HTTP every 500 ms, in the same run. Metrics: p50-ms,
// p99-ms of the watcher; poll-p50-ms, poll-p99-ms of the polling loop;
// p50-ratio = poll p50 / watcher p50.
func BenchmarkWaitLatency(b *testing.B) {
	g := newGateway(b)
	w := watcher(b, g.merchant)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		_, token := g.swish(b)
		ch := waitAsync(context.Background(), w, token)
		eventually(b, 10*time.Second, "the subscription", func() bool { return g.srv.Live().Subscriptions == 1 })
		b.StartTimer()
		start := time.Now()
		if err := g.srv.Approve(token); err != nil {
			b.Fatal(err)
		}
		r := <-ch
		lat = append(lat, time.Since(start))
		b.StopTimer()
		if r.err != nil {
			b.Fatal(r.err)
		}
		eventually(b, 10*time.Second, "the subscription to end", func() bool { return g.srv.Live().Subscriptions == 0 })
		b.StartTimer()
	}
	b.StopTimer()
	poll := pollLatencies(b, g, 100, 500*time.Millisecond)
	slices.Sort(lat)
	p50, p99 := percentile(lat, 50), percentile(lat, 99)
	pp50, pp99 := percentile(poll, 50), percentile(poll, 99)
	b.ReportMetric(ms(p50), "p50-ms")
	b.ReportMetric(ms(p99), "p99-ms")
	b.ReportMetric(ms(pp50), "poll-p50-ms")
	b.ReportMetric(ms(pp99), "poll-p99-ms")
	b.ReportMetric(float64(pp50)/float64(p50), "p50-ratio")
	b.ReportMetric(0, "ns/op") // the per-op time includes setup pauses; the percentiles are the result
	b.Logf("\n%-28s %10s %10s %8s\n%-28s %10.3f %10.3f %8d\n%-28s %10.3f %10.3f %8d\n%-28s %10.0fx",
		"status change -> outcome", "p50 ms", "p99 ms", "samples",
		"subscriptions.Watcher", ms(p50), ms(p99), len(lat),
		"HTTP poll every 500 ms", ms(pp50), ms(pp99), len(poll),
		"poll p50 / watcher p50", float64(pp50)/float64(p50))
}

// pollLatencies runs n loops polling one payment request each every
// interval, their phases spread over the interval, approves all the
// requests at once, and returns how long each loop took to see PAID.
func pollLatencies(b *testing.B, g *gateway, n int, interval time.Duration) []time.Duration {
	b.Helper()
	tokens := make([]uuid.UUID, n)
	for i := range tokens {
		_, tok := g.swish(b)
		tokens[i] = uuid.MustParse(tok)
	}
	var approvedAt atomic.Int64 // UnixNano, set before the first approval
	ready := make(chan struct{}, n)
	out := make(chan time.Duration, n)
	for i, id := range tokens {
		go func() {
			// Spread the phases: loop i starts i*interval/n after the others.
			phase := time.NewTimer(time.Duration(i) * interval / time.Duration(n))
			<-phase.C
			tick := time.NewTicker(interval)
			defer tick.Stop()
			ready <- struct{}{}
			for {
				resp, err := api.PollPaymentRequest(context.Background(), g.merchant, id)
				if err == nil && len(resp.PaymentRequests) == 1 {
					if st := resp.PaymentRequests[0].Status; len(st) > 0 && payments.Status(st[0].Status) == payments.StatusPaid {
						out <- time.Since(time.Unix(0, approvedAt.Load()))
						return
					}
				}
				<-tick.C
			}
		}()
	}
	for range n {
		<-ready
	}
	// Every loop is running; let a whole interval pass so their phases are
	// spread, then approve.
	settle := time.NewTimer(interval)
	<-settle.C
	approvedAt.Store(time.Now().UnixNano())
	for _, id := range tokens {
		if err := g.srv.Approve(id.String()); err != nil {
			b.Fatal(err)
		}
	}
	lat := make([]time.Duration, 0, n)
	for range n {
		lat = append(lat, <-out)
	}
	slices.Sort(lat)
	return lat
}

// BenchmarkTenThousandWaits runs 10,000 concurrent waits on one watcher of
// one merchant token, against a fake gateway in a child process (so the
// heap measured is this process's: the watcher's and the waiting
// goroutines'), then approves them all.
//
// Two gateways: "lean", a minimal gateway serving just the watcher's
// operations, which pushes a change to the subscriptions of that request
// only; and "kronortest", which re-evaluates every live subscription on
// every change (O(subscriptions) per approval: minutes for 10,000), run
// only when SUBSCRIPTIONS_BENCH_KRONORTEST=1.
//
// Metrics: websockets (live at the gateway), heap-B/watch (watcher state,
// hasura subscription entries and the waiting goroutines' heap objects),
// stack-B/wait (the callers' goroutine stacks, one per blocked Wait: not
// the watcher's), gateway-ms (the gateway's own time to apply the 10,000
// approvals and send or queue their pushes), all-returned-ms (from the
// first approval to the last Wait returning), tail-ms (from the gateway's
// last approval to the last Wait returning).
func BenchmarkTenThousandWaits(b *testing.B) {
	const n = 10_000
	b.Run("lean", func(b *testing.B) {
		for range b.N {
			tenThousandWaits(b, "lean", n)
		}
	})
	b.Run("kronortest", func(b *testing.B) {
		if os.Getenv("SUBSCRIPTIONS_BENCH_KRONORTEST") != "1" {
			b.Skip("takes minutes: the fake gateway's work per approval grows with the live subscriptions; set SUBSCRIPTIONS_BENCH_KRONORTEST=1")
		}
		for range b.N {
			tenThousandWaits(b, "kronortest", n)
		}
	})
}

func tenThousandWaits(b *testing.B, kind string, n int) {
	b.StopTimer()
	gw := startRemoteGateway(b, kind)
	defer gw.close()
	tr := &http.Transport{MaxConnsPerHost: 32, MaxIdleConnsPerHost: 32}
	defer tr.CloseIdleConnections()
	merchant, err := client.New(gw.token, client.WithEndpoint(gw.url), client.WithHTTPClient(&http.Client{Transport: tr}))
	if err != nil {
		b.Fatal(err)
	}
	var tokens []string
	if kind == "lean" {
		tokens = gw.create(b, n)
	} else {
		tokens = createRequests(b, merchant, n)
	}

	var before, after runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&before)

	w, err := subscriptions.NewWatcher(merchant)
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failed []error
	returned := make(chan time.Time, n)
	// The waits' first HTTP reads queue on the transport (32 connections).
	for _, tok := range tokens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := w.Wait(context.Background(), tok)
			returned <- time.Now()
			if err != nil || r.Status != payments.StatusPaid {
				mu.Lock()
				failed = append(failed, fmt.Errorf("%s: %s %v", tok, r.Status, err))
				mu.Unlock()
			}
		}()
	}
	// The gateway is another process: poll its live count.
	deadline := time.Now().Add(10 * time.Minute)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		l := gw.live(b)
		if l.Subscriptions == n && w.Stats().Subscriptions == n {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("only %+v live after 10 minutes", l)
		}
		<-tick.C
	}
	live := gw.live(b)
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&after)

	b.StartTimer()
	t0 := time.Now()
	gatewayTime := gw.approve(b, tokens)
	approvedAt := t0.Add(gatewayTime)
	wg.Wait()
	b.StopTimer()
	close(returned)
	var last time.Time
	for t := range returned {
		if t.After(last) {
			last = t
		}
	}
	if len(failed) > 0 {
		b.Fatalf("%d waits failed, first: %v", len(failed), failed[0])
	}
	heap := float64(after.HeapAlloc-before.HeapAlloc) / float64(n)
	stack := float64(after.StackInuse-before.StackInuse) / float64(n)
	b.ReportMetric(float64(live.WebSockets), "websockets")
	b.ReportMetric(heap, "heap-B/watch")
	b.ReportMetric(stack, "stack-B/wait")
	b.ReportMetric(ms(gatewayTime), "gateway-ms")
	b.ReportMetric(ms(last.Sub(t0)), "all-returned-ms")
	b.ReportMetric(ms(last.Sub(approvedAt)), "tail-ms")
	b.Logf("\n%-34s %12s\n%-34s %12d\n%-34s %12d\n%-34s %12.0f\n%-34s %12.0f\n%-34s %12.1f\n%-34s %12.1f\n%-34s %12.1f",
		"10,000 concurrent waits", kind,
		"websockets at the gateway", live.WebSockets,
		"watcher connections made", w.Stats().Connections,
		"heap per watch (B)", heap,
		"caller stack per blocked Wait (B)", stack,
		"gateway applying approvals (ms)", ms(gatewayTime),
		"first approval -> all returned (ms)", ms(last.Sub(t0)),
		"last approval -> all returned (ms)", ms(last.Sub(approvedAt)))
}

// createRequests starts n Swish payment requests, 100 per session, with 8
// workers.
func createRequests(b *testing.B, merchant *client.Client, n int) []string {
	b.Helper()
	const perSession = 100
	tokens := make([]string, n)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	jobs := make(chan int)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for first := range jobs {
				ref := fmt.Sprintf("bench-%d-%d", time.Now().UnixNano(), first)
				s, err := sessions.Create(context.Background(), merchant, sessions.Params{
					Amount: 10000, Currency: sessions.CurrencySEK, MerchantReference: ref,
					Message: "Benchmark", ExpiresAt: time.Now().Add(time.Hour),
				})
				if err != nil {
					errs <- err
					return
				}
				sc := s.Client(merchant)
				for i := first; i < min(first+perSession, n); i++ {
					p, err := payments.Swish(context.Background(), sc, payments.SwishParams{
						Redirect: payments.Redirect{ReturnURL: fmt.Sprintf("%s?attempt=%d", returnURL, i)},
					})
					if err != nil {
						errs <- err
						return
					}
					tokens[i] = p.WaitToken
				}
			}
		}()
	}
	for first := 0; first < n; first += perSession {
		select {
		case jobs <- first:
		case err := <-errs:
			b.Fatal(err)
		}
	}
	close(jobs)
	wg.Wait()
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
	return tokens
}
