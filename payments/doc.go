// Package payments starts and follows the customer's payment in a payment
// session: Swish, credit card, MobilePay, Vipps, Przelewy24, bank transfer and
// PayPal; cancels it; and reads payments with their refunds and method
// details.
//
// # Use
//
// Start the method the customer chose with the session's client (from
// sessions), send the customer on (Swish app, card form, bank), then wait for
// the outcome with package subscriptions or read it with [Latest]. Once the
// request is PAID or AUTHORIZED, its ResultingPaymentID is the payment that
// [Get], captures and refunds take. Call [Charges] at the end of a checkout to
// be sure the customer paid once.
//
//	sc := session.Client(merchant) // the session's *client.Session (package sessions)
//	started, err := payments.Swish(ctx, sc, payments.SwishParams{
//		Redirect: payments.Redirect{ReturnURL: "https://shop.example/done"},
//	})
//	if err != nil { ... }
//	req, err := payments.Latest(ctx, sc) // req.Status, req.ResultingPaymentID
//	p, err := payments.Get(ctx, merchant, req.ResultingPaymentID)
//
// For reconciliation, [All] lists the merchant's payments and [Totals] adds
// them up.
//
// # Tokens
//
// Swish, CreditCard, MobilePay, Vipps, P24, BankTransfer, PayPal, Cancel,
// CancelSwish, List and Latest run with the session token; Get and
// RequestDetails with the merchant token (the gateway refuses the method
// details to a session token); CapturePayPal and Charges work with either.
// Each takes the client type of its token's role (*client.Session,
// *client.Client or client.Caller), so a call with the wrong token does not
// compile.
//
// # Wait tokens
//
// Every start returns a *Started whose WaitToken identifies the payment request
// (for Przelewy24, PayPal and bank transfer the gateway's field is named
// paymentId; it is the same token). Follow the request with List/Latest, with
// RequestDetails, or with package subscriptions. Once it is PAID or AUTHORIZED,
// its ResultingPaymentID is the payment id that Get, captures and refunds take.
//
// # The customer's next step and device
//
// What the customer is shown to pay (the hosted page's URL, the Swish QR
// code and app link, MobilePay's QR code) is a [NextStep]; the gateway
// fills it in a moment after the start, so wait for it with
// subscriptions.SessionWatcher.NextStep (pushed, no polling) rather than
// reading Latest in a loop. Each start's parameters take an optional
// [Device], the customer's browser or app, sent in the same request as the
// payment.
//
// # Preconditions the gateway enforces
//
// MobilePay needs a session in DKK, Vipps in NOK, Przelewy24 in PLN with
// country PL and additionalData.name, PayPal a session with a shipping address
// and order lines. Within a session, a second start with another method after a
// successful payment returns the paid payment's wait token, and a second start
// with the same method and parameters while the first is pending returns the
// pending one: cancel it first to start anew. That is what makes a rerun of a
// checkout after a crash safe: start the same method with the same parameters
// in the order's session (sessions.CreateWithReferenceCheck finds it) and the
// pending payment is resumed, whatever idempotency key the rerun uses.
//
// # Two tabs
//
// The gateway does not stop two pending payments of different methods in one
// session (Swish in one browser tab, a card in another) from both completing.
// Start with [CancelOtherPending] to cancel the other pending payment first
// (or be told, with [ErrOtherPaymentInProgress], that it is being paid), and
// check the end of a checkout with [Charges]: package subscriptions' Wait
// does, and reports a second charge with what to give back ([Duplicates]).
//
// # Validation
//
// Every start checks its input before sending (a *client.ValidationError with
// all violations; nothing is sent): ReturnURL is required and, like
// MerchantReturnURL, must be an absolute http(s) URL; idempotency keys must
// pass client.CheckIdempotencyKey; the Swish flow is mcom without a customer
// Swish number and ecom with one (a Flow that disagrees with the number is a
// violation); a bank transfer's ExecutionDate must be yyyy-mm-dd.
//
// # Cancelling
//
// Cancel cancels the session's pending payment, whatever its method;
// CancelSwish cancels a Swish payment by its wait token.
//
// # Listing and totals
//
// With the merchant token, All lists the payments a Filter selects (creation
// time range, statuses, methods, currencies, merchant reference), oldest
// first, as an iter.Seq2 that fetches a page at a time; Totals adds them up
// per currency in one request. Paging is by keyset on (creation time, id):
// a listing that stopped resumes after the Cursor of the last payment it
// handled (Filter.After), with nothing skipped or repeated.
//
// # Idempotency
//
// Every start, cancel and capture takes an optional IdempotencyKey; when empty
// a random key is made once per call and the client's retries resend the same
// body. The key used is returned in the result.
package payments
