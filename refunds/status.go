package refunds

import "github.com/kronor-io/kronor-go/internal/statustable"

// Status is the status of a refund (the gateway's RefundStatusEnum): a refund
// goes from INITIALIZING through WAITING_FOR_REFUND (or
// AWAITING_ACCOUNT_SELECTION, a bank payout waiting for the customer's
// account) to PAID, or ends in ERROR; REFUND_AMBIGUOUS needs Kronor's
// support. CREATED and DEBITED, of Kronor's API documentation, are known too.
// Unknown values are kept as sent, and their predicates report false.
type Status string

// The statuses of a refund.
const (
	StatusInitializing             Status = "INITIALIZING"
	StatusCreated                  Status = "CREATED"
	StatusDebited                  Status = "DEBITED"
	StatusWaitingForRefund         Status = "WAITING_FOR_REFUND"
	StatusAwaitingAccountSelection Status = "AWAITING_ACCOUNT_SELECTION"
	StatusPaid                     Status = "PAID"
	StatusError                    Status = "ERROR"
	StatusAmbiguous                Status = "REFUND_AMBIGUOUS"
)

// Succeeded reports whether the refund has been paid to the customer (PAID).
func (s Status) Succeeded() bool { return s.info().Outcome == statustable.Succeeded }

// Failed reports whether the refund failed (ERROR); the money was not returned.
func (s Status) Failed() bool { return s.info().Failed() }

// Ambiguous reports whether the refund may or may not have reached the
// provider (REFUND_AMBIGUOUS). It is not final: a human at Kronor resolves it,
// so stop polling and escalate rather than refunding again.
func (s Status) Ambiguous() bool { return s.info().Outcome == statustable.Ambiguous }

// Final reports whether the refund has ended: succeeded or failed.
func (s Status) Final() bool { return s.info().Final() }

// Known reports whether s is a status this package has a constant for.
func (s Status) Known() bool {
	_, ok := statustable.Of(statustable.Refund, string(s))
	return ok
}

func (s Status) info() statustable.Info {
	i, _ := statustable.Of(statustable.Refund, string(s))
	return i
}

// String returns the status as the gateway spells it.
func (s Status) String() string { return string(s) }
