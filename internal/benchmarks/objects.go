package benchmarks

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/kronor-io/kronor-go/captures"
	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/refunds"
	"github.com/kronor-io/kronor-go/subscriptions"
)

// Object is a kind of object the merchant watcher waits for.
type Object string

// The objects of ObjectWatchLatency. ObjectPayment is a payment request,
// measured exactly as the captures and refunds are: the baseline of their
// ratio.
const (
	ObjectPayment Object = "payment"
	ObjectCapture Object = "capture"
	ObjectRefund  Object = "refund"
)

// paidPayments starts n payments through merchant (cards when card is
// set, else Swish), has the gateway approve them, and returns the
// resulting payments' ids: AUTHORIZED cards, PAID Swish payments.
func paidPayments(ctx context.Context, g Gateway, merchant *client.Client, n int, card bool) ([]int64, error) {
	var tokens []string
	var err error
	if card {
		tokens, err = StartCards(ctx, merchant, n, 4)
	} else {
		tokens, err = StartSwish(ctx, merchant, n, 1, 4)
	}
	if err != nil {
		return nil, err
	}
	if _, err := g.Approve(tokens...); err != nil {
		return nil, err
	}
	ids := make([]int64, n)
	for i, tok := range tokens {
		d, err := payments.RequestDetails(ctx, merchant, tok)
		if err != nil {
			return nil, err
		}
		if d.ResultingPaymentID == 0 {
			return nil, fmt.Errorf("payment request %s: %s, no resulting payment", tok, d.Status)
		}
		ids[i] = d.ResultingPaymentID
	}
	return ids, nil
}

// ObjectWatchLatency measures the time from the gateway settling a capture
// (or a refund) to subscriptions.MerchantWatcher.WaitCapture (WaitRefund)
// returning CAPTURE_DONE (PAID): WatchLatency's figure for the merchant's
// objects. g must settle only when asked (kronortest.WithManualSettlement).
// It makes n AUTHORIZED card payments (PAID Swish payments) through
// merchant, then for each in turn creates the capture (refund), waits for
// it on one watcher (made with opts) until it is subscribed, and settles
// it: a sample runs from just before Gateway.Settle to the wait returning.
// For ObjectPayment it starts a Swish payment request instead and approves
// it (Gateway.Approve) where the others settle, Wait taking WaitCapture's
// place: the same loop, the same pauses between samples (waiting for the
// subscription), so the three are measured alike.
func ObjectWatchLatency(ctx context.Context, g Gateway, merchant *client.Client, kind Object, n int, opts ...subscriptions.Option) (Latencies, error) {
	var ids []int64
	var tokens []string
	var err error
	if kind == ObjectPayment {
		tokens, err = StartSwish(ctx, merchant, n, 1, 4)
	} else {
		ids, err = paidPayments(ctx, g, merchant, n, kind == ObjectCapture)
	}
	if err != nil {
		return Latencies{}, err
	}
	w, err := subscriptions.NewMerchantWatcher(merchant, watcherOptions(opts)...)
	if err != nil {
		return Latencies{}, err
	}
	defer w.Close()
	lat := make([]time.Duration, 0, n)
	for i := range n {
		// The previous sample's subscription is gone at the gateway too
		// (it drops a stopped subscription asynchronously): otherwise
		// allSubscribed below could count it for this sample's, and the
		// change could come before this wait is subscribed.
		if _, err := allSubscribed(ctx, w.Watcher, g, 0, time.Minute); err != nil {
			return Latencies{}, err
		}
		var wait func() error
		change := g.Settle
		switch kind {
		case ObjectPayment:
			tok := tokens[i]
			wait = func() error {
				r, err := w.Wait(ctx, tok)
				if err == nil && r.Status != payments.StatusPaid {
					err = fmt.Errorf("payment request %s ended %s", tok, r.Status)
				}
				return err
			}
			change = func() error { _, err := g.Approve(tok); return err }
		case ObjectCapture:
			id := ids[i]
			r, err := captures.Create(ctx, merchant, captures.Params{Amount: 10000, PaymentID: id})
			if err != nil {
				return Latencies{}, err
			}
			wait = func() error {
				c, err := w.WaitCapture(ctx, r.ID)
				if err == nil && c.Status != captures.StatusDone {
					err = fmt.Errorf("capture %d ended %s", r.ID, c.Status)
				}
				return err
			}
		case ObjectRefund:
			id := ids[i]
			r, err := refunds.Create(ctx, merchant, refunds.Params{Amount: 10000, PaymentID: id, Message: "Benchmark"})
			if err != nil {
				return Latencies{}, err
			}
			wait = func() error {
				rf, err := w.WaitRefund(ctx, r.WaitToken)
				if err == nil && rf.Status != refunds.StatusPaid {
					err = fmt.Errorf("refund %s ended %s", r.WaitToken, rf.Status)
				}
				return err
			}
		default:
			return Latencies{}, fmt.Errorf("unknown object %q", kind)
		}
		type result struct {
			at  time.Time
			err error
		}
		ch := make(chan result, 1)
		go func() {
			err := wait()
			ch <- result{time.Now(), err}
		}()
		if _, err := allSubscribed(ctx, w.Watcher, g, 1, time.Minute); err != nil {
			_ = w.Close()
			<-ch
			return Latencies{}, err
		}
		t0 := time.Now()
		if err := change(); err != nil {
			_ = w.Close()
			<-ch
			return Latencies{}, err
		}
		r := <-ch
		if r.err != nil {
			return Latencies{}, r.err
		}
		lat = append(lat, r.at.Sub(t0))
	}
	return summarise(lat), nil
}

// MixedResult is the outcome of MixedWaits.
type MixedResult struct {
	// Waits is the number of concurrent waits, a quarter of each kind.
	Waits int
	// WebSockets is the number of websockets live at the gateway while
	// every wait was subscribed; Connections the number the watcher made.
	WebSockets  int
	Connections int64
	// PerWatch is the memory of this process per wait, as in
	// ConcurrentResult.
	PerWatch Memory
	// Resolve is the time from asking the gateway to approve the payments
	// and settle the rest to the last wait returning.
	Resolve time.Duration
}

// MixedWaits is ConcurrentWaits with waits of every kind: n/4 payment
// requests (Swish, pending), captures, releases and refunds (pending), on
// one merchant watcher; g must settle only when asked. Once every wait is
// subscribed it measures the memory per wait, then approves the payments,
// settles the rest and times every wait's return.
func MixedWaits(ctx context.Context, g Gateway, merchant *client.Client, n int, opts ...subscriptions.Option) (MixedResult, error) {
	q := max(n/4, 1)
	n = 4 * q
	swish, err := StartSwish(ctx, merchant, q, 100, 4)
	if err != nil {
		return MixedResult{}, err
	}
	authorized, err := paidPayments(ctx, g, merchant, 2*q, true)
	if err != nil {
		return MixedResult{}, err
	}
	paid, err := paidPayments(ctx, g, merchant, q, false)
	if err != nil {
		return MixedResult{}, err
	}
	captureIDs, releaseIDs, refundTokens := make([]int64, q), make([]int64, q), make([]string, q)
	for i := range q {
		c, err := captures.Create(ctx, merchant, captures.Params{Amount: 10000, PaymentID: authorized[i]})
		if err != nil {
			return MixedResult{}, err
		}
		r, err := captures.Release(ctx, merchant, captures.ReleaseParams{Amount: 10000, PaymentID: authorized[q+i]})
		if err != nil {
			return MixedResult{}, err
		}
		rf, err := refunds.Create(ctx, merchant, refunds.Params{Amount: 10000, PaymentID: paid[i], Message: "Benchmark"})
		if err != nil {
			return MixedResult{}, err
		}
		captureIDs[i], releaseIDs[i], refundTokens[i] = c.ID, r.ID, rf.WaitToken
	}

	before := snapshot()
	w, err := subscriptions.NewMerchantWatcher(merchant, watcherOptions(opts)...)
	if err != nil {
		return MixedResult{}, err
	}
	var wg sync.WaitGroup
	defer func() {
		_ = w.Close()
		wg.Wait()
	}()
	var (
		mu     sync.Mutex
		last   time.Time
		failed []error
	)
	run := func(f func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := f()
			mu.Lock()
			defer mu.Unlock()
			last = time.Now()
			if err != nil {
				failed = append(failed, err)
			}
		}()
	}
	for i := range q {
		run(func() error {
			r, err := w.Wait(ctx, swish[i])
			return waitResult{req: r, err: err}.check(swish[i])
		})
		run(func() error { _, err := w.WaitCapture(ctx, captureIDs[i]); return err })
		run(func() error { _, err := w.WaitRelease(ctx, releaseIDs[i]); return err })
		run(func() error { _, err := w.WaitRefund(ctx, refundTokens[i]); return err })
	}
	live, err := allSubscribed(ctx, w.Watcher, g, n, 5*time.Minute)
	if err != nil {
		return MixedResult{}, err
	}
	after := snapshot()

	t0 := time.Now()
	if _, err := g.Approve(swish...); err != nil {
		return MixedResult{}, err
	}
	if err := g.Settle(); err != nil {
		return MixedResult{}, err
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	timer := time.NewTimer(5 * time.Minute)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		return MixedResult{}, errors.New("the waits did not all return within 5 minutes")
	case <-ctx.Done():
		return MixedResult{}, ctx.Err()
	}
	if len(failed) > 0 {
		return MixedResult{}, fmt.Errorf("%d of %d waits failed; the first: %w", len(failed), n, failed[0])
	}
	return MixedResult{
		Waits:       n,
		WebSockets:  live.WebSockets,
		Connections: w.Stats().Connections,
		PerWatch:    perThing(before, after, n),
		Resolve:     last.Sub(t0),
	}, nil
}
