package trust

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/testsupport"
	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/sessions"
	"github.com/kronor-io/kronor-go/subscriptions"
)

// outcome is how the customer ends a payment in the storm, and what the wait
// must report.
type outcome int

const (
	paidSwish      outcome = iota // Approve: PAID
	authorizedCard                // Approve: AUTHORIZED
	paidBank                      // Approve: FLOW_COMPLETED, ACCEPTED, PAID
	declined                      // Decline: DECLINED
	failed                        // Fail: ERROR
	timedOut                      // TimeOut: ERROR
	cancelled                     // cancelSwishPayment by the merchant's app: CANCELLED
	outcomes
)

func (o outcome) String() string {
	return [...]string{"PAID (Swish)", "AUTHORIZED (card)", "PAID (bank transfer)", "DECLINED", "ERROR (failed)", "ERROR (timed out)", "CANCELLED"}[o]
}

// stormPayment is one payment request waited for during the storm.
type stormPayment struct {
	outcome   outcome
	session   *client.Session
	waitToken string
}

func (p *stormPayment) start(ctx context.Context, merchant *client.Client, i int) error {
	s, err := sessions.Create(ctx, merchant, sessions.Params{
		Amount:            int64(500 + i),
		Currency:          sessions.CurrencySEK,
		MerchantReference: fmt.Sprintf("storm-%05d", i),
		Message:           fmt.Sprintf("Order %d", i),
		ExpiresAt:         time.Now().Add(time.Hour),
	})
	if err != nil {
		return err
	}
	p.session = s.Client(merchant)
	redirect := payments.Redirect{ReturnURL: returnURL}
	var st *payments.Started
	switch p.outcome {
	case authorizedCard:
		st, err = payments.CreditCard(ctx, p.session, payments.CreditCardParams{Redirect: redirect})
	case paidBank:
		st, err = payments.BankTransfer(ctx, p.session, payments.BankTransferParams{Redirect: redirect})
	default:
		st, err = payments.Swish(ctx, p.session, payments.SwishParams{Redirect: redirect})
	}
	if err != nil {
		return err
	}
	p.waitToken = st.WaitToken
	return nil
}

// resolve plays the customer (or the merchant's app, for a cancellation).
func (p *stormPayment) resolve(ctx context.Context, srv *kronortest.Server) error {
	switch p.outcome {
	case declined:
		return srv.Decline(p.waitToken)
	case failed:
		return srv.Fail(p.waitToken)
	case timedOut:
		return srv.TimeOut(p.waitToken)
	case cancelled:
		_, err := payments.CancelSwish(ctx, p.session, payments.CancelSwishParams{WaitToken: p.waitToken})
		return err
	default:
		return srv.Approve(p.waitToken)
	}
}

// check tells whether a wait's result is the payment's true outcome.
func (p *stormPayment) check(req payments.Request, err error) error {
	if req.WaitToken != p.waitToken {
		return fmt.Errorf("returned request %q", req.WaitToken)
	}
	var want payments.Status
	var target error
	switch p.outcome {
	case paidSwish, paidBank:
		want = payments.StatusPaid
	case authorizedCard:
		want = payments.StatusAuthorized
	case declined:
		want, target = payments.StatusDeclined, subscriptions.ErrDeclined
	case failed, timedOut:
		want, target = payments.StatusError, subscriptions.ErrFailed
	case cancelled:
		want, target = payments.StatusCancelled, subscriptions.ErrCancelled
	}
	if target == nil {
		if err != nil || req.Status != want || req.ResultingPaymentID == 0 {
			return fmt.Errorf("got %s with payment %d, err %v; want %s with a payment", req.Status, req.ResultingPaymentID, err, want)
		}
		return nil
	}
	var se *subscriptions.StatusError
	if !errors.Is(err, target) || !errors.As(err, &se) || se.Request.Status != want || req.Status != want {
		return fmt.Errorf("got %s, err %v; want %s and an error matching %v", req.Status, err, want, target)
	}
	return nil
}

// TestWebSocketStormLosesNoOutcome runs 1,000 concurrent waits on one watcher
// while every live websocket is killed every 100 ms, and ends the payments in
// a mix of outcomes, a batch after each kill, while the storm runs. Each wait
// must return its payment's true outcome; afterwards the watcher closes with
// no goroutine left, and the fake has no websocket or subscription open.
func TestWebSocketStormLosesNoOutcome(t *testing.T) {
	n, deadline := 1000, 3*time.Minute
	if *long {
		n, deadline = 10000, 10*time.Minute
	}
	const (
		killEvery = 100 * time.Millisecond
		batches   = 10 // the payments end in this many batches, one after each kill
	)
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())

	srv := kronortest.NewServer()
	defer srv.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	merchant, err := client.New(srv.MerchantToken(), client.WithEndpoint(srv.URL()),
		client.WithHTTPClient(&http.Client{Transport: tr}), client.WithBackoff(time.Millisecond, 10*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()

	// The payments, started concurrently, in a shuffled mix of outcomes.
	ps := make([]*stormPayment, n)
	for i := range ps {
		ps[i] = &stormPayment{outcome: outcome(i % int(outcomes))}
	}
	rng := rand.New(rand.NewPCG(7, 7))
	rng.Shuffle(n, func(i, j int) { ps[i], ps[j] = ps[j], ps[i] })
	t0 := time.Now()
	parallel(ctx, t, n, 16, func(i int) error { return ps[i].start(ctx, merchant, i) })
	setup := time.Since(t0)
	if t.Failed() {
		return
	}

	events := newCounter("msg")
	w, err := subscriptions.NewWatcher(merchant,
		subscriptions.WithLogger(slog.New(events)),
		subscriptions.WithPollInterval(50*time.Millisecond),
		subscriptions.WithReconnectBackoff(5*time.Millisecond, 100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()

	// Every wait, concurrently.
	type result struct {
		req  payments.Request
		err  error
		done bool
	}
	results := make([]result, n)
	var waits sync.WaitGroup
	for i, p := range ps {
		waits.Go(func() {
			req, err := w.Wait(ctx, p.waitToken)
			results[i] = result{req, err, true}
		})
	}
	allDone := make(chan struct{})
	go func() { waits.Wait(); close(allDone) }()
	if !testsupport.Eventually(time.Minute, func() bool { return w.Stats().Watches == n }) {
		t.Fatalf("only %d of %d waits started", w.Stats().Watches, n)
	}
	registered := time.Since(t0) - setup

	// The storm: every live websocket killed every 100 ms, until every wait
	// has returned (or the test's deadline). After each kill, it lets the
	// customers end the next batch of payments.
	var kills atomic.Int64
	killed := make(chan struct{})
	stormDone := make(chan struct{})
	go func() {
		defer close(stormDone)
		tick := time.NewTicker(killEvery)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				srv.CloseWebSockets()
				kills.Add(1)
				select {
				case killed <- struct{}{}:
				default: // the customers are still busy with a batch
				}
			case <-allDone:
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	start := time.Now()
	for b := range batches {
		select {
		case <-killed:
		case <-ctx.Done():
			t.Fatal("the storm stopped")
		}
		lo, hi := b*n/batches, (b+1)*n/batches
		parallel(ctx, t, hi-lo, 8, func(i int) error { return ps[lo+i].resolve(ctx, srv) })
	}
	select {
	case <-allDone:
	case <-ctx.Done():
		t.Fatalf("waits still running at the deadline: %d of %d returned", n-w.Stats().Watches, n)
	}
	elapsed := time.Since(start)
	<-stormDone

	// Each wait returned its payment's true outcome; successful ones with the
	// payment the gateway made.
	byOutcome := make([]int, outcomes)
	for i, p := range ps {
		r := results[i]
		if err := p.check(r.req, r.err); err != nil {
			t.Errorf("wait for %s (%s): %v", p.waitToken, p.outcome, err)
			continue
		}
		byOutcome[p.outcome]++
		if r.err == nil {
			d, err := payments.RequestDetails(ctx, merchant, p.waitToken)
			if err != nil {
				t.Fatal(err)
			}
			if d.ResultingPaymentID != r.req.ResultingPaymentID {
				t.Errorf("wait for %s: payment %d, the gateway made %d", p.waitToken, r.req.ResultingPaymentID, d.ResultingPaymentID)
			}
		}
	}
	stats := w.Stats()
	if stats.Watches != 0 {
		t.Errorf("%d watches left after every wait returned", stats.Watches)
	}
	if kills.Load() < batches || stats.Connections < 2 {
		t.Errorf("%d kills and %d connections: the storm did not happen", kills.Load(), stats.Connections)
	}

	// Close: nothing left on either side.
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if !testsupport.Eventually(10*time.Second, func() bool { return srv.Live() == kronortest.Live{} }) {
		t.Errorf("the fake still has %+v open after the watcher closed", srv.Live())
	}
	srv.Close()
	tr.CloseIdleConnections()
	summary := make([]string, 0, outcomes)
	for o, c := range byOutcome {
		summary = append(summary, fmt.Sprintf("%s %d", outcome(o), c))
	}
	t.Logf("%d waits on one watcher (payments started in %v, waits registered in %v); %d websocket kills every %v; payments ended in %d batches while the storm ran; every outcome right %v after the storm began: %v; watcher: %d connections, %d HTTP reads",
		n, setup.Round(time.Millisecond), registered.Round(time.Millisecond), kills.Load(), killEvery, batches, elapsed.Round(time.Millisecond),
		summary, stats.Connections, stats.HTTPReads)
}

// parallel runs f(0..n-1) on the given number of workers and reports errors.
func parallel(ctx context.Context, t *testing.T, n, workers int, f func(i int) error) {
	t.Helper()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := f(i); err != nil {
					t.Errorf("%d: %v", i, err)
				}
			}
		})
	}
	wg.Wait()
}
