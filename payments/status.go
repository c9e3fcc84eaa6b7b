package payments

import "github.com/kronor-io/kronor-go/internal/statustable"

// Status is the status of a payment request or payment (the gateway's
// PaymentStatusEnum). The gateway adds statuses over time, so a Status may hold
// a value this package has no constant for; it is kept as sent, and its
// predicates report false for it.
type Status string

// The statuses of a payment request and of a payment. The spec documents
// ACCEPTED and PROCESSING, which the published schema lacks; the schema adds
// PROCESSING_REDIRECTED_APP/_WEB, RELEASED and WAITING_FOR_PROMOTION.
const (
	StatusPreFlightCheck          Status = "PRE_FLIGHT_CHECK"
	StatusInitializing            Status = "INITIALIZING"
	StatusWaitingForPayment       Status = "WAITING_FOR_PAYMENT"
	StatusProcessing              Status = "PROCESSING"
	StatusProcessingRedirectedApp Status = "PROCESSING_REDIRECTED_APP"
	StatusProcessingRedirectedWeb Status = "PROCESSING_REDIRECTED_WEB"
	StatusWaitingForPromotion     Status = "WAITING_FOR_PROMOTION"
	StatusFlowCompleted           Status = "FLOW_COMPLETED"
	StatusAccepted                Status = "ACCEPTED"
	StatusAuthorized              Status = "AUTHORIZED"
	StatusPartiallyCaptured       Status = "PARTIALLY_CAPTURED"
	StatusPaid                    Status = "PAID"
	StatusCaptureDeclined         Status = "CAPTURE_DECLINED"
	StatusDeclined                Status = "DECLINED"
	StatusCancelling              Status = "CANCELLING"
	StatusCancelled               Status = "CANCELLED"
	StatusError                   Status = "ERROR"
	StatusReleased                Status = "RELEASED"
)

// Succeeded reports whether the customer's payment went through: PAID, or
// AUTHORIZED (a card reservation, to be captured or released), including an
// authorization already partly captured.
func (s Status) Succeeded() bool { return s.info().Outcome == statustable.Succeeded }

// Failed reports whether the payment ended without money moving: DECLINED,
// CANCELLED, ERROR, or CAPTURE_DECLINED.
func (s Status) Failed() bool { return s.info().Failed() }

// Final reports whether the customer's part of the payment is over: it
// succeeded, failed, or was released. A merchant's capture, release or refund
// may still follow a successful payment. FLOW_COMPLETED and ACCEPTED (bank
// transfer) are progress, not an end.
func (s Status) Final() bool { return s.info().Final() }

// Known reports whether s is a status this package has a constant for.
func (s Status) Known() bool {
	_, ok := statustable.Of(statustable.Payment, string(s))
	return ok
}

func (s Status) info() statustable.Info {
	i, _ := statustable.Of(statustable.Payment, string(s))
	return i
}

// String returns the status as the gateway spells it.
func (s Status) String() string { return string(s) }
