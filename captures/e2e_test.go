package captures_test

import (
	"context"
	"errors"
	"testing"

	"github.com/kronor-io/kronor-go/captures"
	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/e2etest"
	"github.com/kronor-io/kronor-go/internal/testsupport"
	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/payments"
)

func TestMain(m *testing.M) {
	testsupport.VerifyNoLeaks(m)
}

// paymentStatus reads the status of the payment id with g's merchant client.
func paymentStatus(t *testing.T, g *e2etest.Gateway, id int64) payments.Status {
	t.Helper()
	p, err := payments.Get(context.Background(), g.Merchant, id)
	if err != nil {
		t.Fatal(err)
	}
	return p.Status
}

func TestPartialCapturesUpToTheAuthorizedAmount(t *testing.T) {
	ctx := context.Background()
	g := e2etest.New(t)
	_, req := g.AuthorizedCard(t, "cap-1", 10000)

	r1, err := captures.Create(ctx, g.Merchant, captures.Params{Amount: 4000, PaymentID: req.ResultingPaymentID, Message: "Part 1", CreatedBy: "warehouse"})
	if err != nil {
		t.Fatal(err)
	}
	if r1.ID == 0 || r1.TransactionID == "" || r1.IdempotencyKey == "" {
		t.Fatalf("receipt = %+v", r1)
	}
	c1, err := captures.Get(ctx, g.Merchant, r1.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c1.ID != r1.ID || c1.Amount != 4000 || c1.PaymentID != req.ResultingPaymentID || c1.Message != "Part 1" ||
		c1.Status != captures.StatusDone || !c1.Status.Succeeded() || c1.StatusEnteredAt.IsZero() || c1.TransactionID != r1.TransactionID {
		t.Fatalf("capture = %+v", c1)
	}
	if s := paymentStatus(t, g, req.ResultingPaymentID); s != payments.StatusPartiallyCaptured {
		t.Fatalf("payment status after a partial capture = %s", s)
	}

	// More than what is left.
	_, err = captures.Create(ctx, g.Merchant, captures.Params{Amount: 6001, PaymentID: req.ResultingPaymentID})
	e2etest.Rejected(t, err, "limit-exceeded")

	// The rest, by transaction id.
	r2, err := captures.Create(ctx, g.Merchant, captures.Params{Amount: 6000, PaymentTransactionID: req.TransactionID})
	if err != nil {
		t.Fatal(err)
	}
	c2, err := captures.GetByTransactionID(ctx, g.Merchant, r2.TransactionID)
	if err != nil {
		t.Fatal(err)
	}
	if c2.ID != r2.ID || c2.Amount != 6000 || c2.Status != captures.StatusDone {
		t.Fatalf("capture = %+v", c2)
	}
	if s := paymentStatus(t, g, req.ResultingPaymentID); s != payments.StatusPaid {
		t.Fatalf("payment status after capturing everything = %s", s)
	}

	// Nothing is left: the payment is PAID.
	_, err = captures.Create(ctx, g.Merchant, captures.Params{Amount: 1, PaymentID: req.ResultingPaymentID})
	e2etest.Rejected(t, err, "invalid-state")
	if c := g.Srv.Counts("cap-1"); c.Captures != 2 {
		t.Fatalf("counts = %+v", c)
	}
}

func TestCaptureBeyondTheAuthorizedAmount(t *testing.T) {
	g := e2etest.New(t)
	_, req := g.AuthorizedCard(t, "cap-2", 10000)
	_, err := captures.Create(context.Background(), g.Merchant, captures.Params{Amount: 10001, PaymentID: req.ResultingPaymentID})
	e2etest.Rejected(t, err, "limit-exceeded")
}

func TestCaptureOfAPaidPaymentIsRejected(t *testing.T) {
	g := e2etest.New(t)
	_, req := g.PaidSwish(t, "cap-3", 10000) // Swish: PAID, nothing to capture
	_, err := captures.Create(context.Background(), g.Merchant, captures.Params{Amount: 100, PaymentID: req.ResultingPaymentID})
	if !errors.Is(err, client.ErrRejected) {
		t.Fatalf("error = %v, want ErrRejected", err)
	}
}

func TestCaptureOfAMissingPayment(t *testing.T) {
	g := e2etest.New(t)
	_, err := captures.Create(context.Background(), g.Merchant, captures.Params{Amount: 100, PaymentID: 987654})
	e2etest.Rejected(t, err, "not-found")
	if _, err := captures.Get(context.Background(), g.Merchant, 987654); !errors.Is(err, captures.ErrNotFound) {
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
			g := e2etest.New(t)
			_, req := g.AuthorizedCard(t, "cap-"+string(tc.want), 10000)
			g.Srv.ScriptCapture(tc.outcome)
			r, err := captures.Create(ctx, g.Merchant, captures.Params{Amount: 5000, PaymentID: req.ResultingPaymentID})
			if err != nil {
				t.Fatal(err)
			}
			c, err := captures.Get(ctx, g.Merchant, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if c.Status != tc.want || !c.Status.Failed() || !c.Status.Final() {
				t.Fatalf("status = %s, want %s (failed, final)", c.Status, tc.want)
			}
			if tc.outcome == kronortest.OutcomeDeclined {
				// "Any further attempts to capture are not allowed."
				if s := paymentStatus(t, g, req.ResultingPaymentID); s != payments.StatusCaptureDeclined {
					t.Fatalf("payment status = %s, want CAPTURE_DECLINED", s)
				}
				_, err := captures.Create(ctx, g.Merchant, captures.Params{Amount: 100, PaymentID: req.ResultingPaymentID})
				e2etest.Rejected(t, err, "invalid-state")
			}
		})
	}
}

func TestCaptureInProgressUntilSettled(t *testing.T) {
	ctx := context.Background()
	g := e2etest.New(t, kronortest.WithManualSettlement())
	_, req := g.AuthorizedCard(t, "cap-5", 10000)
	r, err := captures.Create(ctx, g.Merchant, captures.Params{Amount: 10000, PaymentID: req.ResultingPaymentID})
	if err != nil {
		t.Fatal(err)
	}
	c, err := captures.Get(ctx, g.Merchant, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != captures.StatusCapturing || c.Status.Final() {
		t.Fatalf("status before settlement = %s, want CAPTURING", c.Status)
	}
	g.Srv.Settle()
	if c, err = captures.Get(ctx, g.Merchant, r.ID); err != nil || c.Status != captures.StatusDone {
		t.Fatalf("after settlement: %+v, %v", c, err)
	}
}

func TestCaptureIdempotency(t *testing.T) {
	ctx := context.Background()
	g := e2etest.New(t)
	_, req := g.AuthorizedCard(t, "cap-6", 10000)
	key := client.DeriveIdempotencyKey("cap-6", "capture", "1")
	p := captures.Params{Amount: 3000, PaymentID: req.ResultingPaymentID, IdempotencyKey: key}
	a, err := captures.Create(ctx, g.Merchant, p)
	if err != nil {
		t.Fatal(err)
	}
	b, err := captures.Create(ctx, g.Merchant, p) // a restarted process repeats the call
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != b.ID || a.IdempotencyKey != key {
		t.Fatalf("receipts %+v, %+v", a, b)
	}
	// A retry after the connection dropped post-commit reuses the call's key.
	g.Srv.FailNext(1, kronortest.FaultDropAfterCommit)
	if _, err := captures.Create(ctx, g.Merchant, captures.Params{Amount: 1000, PaymentID: req.ResultingPaymentID}); err != nil {
		t.Fatal(err)
	}
	if c := g.Srv.Counts("cap-6"); c.Captures != 2 {
		t.Fatalf("counts = %+v, want two captures", c)
	}
}

func TestRelease(t *testing.T) {
	ctx := context.Background()
	g := e2etest.New(t)
	_, req := g.AuthorizedCard(t, "rel-1", 10000)
	r, err := captures.Release(ctx, g.Merchant, captures.ReleaseParams{Amount: 10000, PaymentID: req.ResultingPaymentID, MerchantReference: "rel-1-release", CreatedBy: "support"})
	if err != nil {
		t.Fatal(err)
	}
	if r.ID == 0 || r.IdempotencyKey == "" {
		t.Fatalf("receipt = %+v", r)
	}
	tr, err := captures.GetRelease(ctx, g.Merchant, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if tr.ID != r.ID || tr.PaymentID != req.ResultingPaymentID || tr.Amount != 10000 || tr.Status != captures.ReleaseDone ||
		!tr.Status.Succeeded() || len(tr.StatusHistory) == 0 || tr.StatusHistory[len(tr.StatusHistory)-1].Status != captures.ReleaseDone {
		t.Fatalf("release = %+v", tr)
	}
	if s := paymentStatus(t, g, req.ResultingPaymentID); s != payments.StatusReleased {
		t.Fatalf("payment status after release = %s", s)
	}
	// Nothing is left to capture.
	_, err = captures.Create(ctx, g.Merchant, captures.Params{Amount: 100, PaymentID: req.ResultingPaymentID})
	if !errors.Is(err, client.ErrRejected) {
		t.Fatalf("capture after release: %v", err)
	}
	if _, err := captures.GetRelease(ctx, g.Merchant, r.ID+100); !errors.Is(err, captures.ErrNotFound) {
		t.Fatalf("GetRelease of a missing release: %v", err)
	}
}

func TestPartialReleaseIsRejected(t *testing.T) {
	g := e2etest.New(t)
	_, req := g.AuthorizedCard(t, "rel-2", 10000)
	_, err := captures.Release(context.Background(), g.Merchant, captures.ReleaseParams{Amount: 5000, PaymentTransactionID: req.TransactionID})
	if !errors.Is(err, client.ErrRejected) {
		t.Fatalf("partial release: %v, want ErrRejected", err)
	}
}

func TestReleaseAfterCaptureIsRejected(t *testing.T) {
	ctx := context.Background()
	g := e2etest.New(t)
	_, req := g.AuthorizedCard(t, "rel-3", 10000)
	if _, err := captures.Create(ctx, g.Merchant, captures.Params{Amount: 1000, PaymentID: req.ResultingPaymentID}); err != nil {
		t.Fatal(err)
	}
	_, err := captures.Release(ctx, g.Merchant, captures.ReleaseParams{Amount: 10000, PaymentID: req.ResultingPaymentID})
	if !errors.Is(err, client.ErrRejected) {
		t.Fatalf("release after a capture: %v, want ErrRejected", err)
	}
}

func TestReleaseMerchantReferenceIsUnique(t *testing.T) {
	ctx := context.Background()
	g := e2etest.New(t)
	_, a := g.AuthorizedCard(t, "rel-4", 10000)
	_, b := g.AuthorizedCard(t, "rel-5", 10000)
	if _, err := captures.Release(ctx, g.Merchant, captures.ReleaseParams{Amount: 10000, PaymentID: a.ResultingPaymentID, MerchantReference: "R1"}); err != nil {
		t.Fatal(err)
	}
	_, err := captures.Release(ctx, g.Merchant, captures.ReleaseParams{Amount: 10000, PaymentID: b.ResultingPaymentID, MerchantReference: "R1"})
	e2etest.Rejected(t, err, "constraint-violation")
}

func TestScriptedReleaseAmbiguous(t *testing.T) {
	ctx := context.Background()
	g := e2etest.New(t)
	_, req := g.AuthorizedCard(t, "rel-6", 10000)
	g.Srv.ScriptRelease(kronortest.OutcomeAmbiguous)
	r, err := captures.Release(ctx, g.Merchant, captures.ReleaseParams{Amount: 10000, PaymentID: req.ResultingPaymentID})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := captures.GetRelease(ctx, g.Merchant, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Status != captures.ReleaseAmbiguous || tr.Status.Final() || !tr.Status.Ambiguous() {
		t.Fatalf("status = %s, want RELEASE_AMBIGUOUS", tr.Status)
	}
}
