package client_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/api"
	"github.com/kronor-io/kronor-go/internal/benchmarks"
)

// The benchmark sends one small query, CaptureByID, through the client (the
// generated function included) and, in the same run, through a hand-written
// net/http + encoding/json baseline doing the same request: same body, same
// headers that matter, same decoding target, same transport. The
// measurement lives in internal/benchmarks, shared with cmd/kronor-bench.

// BenchmarkOverhead compares the client (default options: per-attempt
// timeout, size cap, retries armed, logging off) with the hand-written
// baseline, against a canned-response httptest server. The "ratio"
// sub-benchmark runs both alternately, in chunks, in the same loop, and
// reports time-ratio and allocs-ratio (client / baseline; goal: <= 1.05 and
// <= 1.5; allocations include the in-process server's, as they would in
// any httptest comparison). "inmemory-ratio" does the same with an
// in-memory transport instead of the server, so the ratios reflect the
// client's own work alone.
func BenchmarkOverhead(b *testing.B) {
	srv := benchmarks.NewCannedServer()
	b.Cleanup(srv.Close)
	p := newBenchPair(b, srv.Client(), srv.URL+"/v1/graphql")
	b.Run("client", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if err := p.Client(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("baseline", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if err := p.Baseline(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ratio", func(b *testing.B) { reportRatio(b, p) })
	mem := newBenchPair(b, &http.Client{Transport: benchmarks.MemTransport{}}, "https://kronor.io/v1/graphql")
	b.Run("inmemory-ratio", func(b *testing.B) { reportRatio(b, mem) })
}

func newBenchPair(b *testing.B, hc *http.Client, endpoint string) benchmarks.OverheadPair {
	p, err := benchmarks.NewOverheadPair(hc, endpoint, testToken)
	if err != nil {
		b.Fatal(err)
	}
	return p
}

func reportRatio(b *testing.B, p benchmarks.OverheadPair) {
	r, err := benchmarks.MeasureOverhead(p, b.N)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(r.TimeRatio, "time-ratio")
	b.ReportMetric(r.AllocsRatio, "allocs-ratio")
	b.ReportMetric(r.ClientAllocs, "client-allocs/op")
	b.ReportMetric(r.BaselineAllocs, "baseline-allocs/op")
}

// TestBenchmarkPathsAgree checks the benchmark compares like with like: both
// paths send the same body and decode the same result.
func TestBenchmarkPathsAgree(t *testing.T) {
	var bodies [2]string
	i := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies[i] = strings.TrimSpace(string(b))
		i++
		io.WriteString(w, benchmarks.CannedResponse)
	}))
	defer srv.Close()
	c, err := client.New(testToken, client.WithEndpoint(srv.URL), client.WithHTTPClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	r1, err := api.CaptureByID(context.Background(), c, 7)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := benchmarks.Baseline(context.Background(), srv.Client(), srv.URL, testToken, 7)
	if err != nil {
		t.Fatal(err)
	}
	if bodies[0] != bodies[1] {
		t.Errorf("bodies differ:\nclient   %s\nbaseline %s", bodies[0], bodies[1])
	}
	if mustJSON(t, r1) != mustJSON(t, r2) {
		t.Errorf("results differ:\n%s\n%s", mustJSON(t, r1), mustJSON(t, r2))
	}
}
