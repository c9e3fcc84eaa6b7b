package benchmarks

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/api"
	"github.com/kronor-io/kronor-go/internal/scalars"
)

// The overhead measurement sends one small query, CaptureByID, through the
// client (the generated function included) and, in the same run, through a
// hand-written net/http + encoding/json baseline doing the same request:
// same body, same headers that matter, same decoding target, same transport.

// CannedResponse is the body the canned server and MemTransport answer:
// one capture, as the gateway would send it.
const CannedResponse = `{"data":{"paymentCaptures":[{"id":7,"transactionId":"cap-7","paymentId":42,"amount":1500,` +
	`"message":"Order 42","createdAt":"2024-05-01T10:00:00Z","errorMessage":null,` +
	`"status":[{"status":"CAPTURE_DONE","enteredAt":"2024-05-01T10:00:02Z"}]}]}}`

// NewCannedServer starts a loopback server that answers every request with
// CannedResponse. Close it when done.
func NewCannedServer() *httptest.Server {
	body := []byte(CannedResponse)
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header()["Content-Type"] = []string{"application/json"}
		_, _ = w.Write(body)
	}))
}

// MemTransport answers every request in memory with CannedResponse, to
// measure the client's own work without a network or a server.
type MemTransport struct{}

// RoundTrip reads and closes the request body and answers CannedResponse.
func (MemTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	_, _ = io.Copy(io.Discard, r.Body)
	_ = r.Body.Close()
	return &http.Response{
		StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(strings.NewReader(CannedResponse)),
		ContentLength: int64(len(CannedResponse)),
		Request:       r,
	}, nil
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

// Baseline is what a careful hand-written caller does for CaptureByID:
// encode the request with encoding/json, POST it with net/http, check the
// status, decode the response and its errors.
func Baseline(ctx context.Context, hc *http.Client, endpoint, token string, id scalars.BigInt) (*api.CaptureByIDResponse, error) {
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
	_, _ = io.Copy(io.Discard, resp.Body) // let the connection be reused
	if err != nil {
		return nil, err
	}
	if len(out.Errors) > 0 {
		return nil, fmt.Errorf("graphql: %s", out.Errors[0].Message)
	}
	return &out.Data, nil
}

// OverheadPair is the two ways of making the same CaptureByID call.
type OverheadPair struct {
	// Client calls through client.Client with its default options
	// (per-attempt timeout, size cap, retries armed, logging off).
	Client func() error
	// Baseline calls through Baseline.
	Baseline func() error
}

// NewOverheadPair returns the two paths to endpoint through hc, each checked
// once against CannedResponse.
func NewOverheadPair(hc *http.Client, endpoint, token string) (OverheadPair, error) {
	c, err := client.New(token, client.WithEndpoint(endpoint), client.WithHTTPClient(hc))
	if err != nil {
		return OverheadPair{}, err
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
	p := OverheadPair{
		Client:   func() error { return check(api.CaptureByID(ctx, c, 7)) },
		Baseline: func() error { return check(Baseline(ctx, hc, endpoint, token, 7)) },
	}
	for _, f := range []func() error{p.Client, p.Baseline} {
		if err := f(); err != nil {
			return OverheadPair{}, err
		}
	}
	return p, nil
}

// OverheadResult compares the client with the hand-written baseline.
type OverheadResult struct {
	// Calls is the number of calls made by each path.
	Calls int
	// Rounds is the number of rounds: in each, both paths make a chunk of
	// calls, one after the other.
	Rounds int
	// ClientTime and BaselineTime are the median over the rounds of the
	// mean time per call in the round.
	ClientTime, BaselineTime time.Duration
	// TimeRatio is the median over the rounds of client / baseline time:
	// a burst of load from elsewhere on the machine during a few chunks
	// moves it little, where it would move a ratio of totals.
	TimeRatio float64
	// ClientAllocs and BaselineAllocs are the mean allocations per call,
	// counted process-wide (so an in-process server's are included, alike
	// for both paths).
	ClientAllocs, BaselineAllocs float64
	// AllocsRatio is client / baseline allocations.
	AllocsRatio float64
}

// overheadChunk is how many calls one path makes before the other takes
// its turn.
const overheadChunk = 50

// MeasureOverhead runs n calls of each path of p (at least one chunk of 50)
// in rounds: in each, a chunk of calls of one path then of the other,
// alternating which goes first, so that drift (GC, CPU frequency, other
// processes) affects both alike.
func MeasureOverhead(p OverheadPair, n int) (OverheadResult, error) {
	var ms runtime.MemStats
	var aClient, aBase uint64
	run := func(f func() error, k int, da *uint64) (time.Duration, error) {
		runtime.ReadMemStats(&ms)
		m0 := ms.Mallocs
		t0 := time.Now()
		for range k {
			if err := f(); err != nil {
				return 0, err
			}
		}
		dt := time.Since(t0)
		runtime.ReadMemStats(&ms)
		*da += ms.Mallocs - m0
		return dt / time.Duration(k), nil
	}
	n = max(n, overheadChunk)
	var tClient, tBase []time.Duration
	var ratios []float64
	for done := 0; done < n; {
		k := min(overheadChunk, n-done)
		var dc, db time.Duration
		var err error
		if len(ratios)%2 == 0 {
			if dc, err = run(p.Client, k, &aClient); err == nil {
				db, err = run(p.Baseline, k, &aBase)
			}
		} else {
			if db, err = run(p.Baseline, k, &aBase); err == nil {
				dc, err = run(p.Client, k, &aClient)
			}
		}
		if err != nil {
			return OverheadResult{}, err
		}
		tClient, tBase = append(tClient, dc), append(tBase, db)
		ratios = append(ratios, float64(dc)/float64(db))
		done += k
	}
	slices.Sort(tClient)
	slices.Sort(tBase)
	slices.Sort(ratios)
	return OverheadResult{
		Calls:          n,
		Rounds:         len(ratios),
		ClientTime:     medianOf(tClient),
		BaselineTime:   medianOf(tBase),
		TimeRatio:      medianOf(ratios),
		ClientAllocs:   float64(aClient) / float64(n),
		BaselineAllocs: float64(aBase) / float64(n),
		AllocsRatio:    float64(aClient) / float64(aBase),
	}, nil
}

// medianOf returns the median of sorted values.
func medianOf[T time.Duration | float64](sorted []T) T {
	m := len(sorted) / 2
	if len(sorted)%2 == 1 {
		return sorted[m]
	}
	return (sorted[m-1] + sorted[m]) / 2
}

// OverheadLoopback measures n calls of each path against a canned-response
// loopback server (NewCannedServer), the way a merchant's service calls
// the gateway.
func OverheadLoopback(n int) (OverheadResult, error) {
	srv := NewCannedServer()
	defer srv.Close()
	hc := srv.Client()
	defer hc.CloseIdleConnections()
	p, err := NewOverheadPair(hc, srv.URL+"/v1/graphql", "bench-token")
	if err != nil {
		return OverheadResult{}, err
	}
	return MeasureOverhead(p, n)
}

// OverheadInMemory measures n calls of each path through MemTransport, so
// that the ratios reflect the client's own work alone.
func OverheadInMemory(n int) (OverheadResult, error) {
	p, err := NewOverheadPair(&http.Client{Transport: MemTransport{}}, client.ProductionURL, "bench-token")
	if err != nil {
		return OverheadResult{}, err
	}
	return MeasureOverhead(p, n)
}
