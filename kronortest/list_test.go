package kronortest_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/kronortest"
)

func ts(d time.Duration) string { return `"` + t0.Add(d).Format(time.RFC3339Nano) + `"` }

// TestListingFilters checks the columns, operators, combinators, orderings
// and offsets the SDK's listing uses, on payments stored with AddPayments.
func TestListingFilters(t *testing.T) {
	f := newFixture(t)
	m := time.Minute
	ids, err := f.srv.AddPayments(
		kronortest.StoredPayment{CreatedAt: t0.Add(2 * m), Currency: "SEK", Method: "SWISH", MerchantReference: "r1"},
		kronortest.StoredPayment{CreatedAt: t0, Currency: "EUR", Method: "CREDIT_CARD", Status: "AUTHORIZED"},
		kronortest.StoredPayment{CreatedAt: t0.Add(m), Currency: "SEK", Method: "CREDIT_CARD", Refunded: 10},
		kronortest.StoredPayment{CreatedAt: t0.Add(m), Currency: "NOK", Method: "VIPPS"},
	)
	if err != nil {
		t.Fatal(err)
	}
	p := func(i int) string { return strconv.FormatInt(ids[i], 10) }
	inOrder := `orderBy: [{createdAt: ASC}, {id: ASC}]`
	tests := []struct{ name, args, want string }{
		{"creation order", inOrder, "1 2 3 0"},
		{"createdAt only: ties by id", `orderBy: {createdAt: ASC}`, "1 2 3 0"},
		{"createdAt DESC", `orderBy: [{createdAt: DESC}, {id: DESC}]`, "0 3 2 1"},
		{"_gt", inOrder + `, where: {createdAt: {_gt: ` + ts(m) + `}}`, "0"},
		{"_gte", inOrder + `, where: {createdAt: {_gte: ` + ts(m) + `}}`, "2 3 0"},
		{"_lt", inOrder + `, where: {createdAt: {_lt: ` + ts(m) + `}}`, "1"},
		{"_lte", inOrder + `, where: {createdAt: {_lte: ` + ts(m) + `}}`, "1 2 3"},
		{"_eq", inOrder + `, where: {createdAt: {_eq: ` + ts(m) + `}}`, "2 3"},
		{"_in times", inOrder + `, where: {createdAt: {_in: [` + ts(0) + `, ` + ts(2*m) + `]}}`, "1 0"},
		{"range", inOrder + `, where: {createdAt: {_gte: ` + ts(m) + `, _lt: ` + ts(2*m) + `}}`, "2 3"},
		{"keyset", inOrder + `, where: {_and: [{}, {_or: [{createdAt: {_gt: ` + ts(m) + `}}, {createdAt: {_eq: ` + ts(m) + `}, id: {_gt: ` + p(2) + `}}]}]}`, "3 0"},
		{"currency _in", inOrder + `, where: {currency: {_in: [NOK, EUR]}}`, "1 3"},
		{"currency _neq", inOrder + `, where: {currency: {_neq: SEK}}`, "1 3"},
		{"paymentMethod _eq", inOrder + `, where: {paymentMethod: {_eq: CREDIT_CARD}}`, "1 2"},
		{"currentStatus", inOrder + `, where: {currentStatus: {_in: [AUTHORIZED]}}`, "1"},
		{"merchantReference", inOrder + `, where: {merchantReference: {_eq: "r1"}}`, "0"},
		{"has a refund", inOrder + `, where: {refunds: {}}`, "2"},
		{"has a PAID refund", inOrder + `, where: {refunds: {status: {status: {_eq: PAID}}}}`, "2"},
		{"_not", inOrder + `, where: {_not: {currency: {_eq: SEK}}}`, "1 3"},
		{"_or of ranges", inOrder + `, where: {_or: [{createdAt: {_lt: ` + ts(m) + `}}, {createdAt: {_gt: ` + ts(m) + `}}]}`, "1 0"},
		{"limit", inOrder + `, limit: 2`, "1 2"},
		{"offset", inOrder + `, limit: 2, offset: 1`, "2 3"},
		{"offset with a filter", inOrder + `, limit: 5, offset: 1, where: {currency: {_eq: SEK}}`, "0"},
		{"limit 0", inOrder + `, limit: 0`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var data struct{ Payments []struct{ ID int64 } }
			f.merchant(`{ payments(`+tc.args+`) { id } }`, nil).ok(t, &data)
			var got []string
			for _, row := range data.Payments {
				got = append(got, strconv.Itoa(slices.Index(ids, row.ID)))
			}
			if s := strings.Join(got, " "); s != tc.want {
				t.Errorf("got %q, want %q", s, tc.want)
			}
		})
	}
}

// TestAggregates: counts and sums over a filter, null sums over no value as
// SQL's SUM; a payment's refunds aggregate; and the merchant role only.
func TestAggregates(t *testing.T) {
	f := newFixture(t)
	if _, err := f.srv.AddPayments(
		kronortest.StoredPayment{Amount: 1000, Refunded: 400},
		kronortest.StoredPayment{Amount: 3000, Method: "CREDIT_CARD", Status: "AUTHORIZED"},
		kronortest.StoredPayment{Amount: 500, Currency: "EUR"},
	); err != nil {
		t.Fatal(err)
	}
	var data struct {
		SEK, USD struct {
			Aggregate struct {
				Count int
				Sum   struct{ AmountPaid, AmountAuthorized *int64 }
			}
		}
		Refunded []struct {
			Currency         string
			RefundsAggregate struct {
				Aggregate struct {
					Count int
					Sum   struct{ TotalAmount *int64 }
				}
			}
		}
	}
	f.merchant(`{
  SEK: paymentsAggregate(where: {currency: {_eq: SEK}}) { aggregate { count sum { amountPaid amountAuthorized } } }
  USD: paymentsAggregate(where: {currency: {_eq: USD}}) { aggregate { count sum { amountPaid amountAuthorized } } }
  refunded: payments(where: {refunds: {}}) { currency refundsAggregate { aggregate { count sum { totalAmount } } } }
}`, nil).ok(t, &data)
	sek, usd := data.SEK.Aggregate, data.USD.Aggregate
	if sek.Count != 2 || sek.Sum.AmountPaid == nil || *sek.Sum.AmountPaid != 1000 || sek.Sum.AmountAuthorized == nil || *sek.Sum.AmountAuthorized != 3000 {
		t.Errorf("SEK aggregate %+v", sek)
	}
	if usd.Count != 0 || usd.Sum.AmountPaid != nil || usd.Sum.AmountAuthorized != nil {
		t.Errorf("USD aggregate %+v, want count 0 and null sums", usd)
	}
	if len(data.Refunded) != 1 || data.Refunded[0].Currency != "SEK" || data.Refunded[0].RefundsAggregate.Aggregate.Count != 1 ||
		*data.Refunded[0].RefundsAggregate.Aggregate.Sum.TotalAmount != 400 {
		t.Errorf("refunded %+v", data.Refunded)
	}

	tok := f.session("agg-1", 100, nil)
	f.as(tok, `{ paymentsAggregate { aggregate { count } } }`, nil).fails(t, "validation-failed", "paymentsAggregate")
}

// TestListingRefundsCapturesReleases: the other listings' filters and their
// keyset orders.
func TestListingRefundsCapturesReleases(t *testing.T) {
	f := newFixture(t)
	paid := f.paidPayment("lr-1", 5000)
	for range 3 {
		var out struct{ RefundPayment struct{ WaitToken string } }
		f.merchant(`mutation($r: RefundPaymentInput!) { refundPayment(refund: $r) { waitToken } }`, map[string]any{
			"r": map[string]any{"amount": 100, "paymentId": paid, "message": "Refund", "idempotencyKey": f.key()},
		}).ok(t, &out)
	}
	f.clock.Advance(time.Minute)
	var data struct {
		Refunds []struct {
			WaitToken string
			CreatedAt time.Time
		}
	}
	f.merchant(`{ refunds(orderBy: [{createdAt: ASC}, {waitToken: ASC}]) { waitToken createdAt } }`, nil).ok(t, &data)
	toks := make([]string, len(data.Refunds))
	for i, r := range data.Refunds {
		toks[i] = r.WaitToken
	}
	if len(toks) != 3 || !slices.IsSorted(toks) {
		t.Fatalf("refunds of one time not ordered by waitToken: %v", toks)
	}
	var after struct{ Refunds []struct{ WaitToken string } }
	f.merchant(`query($at: timestamptz!, $tok: uuid!) { refunds(orderBy: [{createdAt: ASC}, {waitToken: ASC}],
  where: {_or: [{createdAt: {_gt: $at}}, {createdAt: {_eq: $at}, waitToken: {_gt: $tok}}]}) { waitToken } }`,
		map[string]any{"at": data.Refunds[0].CreatedAt, "tok": strings.ToUpper(toks[0])}).ok(t, &after)
	if len(after.Refunds) != 2 || after.Refunds[0].WaitToken != toks[1] {
		t.Errorf("refunds after the first: %+v, want %v", after.Refunds, toks[1:])
	}
	var byStatus struct{ Refunds []struct{ WaitToken string } }
	f.merchant(`{ refunds(where: {status: {status: {_eq: PAID}}, createdAt: {_lt: `+ts(time.Hour)+`}}) { waitToken } }`, nil).ok(t, &byStatus)
	if len(byStatus.Refunds) != 3 {
		t.Errorf("PAID refunds: %+v", byStatus.Refunds)
	}

	auth := f.authorizedPayment("lr-2", 4000)
	f.merchant(`mutation($c: PaymentCaptureInput!) { newPaymentCapture(capture: $c) { captureId } }`, map[string]any{
		"c": map[string]any{"amount": 1000, "paymentId": auth, "idempotencyKey": f.key()},
	}).ok(t, nil)
	var caps struct{ PaymentCaptures []struct{ ID int64 } }
	f.merchant(`{ paymentCaptures(where: {createdAt: {_gte: `+ts(0)+`}, status: {status: {_in: [CAPTURE_DONE, CAPTURING]}}}) { id } }`, nil).ok(t, &caps)
	if len(caps.PaymentCaptures) != 1 {
		t.Errorf("captures: %+v", caps.PaymentCaptures)
	}
	var none struct{ PaymentCaptures []struct{ ID int64 } }
	f.merchant(`{ paymentCaptures(where: {createdAt: {_gt: `+ts(24*time.Hour)+`}}) { id } }`, nil).ok(t, &none)
	if len(none.PaymentCaptures) != 0 {
		t.Errorf("captures in the future: %+v", none.PaymentCaptures)
	}

	auth2 := f.authorizedPayment("lr-3", 4000)
	f.merchant(`mutation($r: ReleasePaymentInput!) { releasePayment(release: $r) { releaseId } }`, map[string]any{
		"r": map[string]any{"amount": 4000, "paymentId": auth2, "idempotencyKey": f.key()},
	}).ok(t, nil)
	var rels struct{ TransactionReleases []struct{ PaymentID int64 } }
	f.merchant(`{ transactionReleases(where: {currentStatus: {_nin: [ERROR]}, createdAt: {_lte: `+ts(time.Hour)+`}}) { paymentId } }`, nil).ok(t, &rels)
	if len(rels.TransactionReleases) != 1 || rels.TransactionReleases[0].PaymentID != auth2 {
		t.Errorf("releases: %+v", rels.TransactionReleases)
	}
}

// TestAddPayments: stored payments count as made, and bad ones store
// nothing.
func TestAddPayments(t *testing.T) {
	f := newFixture(t)
	ids, err := f.srv.AddPayments(kronortest.StoredPayment{MerchantReference: "ap-1", Refunded: 100}, kronortest.StoredPayment{})
	if err != nil || len(ids) != 2 || ids[1] != ids[0]+1 {
		t.Fatalf("AddPayments = %v, %v", ids, err)
	}
	if got := f.srv.Counts("ap-1"); got != (kronortest.Counts{Sessions: 1, PaymentRequests: 1, Payments: 1, Refunds: 1}) {
		t.Errorf("counts %+v", got)
	}
	var data struct {
		Payments []struct {
			CreatedAt  time.Time
			AmountPaid int64
		}
	}
	f.merchant(`query($id: bigint!) { payments(where: {id: {_eq: $id}}) { createdAt amountPaid } }`, map[string]any{"id": ids[0]}).ok(t, &data)
	if len(data.Payments) != 1 || !data.Payments[0].CreatedAt.Equal(t0) || data.Payments[0].AmountPaid != 10000 {
		t.Errorf("stored payment %+v, want the clock's time and 10000", data.Payments)
	}
	before := f.srv.Totals()
	for _, bad := range []kronortest.StoredPayment{
		{Currency: "XBT"}, {Method: "CASH"}, {Status: "DECLINED"}, {Amount: -1},
		{Amount: 100, Refunded: 101}, {Status: "AUTHORIZED", Refunded: 1},
	} {
		if _, err := f.srv.AddPayments(kronortest.StoredPayment{}, bad); err == nil {
			t.Errorf("AddPayments(%+v) accepted", bad)
		}
	}
	if got := f.srv.Totals(); got != before {
		t.Errorf("a refused call stored something: %+v, was %+v", got, before)
	}
}
