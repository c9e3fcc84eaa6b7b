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
// A request is retried on every failure after which it may have been applied
// and no complete answer came back: network errors, a timed-out attempt, an
// answer cut short (with or without a Content-Length), a 2xx answer that is
// not GraphQL JSON, HTTP 408, 429 and 5xx, and GraphQL errors whose
// extensions.type is TEMPORARY_FAILURE. It uses capped, jittered exponential
// backoff (at most 0.5, 1, 2, 4, 8 s by default, as in Kronor's own SDKs),
// honouring Retry-After, for at most [DefaultMaxAttempts] attempts, and
// never past the context's deadline or the call's time limit ([WithTimeout],
// [DefaultTimeout]: a call made with a context without deadline still
// ends). Every retry resends the identical body, so a mutation keeps its
// idempotency key: even when a response is lost after the gateway applied a
// mutation, the retry returns the original result instead of applying it
// twice. Nothing else is retried.
//
// # Errors
//
// A failed request returns an [*Error] with the HTTP status, the GraphQL
// errors, the number of attempts and the idempotency key it was sent with.
// Classify it with [errors.Is] by what you may safely do next:
//
//   - [ErrTemporary]: it may have been applied; retry with the same
//     parameters and the same key (Error.IdempotencyKey).
//   - [ErrRejected]: nothing was applied; fix the request.
//     [ErrIdempotencyConflict] is the rejection of a key reused with other
//     parameters.
//   - [ErrUnauthorized]: the token was refused.
//   - [ErrRequestTooLarge], [ErrResponseTooLarge].
//
// Input refused before sending is a [*ValidationError] ([ErrInvalidInput]).
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
// ([WithMaxResponseBytes]), each attempt has a timeout ([WithAttemptTimeout])
// and so has each call ([WithTimeout]).
// Logging through log/slog is off until [WithLogger].
package client
