package payments

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/api"
	"github.com/kronor-io/kronor-go/internal/boolexp"
	"github.com/kronor-io/kronor-go/internal/convert"
	"github.com/kronor-io/kronor-go/internal/paging"
	"github.com/kronor-io/kronor-go/internal/scalars"
	"github.com/kronor-io/kronor-go/internal/validate"
	"github.com/kronor-io/kronor-go/sessions"
)

// Page sizes of [All] (see [WithPageSize]).
const (
	DefaultPageSize = paging.DefaultSize
	MaxPageSize     = paging.MaxSize
)

// Filter selects payments. Every condition set must hold; the zero Filter
// selects every payment of the merchant.
type Filter struct {
	// CreatedFrom and CreatedBefore bound when the payment was created:
	// CreatedFrom <= createdAt < CreatedBefore. A zero time leaves its side
	// open. CreatedBefore before CreatedFrom is a validation error.
	CreatedFrom, CreatedBefore time.Time
	// Statuses, if any, are the current statuses to select (one of them).
	Statuses []Status
	// Methods, if any, are the payment methods to select: the gateway's
	// PaymentMethodEnum values, such as MethodSwish or "APPLE_PAY".
	Methods []Method
	// Currencies, if any, are the currencies to select.
	Currencies []sessions.Currency
	// MerchantReference, if set, selects the payments of that reference.
	MerchantReference string
	// After resumes a listing where an earlier one stopped: only payments
	// after this position in creation order are selected. Save the Cursor of
	// the last payment handled and pass it here; the zero Cursor starts at
	// the beginning.
	After Cursor
}

// Cursor is a payment's position in creation order: its creation time, then
// its id. Listing resumes strictly after it, so a payment created while a
// listing runs is neither skipped nor listed twice.
type Cursor struct {
	CreatedAt time.Time
	ID        int64
}

// Cursor returns the payment's position, to resume a listing after it.
func (p *Payment) Cursor() Cursor { return Cursor{CreatedAt: p.CreatedAt, ID: p.ID} }

// IsZero reports whether c is the zero Cursor: the beginning.
func (c Cursor) IsZero() bool { return c.CreatedAt.IsZero() && c.ID == 0 }

// String formats c as MarshalText does.
func (c Cursor) String() string {
	b, _ := c.MarshalText()
	return string(b)
}

// MarshalText formats c as its creation time (RFC 3339, to the nanosecond)
// and id, separated by a slash: "2024-05-01T10:00:00.123456Z/42". The zero
// Cursor is the empty text.
func (c Cursor) MarshalText() ([]byte, error) {
	return paging.FormatCursor(c.IsZero(), c.CreatedAt, strconv.FormatInt(c.ID, 10)), nil
}

// UnmarshalText parses what MarshalText formats.
func (c *Cursor) UnmarshalText(b []byte) error {
	at, key, empty, ok := paging.ParseCursor(b, paging.PositiveID)
	switch {
	case empty:
		*c = Cursor{}
	case !ok:
		return fmt.Errorf("payments: cursor %q: want <RFC 3339 time>/<payment id>", b)
	default:
		id, _ := strconv.ParseInt(key, 10, 64)
		*c = Cursor{CreatedAt: at, ID: id}
	}
	return nil
}

// ListOption configures [All].
type ListOption func(*listOptions)

type listOptions struct{ paging.Config }

// WithPageSize sets how many payments each request asks for: 1 to
// MaxPageSize; the default is DefaultPageSize. A page is held in memory while
// its payments are yielded.
func WithPageSize(n int) ListOption { return func(o *listOptions) { o.Size = n } }

// methods are the values of the schema's PaymentMethodEnum.
var methods = []Method{
	"APPLE_PAY", MethodBankTransfer, "BUY_NOW_PAY_LATER", MethodCreditCard, "DIRECT_DEBIT",
	"FINSHARK_DIRECT_DEBIT", "FINSHARK_RECURRING_DEBIT", "GOOGLE_PAY", MethodMobilePay, MethodP24,
	MethodPayPal, "POINTSPAY", MethodSwish, MethodVipps,
}

// check records the filter's violations.
func (f Filter) check(v *validate.Collector) {
	paging.CheckRange(v, "filter.createdFrom", "filter.createdBefore", f.CreatedFrom, f.CreatedBefore)
	for i, s := range f.Statuses {
		if !s.Known() {
			v.Addf(validate.Index("filter.statuses", i), "is not a payment status (found %q)", string(s))
		}
	}
	for i, m := range f.Methods {
		if !slices.Contains(methods, m) {
			v.Addf(validate.Index("filter.methods", i), "is not a payment method of the gateway's PaymentMethodEnum (found %q)", string(m))
		}
	}
	for i, c := range f.Currencies {
		if !c.Known() {
			v.Addf(validate.Index("filter.currencies", i), "is not a currency the gateway supports (found %q)", string(c))
		}
	}
	v.Text("filter.merchantReference", f.MerchantReference)
	if !f.After.IsZero() && (f.After.CreatedAt.IsZero() || f.After.ID <= 0) {
		v.Add("filter.after", "must have both a creation time and a positive payment id, as Payment.Cursor returns")
	}
}

// where is the filter as the gateway's PaymentBoolExp, without its cursor.
func (f Filter) where() boolexp.Payment {
	w := boolexp.Payment{
		CreatedAt:     boolexp.Range(f.CreatedFrom, f.CreatedBefore),
		CurrentStatus: boolexp.In(f.Statuses),
		PaymentMethod: boolexp.In(f.Methods),
		Currency:      boolexp.In(f.Currencies),
	}
	if f.MerchantReference != "" {
		w.MerchantReference = boolexp.Eq(f.MerchantReference)
	}
	return w
}

// after narrows w to the payments after c in creation order: created later,
// or at the same time with a greater id.
func after(w boolexp.Payment, c Cursor) boolexp.Payment {
	if c.IsZero() {
		return w
	}
	return boolexp.Payment{And: []boolexp.Payment{w, {Or: []boolexp.Payment{
		{CreatedAt: boolexp.Gt(c.CreatedAt)},
		{CreatedAt: boolexp.Eq(c.CreatedAt), ID: boolexp.Gt(scalars.BigInt(c.ID))},
	}}}}
}

// All lists the payments f selects, oldest first (by creation time, then
// id), with the merchant client, fetching a page at a time as the loop
// consumes them:
//
//	for p, err := range payments.All(ctx, merchant, payments.Filter{CreatedFrom: from, CreatedBefore: to}) {
//		if err != nil {
//			return err // resume later with Filter.After = last.Cursor()
//		}
//		last = p
//	}
//
// Each page continues after the last payment of the one before (keyset
// paging), so payments created while the listing runs are neither skipped
// nor repeated; those created after its end are listed if they match. An
// error is yielded once, with a nil payment, and ends the listing: a
// *client.ValidationError for an invalid filter or page size (nothing is
// sent), a failed request, or the end of ctx. Breaking out of the loop stops
// it without another request.
//
// Payments come with their refunds, oldest first, but without the details of
// their method (Card, Swish, ... are nil): Get reads those. Listing needs the
// merchant token; a payment session's token is refused with an error for
// which errors.Is(err, client.ErrRejected) holds, naming the role.
func All(ctx context.Context, c *client.Client, f Filter, opts ...ListOption) iter.Seq2[*Payment, error] {
	var o listOptions
	for _, opt := range opts {
		opt(&o)
	}
	var v validate.Collector
	f.check(&v)
	size := o.Check(&v)
	base := f.where()
	fetch := func(ctx context.Context, limit int, last *Cursor) ([]api.ListPaymentsPaymentsPayment, error) {
		cur := f.After
		if last != nil {
			cur = *last
		}
		resp, err := api.ListPayments(ctx, c, after(base, cur), limit)
		if err != nil {
			return nil, err
		}
		return resp.Payments, nil
	}
	return paging.Seq(ctx, "payments: list", v.Err(), size, fetch, listed,
		func(p *api.ListPaymentsPaymentsPayment) Cursor {
			return Cursor{CreatedAt: p.CreatedAt, ID: int64(p.Id)}
		})
}

// listed converts a listed payment.
func listed(f *api.ListPaymentsPaymentsPayment) *Payment { return paymentFrom(&f.PaymentFields) }

// Total is what the selected payments of one currency add up to, in minor
// units.
type Total struct {
	// Currency of the amounts. It is empty for payments in a currency this
	// SDK does not know yet (one the gateway added since).
	Currency sessions.Currency
	// Payments is how many payments there are.
	Payments int
	// Paid is the sum of their paid amounts (amountPaid).
	Paid int64
	// Authorized is the sum of their authorized amounts (amountAuthorized):
	// card reservations, captured or not.
	Authorized int64
	// Refunded is the sum of their refunds that are PAID (the money is back
	// with the customer); Refunds counts those refunds. Refunds pending or
	// failed are not counted.
	Refunded int64
	Refunds  int
}

// currencyAggregate is one currency's alias of PaymentTotals.
type currencyAggregate struct {
	cur string
	agg *api.PaymentSumsAggregatePaymentAggregateFields
}

// currencyTotals lists the aliases of PaymentTotals, one per currency of the
// schema's SupportedCurrencyEnum.
func currencyTotals(r *api.PaymentTotalsResponse) []currencyAggregate {
	return []currencyAggregate{
		{"CHF", r.CHF.Aggregate}, {"CZK", r.CZK.Aggregate}, {"DKK", r.DKK.Aggregate}, {"EUR", r.EUR.Aggregate},
		{"GBP", r.GBP.Aggregate}, {"HUF", r.HUF.Aggregate}, {"ISK", r.ISK.Aggregate}, {"NOK", r.NOK.Aggregate},
		{"PLN", r.PLN.Aggregate}, {"RON", r.RON.Aggregate}, {"SEK", r.SEK.Aggregate}, {"USD", r.USD.Aggregate},
	}
}

// Totals adds up the payments f selects, per currency, in one request
// (paymentsAggregate): how many, paid, authorized and refunded. It returns
// one Total per currency that has payments, ordered by currency. f.After
// applies as in All, so the totals of a resumed listing cover what it lists.
// An invalid filter is a *client.ValidationError; nothing is sent.
func Totals(ctx context.Context, c *client.Client, f Filter) ([]Total, error) {
	var v validate.Collector
	f.check(&v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	resp, err := api.PaymentTotals(ctx, c, after(f.where(), f.After))
	if err != nil {
		return nil, fmt.Errorf("payments: totals: %w", paging.MerchantOnly(err))
	}
	byCur := map[string]*Total{}
	var known Total
	add := func(cur string, agg *api.PaymentSumsAggregatePaymentAggregateFields) {
		if agg == nil || agg.Count == 0 {
			return
		}
		t := &Total{Currency: sessions.Currency(cur), Payments: agg.Count}
		if agg.Sum != nil {
			t.Paid, t.Authorized = convert.Int64(agg.Sum.AmountPaid), convert.Int64(agg.Sum.AmountAuthorized)
		}
		byCur[cur] = t
		known.Payments += t.Payments
		known.Paid += t.Paid
		known.Authorized += t.Authorized
	}
	for _, e := range currencyTotals(resp) {
		add(e.cur, e.agg)
	}
	if all := resp.All.Aggregate; all != nil && all.Count > known.Payments {
		rest := &Total{Payments: all.Count - known.Payments}
		if all.Sum != nil {
			rest.Paid = convert.Int64(all.Sum.AmountPaid) - known.Paid
			rest.Authorized = convert.Int64(all.Sum.AmountAuthorized) - known.Authorized
		}
		byCur[""] = rest
	}
	for _, p := range resp.Refunded {
		agg := p.RefundsAggregate.Aggregate
		if agg == nil || agg.Count == 0 {
			continue
		}
		t := byCur[string(p.Currency)]
		if t == nil {
			t = byCur[""]
		}
		if t == nil {
			// A payment the aggregates did not count: created between
			// them, on a gateway that does not answer from one snapshot.
			t = &Total{Currency: sessions.Currency(p.Currency)}
			byCur[string(t.Currency)] = t
		}
		t.Refunds += agg.Count
		if agg.Sum != nil {
			t.Refunded += convert.Int64(agg.Sum.TotalAmount)
		}
	}
	out := make([]Total, 0, len(byCur))
	for _, t := range byCur {
		out = append(out, *t)
	}
	slices.SortFunc(out, func(a, b Total) int { return strings.Compare(string(a.Currency), string(b.Currency)) })
	return out, nil
}
