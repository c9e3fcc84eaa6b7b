// Package trust holds the SDK's proof-of-trust suites, run against the fake
// gateway (kronortest) through the public domain packages, as a merchant's
// service would use them. It has no code of its own, only tests:
//
//   - lost responses: checkout flows while the gateway drops committed
//     mutations' responses and answers others with 503 or TEMPORARY_FAILURE;
//     the gateway's own counts prove that nothing was created twice, and a
//     process that gives up half-way and starts again with derived idempotency
//     keys creates nothing twice either;
//   - websocket storms: many concurrent waits on one watcher while every
//     websocket is killed again and again; each wait still returns its
//     payment's true outcome, and nothing is left running afterwards;
//   - bad input: invalid requests built from the spec's rules are refused
//     before anything is sent, naming the field and the rule, and the same
//     inputs sent raw are refused by the fake with nothing stored;
//   - security: tokens never appear in logs or errors, plain http to another
//     host and redirects to another host never carry the token, oversized
//     responses are cut off, and a session token cannot act as a merchant.
//
// Run them with
//
//	go test -race ./internal/trust/
//
// and the long variants (more flows and waits) with -long.
package trust
