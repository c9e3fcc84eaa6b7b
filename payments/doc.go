// Package payments starts and follows payments within a payment session: Swish,
// credit card, MobilePay, Vipps, Przelewy24, bank transfer and PayPal, run with
// the session's token; cancelling them; and, with the merchant token, reading a
// payment with its refunds and method details.
package payments
