package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/api"
	"github.com/kronor-io/kronor-go/internal/scalars"
)

// The benchmark sends one small query, CaptureByID, through the client (the
// generated function included) and, in the same run, through a hand-written
// net/http + encoding/json baseline doing the same request: same body, same
// headers that matter, same decoding target, same transport.

const benchResponse = `{"data":{"paymentCaptures":[{"id":7,"transactionId":"cap-7","paymentId":42,"amount":1500,` +
	`"message":"Order 42","createdAt":"2024-05-01T10:00:00Z","errorMessage":null,` +
	`"status":[{"status":"CAPTURE_DONE","enteredAt":"2024-05-01T10:00:02Z"}]}]}}`

func benchServer(tb testing.TB) *httptest.Server {
	body := []byte(benchResponse)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		h := w.Header()
		h["Content-Type"] = []string{"application/json"}
		w.Write(body)
	}))
	tb.Cleanup(srv.Close)
	return srv
}

type baselineRequest struct {
	Query         string         `json:"query"`
	Variables     map[string]any `json:"variables"`
	OperationName string         `json:"operationName"`
}

type baselineResponse struct {
	Data   api.CaptureByIDResponse `json:"data"`
	Errors []struct {
		Message string `json:"message"`
	} `json:"errors"`
}

// baseline is what a careful hand-written caller does.
func baseline(ctx context.Context, hc *http.Client, endpoint, token string, id scalars.BigInt) (*api.CaptureByIDResponse, error) {
	body, err := json.Marshal(baselineRequest{
		Query:         api.CaptureByID_Operation,
		Variables:     map[string]any{"id": id},
		OperationName: "CaptureByID",
	})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	var out baselineResponse
	err = json.NewDecoder(resp.Body).Decode(&out)
	io.Copy(io.Discard, resp.Body) // let the connection be reused
	if err != nil {
		return nil, err
	}
	if len(out.Errors) > 0 {
		return nil, fmt.Errorf("graphql: %s", out.Errors[0].Message)
	}
	return &out.Data, nil
}

type benchPair struct {
	viaClient   func() error
	viaBaseline func() error
}

// newBenchPair returns the two paths to endpoint through hc.
func newBenchPair(tb testing.TB, hc *http.Client, endpoint string) benchPair {
	c, err := client.New(testToken, client.WithEndpoint(endpoint), client.WithHTTPClient(hc))
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	check := func(r *api.CaptureByIDResponse, err error) error {
		if err != nil {
			return err
		}
		if len(r.PaymentCaptures) != 1 || r.PaymentCaptures[0].Amount != 1500 {
			return fmt.Errorf("unexpected response %+v", r)
		}
		return nil
	}
	p := benchPair{
		viaClient:   func() error { return check(api.CaptureByID(ctx, c, 7)) },
		viaBaseline: func() error { return check(baseline(ctx, hc, endpoint, testToken, 7)) },
	}
	for _, f := range []func() error{p.viaClient, p.viaBaseline} {
		if err := f(); err != nil {
			tb.Fatal(err)
		}
	}
	return p
}

// memTransport answers every request in memory with benchResponse, to
// measure the client's own overhead without the network.
type memTransport struct{}

func (memTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	io.Copy(io.Discard, r.Body)
	r.Body.Close()
	return &http.Response{
		StatusCode: 200, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(strings.NewReader(benchResponse)),
		ContentLength: int64(len(benchResponse)),
		Request:       r,
	}, nil
}

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
	srv := benchServer(b)
	p := newBenchPair(b, srv.Client(), srv.URL+"/v1/graphql")
	b.Run("client", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if err := p.viaClient(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("baseline", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if err := p.viaBaseline(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ratio", func(b *testing.B) { reportRatio(b, p) })
	mem := newBenchPair(b, &http.Client{Transport: memTransport{}}, "https://kronor.io/v1/graphql")
	b.Run("inmemory-ratio", func(b *testing.B) { reportRatio(b, mem) })
}

func reportRatio(b *testing.B, p benchPair) {
	r := measureRatio(b, p, b.N)
	b.ReportMetric(r.time, "time-ratio")
	b.ReportMetric(r.allocs, "allocs-ratio")
	b.ReportMetric(r.clientAllocs, "client-allocs/op")
	b.ReportMetric(r.baselineAllocs, "baseline-allocs/op")
}

type ratio struct {
	time, allocs                 float64
	clientAllocs, baselineAllocs float64
}

// measureRatio runs n calls of each path, alternating chunks so that drift
// (GC, CPU frequency, the other process) affects both alike.
func measureRatio(tb testing.TB, p benchPair, n int) ratio {
	const chunk = 50
	var ms runtime.MemStats
	var tClient, tBase time.Duration
	var aClient, aBase uint64
	run := func(f func() error, k int, dt *time.Duration, da *uint64) {
		runtime.ReadMemStats(&ms)
		m0 := ms.Mallocs
		t0 := time.Now()
		for i := 0; i < k; i++ {
			if err := f(); err != nil {
				tb.Fatal(err)
			}
		}
		*dt += time.Since(t0)
		runtime.ReadMemStats(&ms)
		*da += ms.Mallocs - m0
	}
	if n < chunk {
		n = chunk
	}
	done := 0
	for done < n {
		k := min(chunk, n-done)
		if (done/chunk)%2 == 0 {
			run(p.viaClient, k, &tClient, &aClient)
			run(p.viaBaseline, k, &tBase, &aBase)
		} else {
			run(p.viaBaseline, k, &tBase, &aBase)
			run(p.viaClient, k, &tClient, &aClient)
		}
		done += k
	}
	return ratio{
		time:           float64(tClient) / float64(tBase),
		allocs:         float64(aClient) / float64(aBase),
		clientAllocs:   float64(aClient) / float64(n),
		baselineAllocs: float64(aBase) / float64(n),
	}
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
		io.WriteString(w, benchResponse)
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
	r2, err := baseline(context.Background(), srv.Client(), srv.URL, testToken, 7)
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
