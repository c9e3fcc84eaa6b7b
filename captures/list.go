package captures

import (
	"context"
	"fmt"
	"iter"
	"strconv"
	"time"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/api"
	"github.com/kronor-io/kronor-go/internal/boolexp"
	"github.com/kronor-io/kronor-go/internal/paging"
	"github.com/kronor-io/kronor-go/internal/scalars"
	"github.com/kronor-io/kronor-go/internal/validate"
)

// Page sizes of [All] and [Releases] (see [WithPageSize]).
const (
	DefaultPageSize = paging.DefaultSize
	MaxPageSize     = paging.MaxSize
)

// Filter selects captures. Every condition set must hold; the zero Filter
// selects every capture of the merchant.
type Filter struct {
	// CreatedFrom and CreatedBefore bound when the capture was created:
	// CreatedFrom <= createdAt < CreatedBefore. A zero time leaves its side
	// open. CreatedBefore before CreatedFrom is a validation error.
	CreatedFrom, CreatedBefore time.Time
	// Statuses, if any, are the current statuses to select (one of them).
	Statuses []Status
	// PaymentID, if set, selects the captures of that payment.
	PaymentID int64
	// After resumes a listing after the capture it names (see
	// Capture.Cursor); the zero Cursor starts at the beginning.
	After Cursor
}

// ReleaseFilter selects releases, as Filter selects captures.
type ReleaseFilter struct {
	// CreatedFrom and CreatedBefore bound when the release was created.
	CreatedFrom, CreatedBefore time.Time
	// Statuses, if any, are the current statuses to select (one of them).
	Statuses []ReleaseStatus
	// PaymentID, if set, selects the releases of that payment.
	PaymentID int64
	// After resumes a listing after the release it names (see
	// TransactionRelease.Cursor).
	After Cursor
}

// Cursor is a capture's or release's position in creation order: its
// creation time, then its id.
type Cursor struct {
	CreatedAt time.Time
	ID        int64
}

// Cursor returns the capture's position, to resume a listing after it.
func (c *Capture) Cursor() Cursor { return Cursor{CreatedAt: c.CreatedAt, ID: c.ID} }

// Cursor returns the release's position, to resume a listing after it.
func (r *TransactionRelease) Cursor() Cursor { return Cursor{CreatedAt: r.CreatedAt, ID: r.ID} }

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
		return fmt.Errorf("captures: cursor %q: want <RFC 3339 time>/<id>", b)
	default:
		id, _ := strconv.ParseInt(key, 10, 64)
		*c = Cursor{CreatedAt: at, ID: id}
	}
	return nil
}

// ListOption configures [All] and [Releases].
type ListOption func(*listOptions)

type listOptions struct{ paging.Config }

// WithPageSize sets how many rows each request asks for: 1 to MaxPageSize;
// the default is DefaultPageSize.
func WithPageSize(n int) ListOption { return func(o *listOptions) { o.Size = n } }

func checkCommon(v *validate.Collector, from, before time.Time, paymentID int64, after Cursor, what string) {
	paging.CheckRange(v, "filter.createdFrom", "filter.createdBefore", from, before)
	if paymentID != 0 {
		v.ID("filter.paymentId", "payment", paymentID)
	}
	if !after.IsZero() && (after.CreatedAt.IsZero() || after.ID <= 0) {
		v.Add("filter.after", "must have both a creation time and a positive "+what+" id, as its Cursor method returns")
	}
}

func optID(id int64) *boolexp.Cmp[scalars.BigInt] {
	if id == 0 {
		return nil
	}
	return boolexp.Eq(scalars.BigInt(id))
}

func options(opts []ListOption) listOptions {
	var o listOptions
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// All lists the captures f selects, oldest first (by creation time, then
// id), with the merchant client, a page at a time, as payments.All does:
// keyset paging, so captures created meanwhile are neither skipped nor
// repeated; an error is yielded once and ends the listing (a
// *client.ValidationError, with nothing sent, for an invalid filter or page
// size); breaking out of the loop stops it. Resume with Filter.After set to
// the last capture's Cursor.
func All(ctx context.Context, c *client.Client, f Filter, opts ...ListOption) iter.Seq2[*Capture, error] {
	o := options(opts)
	var v validate.Collector
	checkCommon(&v, f.CreatedFrom, f.CreatedBefore, f.PaymentID, f.After, "capture")
	for i, s := range f.Statuses {
		if !s.Known() {
			v.Addf(validate.Index("filter.statuses", i), "is not a capture status (found %q)", string(s))
		}
	}
	size := o.Check(&v)
	base := boolexp.Capture{CreatedAt: boolexp.Range(f.CreatedFrom, f.CreatedBefore), PaymentID: optID(f.PaymentID)}
	if len(f.Statuses) > 0 {
		base.Status = &boolexp.Status{Status: boolexp.In(f.Statuses)}
	}
	fetch := func(ctx context.Context, limit int, last *Cursor) ([]api.ListCapturesPaymentCapturesPaymentCapture, error) {
		cur, w := f.After, base
		if last != nil {
			cur = *last
		}
		if !cur.IsZero() {
			w = boolexp.Capture{And: []boolexp.Capture{base, {Or: []boolexp.Capture{
				{CreatedAt: boolexp.Gt(cur.CreatedAt)},
				{CreatedAt: boolexp.Eq(cur.CreatedAt), ID: boolexp.Gt(scalars.BigInt(cur.ID))},
			}}}}
		}
		resp, err := api.ListCaptures(ctx, c, w, limit)
		if err != nil {
			return nil, err
		}
		return resp.PaymentCaptures, nil
	}
	return paging.Seq(ctx, "captures: list", v.Err(), size, fetch,
		func(r *api.ListCapturesPaymentCapturesPaymentCapture) *Capture { return fromFields(r.CaptureFields) },
		func(r *api.ListCapturesPaymentCapturesPaymentCapture) Cursor {
			return Cursor{CreatedAt: r.CreatedAt, ID: int64(r.Id)}
		})
}

// Releases lists the releases f selects, oldest first (by creation time,
// then id), with the merchant client, a page at a time, as All lists
// captures.
func Releases(ctx context.Context, c *client.Client, f ReleaseFilter, opts ...ListOption) iter.Seq2[*TransactionRelease, error] {
	o := options(opts)
	var v validate.Collector
	checkCommon(&v, f.CreatedFrom, f.CreatedBefore, f.PaymentID, f.After, "release")
	for i, s := range f.Statuses {
		if !s.Known() {
			v.Addf(validate.Index("filter.statuses", i), "is not a release status (found %q)", string(s))
		}
	}
	size := o.Check(&v)
	base := boolexp.Release{
		CreatedAt: boolexp.Range(f.CreatedFrom, f.CreatedBefore), PaymentID: optID(f.PaymentID),
		CurrentStatus: boolexp.In(f.Statuses),
	}
	fetch := func(ctx context.Context, limit int, last *Cursor) ([]api.ListReleasesTransactionReleasesTransactionRelease, error) {
		cur, w := f.After, base
		if last != nil {
			cur = *last
		}
		if !cur.IsZero() {
			w = boolexp.Release{And: []boolexp.Release{base, {Or: []boolexp.Release{
				{CreatedAt: boolexp.Gt(cur.CreatedAt)},
				{CreatedAt: boolexp.Eq(cur.CreatedAt), ID: boolexp.Gt(scalars.BigInt(cur.ID))},
			}}}}
		}
		resp, err := api.ListReleases(ctx, c, w, limit)
		if err != nil {
			return nil, err
		}
		return resp.TransactionReleases, nil
	}
	return paging.Seq(ctx, "captures: list releases", v.Err(), size, fetch,
		func(f *api.ListReleasesTransactionReleasesTransactionRelease) *TransactionRelease {
			return releaseFrom(&f.ReleaseFields)
		},
		func(r *api.ListReleasesTransactionReleasesTransactionRelease) Cursor {
			return Cursor{CreatedAt: r.CreatedAt, ID: int64(r.Id)}
		})
}
