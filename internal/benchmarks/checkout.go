package benchmarks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
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

// bodies are the response buffers post reads into, reused.
var bodies = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// post sends a GraphQL request over raw HTTP and hands its answer to check,
// read into a reused buffer that check must not keep (nil check: any
// answer without errors will do). An answer with GraphQL errors, or one
// that check refuses, is an error.
func post(hc *http.Client, url, token string, body []byte, check func(raw []byte) error) error {
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
	buf := bodies.Get().(*bytes.Buffer)
	defer bodies.Put(buf)
	buf.Reset()
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return err
	}
	raw := buf.Bytes()
	if resp.StatusCode != http.StatusOK || !bytes.HasPrefix(raw, []byte(`{"data":`)) || bytes.Contains(raw, []byte(`"errors"`)) {
		return fmt.Errorf("HTTP %d %s", resp.StatusCode, raw)
	}
	if check != nil {
		if err := check(raw); err != nil {
			return fmt.Errorf("%w: HTTP %d %s", err, resp.StatusCode, raw)
		}
	}
	return nil
}

// stringField returns the value of the first member named name whose value
// is a string in raw, a JSON text written without spaces: what a flow reads of each answer
// (a token, a wait token, a status), found by scanning rather than decoding
// the whole answer, so that the measuring side's JSON work stays near what
// a bare round trip's is. FuzzStringField holds it to encoding/json's
// reading of the same member.
func stringField(raw []byte, name string) (string, error) {
	key := `"` + name + `":"`
	i := bytes.Index(raw, []byte(key))
	if i < 0 {
		return "", fmt.Errorf("no string %q in the answer", name)
	}
	rest := raw[i+len(key)-1:] // from the value's opening quote
	escaped := false
	for j := 1; j < len(rest); j++ {
		switch rest[j] {
		case '\\':
			escaped = true
			j++ // the escaped character
		case '"':
			if !escaped {
				return string(rest[1:j]), nil
			}
			var v string
			if err := json.Unmarshal(rest[:j+1], &v); err != nil {
				return "", fmt.Errorf("%q: %w", name, err)
			}
			return v, nil
		}
	}
	return "", fmt.Errorf("%q is cut short", name)
}

// Checkout runs whole checkout flows against a fake gateway over raw HTTP,
// so that the figure is the fake's, not the SDK's.
type Checkout struct {
	srv       *kronortest.Server
	hc        *http.Client
	expiresAt string
	seq       atomic.Int64
	requests  atomic.Int64 // HTTP requests the flows made
}

// Requests returns the number of HTTP requests (round trips) the flows
// have made so far.
func (c *Checkout) Requests() int64 { return c.requests.Load() }

// post is the package's post to the fake, counted in c.requests.
func (c *Checkout) post(token string, body []byte, check func(raw []byte) error) error {
	c.requests.Add(1)
	return post(c.hc, c.srv.URL(), token, body, check)
}

// read returns a check for post that stores the string member name of the
// answer in *v.
func read(name string, v *string) func(raw []byte) error {
	return func(raw []byte) (err error) {
		*v, err = stringField(raw, name)
		return err
	}
}

// NewCheckout returns flows against srv through hc.
func NewCheckout(srv *kronortest.Server, hc *http.Client) *Checkout {
	return &Checkout{srv: srv, hc: hc, expiresAt: time.Now().Add(23 * time.Hour).Format(time.RFC3339)}
}

// The flow's request bodies, as json.Marshal writes them (keys sorted),
// around the values that change from flow to flow, so that building a
// request costs the flow about what the bare round trips' constant body
// costs them: the figure is the fake's, not the JSON encoder's.
const (
	sessionQuery = `mutation($p: PaymentSessionInput!) { newPaymentSession(payment: $p) { token } }`
	payBody      = `{"query":"mutation { newSwishPayment(pay: {idempotencyKey: \"pay\", flow: \"mcom\", returnUrl: \"https://shop.example\"}) { waitToken } }"}`
	statusQuery  = `query($w: uuid!) { paymentRequests(where: {waitToken: {_eq: $w}}) { waitToken resultingPaymentId status { status } } }`
)

// sessionBody returns the newPaymentSession request of flow n.
func (c *Checkout) sessionBody(n int64) []byte {
	b := make([]byte, 0, 320)
	b = append(b, `{"query":"`+sessionQuery+`","variables":{"p":{"amount":10056,"currency":"SEK","expiresAt":"`...)
	b = append(b, c.expiresAt...)
	b = append(b, `","idempotencyKey":"bench-session-`...)
	b = strconv.AppendInt(b, n, 10)
	b = append(b, `","merchantReference":"bench-`...)
	b = strconv.AppendInt(b, n, 10)
	b = append(b, `","message":"Order"}}}`...)
	return b
}

// statusBody returns the paymentRequests request for waitToken.
func statusBody(waitToken string) ([]byte, error) {
	w, err := json.Marshal(waitToken)
	if err != nil {
		return nil, err
	}
	b := make([]byte, 0, 200)
	b = append(b, `{"query":"`+statusQuery+`","variables":{"w":`...)
	b = append(b, w...)
	return append(b, "}}"...), nil
}

// Flow runs one whole checkout: a session (merchant token), a Swish payment
// (session token), the customer pays (Server.Approve), and the status is
// queried until PAID. It is safe for concurrent use.
func (c *Checkout) Flow() error {
	n := c.seq.Add(1)
	var token, waitToken string
	if err := c.post(c.srv.MerchantToken(), c.sessionBody(n), read("token", &token)); err != nil {
		return fmt.Errorf("newPaymentSession: %w", err)
	}
	if err := c.post(token, []byte(payBody), read("waitToken", &waitToken)); err != nil {
		return fmt.Errorf("newSwishPayment: %w", err)
	}
	if err := c.srv.Approve(waitToken); err != nil {
		return err
	}
	query, err := statusBody(waitToken)
	if err != nil {
		return err
	}
	// The answer holds the one request asked for: its wait token, then its
	// latest status, the first "status" member with a string value.
	var got, status string
	check := func(raw []byte) error {
		if bytes.Count(raw, []byte(`"waitToken":`)) != 1 {
			return errors.New("not one payment request")
		}
		if got, err = stringField(raw, "waitToken"); err != nil {
			return err
		}
		if got != waitToken {
			return fmt.Errorf("payment request %s, want %s", got, waitToken)
		}
		status, err = stringField(raw, "status")
		return err
	}
	for range 100 {
		if err := c.post(token, query, check); err != nil {
			return fmt.Errorf("paymentRequests: %w", err)
		}
		if status == "PAID" {
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

// BareServer starts a loopback HTTP server whose handler does nothing but
// read the request and answer a constant: the baseline of the checkout
// throughput. Close it when done.
func BareServer() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"data":{}}`))
	}))
}

// bareBody is the request the bare round trips send.
var bareBody = []byte(`{"query":"{ x }"}`)

// bareRoundTrips times n POST round trips to a BareServer's url through
// hc on workers goroutines.
func bareRoundTrips(hc *http.Client, url string, n, workers int) (time.Duration, error) {
	return parallel(n, workers, func() error { return post(hc, url, "x", bareBody, nil) })
}

// BareRoundTrips measures loopback HTTP POST round trips per second against
// a handler that does nothing (BareServer), through hc, n of them on
// workers goroutines: the most a loopback HTTP server can answer on this
// machine.
func BareRoundTrips(hc *http.Client, n, workers int) (float64, error) {
	ts := BareServer()
	defer ts.Close()
	el, err := bareRoundTrips(hc, ts.URL, n, workers)
	if err != nil {
		return 0, err
	}
	return float64(n) / el.Seconds(), nil
}

// SaturatingWorkers returns the number of concurrent workers at which bare
// loopback round trips (BareServer, through hc) are the most per second,
// trying each of candidates, n round trips each, in rounds rounds that
// alternate their order; a candidate's rate is its median over the rounds.
// With as many workers as cores, each worker's goroutine and the server's
// take turns, and neither side keeps the cores busy: on a 2-core machine,
// bare round trips measured about 12% more per second with 4 workers than
// with 2. The physical limit is the rate at the concurrency that saturates
// the machine, so MeasureCheckout is given that many workers. Ties go to
// the fewer workers.
func SaturatingWorkers(hc *http.Client, candidates []int, n, rounds int) (int, error) {
	if len(candidates) == 0 {
		return 0, errors.New("no candidate worker counts")
	}
	ts := BareServer()
	defer ts.Close()
	rates := make([][]float64, len(candidates))
	for r := range max(rounds, 1) {
		for j := range candidates {
			i := j
			if r%2 == 1 {
				i = len(candidates) - 1 - j
			}
			el, err := bareRoundTrips(hc, ts.URL, n, max(candidates[i], 1))
			if err != nil {
				return 0, err
			}
			rates[i] = append(rates[i], float64(n)/el.Seconds())
		}
	}
	best, bestRate := 0, -1.0
	for i, rs := range rates {
		slices.Sort(rs)
		if m := medianOf(rs); m > bestRate {
			best, bestRate = i, m
		}
	}
	return max(candidates[best], 1), nil
}

// CheckoutResult is the checkout throughput of the fake gateway, beside the
// physical limit of the machine: bare loopback round trips.
type CheckoutResult struct {
	// Flows is the number of flows timed; Workers ran them concurrently, in
	// Rounds rounds.
	Flows, Workers, Rounds int
	// Elapsed is the time the flows took, all rounds together.
	Elapsed time.Duration
	// FlowsPerSecond is Flows / Elapsed.
	FlowsPerSecond float64
	// RoundTripsPerFlow is the mean number of HTTP round trips a flow made
	// (a session, a payment, and queries until PAID: three when the first
	// query already sees PAID).
	RoundTripsPerFlow float64
	// FlowRoundTripsPerSecond is the median over the rounds of the round
	// trips per second within flows: flows/s × round trips per flow.
	FlowRoundTripsPerSecond float64
	// BareRoundTripsPerSecond is the baseline, the median over the rounds of
	// the loopback round trips per second against a handler that does
	// nothing (BareServer), same client, same workers.
	BareRoundTripsPerSecond float64
	// ShareOfLimit is the median over the rounds of the round's flow round
	// trips per second / its bare round trips per second: the share of the
	// machine's loopback HTTP capacity that the fake gateway turns into
	// checkout requests.
	ShareOfLimit float64
}

// checkoutRounds is the number of rounds MeasureCheckout splits its flows
// into.
const checkoutRounds = 8

// MeasureCheckout runs flows whole checkout flows on workers goroutines
// (after a warm-up of a tenth as many) against a new fake gateway, and, in
// the same run, bare loopback round trips (BareServer), three for each
// flow. It runs them in rounds, each a share of the flows and of the bare
// round trips one after the other, alternating which goes first, so that
// load from elsewhere on the machine falls on both alike; the ratios are
// medians over the rounds.
func MeasureCheckout(flows, workers int) (CheckoutResult, error) {
	flows = max(flows, 1)
	srv := kronortest.NewServer()
	defer srv.Close()
	bare := BareServer()
	defer bare.Close()
	hc := NewHTTPClient()
	defer hc.CloseIdleConnections()
	c := NewCheckout(srv, hc)
	warm := max(flows/10, 1)
	if _, err := parallel(warm, workers, c.Flow); err != nil {
		return CheckoutResult{}, err
	}
	if _, err := bareRoundTrips(hc, bare.URL, 3*warm, workers); err != nil {
		return CheckoutResult{}, err
	}
	rounds := min(checkoutRounds, flows)
	var (
		elapsed                      time.Duration
		requests                     int64
		flowRates, bareRates, shares []float64
	)
	for i := range rounds {
		k := flows / rounds
		if i < flows%rounds {
			k++
		}
		var flowEl, bareEl time.Duration
		r0 := c.Requests()
		runFlows := func() (err error) { flowEl, err = parallel(k, workers, c.Flow); return err }
		runBare := func() (err error) { bareEl, err = bareRoundTrips(hc, bare.URL, 3*k, workers); return err }
		first, second := runFlows, runBare
		if i%2 == 1 {
			first, second = runBare, runFlows
		}
		if err := first(); err != nil {
			return CheckoutResult{}, err
		}
		if err := second(); err != nil {
			return CheckoutResult{}, err
		}
		req := c.Requests() - r0
		elapsed += flowEl
		requests += req
		fr := float64(req) / flowEl.Seconds()
		br := float64(3*k) / bareEl.Seconds()
		flowRates, bareRates, shares = append(flowRates, fr), append(bareRates, br), append(shares, fr/br)
	}
	slices.Sort(flowRates)
	slices.Sort(bareRates)
	slices.Sort(shares)
	return CheckoutResult{
		Flows: flows, Workers: workers, Rounds: rounds, Elapsed: elapsed,
		FlowsPerSecond:          float64(flows) / elapsed.Seconds(),
		RoundTripsPerFlow:       float64(requests) / float64(flows),
		FlowRoundTripsPerSecond: medianOf(flowRates),
		BareRoundTripsPerSecond: medianOf(bareRates),
		ShareOfLimit:            medianOf(shares),
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
