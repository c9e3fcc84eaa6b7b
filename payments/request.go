package payments

import (
	"time"

	"github.com/kronor-io/kronor-go/sessions"
)

// Request is one attempt to pay within a payment session (the gateway's
// PaymentRequest). A session may hold several: a customer who cancels or fails
// can try again, with the same or another method.
type Request struct {
	// WaitToken identifies the request: the waitToken (or, for P24, PayPal and
	// bank transfer, the paymentId) returned when the payment was started.
	WaitToken string
	// Amount is in minor units of Currency (10056 is 100,56 kr).
	Amount int64
	// Currency is the ISO 4217 code of Amount, e.g. sessions.CurrencySEK.
	Currency sessions.Currency
	// CreatedAt is when the request was created.
	CreatedAt time.Time
	// Reference is the session's merchantReference.
	Reference string
	// Method is the payment method, e.g. "SWISH"; empty when not yet known.
	Method Method
	// Status is the request's current status.
	Status Status
	// StatusEnteredAt is when the request entered Status.
	StatusEnteredAt time.Time
	// ResultingPaymentID is the id of the payment the request produced, set once
	// the request is PAID or AUTHORIZED; zero before that. Captures, releases and
	// refunds take it as their payment id.
	ResultingPaymentID int64
	// TransactionID identifies the transaction; captures, releases and refunds
	// also accept it as paymentTransactionId.
	TransactionID string
	// Message is the session's message to the customer.
	Message string
	// PaymentURL is where to send the customer to pay, when the method has a
	// hosted page: the card, Vipps, Przelewy24 or MobilePay session URL, the
	// PayPal approval URL, or the bank transfer's pay (or authorization) URL.
	// Empty until the gateway has one. Set by List and Latest (session token).
	PaymentURL string
	// QRCodeURL is MobilePay's QR code image URL, when the QR user flow is used.
	QRCodeURL string
	// SwishQRCode is the Swish QR code data for the mcom flow on another
	// device: render it as a QR code for the customer to scan with Swish.
	// Set by List and Latest (session token).
	SwishQRCode string
	// SwishAppLink is the swish:// link that opens the Swish app on the
	// customer's device, for the mcom flow on the same device (the gateway's
	// transactionSwishDetails.returnUrl, which Kronor's iOS SDK opens). Set
	// by List and Latest (session token).
	SwishAppLink string
}

// Method is a payment method (the gateway's PaymentMethodEnum). Unknown values
// are kept as sent.
type Method string

// The payment methods this SDK starts payments with.
const (
	MethodSwish        Method = "SWISH"
	MethodCreditCard   Method = "CREDIT_CARD"
	MethodMobilePay    Method = "MOBILEPAY"
	MethodVipps        Method = "VIPPS"
	MethodP24          Method = "P24"
	MethodBankTransfer Method = "BANK_TRANSFER"
	MethodPayPal       Method = "PAYPAL"
)
