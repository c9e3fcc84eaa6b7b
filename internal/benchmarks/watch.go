package benchmarks

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/api"
	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/subscriptions"
)

// Latencies summarises a set of latency samples.
type Latencies struct {
	// Samples is the number of samples.
	Samples int
	// P50, P99 and Max are the 50th and 99th percentiles (nearest rank)
	// and the largest sample.
	P50, P99, Max time.Duration
}

// summarise sorts samples and returns their percentiles.
func summarise(samples []time.Duration) Latencies {
	slices.Sort(samples)
	return Latencies{
		Samples: len(samples),
		P50:     percentile(samples, 50),
		P99:     percentile(samples, 99),
		Max:     percentile(samples, 100),
	}
}

// percentile returns the p-th percentile (nearest rank) of sorted samples.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// waitUntil calls cond every interval until it holds, the context ends or
// timeout passes.
func waitUntil(ctx context.Context, timeout, interval time.Duration, what string, cond func() (bool, error)) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		ok, err := cond()
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", what, ctx.Err())
		}
	}
}

// allSubscribed waits until w and g both count n subscriptions, and
// returns the gateway's live counts then.
func allSubscribed(ctx context.Context, w *subscriptions.Watcher, g Gateway, n int, timeout time.Duration) (kronortest.Live, error) {
	var live kronortest.Live
	err := waitUntil(ctx, timeout, 10*time.Millisecond, fmt.Sprintf("%d subscriptions", n), func() (bool, error) {
		if w.Stats().Subscriptions != n {
			return false, nil
		}
		l, err := g.Live()
		live = l
		return l.Subscriptions == n, err
	})
	return live, err
}

// waitResult is what a Wait returned, and when.
type waitResult struct {
	at  time.Time
	req payments.Request
	err error
}

func (r waitResult) check(token string) error {
	switch {
	case r.err != nil:
		return fmt.Errorf("Wait(%s): %w", token, r.err)
	case r.req.Status != payments.StatusPaid:
		return fmt.Errorf("Wait(%s) returned %s, want PAID", token, r.req.Status)
	}
	return nil
}

// WatchLatency measures the time from the gateway's status change to
// subscriptions.Watcher.Wait returning. It starts n Swish payment requests
// through merchant, waits for all of them on one watcher (made with
// opts), and once all are subscribed approves them one at a time, each after
// the previous wait returned: a sample runs from just before Gateway.Approve
// to its Wait returning.
func WatchLatency(ctx context.Context, g Gateway, merchant *client.Client, n int, opts ...subscriptions.Option) (Latencies, error) {
	tokens, err := StartSwish(ctx, merchant, n, 100, 2)
	if err != nil {
		return Latencies{}, err
	}
	w, err := subscriptions.NewWatcher(merchant, watcherOptions(opts)...)
	if err != nil {
		return Latencies{}, err
	}
	var wg sync.WaitGroup
	defer func() {
		_ = w.Close() // ends any wait left
		wg.Wait()
	}()
	results := make([]chan waitResult, n)
	for i, tok := range tokens {
		ch := make(chan waitResult, 1)
		results[i] = ch
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := w.Wait(ctx, tok)
			ch <- waitResult{time.Now(), r, err}
		}()
	}
	if _, err := allSubscribed(ctx, w, g, n, time.Minute); err != nil {
		return Latencies{}, err
	}
	lat := make([]time.Duration, 0, n)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for i, tok := range tokens {
		t0 := time.Now()
		if _, err := g.Approve(tok); err != nil {
			return Latencies{}, err
		}
		timer.Reset(10 * time.Second)
		select {
		case r := <-results[i]:
			if err := r.check(tok); err != nil {
				return Latencies{}, err
			}
			lat = append(lat, r.at.Sub(t0))
		case <-timer.C:
			return Latencies{}, fmt.Errorf("Wait(%s) did not return within 10s of the approval", tok)
		case <-ctx.Done():
			return Latencies{}, ctx.Err()
		}
	}
	return summarise(lat), nil
}

// PollLatency is WatchLatency's baseline: the time from the gateway's
// status change to a loop that polls the payment request over HTTP every
// interval (api.PollPaymentRequest, the query the watcher itself reads
// with) seeing it PAID. It starts n Swish payment requests through merchant
// and a polling loop for each, their phases spread evenly over the interval,
// then approves them all, one after another: a sample runs from just before
// its Gateway.Approve to its loop seeing PAID. It takes about two intervals.
func PollLatency(ctx context.Context, g Gateway, merchant *client.Client, n int, interval time.Duration) (Latencies, error) {
	tokens, err := StartSwish(ctx, merchant, n, 100, 2)
	if err != nil {
		return Latencies{}, err
	}
	ids := make([]uuid.UUID, n)
	for i, tok := range tokens {
		if ids[i], err = uuid.Parse(tok); err != nil {
			return Latencies{}, err
		}
	}
	base := time.Now()
	approvedAt := make([]atomic.Int64, n) // since base
	type sample struct {
		lat time.Duration
		err error
	}
	out := make(chan sample, n)
	var ready, running sync.WaitGroup
	ctx, cancel := context.WithCancel(ctx)
	defer running.Wait()
	defer cancel()
	ready.Add(n)
	for i, id := range ids {
		running.Add(1)
		go func() {
			defer running.Done()
			signal := sync.OnceFunc(ready.Done)
			defer signal()
			phase := time.NewTimer(time.Duration(i) * interval / time.Duration(n))
			defer phase.Stop()
			select {
			case <-phase.C:
			case <-ctx.Done():
				return
			}
			tick := time.NewTicker(interval)
			defer tick.Stop()
			for {
				resp, err := api.PollPaymentRequest(ctx, merchant, id)
				if err != nil {
					out <- sample{err: err}
					return
				}
				if paid(resp) {
					out <- sample{lat: time.Since(base) - time.Duration(approvedAt[i].Load())}
					return
				}
				signal()
				select {
				case <-tick.C:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	allReady := make(chan struct{})
	go func() { ready.Wait(); close(allReady) }()
	select {
	case <-allReady:
	case <-ctx.Done():
		return Latencies{}, ctx.Err()
	}
	for i, tok := range tokens {
		approvedAt[i].Store(int64(time.Since(base)))
		if _, err := g.Approve(tok); err != nil {
			return Latencies{}, err
		}
	}
	lat := make([]time.Duration, 0, n)
	timeout := time.NewTimer(2*interval + 10*time.Second)
	defer timeout.Stop()
	for range n {
		select {
		case s := <-out:
			if s.err != nil {
				return Latencies{}, s.err
			}
			lat = append(lat, s.lat)
		case <-timeout.C:
			return Latencies{}, errors.New("polling loops did not all see PAID in time")
		}
	}
	return summarise(lat), nil
}

// paid reports whether the polled request's current status is PAID.
func paid(resp *api.PollPaymentRequestResponse) bool {
	for _, r := range resp.PaymentRequests {
		for _, s := range r.Status {
			if payments.Status(s.Status) == payments.StatusPaid {
				return true
			}
		}
	}
	return false
}

// Memory is what a number of like things cost, per thing.
type Memory struct {
	// Heap is the live heap per thing (runtime.MemStats.HeapAlloc after
	// GC, with the things minus without).
	Heap float64
	// Stack is the goroutine stack memory per thing (StackInuse).
	Stack float64
	// Goroutines is the number of goroutines per thing.
	Goroutines float64
}

type memSnapshot struct {
	heap, stack uint64
	goroutines  int
}

func snapshot() memSnapshot {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return memSnapshot{heap: ms.HeapAlloc, stack: ms.StackInuse, goroutines: runtime.NumGoroutine()}
}

func perThing(before, after memSnapshot, n int) Memory {
	return Memory{
		Heap:       (float64(after.heap) - float64(before.heap)) / float64(n),
		Stack:      (float64(after.stack) - float64(before.stack)) / float64(n),
		Goroutines: float64(after.goroutines-before.goroutines) / float64(n),
	}
}

// IdleGoroutines is ConcurrentWaits' memory baseline: what n goroutines
// cost that do nothing but block receiving from one channel, the least any
// blocking call costs its caller.
func IdleGoroutines(n int) Memory {
	block := make(chan struct{})
	var started, ended sync.WaitGroup
	before := snapshot()
	started.Add(n)
	ended.Add(n)
	for range n {
		go func() {
			defer ended.Done()
			started.Done()
			<-block
		}()
	}
	started.Wait()
	after := snapshot()
	close(block)
	ended.Wait()
	return perThing(before, after, n)
}

// ConcurrentResult is the outcome of ConcurrentWaits.
type ConcurrentResult struct {
	// Waits is the number of concurrent waits.
	Waits int
	// WebSockets is the number of websockets live at the gateway while
	// every wait was subscribed.
	WebSockets int
	// Connections is the number of websocket connections the watcher made.
	Connections int64
	// PerWatch is the memory of this process per wait, measured after GC
	// before the watcher was made and with every wait subscribed: the
	// watcher's state, and the waiting goroutines (the callers' own).
	PerWatch Memory
	// Subscribe is the time from starting the waits to all of them being
	// subscribed at the gateway (each first reads its request over HTTP).
	Subscribe time.Duration
	// Gateway is the time the gateway took to apply every approval, its
	// loop over the requests alone.
	Gateway time.Duration
	// Delivered is the time the gateway took to apply every approval and
	// send each resulting change to the watcher: from its first approval
	// to its last push. The pushes are sent asynchronously, most of them
	// after the loop of Gateway has ended.
	Delivered time.Duration
	// Pushes is the number of subscription results the gateway sent from
	// the approvals to the last Wait returning: one per wait.
	Pushes int64
	// Resolve is the time from asking the gateway to approve every request
	// to the last Wait returning.
	Resolve time.Duration
	// AfterApprovals is the time from the gateway's answer that it approved
	// every request to the last Wait returning.
	AfterApprovals time.Duration
	// AfterPushes is Resolve less Delivered: the time from the gateway's
	// last push to the last Wait returning, with the approve command's trip
	// to the gateway.
	AfterPushes time.Duration
}

// ConcurrentWaits starts n Swish payment requests through merchant, waits
// for all of them concurrently on one watcher (made with opts), and once
// every wait is subscribed approves them all and times how long it takes for
// every wait to return PAID, beside the gateway's own time applying the
// approvals and sending their pushes (Delivered). Give it a RemoteGateway,
// so that the memory measured in this process is the watcher's alone;
// merchant's transport should bound its connections (NewMerchant), or the
// waits' first reads open a socket each.
func ConcurrentWaits(ctx context.Context, g Gateway, merchant *client.Client, n int, opts ...subscriptions.Option) (ConcurrentResult, error) {
	tokens, err := StartSwish(ctx, merchant, n, 100, 4)
	if err != nil {
		return ConcurrentResult{}, err
	}
	// Each wait writes its own result: 10,000 waits returning together do
	// not queue on a lock of the benchmark's. Allocated before the memory
	// is measured, so it is not counted as the watcher's.
	results := make([]waitResult, n)
	before := snapshot()
	w, err := subscriptions.NewWatcher(merchant, watcherOptions(opts)...)
	if err != nil {
		return ConcurrentResult{}, err
	}
	var wg sync.WaitGroup
	defer func() {
		_ = w.Close() // ends any wait left
		wg.Wait()
	}()
	start := time.Now()
	for i, tok := range tokens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := w.Wait(ctx, tok)
			results[i] = waitResult{time.Now(), r, err}
		}()
	}
	live, err := allSubscribed(ctx, w, g, n, 5*time.Minute)
	if err != nil {
		return ConcurrentResult{}, err
	}
	subscribe := time.Since(start)
	after := snapshot()

	pushed0, _, err := g.Pushes()
	if err != nil {
		return ConcurrentResult{}, err
	}
	t0 := time.Now()
	gw, err := g.Approve(tokens...)
	if err != nil {
		return ConcurrentResult{}, err
	}
	approved := time.Now()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	timer := time.NewTimer(5 * time.Minute)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		return ConcurrentResult{}, errors.New("the waits did not all return within 5 minutes of the approvals")
	case <-ctx.Done():
		return ConcurrentResult{}, ctx.Err()
	}
	var (
		last   time.Duration // when the last Wait returned, since start
		failed []error
	)
	for i, r := range results {
		last = max(last, r.at.Sub(start))
		if err := r.check(tokens[i]); err != nil {
			failed = append(failed, err)
		}
	}
	if len(failed) > 0 {
		return ConcurrentResult{}, fmt.Errorf("%d of %d waits failed; the first: %w", len(failed), n, failed[0])
	}
	// Every wait returned, so every push that ended one has been sent.
	pushed, delivered, err := g.Pushes()
	if err != nil {
		return ConcurrentResult{}, err
	}
	if pushed -= pushed0; pushed < int64(n) {
		return ConcurrentResult{}, fmt.Errorf("the gateway sent %d pushes for %d waits: not every wait ended on its push", pushed, n)
	}
	resolve := last - t0.Sub(start)
	return ConcurrentResult{
		Waits:          n,
		WebSockets:     live.WebSockets,
		Connections:    w.Stats().Connections,
		PerWatch:       perThing(before, after, n),
		Subscribe:      subscribe,
		Gateway:        gw,
		Delivered:      delivered,
		Pushes:         pushed,
		Resolve:        resolve,
		AfterApprovals: last - approved.Sub(start),
		AfterPushes:    resolve - delivered,
	}, nil
}

// watcherOptions are the benchmarks' watcher options: opts, without Wait's
// charge check. The benchmarks start many payments in one session
// (StartSwish's perSession) and pay them all, which the check rightly
// reports as duplicate charges; the figures measure the watcher's
// notification path, and the check's one HTTP read per successful wait is
// not in them.
func watcherOptions(opts []subscriptions.Option) []subscriptions.Option {
	return append([]subscriptions.Option{subscriptions.WithoutChargeCheck()}, opts...)
}
