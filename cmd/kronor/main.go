// Command kronor is a command line for the Kronor payment gateway, for
// merchants' engineers and e-commerce plugin authors: it starts a fake
// gateway, walks a checkout from the terminal (with the Swish QR code drawn
// there, for a phone to scan), follows payments, captures, releases and
// refunds, and lists payments. It is a thin layer over the SDK's public
// packages (client, sessions, payments, captures, refunds, subscriptions, and
// kronortest for the sandbox): everything it does, a merchant's Go program can
// do the same way.
//
// Usage:
//
//	kronor [global flags] COMMAND [flags] [arguments]
//
//	kronor sandbox [--addr 127.0.0.1:8080] [--approve-after 2s] [--settle-delay 20ms] [--token T] [--cors=false]
//	kronor checkout --amount 100.00 [--currency SEK] [--method swish|card|mobilepay|vipps|p24|banktransfer|paypal]
//	kronor watch WAIT_TOKEN | --capture CAPTURE_ID | --release RELEASE_ID
//	kronor capture PAYMENT_ID --amount 100.00 [--idempotency-key K]
//	kronor release PAYMENT_ID [--amount 100.00] [--idempotency-key K]
//	kronor refund  PAYMENT_ID --amount 100.00 [--message M] [--idempotency-key K]
//	kronor payments list [--since 24h] [--status PAID] [--json]
//
// Global flags, accepted before or after the command:
//
//	--env staging|production  Kronor's gateway (default: KRONOR_ENV, else staging)
//	--url URL                 any GraphQL endpoint instead, e.g. a sandbox's (default: KRONOR_URL)
//	--json                    one JSON object a line on standard output, for machines
//	-v                        log every request to standard error (log/slog; tokens are never logged)
//	--timeout 60s             time limit of each call to the gateway, retries included
//
// The merchant API token is read from the environment variable KRONOR_TOKEN
// only, never from a flag, so that it does not land in the shell's history;
// it is never printed.
//
// Amounts are written as people write them, "100", "100.00" or "100,56",
// and converted to minor units exactly with the currency's decimals (two for
// every supported currency but ISK, which has none).
//
// Exit status: 0 success; 1 the payment (or capture, release, refund) failed,
// was declined or cancelled; 2 bad input (a flag, an amount, a currency, an
// unknown id), nothing sent; 3 the gateway refused the request or could not be
// reached; 130 interrupted (Ctrl-C), after stopping cleanly.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
