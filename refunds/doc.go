// Package refunds gives money back for paid payments, all at once or in several
// parts up to the amount paid, and reads refunds, with the merchant's client.
//
// # Use
//
// Refund with [Create], naming the payment and an idempotency key derived from
// the order and the refund's number, so that a rerun cannot refund twice; then
// poll [Get] (or read [List]) until the refund's status is final.
//
//	r, err := refunds.Create(ctx, merchant, refunds.Params{
//		Amount:         2500,
//		PaymentID:      paymentID,
//		Message:        sessions.Message("Refund ORD-1234"),
//		IdempotencyKey: client.DeriveIdempotencyKey("ORD-1234", "refund", "1"),
//	})
//	if err != nil { ... }
//	ref, err := refunds.Get(ctx, merchant, r.WaitToken) // ref.Status, ref.Amount
//	all, err := refunds.List(ctx, merchant, paymentID)
//
// A payment that is only authorized cannot be refunded: release it with
// captures.Release. Refunding is asynchronous: wait for the end (PAID, or a
// typed error for ERROR and REFUND_AMBIGUOUS) with
// subscriptions.MerchantWatcher.WaitRefund; Get reads the status once.
//
// # Statuses
//
// A refund goes from INITIALIZING through WAITING_FOR_REFUND (or
// AWAITING_ACCOUNT_SELECTION) to PAID, or ends in ERROR; REFUND_AMBIGUOUS is
// not final and needs Kronor's support, so stop polling and escalate instead
// of refunding again. Status keeps values it does not know.
//
// # Validation
//
// Create checks its input before sending (a *client.ValidationError with all
// violations; nothing is sent): the amount is 1..2147483647 minor units;
// exactly one of PaymentID and PaymentTransactionID; the message is required,
// at most 50 characters of the gateway's character set (as a session's
// message: sessions.Message makes one from any text); merchantReference,
// createdBy and generatedFrom at most 100 characters; idempotency keys must
// pass client.CheckIdempotencyKey.
//
// # Idempotency
//
// Never refund twice: derive the IdempotencyKey from your order and the refund's
// number, client.DeriveIdempotencyKey(orderID, "refund", "1"), so a process
// that restarts and refunds again sends the same key and the gateway returns
// the first refund. When the key is empty a random one is made once per call
// (the client's retries resend it), which protects against retries but not
// against a restart. A unique MerchantReference is a second guard: the gateway
// rejects a second refund with the same reference.
package refunds
