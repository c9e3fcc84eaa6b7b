// Package paging runs the listings of payments, refunds, captures and
// releases: keyset pages in creation order, yielded one row at a time as an
// iter.Seq2, and the page-size option they share.
package paging

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/validate"
)

// The page sizes a listing accepts.
const (
	// DefaultSize is the rows per request when the caller sets none.
	DefaultSize = 100
	// MaxSize is the most rows per request: a page is held in memory whole
	// while it is yielded, and a gateway answers large pages slowly.
	MaxSize = 1000
)

// RulePageSize is the rule a page size out of bounds breaks.
var RulePageSize = fmt.Sprintf("must be between 1 and %d", MaxSize)

// Config is what a listing's options set.
type Config struct {
	// Size is the page size; 0 means DefaultSize.
	Size int
}

// Check records a violation when the page size is out of bounds, and
// returns the size to use.
func (c Config) Check(v *validate.Collector) int {
	switch {
	case c.Size == 0:
		return DefaultSize
	case c.Size < 1 || c.Size > MaxSize:
		v.Add("pageSize", RulePageSize)
	}
	return c.Size
}

// CheckRange records a violation when to is before from (both set).
func CheckRange(v *validate.Collector, fromField, toField string, from, to time.Time) {
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		v.Add(toField, "must not be before "+fromField)
	}
}

// Seq pages through a listing: fetch asks for up to size rows after the key
// of the previous page's last row (nil for the first page); each converts a
// row to what is yielded, and key reads a row's key. A page shorter than size
// is the last. Every error is yielded once, wrapped with what, and ends the
// sequence: pre (a validation error, before anything is sent), a failed
// request, or the context ending. Breaking out of the loop stops it without a
// further request. The sequence may be ranged over again; it starts over.
func Seq[R, T, K any](ctx context.Context, what string, pre error, size int,
	fetch func(ctx context.Context, limit int, after *K) ([]R, error),
	each func(*R) T, key func(*R) K) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		if pre != nil {
			yield(zero, pre)
			return
		}
		var after *K
		for {
			if err := ctx.Err(); err != nil {
				yield(zero, fmt.Errorf("%s: %w", what, err))
				return
			}
			rows, err := fetch(ctx, size, after)
			if err != nil {
				yield(zero, fmt.Errorf("%s: %w", what, merchantOnly(err)))
				return
			}
			for i := range rows {
				if err := ctx.Err(); err != nil {
					yield(zero, fmt.Errorf("%s: %w", what, err))
					return
				}
				if !yield(each(&rows[i]), nil) {
					return
				}
			}
			if len(rows) < size {
				return
			}
			k := key(&rows[len(rows)-1])
			after = &k
			rows = nil // the page may be collected while the next one is fetched
		}
	}
}

// ErrMerchantOnly is wrapped, beside client.ErrRejected, when the gateway
// refuses a listing or total because the token's role lacks its root field:
// the payment session's token (the payment-gateway role) cannot list.
var ErrMerchantOnly = errors.New("listing needs the merchant token (the merchant role); the payment session's token (payment-gateway role) has no such field")

// merchantOnly names the role when the gateway refused the root field as
// unknown, which is how Hasura answers a field of another role.
func merchantOnly(err error) error {
	var ce *client.Error
	if !errors.As(err, &ce) || !errors.Is(err, client.ErrRejected) {
		return err
	}
	for _, g := range ce.Errors {
		if strings.Contains(g.Message, "not found in type: 'query_root'") {
			return fmt.Errorf("%w: %w", ErrMerchantOnly, err)
		}
	}
	return err
}

// MerchantOnly is merchantOnly for a single request (the totals).
func MerchantOnly(err error) error { return merchantOnly(err) }

// FormatCursor is the text of a listing's cursor: the row's creation time
// (RFC 3339, to the nanosecond), a slash and its key (an id or a wait token).
// The zero cursor (zero is true) is the empty text.
func FormatCursor(zero bool, at time.Time, key string) []byte {
	if zero {
		return []byte{}
	}
	return fmt.Appendf(nil, "%s/%s", at.Format(time.RFC3339Nano), key)
}

// ParseCursor parses FormatCursor's text into the creation time and the key,
// which keyOK checks; empty reports the empty text (the zero cursor). ok is
// false for any other text that is not a cursor.
func ParseCursor(b []byte, keyOK func(string) bool) (at time.Time, key string, empty, ok bool) {
	if len(b) == 0 {
		return time.Time{}, "", true, true
	}
	s, key, found := strings.Cut(string(b), "/")
	at, err := time.Parse(time.RFC3339Nano, s)
	if !found || err != nil || !keyOK(key) {
		return time.Time{}, "", false, false
	}
	return at, key, false, true
}

// PositiveID reports whether key is a positive decimal id, for ParseCursor.
func PositiveID(key string) bool {
	n, err := strconv.ParseInt(key, 10, 64)
	return err == nil && n > 0
}
