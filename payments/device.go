package payments

import (
	"errors"
	"fmt"

	"github.com/kronor-io/kronor-go/internal/api"
	"github.com/kronor-io/kronor-go/internal/validate"
)

// Device is the customer's device as the merchant's backend sees it: the
// browser or app the customer pays from. Give it in a payment's parameters
// and it is sent in the same request as the payment
// (addSessionDeviceInformation, recorded on the payment session), as
// Kronor's own mobile SDKs send theirs; the gateway uses it for fraud
// checks.
//
// These are the fields of the gateway's AddSessionDeviceInformationInput.
// It has none for the customer's IP address: give that in the session's
// parameters (sessions.AdditionalData.IP).
type Device struct {
	// UserAgent is the User-Agent header of the customer's browser, or the
	// app's own ("shop-app/2.1 (iPhone; iOS 18.1)"). Required, at most 512
	// characters.
	UserAgent string
	// BrowserName is the browser's (or app's) name, e.g. "Safari".
	// Optional, at most 64 characters.
	BrowserName string
	// BrowserVersion is its version, e.g. "18.1". Optional, at most 64
	// characters.
	BrowserVersion string
	// OSName is the operating system's name, e.g. "iOS". Optional, at most
	// 64 characters.
	OSName string
	// OSVersion is its version. Optional, at most 64 characters.
	OSVersion string
	// Fingerprint identifies the device across sessions, when the merchant
	// has one (a device id, a browser fingerprint). Optional, at most 64
	// characters.
	Fingerprint string
}

// ErrDeviceNotRecorded is matched by the error a start returns, together
// with the Started payment, when the payment started but the gateway did
// not record the device information sent with it. The payment is started
// and may be followed as usual.
var ErrDeviceNotRecorded = errors.New("payments: the payment started, but the gateway did not record the device information")

// check validates d's fields, when d is given.
func (d *Device) check(v *validate.Collector) {
	if d == nil {
		return
	}
	v.RequiredMaxLen("deviceInfo.userAgent", d.UserAgent, 512)
	v.MaxLen("deviceInfo.browserName", d.BrowserName, 64)
	v.MaxLen("deviceInfo.browserVersion", d.BrowserVersion, 64)
	v.MaxLen("deviceInfo.osName", d.OSName, 64)
	v.MaxLen("deviceInfo.osVersion", d.OSVersion, 64)
	v.MaxLen("deviceInfo.fingerprint", d.Fingerprint, 64)
}

func (d *Device) input() api.AddSessionDeviceInformationInput {
	return api.AddSessionDeviceInformationInput{
		BrowserName:    d.BrowserName,
		BrowserVersion: d.BrowserVersion,
		Fingerprint:    d.Fingerprint,
		OsName:         d.OSName,
		OsVersion:      d.OSVersion,
		UserAgent:      d.UserAgent,
	}
}

// deviceOutcome sorts out the answer to a payment mutation sent with the
// device information: started says whether the answer holds the payment,
// recorded whether the gateway recorded the device. It returns the error
// of a start that failed (the payment did not start: stop), or, for one
// that started, nil or an error matching ErrDeviceNotRecorded (to return
// with the Started).
func deviceOutcome(field string, started, recorded bool, err error) error {
	switch {
	case !started && err != nil:
		return fmt.Errorf("payments: %s: %w", field, err)
	case !started:
		return fmt.Errorf("payments: %s: the gateway's answer holds no payment", field)
	case err != nil:
		return fmt.Errorf("%w: %w", ErrDeviceNotRecorded, err)
	case !recorded:
		return ErrDeviceNotRecorded
	}
	return nil
}
