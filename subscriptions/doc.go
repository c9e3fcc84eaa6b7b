// Package subscriptions waits for payment requests to reach their outcome.
//
// # Use
//
// Make one [Watcher] per token at start-up (usually the merchant client) and
// share it; after starting a payment, [Watcher.Wait] for its wait token. Wait
// returns the request once it is PAID or AUTHORIZED, and an error that tells
// a declined, cancelled or failed payment apart (and a second charge of the
// same order, [ErrDuplicateCharge], or a check for one that could not be
// read, [ErrChargeUnchecked]).
//
//	merchant, _ := client.New(token) // at start-up
//	w, err := subscriptions.NewWatcher(merchant)
//	if err != nil { ... }
//	defer w.Close()
//
//	req, err := w.Wait(ctx, started.WaitToken)
//	switch {
//	case err == nil:
//		ship(req.ResultingPaymentID) // PAID, or AUTHORIZED: capture it
//	case errors.Is(err, subscriptions.ErrDeclined):
//		askForAnotherMethod()
//	default:
//		...
//	}
//
// # How it follows a payment
//
// After the customer is sent to Swish, a card form or a bank, the merchant's
// service waits: a [Watcher] follows each payment request, identified by its
// wait token, over a GraphQL subscription of paymentRequests, and
// [Watcher.Wait] returns once it is PAID or AUTHORIZED, or reports how it
// failed (DECLINED, CANCELLED, ERROR, CAPTURE_DECLINED) with errors that
// errors.Is tells apart. [Watcher.Watch] reports every status on the way,
// from the request's first, for progress displays. Both end with the
// request as it is: one AUTHORIZED and since released ends RELEASED.
//
// One Watcher holds one websocket, whatever the number of concurrent waits:
// each wait is a separate subscription on it, and costs a few kilobytes.
// Make one Watcher per token (the merchant token, or a session token) and
// share it.
//
// The watcher never loses sight of what it waits for: when the websocket drops it
// reconnects with backoff and subscribes again; while it is down it reads
// the watched requests over HTTP every second (up to 100 per request);
// after reconnecting it reads them once more, so a change made during the
// outage is not missed. A status reported by both the websocket and HTTP
// is delivered once, and a status that came and went unseen is recovered
// from the request's status history, in its place. A refused token (a
// websocket closed with 4401 or 4403, a connection_error, an HTTP 401) is
// reported to the waits, not retried forever.
//
// Two watchers add what only one token's role can read, on the same
// websocket as their payment waits. A [MerchantWatcher]
// ([NewMerchantWatcher], merchant token) follows captures, releases and
// refunds to their end ([MerchantWatcher.WaitCapture], WaitRelease,
// WaitRefund), with typed errors carrying the object ([CaptureError],
// [ReleaseError], [RefundError]; [ErrCooldown] says when to capture again,
// [ErrAmbiguous] that Kronor resolves the outcome by hand). A
// [SessionWatcher] ([NewSessionWatcher], a payment session's token) tells
// what to show the customer for a started payment
// ([SessionWatcher.NextStep]: the hosted page, the Swish QR code and app
// link, MobilePay's QR code) as soon as the gateway has it. Every kind of
// wait has the same guarantees, below.
//
// Both websocket protocols are spoken: the legacy "graphql-ws"
// (subscriptions-transport-ws, as Kronor's own SDKs) by default, and
// "graphql-transport-ws" with [WithProtocol].
package subscriptions
