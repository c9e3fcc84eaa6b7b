package payments

import (
	"context"
	"fmt"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/api"
	"github.com/kronor-io/kronor-go/internal/convert"
	"github.com/kronor-io/kronor-go/internal/validate"
	"github.com/kronor-io/kronor-go/sessions"
)

// Started is a payment request the gateway has started. Follow it with
// List/Latest (session token), RequestDetails (merchant token) or the
// subscriptions package, by WaitToken.
type Started struct {
	// WaitToken identifies the payment request. For Przelewy24, PayPal and bank
	// transfer the gateway calls it paymentId; it is the same value, the
	// request's waitToken, and is what CapturePayPal takes for PayPal.
	WaitToken string
	// Method is the payment method started.
	Method Method
	// Gateway that processes the payment, when the gateway says (credit card,
	// MobilePay, Vipps, bank transfer); empty otherwise.
	Gateway sessions.Gateway
	// AuthToken is the credit card payment's authorization token, if any.
	AuthToken string
	// PaymentRequestID is the bank transfer's payment request id, if any.
	PaymentRequestID string
	// IdempotencyKey is the key the payment was started with.
	IdempotencyKey string
}

// Flow is a payment flow: FlowMcom (the customer pays on this device) or
// FlowEcom (the customer is asked on another device, by Swish number).
type Flow string

// The flows of Swish and bank transfer payments.
const (
	FlowMcom Flow = "mcom"
	FlowEcom Flow = "ecom"
)

// UserFlow is how the customer interacts with MobilePay or Vipps (the schema's
// MobilePayUserFlow). It must be set when the session's preferred gateway is
// KRONOR.
type UserFlow string

// The user flows of the schema's MobilePayUserFlow.
const (
	UserFlowNativeRedirect UserFlow = "NativeRedirect"
	UserFlowPushMessage    UserFlow = "PushMessage"
	UserFlowQR             UserFlow = "QR"
	UserFlowWebRedirect    UserFlow = "WebRedirect"
)

// Known reports whether f is a value of the schema's enum.
func (f UserFlow) Known() bool {
	switch f {
	case UserFlowNativeRedirect, UserFlowPushMessage, UserFlowQR, UserFlowWebRedirect:
		return true
	}
	return false
}

// Redirect holds the fields every payment method takes.
type Redirect struct {
	// ReturnURL is where the customer is sent when the payment is done (for
	// bank transfer: back from the bank). Required; an absolute http(s) URL.
	ReturnURL string
	// MerchantReturnURL is the merchant's own return URL when the payment
	// component is used. Optional; an absolute http(s) URL.
	MerchantReturnURL string
}

func (r Redirect) check(v *validate.Collector) {
	v.HTTPURL("pay.returnUrl", r.ReturnURL, true)
	v.HTTPURL("pay.merchantReturnUrl", r.MerchantReturnURL, false)
}

// SwishParams starts a Swish payment.
type SwishParams struct {
	Redirect
	// IdempotencyKey makes a retried start return the same payment. Optional:
	// when empty a random key is made for this call (and reused by the
	// client's retries, and carried by every error of the call). A rerun
	// after a crash needs none: the same method with the same parameters in
	// the same session returns the pending payment.
	IdempotencyKey string
	// Device is the customer's device, sent with the payment in the same
	// request; optional (see Device).
	Device *Device
	// CustomerSwishNumber is the customer's Swish number. With it the flow is
	// ecom (the customer's Swish app is asked to pay); without it mcom (the
	// customer opens Swish on this device or scans the QR code).
	CustomerSwishNumber string
	// Flow is optional: FlowMcom without a CustomerSwishNumber, FlowEcom with
	// one. When set it must agree with CustomerSwishNumber.
	Flow Flow
}

// Swish starts a Swish payment in the session of the client's session token.
func Swish(ctx context.Context, c *client.Session, p SwishParams, opts ...StartOption) (*Started, error) {
	var v validate.Collector
	p.check(&v)
	flow := p.Flow
	switch {
	case flow != "" && flow != FlowMcom && flow != FlowEcom:
		v.Add("pay.flow", `must be "mcom" or "ecom"`)
	case flow == FlowEcom && p.CustomerSwishNumber == "":
		v.Add("pay.customerSwishNumber", `is required for the "ecom" flow`)
	case flow == FlowMcom && p.CustomerSwishNumber != "":
		v.Add("pay.customerSwishNumber", `must be empty for the "mcom" flow (a number means "ecom")`)
	case flow == "" && p.CustomerSwishNumber != "":
		flow = FlowEcom
	case flow == "":
		flow = FlowMcom
	}
	v.Text("pay.customerSwishNumber", p.CustomerSwishNumber)
	p.Device.check(&v)
	v.IdempotencyKey("pay.idempotencyKey", p.IdempotencyKey)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := prepare(ctx, c, MethodSwish, opts); err != nil {
		return nil, err
	}
	k := convert.IdempotencyKey(p.IdempotencyKey)
	in := api.SwishPaymentInput{
		IdempotencyKey:      k,
		Flow:                string(flow),
		CustomerSwishNumber: convert.OptString(p.CustomerSwishNumber),
		ReturnUrl:           p.ReturnURL,
		MerchantReturnUrl:   convert.OptString(p.MerchantReturnURL),
	}
	var r api.NewSwishPaymentNewSwishPaymentSwishPaymentResult
	var devErr error
	if p.Device == nil {
		resp, err := api.NewSwishPayment(ctx, c, in)
		if err != nil {
			return nil, fmt.Errorf("payments: newSwishPayment: %w", err)
		}
		r = resp.NewSwishPayment
	} else {
		resp, err := api.NewSwishPaymentWithDevice(ctx, c, in, p.Device.input())
		if resp != nil {
			r.WaitToken = resp.NewSwishPayment.WaitToken
		}
		devErr = deviceOutcome("newSwishPayment", r.WaitToken != "", resp != nil && resp.AddSessionDeviceInformation.Result, err)
		if r.WaitToken == "" {
			return nil, devErr
		}
	}
	return &Started{WaitToken: r.WaitToken, Method: MethodSwish, IdempotencyKey: k}, devErr
}

// CreditCardParams starts a card payment.
type CreditCardParams struct {
	Redirect
	// IdempotencyKey makes a retried start return the same payment. Optional:
	// when empty a random key is made for this call (and reused by the
	// client's retries, and carried by every error of the call). A rerun
	// after a crash needs none: the same method with the same parameters in
	// the same session returns the pending payment.
	IdempotencyKey string
	// Device is the customer's device, sent with the payment in the same
	// request; optional (see Device).
	Device *Device
}

// CreditCard starts a card payment: the customer enters the card on the hosted
// page at the request's PaymentURL (subscriptions.SessionWatcher.NextStep
// returns it as soon as the gateway has it; List/Latest read it). A card payment ends in
// AUTHORIZED, to be captured or released with package captures.
func CreditCard(ctx context.Context, c *client.Session, p CreditCardParams, opts ...StartOption) (*Started, error) {
	var v validate.Collector
	p.check(&v)
	p.Device.check(&v)
	v.IdempotencyKey("pay.idempotencyKey", p.IdempotencyKey)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := prepare(ctx, c, MethodCreditCard, opts); err != nil {
		return nil, err
	}
	k := convert.IdempotencyKey(p.IdempotencyKey)
	in := api.CreditCardPaymentInput{
		IdempotencyKey:    k,
		ReturnUrl:         p.ReturnURL,
		MerchantReturnUrl: convert.OptString(p.MerchantReturnURL),
	}
	var r api.NewCreditCardPaymentNewCreditCardPaymentCreditCardPaymentResult
	var devErr error
	if p.Device == nil {
		resp, err := api.NewCreditCardPayment(ctx, c, in)
		if err != nil {
			return nil, fmt.Errorf("payments: newCreditCardPayment: %w", err)
		}
		r = resp.NewCreditCardPayment
	} else {
		resp, err := api.NewCreditCardPaymentWithDevice(ctx, c, in, p.Device.input())
		if resp != nil {
			d := resp.NewCreditCardPayment
			r.WaitToken, r.Gateway, r.AuthToken = d.WaitToken, d.Gateway, d.AuthToken
		}
		devErr = deviceOutcome("newCreditCardPayment", r.WaitToken != "", resp != nil && resp.AddSessionDeviceInformation.Result, err)
		if r.WaitToken == "" {
			return nil, devErr
		}
	}
	return &Started{
		WaitToken:      r.WaitToken,
		Method:         MethodCreditCard,
		Gateway:        sessions.Gateway(r.Gateway),
		AuthToken:      convert.Str(r.AuthToken),
		IdempotencyKey: k,
	}, devErr
}

// MobilePayParams starts a MobilePay payment.
type MobilePayParams struct {
	Redirect
	// IdempotencyKey makes a retried start return the same payment. Optional:
	// when empty a random key is made for this call (and reused by the
	// client's retries, and carried by every error of the call). A rerun
	// after a crash needs none: the same method with the same parameters in
	// the same session returns the pending payment.
	IdempotencyKey string
	// Device is the customer's device, sent with the payment in the same
	// request; optional (see Device).
	Device *Device
	// UserFlow is optional, but must be set when the session's preferred
	// gateway is KRONOR.
	UserFlow UserFlow
}

// MobilePay starts a MobilePay payment. The gateway accepts it only in a
// session in DKK.
func MobilePay(ctx context.Context, c *client.Session, p MobilePayParams, opts ...StartOption) (*Started, error) {
	var v validate.Collector
	p.check(&v)
	checkUserFlow(&v, p.UserFlow)
	p.Device.check(&v)
	v.IdempotencyKey("pay.idempotencyKey", p.IdempotencyKey)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := prepare(ctx, c, MethodMobilePay, opts); err != nil {
		return nil, err
	}
	k := convert.IdempotencyKey(p.IdempotencyKey)
	in := api.MobilePayPaymentInput{
		IdempotencyKey:    k,
		ReturnUrl:         p.ReturnURL,
		MerchantReturnUrl: convert.OptString(p.MerchantReturnURL),
		UserFlow:          (*api.MobilePayUserFlow)(convert.OptEnum(p.UserFlow)),
	}
	var r api.NewMobilePayPaymentNewMobilePayPaymentMobilePayPaymentResult
	var devErr error
	if p.Device == nil {
		resp, err := api.NewMobilePayPayment(ctx, c, in)
		if err != nil {
			return nil, fmt.Errorf("payments: newMobilePayPayment: %w", err)
		}
		r = resp.NewMobilePayPayment
	} else {
		resp, err := api.NewMobilePayPaymentWithDevice(ctx, c, in, p.Device.input())
		if resp != nil {
			r.WaitToken, r.Gateway = resp.NewMobilePayPayment.WaitToken, resp.NewMobilePayPayment.Gateway
		}
		devErr = deviceOutcome("newMobilePayPayment", r.WaitToken != "", resp != nil && resp.AddSessionDeviceInformation.Result, err)
		if r.WaitToken == "" {
			return nil, devErr
		}
	}
	return &Started{WaitToken: r.WaitToken, Method: MethodMobilePay, Gateway: sessions.Gateway(r.Gateway), IdempotencyKey: k}, devErr
}

// VippsParams starts a Vipps payment.
type VippsParams struct {
	Redirect
	// IdempotencyKey makes a retried start return the same payment. Optional:
	// when empty a random key is made for this call (and reused by the
	// client's retries, and carried by every error of the call). A rerun
	// after a crash needs none: the same method with the same parameters in
	// the same session returns the pending payment.
	IdempotencyKey string
	// Device is the customer's device, sent with the payment in the same
	// request; optional (see Device).
	Device *Device
	// UserFlow is optional, but must be set when the session's preferred
	// gateway is KRONOR.
	UserFlow UserFlow
}

// Vipps starts a Vipps payment. The gateway accepts it only in a session in
// NOK.
func Vipps(ctx context.Context, c *client.Session, p VippsParams, opts ...StartOption) (*Started, error) {
	var v validate.Collector
	p.check(&v)
	checkUserFlow(&v, p.UserFlow)
	p.Device.check(&v)
	v.IdempotencyKey("pay.idempotencyKey", p.IdempotencyKey)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := prepare(ctx, c, MethodVipps, opts); err != nil {
		return nil, err
	}
	k := convert.IdempotencyKey(p.IdempotencyKey)
	in := api.VippsPaymentInput{
		IdempotencyKey:    k,
		ReturnUrl:         p.ReturnURL,
		MerchantReturnUrl: convert.OptString(p.MerchantReturnURL),
		UserFlow:          (*api.MobilePayUserFlow)(convert.OptEnum(p.UserFlow)),
	}
	var r api.NewVippsPaymentNewVippsPaymentVippsPaymentResult
	var devErr error
	if p.Device == nil {
		resp, err := api.NewVippsPayment(ctx, c, in)
		if err != nil {
			return nil, fmt.Errorf("payments: newVippsPayment: %w", err)
		}
		r = resp.NewVippsPayment
	} else {
		resp, err := api.NewVippsPaymentWithDevice(ctx, c, in, p.Device.input())
		if resp != nil {
			r.WaitToken, r.Gateway = resp.NewVippsPayment.WaitToken, resp.NewVippsPayment.Gateway
		}
		devErr = deviceOutcome("newVippsPayment", r.WaitToken != "", resp != nil && resp.AddSessionDeviceInformation.Result, err)
		if r.WaitToken == "" {
			return nil, devErr
		}
	}
	return &Started{WaitToken: r.WaitToken, Method: MethodVipps, Gateway: sessions.Gateway(r.Gateway), IdempotencyKey: k}, devErr
}

func checkUserFlow(v *validate.Collector, f UserFlow) {
	if f != "" && !f.Known() {
		v.Add("pay.userFlow", "must be one of NativeRedirect, PushMessage, QR or WebRedirect")
	}
}

// P24Params starts a Przelewy24 payment.
type P24Params struct {
	Redirect
	// IdempotencyKey makes a retried start return the same payment. Optional:
	// when empty a random key is made for this call (and reused by the
	// client's retries, and carried by every error of the call). A rerun
	// after a crash needs none: the same method with the same parameters in
	// the same session returns the pending payment.
	IdempotencyKey string
	// Device is the customer's device, sent with the payment in the same
	// request; optional (see Device).
	Device *Device
	// PaymentMethodID is the Przelewy24 payment method the customer chose;
	// 0 lets the customer choose on Przelewy24's site.
	PaymentMethodID int64
	// RegulationAccept records the customer's consent to Przelewy24's
	// regulations; it needs a PaymentMethodID (without one the gateway always
	// treats it as false and shows the consent dialog).
	RegulationAccept bool
}

// P24 starts a Przelewy24 payment. The gateway accepts it only in a session in
// PLN, with country PL and additionalData.name. The result's WaitToken is the
// paymentId the gateway returns.
func P24(ctx context.Context, c *client.Session, p P24Params, opts ...StartOption) (*Started, error) {
	var v validate.Collector
	p.check(&v)
	if p.PaymentMethodID != 0 {
		v.ID("pay.paymentMethodId", "Przelewy24 payment method", p.PaymentMethodID)
	}
	if p.RegulationAccept && p.PaymentMethodID == 0 {
		v.Add("pay.p24RegulationAccept", "needs paymentMethodId (without one the gateway ignores it)")
	}
	p.Device.check(&v)
	v.IdempotencyKey("pay.idempotencyKey", p.IdempotencyKey)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := prepare(ctx, c, MethodP24, opts); err != nil {
		return nil, err
	}
	k := convert.IdempotencyKey(p.IdempotencyKey)
	in := api.P24PaymentInput{
		IdempotencyKey:      k,
		ReturnUrl:           p.ReturnURL,
		MerchantReturnUrl:   convert.OptString(p.MerchantReturnURL),
		P24RegulationAccept: convert.OptBool(p.RegulationAccept),
		PaymentMethodId:     convert.OptBigInt(p.PaymentMethodID),
	}
	var id string
	var devErr error
	if p.Device == nil {
		resp, err := api.NewP24Payment(ctx, c, in)
		if err != nil {
			return nil, fmt.Errorf("payments: newP24Payment: %w", err)
		}
		id = resp.NewP24Payment.PaymentId
	} else {
		resp, err := api.NewP24PaymentWithDevice(ctx, c, in, p.Device.input())
		if resp != nil {
			id = resp.NewP24Payment.PaymentId
		}
		devErr = deviceOutcome("newP24Payment", id != "", resp != nil && resp.AddSessionDeviceInformation.Result, err)
		if id == "" {
			return nil, devErr
		}
	}
	return &Started{WaitToken: id, Method: MethodP24, IdempotencyKey: k}, devErr
}

// BankTransferParams starts a bank transfer.
type BankTransferParams struct {
	Redirect
	// IdempotencyKey makes a retried start return the same payment. Optional:
	// when empty a random key is made for this call (and reused by the
	// client's retries, and carried by every error of the call). A rerun
	// after a crash needs none: the same method with the same parameters in
	// the same session returns the pending payment.
	IdempotencyKey string
	// Device is the customer's device, sent with the payment in the same
	// request; optional (see Device).
	Device *Device
	// ASPSPID is the id of the customer's bank (ASPSP), if already chosen.
	ASPSPID int64
	// RequestRedirectState is passed back in ReturnURL's query.
	RequestRedirectState string
	// ExecutionDate is an optional date to execute the transfer, yyyy-mm-dd;
	// the gateway takes it only in a session created with AllowExecutionDate,
	// after today and up to 90 days ahead.
	ExecutionDate string
	// Flow is optional: FlowEcom (web) or FlowMcom (app).
	Flow Flow
}

// BankTransfer starts a bank transfer. It walks WAITING_FOR_PAYMENT,
// FLOW_COMPLETED and ACCEPTED before PAID: ship only when PAID. The result's
// WaitToken is the paymentId the gateway returns.
func BankTransfer(ctx context.Context, c *client.Session, p BankTransferParams, opts ...StartOption) (*Started, error) {
	var v validate.Collector
	p.check(&v)
	if p.ASPSPID != 0 {
		v.ID("pay.aspspId", "ASPSP", p.ASPSPID)
	}
	v.Text("pay.requestRedirectState", p.RequestRedirectState)
	v.Date("pay.executionDate", p.ExecutionDate)
	if p.Flow != "" && p.Flow != FlowMcom && p.Flow != FlowEcom {
		v.Add("pay.flow", `must be "mcom" or "ecom"`)
	}
	p.Device.check(&v)
	v.IdempotencyKey("pay.idempotencyKey", p.IdempotencyKey)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := prepare(ctx, c, MethodBankTransfer, opts); err != nil {
		return nil, err
	}
	k := convert.IdempotencyKey(p.IdempotencyKey)
	in := api.BankTransferPaymentInput{
		IdempotencyKey:       k,
		ReturnUrl:            p.ReturnURL,
		MerchantReturnUrl:    convert.OptString(p.MerchantReturnURL),
		RequestRedirectState: convert.OptString(p.RequestRedirectState),
		ExecutionDate:        convert.OptString(p.ExecutionDate),
		Flow:                 convert.OptString(string(p.Flow)),
		AspspId:              convert.OptBigInt(p.ASPSPID),
	}
	var r api.NewBankTransferPaymentNewBankTransferPaymentBankTransferPaymentResult
	var devErr error
	if p.Device == nil {
		resp, err := api.NewBankTransferPayment(ctx, c, in)
		if err != nil {
			return nil, fmt.Errorf("payments: newBankTransferPayment: %w", err)
		}
		r = resp.NewBankTransferPayment
	} else {
		resp, err := api.NewBankTransferPaymentWithDevice(ctx, c, in, p.Device.input())
		if resp != nil {
			d := resp.NewBankTransferPayment
			r.PaymentId, r.PaymentRequestId, r.Gateway = d.PaymentId, d.PaymentRequestId, d.Gateway
		}
		devErr = deviceOutcome("newBankTransferPayment", r.PaymentId != "", resp != nil && resp.AddSessionDeviceInformation.Result, err)
		if r.PaymentId == "" {
			return nil, devErr
		}
	}
	return &Started{
		WaitToken:        r.PaymentId,
		Method:           MethodBankTransfer,
		Gateway:          sessions.Gateway(r.Gateway),
		PaymentRequestID: convert.Str(r.PaymentRequestId),
		IdempotencyKey:   k,
	}, devErr
}

// PayPalParams starts a PayPal payment.
type PayPalParams struct {
	Redirect
	// IdempotencyKey makes a retried start return the same payment. Optional:
	// when empty a random key is made for this call (and reused by the
	// client's retries, and carried by every error of the call). A rerun
	// after a crash needs none: the same method with the same parameters in
	// the same session returns the pending payment.
	IdempotencyKey string
	// Device is the customer's device, sent with the payment in the same
	// request; optional (see Device).
	Device *Device
}

// PayPal starts a PayPal payment. The gateway accepts it only in a session with
// additionalData.shippingAddress and additionalData.orderLines, for a merchant
// onboarded with PayPal. The customer approves at the request's PaymentURL;
// the gateway then captures the funds itself, or call CapturePayPal to
// complete at once. The result's WaitToken is the paymentId the gateway
// returns.
func PayPal(ctx context.Context, c *client.Session, p PayPalParams, opts ...StartOption) (*Started, error) {
	var v validate.Collector
	p.check(&v)
	p.Device.check(&v)
	v.IdempotencyKey("pay.idempotencyKey", p.IdempotencyKey)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := prepare(ctx, c, MethodPayPal, opts); err != nil {
		return nil, err
	}
	k := convert.IdempotencyKey(p.IdempotencyKey)
	in := api.PayPalPaymentInput{
		IdempotencyKey:    k,
		ReturnUrl:         p.ReturnURL,
		MerchantReturnUrl: convert.OptString(p.MerchantReturnURL),
	}
	var id string
	var devErr error
	if p.Device == nil {
		resp, err := api.NewPayPalPayment(ctx, c, in)
		if err != nil {
			return nil, fmt.Errorf("payments: newPayPalPayment: %w", err)
		}
		id = resp.NewPayPalPayment.PaymentId
	} else {
		resp, err := api.NewPayPalPaymentWithDevice(ctx, c, in, p.Device.input())
		if resp != nil {
			id = resp.NewPayPalPayment.PaymentId
		}
		devErr = deviceOutcome("newPayPalPayment", id != "", resp != nil && resp.AddSessionDeviceInformation.Result, err)
		if id == "" {
			return nil, devErr
		}
	}
	return &Started{WaitToken: id, Method: MethodPayPal, IdempotencyKey: k}, devErr
}
