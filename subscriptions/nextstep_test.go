package subscriptions_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/sessions"
	"github.com/kronor-io/kronor-go/subscriptions"
)

// sessionWatcher makes a session watcher closed at the end of the test.
func sessionWatcher(t testing.TB, s *client.Session, opts ...subscriptions.Option) *subscriptions.SessionWatcher {
	t.Helper()
	w, err := subscriptions.NewSessionWatcher(s, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.Close() })
	return w
}

func TestNextStepOfACardPaymentIsItsPage(t *testing.T) {
	g := newGateway(t)
	sc, token := g.card(t)
	w := sessionWatcher(t, sc, fast()...)
	step, err := w.NextStep(context.Background(), token)
	if err != nil || !step.Ready() || step.Ended() || !strings.HasPrefix(step.PaymentURL, "http") ||
		step.Request.WaitToken != token || step.Request.Status != payments.StatusWaitingForPayment {
		t.Fatalf("NextStep = %+v, %v", step, err)
	}
	if step.SwishQRCode != "" || step.SwishAppLink != "" {
		t.Errorf("a card payment has Swish fields: %+v", step)
	}
}

func TestNextStepOfSwishIsItsQRCode(t *testing.T) {
	g := newGateway(t)
	sc, token := g.swish(t) // mcom: no customer number
	w := sessionWatcher(t, sc, fast()...)
	step, err := w.NextStep(context.Background(), token)
	if err != nil || !step.Ready() || step.SwishQRCode == "" || !strings.HasPrefix(step.SwishAppLink, "swish://") || step.PaymentURL != "" {
		t.Fatalf("NextStep = %+v, %v; want the QR code's data and a swish:// link", step, err)
	}
}

// TestNextStepComesWhenTheGatewayHasIt: the gateway fills in the customer's
// next step a while after the payment started, without a new status;
// NextStep returns when it is pushed, for every method.
func TestNextStepComesWhenTheGatewayHasIt(t *testing.T) {
	for _, tc := range []struct {
		name     string
		currency sessions.Currency
		start    func(*client.Session) (*payments.Started, error)
		check    func(payments.NextStep) bool
	}{
		{"swish", sessions.CurrencySEK, func(s *client.Session) (*payments.Started, error) {
			return payments.Swish(context.Background(), s, payments.SwishParams{Redirect: payments.Redirect{ReturnURL: returnURL}})
		}, func(n payments.NextStep) bool {
			return n.SwishQRCode != "" && strings.HasPrefix(n.SwishAppLink, "swish://")
		}},
		{"card", sessions.CurrencySEK, func(s *client.Session) (*payments.Started, error) {
			return payments.CreditCard(context.Background(), s, payments.CreditCardParams{Redirect: payments.Redirect{ReturnURL: returnURL}})
		}, func(n payments.NextStep) bool { return strings.HasPrefix(n.PaymentURL, "http") }},
		{"mobilepay", sessions.CurrencyDKK, func(s *client.Session) (*payments.Started, error) {
			return payments.MobilePay(context.Background(), s, payments.MobilePayParams{Redirect: payments.Redirect{ReturnURL: returnURL}})
		}, func(n payments.NextStep) bool {
			return strings.HasPrefix(n.PaymentURL, "http") && strings.HasPrefix(n.MobilePayQRCodeURL, "http")
		}},
		{"vipps", sessions.CurrencyNOK, func(s *client.Session) (*payments.Started, error) {
			return payments.Vipps(context.Background(), s, payments.VippsParams{Redirect: payments.Redirect{ReturnURL: returnURL}})
		}, func(n payments.NextStep) bool { return strings.HasPrefix(n.PaymentURL, "http") }},
		{"bank transfer", sessions.CurrencySEK, func(s *client.Session) (*payments.Started, error) {
			return payments.BankTransfer(context.Background(), s, payments.BankTransferParams{Redirect: payments.Redirect{ReturnURL: returnURL}})
		}, func(n payments.NextStep) bool { return strings.HasPrefix(n.PaymentURL, "http") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newGateway(t, kronortest.WithPayerDataDelay(200*time.Millisecond))
			s, err := sessions.Create(context.Background(), g.merchant, sessions.Params{
				Amount: cardAmount, Currency: tc.currency, MerchantReference: fmt.Sprintf("next-%d", refSeq.Add(1)),
				Message: "Order", ExpiresAt: time.Now().Add(time.Hour),
			})
			if err != nil {
				t.Fatal(err)
			}
			sc := s.Client(g.merchant)
			started, err := tc.start(sc)
			if err != nil {
				t.Fatal(err)
			}
			if r, err := payments.Latest(context.Background(), sc); err != nil || r.NextStep().Ready() {
				t.Fatalf("the next step is there before the gateway has it: %+v, %v", r, err)
			}
			w := sessionWatcher(t, sc, fast()...)
			step, err := w.NextStep(context.Background(), started.WaitToken)
			if err != nil || !tc.check(step) || step.Ended() || step.Request.Status != payments.StatusWaitingForPayment {
				t.Fatalf("NextStep = %+v, %v", step, err)
			}
			if s := w.Stats(); s.Connections != 1 {
				t.Errorf("stats %+v: the step should have come over the websocket", s)
			}
		})
	}
}

// TestNextStepWithNothingToShowReturnsTheEnd: a Swish payment started with
// the customer's number has nothing to show; NextStep returns when it ends,
// with the outcome's error when it failed.
func TestNextStepWithNothingToShowReturnsTheEnd(t *testing.T) {
	for _, tc := range []struct {
		name   string
		end    func(g *gateway, token string) error
		status payments.Status
		target error
	}{
		{"paid", func(g *gateway, token string) error { return g.srv.Approve(token) }, payments.StatusPaid, nil},
		{"declined", func(g *gateway, token string) error { return g.srv.Decline(token) }, payments.StatusDeclined, subscriptions.ErrDeclined},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newGateway(t)
			sc := g.session(t)
			p, err := payments.Swish(context.Background(), sc, payments.SwishParams{
				Redirect: payments.Redirect{ReturnURL: returnURL}, CustomerSwishNumber: "46701234567",
			})
			if err != nil {
				t.Fatal(err)
			}
			w := sessionWatcher(t, sc, fast()...)
			ch := async(func() (payments.NextStep, error) { return w.NextStep(context.Background(), p.WaitToken) })
			subscribed(t, w, 1)
			select {
			case o := <-ch:
				t.Fatalf("NextStep returned with nothing to show: %+v, %v", o.v, o.err)
			case <-time.After(50 * time.Millisecond):
			}
			if err := tc.end(g, p.WaitToken); err != nil {
				t.Fatal(err)
			}
			o := get(t, ch)
			if o.v.Ready() || !o.v.Ended() || o.v.Request.Status != tc.status {
				t.Fatalf("NextStep = %+v, %v; want the end %s", o.v, o.err, tc.status)
			}
			var se *subscriptions.StatusError
			if tc.target == nil && o.err != nil || tc.target != nil && (!errors.Is(o.err, tc.target) || !errors.As(o.err, &se)) {
				t.Fatalf("NextStep error %v, want %v", o.err, tc.target)
			}
		})
	}
}

func TestNextStepRejectsBadTokens(t *testing.T) {
	g := newGateway(t)
	sc, _ := g.card(t)
	w := sessionWatcher(t, sc, fast()...)
	before := g.srv.Requests()
	var ve *client.ValidationError
	if _, err := w.NextStep(context.Background(), "nope"); !errors.As(err, &ve) || ve.Violations[0].Field != "waitToken" {
		t.Fatalf("NextStep(nope) = %v", err)
	}
	if g.srv.Requests() != before {
		t.Error("a request was sent for a bad token")
	}
	if _, err := w.NextStep(context.Background(), "0b6f0d3c-36a3-4a4f-9a57-5b0c9f7b1e21"); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("NextStep of an unknown token = %v", err)
	}
}
