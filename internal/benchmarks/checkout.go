package benchmarks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kronor-io/kronor-go/kronortest"
)

// NewHTTPClient returns an HTTP client that keeps enough idle connections
// for parallel loopback measurements. Call CloseIdleConnections when done.
func NewHTTPClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}}
}

// post sends a GraphQL request over raw HTTP and decodes its data into out
// (unless out is nil); GraphQL errors are errors.
func post(hc *http.Client, url, token string, body []byte, out any) error {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	var r struct {
		Data   json.RawMessage
		Errors []any
	}
	if err := json.Unmarshal(raw, &r); err != nil || len(r.Errors) > 0 {
		return fmt.Errorf("HTTP %d %s", resp.StatusCode, raw)
	}
	if out != nil {
		return json.Unmarshal(r.Data, out)
	}
	return nil
}

// Checkout runs whole checkout flows against a fake gateway over raw HTTP,
// so that the figure is the fake's, not the SDK's.
type Checkout struct {
	srv       *kronortest.Server
	hc        *http.Client
	expiresAt string
	seq       atomic.Int64
}

// NewCheckout returns flows against srv through hc.
func NewCheckout(srv *kronortest.Server, hc *http.Client) *Checkout {
	return &Checkout{srv: srv, hc: hc, expiresAt: time.Now().Add(23 * time.Hour).Format(time.RFC3339)}
}

// Flow runs one whole checkout: a session (merchant token), a Swish payment
// (session token), the customer pays (Server.Approve), and the status is
// queried until PAID. It is safe for concurrent use.
func (c *Checkout) Flow() error {
	n := c.seq.Add(1)
	session, _ := json.Marshal(map[string]any{
		"query": `mutation($p: PaymentSessionInput!) { newPaymentSession(payment: $p) { token } }`,
		"variables": map[string]any{"p": map[string]any{
			"amount": 10056, "currency": "SEK", "expiresAt": c.expiresAt, "message": "Order",
			"merchantReference": fmt.Sprintf("bench-%d", n), "idempotencyKey": fmt.Sprintf("bench-session-%d", n),
		}},
	})
	var s struct{ NewPaymentSession struct{ Token string } }
	if err := post(c.hc, c.srv.URL(), c.srv.MerchantToken(), session, &s); err != nil {
		return fmt.Errorf("newPaymentSession: %w", err)
	}
	pay := []byte(`{"query":"mutation { newSwishPayment(pay: {idempotencyKey: \"pay\", flow: \"mcom\", returnUrl: \"https://shop.example\"}) { waitToken } }"}`)
	var p struct{ NewSwishPayment struct{ WaitToken string } }
	if err := post(c.hc, c.srv.URL(), s.NewPaymentSession.Token, pay, &p); err != nil {
		return fmt.Errorf("newSwishPayment: %w", err)
	}
	if err := c.srv.Approve(p.NewSwishPayment.WaitToken); err != nil {
		return err
	}
	query, _ := json.Marshal(map[string]any{
		"query":     `query($w: uuid!) { paymentRequests(where: {waitToken: {_eq: $w}}) { waitToken resultingPaymentId status { status } } }`,
		"variables": map[string]any{"w": p.NewSwishPayment.WaitToken},
	})
	for range 100 {
		var q struct {
			PaymentRequests []struct{ Status []struct{ Status string } }
		}
		if err := post(c.hc, c.srv.URL(), s.NewPaymentSession.Token, query, &q); err != nil {
			return fmt.Errorf("paymentRequests: %w", err)
		}
		if len(q.PaymentRequests) == 1 && len(q.PaymentRequests[0].Status) > 0 && q.PaymentRequests[0].Status[0].Status == "PAID" {
			return nil
		}
	}
	return errors.New("the payment request is not PAID after 100 queries")
}

// parallel runs f n times on workers goroutines and returns the time it
// took and the first error.
func parallel(n, workers int, f func() error) (time.Duration, error) {
	var left atomic.Int64
	left.Store(int64(n))
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for left.Add(-1) >= 0 {
				if err := f(); err != nil {
					once.Do(func() { first = err })
					left.Store(0)
					return
				}
			}
		}()
	}
	wg.Wait()
	return time.Since(start), first
}

// BareRoundTrips measures loopback HTTP POST round trips per second against
// a handler that does nothing, through hc, n of them on workers goroutines:
// the most a loopback HTTP server can answer on this machine.
func BareRoundTrips(hc *http.Client, n, workers int) (float64, error) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"data":{}}`))
	}))
	defer ts.Close()
	body := []byte(`{"query":"{ x }"}`)
	el, err := parallel(n, workers, func() error { return post(hc, ts.URL, "x", body, nil) })
	if err != nil {
		return 0, err
	}
	return float64(n) / el.Seconds(), nil
}

// CheckoutResult is the checkout throughput of the fake gateway.
type CheckoutResult struct {
	// Flows is the number of flows timed; Workers ran them concurrently.
	Flows, Workers int
	// Elapsed is the time they took.
	Elapsed time.Duration
	// FlowsPerSecond is Flows / Elapsed.
	FlowsPerSecond float64
	// BareRoundTripsPerSecond is the baseline: loopback round trips per
	// second against a handler that does nothing, same client and workers.
	BareRoundTripsPerSecond float64
	// RoundTripsPerFlow is BareRoundTripsPerSecond / FlowsPerSecond: how
	// many bare round trips one flow costs (a flow makes three requests).
	RoundTripsPerFlow float64
}

// MeasureCheckout runs flows whole checkout flows on workers goroutines
// (after a warm-up of a tenth as many) against a new fake gateway, and the
// bare round-trip baseline with as many requests, in the same run.
func MeasureCheckout(flows, workers int) (CheckoutResult, error) {
	srv := kronortest.NewServer()
	defer srv.Close()
	hc := NewHTTPClient()
	defer hc.CloseIdleConnections()
	bare, err := BareRoundTrips(hc, flows, workers)
	if err != nil {
		return CheckoutResult{}, err
	}
	c := NewCheckout(srv, hc)
	if _, err := parallel(max(flows/10, 1), workers, c.Flow); err != nil {
		return CheckoutResult{}, err
	}
	el, err := parallel(flows, workers, c.Flow)
	if err != nil {
		return CheckoutResult{}, err
	}
	fps := float64(flows) / el.Seconds()
	return CheckoutResult{
		Flows: flows, Workers: workers, Elapsed: el, FlowsPerSecond: fps,
		BareRoundTripsPerSecond: bare, RoundTripsPerFlow: bare / fps,
	}, nil
}

// StoredPaymentHeap returns the heap kept per stored payment: payments
// whole checkouts (session, payment request, payment, and their remembered
// idempotency keys) stored in a new fake gateway, measured with
// runtime.ReadMemStats after GC before and after storing them (so memory
// freed meanwhile that was in use before, such as a previous measurement's,
// lowers it: store enough payments to make that small). hc is
// the HTTP client (NewHTTPClient if nil).
func StoredPaymentHeap(hc *http.Client, payments int) (float64, error) {
	if hc == nil {
		hc = NewHTTPClient()
		defer hc.CloseIdleConnections()
	}
	srv := kronortest.NewServer()
	defer srv.Close()
	c := NewCheckout(srv, hc)
	if err := c.Flow(); err != nil { // warm up: caches, pools
		return 0, err
	}
	before := snapshot()
	for range payments {
		if err := c.Flow(); err != nil {
			return 0, err
		}
	}
	after := snapshot()
	if got := srv.Totals().Payments; got != payments+1 {
		return 0, fmt.Errorf("%d payments stored, want %d", got, payments+1)
	}
	return (float64(after.heap) - float64(before.heap)) / float64(payments), nil
}
