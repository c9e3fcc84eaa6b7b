package captures_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/kronor-io/kronor-go/captures"
	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/sessions"
)

func TestMain(m *testing.M) {
	code := m.Run()
	// Clients use http.DefaultTransport; its idle connections are not leaks.
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

type gateway struct {
	srv      *kronortest.Server
	merchant *client.Client
}

func newGateway(t testing.TB, opts ...kronortest.Option) *gateway {
	t.Helper()
	srv := kronortest.NewServer(opts...)
	t.Cleanup(srv.Close)
	c, err := client.New(srv.MerchantToken(), client.WithEndpoint(srv.URL()), client.WithBackoff(time.Millisecond, 2*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	return &gateway{srv: srv, merchant: c}
}

// pay creates a session of amount, pays it by card (AUTHORIZED) or Swish
// (PAID), and returns the session client and the resulting payment.
func (g *gateway) pay(t testing.TB, ref string, amount int64, card bool) (*client.Client, payments.Request) {
	t.Helper()
	ctx := context.Background()
	s, err := sessions.Create(ctx, g.merchant, sessions.Params{
		Amount: amount, Currency: sessions.CurrencySEK, MerchantReference: ref, Message: "Order",
		ExpiresAt: time.Now().Add(time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
	sc := s.Client(g.merchant)
	redirect := payments.Redirect{ReturnURL: "https://shop.example/r"}
	var st *payments.Started
	if card {
		st, err = payments.CreditCard(ctx, sc, payments.CreditCardParams{Redirect: redirect})
	} else {
		st, err = payments.Swish(ctx, sc, payments.SwishParams{Redirect: redirect})
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := g.srv.Approve(st.WaitToken); err != nil {
		t.Fatal(err)
	}
	r, err := payments.Latest(ctx, sc)
	if err != nil {
		t.Fatal(err)
	}
	if r.ResultingPaymentID == 0 {
		t.Fatalf("no resulting payment: %+v", r)
	}
	return sc, *r
}

func (g *gateway) paymentStatus(t *testing.T, id int64) payments.Status {
	t.Helper()
	p, err := payments.Get(context.Background(), g.merchant, id)
	if err != nil {
		t.Fatal(err)
	}
	return p.Status
}

func rejected(t *testing.T, err error, code string) {
	t.Helper()
	if !errors.Is(err, client.ErrRejected) {
		t.Fatalf("error = %v, want client.ErrRejected", err)
	}
	var ce *client.Error
	if !errors.As(err, &ce) || len(ce.Errors) == 0 || ce.Errors[0].Code != code || ce.Errors[0].Message == "" {
		t.Fatalf("gateway error = %+v, want code %s with a message", ce, code)
	}
}

func TestPartialCapturesUpToTheAuthorizedAmount(t *testing.T) {
	ctx := context.Background()
	g := newGateway(t)
	_, req := g.pay(t, "cap-1", 10000, true)

	r1, err := captures.Create(ctx, g.merchant, captures.Params{Amount: 4000, PaymentID: req.ResultingPaymentID, Message: "Part 1", CreatedBy: "warehouse"})
	if err != nil {
		t.Fatal(err)
	}
	if r1.ID == 0 || r1.TransactionID == "" || r1.IdempotencyKey == "" {
		t.Fatalf("receipt = %+v", r1)
	}
	c1, err := captures.Get(ctx, g.merchant, r1.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c1.ID != r1.ID || c1.Amount != 4000 || c1.PaymentID != req.ResultingPaymentID || c1.Message != "Part 1" ||
		c1.Status != captures.StatusDone || !c1.Status.Succeeded() || c1.StatusEnteredAt.IsZero() || c1.TransactionID != r1.TransactionID {
		t.Fatalf("capture = %+v", c1)
	}
	if s := g.paymentStatus(t, req.ResultingPaymentID); s != payments.StatusPartiallyCaptured {
		t.Fatalf("payment status after a partial capture = %s", s)
	}

	// More than what is left.
	_, err = captures.Create(ctx, g.merchant, captures.Params{Amount: 6001, PaymentID: req.ResultingPaymentID})
	rejected(t, err, "limit-exceeded")

	// The rest, by transaction id.
	r2, err := captures.Create(ctx, g.merchant, captures.Params{Amount: 6000, PaymentTransactionID: req.TransactionID})
	if err != nil {
		t.Fatal(err)
	}
	c2, err := captures.GetByTransactionID(ctx, g.merchant, r2.TransactionID)
	if err != nil {
		t.Fatal(err)
	}
	if c2.ID != r2.ID || c2.Amount != 6000 || c2.Status != captures.StatusDone {
		t.Fatalf("capture = %+v", c2)
	}
	if s := g.paymentStatus(t, req.ResultingPaymentID); s != payments.StatusPaid {
		t.Fatalf("payment status after capturing everything = %s", s)
	}

	// Nothing is left: the payment is PAID.
	_, err = captures.Create(ctx, g.merchant, captures.Params{Amount: 1, PaymentID: req.ResultingPaymentID})
	rejected(t, err, "invalid-state")
	if c := g.srv.Counts("cap-1"); c.Captures != 2 {
		t.Fatalf("counts = %+v", c)
	}
}

func TestCaptureBeyondTheAuthorizedAmount(t *testing.T) {
	g := newGateway(t)
	_, req := g.pay(t, "cap-2", 10000, true)
	_, err := captures.Create(context.Background(), g.merchant, captures.Params{Amount: 10001, PaymentID: req.ResultingPaymentID})
	rejected(t, err, "limit-exceeded")
}

func TestCaptureOfAPaidPaymentIsRejected(t *testing.T) {
	g := newGateway(t)
	_, req := g.pay(t, "cap-3", 10000, false) // Swish: PAID, nothing to capture
	_, err := captures.Create(context.Background(), g.merchant, captures.Params{Amount: 100, PaymentID: req.ResultingPaymentID})
	if !errors.Is(err, client.ErrRejected) {
		t.Fatalf("error = %v, want ErrRejected", err)
	}
}

func TestCaptureOfAMissingPayment(t *testing.T) {
	g := newGateway(t)
	_, err := captures.Create(context.Background(), g.merchant, captures.Params{Amount: 100, PaymentID: 987654})
	rejected(t, err, "not-found")
	if _, err := captures.Get(context.Background(), g.merchant, 987654); !errors.Is(err, captures.ErrNotFound) {
		t.Fatalf("Get of a missing capture: %v, want ErrNotFound", err)
	}
}

func TestScriptedCaptureOutcomes(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		outcome kronortest.Outcome
		want    captures.Status
	}{
		{kronortest.OutcomeDeclined, captures.StatusDeclined},
		{kronortest.OutcomeCooldown, captures.StatusCooldown},
		{kronortest.OutcomeError, captures.StatusError},
	} {
		t.Run(string(tc.want), func(t *testing.T) {
			g := newGateway(t)
			_, req := g.pay(t, "cap-"+string(tc.want), 10000, true)
			g.srv.ScriptCapture(tc.outcome)
			r, err := captures.Create(ctx, g.merchant, captures.Params{Amount: 5000, PaymentID: req.ResultingPaymentID})
			if err != nil {
				t.Fatal(err)
			}
			c, err := captures.Get(ctx, g.merchant, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if c.Status != tc.want || !c.Status.Failed() || !c.Status.Final() {
				t.Fatalf("status = %s, want %s (failed, final)", c.Status, tc.want)
			}
			if tc.outcome == kronortest.OutcomeDeclined {
				// "Any further attempts to capture are not allowed."
				if s := g.paymentStatus(t, req.ResultingPaymentID); s != payments.StatusCaptureDeclined {
					t.Fatalf("payment status = %s, want CAPTURE_DECLINED", s)
				}
				_, err := captures.Create(ctx, g.merchant, captures.Params{Amount: 100, PaymentID: req.ResultingPaymentID})
				rejected(t, err, "invalid-state")
			}
		})
	}
}

func TestCaptureInProgressUntilSettled(t *testing.T) {
	ctx := context.Background()
	g := newGateway(t, kronortest.WithManualSettlement())
	_, req := g.pay(t, "cap-5", 10000, true)
	r, err := captures.Create(ctx, g.merchant, captures.Params{Amount: 10000, PaymentID: req.ResultingPaymentID})
	if err != nil {
		t.Fatal(err)
	}
	c, err := captures.Get(ctx, g.merchant, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != captures.StatusCapturing || c.Status.Final() {
		t.Fatalf("status before settlement = %s, want CAPTURING", c.Status)
	}
	g.srv.Settle()
	if c, err = captures.Get(ctx, g.merchant, r.ID); err != nil || c.Status != captures.StatusDone {
		t.Fatalf("after settlement: %+v, %v", c, err)
	}
}

func TestCaptureIdempotency(t *testing.T) {
	ctx := context.Background()
	g := newGateway(t)
	_, req := g.pay(t, "cap-6", 10000, true)
	key := client.DeriveIdempotencyKey("cap-6", "capture", "1")
	p := captures.Params{Amount: 3000, PaymentID: req.ResultingPaymentID, IdempotencyKey: key}
	a, err := captures.Create(ctx, g.merchant, p)
	if err != nil {
		t.Fatal(err)
	}
	b, err := captures.Create(ctx, g.merchant, p) // a restarted process repeats the call
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != b.ID || a.IdempotencyKey != key {
		t.Fatalf("receipts %+v, %+v", a, b)
	}
	// A retry after the connection dropped post-commit reuses the call's key.
	g.srv.FailNext(1, kronortest.FaultDropAfterCommit)
	if _, err := captures.Create(ctx, g.merchant, captures.Params{Amount: 1000, PaymentID: req.ResultingPaymentID}); err != nil {
		t.Fatal(err)
	}
	if c := g.srv.Counts("cap-6"); c.Captures != 2 {
		t.Fatalf("counts = %+v, want two captures", c)
	}
}

func TestRelease(t *testing.T) {
	ctx := context.Background()
	g := newGateway(t)
	_, req := g.pay(t, "rel-1", 10000, true)
	r, err := captures.Release(ctx, g.merchant, captures.ReleaseParams{Amount: 10000, PaymentID: req.ResultingPaymentID, MerchantReference: "rel-1-release", CreatedBy: "support"})
	if err != nil {
		t.Fatal(err)
	}
	if r.ID == 0 || r.IdempotencyKey == "" {
		t.Fatalf("receipt = %+v", r)
	}
	tr, err := captures.GetRelease(ctx, g.merchant, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if tr.ID != r.ID || tr.PaymentID != req.ResultingPaymentID || tr.Amount != 10000 || tr.Status != captures.ReleaseDone ||
		!tr.Status.Succeeded() || len(tr.StatusHistory) == 0 || tr.StatusHistory[len(tr.StatusHistory)-1].Status != captures.ReleaseDone {
		t.Fatalf("release = %+v", tr)
	}
	if s := g.paymentStatus(t, req.ResultingPaymentID); s != payments.StatusReleased {
		t.Fatalf("payment status after release = %s", s)
	}
	// Nothing is left to capture.
	_, err = captures.Create(ctx, g.merchant, captures.Params{Amount: 100, PaymentID: req.ResultingPaymentID})
	if !errors.Is(err, client.ErrRejected) {
		t.Fatalf("capture after release: %v", err)
	}
	if _, err := captures.GetRelease(ctx, g.merchant, r.ID+100); !errors.Is(err, captures.ErrNotFound) {
		t.Fatalf("GetRelease of a missing release: %v", err)
	}
}

func TestPartialReleaseIsRejected(t *testing.T) {
	g := newGateway(t)
	_, req := g.pay(t, "rel-2", 10000, true)
	_, err := captures.Release(context.Background(), g.merchant, captures.ReleaseParams{Amount: 5000, PaymentTransactionID: req.TransactionID})
	if !errors.Is(err, client.ErrRejected) {
		t.Fatalf("partial release: %v, want ErrRejected", err)
	}
}

func TestReleaseAfterCaptureIsRejected(t *testing.T) {
	ctx := context.Background()
	g := newGateway(t)
	_, req := g.pay(t, "rel-3", 10000, true)
	if _, err := captures.Create(ctx, g.merchant, captures.Params{Amount: 1000, PaymentID: req.ResultingPaymentID}); err != nil {
		t.Fatal(err)
	}
	_, err := captures.Release(ctx, g.merchant, captures.ReleaseParams{Amount: 10000, PaymentID: req.ResultingPaymentID})
	if !errors.Is(err, client.ErrRejected) {
		t.Fatalf("release after a capture: %v, want ErrRejected", err)
	}
}

func TestReleaseMerchantReferenceIsUnique(t *testing.T) {
	ctx := context.Background()
	g := newGateway(t)
	_, a := g.pay(t, "rel-4", 10000, true)
	_, b := g.pay(t, "rel-5", 10000, true)
	if _, err := captures.Release(ctx, g.merchant, captures.ReleaseParams{Amount: 10000, PaymentID: a.ResultingPaymentID, MerchantReference: "R1"}); err != nil {
		t.Fatal(err)
	}
	_, err := captures.Release(ctx, g.merchant, captures.ReleaseParams{Amount: 10000, PaymentID: b.ResultingPaymentID, MerchantReference: "R1"})
	rejected(t, err, "constraint-violation")
}

func TestScriptedReleaseError(t *testing.T) {
	ctx := context.Background()
	g := newGateway(t)
	_, req := g.pay(t, "rel-6", 10000, true)
	g.srv.ScriptRelease(kronortest.OutcomeAmbiguous)
	r, err := captures.Release(ctx, g.merchant, captures.ReleaseParams{Amount: 10000, PaymentID: req.ResultingPaymentID})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := captures.GetRelease(ctx, g.merchant, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Status != captures.ReleaseAmbiguous || tr.Status.Final() || !tr.Status.Ambiguous() {
		t.Fatalf("status = %s, want RELEASE_AMBIGUOUS", tr.Status)
	}
}

func TestSessionTokenCannotCapture(t *testing.T) {
	ctx := context.Background()
	g := newGateway(t)
	sc, req := g.pay(t, "role-1", 10000, true)
	_, err := captures.Create(ctx, sc, captures.Params{Amount: 100, PaymentID: req.ResultingPaymentID})
	rejected(t, err, "validation-failed")
	if !strings.Contains(err.Error(), "newPaymentCapture") {
		t.Fatalf("error %q does not name the operation", err)
	}
	_, err = captures.Release(ctx, sc, captures.ReleaseParams{Amount: 10000, PaymentID: req.ResultingPaymentID})
	rejected(t, err, "validation-failed")
	_, err = captures.Get(ctx, sc, 1)
	rejected(t, err, "validation-failed")
	if c := g.srv.Counts("role-1"); c.Captures != 0 || c.Releases != 0 {
		t.Fatalf("counts = %+v", c)
	}
}
