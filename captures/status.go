package captures

import "github.com/kronor-io/kronor-go/internal/statustable"

// Status is the status of a capture (the gateway's PaymentCaptureStatusEnum).
// Unknown values are kept as sent, and their predicates report false.
type Status string

// The statuses of a capture. The spec documents CAPTURING, CAPTURE_DONE,
// CAPTURE_COOLDOWN, CAPTURE_DECLINED and ERROR; the schema adds
// WAITING_FOR_CAPTURE, which precedes CAPTURING.
const (
	StatusWaitingForCapture Status = "WAITING_FOR_CAPTURE"
	StatusCapturing         Status = "CAPTURING"
	StatusDone              Status = "CAPTURE_DONE"
	// StatusCooldown: too many partial captures of the payment in a short
	// time at some providers; capture again in 24 hours.
	StatusCooldown Status = "CAPTURE_COOLDOWN"
	// StatusDeclined: the card was declined; collect the amount from the
	// customer by other means. The payment cannot be captured any more.
	StatusDeclined Status = "CAPTURE_DECLINED"
	StatusError    Status = "ERROR"
)

// Succeeded reports whether the money was captured (CAPTURE_DONE).
func (s Status) Succeeded() bool { return s.info().Outcome == statustable.Succeeded }

// Failed reports whether the capture failed: CAPTURE_COOLDOWN,
// CAPTURE_DECLINED or ERROR.
func (s Status) Failed() bool { return s.info().Failed() }

// Final reports whether the capture has ended: succeeded or failed.
func (s Status) Final() bool { return s.info().Final() }

// Known reports whether s is a status this package has a constant for.
func (s Status) Known() bool {
	_, ok := statustable.Of(statustable.Capture, string(s))
	return ok
}

func (s Status) info() statustable.Info {
	i, _ := statustable.Of(statustable.Capture, string(s))
	return i
}

// String returns the status as the gateway spells it.
func (s Status) String() string { return string(s) }

// ReleaseStatus is the status of a release (the gateway's
// TransactionReleaseStatusEnum). Unknown values are kept as sent.
type ReleaseStatus string

// The statuses of a release. The happy flow is IN_PROGRESS then DONE; the
// schema adds RELEASE_AMBIGUOUS, which the spec lacks.
const (
	ReleaseInProgress ReleaseStatus = "IN_PROGRESS"
	ReleaseDone       ReleaseStatus = "DONE"
	ReleaseError      ReleaseStatus = "ERROR"
	// ReleaseAmbiguous: the release may or may not have reached the provider;
	// a human at Kronor resolves it.
	ReleaseAmbiguous ReleaseStatus = "RELEASE_AMBIGUOUS"
)

// Succeeded reports whether the reservation was released (DONE).
func (s ReleaseStatus) Succeeded() bool { return s.info().Outcome == statustable.Succeeded }

// Failed reports whether the release failed (ERROR).
func (s ReleaseStatus) Failed() bool { return s.info().Failed() }

// Ambiguous reports whether the outcome is unknown (RELEASE_AMBIGUOUS). It is
// not final: a human resolves it, so stop polling and escalate rather than
// releasing again.
func (s ReleaseStatus) Ambiguous() bool { return s.info().Outcome == statustable.Ambiguous }

// Final reports whether the release has ended: succeeded or failed.
func (s ReleaseStatus) Final() bool { return s.info().Final() }

// Known reports whether s is a status this package has a constant for.
func (s ReleaseStatus) Known() bool {
	_, ok := statustable.Of(statustable.Release, string(s))
	return ok
}

func (s ReleaseStatus) info() statustable.Info {
	i, _ := statustable.Of(statustable.Release, string(s))
	return i
}

// String returns the status as the gateway spells it.
func (s ReleaseStatus) String() string { return string(s) }
