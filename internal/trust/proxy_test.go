package trust

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/kronor-io/kronor-go/captures"
	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/testsupport/faultproxy"
	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/refunds"
	"github.com/kronor-io/kronor-go/sessions"
)

// proxied is a fake gateway behind a byte-level fault proxy: a merchant
// client straight to the gateway prepares each case and checks its result,
// and the calls under test go through the proxy.
type proxied struct {
	srv    *kronortest.Server
	px     *faultproxy.Proxy
	direct *client.Client
}

// newProxied starts a gateway with srvOpts and a proxy with pxOpts in front
// of it, both closed when the test ends.
func newProxied(t testing.TB, srvOpts []kronortest.Option, pxOpts ...faultproxy.Option) *proxied {
	t.Helper()
	srv := kronortest.NewServer(srvOpts...)
	t.Cleanup(srv.Close)
	px, err := faultproxy.New(srv.URL(), pxOpts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = px.Close() }) // before the gateway's Close
	return &proxied{srv: srv, px: px, direct: newClient(t, srv, srv.MerchantToken())}
}

// client returns a merchant client of the gateway through the proxy, on a
// transport of its own, with quick retries.
func (p *proxied) client(t testing.TB, opts ...client.Option) *client.Client {
	t.Helper()
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	t.Cleanup(tr.CloseIdleConnections)
	c, err := client.New(p.srv.MerchantToken(), append([]client.Option{
		client.WithEndpoint(p.px.URL()),
		client.WithHTTPClient(&http.Client{Transport: tr}),
		client.WithBackoff(time.Millisecond, 5*time.Millisecond),
	}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A mutationCase is one kind of mutation a merchant sends. prepare makes,
// straight at the gateway, what the mutation needs (a session, an approved
// payment) for order and returns the call under test: do sends the
// mutation with the merchant client via (through the proxy) and the
// idempotency key key ("" to let the SDK choose one) and returns the
// created object's id; check proves with the direct client that the object
// exists.
type mutationCase struct {
	name    string
	prepare func(ctx context.Context, p *proxied, order string) (mutationCall, error)
	// want is what the gateway holds for the order once the call is done.
	want kronortest.Counts
	// freshKey: the call takes no key from its caller (the SDK makes a
	// fresh one for every call, as CreateWithReferenceCheck does); the
	// merchant retries it without one and the gateway's own duplicate
	// check finds the first call's object.
	freshKey bool
}

type mutationCall struct {
	do    func(ctx context.Context, via *client.Client, key string) (id string, err error)
	check func(ctx context.Context, id string) error
}

const proxyAmount = 4200

func proxySessionParams(order string) sessions.Params {
	return sessions.Params{
		Amount:            proxyAmount,
		Currency:          sessions.CurrencySEK,
		Country:           sessions.CountrySE,
		MerchantReference: order,
		Message:           message(order),
		ExpiresAt:         time.Now().Add(time.Hour),
	}
}

// sessionWorks proves a session token is the gateway's: it reads the
// session's payment requests with it.
func sessionWorks(ctx context.Context, p *proxied, token string) error {
	_, err := payments.List(ctx, (&sessions.Session{Token: token}).Client(p.direct))
	return err
}

// paidSession makes a session for order and pays it by card (AUTHORIZED) or
// Swish (PAID), straight at the gateway, and returns the payment's id.
func paidSession(ctx context.Context, p *proxied, order string, card bool) (int64, error) {
	s, err := sessions.Create(ctx, p.direct, proxySessionParams(order))
	if err != nil {
		return 0, err
	}
	sc := s.Client(p.direct)
	redirect := payments.Redirect{ReturnURL: returnURL}
	var started *payments.Started
	if card {
		started, err = payments.CreditCard(ctx, sc, payments.CreditCardParams{Redirect: redirect})
	} else {
		started, err = payments.Swish(ctx, sc, payments.SwishParams{Redirect: redirect})
	}
	if err != nil {
		return 0, err
	}
	if err := p.srv.Approve(started.WaitToken); err != nil {
		return 0, err
	}
	req, err := payments.Latest(ctx, sc)
	if err != nil {
		return 0, err
	}
	if req.ResultingPaymentID == 0 {
		return 0, fmt.Errorf("payment request %s is %s without a payment", req.WaitToken, req.Status)
	}
	return req.ResultingPaymentID, nil
}

var mutationCases = []mutationCase{
	{
		name: "session",
		want: kronortest.Counts{Sessions: 1},
		prepare: func(ctx context.Context, p *proxied, order string) (mutationCall, error) {
			params := proxySessionParams(order)
			return mutationCall{
				do: func(ctx context.Context, via *client.Client, key string) (string, error) {
					params.IdempotencyKey = key
					s, err := sessions.Create(ctx, via, params)
					if err != nil {
						return "", err
					}
					return s.Token, nil
				},
				check: func(ctx context.Context, token string) error { return sessionWorks(ctx, p, token) },
			}, nil
		},
	},
	{
		name:     "session with reference check",
		want:     kronortest.Counts{Sessions: 1},
		freshKey: true,
		prepare: func(ctx context.Context, p *proxied, order string) (mutationCall, error) {
			params := proxySessionParams(order)
			return mutationCall{
				do: func(ctx context.Context, via *client.Client, key string) (string, error) {
					if key != "" {
						return "", fmt.Errorf("CreateWithReferenceCheck given the key %q", key)
					}
					r, err := sessions.CreateWithReferenceCheck(ctx, via, params)
					if err != nil {
						return "", err
					}
					if r.AlreadyPaid() {
						return "", fmt.Errorf("order %s reported already paid (payment %d)", order, r.PaymentID)
					}
					return r.Token, nil
				},
				check: func(ctx context.Context, token string) error { return sessionWorks(ctx, p, token) },
			}, nil
		},
	},
	{
		name: "swish payment start",
		want: kronortest.Counts{Sessions: 1, PaymentRequests: 1},
		prepare: func(ctx context.Context, p *proxied, order string) (mutationCall, error) {
			s, err := sessions.Create(ctx, p.direct, proxySessionParams(order))
			if err != nil {
				return mutationCall{}, err
			}
			return mutationCall{
				do: func(ctx context.Context, via *client.Client, key string) (string, error) {
					started, err := payments.Swish(ctx, s.Client(via), payments.SwishParams{
						Redirect:       payments.Redirect{ReturnURL: returnURL},
						IdempotencyKey: key,
					})
					if err != nil {
						return "", err
					}
					return started.WaitToken, nil
				},
				check: func(ctx context.Context, waitToken string) error {
					st, err := p.srv.PaymentRequestStatus(waitToken)
					if err == nil && st != payments.StatusWaitingForPayment {
						err = fmt.Errorf("payment request %s is %s, want %s", waitToken, st, payments.StatusWaitingForPayment)
					}
					return err
				},
			}, nil
		},
	},
	{
		name: "capture",
		want: kronortest.Counts{Sessions: 1, PaymentRequests: 1, Payments: 1, Captures: 1},
		prepare: func(ctx context.Context, p *proxied, order string) (mutationCall, error) {
			id, err := paidSession(ctx, p, order, true)
			if err != nil {
				return mutationCall{}, err
			}
			return mutationCall{
				do: func(ctx context.Context, via *client.Client, key string) (string, error) {
					rc, err := captures.Create(ctx, via, captures.Params{Amount: proxyAmount, PaymentID: id, IdempotencyKey: key})
					if err != nil {
						return "", err
					}
					return fmt.Sprint(rc.ID), nil
				},
				check: func(ctx context.Context, captureID string) error {
					var cid int64
					fmt.Sscan(captureID, &cid)
					c, err := captures.Get(ctx, p.direct, cid)
					if err == nil && c.Amount != proxyAmount {
						err = fmt.Errorf("capture %d is for %d, want %d", c.ID, c.Amount, proxyAmount)
					}
					return err
				},
			}, nil
		},
	},
	{
		name: "refund",
		want: kronortest.Counts{Sessions: 1, PaymentRequests: 1, Payments: 1, Refunds: 1},
		prepare: func(ctx context.Context, p *proxied, order string) (mutationCall, error) {
			id, err := paidSession(ctx, p, order, false)
			if err != nil {
				return mutationCall{}, err
			}
			return mutationCall{
				do: func(ctx context.Context, via *client.Client, key string) (string, error) {
					rr, err := refunds.Create(ctx, via, refunds.Params{Amount: proxyAmount, PaymentID: id, Message: "Refund", IdempotencyKey: key})
					if err != nil {
						return "", err
					}
					return rr.WaitToken, nil
				},
				check: func(ctx context.Context, waitToken string) error {
					r, err := refunds.Get(ctx, p.direct, waitToken)
					if err == nil && r.Amount != proxyAmount {
						err = fmt.Errorf("refund %s is for %d, want %d", waitToken, r.Amount, proxyAmount)
					}
					return err
				},
			}, nil
		},
	},
	{
		name: "release",
		want: kronortest.Counts{Sessions: 1, PaymentRequests: 1, Payments: 1, Releases: 1},
		prepare: func(ctx context.Context, p *proxied, order string) (mutationCall, error) {
			id, err := paidSession(ctx, p, order, true)
			if err != nil {
				return mutationCall{}, err
			}
			return mutationCall{
				do: func(ctx context.Context, via *client.Client, key string) (string, error) {
					rr, err := captures.Release(ctx, via, captures.ReleaseParams{Amount: proxyAmount, PaymentID: id, IdempotencyKey: key})
					if err != nil {
						return "", err
					}
					return fmt.Sprint(rr.ID), nil
				},
				check: func(ctx context.Context, releaseID string) error {
					var rid int64
					fmt.Sscan(releaseID, &rid)
					_, err := captures.GetRelease(ctx, p.direct, rid)
					return err
				},
			}, nil
		},
	},
}

// attemptTimeout is the per-attempt timeout of the clients through the
// proxy: short for a stall, which only the client's giving up ends, and
// long for the other faults, so that a slow but healthy attempt on a
// loaded machine does not time out.
func attemptTimeout(f faultproxy.Fault) time.Duration {
	if f == faultproxy.Stall {
		return 150 * time.Millisecond
	}
	return 10 * time.Second
}

// TestProxyFaultsEndInSuccessOrTemporaryWithKey drives each fault of a
// byte-level TCP proxy between the SDK and the gateway into each kind of
// mutation: the gateway commits the mutation (except for a 502 page served
// without forwarding) and the client sees a reset connection, an answer cut
// short with or without a length, a proxy's HTML page with 200 or 502, or
// no answer until its attempt times out.
//
//   - faulted on the first two attempts only, the call succeeds: the
//     retry, with the same bytes and so the same idempotency key, gets the
//     original answer, and the gateway holds one object;
//   - faulted on every attempt, the call fails with an error that matches
//     client.ErrTemporary, never an unclassified one, and carries the
//     idempotency key it was sent with (the caller's, or the one the SDK
//     chose); the same call retried with that key once the faults stop
//     succeeds, and the gateway still holds one object. (A session with
//     the reference check takes no key from its caller: it is retried
//     without one, and the gateway's check by merchant reference finds the
//     session the lost answers were about.)
func TestProxyFaultsEndInSuccessOrTemporaryWithKey(t *testing.T) {
	for _, fault := range faultproxy.Faults {
		t.Run(fault.String(), func(t *testing.T) {
			t.Parallel()
			// Faults apply to mutations only: the queries of a case's
			// preparation and checks pass.
			p := newProxied(t, nil, faultproxy.WithMatch(faultproxy.Mutations))
			for _, mc := range mutationCases {
				t.Run(mc.name, func(t *testing.T) {
					t.Run("first attempts faulted", func(t *testing.T) {
						proxyRecovers(t, p, mc, fault)
					})
					for _, callerKey := range []bool{true, false} {
						name := "every attempt faulted/SDK's key"
						if callerKey {
							if mc.freshKey {
								continue
							}
							name = "every attempt faulted/caller's key"
						}
						t.Run(name, func(t *testing.T) {
							proxyGivesUpWithKey(t, p, mc, fault, callerKey)
						})
					}
				})
			}
		})
	}
}

// orderName names a case's order uniquely on its gateway.
func orderName() string { return "px-" + uuid.NewString()[:8] }

// proxyRecovers faults the first two attempts of mc's call.
func proxyRecovers(t *testing.T, p *proxied, mc mutationCase, fault faultproxy.Fault) {
	ctx := t.Context()
	order := orderName()
	call, err := mc.prepare(ctx, p, order)
	if err != nil {
		t.Fatalf("prepare: %v", err)
	}
	via := p.client(t, client.WithMaxAttempts(8), client.WithAttemptTimeout(attemptTimeout(fault)), client.WithTimeout(30*time.Second))
	before := p.px.Stats()
	p.px.FailNext(2, fault)
	id, err := call.do(ctx, via, "")
	p.px.Clear()
	if err != nil {
		t.Fatalf("%s faulted twice: %v", fault, err)
	}
	after := p.px.Stats()
	if n := after.Faults[fault] - before.Faults[fault]; n != 2 {
		t.Errorf("the proxy applied %s %d times, want 2", fault, n)
	}
	if n := after.Exchanges - before.Exchanges; n < 3 {
		t.Errorf("%d exchanges through the proxy, want the 2 faulted and a retry", n)
	}
	if got := p.srv.Counts(order); got != mc.want {
		t.Errorf("the gateway holds %+v for the order, want %+v", got, mc.want)
	}
	if err := call.check(ctx, id); err != nil {
		t.Errorf("the answer's %s: %v", id, err)
	}
}

// proxyGivesUpWithKey faults every attempt of mc's call, then retries it
// with the error's key.
func proxyGivesUpWithKey(t *testing.T, p *proxied, mc mutationCase, fault faultproxy.Fault, callerKey bool) {
	ctx := t.Context()
	order := orderName()
	call, err := mc.prepare(ctx, p, order)
	if err != nil {
		t.Fatalf("prepare: %v", err)
	}
	const attempts = 2
	via := p.client(t, client.WithMaxAttempts(attempts), client.WithAttemptTimeout(attemptTimeout(fault)), client.WithTimeout(30*time.Second))
	key := ""
	if callerKey {
		key = client.DeriveIdempotencyKey(order, mc.name)
	}
	before := p.px.Stats()
	p.px.FailFraction(1, fault)
	_, err = call.do(ctx, via, key)
	p.px.Clear()
	if err == nil {
		t.Fatalf("every attempt faulted with %s, and the call succeeded", fault)
	}
	after := p.px.Stats()
	// Every attempt that reached the proxy was faulted (an attempt that a
	// loaded machine makes time out before it is sent never reaches it).
	if n, m := after.Faults[fault]-before.Faults[fault], after.Exchanges-before.Exchanges; n == 0 || n != m || n > attempts {
		t.Errorf("the proxy applied %s %d times in %d exchanges, want every one of at most %d attempts", fault, n, m, attempts)
	}
	if !errors.Is(err, client.ErrTemporary) {
		t.Fatalf("err = %v, want one that matches client.ErrTemporary", err)
	}
	for _, other := range []error{client.ErrRejected, client.ErrUnauthorized, client.ErrIdempotencyConflict, client.ErrInvalidInput} {
		if errors.Is(err, other) {
			t.Errorf("err = %v also matches %v", err, other)
		}
	}
	var e *client.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v (%T), want a *client.Error", err, err)
	}
	switch {
	case e.IdempotencyKey == "":
		t.Fatalf("the error carries no idempotency key: %v", err)
	case callerKey && e.IdempotencyKey != key:
		t.Fatalf("the error carries the key %q, the call was given %q", e.IdempotencyKey, key)
	}
	if fault.Forwards() {
		// The gateway committed the mutation whose answers were lost.
		if got := p.srv.Counts(order); got != mc.want {
			t.Errorf("after the lost answers the gateway holds %+v, want %+v", got, mc.want)
		}
	}

	// The merchant retries the same call with the error's key (or, for a
	// call that takes none, without one), through a client whose attempts
	// are not cut short.
	retryKey := e.IdempotencyKey
	if mc.freshKey {
		retryKey = ""
	}
	id, err := call.do(ctx, p.client(t, client.WithMaxAttempts(6)), retryKey)
	if err != nil {
		t.Fatalf("the retry with the error's key: %v", err)
	}
	if got := p.srv.Counts(order); got != mc.want {
		t.Errorf("after the retry the gateway holds %+v, want %+v", got, mc.want)
	}
	if err := call.check(ctx, id); err != nil {
		t.Errorf("the retry's answer %s: %v", id, err)
	}
}
