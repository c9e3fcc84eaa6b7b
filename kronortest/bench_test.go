package kronortest_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/internal/benchmarks"
	"github.com/kronor-io/kronor-go/kronortest"
)

// The measurements live in internal/benchmarks, shared with
// cmd/kronor-bench.

// BenchmarkCheckoutFlow measures whole checkout flows per second in-process
// over loopback HTTP (session, Swish payment, approval, query until PAID).
// As a baseline from the same run it also measures bare loopback HTTP round
// trips per second against a trivial handler, and reports the share of that
// physical limit the flows use: flows/s × round trips per flow ÷ bare round
// trips/s (goal: at least 0.5; cmd/kronor-bench measures it in rounds).
func BenchmarkCheckoutFlow(b *testing.B) {
	srv := kronortest.NewServer()
	defer srv.Close()
	hc := benchmarks.NewHTTPClient()
	defer hc.CloseIdleConnections()

	baseline, err := benchmarks.BareRoundTrips(hc, 4000, runtime.GOMAXPROCS(0))
	if err != nil {
		b.Fatal(err)
	}
	c := benchmarks.NewCheckout(srv, hc)

	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := c.Flow(); err != nil {
				b.Error(err)
				return
			}
		}
	})
	el := time.Since(start)
	b.StopTimer()
	flows := float64(b.N) / el.Seconds()
	perFlow := float64(c.Requests()) / float64(b.N)
	b.ReportMetric(flows, "flows/s")
	b.ReportMetric(perFlow, "roundtrips/flow")
	b.ReportMetric(flows*perFlow/baseline, "share-of-limit")
}

// BenchmarkStoredPaymentMemory reports the heap kept per stored payment: a
// whole checkout (session, payment request, payment, and their remembered
// idempotency keys), measured with runtime.ReadMemStats around storing them.
func BenchmarkStoredPaymentMemory(b *testing.B) {
	const perRun = 2000
	hc := benchmarks.NewHTTPClient()
	defer hc.CloseIdleConnections()
	var total float64
	for range b.N {
		perPayment, err := benchmarks.StoredPaymentHeap(hc, perRun)
		if err != nil {
			b.Fatal(err)
		}
		total += perPayment
	}
	b.ReportMetric(total/float64(b.N), "heap-bytes/payment")
}
