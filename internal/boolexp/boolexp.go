// Package boolexp holds the Hasura boolean expressions (the where argument)
// that the listing and totals operations send. genqlient binds the schema's
// PaymentBoolExp, RefundBoolExp, PaymentCaptureBoolExp and
// TransactionReleaseBoolExp to these types (see genqlient.yaml) so that an
// operator or column left unset is left out of the JSON, never sent as null:
// Hasura refuses a null comparison value instead of ignoring it.
//
// An empty expression ({}) matches every row; the fields of an expression
// and the entries of And must all hold; one entry of Or must.
package boolexp

import (
	"time"

	"github.com/kronor-io/kronor-go/internal/scalars"
)

// Cmp is a comparison expression of a column of type T (Hasura's
// <Type>ComparisonExp). Every operator set must hold.
type Cmp[T any] struct {
	Eq  *T  `json:"_eq,omitempty"`
	Gt  *T  `json:"_gt,omitempty"`
	Gte *T  `json:"_gte,omitempty"`
	Lt  *T  `json:"_lt,omitempty"`
	Lte *T  `json:"_lte,omitempty"`
	In  []T `json:"_in,omitempty"`
}

// Time is a comparison of a timestamptz column.
type Time = Cmp[time.Time]

// Range returns the comparison from <= t < to, leaving out a zero bound;
// nil when both are zero.
func Range(from, to time.Time) *Time {
	if from.IsZero() && to.IsZero() {
		return nil
	}
	c := &Time{}
	if !from.IsZero() {
		c.Gte = &from
	}
	if !to.IsZero() {
		c.Lt = &to
	}
	return c
}

// In returns the comparison of a column with the values of vs, converted to
// strings (an enum or String column); nil when vs is empty.
func In[S ~string](vs []S) *Cmp[string] {
	if len(vs) == 0 {
		return nil
	}
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return &Cmp[string]{In: out}
}

// Eq returns the comparison column = v.
func Eq[T any](v T) *Cmp[T] { return &Cmp[T]{Eq: &v} }

// Gt returns the comparison column > v.
func Gt[T any](v T) *Cmp[T] { return &Cmp[T]{Gt: &v} }

// Payment is the schema's PaymentBoolExp, as far as the SDK uses it.
type Payment struct {
	And               []Payment            `json:"_and,omitempty"`
	Or                []Payment            `json:"_or,omitempty"`
	CreatedAt         *Time                `json:"createdAt,omitempty"`
	Currency          *Cmp[string]         `json:"currency,omitempty"`
	CurrentStatus     *Cmp[string]         `json:"currentStatus,omitempty"`
	ID                *Cmp[scalars.BigInt] `json:"id,omitempty"`
	MerchantReference *Cmp[string]         `json:"merchantReference,omitempty"`
	PaymentMethod     *Cmp[string]         `json:"paymentMethod,omitempty"`
	Refunds           *Refund              `json:"refunds,omitempty"`
}

// Refund is the schema's RefundBoolExp, as far as the SDK uses it.
type Refund struct {
	And       []Refund             `json:"_and,omitempty"`
	Or        []Refund             `json:"_or,omitempty"`
	CreatedAt *Time                `json:"createdAt,omitempty"`
	PaymentID *Cmp[scalars.BigInt] `json:"paymentId,omitempty"`
	Status    *Status              `json:"status,omitempty"`
	WaitToken *Cmp[string]         `json:"waitToken,omitempty"`
}

// Capture is the schema's PaymentCaptureBoolExp, as far as the SDK uses it.
type Capture struct {
	And       []Capture            `json:"_and,omitempty"`
	Or        []Capture            `json:"_or,omitempty"`
	CreatedAt *Time                `json:"createdAt,omitempty"`
	ID        *Cmp[scalars.BigInt] `json:"id,omitempty"`
	PaymentID *Cmp[scalars.BigInt] `json:"paymentId,omitempty"`
	Status    *Status              `json:"status,omitempty"`
}

// Release is the schema's TransactionReleaseBoolExp, as far as the SDK uses
// it.
type Release struct {
	And           []Release            `json:"_and,omitempty"`
	Or            []Release            `json:"_or,omitempty"`
	CreatedAt     *Time                `json:"createdAt,omitempty"`
	CurrentStatus *Cmp[string]         `json:"currentStatus,omitempty"`
	ID            *Cmp[scalars.BigInt] `json:"id,omitempty"`
	PaymentID     *Cmp[scalars.BigInt] `json:"paymentId,omitempty"`
}

// Status is an expression over an object's list of current statuses
// (CurrentRefundStatusBoolExp, CurrentCaptureStatusBoolExp): it holds when
// one of them matches.
type Status struct {
	Status *Cmp[string] `json:"status,omitempty"`
}
