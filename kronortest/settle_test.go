package kronortest_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/kronortest"
)

type timedRow struct {
	Status        []struct{ Status string }
	StatusHistory []struct {
		Status    string
		EnteredAt time.Time
	}
}

func (r timedRow) walk(t *testing.T, t0 time.Time) []string {
	t.Helper()
	var out []string
	for _, e := range r.StatusHistory {
		out = append(out, e.Status+"@"+e.EnteredAt.Sub(t0).String())
	}
	return out
}

func (f *fixture) captureRow(id int64) timedRow {
	f.t.Helper()
	var out struct{ PaymentCaptures []timedRow }
	f.merchant(`query($id: bigint!) { paymentCaptures(where: {id: {_eq: $id}}) { status { status } statusHistory { status enteredAt } } }`,
		map[string]any{"id": id}).ok(f.t, &out)
	if len(out.PaymentCaptures) != 1 {
		f.t.Fatalf("capture %d: %d rows", id, len(out.PaymentCaptures))
	}
	return out.PaymentCaptures[0]
}

func (f *fixture) refundRow(waitToken string) timedRow {
	f.t.Helper()
	var out struct{ Refunds []timedRow }
	f.merchant(`query($w: uuid!) { refunds(where: {waitToken: {_eq: $w}}) { status { status } statusHistory { status enteredAt } } }`,
		map[string]any{"w": waitToken}).ok(f.t, &out)
	if len(out.Refunds) != 1 {
		f.t.Fatalf("refund %s: %d rows", waitToken, len(out.Refunds))
	}
	return out.Refunds[0]
}

func (f *fixture) releaseRow(id string) timedRow {
	f.t.Helper()
	var out struct{ TransactionReleases []timedRow }
	f.merchant(`query($id: bigint!) { transactionReleases(where: {id: {_eq: $id}}) { statusHistory { status enteredAt } } }`,
		map[string]any{"id": id}).ok(f.t, &out)
	if len(out.TransactionReleases) != 1 {
		f.t.Fatalf("release %s: %d rows", id, len(out.TransactionReleases))
	}
	return out.TransactionReleases[0]
}

// By default captures, releases and refunds move by themselves, one step per
// DefaultSettleDelay of the fake's clock, each entered at its time.
func TestTimedSettlement(t *testing.T) {
	f := newFixture(t)
	const d = kronortest.DefaultSettleDelay
	capPay := f.authorizedPayment("ref-timed-cap", 1000)
	relPay := f.authorizedPayment("ref-timed-rel", 1000)
	var c struct{ NewPaymentCapture struct{ CaptureID int64 } }
	f.capture(capPay, 1000).ok(t, &c)
	f.srv.ScriptRelease(kronortest.OutcomePending)
	var rel struct{ ReleasePayment struct{ ReleaseID string } }
	f.release(relPay, 1000, nil).ok(t, &rel)
	capID, relID := c.NewPaymentCapture.CaptureID, rel.ReleasePayment.ReleaseID

	// Requests served do not settle anything before its time.
	if got := f.captureRow(capID).walk(t, t0); !slices.Equal(got, []string{"CAPTURING@0s"}) {
		t.Fatalf("capture at once: %v", got)
	}
	f.clock.Advance(d - time.Millisecond)
	if got := f.captureRow(capID).walk(t, t0); !slices.Equal(got, []string{"CAPTURING@0s"}) {
		t.Fatalf("capture before its delay: %v", got)
	}
	if p := f.payment(capPay); p.CurrentStatus != "AUTHORIZED" {
		t.Fatalf("payment before the capture is done: %s", p.CurrentStatus)
	}
	f.clock.Advance(time.Millisecond)
	if got := f.captureRow(capID).walk(t, t0); !slices.Equal(got, []string{"CAPTURING@0s", "CAPTURE_DONE@20ms"}) {
		t.Fatalf("capture after its delay: %v", got)
	}
	if p := f.payment(capPay); p.CurrentStatus != "PAID" || p.AmountPaid != 1000 {
		t.Fatalf("payment after the capture: %s paid %d", p.CurrentStatus, p.AmountPaid)
	}
	// The pending release waited one step, and is done at the next.
	if got := f.releaseRow(relID).walk(t, t0); !slices.Equal(got, []string{"IN_PROGRESS@0s"}) {
		t.Fatalf("pending release after one step: %v", got)
	}

	// A refund walks CREATED, DEBITED, PAID a step apart; a jump of the
	// clock runs every step due, each at its own time.
	var rf struct{ RefundPayment struct{ WaitToken string } }
	f.refund(capPay, 300, nil).ok(t, &rf)
	start := f.clock.Now().Sub(t0)
	f.clock.Advance(time.Hour)
	want := []string{"INITIALIZING@" + start.String(), "CREATED@" + (start + d).String(),
		"DEBITED@" + (start + 2*d).String(), "PAID@" + (start + 3*d).String()}
	if got := f.refundRow(rf.RefundPayment.WaitToken).walk(t, t0); !slices.Equal(got, want) {
		t.Fatalf("refund: %v, want %v", got, want)
	}
	if got := f.releaseRow(relID).walk(t, t0); !slices.Equal(got, []string{"IN_PROGRESS@0s", "DONE@40ms"}) {
		t.Fatalf("release: %v", got)
	}
	if p := f.payment(relPay); p.CurrentStatus != "RELEASED" {
		t.Fatalf("released payment: %s", p.CurrentStatus)
	}
}

// Scripted outcomes keep their walks under timed settlement; Settle forces
// the rest of the current phase at once.
func TestTimedSettlementOutcomesAndSettle(t *testing.T) {
	f := newFixture(t, kronortest.WithSettleDelay(time.Second))
	id := f.authorizedPayment("ref-timed-out", 1000)
	f.srv.ScriptCapture(kronortest.OutcomePending)
	f.srv.ScriptCapture(kronortest.OutcomeCooldown)
	var c1, c2 struct{ NewPaymentCapture struct{ CaptureID int64 } }
	f.capture(id, 400).ok(t, &c1)
	f.capture(id, 100).ok(t, &c2)
	f.clock.Advance(time.Second)
	if got := f.captureRow(c1.NewPaymentCapture.CaptureID).walk(t, t0); !slices.Equal(got, []string{"WAITING_FOR_CAPTURE@0s", "CAPTURING@1s"}) {
		t.Fatalf("pending capture after a step: %v", got)
	}
	if got := f.captureRow(c2.NewPaymentCapture.CaptureID).walk(t, t0); !slices.Equal(got, []string{"CAPTURING@0s", "CAPTURE_COOLDOWN@1s"}) {
		t.Fatalf("cooldown capture: %v", got)
	}
	f.srv.Settle()
	if got := f.captureRow(c1.NewPaymentCapture.CaptureID).walk(t, t0); !slices.Equal(got, []string{"WAITING_FOR_CAPTURE@0s", "CAPTURING@1s", "CAPTURE_DONE@1s"}) {
		t.Fatalf("pending capture after Settle: %v", got)
	}
	// A refund half-way is finished by Settle.
	f.srv.ScriptRefund(kronortest.OutcomeAwaitingAccount)
	var rf struct{ RefundPayment struct{ WaitToken string } }
	f.refund(id, 100, nil).ok(t, &rf)
	f.clock.Advance(2 * time.Second) // AWAITING_ACCOUNT_SELECTION, CREATED
	f.srv.Settle()                   // DEBITED, PAID
	var got []string
	for _, e := range f.refundRow(rf.RefundPayment.WaitToken).StatusHistory {
		got = append(got, e.Status)
	}
	if want := []string{"INITIALIZING", "AWAITING_ACCOUNT_SELECTION", "CREATED", "DEBITED", "PAID"}; !slices.Equal(got, want) {
		t.Fatalf("refund: %v, want %v", got, want)
	}
	// Nothing is left to move.
	f.clock.Advance(time.Hour)
	if got := f.refundRow(rf.RefundPayment.WaitToken).StatusHistory; len(got) != 5 {
		t.Fatalf("refund moved after its end: %v", got)
	}
}

// Manual settlement overrides the delay: nothing moves with the clock.
func TestManualSettlementIgnoresTheClock(t *testing.T) {
	f := newFixture(t, kronortest.WithManualSettlement())
	id := f.authorizedPayment("ref-timed-manual", 1000)
	var c struct{ NewPaymentCapture struct{ CaptureID int64 } }
	f.capture(id, 1000).ok(t, &c)
	f.clock.Advance(time.Hour)
	if got := statuses(f.captureRow(c.NewPaymentCapture.CaptureID).Status); !slices.Equal(got, []string{"CAPTURING"}) {
		t.Fatalf("capture moved with the clock: %v", got)
	}
}

// On the system clock, the steps run by themselves and are pushed: a
// subscriber sees the capture end with no request served meanwhile.
func TestTimedSettlementOnTheSystemClock(t *testing.T) {
	srv := kronortest.NewServer(kronortest.WithSettleDelay(time.Millisecond))
	t.Cleanup(srv.Close)
	f := &fixture{t: t, srv: srv}
	id := f.authorizedPayment("ref-timed-real", 1000)
	var c struct{ NewPaymentCapture struct{ CaptureID int64 } }
	w := connect(t, srv, transportWS, srv.MerchantToken())
	f.capture(id, 1000).ok(t, &c)
	w.subscribe("c", captureSubQuery, map[string]any{"ids": []int64{c.NewPaymentCapture.CaptureID}})
	for {
		var wc watchedCaptures
		w.result("c", &wc) // fails at the test's deadline
		if st := wc.PaymentCaptures[0].Status[0].Status; st == "CAPTURE_DONE" {
			break
		} else if st != "CAPTURING" {
			t.Fatalf("capture pushed %s", st)
		}
	}
}

// A capture scheduled but not started is WAITING_FOR_CAPTURE (the only enum
// of the real schema with that value is the capture's); it holds its amount.
func TestWaitingForCaptureHoldsItsAmount(t *testing.T) {
	f := newFixture(t)
	id := f.authorizedPayment("ref-wfc", 1000)
	f.srv.ScriptCapture(kronortest.OutcomePending)
	var c struct{ NewPaymentCapture struct{ CaptureID int64 } }
	f.capture(id, 600).ok(t, &c)
	if got := statuses(f.captureRow(c.NewPaymentCapture.CaptureID).Status); !slices.Equal(got, []string{"WAITING_FOR_CAPTURE"}) {
		t.Fatalf("scheduled capture: %v", got)
	}
	f.capture(id, 401).fails(t, "limit-exceeded", "args.capture.amount")
	f.release(id, 1000, nil).fails(t, "invalid-state", "$.selectionSet.releasePayment")
	if p := f.payment(id); p.CurrentStatus != "AUTHORIZED" || p.AmountPaid != 0 {
		t.Fatalf("payment while the capture waits: %s paid %d", p.CurrentStatus, p.AmountPaid)
	}
	f.clock.Advance(2 * kronortest.DefaultSettleDelay)
	if p := f.payment(id); p.CurrentStatus != "PARTIALLY_CAPTURED" || p.AmountPaid != 600 {
		t.Fatalf("payment after the capture: %s paid %d", p.CurrentStatus, p.AmountPaid)
	}
}

// The controls read a capture's, release's or refund's status without a
// request; an id the server never issued is ErrNotFound.
func TestObjectStatusControls(t *testing.T) {
	f := newFixture(t)
	capPay := f.authorizedPayment("ref-ctl-cap", 1000)
	relPay := f.authorizedPayment("ref-ctl-rel", 1000)
	var c struct {
		NewPaymentCapture struct {
			CaptureID            int64
			CaptureTransactionID string
		}
	}
	f.capture(capPay, 1000).ok(t, &c)
	var rel struct{ ReleasePayment struct{ ReleaseID string } }
	f.release(relPay, 1000, nil).ok(t, &rel)
	before := f.srv.Requests()
	check := func(what, got string, err error, want string) {
		t.Helper()
		if err != nil || got != want {
			t.Fatalf("%s: %q, %v; want %s", what, got, err, want)
		}
	}
	st, err := f.srv.CaptureStatus(c.NewPaymentCapture.CaptureID)
	check("capture", st, err, "CAPTURING")
	st, err = f.srv.CaptureStatusByTransactionID(c.NewPaymentCapture.CaptureTransactionID)
	check("capture by transaction id", st, err, "CAPTURING")
	st, err = f.srv.ReleaseStatus(rel.ReleasePayment.ReleaseID)
	check("release", st, err, "IN_PROGRESS")
	f.clock.Advance(kronortest.DefaultSettleDelay)
	st, err = f.srv.CaptureStatus(c.NewPaymentCapture.CaptureID)
	check("capture", st, err, "CAPTURE_DONE")
	st, err = f.srv.ReleaseStatus(rel.ReleasePayment.ReleaseID)
	check("release", st, err, "DONE")
	var rf struct{ RefundPayment struct{ WaitToken string } }
	f.refund(capPay, 100, nil).ok(t, &rf)
	after := f.srv.Requests()
	st, err = f.srv.RefundStatus(strings.ToUpper(rf.RefundPayment.WaitToken))
	check("refund", st, err, "INITIALIZING")
	if n := f.srv.Requests(); n != after || after != before+1 {
		t.Fatalf("the controls sent requests: %d, %d, %d", before, after, n)
	}
	for _, err := range []error{
		func() error { _, err := f.srv.CaptureStatus(999); return err }(),
		func() error { _, err := f.srv.CaptureStatusByTransactionID("nope"); return err }(),
		func() error { _, err := f.srv.ReleaseStatus("x"); return err }(),
		func() error { _, err := f.srv.ReleaseStatus("999"); return err }(),
		func() error { _, err := f.srv.RefundStatus("00000000-0000-0000-0000-000000000000"); return err }(),
	} {
		if !errors.Is(err, kronortest.ErrNotFound) {
			t.Errorf("unknown object: %v", err)
		}
	}
}
