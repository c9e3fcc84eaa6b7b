package trust

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/captures"
	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/testsupport"
	"github.com/kronor-io/kronor-go/internal/testsupport/faultproxy"
	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/sessions"
	"github.com/kronor-io/kronor-go/subscriptions"
)

// chaosFaults are the fractions of HTTP exchanges (queries included) the
// chaos proxy faults: 20% in all, every kind mixed.
var chaosFaults = []struct {
	f faultproxy.Fault
	p float64
}{
	{faultproxy.Reset, 0.04},
	{faultproxy.CutWithLength, 0.03},
	{faultproxy.CutWithoutLength, 0.03},
	{faultproxy.HTML200, 0.03},
	{faultproxy.HTML502, 0.03},
	{faultproxy.HTML502Forwarded, 0.03},
	{faultproxy.Stall, 0.01},
}

// chaosAttempts bounds each call's attempts: 20% of attempts fail, so all
// of them fail with probability 0.2^20, about 1e-14.
const chaosAttempts = 20

// chaosWait bounds a flow's wait for its watch to start.
const chaosWait = 30 * time.Second

// chaosGiveUps bounds how many times a flow calls a step again after the
// client gave up on it: an impatient flow's call fails 11 times in a row
// with probability 0.2^11, about 2e-8.
const chaosGiveUps = 10

// chaosFlow is one order of the chaos run: a session by reference check, a
// Swish or card payment that the customer approves or declines (decided by
// the test), a wait for its outcome, and a capture of an approved card
// payment.
type chaosFlow struct {
	order   string
	amount  int64
	card    bool
	approve bool
	// live: the customer decides once the wait is under way (registered
	// with the watcher, after its first read), so the outcome reaches the
	// wait over the websocket, or over HTTP while it is down; otherwise
	// before the wait, whose first read finds it.
	live bool
	// impatient: the flow's calls make one attempt each, so that the
	// client gives up on a fifth of them and the flow calls them again
	// with the error's key.
	impatient bool
}

// chaosResult is what a flow observed.
type chaosResult struct {
	giveUps int // calls the client gave up on (ErrTemporary), called again
}

// want is what the gateway must hold for the flow: one of each, no more.
func (f chaosFlow) want() kronortest.Counts {
	c := kronortest.Counts{Sessions: 1, PaymentRequests: 1}
	if f.approve {
		c.Payments = 1
		if f.card {
			c.Captures = 1
		}
	}
	return c
}

// again calls step until it succeeds, at most chaosGiveUps+1 times. Every
// failure must be the client giving up (ErrTemporary) with the key the call
// was sent with; step is given that key for the next call ("" the first
// time, or when fresh is set: the step takes no key).
func (r *chaosResult) again(what string, fresh bool, step func(key string) error) error {
	key := ""
	for n := 0; ; n++ {
		err := step(key)
		if err == nil {
			return nil
		}
		var e *client.Error
		if !errors.Is(err, client.ErrTemporary) || !errors.As(err, &e) || e.IdempotencyKey == "" {
			return fmt.Errorf("%s: %w (want success or ErrTemporary with a key)", what, err)
		}
		if n == chaosGiveUps {
			return fmt.Errorf("%s: still failing after %d calls: %w", what, n+1, err)
		}
		r.giveUps++
		if !fresh {
			key = e.IdempotencyKey
		}
	}
}

// run runs the flow with the merchant client; w is a watcher that serves
// no other wait meanwhile.
func (f chaosFlow) run(ctx context.Context, srv *kronortest.Server, merchant *client.Client, w *subscriptions.Watcher) (chaosResult, error) {
	var res chaosResult
	params := sessions.Params{
		Amount:            f.amount,
		Currency:          sessions.CurrencySEK,
		Country:           sessions.CountrySE,
		MerchantReference: f.order,
		Message:           message(f.order),
		ExpiresAt:         time.Now().Add(time.Hour),
	}
	var rc *sessions.ReferenceCheck
	if err := res.again("create session", true, func(string) (err error) {
		rc, err = sessions.CreateWithReferenceCheck(ctx, merchant, params)
		return err
	}); err != nil {
		return res, err
	}
	if rc.AlreadyPaid() {
		return res, fmt.Errorf("a new order reported already paid (payment %d)", rc.PaymentID)
	}

	sc := rc.Client(merchant)
	var started *payments.Started
	if err := res.again("start payment", false, func(key string) (err error) {
		redirect := payments.Redirect{ReturnURL: returnURL}
		if f.card {
			started, err = payments.CreditCard(ctx, sc, payments.CreditCardParams{Redirect: redirect, IdempotencyKey: key})
		} else {
			started, err = payments.Swish(ctx, sc, payments.SwishParams{Redirect: redirect, IdempotencyKey: key})
		}
		return err
	}); err != nil {
		return res, err
	}

	// Wait while the customer decides; the first read of a wait may give
	// up like any call, and the wait is then started again.
	type waited struct {
		req payments.Request
		err error
	}
	var (
		req     payments.Request
		waitErr error
		decided bool
	)
	decide := func() error {
		decided = true
		decision := srv.Decline
		if f.approve {
			decision = srv.Approve
		}
		if err := decision(started.WaitToken); err != nil {
			return fmt.Errorf("the customer's decision: %w", err)
		}
		return nil
	}
	if !f.live {
		if err := decide(); err != nil {
			return res, err
		}
	}
	err := res.again("wait", true, func(string) error {
		done := make(chan waited, 1)
		go func() {
			r, err := w.Wait(ctx, started.WaitToken)
			done <- waited{r, err}
		}()
		if !decided {
			// The wait is under way once the watcher holds it (or it
			// ended: its first read gave up).
			if !testsupport.Eventually(chaosWait, func() bool { return len(done) > 0 || w.Stats().Watches == 1 }) {
				<-done
				return fmt.Errorf("the wait of %s did not start within %v", started.WaitToken, chaosWait)
			}
			if len(done) == 0 {
				if err := decide(); err != nil {
					<-done
					return err
				}
			}
		}
		wd := <-done
		req, waitErr = wd.req, wd.err
		if errors.Is(waitErr, client.ErrTemporary) {
			return waitErr // Wait's first read gave up: wait again
		}
		if !decided {
			return fmt.Errorf("Wait of %s returned before the customer decided: %+v, %v", started.WaitToken, req, waitErr)
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	switch {
	case f.approve:
		want := payments.StatusPaid
		if f.card {
			want = payments.StatusAuthorized
		}
		if waitErr != nil || req.Status != want || req.WaitToken != started.WaitToken || req.ResultingPaymentID == 0 {
			return res, fmt.Errorf("wrong outcome: approved, and Wait returned %s %s with payment %d, %v; want %s with a payment",
				req.WaitToken, req.Status, req.ResultingPaymentID, waitErr, want)
		}
	default:
		if !errors.Is(waitErr, subscriptions.ErrDeclined) {
			return res, fmt.Errorf("wrong outcome: declined, and Wait returned %s %s, %v; want ErrDeclined", req.WaitToken, req.Status, waitErr)
		}
		return res, nil
	}
	if !f.card {
		return res, nil
	}

	key := client.DeriveIdempotencyKey(f.order, "capture", "1")
	return res, res.again("capture", false, func(string) error {
		_, err := captures.Create(ctx, merchant, captures.Params{Amount: f.amount, PaymentID: req.ResultingPaymentID, IdempotencyKey: key})
		var e *client.Error
		if errors.As(err, &e) && e.IdempotencyKey != key {
			return fmt.Errorf("the capture's error carries the key %q, it was sent with %q: %w", e.IdempotencyKey, key, err)
		}
		return err
	})
}

// TestChaosCheckoutFlows runs checkout flows concurrently through a
// byte-level proxy that faults a fifth of all HTTP exchanges, every kind
// mixed (resets after commit, answers cut short with and without a length,
// 502 pages before and after forwarding, HTML pages with 200, stalls until
// the attempt times out), and kills the watcher's websocket again and
// again while payments are waited for. The customer approves or declines
// each payment at random. Every flow must finish; a call the client gives
// up on must be ErrTemporary with its key, and is called again with it.
// The gateway must hold exactly one session and payment request per order,
// one payment per approved order and one capture per approved card order
// (0 duplicates), and every Wait must report what the customer decided (0
// wrong outcomes).
func TestChaosCheckoutFlows(t *testing.T) {
	flows, workers := 200, 8
	if *long {
		flows = 2000
	}
	p := newProxied(t, nil, faultproxy.WithSeed(10))
	srv, px := p.srv, p.px
	// A stall ends when the attempt times out: short attempts keep the run
	// short, and a healthy attempt that a loaded machine makes slower is
	// retried like any other failure.
	attempt := client.WithAttemptTimeout(500 * time.Millisecond)
	merchant := p.client(t, client.WithMaxAttempts(chaosAttempts), attempt, client.WithTimeout(time.Minute))
	impatient := p.client(t, client.WithMaxAttempts(1), attempt)
	for _, cf := range chaosFaults {
		px.FailFraction(cf.p, cf.f)
	}

	rng := rand.New(rand.NewPCG(10, 20))
	all := make([]chaosFlow, flows)
	decided := map[bool]int{}
	for i := range all {
		all[i] = chaosFlow{
			order: fmt.Sprintf("chaos-%05d", i), amount: int64(1000 + i),
			card: rng.IntN(2) == 0, approve: rng.IntN(3) > 0, live: rng.IntN(4) > 0,
			impatient: i%4 == 3,
		}
		decided[all[i].approve]++
	}

	// The killer kills every websocket every 100 ms, at most flows/2
	// times, and stops with the flows.
	stop := make(chan struct{})
	var kills, killed int
	var killer sync.WaitGroup
	killer.Go(func() {
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for kills < flows/2 {
			select {
			case <-tick.C:
				killed += px.KillWebSockets()
				kills++
			case <-stop:
				return
			}
		}
	})

	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	var (
		next, failed, giveUps atomic.Int64
		wg                    sync.WaitGroup
		slowest               slowestFlow
		watcherStats          = make([]subscriptions.Stats, workers)
	)
	for worker := range workers {
		wg.Go(func() {
			// A watcher per worker, so that a flow can tell when its own
			// wait is under way from the watcher's Stats.
			w, err := subscriptions.NewWatcher(merchant,
				subscriptions.WithPollInterval(100*time.Millisecond),
				subscriptions.WithReconnectBackoff(10*time.Millisecond, 200*time.Millisecond))
			if err != nil {
				t.Error(err)
				return
			}
			defer func() {
				watcherStats[worker] = w.Stats()
				_ = w.Close()
			}()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(all) {
					return
				}
				began := time.Now()
				c := merchant
				if all[i].impatient {
					c = impatient
				}
				res, err := all[i].run(ctx, srv, c, w)
				giveUps.Add(int64(res.giveUps))
				if err != nil {
					failed.Add(1)
					t.Errorf("flow %+v: %v", all[i], err)
				}
				slowest.note(all[i].order, time.Since(began))
			}
		})
	}
	wg.Wait()
	close(stop)
	killer.Wait()
	elapsed := time.Since(start)
	if failed.Load() > 0 {
		t.Fatalf("%d of %d flows failed", failed.Load(), flows)
	}

	duplicates := 0
	var want kronortest.Counts
	for _, f := range all {
		if got := srv.Counts(f.order); got != f.want() {
			duplicates++
			t.Errorf("order %s (card %v, approve %v): gateway holds %+v, want %+v", f.order, f.card, f.approve, got, f.want())
		}
		w := f.want()
		want.Sessions += w.Sessions
		want.PaymentRequests += w.PaymentRequests
		want.Payments += w.Payments
		want.Captures += w.Captures
	}
	if got := srv.Totals(); got != want {
		t.Errorf("gateway totals %+v, want %+v", got, want)
	}

	// The chaos really happened: every kind of fault, and websockets
	// killed while payments were waited for.
	s := px.Stats()
	for _, cf := range chaosFaults {
		if s.Faults[cf.f] == 0 {
			t.Errorf("no exchange was faulted with %s: %v", cf.f, s)
		}
	}
	var connections, reads int64
	for _, ws := range watcherStats {
		connections += ws.Connections
		reads += ws.HTTPReads
	}
	if giveUps.Load() == 0 {
		t.Errorf("the client gave up on none of the impatient flows' calls")
	}
	if killed == 0 || connections < 2 {
		t.Errorf("%d kills killed %d websockets, and the watchers connected %d times: want websockets killed and replaced; %v", kills, killed, connections, s)
	}
	t.Logf("%d flows (%d workers; %d approved, %d declined) in %v (slowest %s, %v): 0 duplicates, 0 wrong outcomes; %d calls given up on and called again; %d kills killed %d websockets, the watchers connected %d times and read %d times over HTTP; gateway served %d HTTP requests; proxy: %v",
		flows, workers, decided[true], decided[false], elapsed.Round(time.Millisecond), slowest.order, slowest.d.Round(time.Millisecond),
		giveUps.Load(), kills, killed, connections, reads, srv.Requests(), s)
}
