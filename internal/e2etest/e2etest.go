// Package e2etest is the scaffolding of the domain packages' end-to-end
// tests: a fake gateway (kronortest) with a merchant client for it, helpers
// that open a session and drive a payment to PAID or AUTHORIZED, and the check
// of a gateway refusal. Their TestMain is internal/testsupport's
// VerifyNoLeaks.
//
// It is test support: it imports the fake gateway, which the SDK packages
// must not depend on (internal/depcheck), so only external test packages
// (package x_test) import it.
package e2etest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/sessions"
)

// Gateway is a fake gateway with a merchant client for it.
type Gateway struct {
	// Srv is the fake gateway, closed when the test ends.
	Srv *kronortest.Server
	// Merchant is a client with the merchant token, retrying quickly.
	Merchant *client.Client
}

// New starts a fake gateway with opts and makes a merchant client for it.
// Its captures, releases and refunds settle when the next request after
// their creation is served (kronortest.WithSettleDelay(0)), so a test can read
// their end right away; a test of their asynchronous walk passes
// kronortest.WithSettleDelay(d) in opts, which comes later and wins.
func New(t testing.TB, opts ...kronortest.Option) *Gateway {
	t.Helper()
	srv := kronortest.NewServer(append([]kronortest.Option{kronortest.WithSettleDelay(0)}, opts...)...)
	t.Cleanup(srv.Close)
	return &Gateway{Srv: srv, Merchant: srv.Client(client.WithBackoff(time.Millisecond, 2*time.Millisecond))}
}

// Session creates a session with p and returns the client with its token.
func (g *Gateway) Session(t testing.TB, p sessions.Params) *client.Session {
	t.Helper()
	s, err := sessions.Create(context.Background(), g.Merchant, p)
	if err != nil {
		t.Fatalf("sessions.Create: %v", err)
	}
	return s.Client(g.Merchant)
}

// PaidSwish creates a SEK session of amount with merchant reference ref, pays
// it by Swish and returns the session client and the PAID payment request.
func (g *Gateway) PaidSwish(t testing.TB, ref string, amount int64) (*client.Session, payments.Request) {
	t.Helper()
	return g.pay(t, ref, amount, false)
}

// AuthorizedCard creates a SEK session of amount with merchant reference
// ref, pays it by card and returns the session client and the AUTHORIZED
// payment request.
func (g *Gateway) AuthorizedCard(t testing.TB, ref string, amount int64) (*client.Session, payments.Request) {
	t.Helper()
	return g.pay(t, ref, amount, true)
}

func (g *Gateway) pay(t testing.TB, ref string, amount int64, card bool) (*client.Session, payments.Request) {
	t.Helper()
	ctx := context.Background()
	s, err := sessions.Create(ctx, g.Merchant, sessions.Params{
		Amount: amount, Currency: sessions.CurrencySEK, MerchantReference: ref, Message: "Order",
		ExpiresAt: time.Now().Add(time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
	sc := s.Client(g.Merchant)
	redirect := payments.Redirect{ReturnURL: "https://shop.example/r"}
	var st *payments.Started
	want := payments.StatusPaid
	if card {
		st, err = payments.CreditCard(ctx, sc, payments.CreditCardParams{Redirect: redirect})
		want = payments.StatusAuthorized
	} else {
		st, err = payments.Swish(ctx, sc, payments.SwishParams{Redirect: redirect})
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Srv.Approve(st.WaitToken); err != nil {
		t.Fatal(err)
	}
	r, err := payments.Latest(ctx, sc)
	if err != nil {
		t.Fatal(err)
	}
	if r.ResultingPaymentID == 0 || r.Status != want {
		t.Fatalf("payment request = %+v, want %s with a resulting payment", r, want)
	}
	return sc, *r
}

// Rejected fails t unless err is the gateway's refusal (client.ErrRejected)
// whose first GraphQL error has the given code and a message containing each
// of mentions (any message, when none are given).
func Rejected(t testing.TB, err error, code string, mentions ...string) {
	t.Helper()
	if !errors.Is(err, client.ErrRejected) {
		t.Fatalf("error = %v, want client.ErrRejected", err)
	}
	var ce *client.Error
	if !errors.As(err, &ce) || len(ce.Errors) == 0 || ce.Errors[0].Code != code || ce.Errors[0].Message == "" {
		t.Fatalf("gateway error = %+v, want code %s with a message", ce, code)
	}
	for _, m := range mentions {
		if !strings.Contains(ce.Errors[0].Message, m) {
			t.Fatalf("gateway error = %+v, want a message with %q", ce.Errors[0], m)
		}
	}
}
