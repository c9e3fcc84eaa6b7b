package subscriptions_test

import (
	"context"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/internal/benchmarks"
	"github.com/kronor-io/kronor-go/kronortest"
)

// The measurements live in internal/benchmarks, shared with the performance
// report (go run ./cmd/kronor-bench), so both measure the same way.

// BenchmarkWaitLatency measures the time from the fake's status change to
// Wait returning (p50, p99), beside a loop polling over HTTP every 500 ms in
// the same run. Goals: p50 ≤ 1 ms, p99 ≤ 5 ms.
func BenchmarkWaitLatency(b *testing.B) {
	g := benchmarks.NewLocalGateway()
	defer g.Close()
	merchant, tr, err := benchmarks.NewMerchant(g, 32)
	if err != nil {
		b.Fatal(err)
	}
	defer tr.CloseIdleConnections()
	ctx := context.Background()
	n := max(b.N, 50)
	watch, err := benchmarks.WatchLatency(ctx, g, merchant, n)
	if err != nil {
		b.Fatal(err)
	}
	poll, err := benchmarks.PollLatency(ctx, g, merchant, min(n, 20), 500*time.Millisecond)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(ms(watch.P50), "p50-ms")
	b.ReportMetric(ms(watch.P99), "p99-ms")
	b.ReportMetric(ms(poll.P50), "poll-p50-ms")
	b.ReportMetric(float64(poll.P50)/float64(watch.P50), "poll/watch-p50")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkTenThousandWaits runs 10,000 concurrent waits on one watcher against
// a fake gateway in a child process (so the heap measured is the watcher's):
// connections used, heap per watch, and the time from approving all to all
// returning beside the fake's own time applying the approvals and pushing
// them. Goals: 1 connection, ≤ 8 KB per watch, all returned within 1.15 ×
// the fake's time.
func BenchmarkTenThousandWaits(b *testing.B) {
	g, err := benchmarks.StartSelfGateway("-test.run=^$")
	if err != nil {
		b.Fatal(err)
	}
	defer g.Close()
	merchant, tr, err := benchmarks.NewMerchant(g, 32)
	if err != nil {
		b.Fatal(err)
	}
	defer tr.CloseIdleConnections()
	res, err := benchmarks.ConcurrentWaits(context.Background(), g, merchant, 10_000)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(res.Connections), "connections")
	b.ReportMetric(res.PerWatch.Heap, "heap-B/watch")
	b.ReportMetric(ms(res.Resolve), "resolve-ms")
	b.ReportMetric(ms(res.AfterApprovals), "after-approvals-ms")
	b.ReportMetric(ms(res.AfterPushes), "after-pushes-ms")
	b.ReportMetric(float64(res.Resolve)/float64(res.Delivered), "resolve/delivered")
	b.ReportMetric(float64(res.Resolve)/float64(res.Gateway), "resolve/approval-loop")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkCaptureRefundLatency measures the time from the fake settling a
// capture (a refund) to WaitCapture (WaitRefund) returning, beside the
// payment wait's latency in the same run. Goal: p50 within 2× of the
// payment wait's.
func BenchmarkCaptureRefundLatency(b *testing.B) {
	g := benchmarks.NewLocalGateway(kronortest.WithManualSettlement())
	defer g.Close()
	merchant, tr, err := benchmarks.NewMerchant(g, 32)
	if err != nil {
		b.Fatal(err)
	}
	defer tr.CloseIdleConnections()
	ctx := context.Background()
	n := max(b.N, 50)
	pay, err := benchmarks.WatchLatency(ctx, g, merchant, n)
	if err != nil {
		b.Fatal(err)
	}
	capture, err := benchmarks.ObjectWatchLatency(ctx, g, merchant, benchmarks.ObjectCapture, n)
	if err != nil {
		b.Fatal(err)
	}
	refund, err := benchmarks.ObjectWatchLatency(ctx, g, merchant, benchmarks.ObjectRefund, n)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(ms(pay.P50), "payment-p50-ms")
	b.ReportMetric(ms(capture.P50), "capture-p50-ms")
	b.ReportMetric(ms(refund.P50), "refund-p50-ms")
	b.ReportMetric(float64(capture.P50)/float64(pay.P50), "capture/payment-p50")
	b.ReportMetric(float64(refund.P50)/float64(pay.P50), "refund/payment-p50")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkTenThousandMixedWaits runs 10,000 concurrent waits of every kind
// (payment requests, captures, releases, refunds) on one merchant watcher,
// beside 10,000 payment waits in the same run. Goals: one websocket, heap
// per wait within 1.5× of a payment wait's.
func BenchmarkTenThousandMixedWaits(b *testing.B) {
	g, err := benchmarks.StartSelfGateway("-test.run=^$")
	if err != nil {
		b.Fatal(err)
	}
	defer g.Close()
	merchant, tr, err := benchmarks.NewMerchant(g, 32)
	if err != nil {
		b.Fatal(err)
	}
	defer tr.CloseIdleConnections()
	benchmarks.IdleGoroutines(12_000) // see cmd/kronor-bench
	mixed, err := benchmarks.MixedWaits(context.Background(), g, merchant, 10_000)
	if err != nil {
		b.Fatal(err)
	}
	pay, err := benchmarks.ConcurrentWaits(context.Background(), g, merchant, 10_000)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(mixed.Connections), "connections")
	b.ReportMetric(mixed.PerWatch.Heap, "heap-B/wait")
	b.ReportMetric(mixed.PerWatch.Heap/pay.PerWatch.Heap, "heap/payment-heap")
	b.ReportMetric(0, "ns/op")
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
