// Package sessions creates payment sessions, the first step of every payment:
// a session holds what the customer pays and the merchant's references, and
// its token runs the payment itself (package payments). Sessions are created
// with the merchant's API token.
//
//	merchant, _ := client.New(merchantToken)
//	s, err := sessions.Create(ctx, merchant, sessions.Params{
//		Amount:            10056, // 100,56 kr
//		Currency:          sessions.CurrencySEK,
//		MerchantReference: "order-1234",
//		Message:           "Order 1234",
//		ExpiresAt:         time.Now().Add(time.Hour),
//		IdempotencyKey:    client.DeriveIdempotencyKey("order-1234", "session"),
//	})
//	if err != nil { ... }
//	started, err := payments.Swish(ctx, s.Client(merchant), payments.SwishParams{...})
//
// To avoid charging a customer twice for one order when your process creates a
// new session per attempt, use CreateWithReferenceCheck and check AlreadyPaid.
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
// # Where the spec and the gateway disagree
//
// The package follows what the gateway accepts on the wire:
//
//   - Amounts are int64 minor units in Go, but the gateway takes a 32-bit
//     GraphQL Int: amounts must be 1..2147483647 (order-line amounts
//     0..2147483647).
//   - Language: the spec lists SV, DA, NO, IS and EN; the gateway's Language
//     enum has 25 ISO 639-1 codes, and all of them are accepted.
//   - Title: the spec writes MISS, MR, MRS, MS; the gateway's values are
//     Miss, Mr, Mrs and Ms (TitleMiss, ...), and only these are accepted.
//   - PreferredGateway: the spec writes "Kronor"; the value is KRONOR
//     (GatewayKronor), the only one the gateway accepts as a preference, so
//     the other GatewayEnum values are rejected before sending.
//   - Country: the spec does not list it for newPaymentSession, the gateway
//     accepts it (Przelewy24 needs PL), so Params has it. Currency and Country
//     are optional for Create and required for CreateWithReferenceCheck, as in
//     the schema.
//   - ExpiresAt is a time.Time, sent in UTC as RFC 3339 to the second; it must
//     be after now and at most 24 hours ahead (MaxExpiry). Inject the clock
//     with WithClock in tests.
//   - Street: the spec says streetName/streetNumber must not be combined with
//     streetAddress, yet the schema makes streetAddress mandatory. This
//     package treats them as alternatives: give StreetAddress, or StreetName
//     with StreetNumber (streetAddress is then sent as the empty string); giving
//     both is a violation.
//   - Message (at most 50 characters) is checked against the schema's
//     character set: ASCII letters and digits, å ä ö é Å Ä Ö É, space and
//     : ; . , ? ! ( ) ” " (no hyphen, no other accented letters; é is Swedish, as in "idé").
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
