package kronortest_test

import (
	"slices"
	"testing"

	"github.com/kronor-io/kronor-go/kronortest"
)

const (
	captureMutation = `mutation($c: PaymentCaptureInput!) { newPaymentCapture(capture: $c) { captureId captureTransactionId } }`
	releaseMutation = `mutation($r: ReleasePaymentInput!) { releasePayment(release: $r) { releaseId } }`
	refundMutation  = `mutation($r: RefundPaymentInput!) { refundPayment(refund: $r) { waitToken refundTransactionId } }`
)

type paymentRow struct {
	ID                  int64
	TransactionID       string
	AmountAuthorized    *int64
	AmountPaid          int64
	CurrentStatus       string
	PaymentRefundStatus string
	MerchantReference   string
	Captures            []struct {
		ID            int64
		Amount        int64
		StatusHistory []struct{ Status string }
	}
	Refunds []struct {
		WaitToken     string
		TotalAmount   int64
		StatusHistory []struct{ Status string }
	}
	TransactionReleases []struct {
		ID            int64
		CurrentStatus string
		StatusHistory []struct{ Status string }
	}
}

func (f *fixture) payment(id int64) paymentRow {
	f.t.Helper()
	var out struct{ Payments []paymentRow }
	f.merchant(`query($id: bigint!) { payments(where: {id: {_eq: $id}}) {
		id transactionId amountAuthorized amountPaid currentStatus paymentRefundStatus merchantReference
		captures(orderBy: [{id: ASC}]) { id amount statusHistory { status } }
		refunds(orderBy: [{createdAt: ASC}]) { waitToken totalAmount statusHistory { status } }
		transactionReleases { id currentStatus statusHistory { status } }
	} }`, map[string]any{"id": id}).ok(f.t, &out)
	if len(out.Payments) != 1 {
		f.t.Fatalf("payment %d: %d rows", id, len(out.Payments))
	}
	return out.Payments[0]
}

func (f *fixture) capture(id int64, amount int) result {
	f.t.Helper()
	return f.merchant(captureMutation, map[string]any{"c": map[string]any{"idempotencyKey": f.key(), "paymentId": id, "amount": amount}})
}

func (f *fixture) refund(id int64, amount int, extra map[string]any) result {
	f.t.Helper()
	in := map[string]any{"idempotencyKey": f.key(), "paymentId": id, "amount": amount, "message": "Refund"}
	for k, v := range extra {
		in[k] = v
	}
	return f.merchant(refundMutation, map[string]any{"r": in})
}

func (f *fixture) release(id int64, amount int, extra map[string]any) result {
	f.t.Helper()
	in := map[string]any{"idempotencyKey": f.key(), "paymentId": id, "amount": amount}
	for k, v := range extra {
		in[k] = v
	}
	return f.merchant(releaseMutation, map[string]any{"r": in})
}

func TestCaptures(t *testing.T) {
	// Each capture, release and refund settles when the next request is served.
	f := newFixture(t, kronortest.WithSettleDelay(0))
	id := f.authorizedPayment("ref-cap", 1000)
	p := f.payment(id)
	if p.CurrentStatus != "AUTHORIZED" || p.AmountAuthorized == nil || *p.AmountAuthorized != 1000 || p.AmountPaid != 0 {
		t.Fatalf("authorized payment: %+v", p)
	}
	f.capture(id, 0).fails(t, "validation-failed", "args.capture.amount")
	f.capture(id, 1001).fails(t, "limit-exceeded", "args.capture.amount")

	var c struct{ NewPaymentCapture struct{ CaptureID int64 } }
	f.capture(id, 400).ok(t, &c)
	p = f.payment(id)
	if p.CurrentStatus != "PARTIALLY_CAPTURED" || p.AmountPaid != 400 {
		t.Fatalf("after a partial capture: %s paid %d", p.CurrentStatus, p.AmountPaid)
	}
	if got := statuses(p.Captures[0].StatusHistory); !slices.Equal(got, []string{"CAPTURING", "CAPTURE_DONE"}) {
		t.Fatalf("capture history %v", got)
	}
	f.capture(id, 601).fails(t, "limit-exceeded", "args.capture.amount")
	// By transaction id this time.
	f.merchant(captureMutation, map[string]any{"c": map[string]any{"idempotencyKey": f.key(), "paymentTransactionId": p.TransactionID, "amount": 600}}).ok(t, nil)
	p = f.payment(id)
	if p.CurrentStatus != "PAID" || p.AmountPaid != 1000 || len(p.Captures) != 2 {
		t.Fatalf("after the full capture: %+v", p)
	}
	f.capture(id, 1).fails(t, "invalid-state", "$.selectionSet.newPaymentCapture")

	// Neither id given; unknown id; a paid (not authorized) payment.
	f.merchant(captureMutation, map[string]any{"c": map[string]any{"idempotencyKey": f.key(), "amount": 1}}).
		fails(t, "validation-failed", "args.capture.paymentId")
	f.capture(99999, 1).fails(t, "not-found", "args.capture.paymentId")
	f.capture(f.paidPayment("ref-cap-swish", 1000), 1).fails(t, "invalid-state", "$.selectionSet.newPaymentCapture")
	if c := f.srv.Counts("ref-cap"); c.Captures != 2 {
		t.Fatalf("captures stored: %d", c.Captures)
	}
}

func TestScriptedCaptures(t *testing.T) {
	// Each capture, release and refund settles when the next request is served.
	f := newFixture(t, kronortest.WithSettleDelay(0))
	id := f.authorizedPayment("ref-cap-script", 1000)
	f.srv.ScriptCapture(kronortest.OutcomeCooldown)
	f.srv.ScriptCapture(kronortest.OutcomeError)
	f.srv.ScriptCapture(kronortest.OutcomeDeclined)
	f.capture(id, 500).ok(t, nil) // cooldown: nothing captured
	f.capture(id, 500).ok(t, nil) // error: nothing captured
	if p := f.payment(id); p.CurrentStatus != "AUTHORIZED" || p.AmountPaid != 0 {
		t.Fatalf("after cooldown and error: %s paid %d", p.CurrentStatus, p.AmountPaid)
	}
	f.capture(id, 1000).ok(t, nil) // declined: no more captures
	p := f.payment(id)
	var last []string
	for _, c := range p.Captures {
		st := statuses(c.StatusHistory)
		last = append(last, st[len(st)-1])
	}
	if !slices.Equal(last, []string{"CAPTURE_COOLDOWN", "ERROR", "CAPTURE_DECLINED"}) || p.CurrentStatus != "CAPTURE_DECLINED" {
		t.Fatalf("captures %v, payment %s", last, p.CurrentStatus)
	}
	f.capture(id, 100).fails(t, "invalid-state", "$.selectionSet.newPaymentCapture")
}

func TestManualSettlement(t *testing.T) {
	f := newFixture(t, kronortest.WithManualSettlement())
	id := f.authorizedPayment("ref-manual", 1000)
	var c struct{ NewPaymentCapture struct{ CaptureID int64 } }
	f.capture(id, 1000).ok(t, &c)
	var out struct {
		PaymentCaptures []struct{ Status []struct{ Status string } }
	}
	q := `query($id: bigint!) { paymentCaptures(where: {id: {_eq: $id}}) { status { status } } }`
	f.merchant(q, map[string]any{"id": c.NewPaymentCapture.CaptureID}).ok(t, &out)
	if got := statuses(out.PaymentCaptures[0].Status); !slices.Equal(got, []string{"CAPTURING"}) {
		t.Fatalf("before Settle: %v", got)
	}
	f.srv.Settle()
	f.merchant(q, map[string]any{"id": c.NewPaymentCapture.CaptureID}).ok(t, &out)
	if got := statuses(out.PaymentCaptures[0].Status); !slices.Equal(got, []string{"CAPTURE_DONE"}) {
		t.Fatalf("after Settle: %v", got)
	}
}

func TestReleases(t *testing.T) {
	// Each capture, release and refund settles when the next request is served.
	f := newFixture(t, kronortest.WithSettleDelay(0))
	id := f.authorizedPayment("ref-rel", 1000)
	f.release(id, 500, nil).fails(t, "validation-failed", "args.release.amount") // partial
	f.srv.ScriptRelease(kronortest.OutcomeError)
	f.release(id, 1000, map[string]any{"merchantReference": "rel-1"}).ok(t, nil)
	if p := f.payment(id); p.CurrentStatus != "AUTHORIZED" || p.TransactionReleases[0].CurrentStatus != "ERROR" {
		t.Fatalf("after a failed release: %+v", p)
	}
	// A failed release frees its merchantReference.
	var r struct{ ReleasePayment struct{ ReleaseID string } }
	f.release(id, 1000, map[string]any{"merchantReference": "rel-1"}).ok(t, &r)
	p := f.payment(id)
	if p.CurrentStatus != "RELEASED" || len(p.TransactionReleases) != 2 ||
		!slices.Equal(statuses(p.TransactionReleases[1].StatusHistory), []string{"IN_PROGRESS", "DONE"}) ||
		itoa(p.TransactionReleases[1].ID) != r.ReleasePayment.ReleaseID {
		t.Fatalf("after the release: %+v (releaseId %s)", p, r.ReleasePayment.ReleaseID)
	}
	f.release(id, 1000, nil).fails(t, "invalid-state", "$.selectionSet.releasePayment")
	f.capture(id, 1).fails(t, "invalid-state", "$.selectionSet.newPaymentCapture")

	// Not after a capture; not a paid payment; reference unique.
	captured := f.authorizedPayment("ref-rel-2", 1000)
	f.capture(captured, 100).ok(t, nil)
	f.release(captured, 1000, nil).fails(t, "invalid-state", "$.selectionSet.releasePayment")
	f.release(f.paidPayment("ref-rel-3", 1000), 1000, nil).fails(t, "invalid-state", "$.selectionSet.releasePayment")
	f.release(f.authorizedPayment("ref-rel-4", 1000), 1000, map[string]any{"merchantReference": "rel-1"}).
		fails(t, "constraint-violation", "args.release.merchantReference")

	f.srv.ScriptRelease(kronortest.OutcomeAmbiguous)
	amb := f.authorizedPayment("ref-rel-5", 1000)
	f.release(amb, 1000, nil).ok(t, nil)
	if p := f.payment(amb); p.TransactionReleases[0].CurrentStatus != "RELEASE_AMBIGUOUS" || p.CurrentStatus != "AUTHORIZED" {
		t.Fatalf("ambiguous release: %+v", p)
	}
}

func TestRefunds(t *testing.T) {
	// Each capture, release and refund settles when the next request is served.
	f := newFixture(t, kronortest.WithSettleDelay(0))
	id := f.paidPayment("ref-refund", 1000)
	f.refund(id, 0, nil).fails(t, "validation-failed", "args.refund.amount")
	f.refund(id, 100, map[string]any{"message": ""}).fails(t, "validation-failed", "args.refund.message")
	f.refund(id, 1001, nil).fails(t, "limit-exceeded", "args.refund.amount")

	f.refund(id, 300, map[string]any{"merchantReference": "r-1"}).ok(t, nil)
	p := f.payment(id)
	if p.PaymentRefundStatus != "PARTIALLY_REFUNDED" ||
		!slices.Equal(statuses(p.Refunds[0].StatusHistory), []string{"INITIALIZING", "CREATED", "DEBITED", "PAID"}) {
		t.Fatalf("after a partial refund: %+v", p)
	}
	f.refund(id, 100, map[string]any{"merchantReference": "r-1"}).fails(t, "constraint-violation", "args.refund.merchantReference")
	f.refund(id, 701, nil).fails(t, "limit-exceeded", "args.refund.amount")

	f.srv.ScriptRefund(kronortest.OutcomeError)
	f.refund(id, 700, nil).ok(t, nil) // fails: frees the amount again
	f.srv.ScriptRefund(kronortest.OutcomeAmbiguous)
	f.refund(id, 200, nil).ok(t, nil) // unknown: holds its amount
	f.refund(id, 501, nil).fails(t, "limit-exceeded", "args.refund.amount")
	f.refund(id, 500, nil).ok(t, nil)
	p = f.payment(id)
	var last []string
	for _, r := range p.Refunds {
		st := statuses(r.StatusHistory)
		last = append(last, st[len(st)-1])
	}
	if !slices.Equal(last, []string{"PAID", "ERROR", "REFUND_AMBIGUOUS", "PAID"}) || p.PaymentRefundStatus != "PARTIALLY_REFUNDED" {
		t.Fatalf("refunds %v, status %s", last, p.PaymentRefundStatus)
	}

	full := f.paidPayment("ref-refund-2", 1000)
	f.refund(full, 1000, nil).ok(t, nil)
	if p := f.payment(full); p.PaymentRefundStatus != "FULLY_REFUNDED" {
		t.Fatalf("full refund: %s", p.PaymentRefundStatus)
	}

	// An authorized-only payment is released, not refunded; a captured part can be refunded.
	auth := f.authorizedPayment("ref-refund-3", 1000)
	f.refund(auth, 100, nil).fails(t, "invalid-state", "$.selectionSet.refundPayment")
	f.capture(auth, 400).ok(t, nil)
	f.refund(auth, 401, nil).fails(t, "limit-exceeded", "args.refund.amount")
	f.refund(auth, 400, nil).ok(t, nil)

	if c := f.srv.Counts("ref-refund"); c.Refunds != 4 || c.Payments != 1 {
		t.Fatalf("counts %+v", c)
	}
	var rs struct {
		Refunds []struct{ WaitToken string }
	}
	f.merchant(`query($w: uuid!) { refunds(where: {waitToken: {_eq: $w}}) { waitToken } }`,
		map[string]any{"w": p.Refunds[1].WaitToken}).ok(t, &rs)
	if len(rs.Refunds) != 1 || rs.Refunds[0].WaitToken != p.Refunds[1].WaitToken {
		t.Fatalf("refund by waitToken: %+v", rs)
	}
}
