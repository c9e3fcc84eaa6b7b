// Package sessions creates payment sessions, the first step of every payment:
// a session holds what the customer pays and the merchant's references, and
// its token runs the payment itself (package payments).
//
// # Use
//
// For each order, create a session with the merchant client, then start the
// customer's payment with the session's client. Use [CreateWithReferenceCheck]
// when a checkout may run again for the same order (a retry, a crash, a
// second tab): it returns the order's earlier session instead of a second
// one and says whether the order is already paid. Build the customer-facing
// Message with [Message], which turns any order text into one the gateway
// accepts.
//
//	s, err := sessions.CreateWithReferenceCheck(ctx, merchant, sessions.Params{
//		Amount:            10056, // 100,56 kr
//		Currency:          sessions.CurrencySEK,
//		Country:           sessions.CountrySE,
//		MerchantReference: "ORD-1234",
//		Message:           sessions.Message("Order ORD-1234"), // "Order ORD 1234"
//		ExpiresAt:         time.Now().Add(time.Hour),
//	})
//	if err != nil { ... }
//	if s.AlreadyPaid() { ... } // nothing to start: the order is paid
//	started, err := payments.Swish(ctx, s.Client(merchant), payments.SwishParams{...})
//
// [Create] makes a session without the check; give it an IdempotencyKey
// derived from the order (client.DeriveIdempotencyKey(order, "session")).
//
// # Validation
//
// Create and CreateWithReferenceCheck check every rule that can be checked from
// the input before sending anything. A violation returns a
// *client.ValidationError listing all violations, each with the field's path
// on the wire (e.g. "payment.additionalData.orderLines[1].totalAmount") and
// the rule; errors.Is(err, client.ErrInvalidInput) holds and no request is
// made.
//
// The rules, as the gateway applies them on the wire:
//
//   - Amounts are int64 minor units in Go but a 32-bit GraphQL Int on the
//     wire: 1..2147483647 (order-line amounts 0..2147483647).
//   - Currency and Country are optional for Create and required for
//     CreateWithReferenceCheck; Przelewy24 needs CountryPL.
//   - ExpiresAt is sent in UTC as RFC 3339 to the second; it must be after
//     now and at most 24 hours ahead (MaxExpiry). Inject the clock with
//     WithClock in tests.
//   - Language is any of the 25 codes of the gateway's enum; Title is Miss,
//     Mr, Mrs or Ms, spelled so; PreferredGateway may only be GatewayKronor.
//   - An address has StreetAddress, or StreetName with StreetNumber, never
//     both.
//   - Message has at most 50 characters of ASCII letters and digits,
//     å ä ö é Å Ä Ö É, space and : ; . , ? ! ( ) ” " (no hyphen, no #, no
//     other accented letter): pass an order's text through [Message].
//
// Why these differ in places from Kronor's API documentation is told in the
// project's DECISIONS.md.
//
// # Idempotency and crash safety
//
// A checkout is safe to rerun from the top after a crash, at any point, when
// it creates its session with CreateWithReferenceCheck:
//
//   - CreateWithReferenceCheck takes no idempotency key: each call makes a
//     fresh one (reused by the client's own retries of that call), so a
//     rerun is evaluated afresh. The gateway finds the order's session by
//     MerchantReference (with the same MerchantReference2, Amount and
//     Currency, unexpired) and returns it instead of creating another, and
//     AlreadyPaid reports a payment made for the order since. ExpiresAt may
//     be computed from the clock on every run.
//   - Starting the payment again in that session with the same method and
//     parameters returns the pending payment (package payments), so a rerun
//     resumes it instead of starting a second one.
//   - Captures, releases and refunds take keys derived from stable references
//     (client.DeriveIdempotencyKey(orderID, "capture", "1")) with the same
//     parameters on every run.
//
// Create takes an optional IdempotencyKey. When it is empty a random key is
// made once per call; the client's retries resend the same body, so a retry
// never creates a second session. A key derived from the order makes a rerun
// of Create return the same session only when every parameter is the same
// byte for byte, ExpiresAt included: a rerun that computes ExpiresAt from the
// clock again gets client.ErrIdempotencyConflict. The key used is returned
// in the result, and carried by every error of the call (client.Error's
// IdempotencyKey).
package sessions
