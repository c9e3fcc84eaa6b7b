package captures

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
)

// ErrNotFound is returned, wrapped, when no capture or release matches. It is
// the same value as the other packages' ErrNotFound.
var ErrNotFound = convert.ErrNotFound

// Params describes a capture of all or part of an authorized payment.
type Params struct {
	// Amount to capture, in minor units: 1..2147483647. The captures of a
	// payment may add up to at most its authorized amount.
	Amount int64
	// PaymentID is the id of the authorized payment (a payment request's
	// ResultingPaymentID). Give exactly one of PaymentID and
	// PaymentTransactionID.
	PaymentID int64
	// PaymentTransactionID is the transaction id of the authorized payment.
	PaymentTransactionID string
	// Message appears in the customer's account statement; optional, at most
	// 50 characters.
	Message string
	// CreatedBy says who creates the capture; optional, at most 100
	// characters.
	CreatedBy string
	// GeneratedFrom says where the capture is created; optional, at most 100
	// characters.
	GeneratedFrom string
	// IdempotencyKey makes a retried capture return the same capture.
	// Optional: when empty a random key is made for this call and reused by
	// the client's retries. Derive it from your order so a restarted process
	// cannot capture twice: client.DeriveIdempotencyKey(orderID, "capture", "1").
	IdempotencyKey string
}

// Receipt is the gateway's answer to a capture: the capture is registered and
// proceeds asynchronously. Wait for its end with
// subscriptions.MerchantWatcher.WaitCapture(ID), or read it with Get(ID).
type Receipt struct {
	// ID of the capture.
	ID int64
	// TransactionID of the capture.
	TransactionID string
	// IdempotencyKey is the key the capture was made with.
	IdempotencyKey string
}

// Create captures all or part of an AUTHORIZED (or PARTIALLY_CAPTURED) payment
// (newPaymentCapture) with the merchant client. It validates p first and sends
// nothing when p breaks a rule (a *client.ValidationError). Capturing is
// asynchronous: the capture starts in CAPTURING; wait for its end with
// subscriptions.MerchantWatcher.WaitCapture.
func Create(ctx context.Context, c *client.Client, p Params) (*Receipt, error) {
	var v validate.Collector
	v.Amount("capture.amount", p.Amount)
	v.PaymentRef("capture", p.PaymentID, p.PaymentTransactionID)
	v.MaxLen("capture.message", p.Message, 50)
	v.MaxLen("capture.createdBy", p.CreatedBy, 100)
	v.MaxLen("capture.generatedFrom", p.GeneratedFrom, 100)
	v.IdempotencyKey("capture.idempotencyKey", p.IdempotencyKey)
	if err := v.Err(); err != nil {
		return nil, err
	}
	in := api.PaymentCaptureInput{
		Amount:               int(p.Amount),
		IdempotencyKey:       convert.IdempotencyKey(p.IdempotencyKey),
		PaymentId:            convert.OptBigInt(p.PaymentID),
		PaymentTransactionId: convert.OptString(p.PaymentTransactionID),
		Message:              convert.OptString(p.Message),
		CreatedBy:            convert.OptString(p.CreatedBy),
		GeneratedFrom:        convert.OptString(p.GeneratedFrom),
	}
	resp, err := api.NewPaymentCapture(ctx, c, in)
	if err != nil {
		return nil, fmt.Errorf("captures: newPaymentCapture: %w", err)
	}
	r := resp.NewPaymentCapture
	return &Receipt{ID: int64(r.CaptureId), TransactionID: r.CaptureTransactionId, IdempotencyKey: in.IdempotencyKey}, nil
}

// Capture is a capture as the gateway reports it.
type Capture struct {
	// ID of the capture.
	ID int64
	// TransactionID of the capture.
	TransactionID string
	// PaymentID is the id of the captured payment.
	PaymentID int64
	// Amount captured, in minor units.
	Amount int64
	// Message sent with the capture.
	Message string
	// CreatedAt is when the capture was registered.
	CreatedAt time.Time
	// ErrorMessage explains a failed capture.
	ErrorMessage string
	// Status is the current status: the latest entry of the gateway's status
	// list; empty if the list is empty.
	Status Status
	// StatusEnteredAt is when the capture entered Status.
	StatusEnteredAt time.Time
}

// Get reads a capture by its id (paymentCaptures, merchant token). The error
// wraps ErrNotFound when there is no such capture.
func Get(ctx context.Context, c *client.Client, captureID int64) (*Capture, error) {
	var v validate.Collector
	v.ID("id", "capture", captureID)
	if err := v.Err(); err != nil {
		return nil, err
	}
	resp, err := api.CaptureByID(ctx, c, scalars.BigInt(captureID))
	if err != nil {
		return nil, fmt.Errorf("captures: capture %d: %w", captureID, err)
	}
	if len(resp.PaymentCaptures) == 0 {
		return nil, fmt.Errorf("captures: capture %d: %w", captureID, ErrNotFound)
	}
	return fromFields(resp.PaymentCaptures[0].CaptureFields), nil
}

// GetByTransactionID reads a capture by its transaction id (merchant token).
func GetByTransactionID(ctx context.Context, c *client.Client, transactionID string) (*Capture, error) {
	var v validate.Collector
	if transactionID == "" {
		v.Add("transactionId", validate.RuleRequired)
	} else {
		v.Text("transactionId", transactionID)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	resp, err := api.CaptureByTransactionID(ctx, c, transactionID)
	if err != nil {
		return nil, fmt.Errorf("captures: capture %q: %w", transactionID, err)
	}
	if len(resp.PaymentCaptures) == 0 {
		return nil, fmt.Errorf("captures: capture %q: %w", transactionID, ErrNotFound)
	}
	return fromFields(resp.PaymentCaptures[0].CaptureFields), nil
}

func init() {
	mapping.Capture = func(f *api.CaptureFields) any { return *fromFields(*f) }
	mapping.Release = func(f *api.ReleaseFields) any { return *releaseFrom(f) }
}

// fromFields is the one mapper of a capture read from the gateway: every
// document reads it with the CaptureFields fragment (package subscriptions'
// included, through internal/mapping).
func fromFields(f api.CaptureFields) *Capture {
	c := &Capture{
		ID:            int64(f.Id),
		TransactionID: f.TransactionId,
		PaymentID:     int64(f.PaymentId),
		Amount:        int64(f.Amount),
		Message:       convert.Str(f.Message),
		CreatedAt:     f.CreatedAt,
		ErrorMessage:  convert.Str(f.ErrorMessage),
	}
	if s, ok := convert.Latest(f.Status, func(s api.CaptureFieldsStatusCurrentCaptureStatus) time.Time { return s.EnteredAt }); ok {
		c.Status, c.StatusEnteredAt = Status(s.Status), s.EnteredAt
	}
	return c
}
