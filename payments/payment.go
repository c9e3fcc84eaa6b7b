package payments

import (
	"context"
	"fmt"
	"time"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/api"
	"github.com/kronor-io/kronor-go/internal/convert"
	"github.com/kronor-io/kronor-go/internal/mapping"
	"github.com/kronor-io/kronor-go/internal/scalars"
	"github.com/kronor-io/kronor-go/internal/validate"
	"github.com/kronor-io/kronor-go/refunds"
	"github.com/kronor-io/kronor-go/sessions"
)

// RefundStatus summarizes a payment's refunds (the gateway's
// PaymentRefundStatusEnum). Unknown values are kept as sent.
type RefundStatus string

// The refund states of a payment.
const (
	RefundStatusNone      RefundStatus = "NO_REFUND"
	RefundStatusPartially RefundStatus = "PARTIALLY_REFUNDED"
	RefundStatusFully     RefundStatus = "FULLY_REFUNDED"
)

// Payment is a payment: the lasting record of a payment request that was paid
// or authorized, with its refunds and the details of its method. Only the
// detail field of the method used is set.
type Payment struct {
	// ID is the payment id (a payment request's ResultingPaymentID).
	ID int64
	// TransactionID identifies the payment's transaction.
	TransactionID string
	// AmountAuthorized is the amount reserved on the customer's card, in minor
	// units; 0 for methods without authorization.
	AmountAuthorized int64
	// AmountPaid is the amount paid (captured), in minor units.
	AmountPaid int64
	// Currency is the ISO 4217 code of the amounts.
	Currency sessions.Currency
	// Status is the payment's current status: the latest entry of its status
	// list, or the gateway's currentStatus when the list is empty.
	Status Status
	// StatusEnteredAt is when the payment entered Status (zero if unknown).
	StatusEnteredAt time.Time
	// CreatedAt is when the payment was created.
	CreatedAt time.Time
	// MerchantReference and MerchantReference2 are the session's references.
	MerchantReference  string
	MerchantReference2 string
	// Method is the payment method used.
	Method Method
	// RefundStatus summarizes the refunds.
	RefundStatus RefundStatus
	// Refunds of the payment, oldest first.
	Refunds []refunds.Refund

	// The details of the payment method used; the others are nil.
	Card      *CardDetails
	Swish     *SwishDetails
	MobilePay *MobilePayDetails
	Vipps     *VippsDetails
	P24       *P24Details
	PayPal    *PayPalDetails
}

// CardDetails describes the card of a card payment.
type CardDetails struct {
	// Number is the masked card number.
	Number string
	// Type is the card scheme, e.g. "VISA".
	Type string
	// Country is the card's issuing country.
	Country string
	// ExpiryDate is the card's expiry date, yyyy-mm-dd.
	ExpiryDate string
	// ThreeDSecure is whether 3-D Secure authenticated the payment.
	ThreeDSecure bool
	// ErrorMessage explains a failure.
	ErrorMessage string
}

// SwishDetails describes a Swish payment.
type SwishDetails struct {
	// CustomerSwishNumber is the payer's Swish number.
	CustomerSwishNumber string
	// BankPaymentReference is the bank's reference of the payment.
	BankPaymentReference string
	// Created is when Swish created the payment.
	Created time.Time
	// Paid is when it was paid; zero if not.
	Paid time.Time
	// ErrorCode and ErrorMessage explain a failure.
	ErrorCode    string
	ErrorMessage string
}

// MobilePayDetails describes a MobilePay payment.
type MobilePayDetails struct {
	// CardNumber is the masked number of the card behind the payment.
	CardNumber string
	// CardType is the card scheme.
	CardType string
	// UserFlow is how the customer used MobilePay.
	UserFlow string
}

// VippsDetails describes a Vipps payment.
type VippsDetails struct {
	// CardNumber is the masked number of the card behind the payment.
	CardNumber string
	// CardType is the card scheme.
	CardType string
}

// P24Details describes a Przelewy24 payment.
type P24Details struct {
	// Statement is the text on the payer's bank statement.
	Statement string
	// Verified is whether Przelewy24 verified the payment.
	Verified bool
	// ErrorMessage explains a failure.
	ErrorMessage string
}

// PayPalDetails describes a PayPal payment.
type PayPalDetails struct {
	// PayerGivenName, PayerSurname and PayerCountryCode describe the PayPal
	// account that paid.
	PayerGivenName   string
	PayerSurname     string
	PayerCountryCode string
	// ErrorCode and ErrorMessage explain a failure.
	ErrorCode    string
	ErrorMessage string
}

// BankTransferDetails describes a bank transfer.
type BankTransferDetails struct {
	// BankName is the payer's bank.
	BankName string
	// MaskedBankAccount is the payer's account, masked.
	MaskedBankAccount string
}

// Get reads a payment by id with the merchant client (payments): its amounts,
// status, refunds and method details. The error wraps ErrNotFound when there is
// no such payment.
func Get(ctx context.Context, c *client.Client, paymentID int64) (*Payment, error) {
	var v validate.Collector
	v.ID("id", "payment", paymentID)
	if err := v.Err(); err != nil {
		return nil, err
	}
	resp, err := api.PaymentByID(ctx, c, scalars.BigInt(paymentID))
	if err != nil {
		return nil, fmt.Errorf("payments: payment %d: %w", paymentID, err)
	}
	if len(resp.Payments) == 0 {
		return nil, fmt.Errorf("payments: payment %d: %w", paymentID, ErrNotFound)
	}
	f := resp.Payments[0]
	p := paymentFrom(&f.PaymentFields)
	type (
		card   = api.PaymentByIDPaymentsPaymentTransactionCreditCardDetails
		swish  = api.PaymentByIDPaymentsPaymentTransactionSwishDetails
		mp     = api.PaymentByIDPaymentsPaymentTransactionMobilePayDetails
		vipps  = api.PaymentByIDPaymentsPaymentTransactionVippsDetails
		p24    = api.PaymentByIDPaymentsPaymentTransactionP24Details
		paypal = api.PaymentByIDPaymentsPaymentTransactionPayPalDetails
	)
	p.Card = convert.First(f.TransactionCreditCardDetails, func(x card) CardDetails { return cardDetails(x.CardDetails) })
	p.Swish = convert.First(f.TransactionSwishDetails, func(x swish) SwishDetails { return swishDetails(x.SwishPaymentDetails) })
	p.MobilePay = convert.First(f.TransactionMobilePayDetails, func(x mp) MobilePayDetails { return mobilePayDetails(x.MobilePayPaymentDetails) })
	p.Vipps = convert.First(f.TransactionVippsDetails, func(x vipps) VippsDetails { return vippsDetails(x.VippsPaymentDetails) })
	p.P24 = convert.First(f.TransactionP24Details, func(x p24) P24Details { return p24Details(x.P24PaymentDetails) })
	p.PayPal = convert.First(f.TransactionPayPalDetails, func(x paypal) PayPalDetails { return payPalDetails(x.PayPalPaymentDetails) })
	return p, nil
}

func cardDetails(d api.CardDetails) CardDetails {
	return CardDetails{
		Number:       convert.Str(d.CardNumber),
		Type:         convert.Str(d.CardType),
		Country:      convert.Str(d.CardCountry),
		ExpiryDate:   convert.Str(d.CardExpiryDate),
		ThreeDSecure: convert.Bool(d.ThreeDSecureStatus),
		ErrorMessage: convert.Str(d.ErrorMessage),
	}
}

func swishDetails(d api.SwishPaymentDetails) SwishDetails {
	return SwishDetails{
		CustomerSwishNumber:  convert.Str(d.CustomerSwishNumber),
		BankPaymentReference: convert.Str(d.BankPaymentReference),
		Created:              convert.Time(d.DateCreated),
		Paid:                 convert.Time(d.DatePaid),
		ErrorCode:            convert.Str(d.ErrorCode),
		ErrorMessage:         convert.Str(d.ErrorMessage),
	}
}

func mobilePayDetails(d api.MobilePayPaymentDetails) MobilePayDetails {
	return MobilePayDetails{CardNumber: convert.Str(d.CardNumber), CardType: convert.Str(d.CardType), UserFlow: convert.Str(d.UserFlow)}
}

func vippsDetails(d api.VippsPaymentDetails) VippsDetails {
	return VippsDetails{CardNumber: convert.Str(d.CardNumber), CardType: convert.Str(d.CardType)}
}

func p24Details(d api.P24PaymentDetails) P24Details {
	return P24Details{Statement: convert.Str(d.P24Statement), Verified: convert.Bool(d.Verified), ErrorMessage: convert.Str(d.ErrorMessage)}
}

func payPalDetails(d api.PayPalPaymentDetails) PayPalDetails {
	return PayPalDetails{
		PayerGivenName:   convert.Str(d.PayerGivenName),
		PayerSurname:     convert.Str(d.PayerSurname),
		PayerCountryCode: convert.Str(d.PayerCountryCode),
		ErrorCode:        convert.Str(d.ErrorCode),
		ErrorMessage:     convert.Str(d.ErrorMessage),
	}
}

// paymentFrom is the one mapper of a payment read from the gateway (Get and
// the listing both read the PaymentFields fragment); the method details are
// the caller's.
func paymentFrom(f *api.PaymentFields) *Payment {
	p := &Payment{
		ID:                 int64(f.Id),
		TransactionID:      f.TransactionId,
		AmountAuthorized:   convert.Int64(f.AmountAuthorized),
		AmountPaid:         int64(f.AmountPaid),
		Currency:           sessions.Currency(f.Currency),
		Status:             Status(f.CurrentStatus),
		CreatedAt:          f.CreatedAt,
		MerchantReference:  f.MerchantReference,
		MerchantReference2: convert.Str(f.MerchantReference2),
		Method:             Method(f.PaymentMethod),
		RefundStatus:       RefundStatus(convert.Str((*string)(f.PaymentRefundStatus))),
	}
	if s, ok := convert.Latest(f.Status, func(s api.PaymentFieldsStatusCurrentPaymentStatus) time.Time { return s.EnteredAt }); ok {
		p.Status, p.StatusEnteredAt = Status(s.Status), s.EnteredAt
	}
	if len(f.Refunds) > 0 {
		p.Refunds = make([]refunds.Refund, len(f.Refunds))
		for i := range f.Refunds {
			p.Refunds[i] = mapping.Refund(&f.Refunds[i].RefundFields).(refunds.Refund)
		}
	}
	return p
}
