// Package captures takes the money of authorized card payments, in full or in
// part, and releases them: both act on a payment that is AUTHORIZED, with the
// merchant's client.
//
// # Use
//
// When the order ships, [Create] a capture of what you ship (several partial
// captures may follow, up to the authorized amount); when it will not ship,
// [Release] the reservation instead. Derive each idempotency key from the
// order, so that a rerun cannot capture twice, and poll [Get] (or
// [GetRelease]) until the status is final.
//
//	r, err := captures.Create(ctx, merchant, captures.Params{
//		Amount:         4000, // part of the authorized amount
//		PaymentID:      req.ResultingPaymentID,
//		IdempotencyKey: client.DeriveIdempotencyKey("order-1234", "capture", "1"),
//	})
//	if err != nil { ... }
//	c, err := captures.Get(ctx, merchant, r.ID) // c.Status: CAPTURING, then CAPTURE_DONE
//
// Release is here too, next to capture: "a payment that has been authorized,
// but not yet captured can't be refunded; instead it has to be released". A
// release gives back the whole reservation; partial releases and releases
// after a capture are not possible.
//
//	rel, err := captures.Release(ctx, merchant, captures.ReleaseParams{Amount: 10000, PaymentID: id})
//	tr, err := captures.GetRelease(ctx, merchant, rel.ID) // IN_PROGRESS, then DONE
//
// Capturing and releasing are asynchronous: wait for the end with
// subscriptions.MerchantWatcher's WaitCapture and WaitRelease (pushed over a
// websocket); Get and GetRelease read the status once. The gateway returns a release's id as a
// String although it is a bigint; ReleaseReceipt.ID is the parsed number, and
// a non-numeric id is an error.
// For reconciliation, All lists captures and Releases lists releases.
//
// # Validation
//
// Create and Release check their input before sending (a
// *client.ValidationError with all violations; nothing is sent): the amount is
// 1..2147483647 minor units (a 32-bit GraphQL Int); exactly one of PaymentID
// and PaymentTransactionID is set; the capture message has at most 50
// characters; createdBy, generatedFrom and a release's merchantReference at
// most 100; idempotency keys must pass client.CheckIdempotencyKey. Whether the
// amount fits what is authorized is the gateway's check.
//
// # Idempotency
//
// Both take an optional IdempotencyKey; when empty a random key is made once
// per call and the client's retries resend the same body. Derive it from your
// order (client.DeriveIdempotencyKey) so a restarted process cannot capture or
// release twice. The key used is returned in the receipt.
package captures
