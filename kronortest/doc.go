// Package kronortest provides a fake Kronor payment gateway for tests, in the
// spirit of net/http/httptest: [NewServer] starts a stateful, in-process
// GraphQL server on a loopback port that speaks the gateway's API with the real
// field names, so code that talks to Kronor can be tested end to end without a
// network or an account.
//
// # Use
//
// Start a server per test, run the code under test against it with the
// merchant client [Server.Client] gives (or with [Server.URL] and
// [Server.MerchantToken] in its configuration), then play the customer: find
// the order's payment requests by its merchant reference with
// [Server.PaymentRequests] and approve, decline or advance them. Finally check
// that nothing was charged twice with [Server.Counts].
//
//	srv := kronortest.NewServer()
//	defer srv.Close()
//	shop := NewShop(srv.Client()) // the service under test, on the fake
//	if err := shop.Checkout(ctx, "ORD-1"); err != nil { t.Fatal(err) }
//	reqs := srv.PaymentRequests("ORD-1") // WaitToken, Method, Status, PaymentID
//	if err := srv.Approve(reqs[0].WaitToken); err != nil { t.Fatal(err) }
//	if st, _ := srv.PaymentRequestStatus(reqs[0].WaitToken); st != payments.StatusPaid { ... }
//	if n := srv.Counts("ORD-1").Payments; n != 1 { t.Fatalf("%d payments", n) }
//
// # What it serves
//
// The server is generated from the same schema.graphql as the SDK's client. It
// serves POST /v1/graphql for queries and mutations and a websocket at the same
// path for subscriptions, in both the graphql-ws (subscriptions-transport-ws)
// and graphql-transport-ws protocols. It knows both of the gateway's roles:
// the merchant token ([Server.MerchantToken]) and the session tokens that
// newPaymentSession issues, each served its own role's schema (validation and
// introspection alike, as in Kronor's published role schemas) and its own
// data, and it enforces the gateway's business rules: session windows and
// reference checks, the preconditions of the payment methods, the payment,
// capture, release and refund state machines, and idempotency keys. It also
// serves what Kronor's own Android and iOS SDKs send: addSessionDeviceInformation
// ([Server.SessionDevice]), refreshPaymentStatus, and Google Pay and Apple Pay
// payments, which complete like card payments.
//
// A test drives the customer's side through [Server.Approve],
// [Server.Decline], [Server.Fail], [Server.TimeOut] and [Server.Advance],
// scripts the outcome of captures, releases and refunds ([Outcome]; between
// them every status of the schema's enums can be produced), reads where each
// object is without a request ([Server.PaymentRequestStatus],
// [Server.CaptureStatus], [Server.ReleaseStatus], [Server.RefundStatus]),
// injects faults
// ([Server.FailNext], [Server.FailFraction], [Server.CloseWebSockets]), and
// checks afterwards that nothing was lost or duplicated ([Server.Counts],
// [Server.Totals], [Server.Live]).
// [WithClock] with a [ManualClock] moves time for session expiry.
//
// A few choices where the gateway's documentation is silent: the merchant's
// default currency is SEK; a session token starts payments until the
// session's expiresAt, reads its session's payment requests for 24 hours more,
// and is refused after that; captures, releases and refunds move
// asynchronously after their mutation has answered, one status every
// [DefaultSettleDelay] of the fake's clock, and are pushed over the merchant
// role's paymentCaptures, transactionReleases and refunds subscriptions (see
// [WithSettleDelay], [WithManualSettlement]); a subscription is sent, as by
// Hasura's live queries, its result as it is now: one superseded before it
// was sent is not sent, nor one the same as the last it was sent (a change
// its selection does not show), and a walk through several statuses in one
// operation (a request's creation, an approval, a settlement) is pushed
// once, at its end, with the walk in the status history; an idempotency key is
// scoped to its caller (the merchant or one session) and its mutation, and a
// failed call is not remembered.
//
// Errors look like Hasura's (in JWT mode): HTTP 200 with
// {"errors":[{"message":…,"extensions":{"code":…,"path":"$.selectionSet.…"}}]}.
// A missing or malformed Authorization header is code "invalid-headers", a
// bad or expired token "invalid-jwt", both at path "$" with HTTP 200; on a
// websocket, whose connection_init must carry the token in payload.headers,
// either closes it with code [CloseCodeUnauthorized]. A variable the
// operation does not declare, or a missing non-nullable one, is refused with
// Hasura's messages; a query that does not parse is "validation-failed" at
// "$.query"; a JSON array of requests is a batch, answered with an array. On a
// websocket, an operation refused before it runs gets an "error" message, then
// "complete"; keep-alives come every [DefaultKeepAlive].
//
// So that no request keeps the fake busy for long, it refuses (as Hasura's API
// limits do) a query of more than 2,000 tokens (code "validation-failed" at
// "$.query"), of more
// than 500 selections with fragments counted where they are spread, or nested
// more than 32 levels deep in its selections, input values or variables (code
// "validation-failed"). The SDK's largest operation is a tenth of that.
package kronortest

//go:generate go tool -modfile=../internal/tools/go.mod gqlgen --config gqlgen.yml
//go:generate go run -C ../internal/tools ./gqlexec ../../kronortest/internal/graph/generated.go
