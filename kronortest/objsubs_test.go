package kronortest_test

import (
	"slices"
	"testing"

	"github.com/coder/websocket"

	"github.com/kronor-io/kronor-go/kronortest"
)

// The documents the SDK's watcher subscribes with: the fields of captures'
// CaptureFields and ReleaseFields and of refunds' RefundFields.
const (
	captureSubQuery = `subscription($ids: [bigint!]!) { paymentCaptures(where: {id: {_in: $ids}}) {
		id transactionId paymentId amount message createdAt errorMessage status { status enteredAt } } }`
	releaseSubQuery = `subscription($ids: [bigint!]!) { transactionReleases(where: {id: {_in: $ids}}) {
		id paymentId amount createdAt currentStatus statusHistory { status enteredAt } } }`
	refundSubQuery = `subscription($ws: [uuid!]!) { refunds(where: {waitToken: {_in: $ws}}) {
		waitToken transactionId paymentId totalAmount message createdAt errorMessage status { status enteredAt } } }`
)

type watchedCaptures struct {
	PaymentCaptures []struct {
		ID           int64
		ErrorMessage *string
		Status       []struct{ Status string }
	}
}

type watchedReleases struct {
	TransactionReleases []struct {
		ID            int64
		CurrentStatus string
		StatusHistory []struct{ Status string }
	}
}

type watchedRefunds struct {
	Refunds []struct {
		WaitToken string
		Status    []struct{ Status string }
	}
}

func TestCaptureReleaseRefundSubscriptions(t *testing.T) {
	for _, proto := range []string{legacyWS, transportWS} {
		t.Run(proto, func(t *testing.T) {
			f := newFixture(t, kronortest.WithManualSettlement())
			capID := f.authorizedPayment("ref-sub-cap", 1000)
			relID := f.authorizedPayment("ref-sub-rel", 1000)
			var c struct{ NewPaymentCapture struct{ CaptureID int64 } }
			f.capture(capID, 1000).ok(t, &c)
			var rel struct{ ReleasePayment struct{ ReleaseID string } }
			f.release(relID, 1000, nil).ok(t, &rel)
			f.srv.Settle() // the capture is done: the payment can be refunded
			f.srv.ScriptRefund(kronortest.OutcomePending)
			var rf struct{ RefundPayment struct{ WaitToken string } }
			f.refund(capID, 300, nil).ok(t, &rf)

			w := connect(t, f.srv, proto, f.srv.MerchantToken())
			w.subscribe("c", captureSubQuery, map[string]any{"ids": []int64{c.NewPaymentCapture.CaptureID, 999}})
			var wc watchedCaptures
			w.result("c", &wc)
			if len(wc.PaymentCaptures) != 1 || wc.PaymentCaptures[0].Status[0].Status != "CAPTURE_DONE" {
				t.Fatalf("capture's first result %+v", wc)
			}
			w.subscribe("r", refundSubQuery, map[string]any{"ws": []string{rf.RefundPayment.WaitToken}})
			var wr watchedRefunds
			w.result("r", &wr)
			if len(wr.Refunds) != 1 || wr.Refunds[0].WaitToken != rf.RefundPayment.WaitToken || wr.Refunds[0].Status[0].Status != "INITIALIZING" {
				t.Fatalf("refund's first result %+v", wr)
			}
			// The release was settled with the capture; a release
			// subscription pushes its end at once.
			w.subscribe("l", releaseSubQuery, map[string]any{"ids": []string{rel.ReleasePayment.ReleaseID}})
			var wl watchedReleases
			w.result("l", &wl)
			if len(wl.TransactionReleases) != 1 || wl.TransactionReleases[0].CurrentStatus != "DONE" {
				t.Fatalf("release's first result %+v", wl)
			}
			waitLive(t, f.srv, kronortest.Live{WebSockets: 1, Subscriptions: 3})

			// Each settlement's change of the refund is pushed. The rest of
			// the walk, settled at once, is pushed once, as a live query
			// sees a change made in one transaction: its end, with the
			// path in the status history.
			f.srv.Settle()
			w.result("r", &wr)
			if got := wr.Refunds[0].Status[0].Status; got != "WAITING_FOR_REFUND" {
				t.Fatalf("refund pushed %s", got)
			}
			f.srv.Settle()
			w.result("r", &wr)
			if got := wr.Refunds[0].Status[0].Status; got != "PAID" {
				t.Fatalf("refund pushed %s, want PAID", got)
			}
			var path []string
			for _, e := range f.refundRow(rf.RefundPayment.WaitToken).StatusHistory {
				path = append(path, e.Status)
			}
			if want := []string{"INITIALIZING", "WAITING_FOR_REFUND", "CREATED", "DEBITED", "PAID"}; !slices.Equal(path, want) {
				t.Fatalf("refund's status history %v, want %v", path, want)
			}
			for _, id := range []string{"c", "r", "l"} {
				w.stop(id)
				if m := w.next(); m.Type != "complete" || m.ID != id {
					t.Fatalf("after stop: %+v", m)
				}
			}
			waitLive(t, f.srv, kronortest.Live{WebSockets: 1})
			w.c.Close(websocket.StatusNormalClosure, "")
			waitLive(t, f.srv, kronortest.Live{})
		})
	}
}

// A subscription sees new rows its filter matches, and each step of a
// scripted outcome.
func TestCaptureSubscriptionSeesNewRowsAndOutcomes(t *testing.T) {
	for _, proto := range []string{legacyWS, transportWS} {
		t.Run(proto, func(t *testing.T) {
			f := newFixture(t, kronortest.WithManualSettlement())
			id := f.authorizedPayment("ref-sub-new", 1000)
			w := connect(t, f.srv, proto, f.srv.MerchantToken())
			w.subscribe("p", `subscription($p: bigint!) { paymentCaptures(where: {paymentId: {_eq: $p}}, orderBy: [{id: ASC}]) {
				id errorMessage status { status } } }`, map[string]any{"p": id})
			var wc watchedCaptures
			w.result("p", &wc)
			if len(wc.PaymentCaptures) != 0 {
				t.Fatalf("first result %+v", wc)
			}
			f.srv.ScriptCapture(kronortest.OutcomeCooldown)
			f.capture(id, 400).ok(t, nil)
			w.result("p", &wc)
			if len(wc.PaymentCaptures) != 1 || wc.PaymentCaptures[0].Status[0].Status != "CAPTURING" {
				t.Fatalf("after the capture %+v", wc)
			}
			f.srv.Settle()
			w.result("p", &wc)
			if c := wc.PaymentCaptures[0]; c.Status[0].Status != "CAPTURE_COOLDOWN" || c.ErrorMessage == nil {
				t.Fatalf("after settling %+v", wc)
			}
			// A capture of another payment is not pushed here: the next
			// message is about this payment's second capture.
			other := f.authorizedPayment("ref-sub-other", 1000)
			f.capture(other, 100).ok(t, nil)
			f.capture(id, 100).ok(t, nil)
			w.result("p", &wc)
			var got []string
			for _, c := range wc.PaymentCaptures {
				got = append(got, c.Status[0].Status)
			}
			if !slices.Equal(got, []string{"CAPTURE_COOLDOWN", "CAPTURING"}) {
				t.Fatalf("after the second capture %v", got)
			}
		})
	}
}

// The three subscriptions are the merchant role's: a session token's
// subscription to them fails as a field the role lacks.
func TestObjectSubscriptionsAreMerchantOnly(t *testing.T) {
	for _, proto := range []string{legacyWS, transportWS} {
		t.Run(proto, func(t *testing.T) {
			f := newFixture(t)
			tok := f.session("ref-sub-role", 1000, nil)
			w := connect(t, f.srv, proto, tok)
			for i, q := range []string{
				`subscription { paymentCaptures { id } }`,
				`subscription { transactionReleases { id } }`,
				`subscription { refunds { waitToken } }`,
			} {
				id := string(rune('a' + i))
				w.subscribe(id, q, nil)
				errs := w.operationError(id)
				if len(errs) != 1 || errs[0].code() != "validation-failed" {
					t.Fatalf("%s: %+v", q, errs)
				}
			}
		})
	}
}
