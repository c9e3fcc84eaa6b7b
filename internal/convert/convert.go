// Package convert holds the small conversions the domain packages share when
// they turn their typed parameters into generated GraphQL inputs and the
// generated results back into typed values: optional pointers, idempotency
// keys, the current entry of a status list, and string ids.
package convert

import (
	"fmt"
	"strconv"
	"time"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/scalars"
)

// ErrNotFound is client.ErrNotFound, the one "no such object" sentinel,
// which every domain package re-exports as its own ErrNotFound, so
// errors.Is works with any of them.
var ErrNotFound = client.ErrNotFound

// OptString returns nil for the empty string and a pointer to s otherwise, for
// optional input fields that are omitted when unset.
func OptString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// OptEnum is OptString for string-based enum types.
func OptEnum[E ~string](e E) *E {
	if e == "" {
		return nil
	}
	return &e
}

// OptInt returns nil for zero and a pointer to n as an int otherwise. The caller
// has validated that n fits the 32-bit GraphQL Int.
func OptInt(n int64) *int {
	if n == 0 {
		return nil
	}
	i := int(n)
	return &i
}

// OptBigInt returns nil for zero and a pointer to n as a bigint otherwise, for
// optional ids (a payment's, a payment method's, a bank's).
func OptBigInt(n int64) *scalars.BigInt {
	if n == 0 {
		return nil
	}
	b := scalars.BigInt(n)
	return &b
}

// IdempotencyKey returns the caller's idempotency key, or a new random one
// (client.NewIdempotencyKey) when key is empty, for one call whose retries
// all reuse it.
func IdempotencyKey(key string) string {
	if key == "" {
		return client.NewIdempotencyKey()
	}
	return key
}

// OptBool returns nil for false and a pointer to true otherwise.
func OptBool(b bool) *bool {
	if !b {
		return nil
	}
	return &b
}

// Str dereferences an optional string; nil is "".
func Str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// Bool dereferences an optional bool; nil is false.
func Bool(p *bool) bool {
	return p != nil && *p
}

// Time dereferences an optional time; nil is the zero time.
func Time(p *time.Time) time.Time {
	if p == nil {
		return time.Time{}
	}
	return *p
}

// Int64 dereferences an optional integer of any int64-based type; nil is 0.
func Int64[I ~int64](p *I) int64 {
	if p == nil {
		return 0
	}
	return int64(*p)
}

// Latest returns the entry of a status list with the latest enteredAt time: the
// current status of the object. The gateway returns status lists in no promised
// order. On equal times the later entry in the list wins. ok is false for an
// empty list.
func Latest[T any](list []T, enteredAt func(T) time.Time) (latest T, ok bool) {
	for i, e := range list {
		if i == 0 || !enteredAt(e).Before(enteredAt(latest)) {
			latest, ok = e, true
		}
	}
	return latest, ok
}

// ParseID parses an id the gateway returns as a String although the object's
// id is a bigint (releaseId, the reference check's paymentId). what names the
// field for the error.
func ParseID(what, s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("the gateway returned %s %q, which is not a 64-bit integer", what, s)
	}
	return n, nil
}

// First returns the first element of a detail list (the gateway types
// per-method details as a list that holds at most one row), converted with f, or
// nil when the list is empty.
func First[T, R any](list []T, f func(T) R) *R {
	if len(list) == 0 {
		return nil
	}
	r := f(list[0])
	return &r
}
