package refunds

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

// ErrNotFound is returned, wrapped, when no refund matches. It is the same
// value as the other packages' ErrNotFound.
var ErrNotFound = convert.ErrNotFound

// Params describes a refund of all or part of a paid payment.
type Params struct {
	// Amount to refund, in minor units: 1..2147483647. The refunds of a
	// payment may add up to at most its paid amount.
	Amount int64
	// PaymentID is the id of the payment to refund (a payment request's
	// ResultingPaymentID). Give exactly one of PaymentID and
	// PaymentTransactionID.
	PaymentID int64
	// PaymentTransactionID is the transaction id of the payment to refund.
	PaymentTransactionID string
	// Message is shown to the customer. Required, at most 50 characters of
	// A-Z a-z 0-9 å ä ö é Å Ä Ö É, space and : ; . , ? ! ( ) ” ".
	// sessions.Message makes such a message from any text.
	Message string
	// MerchantReference is optional, at most 100 characters, and must be
	// unique among the merchant's refunds that did not fail: the gateway
	// rejects a second refund with the same reference, which guards against
	// refunding twice.
	MerchantReference string
	// CreatedBy says who creates the refund; optional, at most 100 characters.
	CreatedBy string
	// GeneratedFrom says where the refund is created; optional, at most 100
	// characters (the portal uses "Portal").
	GeneratedFrom string
	// IdempotencyKey makes a retried refund return the same refund. Optional:
	// when empty a random key is made for this call and reused by the client's
	// retries. Derive it from your order so a restarted process cannot refund
	// twice: client.DeriveIdempotencyKey(orderID, "refund", "1").
	IdempotencyKey string
}

func (p Params) input() (api.RefundPaymentInput, error) {
	var v validate.Collector
	v.Amount("refund.amount", p.Amount)
	v.PaymentRef("refund", p.PaymentID, p.PaymentTransactionID)
	v.Message("refund.message", p.Message)
	v.MaxLen("refund.merchantReference", p.MerchantReference, 100)
	v.MaxLen("refund.createdBy", p.CreatedBy, 100)
	v.MaxLen("refund.generatedFrom", p.GeneratedFrom, 100)
	v.IdempotencyKey("refund.idempotencyKey", p.IdempotencyKey)
	if err := v.Err(); err != nil {
		return api.RefundPaymentInput{}, err
	}
	in := api.RefundPaymentInput{
		Amount:               int(p.Amount),
		IdempotencyKey:       convert.IdempotencyKey(p.IdempotencyKey),
		Message:              p.Message,
		PaymentId:            convert.OptBigInt(p.PaymentID),
		PaymentTransactionId: convert.OptString(p.PaymentTransactionID),
		MerchantReference:    convert.OptString(p.MerchantReference),
		CreatedBy:            convert.OptString(p.CreatedBy),
		GeneratedFrom:        convert.OptString(p.GeneratedFrom),
	}
	return in, nil
}

// Receipt is the gateway's answer to a refund: the refund is registered and
// proceeds asynchronously. Wait for its end with
// subscriptions.MerchantWatcher.WaitRefund(WaitToken), or read it with
// Get(WaitToken).
type Receipt struct {
	// WaitToken identifies the refund.
	WaitToken string
	// TransactionID is the refund's transaction id.
	TransactionID string
	// IdempotencyKey is the key the refund was made with.
	IdempotencyKey string
}

// Create refunds all or part of a paid payment (refundPayment) with the merchant
// client. It validates p first and sends nothing when p breaks a rule (a
// *client.ValidationError). The gateway rejects a refund of a payment that is
// only authorized (release it with captures.Release), and refunds beyond the
// paid amount.
func Create(ctx context.Context, c *client.Client, p Params) (*Receipt, error) {
	in, err := p.input()
	if err != nil {
		return nil, err
	}
	resp, err := api.RefundPayment(ctx, c, in)
	if err != nil {
		return nil, fmt.Errorf("refunds: refundPayment: %w", err)
	}
	r := resp.RefundPayment
	return &Receipt{WaitToken: r.WaitToken, TransactionID: r.RefundTransactionId, IdempotencyKey: in.IdempotencyKey}, nil
}

// Refund is a refund as the gateway reports it.
type Refund struct {
	// WaitToken identifies the refund.
	WaitToken string
	// TransactionID is the refund's transaction id.
	TransactionID string
	// PaymentID is the id of the refunded payment.
	PaymentID int64
	// Amount refunded, in minor units (the gateway's totalAmount).
	Amount int64
	// Message shown to the customer.
	Message string
	// CreatedAt is when the refund was registered.
	CreatedAt time.Time
	// ErrorMessage explains a failed refund.
	ErrorMessage string
	// Status is the current status: the latest entry of the gateway's status
	// list; empty if the list is empty.
	Status Status
	// StatusEnteredAt is when the refund entered Status.
	StatusEnteredAt time.Time
}

// Get reads a refund by its wait token (refunds, merchant token).
func Get(ctx context.Context, c *client.Client, waitToken string) (*Refund, error) {
	var v validate.Collector
	id := v.UUID("waitToken", waitToken)
	if err := v.Err(); err != nil {
		return nil, err
	}
	resp, err := api.RefundByWaitToken(ctx, c, id)
	if err != nil {
		return nil, fmt.Errorf("refunds: refund %s: %w", waitToken, err)
	}
	if len(resp.Refunds) == 0 {
		return nil, fmt.Errorf("refunds: refund %s: %w", waitToken, ErrNotFound)
	}
	r := fromFields(resp.Refunds[0].RefundFields)
	return &r, nil
}

// List returns the refunds of a payment, oldest first (refunds, merchant
// token). A payment without refunds gives an empty list, not an error.
func List(ctx context.Context, c *client.Client, paymentID int64) ([]Refund, error) {
	var v validate.Collector
	v.ID("paymentId", "payment", paymentID)
	if err := v.Err(); err != nil {
		return nil, err
	}
	resp, err := api.RefundsByPaymentID(ctx, c, scalars.BigInt(paymentID))
	if err != nil {
		return nil, fmt.Errorf("refunds: refunds of payment %d: %w", paymentID, err)
	}
	out := make([]Refund, 0, len(resp.Refunds))
	for _, r := range resp.Refunds {
		out = append(out, fromFields(r.RefundFields))
	}
	return out, nil
}

func init() {
	mapping.Refund = func(f *api.RefundFields) any { return fromFields(*f) }
}

// fromFields is the one mapper of a refund read from the gateway: every
// document reads it with the RefundFields fragment (payments' included,
// through internal/mapping).
func fromFields(f api.RefundFields) Refund {
	r := Refund{
		WaitToken:     f.WaitToken.String(),
		TransactionID: f.TransactionId,
		PaymentID:     int64(f.PaymentId),
		Amount:        int64(f.TotalAmount),
		Message:       f.Message,
		CreatedAt:     f.CreatedAt,
		ErrorMessage:  convert.Str(f.ErrorMessage),
	}
	if s, ok := convert.Latest(f.Status, func(s api.RefundFieldsStatusCurrentRefundStatus) time.Time { return s.EnteredAt }); ok {
		r.Status, r.StatusEnteredAt = Status(s.Status), s.EnteredAt
	}
	return r
}
