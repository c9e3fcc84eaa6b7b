package refunds

import (
	"context"
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/api"
	"github.com/kronor-io/kronor-go/internal/boolexp"
	"github.com/kronor-io/kronor-go/internal/paging"
	"github.com/kronor-io/kronor-go/internal/scalars"
	"github.com/kronor-io/kronor-go/internal/validate"
)

// Page sizes of [All] (see [WithPageSize]).
const (
	DefaultPageSize = paging.DefaultSize
	MaxPageSize     = paging.MaxSize
)

// Filter selects refunds. Every condition set must hold; the zero Filter
// selects every refund of the merchant. (A refund has no currency, method or
// reference of its own to filter on: list payments with package payments for
// those; they come with their refunds.)
type Filter struct {
	// CreatedFrom and CreatedBefore bound when the refund was created:
	// CreatedFrom <= createdAt < CreatedBefore. A zero time leaves its side
	// open. CreatedBefore before CreatedFrom is a validation error.
	CreatedFrom, CreatedBefore time.Time
	// Statuses, if any, are the current statuses to select (one of them).
	Statuses []Status
	// PaymentID, if set, selects the refunds of that payment.
	PaymentID int64
	// After resumes a listing after the refund it names (see Refund.Cursor);
	// the zero Cursor starts at the beginning.
	After Cursor
}

// Cursor is a refund's position in creation order: its creation time, then
// its wait token (a refund has no numeric id).
type Cursor struct {
	CreatedAt time.Time
	WaitToken string
}

// Cursor returns the refund's position, to resume a listing after it.
func (r *Refund) Cursor() Cursor { return Cursor{CreatedAt: r.CreatedAt, WaitToken: r.WaitToken} }

// IsZero reports whether c is the zero Cursor: the beginning.
func (c Cursor) IsZero() bool { return c.CreatedAt.IsZero() && c.WaitToken == "" }

// String formats c as MarshalText does.
func (c Cursor) String() string {
	b, _ := c.MarshalText()
	return string(b)
}

// MarshalText formats c as its creation time (RFC 3339, to the nanosecond)
// and wait token, separated by a slash. The zero Cursor is the empty text.
func (c Cursor) MarshalText() ([]byte, error) {
	return paging.FormatCursor(c.IsZero(), c.CreatedAt, c.WaitToken), nil
}

// UnmarshalText parses what MarshalText formats.
func (c *Cursor) UnmarshalText(b []byte) error {
	at, tok, empty, ok := paging.ParseCursor(b, func(k string) bool { return uuid.Validate(k) == nil })
	switch {
	case empty:
		*c = Cursor{}
	case !ok:
		return fmt.Errorf("refunds: cursor %q: want <RFC 3339 time>/<wait token>", b)
	default:
		*c = Cursor{CreatedAt: at, WaitToken: tok}
	}
	return nil
}

// ListOption configures [All].
type ListOption func(*listOptions)

type listOptions struct{ paging.Config }

// WithPageSize sets how many refunds each request asks for: 1 to
// MaxPageSize; the default is DefaultPageSize.
func WithPageSize(n int) ListOption { return func(o *listOptions) { o.Size = n } }

func (f Filter) where(v *validate.Collector) boolexp.Refund {
	paging.CheckRange(v, "filter.createdFrom", "filter.createdBefore", f.CreatedFrom, f.CreatedBefore)
	for i, s := range f.Statuses {
		if !s.Known() {
			v.Addf(validate.Index("filter.statuses", i), "is not a refund status (found %q)", string(s))
		}
	}
	w := boolexp.Refund{CreatedAt: boolexp.Range(f.CreatedFrom, f.CreatedBefore)}
	if len(f.Statuses) > 0 {
		w.Status = &boolexp.Status{Status: boolexp.In(f.Statuses)}
	}
	if f.PaymentID != 0 {
		v.ID("filter.paymentId", "payment", f.PaymentID)
		w.PaymentID = boolexp.Eq(scalars.BigInt(f.PaymentID))
	}
	if !f.After.IsZero() {
		if _, err := uuid.Parse(f.After.WaitToken); err != nil || f.After.CreatedAt.IsZero() {
			v.Add("filter.after", "must have both a creation time and a wait token (a UUID), as Refund.Cursor returns")
		}
	}
	return w
}

func after(w boolexp.Refund, c Cursor) boolexp.Refund {
	if c.IsZero() {
		return w
	}
	tok := strings.ToLower(c.WaitToken)
	return boolexp.Refund{And: []boolexp.Refund{w, {Or: []boolexp.Refund{
		{CreatedAt: boolexp.Gt(c.CreatedAt)},
		{CreatedAt: boolexp.Eq(c.CreatedAt), WaitToken: boolexp.Gt(tok)},
	}}}}
}

// All lists the refunds f selects, oldest first (by creation time, then wait
// token), with the merchant client, a page at a time, as payments.All does:
// keyset paging, so refunds created meanwhile are neither skipped nor
// repeated; an error is yielded once and ends the listing (a
// *client.ValidationError, with nothing sent, for an invalid filter or page
// size); breaking out of the loop stops it. Resume with Filter.After set to
// the last refund's Cursor.
func All(ctx context.Context, c *client.Client, f Filter, opts ...ListOption) iter.Seq2[Refund, error] {
	var o listOptions
	for _, opt := range opts {
		opt(&o)
	}
	var v validate.Collector
	base := f.where(&v)
	size := o.Check(&v)
	fetch := func(ctx context.Context, limit int, last *Cursor) ([]api.ListRefundsRefundsRefund, error) {
		cur := f.After
		if last != nil {
			cur = *last
		}
		resp, err := api.ListRefunds(ctx, c, after(base, cur), limit)
		if err != nil {
			return nil, err
		}
		return resp.Refunds, nil
	}
	return paging.Seq(ctx, "refunds: list", v.Err(), size, fetch,
		func(r *api.ListRefundsRefundsRefund) Refund { return fromFields(r.RefundFields) },
		func(r *api.ListRefundsRefundsRefund) Cursor {
			return Cursor{CreatedAt: r.CreatedAt, WaitToken: r.WaitToken.String()}
		})
}
