package kronortest

import (
	"context"

	"github.com/kronor-io/kronor-go/kronortest/internal/graph/model"
)

// What Kronor's own mobile SDKs (kronor-android, kronor-ios) send besides the
// spec's flow: the device information that goes with every create-payment
// mutation, the status refresh after an app redirect, and the wallet payments
// (Google Pay, Apple Pay), which complete like a card payment: AUTHORIZED,
// then captured or released.

// fakeMerchantID is the merchant's id in Merchant.id and PaymentMethodStatus.id.
const fakeMerchantID = 1

// Google Pay's merchant configuration, as newGooglePayPayment returns it.
const (
	googleGatewayMerchantID = "kronortest-gateway-merchant"
	googleMerchantID        = "BCR2DN4TKRONORTEST"
	googleMerchantName      = "Kronortest Shop"
)

// Device is the customer's device as addSessionDeviceInformation recorded it
// on a payment session.
type Device struct {
	BrowserName    string
	BrowserVersion string
	Fingerprint    string
	OSName         string
	OSVersion      string
	UserAgent      string
}

// SessionDevice returns the device information last recorded on the payment
// session whose token is sessionToken, and whether any was.
func (s *Server) SessionDevice(sessionToken string) (Device, bool) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	sess := s.store.sessions[sessionToken]
	if sess == nil || sess.device == nil {
		return Device{}, false
	}
	return *sess.device, true
}

// Refreshes returns how many times refreshPaymentStatus was called.
func (s *Server) Refreshes() int {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	return s.store.refreshes
}

// authorizes reports whether payments of method m are authorized first (then
// captured or released) rather than paid: cards and the card wallets.
func authorizes(m model.PaymentMethodEnum) bool {
	switch m {
	case model.PaymentMethodEnumCreditCard, model.PaymentMethodEnumApplePay, model.PaymentMethodEnumGooglePay:
		return true
	}
	return false
}

func (m mutationResolver) AddSessionDeviceInformation(ctx context.Context, in model.AddSessionDeviceInformationInput) (*model.AddSessionDeviceInformationResult, error) {
	id, err := caller(ctx, "addSessionDeviceInformation", roleGateway)
	if err != nil {
		return nil, err
	}
	const field, arg = "addSessionDeviceInformation", "info"
	v := &inputCheck{field: field, arg: arg}
	for _, f := range []struct {
		name, value string
		max         int
	}{
		{"browserName", in.BrowserName, 64}, {"browserVersion", in.BrowserVersion, 64},
		{"fingerprint", in.Fingerprint, 64}, {"osName", in.OsName, 64},
		{"osVersion", in.OsVersion, 64}, {"userAgent", in.UserAgent, 512},
	} {
		checkMaxLen(v, &f.value, f.max, f.name)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	s := m.store()
	s.mu.Lock()
	defer s.mu.Unlock()
	id.sess.device = &Device{
		BrowserName: in.BrowserName, BrowserVersion: in.BrowserVersion, Fingerprint: in.Fingerprint,
		OSName: in.OsName, OSVersion: in.OsVersion, UserAgent: in.UserAgent,
	}
	return &model.AddSessionDeviceInformationResult{Result: true}, nil
}

// RefreshPaymentStatus is the poll of the provider that the iOS SDK asks for
// when the customer comes back from the provider's app. The fake's providers
// have nothing to report that the fake does not know already: it accepts the
// poll, and the status subscription stays the source of truth.
func (m mutationResolver) RefreshPaymentStatus(ctx context.Context) (*model.RefreshPaymentStatusResult, error) {
	if _, err := caller(ctx, "refreshPaymentStatus", roleGateway); err != nil {
		return nil, err
	}
	s := m.store()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refreshes++
	return &model.RefreshPaymentStatusResult{Result: true}, nil
}

func (m mutationResolver) NewGooglePayPayment(ctx context.Context, in model.GooglePayPaymentInput) (*model.GooglePayPaymentResult, error) {
	id, err := caller(ctx, "newGooglePayPayment", roleGateway)
	if err != nil {
		return nil, err
	}
	return startPaymentCall(m.store(), id, in.IdempotencyKey, in, newRequestSpec{
		field: "newGooglePayPayment", method: model.PaymentMethodEnumGooglePay, returnURL: in.ReturnURL,
		params: paramsOf([2]any{in.ReturnURL, in.MerchantReturnURL}),
		fill:   func(r *paymentRequest) { r.merchantRet = in.MerchantReturnURL },
	}, func(r *paymentRequest) *model.GooglePayPaymentResult {
		return &model.GooglePayPaymentResult{
			WaitToken: r.waitToken, Gateway: r.gateway(), GatewayMerchantID: googleGatewayMerchantID,
			GoogleMerchantID: googleMerchantID, GoogleMerchantName: googleMerchantName,
		}
	})
}

func (m mutationResolver) NewApplePayPayment(ctx context.Context, in model.ApplePayPaymentInput) (*model.ApplePayPaymentResult, error) {
	id, err := caller(ctx, "newApplePayPayment", roleGateway)
	if err != nil {
		return nil, err
	}
	return startPaymentCall(m.store(), id, in.IdempotencyKey, in, newRequestSpec{
		field: "newApplePayPayment", method: model.PaymentMethodEnumApplePay, returnURL: in.ReturnURL,
		params: paramsOf([4]any{in.Flow, in.ReturnURL, in.MerchantReturnURL, in.VerificationURL}),
		check: func(v *inputCheck, _ *session) {
			checkFlow(v, in.Flow)
			if in.Flow == "ecom" {
				v.check(in.VerificationURL != nil && *in.VerificationURL != "",
					`is required for the "ecom" flow`, "verificationUrl")
			}
			if in.VerificationURL != nil && *in.VerificationURL != "" {
				checkURL(v, *in.VerificationURL, "verificationUrl")
			}
		},
		fill: func(r *paymentRequest) { r.flow, r.merchantRet = &in.Flow, in.MerchantReturnURL },
	}, func(r *paymentRequest) *model.ApplePayPaymentResult {
		return &model.ApplePayPaymentResult{WaitToken: r.waitToken, Gateway: r.gateway()}
	})
}

// fillGatewayFields sets the fields of a payment request that Kronor's mobile
// SDKs select: the merchant and the payment method used (the
// payment-gateway role's fields of the method's details, the customer's next
// step, are fillDetails'). Callers hold s.mu.
func (s *store) fillGatewayFields(r *paymentRequest, m *model.PaymentRequest) {
	m.Merchant = &model.Merchant{Currency: string(defaultCurrency), ID: fakeMerchantID}
	m.PaymentMethodUsed = &model.PaymentMethodStatus{
		Enabled: ptr(true), Gateway: r.gateway(), ID: fakeMerchantID, PaymentMethod: r.method,
	}
	m.TransactionFinsharkDetails = []*model.FinsharkDetails{}
}
