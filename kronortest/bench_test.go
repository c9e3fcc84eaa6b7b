package kronortest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/kronortest"
)

// benchClient keeps enough idle connections for parallel benchmarks.
func benchClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}}
}

func benchPost(b *testing.B, hc *http.Client, url, token string, body []byte, out any) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := hc.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		b.Fatal(err)
	}
	var r struct {
		Data   json.RawMessage
		Errors []any
	}
	if err := json.Unmarshal(raw, &r); err != nil || len(r.Errors) > 0 {
		b.Fatalf("HTTP %d %s", resp.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(r.Data, out); err != nil {
			b.Fatal(err)
		}
	}
}

var benchSeq atomic.Int64

// checkoutFlow runs one whole checkout over raw HTTP: session, Swish payment,
// the customer pays, the status is queried until PAID.
func checkoutFlow(b *testing.B, hc *http.Client, srv *kronortest.Server, expiresAt string) {
	n := benchSeq.Add(1)
	session, _ := json.Marshal(map[string]any{
		"query": `mutation($p: PaymentSessionInput!) { newPaymentSession(payment: $p) { token } }`,
		"variables": map[string]any{"p": map[string]any{
			"amount": 10056, "currency": "SEK", "expiresAt": expiresAt, "message": "Order",
			"merchantReference": fmt.Sprintf("bench-%d", n), "idempotencyKey": fmt.Sprintf("bench-session-%d", n),
		}},
	})
	var s struct{ NewPaymentSession struct{ Token string } }
	benchPost(b, hc, srv.URL(), srv.MerchantToken(), session, &s)
	pay := []byte(`{"query":"mutation { newSwishPayment(pay: {idempotencyKey: \"pay\", flow: \"mcom\", returnUrl: \"https://shop.example\"}) { waitToken } }"}`)
	var p struct{ NewSwishPayment struct{ WaitToken string } }
	benchPost(b, hc, srv.URL(), s.NewPaymentSession.Token, pay, &p)
	if err := srv.Approve(p.NewSwishPayment.WaitToken); err != nil {
		b.Fatal(err)
	}
	query, _ := json.Marshal(map[string]any{
		"query":     `query($w: uuid!) { paymentRequests(where: {waitToken: {_eq: $w}}) { waitToken resultingPaymentId status { status } } }`,
		"variables": map[string]any{"w": p.NewSwishPayment.WaitToken},
	})
	for {
		var q struct {
			PaymentRequests []struct{ Status []struct{ Status string } }
		}
		benchPost(b, hc, srv.URL(), s.NewPaymentSession.Token, query, &q)
		if len(q.PaymentRequests) == 1 && q.PaymentRequests[0].Status[0].Status == "PAID" {
			return
		}
	}
}

// BenchmarkCheckoutFlow measures whole checkout flows per second in-process
// over loopback HTTP (goal: 2,000/s on two cores). As a baseline from the same
// run it also measures bare loopback HTTP round trips per second against a
// trivial handler, and reports how many such round trips one flow costs (a
// flow makes three requests).
func BenchmarkCheckoutFlow(b *testing.B) {
	srv := kronortest.NewServer()
	defer srv.Close()
	hc := benchClient()
	defer hc.CloseIdleConnections()
	expiresAt := time.Now().Add(23 * time.Hour).Format(time.RFC3339)

	baseline := bareRoundTrips(b, hc)

	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			checkoutFlow(b, hc, srv, expiresAt)
		}
	})
	el := time.Since(start)
	b.StopTimer()
	flows := float64(b.N) / el.Seconds()
	b.ReportMetric(flows, "flows/s")
	b.ReportMetric(flows/2000, "x-goal")
	b.ReportMetric(baseline/flows, "bare-roundtrips/flow")
}

// bareRoundTrips measures loopback HTTP POST round trips per second against a
// handler that does nothing, with the same client and parallelism.
func bareRoundTrips(b *testing.B, hc *http.Client) float64 {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"data":{}}`))
	}))
	defer ts.Close()
	const n = 4000
	var left atomic.Int64
	left.Store(n)
	workers := runtime.GOMAXPROCS(0)
	done := make(chan struct{})
	start := time.Now()
	for range workers {
		go func() {
			defer func() { done <- struct{}{} }()
			for left.Add(-1) >= 0 {
				benchPost(b, hc, ts.URL, "x", []byte(`{"query":"{ x }"}`), nil)
			}
		}()
	}
	for range workers {
		<-done
	}
	return n / time.Since(start).Seconds()
}

// BenchmarkStoredPaymentMemory reports the heap kept per stored payment: a
// whole checkout (session, payment request, payment, and their remembered
// idempotency keys), measured with runtime.ReadMemStats around storing them.
func BenchmarkStoredPaymentMemory(b *testing.B) {
	const perRun = 2000
	hc := benchClient()
	defer hc.CloseIdleConnections()
	expiresAt := time.Now().Add(23 * time.Hour).Format(time.RFC3339)
	var total float64
	for range b.N {
		b.StopTimer()
		srv := kronortest.NewServer()
		checkoutFlow(b, hc, srv, expiresAt) // warm up: caches, pools
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		b.StartTimer()
		for range perRun {
			checkoutFlow(b, hc, srv, expiresAt)
		}
		b.StopTimer()
		runtime.GC()
		runtime.ReadMemStats(&after)
		total += float64(after.HeapAlloc-before.HeapAlloc) / perRun
		if got := srv.Totals().Payments; got != perRun+1 {
			b.Fatalf("%d payments stored", got)
		}
		srv.Close()
	}
	b.ReportMetric(total/float64(b.N), "heap-bytes/payment")
}
