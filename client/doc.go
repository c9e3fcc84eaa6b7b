// Package client is the transport of the Kronor Go SDK: it sends GraphQL
// requests to the Kronor payment gateway with a merchant or session token,
// retries what is safe to retry, and turns failures into one error type.
//
// Most programs create one Client with the merchant token and hand it to the
// domain packages (sessions, payments, captures, refunds); a payment flow
// derives a session-token Client from it with [Client.WithToken]:
//
//	c, err := client.New(os.Getenv("KRONOR_TOKEN"), client.WithEnvironment(client.Staging))
//	if err != nil {
//		return err
//	}
//	// ... create a payment session with c, then:
//	pc := c.WithToken(sessionToken)
//
// # Retries
//
// A request is retried on network errors, HTTP 429, 502, 503 and 504, and
// GraphQL errors whose extensions.type is TEMPORARY_FAILURE, with capped,
// jittered exponential backoff (at most 0.5, 1, 2, 4, 8 s by default, as in
// Kronor's own SDKs), honouring Retry-After, for at most [DefaultMaxAttempts]
// attempts, and never past the context's deadline. Every retry resends the
// identical body, so a mutation keeps its idempotency key: even when a
// response is lost after the gateway applied a mutation, the retry returns
// the original result instead of applying it twice. Nothing else is retried.
//
// # Errors
//
// A failed request returns an [*Error] with the HTTP status, the GraphQL
// errors and the number of attempts. Classify it with [errors.Is]:
// [ErrUnauthorized], [ErrRejected], [ErrTemporary], [ErrRequestTooLarge],
// [ErrResponseTooLarge]. Input refused before sending is a [*ValidationError]
// ([ErrInvalidInput]).
//
// # Idempotency
//
// Every mutation needs an idempotency key: [NewIdempotencyKey] makes a random
// one, [DeriveIdempotencyKey] derives a stable one from the merchant's own
// references, and [CheckIdempotencyKey] validates a caller's.
//
// # Safety
//
// The token is sent only as "Authorization: Bearer <token>" to the endpoint's
// own origin: never over plain http to a non-loopback host (unless
// [WithInsecureHTTP]), never to another host on a redirect, and never in a
// log record, an error text, or a printed Client. Response bodies are capped
// ([WithMaxResponseBytes]) and each attempt has a timeout ([WithTimeout]).
// Logging through log/slog is off until [WithLogger].
package client
