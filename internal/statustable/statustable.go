// Package statustable is the one place where the meaning of each status the
// gateway reports is written down: for every value of the schema's payment,
// capture, release and refund status enums, whether it is an end and which
// one, and where it stands in the payment flow. The public status types
// (payments.Status, captures.Status, captures.ReleaseStatus, refunds.Status)
// answer their predicates from it, and package subscriptions orders
// statuses and chooses the error of a failed end from it. Adding a status is
// one line here (and the fake's transition): a test fails when a value of
// the schema's enums is missing.
package statustable

// Outcome is what a status says about the object's end.
type Outcome int

// The outcomes. Progress is not an end; the others are.
const (
	// Progress: not an end yet.
	Progress Outcome = iota
	// Succeeded: the money moved (a payment PAID or AUTHORIZED, a capture
	// done, a release done, a refund paid).
	Succeeded
	// Declined: the payment was declined.
	Declined
	// Cancelled: the payment was cancelled.
	Cancelled
	// Failed: a technical failure or an expiry.
	Failed
	// CaptureDeclined: the card was declined at capture.
	CaptureDeclined
	// Released: an authorization released without capture.
	Released
	// Cooldown: a capture refused for now, to be tried again later.
	Cooldown
	// Ambiguous: the gateway could not tell whether the money moved; Kronor
	// settles it by hand. Not final.
	Ambiguous
)

// Info is the meaning of one status.
type Info struct {
	// Rank orders statuses along the flow, for reports with equal times.
	Rank int
	// Outcome is the status's end, or Progress.
	Outcome Outcome
}

// Final reports whether the status is an end. An ambiguous one is not:
// Kronor resolves it by hand, and it moves on to an end.
func (i Info) Final() bool { return i.Outcome != Progress && i.Outcome != Ambiguous }

// Failed reports whether the status is an end without the money moving.
func (i Info) Failed() bool {
	switch i.Outcome {
	case Declined, Cancelled, Failed, CaptureDeclined, Cooldown:
		return true
	}
	return false
}

// unknownRank is the rank of a status missing from a table: with the
// progress statuses between waiting and the first end.
const unknownRank = 2

// Of returns the Info of status s in table t; a status t lacks (one the
// gateway added since) is progress, ranked in the middle of the flow.
func Of(t map[string]Info, s string) (info Info, known bool) {
	if i, ok := t[s]; ok {
		return i, true
	}
	return Info{Rank: unknownRank}, false
}

// Payment is the table of PaymentStatusEnum (payment requests and payments).
var Payment = map[string]Info{
	"PRE_FLIGHT_CHECK":          {0, Progress},
	"INITIALIZING":              {0, Progress},
	"WAITING_FOR_PAYMENT":       {1, Progress},
	"PROCESSING":                {2, Progress},
	"PROCESSING_REDIRECTED_APP": {2, Progress},
	"PROCESSING_REDIRECTED_WEB": {2, Progress},
	"WAITING_FOR_PROMOTION":     {2, Progress},
	"FLOW_COMPLETED":            {3, Progress},
	"ACCEPTED":                  {4, Progress},
	"CANCELLING":                {5, Progress},
	"AUTHORIZED":                {6, Succeeded},
	"PARTIALLY_CAPTURED":        {7, Succeeded},
	"PAID":                      {8, Succeeded},
	"DECLINED":                  {8, Declined},
	"CANCELLED":                 {8, Cancelled},
	"ERROR":                     {8, Failed},
	"CAPTURE_DECLINED":          {8, CaptureDeclined},
	"RELEASED":                  {9, Released},
}

// Capture is the table of PaymentCaptureStatusEnum.
var Capture = map[string]Info{
	"WAITING_FOR_CAPTURE": {0, Progress},
	"CAPTURING":           {1, Progress},
	"CAPTURE_DONE":        {2, Succeeded},
	"CAPTURE_COOLDOWN":    {2, Cooldown},
	"CAPTURE_DECLINED":    {2, CaptureDeclined},
	"ERROR":               {2, Failed},
}

// Release is the table of TransactionReleaseStatusEnum.
var Release = map[string]Info{
	"IN_PROGRESS":       {0, Progress},
	"DONE":              {1, Succeeded},
	"ERROR":             {1, Failed},
	"RELEASE_AMBIGUOUS": {1, Ambiguous},
}

// Refund is the table of RefundStatusEnum.
var Refund = map[string]Info{
	"INITIALIZING":               {0, Progress},
	"WAITING_FOR_REFUND":         {1, Progress},
	"AWAITING_ACCOUNT_SELECTION": {1, Progress},
	"CREATED":                    {2, Progress},
	"DEBITED":                    {3, Progress},
	"PAID":                       {4, Succeeded},
	"ERROR":                      {4, Failed},
	"REFUND_AMBIGUOUS":           {4, Ambiguous},
}
