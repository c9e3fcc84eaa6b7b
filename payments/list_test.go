package payments_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/e2etest"
	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/sessions"
)

var day0 = time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)

// seed stores ps on g's fake and returns their ids.
func seed(t *testing.T, g *e2etest.Gateway, ps ...kronortest.StoredPayment) []int64 {
	t.Helper()
	ids, err := g.Srv.AddPayments(ps...)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// list collects what All yields, failing t on an error.
func list(t *testing.T, seq func(func(*payments.Payment, error) bool)) []*payments.Payment {
	t.Helper()
	var out []*payments.Payment
	for p, err := range seq {
		if err != nil {
			t.Fatalf("after %d payments: %v", len(out), err)
		}
		out = append(out, p)
	}
	return out
}

func ids(ps []*payments.Payment) []int64 {
	out := make([]int64, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

// TestAllOrdersAndFilters lists payments stored out of order across pages
// of 3 and checks the creation order (time, then id) and every filter.
func TestAllOrdersAndFilters(t *testing.T) {
	ctx := context.Background()
	g := e2etest.New(t)
	h := time.Hour
	stored := seed(t, g,
		kronortest.StoredPayment{CreatedAt: day0.Add(5 * h), Amount: 100, Currency: "SEK", Method: "SWISH", MerchantReference: "a"},
		kronortest.StoredPayment{CreatedAt: day0.Add(1 * h), Amount: 200, Currency: "EUR", Method: "CREDIT_CARD", Status: "AUTHORIZED"},
		kronortest.StoredPayment{CreatedAt: day0.Add(3 * h), Amount: 300, Currency: "SEK", Method: "CREDIT_CARD", Refunded: 50},
		kronortest.StoredPayment{CreatedAt: day0.Add(3 * h), Amount: 400, Currency: "NOK", Method: "VIPPS"}, // same time: by id
		kronortest.StoredPayment{CreatedAt: day0.Add(26 * h), Amount: 500, Currency: "SEK", Method: "SWISH", MerchantReference: "a"},
		kronortest.StoredPayment{CreatedAt: day0.Add(2 * h), Amount: 600, Currency: "DKK", Method: "MOBILEPAY"},
		kronortest.StoredPayment{CreatedAt: day0.Add(-h), Amount: 700, Currency: "SEK", Method: "SWISH"},
	)
	id := func(i int) int64 { return stored[i] }
	cases := []struct {
		name string
		f    payments.Filter
		want []int64
	}{
		{"all", payments.Filter{}, []int64{id(6), id(1), id(5), id(2), id(3), id(0), id(4)}},
		{"day", payments.Filter{CreatedFrom: day0, CreatedBefore: day0.Add(24 * h)}, []int64{id(1), id(5), id(2), id(3), id(0)}},
		{"from is inclusive, before exclusive", payments.Filter{CreatedFrom: day0.Add(3 * h), CreatedBefore: day0.Add(5 * h)}, []int64{id(2), id(3)}},
		{"open end", payments.Filter{CreatedFrom: day0.Add(5 * h)}, []int64{id(0), id(4)}},
		{"status", payments.Filter{Statuses: []payments.Status{payments.StatusAuthorized}}, []int64{id(1)}},
		{"methods", payments.Filter{Methods: []payments.Method{payments.MethodCreditCard, payments.MethodVipps}}, []int64{id(1), id(2), id(3)}},
		{"currencies", payments.Filter{Currencies: []sessions.Currency{sessions.CurrencyNOK, sessions.CurrencyDKK}}, []int64{id(5), id(3)}},
		{"reference", payments.Filter{MerchantReference: "a"}, []int64{id(0), id(4)}},
		{"all conditions", payments.Filter{CreatedFrom: day0, MerchantReference: "a", Currencies: []sessions.Currency{sessions.CurrencySEK},
			Methods: []payments.Method{payments.MethodSwish}, Statuses: []payments.Status{payments.StatusPaid}}, []int64{id(0), id(4)}},
		{"none", payments.Filter{Currencies: []sessions.Currency{sessions.CurrencyUSD}}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := ids(list(t, payments.All(ctx, g.Merchant, tc.f, payments.WithPageSize(3))))
			if !slices.Equal(got, tc.want) {
				t.Errorf("ids %v, want %v", got, tc.want)
			}
		})
	}

	all := list(t, payments.All(ctx, g.Merchant, payments.Filter{}, payments.WithPageSize(2)))
	p := all[slices.IndexFunc(all, func(p *payments.Payment) bool { return p.ID == id(2) })]
	if p.Currency != "SEK" || p.AmountPaid != 300 || p.Method != payments.MethodCreditCard || p.Status != payments.StatusPaid ||
		!p.CreatedAt.Equal(day0.Add(3*h)) || p.RefundStatus != payments.RefundStatusPartially ||
		len(p.Refunds) != 1 || p.Refunds[0].Amount != 50 || p.Refunds[0].PaymentID != p.ID || !p.Refunds[0].Status.Succeeded() {
		t.Errorf("payment %+v", p)
	}
	if a := all[slices.IndexFunc(all, func(p *payments.Payment) bool { return p.ID == id(1) })]; a.AmountAuthorized != 200 || a.AmountPaid != 0 {
		t.Errorf("authorized payment %+v", a)
	}
}

// TestAllPagesWithoutSkipOrRepeat adds payments while a listing runs: at the
// same time as the last one listed (a greater id), later, and earlier than
// everything listed. Every payment up to the end is listed exactly once, in
// order, and the earlier one, already passed, is not.
func TestAllPagesWithoutSkipOrRepeat(t *testing.T) {
	ctx := context.Background()
	g := e2etest.New(t)
	var ps []kronortest.StoredPayment
	for i := range 10 {
		ps = append(ps, kronortest.StoredPayment{CreatedAt: day0.Add(time.Duration(i) * time.Minute)})
	}
	seed(t, g, ps...)
	var got []*payments.Payment
	var added []int64
	for p, err := range payments.All(ctx, g.Merchant, payments.Filter{}, payments.WithPageSize(3)) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p)
		if len(got) == 3 { // the first page is in; the next is not fetched yet
			added = seed(t, g,
				kronortest.StoredPayment{CreatedAt: p.CreatedAt},                // same time, greater id: after the cursor
				kronortest.StoredPayment{CreatedAt: day0.Add(-time.Hour)},       // before everything: already passed
				kronortest.StoredPayment{CreatedAt: day0.Add(30 * time.Minute)}, // at the end
			)
		}
	}
	seen := map[int64]bool{}
	for i, p := range got {
		if seen[p.ID] {
			t.Fatalf("payment %d listed twice: %v", p.ID, ids(got))
		}
		seen[p.ID] = true
		if i > 0 {
			prev := got[i-1]
			if p.CreatedAt.Before(prev.CreatedAt) || p.CreatedAt.Equal(prev.CreatedAt) && p.ID < prev.ID {
				t.Fatalf("out of order at %d: %v", i, ids(got))
			}
		}
	}
	if len(got) != 12 || !seen[added[0]] || seen[added[1]] || !seen[added[2]] {
		t.Errorf("listed %v; added %v (the second must be missing, the others there)", ids(got), added)
	}
}

// TestAllResumesAfterCursor stops a listing, keeps its cursor as text, and
// resumes: together the two runs list everything once.
func TestAllResumesAfterCursor(t *testing.T) {
	ctx := context.Background()
	g := e2etest.New(t)
	var ps []kronortest.StoredPayment
	for i := range 7 {
		ps = append(ps, kronortest.StoredPayment{CreatedAt: day0.Add(time.Duration(i/2) * time.Second)}) // pairs share a time
	}
	stored := seed(t, g, ps...)
	var first []int64
	var saved []byte
	for p, err := range payments.All(ctx, g.Merchant, payments.Filter{}, payments.WithPageSize(2)) {
		if err != nil {
			t.Fatal(err)
		}
		first = append(first, p.ID)
		if len(first) == 3 {
			saved, err = p.Cursor().MarshalText()
			if err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	var cur payments.Cursor
	if err := cur.UnmarshalText(saved); err != nil {
		t.Fatalf("cursor %q: %v", saved, err)
	}
	rest := ids(list(t, payments.All(ctx, g.Merchant, payments.Filter{After: cur}, payments.WithPageSize(2))))
	if got := append(first, rest...); !slices.Equal(got, stored) {
		t.Errorf("first %v then %v, want %v once each (cursor %s)", first, rest, stored, saved)
	}
}

// TestAllStops: breaking out sends no further request; a context ended
// mid-listing is yielded once as its error, and nothing more is sent.
func TestAllStops(t *testing.T) {
	g := e2etest.New(t)
	var ps []kronortest.StoredPayment
	for i := range 10 {
		ps = append(ps, kronortest.StoredPayment{CreatedAt: day0.Add(time.Duration(i) * time.Second)})
	}
	seed(t, g, ps...)

	before := g.Srv.Requests()
	for range payments.All(context.Background(), g.Merchant, payments.Filter{}, payments.WithPageSize(3)) {
		break
	}
	if n := g.Srv.Requests() - before; n != 1 {
		t.Errorf("break after the first payment: %d requests, want 1", n)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	before = g.Srv.Requests()
	n, errs := 0, 0
	for p, err := range payments.All(ctx, g.Merchant, payments.Filter{}, payments.WithPageSize(3)) {
		if err != nil {
			errs++
			if !errors.Is(err, context.Canceled) || p != nil {
				t.Errorf("yielded %v, %v; want nil, context.Canceled", p, err)
			}
			continue
		}
		if n++; n == 2 {
			cancel()
		}
	}
	if n != 2 || errs != 1 {
		t.Errorf("%d payments and %d errors, want 2 and 1", n, errs)
	}
	if r := g.Srv.Requests() - before; r != 1 {
		t.Errorf("%d requests, want 1", r)
	}
}

// TestAllRefusesBadInput: every violation in one *client.ValidationError
// naming its field; nothing sent, for All and for Totals.
func TestAllRefusesBadInput(t *testing.T) {
	g := e2etest.New(t)
	bad := payments.Filter{
		CreatedFrom: day0, CreatedBefore: day0.Add(-time.Second),
		Statuses:   []payments.Status{payments.StatusPaid, "SETTLED"},
		Methods:    []payments.Method{"CASH"},
		Currencies: []sessions.Currency{"SEK", "XBT"},
		After:      payments.Cursor{ID: 3},
	}
	wantFields := []string{"filter.createdBefore", "filter.statuses[1]", "filter.methods[0]", "filter.currencies[1]", "filter.after", "pageSize"}
	check := func(t *testing.T, err error, fields []string) {
		t.Helper()
		var ve *client.ValidationError
		if !errors.As(err, &ve) || !errors.Is(err, client.ErrInvalidInput) {
			t.Fatalf("error %v, want a *client.ValidationError", err)
		}
		var got []string
		for _, v := range ve.Violations {
			got = append(got, v.Field)
		}
		if !slices.Equal(got, fields) {
			t.Errorf("fields %v, want %v (%v)", got, fields, err)
		}
	}
	for _, size := range []int{-1, payments.MaxPageSize + 1} {
		n := 0
		for p, err := range payments.All(context.Background(), g.Merchant, bad, payments.WithPageSize(size)) {
			n++
			if p != nil {
				t.Errorf("yielded a payment with the error")
			}
			check(t, err, wantFields)
		}
		if n != 1 {
			t.Errorf("yielded %d times, want once", n)
		}
	}
	_, err := payments.Totals(context.Background(), g.Merchant, bad)
	check(t, err, wantFields[:5])
	if n := g.Srv.Requests(); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// TestTotals adds up per currency in one request, and agrees with adding up
// the listing.
func TestTotals(t *testing.T) {
	ctx := context.Background()
	g := e2etest.New(t)
	h := time.Hour
	seed(t, g,
		kronortest.StoredPayment{CreatedAt: day0.Add(h), Amount: 1000, Currency: "SEK", Refunded: 300},
		kronortest.StoredPayment{CreatedAt: day0.Add(2 * h), Amount: 2000, Currency: "SEK", Method: "CREDIT_CARD", Refunded: 2000},
		kronortest.StoredPayment{CreatedAt: day0.Add(3 * h), Amount: 5000, Currency: "SEK", Method: "CREDIT_CARD", Status: "AUTHORIZED"},
		kronortest.StoredPayment{CreatedAt: day0.Add(4 * h), Amount: 700, Currency: "EUR", Method: "PAYPAL"},
		kronortest.StoredPayment{CreatedAt: day0.Add(30 * h), Amount: 9999, Currency: "SEK"}, // the next day
	)
	f := payments.Filter{CreatedFrom: day0, CreatedBefore: day0.Add(24 * h)}
	before := g.Srv.Requests()
	got, err := payments.Totals(ctx, g.Merchant, f)
	if err != nil {
		t.Fatal(err)
	}
	if n := g.Srv.Requests() - before; n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
	want := []payments.Total{
		{Currency: "EUR", Payments: 1, Paid: 700},
		{Currency: "SEK", Payments: 3, Paid: 3000, Authorized: 5000, Refunded: 2300, Refunds: 2},
	}
	if !slices.Equal(got, want) {
		t.Errorf("totals\n%+v\nwant\n%+v", got, want)
	}

	sums := map[sessions.Currency]payments.Total{}
	for _, p := range list(t, payments.All(ctx, g.Merchant, f)) {
		s := sums[p.Currency]
		s.Currency = p.Currency
		s.Payments++
		s.Paid += p.AmountPaid
		s.Authorized += p.AmountAuthorized
		for _, r := range p.Refunds {
			if r.Status.Succeeded() {
				s.Refunded += r.Amount
				s.Refunds++
			}
		}
		sums[p.Currency] = s
	}
	for _, w := range want {
		if sums[w.Currency] != w {
			t.Errorf("listing adds up to %+v, totals say %+v", sums[w.Currency], w)
		}
	}

	none, err := payments.Totals(ctx, g.Merchant, payments.Filter{Currencies: []sessions.Currency{sessions.CurrencyUSD}})
	if err != nil || len(none) != 0 {
		t.Errorf("totals of nothing: %+v, %v", none, err)
	}
}

func TestCursorText(t *testing.T) {
	c := payments.Cursor{CreatedAt: time.Date(2024, 5, 1, 10, 0, 0, 123456789, time.UTC), ID: 42}
	b, err := c.MarshalText()
	if err != nil || string(b) != "2024-05-01T10:00:00.123456789Z/42" {
		t.Fatalf("MarshalText = %q, %v", b, err)
	}
	var back payments.Cursor
	if err := back.UnmarshalText(b); err != nil || !back.CreatedAt.Equal(c.CreatedAt) || back.ID != c.ID {
		t.Errorf("UnmarshalText = %+v, %v", back, err)
	}
	if err := back.UnmarshalText(nil); err != nil || !back.IsZero() {
		t.Errorf("empty text: %+v, %v", back, err)
	}
	for _, bad := range []string{"42", "2024-05-01/42", "2024-05-01T10:00:00Z/", "2024-05-01T10:00:00Z/-1"} {
		if err := back.UnmarshalText([]byte(bad)); err == nil {
			t.Errorf("UnmarshalText(%q) accepted", bad)
		}
	}
}
