package subscriptions_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/kronor-io/kronor-go/captures"
	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/subscriptions"
)

func TestWaitReturnsPaidOverTheSubscription(t *testing.T) {
	protocols(t, func(t *testing.T, p subscriptions.Protocol) {
		tokens := map[string]func(g *gateway, sc *client.Session) client.Caller{
			"merchant token": func(g *gateway, _ *client.Session) client.Caller { return g.merchant },
			"session token":  func(_ *gateway, sc *client.Session) client.Caller { return sc },
		}
		for name, pick := range tokens {
			t.Run(name, func(t *testing.T) {
				g := newGateway(t)
				sc, token := g.swish(t)
				w := watcher(t, pick(g, sc), subscriptions.WithProtocol(p))
				ch := waitAsync(context.Background(), w, token)

				eventually(t, 5*time.Second, "the subscription", func() bool { return g.srv.Live().Subscriptions == 1 })
				reads := w.Stats().HTTPReads
				if err := g.srv.Approve(token); err != nil {
					t.Fatal(err)
				}
				r := receive(t, ch, 5*time.Second)
				if r.err != nil {
					t.Fatalf("Wait: %v", r.err)
				}
				if r.req.Status != payments.StatusPaid || r.req.WaitToken != token || r.req.ResultingPaymentID == 0 {
					t.Errorf("Wait returned %+v, want PAID %s with a resulting payment id", r.req, token)
				}
				if got := w.Stats().HTTPReads; got != reads {
					t.Errorf("the outcome came with %d HTTP reads; want it from the subscription", got-reads)
				}
				eventually(t, 5*time.Second, "the subscription to end", func() bool { return g.srv.Live().Subscriptions == 0 })
			})
		}
	})
}

func TestWaitCardIsAuthorized(t *testing.T) {
	g := newGateway(t)
	_, token := g.card(t)
	w := watcher(t, g.merchant)
	ch := waitAsync(context.Background(), w, token)
	eventually(t, 5*time.Second, "the subscription", func() bool { return g.srv.Live().Subscriptions == 1 })
	if err := g.srv.Approve(token); err != nil {
		t.Fatal(err)
	}
	r := receive(t, ch, 5*time.Second)
	if r.err != nil || r.req.Status != payments.StatusAuthorized || r.req.ResultingPaymentID == 0 {
		t.Fatalf("Wait = %+v, %v; want AUTHORIZED with a payment id", r.req, r.err)
	}
}

func TestWaitUnknownToken(t *testing.T) {
	g := newGateway(t)
	w := watcher(t, g.merchant)
	_, err := w.Wait(context.Background(), "7d0c5c4e-0d8a-4a3e-9d8e-1f2a3b4c5d6e")
	if !errors.Is(err, subscriptions.ErrNotFound) || !errors.Is(err, payments.ErrNotFound) {
		t.Fatalf("Wait(unknown) = %v, want ErrNotFound (the same as payments.ErrNotFound)", err)
	}
	if live := g.srv.Live(); live.WebSockets != 0 {
		t.Errorf("an unknown token opened %d websockets", live.WebSockets)
	}
}

// cancel moves a waiting payment request through CANCELLING to CANCELLED.
func cancel(g *gateway, token string) error {
	if err := g.srv.Advance(token, "CANCELLING"); err != nil {
		return err
	}
	return g.srv.Advance(token, "CANCELLED")
}

// bring moves a waiting payment request to status, as the customer would.
func bring(g *gateway, token string, status payments.Status) error {
	switch status {
	case payments.StatusPaid, payments.StatusAuthorized:
		return g.srv.Approve(token)
	case payments.StatusDeclined:
		return g.srv.Decline(token)
	case payments.StatusError:
		return g.srv.Fail(token)
	case payments.StatusCancelled:
		return cancel(g, token)
	}
	return fmt.Errorf("no way to bring a payment request to %s", status)
}

// afterAuthorization returns a start function that authorizes a card
// payment, then does act to its payment, settles, and returns once the
// payment request is status.
func afterAuthorization(status payments.Status, act func(ctx context.Context, g *gateway, paymentID int64) error) func(t *testing.T, g *gateway) string {
	return func(t *testing.T, g *gateway) string {
		t.Helper()
		_, token := g.card(t)
		if err := g.srv.Approve(token); err != nil {
			t.Fatal(err)
		}
		w := watcher(t, g.merchant)
		r, err := w.Wait(context.Background(), token)
		if err != nil {
			t.Fatal(err)
		}
		if err := act(context.Background(), g, r.ResultingPaymentID); err != nil {
			t.Fatal(err)
		}
		g.srv.Settle()
		eventually(t, 5*time.Second, string(status), func() bool {
			s, _ := g.srv.PaymentRequestStatus(token)
			return s == status
		})
		return token
	}
}

// captureDeclined authorizes a card payment and has its capture declined.
var captureDeclined = afterAuthorization("CAPTURE_DECLINED", func(ctx context.Context, g *gateway, id int64) error {
	g.srv.ScriptCapture(kronortest.OutcomeDeclined)
	_, err := captures.Create(ctx, g.merchant, captures.Params{Amount: 100, PaymentID: id})
	return err
})

func TestWaitReturnsAtOnceWhenAlreadyFinal(t *testing.T) {
	swish := func(t *testing.T, g *gateway) string {
		_, tok := g.swish(t)
		return tok
	}
	card := func(t *testing.T, g *gateway) string {
		_, tok := g.card(t)
		return tok
	}
	cases := []struct {
		name   string
		start  func(t *testing.T, g *gateway) string
		status payments.Status
		target error // nil: success
	}{
		{"paid", swish, payments.StatusPaid, nil},
		{"authorized", card, payments.StatusAuthorized, nil},
		{"declined", swish, payments.StatusDeclined, subscriptions.ErrDeclined},
		{"error", swish, payments.StatusError, subscriptions.ErrFailed},
		{"cancelled", swish, payments.StatusCancelled, subscriptions.ErrCancelled},
		{"capture declined", captureDeclined, payments.StatusCaptureDeclined, subscriptions.ErrCaptureDeclined},
		// Authorized, then moved on before the wait began: the wait reports
		// the request as it is now, not the AUTHORIZED it went through.
		{"authorized then released", afterAuthorization("RELEASED", func(ctx context.Context, g *gateway, id int64) error {
			_, err := captures.Release(ctx, g.merchant, captures.ReleaseParams{Amount: cardAmount, PaymentID: id})
			return err
		}), payments.StatusReleased, subscriptions.ErrReleased},
		{"authorized then captured", afterAuthorization("PAID", func(ctx context.Context, g *gateway, id int64) error {
			_, err := captures.Create(ctx, g.merchant, captures.Params{Amount: cardAmount, PaymentID: id})
			return err
		}), payments.StatusPaid, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := newGateway(t)
			token := tc.start(t, g)
			if now, _ := g.srv.PaymentRequestStatus(token); now != tc.status {
				if err := bring(g, token, tc.status); err != nil {
					t.Fatal(err)
				}
			}
			w := watcher(t, g.merchant, subscriptions.WithPollInterval(time.Hour))
			ws := g.srv.Live().WebSockets

			r, err := w.Wait(context.Background(), token)
			if r.Status != tc.status || r.WaitToken != token {
				t.Errorf("Wait returned %s %s, want %s %s", r.WaitToken, r.Status, token, tc.status)
			}
			if tc.target == nil {
				if err != nil || r.ResultingPaymentID == 0 {
					t.Errorf("Wait = %v with payment id %d; want success with an id", err, r.ResultingPaymentID)
				}
			} else {
				var se *subscriptions.StatusError
				if !errors.Is(err, tc.target) || !errors.As(err, &se) || se.Request.Status != tc.status {
					t.Errorf("Wait error = %v, want a *StatusError matching %v", err, tc.target)
				}
			}
			if got := g.srv.Live().WebSockets; got != ws {
				t.Errorf("a final payment opened a websocket (%d -> %d)", ws, got)
			}
			if s := w.Stats(); s.Watches != 0 || s.HTTPReads != 1 {
				t.Errorf("Stats = %+v, want no watch left and one HTTP read", s)
			}
		})
	}
}

func TestWaitEndsWithEachFinalStatus(t *testing.T) {
	cases := []struct {
		name   string
		end    func(g *gateway, token string) error
		status payments.Status
		target error
	}{
		{"declined", func(g *gateway, tok string) error { return g.srv.Decline(tok) }, payments.StatusDeclined, subscriptions.ErrDeclined},
		{"failed", func(g *gateway, tok string) error { return g.srv.Fail(tok) }, payments.StatusError, subscriptions.ErrFailed},
		{"timed out", func(g *gateway, tok string) error { return g.srv.TimeOut(tok) }, payments.StatusError, subscriptions.ErrFailed},
		{"cancelled", cancel, payments.StatusCancelled, subscriptions.ErrCancelled},
	}
	protocols(t, func(t *testing.T, p subscriptions.Protocol) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				g := newGateway(t)
				sc, token := g.swish(t)
				w := watcher(t, sc, subscriptions.WithProtocol(p), subscriptions.WithPollInterval(time.Hour))
				ch := waitAsync(context.Background(), w, token)
				eventually(t, 5*time.Second, "the subscription", func() bool { return w.Stats().Subscriptions == 1 })
				if err := tc.end(g, token); err != nil {
					t.Fatal(err)
				}
				r := receive(t, ch, 5*time.Second)
				var se *subscriptions.StatusError
				if !errors.Is(r.err, tc.target) || !errors.As(r.err, &se) {
					t.Fatalf("Wait error = %v, want a *StatusError matching %v", r.err, tc.target)
				}
				if se.Request.Status != tc.status || r.req.Status != tc.status || se.Request.WaitToken != token {
					t.Errorf("StatusError carries %+v, Wait returned %s; want %s", se.Request, r.req.Status, tc.status)
				}
				for _, other := range []error{subscriptions.ErrDeclined, subscriptions.ErrFailed, subscriptions.ErrCancelled, subscriptions.ErrCaptureDeclined} {
					if other != tc.target && errors.Is(r.err, other) {
						t.Errorf("the error also matches %v", other)
					}
				}
			})
		}
	})
}

func TestWatchReportsEveryStatusInOrder(t *testing.T) {
	// Bank transfers walk FLOW_COMPLETED, ACCEPTED and PAID in one go, which
	// the gateway pushes as one message (its end, the walk in the status
	// history): Watch reports every step of it, in order, for 20 requests
	// at once. TestMessagesAreHandledInOrder pushes the steps one by one.
	protocols(t, func(t *testing.T, p subscriptions.Protocol) {
		g := newGateway(t)
		w := watcher(t, g.merchant, subscriptions.WithProtocol(p), subscriptions.WithPollInterval(time.Hour))
		const n = 20
		tokens := make([]string, n)
		for i := range tokens {
			_, tokens[i] = g.bank(t)
		}
		type seq struct {
			statuses []payments.Status
			err      error
		}
		out := make(chan seq, n)
		for _, tok := range tokens {
			go func() {
				var s seq
				for r, err := range w.Watch(context.Background(), tok) {
					if err != nil {
						s.err = err
						break
					}
					s.statuses = append(s.statuses, r.Status)
				}
				out <- s
			}()
		}
		eventually(t, 10*time.Second, "every subscription", func() bool { return g.srv.Live().Subscriptions == n })
		for _, tok := range tokens {
			if err := g.srv.Approve(tok); err != nil {
				t.Fatal(err)
			}
		}
		want := afterCreation(payments.StatusFlowCompleted, payments.StatusAccepted, payments.StatusPaid)
		for range n {
			s := <-out
			if s.err != nil || !slices.Equal(s.statuses, want) {
				t.Errorf("Watch = %v, %v; want %v", s.statuses, s.err, want)
			}
		}
	})
}

func TestWatchStopsWhenTheLoopBreaks(t *testing.T) {
	g := newGateway(t)
	_, token := g.bank(t)
	w := watcher(t, g.merchant)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	advanced := make(chan error, 1)
	go func() {
		// Advance once the watch is subscribed, which it is only after the
		// loop below took its first status.
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for w.Stats().Subscriptions == 0 {
			select {
			case <-tick.C:
			case <-ctx.Done():
				advanced <- ctx.Err()
				return
			}
		}
		advanced <- g.srv.Advance(token, "FLOW_COMPLETED")
	}()
	var got []payments.Status
	for r, err := range w.Watch(ctx, token) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r.Status)
		if r.Status == payments.StatusFlowCompleted {
			break
		}
	}
	if err := <-advanced; err != nil {
		t.Fatalf("advancing the payment: %v", err)
	}
	if !slices.Equal(got, afterCreation(payments.StatusFlowCompleted)) {
		t.Errorf("Watch = %v", got)
	}
	eventually(t, 5*time.Second, "the subscription to end", func() bool {
		return g.srv.Live().Subscriptions == 0 && w.Stats().Watches == 0
	})
}

func TestWaitEndsWithTheContext(t *testing.T) {
	protocols(t, func(t *testing.T, p subscriptions.Protocol) {
		g := newGateway(t)
		_, token := g.swish(t)
		w := watcher(t, g.merchant, subscriptions.WithProtocol(p))
		ctx, cancelWait := context.WithCancel(context.Background())
		ch := waitAsync(ctx, w, token)
		eventually(t, 5*time.Second, "the subscription", func() bool { return g.srv.Live().Subscriptions == 1 })
		cancelWait()
		r := receive(t, ch, 5*time.Second)
		if !errors.Is(r.err, context.Canceled) {
			t.Fatalf("Wait = %v, want context.Canceled", r.err)
		}
		if r.req.Status != payments.StatusWaitingForPayment || r.req.WaitToken != token {
			t.Errorf("Wait returned %+v, want the request as last seen", r.req)
		}
		eventually(t, 5*time.Second, "the subscription to end", func() bool { return g.srv.Live().Subscriptions == 0 })

		ctx, stop := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer stop()
		if _, err := w.Wait(ctx, token); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Wait past its deadline = %v, want context.DeadlineExceeded", err)
		}
	})
}

func TestWaitRejectsABadWaitToken(t *testing.T) {
	g := newGateway(t)
	w := watcher(t, g.merchant)
	before := g.srv.Requests()
	_, err := w.Wait(context.Background(), "not-a-uuid")
	var ve *client.ValidationError
	if !errors.Is(err, client.ErrInvalidInput) || !errors.As(err, &ve) || len(ve.Violations) != 1 || ve.Violations[0].Field != "waitToken" {
		t.Errorf("Wait(not-a-uuid) = %v, want a *client.ValidationError naming waitToken", err)
	}
	if g.srv.Requests() != before {
		t.Error("a malformed wait token was sent")
	}
}

func TestWaitWithABadToken(t *testing.T) {
	g := newGateway(t)
	_, token := g.swish(t)
	bad, err := client.New("not-a-token", client.WithEndpoint(g.merchant.Endpoint()))
	if err != nil {
		t.Fatal(err)
	}
	w := watcher(t, bad)
	_, err = w.Wait(context.Background(), token)
	if !errors.Is(err, client.ErrUnauthorized) {
		t.Fatalf("Wait with a bad token = %v, want client.ErrUnauthorized", err)
	}
	if live := g.srv.Live(); live.WebSockets != 0 {
		t.Errorf("a refused token left %d websockets", live.WebSockets)
	}
}

func TestCloseEndsWaitsAndReleasesEverything(t *testing.T) {
	protocols(t, func(t *testing.T, p subscriptions.Protocol) {
		g := newGateway(t)
		tokens := make([]string, 5)
		for i := range tokens {
			_, tokens[i] = g.swish(t)
		}
		opts := goleak.IgnoreCurrent()
		w, err := subscriptions.NewWatcher(g.merchant, subscriptions.WithProtocol(p))
		if err != nil {
			t.Fatal(err)
		}
		var chans []<-chan result
		for _, tok := range tokens {
			chans = append(chans, waitAsync(context.Background(), w, tok))
		}
		eventually(t, 5*time.Second, "the subscriptions", func() bool {
			return g.srv.Live() == kronortest.Live{WebSockets: 1, Subscriptions: len(tokens)}
		})
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		for _, ch := range chans {
			if r := receive(t, ch, 5*time.Second); !errors.Is(r.err, subscriptions.ErrClosed) {
				t.Errorf("Wait after Close = %v, want ErrClosed", r.err)
			}
		}
		eventually(t, 5*time.Second, "the gateway to see nothing live", func() bool {
			return g.srv.Live() == kronortest.Live{}
		})
		g.tr.CloseIdleConnections()
		goleak.VerifyNone(t, opts)
		if _, err := w.Wait(context.Background(), tokens[0]); !errors.Is(err, subscriptions.ErrClosed) {
			t.Errorf("Wait on a closed watcher = %v, want ErrClosed", err)
		}
		if err := w.Close(); err != nil {
			t.Errorf("second Close = %v", err)
		}
	})
}

// TestMessagesAreHandledInOrder: with the status history stripped from the
// messages, the order of the statuses reported depends on the order the
// messages are handled in alone: the hasura client's default asynchronous
// delivery (a goroutine per message) would lose some; its synchronous mode,
// which the watcher uses, does not. Each step is made only once every
// subscription's message about the one before has been relayed, since a
// live query sends the latest state (two quick changes may come as one).
func TestMessagesAreHandledInOrder(t *testing.T) {
	protocols(t, func(t *testing.T, p subscriptions.Protocol) {
		g := newGateway(t)
		px := newProxy(t, g.srv.URL())
		const n = 20
		relayed := make(chan struct{}, 4*n)
		px.setToClient(func(msg map[string]any) map[string]any {
			payload, _ := msg["payload"].(map[string]any)
			data, _ := payload["data"].(map[string]any)
			rows, _ := data["paymentRequests"].([]any)
			for _, r := range rows {
				delete(r.(map[string]any), "statusHistory")
			}
			if len(rows) > 0 {
				relayed <- struct{}{}
			}
			return msg
		})
		awaitRelayed := func(what string) {
			t.Helper()
			deadline := time.After(10 * time.Second)
			for range n {
				select {
				case <-relayed:
				case <-deadline:
					t.Fatalf("timed out waiting for the messages of %s", what)
				}
			}
		}
		w := watcher(t, px.client(t, g.srv.MerchantToken()), subscriptions.WithProtocol(p), subscriptions.WithPollInterval(time.Hour))
		out := make(chan []payments.Status, n)
		tokens := make([]string, n)
		for i := range tokens {
			_, tokens[i] = g.bank(t)
			go func() {
				var got []payments.Status
				for r, err := range w.Watch(context.Background(), tokens[i]) {
					if err != nil {
						break
					}
					got = append(got, r.Status)
				}
				out <- got
			}()
		}
		eventually(t, 10*time.Second, "every subscription", func() bool { return g.srv.Live().Subscriptions == n })
		awaitRelayed("the first results")
		for _, st := range []payments.Status{payments.StatusFlowCompleted, payments.StatusAccepted} {
			for _, tok := range tokens {
				if err := g.srv.Advance(tok, st); err != nil {
					t.Fatal(err)
				}
			}
			awaitRelayed(string(st))
		}
		for _, tok := range tokens {
			if err := g.srv.Approve(tok); err != nil {
				t.Fatal(err)
			}
		}
		want := afterCreation(payments.StatusFlowCompleted, payments.StatusAccepted, payments.StatusPaid)
		for range n {
			if got := <-out; !slices.Equal(got, want) {
				t.Errorf("Watch = %v, want %v", got, want)
			}
		}
	})
}

// TestWatchStartedLateReportsThePathTaken: a watch begun after the payment
// moved on reports every step it took, from its first status, so what a
// progress display shows does not depend on when it started watching.
func TestWatchStartedLateReportsThePathTaken(t *testing.T) {
	cases := []struct {
		name  string
		start func(t *testing.T, g *gateway) string
		want  []payments.Status
	}{
		{"bank transfer paid", func(t *testing.T, g *gateway) string {
			_, token := g.bank(t)
			if err := g.srv.Approve(token); err != nil {
				t.Fatal(err)
			}
			return token
		}, afterCreation(payments.StatusFlowCompleted, payments.StatusAccepted, payments.StatusPaid)},
		{"card authorized then released", afterAuthorization("RELEASED", func(ctx context.Context, g *gateway, id int64) error {
			_, err := captures.Release(ctx, g.merchant, captures.ReleaseParams{Amount: cardAmount, PaymentID: id})
			return err
		}), afterCreation(payments.StatusAuthorized, payments.StatusReleased)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := newGateway(t)
			token := tc.start(t, g)
			w := watcher(t, g.merchant)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var got []payments.Status
			for r, err := range w.Watch(ctx, token) {
				if err != nil {
					t.Fatal(err)
				}
				if r.WaitToken != token {
					t.Fatalf("report for %s, want %s", r.WaitToken, token)
				}
				got = append(got, r.Status)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Watch = %v, want %v", got, tc.want)
			}
			if s := w.Stats(); s.Watches != 0 || s.HTTPReads != 1 {
				t.Errorf("Stats = %+v, want no watch left and one HTTP read", s)
			}
		})
	}
}

func TestWatchRejectsABadWaitToken(t *testing.T) {
	g := newGateway(t)
	w := watcher(t, g.merchant)
	before := g.srv.Requests()
	var errs []error
	for r, err := range w.Watch(context.Background(), "not-a-uuid") {
		if err == nil {
			t.Fatalf("Watch(not-a-uuid) reported %s", r.Status)
		}
		errs = append(errs, err)
	}
	var ve *client.ValidationError
	if len(errs) != 1 || !errors.As(errs[0], &ve) || len(ve.Violations) != 1 || ve.Violations[0].Field != "waitToken" {
		t.Errorf("Watch(not-a-uuid) = %v, want one *client.ValidationError naming waitToken", errs)
	}
	if g.srv.Requests() != before {
		t.Error("a malformed wait token was sent")
	}
}
