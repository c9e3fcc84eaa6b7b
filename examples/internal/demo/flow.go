package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/sessions"
	"github.com/kronor-io/kronor-go/subscriptions"
)

// NewSession finds or creates the payment session of order with the
// reference check, as the crash-safe recipe does (see examples/checkout):
// no idempotency key, so a rerun reads the order as it is now and gets the
// order's session back instead of a second one. It returns the client that
// runs the session's payment calls, or an error when the order is already
// paid.
func NewSession(ctx context.Context, gw *Gateway, steps *Steps, order string, p sessions.Params) (*client.Session, error) {
	p.MerchantReference = order
	if p.Message == "" {
		p.Message = "Order " + order
	}
	if p.ExpiresAt.IsZero() {
		p.ExpiresAt = time.Now().Add(time.Hour)
	}
	steps.Step("Payment session for %s, order %s, with the reference check", Amount(p.Amount, p.Currency), order)
	check, err := sessions.CreateWithReferenceCheck(ctx, gw.Merchant, p)
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	if check.AlreadyPaid() {
		return nil, fmt.Errorf("order %s is already paid (payment id %d): nothing to do", order, check.PaymentID)
	}
	return check.Client(gw.Merchant), nil
}

// ShowPaymentPage prints where the customer pays, when running against a real
// gateway (the fake plays the customer itself).
func ShowPaymentPage(ctx context.Context, gw *Gateway, steps *Steps, session *client.Session, action string) {
	if gw.Fake == nil {
		if req, err := payments.Latest(ctx, session); err == nil && req.PaymentURL != "" {
			steps.Info("payment page: %s", req.PaymentURL)
		}
	}
	steps.Info("%s", gw.Customer(action))
}

// Follow prints every status of the payment request until it ends and returns
// the last one.
func Follow(ctx context.Context, gw *Gateway, steps *Steps, waitToken string) (payments.Request, error) {
	w, err := subscriptions.NewWatcher(gw.Merchant)
	if err != nil {
		return payments.Request{}, err
	}
	defer w.Close()
	var last payments.Request
	for req, err := range w.Watch(ctx, waitToken) {
		if err != nil {
			return last, fmt.Errorf("payment %s: %w", waitToken, err)
		}
		steps.Info("payment %s", req.Status)
		last = req
	}
	return last, nil
}

// AuthorizeCard starts a card payment in the session, lets the customer enter
// their card, and follows the payment until it is AUTHORIZED: the amount is
// reserved on the card, to be captured or released.
func AuthorizeCard(ctx context.Context, gw *Gateway, steps *Steps, session *client.Session, order string) (payments.Request, error) {
	steps.Step("Starting a card payment")
	started, err := payments.CreditCard(ctx, session, payments.CreditCardParams{
		Redirect:       payments.Redirect{ReturnURL: "https://shop.example/orders/" + order + "/done"},
		IdempotencyKey: client.DeriveIdempotencyKey(order, "card", "1"),
	})
	if err != nil {
		return payments.Request{}, fmt.Errorf("start card payment: %w", err)
	}
	ShowPaymentPage(ctx, gw, steps, session, "enter the card details")
	req, err := Follow(ctx, gw, steps, started.WaitToken)
	if err != nil {
		return req, err
	}
	if req.Status != payments.StatusAuthorized {
		return req, fmt.Errorf("payment ended %s, not AUTHORIZED", req.Status)
	}
	return req, nil
}
