package kronortest_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/kronor-io/kronor-go/kronortest"
)

func TestIdempotentReplay(t *testing.T) {
	f := newFixture(t)
	in := f.sessionInput("ref-idem", 1000, map[string]any{"idempotencyKey": "order-1-session"})
	var first, second struct{ NewPaymentSession struct{ Token string } }
	f.merchant(sessionMutation, map[string]any{"p": in}).ok(t, &first)
	f.merchant(sessionMutation, map[string]any{"p": in}).ok(t, &second)
	if first.NewPaymentSession.Token != second.NewPaymentSession.Token {
		t.Fatal("a replay created another session")
	}
	if n := f.srv.Counts("ref-idem").Sessions; n != 1 {
		t.Fatalf("sessions: %d", n)
	}
	// The same key with another input is refused and changes nothing.
	in2 := f.sessionInput("ref-idem", 2000, map[string]any{"idempotencyKey": "order-1-session"})
	e := f.merchant(sessionMutation, map[string]any{"p": in2}).fails(t, "idempotency-conflict", "args.payment.idempotencyKey")
	if e.Message == "" {
		t.Fatal("no message")
	}
	if n := f.srv.Counts("ref-idem").Sessions; n != 1 {
		t.Fatalf("sessions after the conflict: %d", n)
	}

	// Keys are per mutation field and per caller: the same key in two
	// sessions, or for a session and a capture, are unrelated.
	tok1, tok2 := f.session("ref-idem-2", 1000, nil), f.session("ref-idem-3", 1000, nil)
	pay := map[string]any{"pay": map[string]any{"idempotencyKey": "pay-1", "flow": "mcom", "returnUrl": "https://x.example"}}
	var w1, w2, w1again struct{ NewSwishPayment struct{ WaitToken string } }
	f.as(tok1, swishMutation, pay).ok(t, &w1)
	f.as(tok2, swishMutation, pay).ok(t, &w2)
	f.as(tok1, swishMutation, pay).ok(t, &w1again)
	if w1.NewSwishPayment.WaitToken == w2.NewSwishPayment.WaitToken || w1again != w1 {
		t.Fatalf("per-session keys: %v %v %v", w1, w2, w1again)
	}
	// A replay of a payment answers the original even after the payment moved on.
	if err := f.srv.Decline(w1.NewSwishPayment.WaitToken); err != nil {
		t.Fatal(err)
	}
	f.as(tok1, swishMutation, pay).ok(t, &w1again)
	if w1again != w1 || f.srv.Counts("ref-idem-2").PaymentRequests != 1 {
		t.Fatalf("replay after decline: %v, %d requests", w1again, f.srv.Counts("ref-idem-2").PaymentRequests)
	}

	// A failed call is not remembered: once fixed, the same key succeeds.
	bad := f.sessionInput("ref-idem-4", 1000, map[string]any{"idempotencyKey": "retry-me", "message": "bad #"})
	f.merchant(sessionMutation, map[string]any{"p": bad}).fails(t, "validation-failed", "args.payment.message")
	good := f.sessionInput("ref-idem-4", 1000, map[string]any{"idempotencyKey": "retry-me"})
	f.merchant(sessionMutation, map[string]any{"p": good}).ok(t, nil)
}

// TestIdempotentRace sends the same mutation from many goroutines at once:
// exactly one effect, every caller gets the same answer.
func TestIdempotentRace(t *testing.T) {
	f := newFixture(t)
	const n = 16
	run := func(name string, send func() string) {
		t.Run(name, func(t *testing.T) {
			var wg sync.WaitGroup
			answers := make([]string, n)
			start := make(chan struct{})
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					answers[i] = send()
				}()
			}
			close(start)
			wg.Wait()
			for i, a := range answers {
				if a == "" || a != answers[0] {
					t.Fatalf("answer %d: %q, answer 0: %q", i, a, answers[0])
				}
			}
		})
	}
	sess := f.sessionInput("ref-race", 1000, map[string]any{"idempotencyKey": "race-session"})
	run("session", func() string {
		return post(t, f.srv.URL(), f.srv.MerchantToken(), sessionMutation, map[string]any{"p": sess}).raw
	})
	tok := f.session("ref-race-pay", 1000, nil)
	pay := map[string]any{"pay": map[string]any{"idempotencyKey": "race-pay", "flow": "mcom", "returnUrl": "https://x.example"}}
	run("payment", func() string { return post(t, f.srv.URL(), tok, swishMutation, pay).raw })
	id := f.authorizedPayment("ref-race-cap", 1000)
	capture := map[string]any{"c": map[string]any{"idempotencyKey": "race-cap", "paymentId": id, "amount": 100}}
	run("capture", func() string { return post(t, f.srv.URL(), f.srv.MerchantToken(), captureMutation, capture).raw })
	paid := f.paidPayment("ref-race-refund", 1000)
	refund := map[string]any{"r": map[string]any{"idempotencyKey": "race-refund", "paymentId": paid, "amount": 100, "message": "Sorry"}}
	run("refund", func() string { return post(t, f.srv.URL(), f.srv.MerchantToken(), refundMutation, refund).raw })

	want := map[string]kronortest.Counts{
		"ref-race":        {Sessions: 1},
		"ref-race-pay":    {Sessions: 1, PaymentRequests: 1},
		"ref-race-cap":    {Sessions: 1, PaymentRequests: 1, Payments: 1, Captures: 1},
		"ref-race-refund": {Sessions: 1, PaymentRequests: 1, Payments: 1, Refunds: 1},
	}
	for ref, w := range want {
		if got := f.srv.Counts(ref); got != w {
			t.Errorf("%s: %+v, want %+v", ref, got, w)
		}
	}
}

func TestIdempotencyMemoryIsBounded(t *testing.T) {
	f := newFixture(t, kronortest.WithIdempotencyLimit(3))
	in := func(i int) map[string]any {
		return map[string]any{"p": f.sessionInput(fmt.Sprintf("ref-bound-%d", i), 1000, map[string]any{"idempotencyKey": fmt.Sprintf("k-%d", i)})}
	}
	first := in(0)
	f.merchant(sessionMutation, first).ok(t, nil)
	for i := 1; i <= 3; i++ {
		f.merchant(sessionMutation, in(i)).ok(t, nil)
	}
	// k-0 was the least recently used of four keys: forgotten, so the replay
	// is served as new.
	f.merchant(sessionMutation, first).ok(t, nil)
	if n := f.srv.Counts("ref-bound-0").Sessions; n != 2 {
		t.Fatalf("sessions for the forgotten key: %d, want 2", n)
	}
	// k-3 is remembered.
	f.merchant(sessionMutation, in(3)).ok(t, nil)
	if n := f.srv.Counts("ref-bound-3").Sessions; n != 1 {
		t.Fatalf("sessions for a remembered key: %d, want 1", n)
	}
}
