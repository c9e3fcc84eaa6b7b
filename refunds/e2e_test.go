package refunds_test

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
	"github.com/kronor-io/kronor-go/refunds"
)

func TestMain(m *testing.M) {
	testsupport.VerifyNoLeaks(m)
}

func TestPartialRefundsUpToThePaidAmount(t *testing.T) {
	ctx := context.Background()
	g := e2etest.New(t)
	_, req := g.PaidSwish(t, "ref-1", 10000)
	id := req.ResultingPaymentID

	r1, err := refunds.Create(ctx, g.Merchant, refunds.Params{Amount: 2500, PaymentID: id, Message: "Returned shirt", MerchantReference: "ref-1-r1", CreatedBy: "support"})
	if err != nil {
		t.Fatal(err)
	}
	if r1.WaitToken == "" || r1.TransactionID == "" || r1.IdempotencyKey == "" {
		t.Fatalf("receipt = %+v", r1)
	}
	got, err := refunds.Get(ctx, g.Merchant, r1.WaitToken)
	if err != nil {
		t.Fatal(err)
	}
	if got.WaitToken != r1.WaitToken || got.Amount != 2500 || got.PaymentID != id || got.Message != "Returned shirt" ||
		got.Status != refunds.StatusPaid || !got.Status.Final() || got.CreatedAt.IsZero() || got.TransactionID != r1.TransactionID {
		t.Fatalf("refund = %+v", got)
	}

	p, err := payments.Get(ctx, g.Merchant, id)
	if err != nil {
		t.Fatal(err)
	}
	if p.RefundStatus != payments.RefundStatusPartially || len(p.Refunds) != 1 || p.Refunds[0].WaitToken != r1.WaitToken ||
		p.Refunds[0].Amount != 2500 || p.Refunds[0].Status != refunds.StatusPaid {
		t.Fatalf("payment's refunds = %s %+v", p.RefundStatus, p.Refunds)
	}

	// The rest, by transaction id.
	r2, err := refunds.Create(ctx, g.Merchant, refunds.Params{Amount: 7500, PaymentTransactionID: req.TransactionID, Message: "Rest of order"})
	if err != nil {
		t.Fatal(err)
	}
	// Nothing is left to refund.
	_, err = refunds.Create(ctx, g.Merchant, refunds.Params{Amount: 1, PaymentID: id, Message: "One more"})
	e2etest.Rejected(t, err, "limit-exceeded")

	list, err := refunds.List(ctx, g.Merchant, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].WaitToken != r1.WaitToken || list[1].WaitToken != r2.WaitToken {
		t.Fatalf("List = %+v, want both refunds oldest first", list)
	}
	if p, err = payments.Get(ctx, g.Merchant, id); err != nil || p.RefundStatus != payments.RefundStatusFully {
		t.Fatalf("refund status = %v, %v", p.RefundStatus, err)
	}
}

func TestRefundWalksItsStatuses(t *testing.T) {
	ctx := context.Background()
	g := e2etest.New(t, kronortest.WithManualSettlement())
	_, req := g.PaidSwish(t, "ref-2", 10000)
	r, err := refunds.Create(ctx, g.Merchant, refunds.Params{Amount: 10000, PaymentID: req.ResultingPaymentID, Message: "Refund"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := refunds.Get(ctx, g.Merchant, r.WaitToken)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != refunds.StatusInitializing || got.Status.Final() {
		t.Fatalf("status before settlement = %s", got.Status)
	}
	g.Srv.Settle()
	if got, err = refunds.Get(ctx, g.Merchant, r.WaitToken); err != nil || got.Status != refunds.StatusPaid {
		t.Fatalf("after settlement: %+v, %v", got, err)
	}
}

func TestScriptedRefundError(t *testing.T) {
	ctx := context.Background()
	g := e2etest.New(t)
	_, req := g.PaidSwish(t, "ref-3", 10000)
	g.Srv.ScriptRefund(kronortest.OutcomeError)
	r, err := refunds.Create(ctx, g.Merchant, refunds.Params{Amount: 10000, PaymentID: req.ResultingPaymentID, Message: "Refund"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := refunds.Get(ctx, g.Merchant, r.WaitToken)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != refunds.StatusError || !got.Status.Failed() {
		t.Fatalf("status = %s, want ERROR", got.Status)
	}
	// A failed refund does not count: the full amount can be refunded again.
	if _, err := refunds.Create(ctx, g.Merchant, refunds.Params{Amount: 10000, PaymentID: req.ResultingPaymentID, Message: "Refund again"}); err != nil {
		t.Fatalf("refund after a failed one: %v", err)
	}
}

func TestAuthorizedPaymentIsReleasedNotRefunded(t *testing.T) {
	ctx := context.Background()
	g := e2etest.New(t)
	_, req := g.AuthorizedCard(t, "ref-4", 10000)
	_, err := refunds.Create(ctx, g.Merchant, refunds.Params{Amount: 1000, PaymentID: req.ResultingPaymentID, Message: "Refund"})
	if !errors.Is(err, client.ErrRejected) {
		t.Fatalf("refund of an authorized payment: %v, want ErrRejected", err)
	}
	// After a capture, the captured part can be refunded.
	if _, err := captures.Create(ctx, g.Merchant, captures.Params{Amount: 4000, PaymentID: req.ResultingPaymentID}); err != nil {
		t.Fatal(err)
	}
	if _, err := refunds.Create(ctx, g.Merchant, refunds.Params{Amount: 4000, PaymentID: req.ResultingPaymentID, Message: "Refund"}); err != nil {
		t.Fatalf("refund of the captured amount: %v", err)
	}
	_, err = refunds.Create(ctx, g.Merchant, refunds.Params{Amount: 1, PaymentID: req.ResultingPaymentID, Message: "Refund"})
	e2etest.Rejected(t, err, "limit-exceeded")
}

func TestDerivedKeyRefundsOnce(t *testing.T) {
	ctx := context.Background()
	g := e2etest.New(t)
	_, req := g.PaidSwish(t, "ref-5", 10000)
	p := refunds.Params{
		Amount: 3000, PaymentID: req.ResultingPaymentID, Message: "Refund",
		IdempotencyKey: client.DeriveIdempotencyKey("ref-5", "refund", "1"),
	}
	a, err := refunds.Create(ctx, g.Merchant, p)
	if err != nil {
		t.Fatal(err)
	}
	b, err := refunds.Create(ctx, g.Merchant, p) // the process restarted and runs the refund again
	if err != nil {
		t.Fatal(err)
	}
	if a.WaitToken != b.WaitToken || a.IdempotencyKey != p.IdempotencyKey {
		t.Fatalf("receipts %+v, %+v", a, b)
	}
	if c := g.Srv.Counts("ref-5"); c.Refunds != 1 {
		t.Fatalf("counts = %+v, want one refund", c)
	}
	// The same key with another amount is a conflict, not a second refund.
	p.Amount = 4000
	_, err = refunds.Create(ctx, g.Merchant, p)
	if !errors.Is(err, client.ErrRejected) {
		t.Fatalf("same key, other amount: %v", err)
	}
}

func TestRetryAfterADroppedAnswerRefundsOnce(t *testing.T) {
	ctx := context.Background()
	g := e2etest.New(t)
	_, req := g.PaidSwish(t, "ref-6", 10000)
	g.Srv.FailNext(1, kronortest.FaultDropAfterCommit)
	if _, err := refunds.Create(ctx, g.Merchant, refunds.Params{Amount: 1000, PaymentID: req.ResultingPaymentID, Message: "Refund"}); err != nil {
		t.Fatal(err)
	}
	if c := g.Srv.Counts("ref-6"); c.Refunds != 1 {
		t.Fatalf("counts = %+v, want one refund", c)
	}
}

func TestMerchantReferenceIsUnique(t *testing.T) {
	ctx := context.Background()
	g := e2etest.New(t)
	_, req := g.PaidSwish(t, "ref-7", 10000)
	if _, err := refunds.Create(ctx, g.Merchant, refunds.Params{Amount: 1000, PaymentID: req.ResultingPaymentID, Message: "Refund", MerchantReference: "RMA-1"}); err != nil {
		t.Fatal(err)
	}
	_, err := refunds.Create(ctx, g.Merchant, refunds.Params{Amount: 1000, PaymentID: req.ResultingPaymentID, Message: "Refund", MerchantReference: "RMA-1"})
	e2etest.Rejected(t, err, "constraint-violation")
}

func TestRefundOfAMissingPayment(t *testing.T) {
	ctx := context.Background()
	g := e2etest.New(t)
	_, err := refunds.Create(ctx, g.Merchant, refunds.Params{Amount: 1000, PaymentID: 424242, Message: "Refund"})
	e2etest.Rejected(t, err, "not-found")
	if _, err := refunds.Get(ctx, g.Merchant, "00000000-0000-4000-8000-000000000000"); !errors.Is(err, refunds.ErrNotFound) {
		t.Fatalf("Get of a missing refund: %v, want ErrNotFound", err)
	}
	list, err := refunds.List(ctx, g.Merchant, 424242)
	if err != nil || len(list) != 0 {
		t.Fatalf("List = %v, %v", list, err)
	}
}
