// Package client connects a merchant's service to the Kronor payment gateway:
// it sends the SDK's GraphQL requests with the right token, retries what is
// safe to retry, and turns every failure into one error type.
//
// # Use
//
// Make one [Client] at start-up with your merchant API token and share it: the
// domain packages take it for sessions, captures, releases, refunds and
// payment reads. A payment session's token (from sessions.Create) gets its own
// [Session], made with [Client.Session] or the session's Client method, which
// starts, cancels and lists that session's payments on the same connection
// and settings. The two are different types, so a call made with the wrong
// token does not compile; the few calls that take either take a [Caller].
//
//	merchant, err := client.New(os.Getenv("KRONOR_TOKEN"),
//		client.WithEnvironment(client.Staging),
//		client.WithAppInfo("shop-plugin", "1.4.0", "https://shop.example"))
//	if err != nil {
//		return err
//	}
//	// ... create a payment session with merchant (package sessions), then:
//	sc := merchant.Session(sessionToken)
//
// Then decide what to do with a failure by its class ([ErrTemporary]: retry
// with the same idempotency key; [ErrRejected]: fix the request), and quote
// [Error.RequestID] to Kronor's support. In tests, kronortest's
// Server.Client gives a merchant Client for the fake gateway.
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
// errors (code, message, path), the number of attempts, the idempotency key
// it was sent with and the gateway's request id.
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
