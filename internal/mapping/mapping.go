// Package mapping holds the one mapper from each shared GraphQL fragment to
// the public type it becomes, so that a type read in several packages is
// built in one place: package payments maps PaymentRequestCore to
// payments.Request (and SessionPaymentRequest, with where the customer pays),
// package refunds maps RefundFields to refunds.Refund, package captures maps
// CaptureFields and ReleaseFields to captures.Capture and
// captures.TransactionRelease, and the packages that read those fragments too
// (subscriptions, payments) call the owner's mapper through these hooks. The owner sets its hook in its
// init; a package that imports the owner can rely on it being set.
package mapping

import "github.com/kronor-io/kronor-go/internal/api"

var (
	// PaymentRequest returns the payments.Request of f (as any). Set by
	// package payments.
	PaymentRequest func(f *api.PaymentRequestCore) any
	// Refund returns the refunds.Refund of f (as any). Set by package
	// refunds.
	Refund func(f *api.RefundFields) any
	// SessionPaymentRequest returns the payments.Request of f, with where the
	// customer pays (as any). Set by package payments.
	SessionPaymentRequest func(f *api.SessionPaymentRequest) any
	// Capture returns the captures.Capture of f (as any). Set by package
	// captures.
	Capture func(f *api.CaptureFields) any
	// Release returns the captures.TransactionRelease of f (as any). Set by
	// package captures.
	Release func(f *api.ReleaseFields) any
)
