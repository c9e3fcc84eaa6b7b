package kronortest_test

import (
	"fmt"
	"testing"

	"github.com/kronor-io/kronor-go/captures"
	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/kronortest/internal/graph/model"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/refunds"
)

// TestEveryStatusIsReachable produces, through the fake's controls and the
// merchant's mutations, every value of the schema's payment, capture,
// release and refund status enums, reads each back from the statusHistory
// the gateway answers, and checks that the SDK's status types know it and
// classify it consistently.
func TestEveryStatusIsReachable(t *testing.T) {
	f := newFixture(t, kronortest.WithManualSettlement())
	calls := methodCalls(f.key)
	advance := func(wt string, to ...payments.Status) {
		t.Helper()
		for _, st := range to {
			if err := f.srv.Advance(wt, st); err != nil {
				t.Fatal(err)
			}
		}
	}
	ok := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	// Payment requests.
	n := 0
	session := func() string { n++; return f.session(fmt.Sprint("ref-status-", n), 1000, nil) }
	advance(f.swish(session()), "PROCESSING", "PAID")
	advance(f.swish(session()), "PROCESSING_REDIRECTED_APP", "WAITING_FOR_PROMOTION", "PAID")
	advance(f.swish(session()), "PROCESSING_REDIRECTED_WEB", "DECLINED")
	ok(f.srv.Fail(f.swish(session())))
	ok(f.srv.Approve(f.start(session(), calls[5]))) // bank transfer: FLOW_COMPLETED, ACCEPTED, PAID
	tok := session()
	cancelled := f.swish(tok)
	f.as(tok, `mutation($k: String!) { cancelPayment(cancel: {idempotencyKey: $k}) { waitToken } }`,
		map[string]any{"k": f.key()}).ok(t, nil)
	f.wantStatus(cancelled, "CANCELLED")

	// Captures (and the payment statuses they lead to), releases, refunds.
	capture := func(id int64, amount int) {
		t.Helper()
		f.capture(id, amount).ok(t, nil)
	}
	partly := f.authorizedPayment("ref-status-partly", 1000)
	capture(partly, 400) // PARTIALLY_CAPTURED
	f.srv.ScriptCapture(kronortest.OutcomeCooldown)
	capture(partly, 100)
	f.srv.ScriptCapture(kronortest.OutcomeError)
	capture(partly, 100)
	f.srv.ScriptCapture(kronortest.OutcomePending)
	capture(partly, 100) // WAITING_FOR_CAPTURE
	f.srv.Settle()
	f.srv.Settle()
	declined := f.authorizedPayment("ref-status-declined", 1000)
	f.srv.ScriptCapture(kronortest.OutcomeDeclined)
	capture(declined, 1000)
	f.srv.Settle()

	release := func(id int64, o kronortest.Outcome) {
		t.Helper()
		f.srv.ScriptRelease(o)
		f.release(id, 1000, nil).ok(t, nil)
		f.srv.Settle()
	}
	release(f.authorizedPayment("ref-status-rel-err", 1000), kronortest.OutcomeError)
	release(f.authorizedPayment("ref-status-rel-amb", 1000), kronortest.OutcomeAmbiguous)
	release(f.authorizedPayment("ref-status-rel-pending", 1000), kronortest.OutcomePending)
	f.srv.Settle() // RELEASED

	paid := f.paidPayment("ref-status-refunds", 1000)
	for _, o := range []kronortest.Outcome{kronortest.OutcomeSuccess, kronortest.OutcomeError, kronortest.OutcomeAmbiguous,
		kronortest.OutcomePending, kronortest.OutcomeAwaitingAccount} {
		f.srv.ScriptRefund(o)
		f.refund(paid, 100, nil).ok(t, nil)
	}
	f.srv.Settle()
	f.srv.Settle()

	var out struct {
		PaymentRequests []struct{ StatusHistory []struct{ Status string } }
		PaymentCaptures []struct{ StatusHistory []struct{ Status string } }
		Refunds         []struct{ StatusHistory []struct{ Status string } }
		Payments        []struct {
			TransactionReleases []struct{ StatusHistory []struct{ Status string } }
		}
	}
	f.merchant(`{
	  paymentRequests { statusHistory { status } }
	  paymentCaptures { statusHistory { status } }
	  refunds { statusHistory { status } }
	  payments { transactionReleases { statusHistory { status } } }
	}`, nil).ok(t, &out)
	seen := func(rows ...[]struct{ Status string }) map[string]bool {
		m := map[string]bool{}
		for _, r := range rows {
			for _, s := range r {
				m[s.Status] = true
			}
		}
		return m
	}
	var reqs, caps, refs, rels [][]struct{ Status string }
	for _, r := range out.PaymentRequests {
		reqs = append(reqs, r.StatusHistory)
	}
	for _, r := range out.PaymentCaptures {
		caps = append(caps, r.StatusHistory)
	}
	for _, r := range out.Refunds {
		refs = append(refs, r.StatusHistory)
	}
	for _, p := range out.Payments {
		for _, r := range p.TransactionReleases {
			rels = append(rels, r.StatusHistory)
		}
	}

	check := func(kind string, all []string, got map[string]bool, known func(string) bool, classes func(string) (succeeded, failed, final bool)) {
		t.Helper()
		for _, st := range all {
			if !got[st] {
				t.Errorf("%s status %s: never produced", kind, st)
			}
			if !known(st) {
				t.Errorf("%s status %s: unknown to the SDK", kind, st)
			}
			s, fl, fin := classes(st)
			if s && fl || (s || fl) && !fin {
				t.Errorf("%s status %s: succeeded %v, failed %v, final %v", kind, st, s, fl, fin)
			}
		}
	}
	var names []string
	for _, v := range model.AllPaymentStatusEnum {
		names = append(names, string(v))
	}
	check("payment", names, seen(reqs...), func(s string) bool { return payments.Status(s).Known() },
		func(s string) (bool, bool, bool) {
			st := payments.Status(s)
			return st.Succeeded(), st.Failed(), st.Final()
		})
	names = nil
	for _, v := range model.AllPaymentCaptureStatusEnum {
		names = append(names, string(v))
	}
	check("capture", names, seen(caps...), func(s string) bool { return captures.Status(s).Known() },
		func(s string) (bool, bool, bool) {
			st := captures.Status(s)
			return st.Succeeded(), st.Failed(), st.Final()
		})
	names = nil
	for _, v := range model.AllTransactionReleaseStatusEnum {
		names = append(names, string(v))
	}
	check("release", names, seen(rels...), func(s string) bool { return captures.ReleaseStatus(s).Known() },
		func(s string) (bool, bool, bool) {
			st := captures.ReleaseStatus(s)
			return st.Succeeded(), st.Failed(), st.Final()
		})
	names = nil
	for _, v := range model.AllRefundStatusEnum {
		names = append(names, string(v))
	}
	check("refund", names, seen(refs...), func(s string) bool { return refunds.Status(s).Known() },
		func(s string) (bool, bool, bool) {
			st := refunds.Status(s)
			return st.Succeeded(), st.Failed(), st.Final()
		})
}
