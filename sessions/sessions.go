package sessions

import (
	"context"
	"fmt"
	"time"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/api"
	"github.com/kronor-io/kronor-go/internal/convert"
)

// Session is a created payment session.
type Session struct {
	// Token authenticates the payment calls of this session (package
	// payments): pass Client(merchant) to them.
	Token string
	// IdempotencyKey is the key the session was created with: Params' or the
	// one the SDK made. Log it to trace a retry.
	IdempotencyKey string
}

// Client returns the client for the payment calls of this session: the
// merchant client's endpoint, transport and options with the session's token
// (merchant.Session(s.Token)).
func (s *Session) Client(merchant *client.Client) *client.Session {
	return merchant.Session(s.Token)
}

// ReferenceCheck is the result of CreateWithReferenceCheck: a session to pay
// in, and the payment already made for the same merchant reference, if any.
type ReferenceCheck struct {
	// Token of the session: an existing one for the same merchant references,
	// amount and currency that has not expired, or a new one.
	Token string
	// PaymentID is the id of a successful payment already made for this
	// merchant reference; 0 when there is none.
	PaymentID int64
	// PaymentTransactionID is that payment's transaction id; empty when there
	// is none.
	PaymentTransactionID string
	// IdempotencyKey is the key the call was made with.
	IdempotencyKey string
	// CreatedAt is when the gateway created the session (by its clock); zero
	// when reading it, a second request after the reference check, failed
	// (the session is usable all the same).
	CreatedAt time.Time
	// Earlier reports that the session is an earlier one of the order, which
	// the reference check found and returned, not one it created: it was
	// created more than EarlierThan before this call was sent (by the local
	// clock; the tolerance covers the clocks' skew). A session that a
	// crashed run created just before (within EarlierThan) counts as new;
	// either way, paying in it is right.
	Earlier bool
}

// EarlierThan is how much older than the call a session must be for
// ReferenceCheck.Earlier: more than any reasonable skew between the gateway's
// clock and yours.
const EarlierThan = 2 * time.Second

// AlreadyPaid reports whether the order was already paid: do not charge the
// customer again, and use PaymentID to follow the payment instead.
func (r *ReferenceCheck) AlreadyPaid() bool {
	return r.PaymentID != 0 || r.PaymentTransactionID != ""
}

// Client returns a client for the payment calls of the session, like
// (*Session).Client.
func (r *ReferenceCheck) Client(merchant *client.Client) *client.Session {
	return merchant.Session(r.Token)
}

// Option adjusts one call of Create or CreateWithReferenceCheck.
type Option func(*options)

type options struct {
	now func() time.Time
}

// WithClock sets the clock that ExpiresAt is checked against (default
// time.Now). Tests use it to make the 24-hour rule exact.
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}

func apply(opts []Option) options {
	o := options{now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// Create creates a payment session (newPaymentSession) with the merchant
// client. It validates p first and sends nothing when p breaks a rule: the
// error is then a *client.ValidationError listing every violation, and
// errors.Is(err, client.ErrInvalidInput) holds.
//
// Create makes a new session each time it is called with a new idempotency
// key. To avoid a second payment for an order a customer has already paid, use
// CreateWithReferenceCheck.
func Create(ctx context.Context, c *client.Client, p Params, opts ...Option) (*Session, error) {
	o := apply(opts)
	in, err := p.input(o.now(), false)
	if err != nil {
		return nil, err
	}
	resp, err := api.NewPaymentSession(ctx, c, in)
	if err != nil {
		return nil, fmt.Errorf("sessions: newPaymentSession: %w", err)
	}
	return &Session{Token: resp.NewPaymentSession.Token, IdempotencyKey: in.IdempotencyKey}, nil
}

// CreateWithReferenceCheck creates a payment session unless one already exists
// for the order (newPaymentSessionWithReferenceCheck), with the merchant
// client. Currency and Country are required here, and IdempotencyKey must be
// empty ([RuleFreshKey]): every call gets a fresh key, which the client's
// retries of that call reuse, so that each call, a rerun after a crash
// included, reads the order as it is now. Calling it again for the same
// order is always safe: it creates no second session while the first is
// unexpired and matches, and its AlreadyPaid tells the truth at the time of
// the call.
//
// The gateway returns the existing session's token when a session with the same
// MerchantReference and MerchantReference2, the same Amount and Currency exists
// and has not expired; otherwise (the cart changed, or the session expired) it
// creates a new one. When a payment for the MerchantReference has already
// succeeded, the result carries its id: check AlreadyPaid before asking the
// customer to pay.
//
// The result says whether the session is an earlier one (Earlier, from the
// session's CreatedAt, read with its token in a second request).
//
// Validation works as in Create.
func CreateWithReferenceCheck(ctx context.Context, c *client.Client, p Params, opts ...Option) (*ReferenceCheck, error) {
	o := apply(opts)
	in, err := p.input(o.now(), true)
	if err != nil {
		return nil, err
	}
	sent := o.now()
	resp, err := api.NewPaymentSessionWithReferenceCheck(ctx, c, api.PaymentSessionWithReferenceCheckInput{
		AdditionalData:     in.AdditionalData,
		AllowExecutionDate: in.AllowExecutionDate,
		Amount:             in.Amount,
		Country:            *in.Country,
		Currency:           *in.Currency,
		ExpiresAt:          in.ExpiresAt,
		IdempotencyKey:     in.IdempotencyKey,
		MerchantReference:  in.MerchantReference,
		MerchantReference2: in.MerchantReference2,
		Message:            in.Message,
		PreferredGateway:   in.PreferredGateway,
	})
	if err != nil {
		return nil, fmt.Errorf("sessions: newPaymentSessionWithReferenceCheck: %w", err)
	}
	res := resp.NewPaymentSessionWithReferenceCheck
	r := &ReferenceCheck{
		Token:                res.Token,
		PaymentTransactionID: convert.Str(res.PaymentTransactionId),
		IdempotencyKey:       in.IdempotencyKey,
	}
	if id := convert.Str(res.PaymentId); id != "" {
		if r.PaymentID, err = convert.ParseID("paymentId", id); err != nil {
			return nil, fmt.Errorf("sessions: newPaymentSessionWithReferenceCheck: %w", err)
		}
	}
	// The answer does not say whether the session is new: the session's
	// own token reads when it was created.
	// The session is usable whatever this read gives: its failure leaves
	// CreatedAt zero rather than failing the call.
	own, err := api.OwnPaymentSession(ctx, r.Client(c))
	if err == nil && len(own.PaymentSessions) == 1 {
		r.CreatedAt = own.PaymentSessions[0].CreatedAt
		r.Earlier = r.CreatedAt.Before(sent.Add(-EarlierThan))
	}
	return r, nil
}
