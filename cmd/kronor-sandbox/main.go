// Command kronor-sandbox serves a fake Kronor payment gateway (package
// kronortest) on a fixed address, so a person or a non-Go client, such as the
// spec's React example with Apollo's WebSocketLink, can walk whole payments
// against it without a Kronor account or a network.
//
// Usage:
//
//	go run ./cmd/kronor-sandbox [-addr 127.0.0.1:8080] [-approve-after 2s] [-settle-delay 20ms] [-token T]
//
// It prints its merchant token and its endpoints. POST /v1/graphql takes
// queries and mutations; the same path takes websockets (graphql-ws and
// graphql-transport-ws) for subscriptions. Every payment is approved
// automatically after -approve-after (0 turns that off: open the payer page
// from the payment's details, e.g. transactionSwishDetails, to pay or decline).
// Captures, releases and refunds move by themselves, one status every
// -settle-delay (0: each settles when the next request is served).
// Cross-origin requests are allowed (-cors=false forbids them). It stops
// cleanly on SIGINT or SIGTERM.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/kronor-io/kronor-go/kronortest"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "kronor-sandbox:", err)
		os.Exit(2)
	}
}

// run serves until ctx ends or a termination signal arrives.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("kronor-sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	approveAfter := fs.Duration("approve-after", 2*time.Second, "approve every payment this long after it starts (0: never)")
	settleDelay := fs.Duration("settle-delay", kronortest.DefaultSettleDelay, "how long each step of a capture, release or refund takes (0: settle at the next request)")
	token := fs.String("token", "", "merchant token to accept (default: a random one)")
	cors := fs.Bool("cors", true, "allow cross-origin browser requests and websockets")
	verbose := fs.Bool("v", false, "log every fault and server error")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if *approveAfter < 0 {
		return fmt.Errorf("-approve-after must not be negative")
	}
	if *settleDelay < 0 {
		return fmt.Errorf("-settle-delay must not be negative")
	}

	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelDebug
	}
	opts := []kronortest.Option{
		kronortest.WithAddr(*addr),
		kronortest.WithAutoApprove(*approveAfter),
		kronortest.WithSettleDelay(*settleDelay),
		kronortest.WithLogger(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))),
	}
	if *token != "" {
		opts = append(opts, kronortest.WithMerchantToken(*token))
	}
	if *cors {
		opts = append(opts, kronortest.WithAllowedOrigins("*"))
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	srv, err := start(opts)
	if err != nil {
		return err
	}
	defer srv.Close()

	fmt.Fprintf(stdout, "kronor-sandbox: a fake Kronor gateway\n")
	fmt.Fprintf(stdout, "  GraphQL:        %s\n", srv.URL())
	fmt.Fprintf(stdout, "  Subscriptions:  %s (graphql-ws, graphql-transport-ws)\n", srv.WebSocketURL())
	fmt.Fprintf(stdout, "  Merchant token: %s\n", srv.MerchantToken())
	if *approveAfter > 0 {
		fmt.Fprintf(stdout, "  Payments are approved %s after they start.\n", *approveAfter)
	}
	fmt.Fprintf(stdout, "Stop with Ctrl-C.\n")

	<-ctx.Done()
	fmt.Fprintf(stdout, "kronor-sandbox: shutting down\n")
	return nil
}

// start is kronortest.NewServer that reports a busy address as an error
// instead of a panic.
func start(opts []kronortest.Option) (srv *kronortest.Server, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("%v", v)
		}
	}()
	return kronortest.NewServer(opts...), nil
}
