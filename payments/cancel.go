package payments

import (
	"context"
	"fmt"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/api"
	"github.com/kronor-io/kronor-go/internal/convert"
	"github.com/kronor-io/kronor-go/internal/validate"
)

// CancelParams cancels the session's pending payment.
type CancelParams struct {
	// IdempotencyKey is optional; when empty a random key is made for this
	// call and reused by the client's retries.
	IdempotencyKey string
}

// Cancelled is the result of Cancel and CancelSwish.
type Cancelled struct {
	// WaitToken of the cancelled payment request; Cancel may return it empty.
	WaitToken string
	// IdempotencyKey is the key the call was made with.
	IdempotencyKey string
}

// Cancel cancels the pending payment of the client's session (cancelPayment,
// session token). The gateway cancels only a request in WAITING_FOR_PAYMENT;
// it moves through CANCELLING to CANCELLED. The spec documents a paymentId
// parameter here, which the gateway's cancelPayment does not take: to cancel
// one Swish payment by its wait token use CancelSwish.
//
// Cancel only a payment known to be dead or abandoned: after a network error
// the customer may already have paid.
func Cancel(ctx context.Context, c *client.Session, p CancelParams) (*Cancelled, error) {
	var v validate.Collector
	v.IdempotencyKey("cancel.idempotencyKey", p.IdempotencyKey)
	if err := v.Err(); err != nil {
		return nil, err
	}
	k := convert.IdempotencyKey(p.IdempotencyKey)
	resp, err := api.CancelPayment(ctx, c, api.PaymentCancelInput{IdempotencyKey: k})
	if err != nil {
		return nil, fmt.Errorf("payments: cancelPayment: %w", err)
	}
	return &Cancelled{WaitToken: convert.Str(resp.CancelPayment.WaitToken), IdempotencyKey: k}, nil
}

// CancelSwishParams cancels one Swish payment.
type CancelSwishParams struct {
	// WaitToken of the Swish payment, as returned by Swish. Required.
	WaitToken string
	// IdempotencyKey is optional; when empty a random key is made for this
	// call and reused by the client's retries.
	IdempotencyKey string
}

// CancelSwish cancels a Swish payment by its wait token (cancelSwishPayment,
// session token), while it is WAITING_FOR_PAYMENT.
func CancelSwish(ctx context.Context, c *client.Session, p CancelSwishParams) (*Cancelled, error) {
	var v validate.Collector
	v.RequiredMaxLen("pay.paymentId", p.WaitToken, 64)
	v.IdempotencyKey("pay.idempotencyKey", p.IdempotencyKey)
	if err := v.Err(); err != nil {
		return nil, err
	}
	k := convert.IdempotencyKey(p.IdempotencyKey)
	resp, err := api.CancelSwishPayment(ctx, c, api.SwishPaymentCancelInput{IdempotencyKey: k, PaymentId: p.WaitToken})
	if err != nil {
		return nil, fmt.Errorf("payments: cancelSwishPayment: %w", err)
	}
	return &Cancelled{WaitToken: resp.CancelSwishPayment.WaitToken, IdempotencyKey: k}, nil
}

// CapturePayPalParams completes an approved PayPal payment.
type CapturePayPalParams struct {
	// PaymentID is the paymentId returned by PayPal (Started.WaitToken).
	// Required, at most 64 characters.
	PaymentID string
	// IdempotencyKey is optional; when empty a random key is made for this
	// call and reused by the client's retries.
	IdempotencyKey string
}

// PayPalCapture is the result of CapturePayPal.
type PayPalCapture struct {
	// PaymentID is the PayPal payment's id, as sent.
	PaymentID string
	// IdempotencyKey is the key the call was made with.
	IdempotencyKey string
}

// CapturePayPal captures the funds of a PayPal payment the customer has
// approved (capturePayPalPayment). The gateway does this by itself once the
// payer approves; call it to complete a payment at once when you host
// PayPal's button yourself, after PayPal reports the payer's approval (its
// onApprove callback), never before: the gateway's status does not show
// that approval. It works with the session token and with the merchant
// token. (kronortest, which cannot know what happened at PayPal, completes
// any waiting PayPal payment it is asked to capture.)
func CapturePayPal(ctx context.Context, c client.Caller, p CapturePayPalParams) (*PayPalCapture, error) {
	var v validate.Collector
	v.RequiredMaxLen("pay.paymentId", p.PaymentID, 64)
	v.IdempotencyKey("pay.idempotencyKey", p.IdempotencyKey)
	if err := v.Err(); err != nil {
		return nil, err
	}
	k := convert.IdempotencyKey(p.IdempotencyKey)
	resp, err := api.CapturePayPalPayment(ctx, c, api.CapturePayPalPaymentInput{IdempotencyKey: k, PaymentId: p.PaymentID})
	if err != nil {
		return nil, fmt.Errorf("payments: capturePayPalPayment: %w", err)
	}
	return &PayPalCapture{PaymentID: resp.CapturePayPalPayment.PaymentId, IdempotencyKey: k}, nil
}
