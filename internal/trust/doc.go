// Package trust holds the SDK's proof-of-trust suites, run against the fake
// gateway (kronortest) through the public domain packages, as a merchant's
// service would use them. It has no code of its own, only tests:
//
//   - lost responses: checkout flows while the gateway drops committed
//     mutations' responses and answers others with 503 or TEMPORARY_FAILURE;
//     the gateway's own counts prove that nothing was created twice, and a
//     process that gives up half-way and starts again with derived idempotency
//     keys creates nothing twice either;
//   - byte-level faults: a TCP proxy on loopback (internal/testsupport/faultproxy)
//     resets connections after the gateway committed, cuts answers short with
//     and without a Content-Length, answers a proxy's HTML page with 200 or
//     502, and stalls, on each kind of mutation: every call ends in success, or
//     in client.ErrTemporary carrying its idempotency key, and a retry with
//     that key succeeds with nothing applied twice;
//   - chaos: 200 checkout flows through all those faults mixed while
//     websockets are killed, ending with 0 duplicates and 0 wrong outcomes;
//   - two tabs: a customer paying in two tabs at once ends with one charge,
//     or with the duplicate reported by Watcher.Wait;
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
