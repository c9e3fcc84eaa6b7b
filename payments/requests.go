package payments

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/api"
	"github.com/kronor-io/kronor-go/internal/convert"
	"github.com/kronor-io/kronor-go/internal/mapping"
	"github.com/kronor-io/kronor-go/internal/validate"
	"github.com/kronor-io/kronor-go/sessions"
)

// ErrNotFound is returned, wrapped, when no payment or payment request
// matches. It is the same value as the other packages' ErrNotFound.
var ErrNotFound = convert.ErrNotFound

// List returns every payment request of the client's session, oldest first
// (paymentRequests, session token). A customer who cancels or fails may try
// again, so a session can hold several. The gateway may delete this data after
// some time: use Get with the resulting payment id for a lasting record.
func List(ctx context.Context, c *client.Session) ([]Request, error) {
	resp, err := api.SessionPaymentRequests(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("payments: paymentRequests: %w", err)
	}
	out := make([]Request, 0, len(resp.PaymentRequests))
	for _, r := range resp.PaymentRequests {
		out = append(out, fromSession(r.SessionPaymentRequest))
	}
	return out, nil
}

// Latest returns the session's latest payment request (session token), or an
// error wrapping ErrNotFound when no payment has been started in the session.
func Latest(ctx context.Context, c *client.Session) (*Request, error) {
	resp, err := api.LatestSessionPaymentRequest(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("payments: latest paymentRequest: %w", err)
	}
	if len(resp.PaymentRequests) == 0 {
		return nil, fmt.Errorf("payments: latest paymentRequest: %w", ErrNotFound)
	}
	r := fromSession(resp.PaymentRequests[0].SessionPaymentRequest)
	return &r, nil
}

func init() {
	mapping.PaymentRequest = func(f *api.PaymentRequestCore) any { return requestFrom(f) }
	mapping.SessionPaymentRequest = func(f *api.SessionPaymentRequest) any { return fromSession(*f) }
}

// requestFrom is the one mapper of a payment request read from the gateway:
// every document that reads one selects the PaymentRequestCore fragment
// (package subscriptions' included, through internal/mapping). Callers add
// what their document selects beyond it.
func requestFrom(f *api.PaymentRequestCore) Request {
	r := Request{
		WaitToken:          f.WaitToken.String(),
		Amount:             int64(f.Amount),
		Currency:           sessions.Currency(f.Currency),
		CreatedAt:          f.CreatedAt,
		Reference:          f.Reference,
		Method:             Method(convert.Str((*string)(f.PaymentProvider))),
		ResultingPaymentID: convert.Int64(f.ResultingPaymentId),
		TransactionID:      f.TransactionId,
	}
	// The status list holds the current status; should it hold several, the
	// latest entry is the current one.
	if s, ok := convert.Latest(f.Status, func(s api.PaymentRequestCoreStatusCurrentPaymentStatus) time.Time { return s.EnteredAt }); ok {
		r.Status, r.StatusEnteredAt = Status(s.Status), s.EnteredAt
	}
	return r
}

// fromSession converts the session's view of a request: the core, its
// message and where the customer pays.
func fromSession(f api.SessionPaymentRequest) Request {
	r := requestFrom(&f.PaymentRequestCore)
	r.Message = f.Message
	urls := []string{}
	for _, d := range f.TransactionCreditCardDetails {
		urls = append(urls, convert.Str(d.SessionUrl))
	}
	for _, d := range f.TransactionMobilePayDetails {
		urls = append(urls, convert.Str(d.SessionUrl), convert.Str(d.RedirectUrl))
		if r.QRCodeURL == "" {
			r.QRCodeURL = convert.Str(d.QrCodeUrl)
		}
	}
	for _, d := range f.TransactionVippsDetails {
		urls = append(urls, convert.Str(d.SessionUrl))
	}
	for _, d := range f.TransactionP24Details {
		urls = append(urls, convert.Str(d.SessionUrl))
	}
	for _, d := range f.TransactionPayPalDetails {
		urls = append(urls, convert.Str(d.PaymentUrl))
	}
	for _, d := range f.TransactionBankTransferDetails {
		urls = append(urls, convert.Str(d.PayUrl), convert.Str(d.AuthorizationUrl))
	}
	for _, d := range f.TransactionSwishDetails {
		if r.SwishQRCode == "" {
			r.SwishQRCode = convert.Str(d.QrCode)
		}
		if r.SwishAppLink == "" {
			r.SwishAppLink = convert.Str(d.ReturnUrl)
		}
	}
	for _, u := range urls {
		if u != "" {
			r.PaymentURL = u
			break
		}
	}
	return r
}

// StatusChange is one entry of a status history.
type StatusChange struct {
	// Status entered.
	Status Status
	// EnteredAt is when.
	EnteredAt time.Time
}

// DetailedRequest is a payment request as the merchant sees it: the request,
// its status history, and the details of its payment method. Only the detail
// field of the method used is set.
type DetailedRequest struct {
	Request
	// MerchantReference2 is the session's second merchant reference.
	MerchantReference2 string
	// StatusHistory lists every status the request went through, oldest first.
	StatusHistory []StatusChange

	// The details of the payment method used; the others are nil.
	Card         *CardDetails
	Swish        *SwishDetails
	MobilePay    *MobilePayDetails
	Vipps        *VippsDetails
	P24          *P24Details
	PayPal       *PayPalDetails
	BankTransfer *BankTransferDetails
}

// RequestDetails reads a payment request by its wait token with the merchant
// client (paymentRequests with the method details, which the session token
// cannot read). The error wraps ErrNotFound when no request has that token.
func RequestDetails(ctx context.Context, c *client.Client, waitToken string) (*DetailedRequest, error) {
	var v validate.Collector
	id := v.UUID("waitToken", waitToken)
	if err := v.Err(); err != nil {
		return nil, err
	}
	resp, err := api.PaymentRequestDetails(ctx, c, id)
	if err != nil {
		return nil, fmt.Errorf("payments: paymentRequest %s: %w", waitToken, err)
	}
	if len(resp.PaymentRequests) == 0 {
		return nil, fmt.Errorf("payments: paymentRequest %s: %w", waitToken, ErrNotFound)
	}
	f := resp.PaymentRequests[0]
	d := &DetailedRequest{Request: requestFrom(&f.PaymentRequestCore), MerchantReference2: convert.Str(f.MerchantReference2)}
	d.Message = f.Message
	for _, h := range f.StatusHistory {
		d.StatusHistory = append(d.StatusHistory, StatusChange{Status: Status(h.Status), EnteredAt: h.EnteredAt})
	}
	slices.SortStableFunc(d.StatusHistory, func(a, b StatusChange) int { return a.EnteredAt.Compare(b.EnteredAt) })
	type (
		card   = api.PaymentRequestDetailsPaymentRequestsPaymentRequestTransactionCreditCardDetails
		swish  = api.PaymentRequestDetailsPaymentRequestsPaymentRequestTransactionSwishDetails
		mp     = api.PaymentRequestDetailsPaymentRequestsPaymentRequestTransactionMobilePayDetails
		vipps  = api.PaymentRequestDetailsPaymentRequestsPaymentRequestTransactionVippsDetails
		p24    = api.PaymentRequestDetailsPaymentRequestsPaymentRequestTransactionP24Details
		paypal = api.PaymentRequestDetailsPaymentRequestsPaymentRequestTransactionPayPalDetails
		bank   = api.PaymentRequestDetailsPaymentRequestsPaymentRequestTransactionBankTransferDetails
	)
	d.Card = convert.First(f.TransactionCreditCardDetails, func(x card) CardDetails { return cardDetails(x.CardDetails) })
	d.Swish = convert.First(f.TransactionSwishDetails, func(x swish) SwishDetails { return swishDetails(x.SwishPaymentDetails) })
	d.MobilePay = convert.First(f.TransactionMobilePayDetails, func(x mp) MobilePayDetails { return mobilePayDetails(x.MobilePayPaymentDetails) })
	d.Vipps = convert.First(f.TransactionVippsDetails, func(x vipps) VippsDetails { return vippsDetails(x.VippsPaymentDetails) })
	d.P24 = convert.First(f.TransactionP24Details, func(x p24) P24Details { return p24Details(x.P24PaymentDetails) })
	d.PayPal = convert.First(f.TransactionPayPalDetails, func(x paypal) PayPalDetails { return payPalDetails(x.PayPalPaymentDetails) })
	d.BankTransfer = convert.First(f.TransactionBankTransferDetails, func(x bank) BankTransferDetails {
		return BankTransferDetails{BankName: convert.Str(x.BankName), MaskedBankAccount: convert.Str(x.MaskedBankAccount)}
	})
	return d, nil
}
