package trust

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/captures"
	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/refunds"
	"github.com/kronor-io/kronor-go/sessions"
)

const returnURL = "https://shop.example/return"

// message is a customer-facing message for an order: the gateway allows no
// hyphen in it.
func message(order string) string { return "Order " + strings.ReplaceAll(order, "-", " ") }

// The faults of the lost-response suite, as fractions of mutation requests
// (disjoint: 30% of mutations are faulted).
const (
	dropFraction      = 0.20 // committed, then the connection drops: the answer is lost
	http503Fraction   = 0.05 // refused with HTTP 503
	temporaryFraction = 0.05 // refused with a TEMPORARY_FAILURE GraphQL error
)

// lostAttempts bounds each call's attempts: 30% of attempts fail, so all
// lostAttempts fail with probability 0.3^20, about 3.5e-11.
const lostAttempts = 20

// checkoutFlow is one order: a session, a Swish payment refunded in full or a
// card payment captured in full, each step through the SDK.
type checkoutFlow struct {
	order  string
	amount int64
	card   bool
}

func (f checkoutFlow) run(ctx context.Context, srv *kronortest.Server, merchant *client.Client) error {
	s, err := sessions.Create(ctx, merchant, sessions.Params{
		Amount:            f.amount,
		Currency:          sessions.CurrencySEK,
		MerchantReference: f.order,
		Message:           message(f.order),
		ExpiresAt:         time.Now().Add(time.Hour),
	})
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	sc := s.Client(merchant)
	redirect := payments.Redirect{ReturnURL: returnURL}
	var started *payments.Started
	if f.card {
		started, err = payments.CreditCard(ctx, sc, payments.CreditCardParams{Redirect: redirect})
	} else {
		started, err = payments.Swish(ctx, sc, payments.SwishParams{Redirect: redirect})
	}
	if err != nil {
		return fmt.Errorf("start payment: %w", err)
	}
	if err := srv.Approve(started.WaitToken); err != nil {
		return fmt.Errorf("approve: %w", err)
	}
	req, err := payments.Latest(ctx, sc)
	if err != nil {
		return fmt.Errorf("latest payment request: %w", err)
	}
	want := payments.StatusPaid
	if f.card {
		want = payments.StatusAuthorized
	}
	if req.WaitToken != started.WaitToken || req.Status != want || req.ResultingPaymentID == 0 {
		return fmt.Errorf("payment request %s is %s with payment %d; want %s (%s) with a payment",
			req.WaitToken, req.Status, req.ResultingPaymentID, started.WaitToken, want)
	}
	if f.card {
		rc, err := captures.Create(ctx, merchant, captures.Params{Amount: f.amount, PaymentID: req.ResultingPaymentID})
		if err != nil {
			return fmt.Errorf("capture: %w", err)
		}
		c, err := captures.Get(ctx, merchant, rc.ID)
		if err != nil {
			return fmt.Errorf("read capture: %w", err)
		}
		if c.Status != captures.StatusDone || c.Amount != f.amount {
			return fmt.Errorf("capture %d is %s for %d; want %s for %d", c.ID, c.Status, c.Amount, captures.StatusDone, f.amount)
		}
		return nil
	}
	rr, err := refunds.Create(ctx, merchant, refunds.Params{Amount: f.amount, PaymentID: req.ResultingPaymentID, Message: "Refund"})
	if err != nil {
		return fmt.Errorf("refund: %w", err)
	}
	r, err := refunds.Get(ctx, merchant, rr.WaitToken)
	if err != nil {
		return fmt.Errorf("read refund: %w", err)
	}
	if r.Status != refunds.StatusPaid || r.Amount != f.amount {
		return fmt.Errorf("refund %s is %s for %d; want %s for %d", r.WaitToken, r.Status, r.Amount, refunds.StatusPaid, f.amount)
	}
	return nil
}

// want is what the gateway must hold for the flow: one of each, no more.
func (f checkoutFlow) want() kronortest.Counts {
	c := kronortest.Counts{Sessions: 1, PaymentRequests: 1, Payments: 1}
	if f.card {
		c.Captures = 1
	} else {
		c.Refunds = 1
	}
	return c
}

// TestLostResponsesDuplicateNothing runs checkout flows concurrently while the
// gateway loses the answers of 20% of mutations after committing them and
// refuses another 10% with HTTP 503 or TEMPORARY_FAILURE. Every flow must
// finish, and the gateway must hold exactly one session, payment request,
// payment and capture or refund per flow: the SDK's retries, which resend
// each mutation with its idempotency key, create nothing twice.
func TestLostResponsesDuplicateNothing(t *testing.T) {
	flows, workers := 1000, 24
	if *long {
		flows = 10000
	}
	faults := newCounter("fault", "operation")
	slow := &slowAttempts{over: time.Second}
	// Captures and refunds settle as the next request is served: a flow
	// reads its end right after creating it.
	g := newGateway(t, []kronortest.Option{kronortest.WithSeed(7), kronortest.WithLogger(slog.New(faults)), kronortest.WithSettleDelay(0)},
		client.WithMaxAttempts(lostAttempts), client.WithLogger(slog.New(slow)))
	srv := g.srv
	srv.FailFraction(dropFraction, kronortest.FaultMutationsOnly(kronortest.FaultDropAfterCommit))
	srv.FailFraction(http503Fraction, kronortest.FaultMutationsOnly(kronortest.FaultHTTP503))
	srv.FailFraction(temporaryFraction, kronortest.FaultMutationsOnly(kronortest.FaultTemporaryFailure))

	all := make([]checkoutFlow, flows)
	for i := range all {
		all[i] = checkoutFlow{order: fmt.Sprintf("lost-%05d", i), amount: int64(1000 + i), card: i%2 == 1}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	var (
		next    atomic.Int64
		failed  atomic.Int64
		wg      sync.WaitGroup
		slowest slowestFlow
	)
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(all) {
					return
				}
				began := time.Now()
				if err := all[i].run(ctx, srv, g.merchant); err != nil {
					failed.Add(1)
					t.Errorf("flow %s: %v", all[i].order, err)
				}
				slowest.note(all[i].order, time.Since(began))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if failed.Load() > 0 {
		t.Fatalf("%d of %d flows failed", failed.Load(), flows)
	}

	var want kronortest.Counts
	for _, f := range all {
		if got := srv.Counts(f.order); got != f.want() {
			t.Errorf("order %s: gateway holds %+v, want %+v", f.order, got, f.want())
		}
		w := f.want()
		want.Sessions += w.Sessions
		want.PaymentRequests += w.PaymentRequests
		want.Payments += w.Payments
		want.Captures += w.Captures
		want.Refunds += w.Refunds
	}
	if got := srv.Totals(); got != want {
		t.Errorf("gateway totals %+v, want %+v", got, want)
	}

	// The faults really happened, in about the proportions set, to every
	// kind of mutation. Each flow sends 2 queries (never faulted) and 3
	// mutations, and each fault costs one retry.
	drop := kronortest.FaultMutationsOnly(kronortest.FaultDropAfterCommit).String()
	drops := faults.sum(func(k string) bool { return strings.HasPrefix(k, drop) })
	refused := faults.sum(func(k string) bool { return !strings.HasPrefix(k, drop) })
	requests := srv.Requests()
	mutations := requests - 2*flows
	if mutations != 3*flows+drops+refused {
		t.Errorf("%d mutation requests; want the 3 of each of %d flows plus one retry for each of %d faults", mutations, flows, drops+refused)
	}
	for _, c := range []struct {
		name string
		n    int
		p    float64
	}{{"dropped after commit", drops, dropFraction}, {"refused", refused, http503Fraction + temporaryFraction}} {
		if got := float64(c.n) / float64(mutations); got < c.p*0.8 || got > c.p*1.2 {
			t.Errorf("%s: %d of %d mutations (%.3f), want about %.2f", c.name, c.n, mutations, got, c.p)
		}
	}
	for _, op := range []string{"NewPaymentSession", "NewSwishPayment", "NewCreditCardPayment", "NewPaymentCapture", "RefundPayment"} {
		if faults.sum(func(k string) bool { return k == drop+" / "+op }) == 0 {
			t.Errorf("no answer to %s was lost; faults: %v", op, faults)
		}
	}
	t.Logf("%d flows (%d workers) in %v (slowest flow %s, %v): %d requests, %d of them mutations; %d answers lost after commit, %d refused; gateway totals %+v; faults by kind and operation:%v",
		flows, workers, elapsed.Round(time.Millisecond), slowest.order, slowest.d.Round(time.Millisecond), requests, mutations, drops, refused, srv.Totals(), faults)
	if recs := slow.records(); len(recs) > 0 {
		n := len(recs)
		t.Logf("%d attempts took over %v; the first ones:\n\t%s", n, slow.over, strings.Join(recs[:min(n, 10)], "\n\t"))
	}
}

// slowestFlow remembers the longest flow.
type slowestFlow struct {
	mu    sync.Mutex
	order string
	d     time.Duration
}

func (s *slowestFlow) note(order string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d > s.d {
		s.order, s.d = order, d
	}
}

// TestRestartCreatesNothingTwice abandons an order half-way, as a process
// that crashes or gives up after losing a response would, and then runs the
// whole order again from the start in a new process (a new client) with the
// same merchant reference and the same derived idempotency keys. Whatever the
// step at which the first process gave up, the gateway ends with exactly one
// of everything, and the second process sees the objects the first created.
func TestRestartCreatesNothingTwice(t *testing.T) {
	g := newGateway(t, []kronortest.Option{kronortest.WithSettleDelay(0)}) // captures and refunds read at once are settled
	srv := g.srv
	steps := []string{"session", "payment", "capture or refund"}
	for _, card := range []bool{false, true} {
		for abandon := range steps {
			method := "swish"
			if card {
				method = "card"
			}
			order := fmt.Sprintf("restart-%s-%d", method, abandon)
			t.Run(fmt.Sprintf("%s/lost %s", method, steps[abandon]), func(t *testing.T) {
				o := restartOrder{order: order, amount: 4200, card: card, expiresAt: time.Now().Add(time.Hour)}
				// The first process makes one attempt per call and gives
				// up when the answer is lost.
				first := newClient(t, srv, srv.MerchantToken(), client.WithMaxAttempts(1))
				got, err := o.run(t.Context(), srv, first, abandon)
				if !errors.Is(err, client.ErrTemporary) {
					t.Fatalf("first process: err = %v, want the lost answer (ErrTemporary)", err)
				}
				// The gateway committed the step whose answer was lost.
				committed := o.prefix(abandon + 1)
				if c := srv.Counts(order); c != committed {
					t.Fatalf("after the first process the gateway holds %+v, want %+v", c, committed)
				}

				second := newClient(t, srv, srv.MerchantToken())
				again, err := o.run(t.Context(), srv, second, -1)
				if err != nil {
					t.Fatalf("second process: %v", err)
				}
				if c := srv.Counts(order); c != o.prefix(len(steps)) {
					t.Fatalf("after the restart the gateway holds %+v, want %+v", c, o.prefix(len(steps)))
				}
				// The second process was answered with what the first
				// created, up to where the first got answers.
				if abandon > 0 && again.sessionToken != got.sessionToken {
					t.Errorf("session token %q after the restart, %q before", again.sessionToken, got.sessionToken)
				}
				if abandon > 1 && again.waitToken != got.waitToken {
					t.Errorf("wait token %q after the restart, %q before", again.waitToken, got.waitToken)
				}
				// Exactly one capture or refund is on the payment.
				if card {
					p, err := payments.Get(t.Context(), second, again.paymentID)
					if err != nil {
						t.Fatal(err)
					}
					if p.AmountPaid != o.amount || p.Status != payments.StatusPaid {
						t.Errorf("payment %d: paid %d, %s; want %d, PAID", p.ID, p.AmountPaid, p.Status, o.amount)
					}
				} else {
					rs, err := refunds.List(t.Context(), second, again.paymentID)
					if err != nil {
						t.Fatal(err)
					}
					if len(rs) != 1 || rs[0].WaitToken != again.settleID {
						t.Errorf("refunds of payment %d: %+v, want one, %s", again.paymentID, rs, again.settleID)
					}
				}
			})
		}
	}

	// The control experiment: a second refund for the same order with a
	// fresh key instead of the derived one is a new refund, and the counts
	// show it. This is what the derived keys prevent.
	t.Run("control: a new key refunds twice", func(t *testing.T) {
		o := restartOrder{order: "restart-control", amount: 4200, expiresAt: time.Now().Add(time.Hour), partial: true}
		res, err := o.run(t.Context(), srv, g.merchant, -1)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := refunds.Create(t.Context(), g.merchant, refunds.Params{Amount: o.amount / 2, PaymentID: res.paymentID, Message: "Refund"}); err != nil {
			t.Fatal(err)
		}
		if c := srv.Counts(o.order); c.Refunds != 2 {
			t.Fatalf("gateway holds %+v, want the two refunds", c)
		}
	})
}

// restartOrder is an order as a merchant's service stores it: everything a
// restarted process needs to send the same requests again.
type restartOrder struct {
	order     string
	amount    int64
	card      bool
	expiresAt time.Time
	partial   bool // refund half, leaving room for the control experiment
}

type restartResult struct {
	sessionToken, waitToken, settleID string
	paymentID                         int64
}

// prefix is what the gateway holds once the first n steps are done.
func (o restartOrder) prefix(n int) kronortest.Counts {
	var c kronortest.Counts
	if n >= 1 {
		c.Sessions = 1
	}
	if n >= 2 {
		c.PaymentRequests = 1
	}
	if n >= 3 {
		c.Payments = 1 // approved before the third step
		if o.card {
			c.Captures = 1
		} else {
			c.Refunds = 1
		}
	}
	return c
}

// run runs the order from the start with keys derived from it. When lose is
// a step's index, the answer to that step's request is lost after the gateway
// commits it.
func (o restartOrder) run(ctx context.Context, srv *kronortest.Server, merchant *client.Client, lose int) (restartResult, error) {
	var res restartResult
	loseIf := func(step int) {
		if step == lose {
			srv.FailNext(1, kronortest.FaultMutationsOnly(kronortest.FaultDropAfterCommit))
		}
	}
	loseIf(0)
	s, err := sessions.Create(ctx, merchant, sessions.Params{
		Amount:            o.amount,
		Currency:          sessions.CurrencySEK,
		MerchantReference: o.order,
		Message:           message(o.order),
		ExpiresAt:         o.expiresAt,
		IdempotencyKey:    client.DeriveIdempotencyKey(o.order, "session"),
	})
	if err != nil {
		return res, fmt.Errorf("create session: %w", err)
	}
	res.sessionToken = s.Token
	sc := s.Client(merchant)
	redirect := payments.Redirect{ReturnURL: returnURL}
	loseIf(1)
	var started *payments.Started
	if o.card {
		started, err = payments.CreditCard(ctx, sc, payments.CreditCardParams{Redirect: redirect, IdempotencyKey: client.DeriveIdempotencyKey(o.order, "card", "1")})
	} else {
		started, err = payments.Swish(ctx, sc, payments.SwishParams{Redirect: redirect, IdempotencyKey: client.DeriveIdempotencyKey(o.order, "swish", "1")})
	}
	if err != nil {
		return res, fmt.Errorf("start payment: %w", err)
	}
	res.waitToken = started.WaitToken
	// The customer pays once; a restarted process finds the payment done.
	req, err := payments.Latest(ctx, sc)
	if err != nil {
		return res, fmt.Errorf("latest payment request: %w", err)
	}
	if req.Status == payments.StatusWaitingForPayment {
		if err := srv.Approve(started.WaitToken); err != nil {
			return res, err
		}
		if req, err = payments.Latest(ctx, sc); err != nil {
			return res, fmt.Errorf("latest payment request: %w", err)
		}
	}
	if req.WaitToken != started.WaitToken || req.ResultingPaymentID == 0 {
		return res, fmt.Errorf("latest request %+v, want %s with a payment", req, started.WaitToken)
	}
	res.paymentID = req.ResultingPaymentID
	loseIf(2)
	if o.card {
		rc, err := captures.Create(ctx, merchant, captures.Params{
			Amount: o.amount, PaymentID: res.paymentID,
			IdempotencyKey: client.DeriveIdempotencyKey(o.order, "capture", "1"),
		})
		if err != nil {
			return res, fmt.Errorf("capture: %w", err)
		}
		res.settleID = fmt.Sprint(rc.ID)
		return res, nil
	}
	amount := o.amount
	if o.partial {
		amount /= 2
	}
	rr, err := refunds.Create(ctx, merchant, refunds.Params{
		Amount: amount, PaymentID: res.paymentID, Message: "Refund",
		IdempotencyKey: client.DeriveIdempotencyKey(o.order, "refund", "1"),
	})
	if err != nil {
		return res, fmt.Errorf("refund: %w", err)
	}
	res.settleID = rr.WaitToken
	return res, nil
}
