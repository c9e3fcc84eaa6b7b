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
// cleanly on SIGINT or SIGTERM. "kronor sandbox" takes the same options
// (internal/sandbox).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/kronor-io/kronor-go/internal/sandbox"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "kronor-sandbox:", err)
		os.Exit(2)
	}
}

// flags is the command's flag set: the sandbox's options (internal/sandbox,
// which "kronor sandbox" takes too) and -v.
func flags(o *sandbox.Options, verbose *bool, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("kronor-sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o.Register(fs)
	fs.BoolVar(verbose, "v", false, "log every fault and server error")
	return fs
}

// run serves until ctx ends or a termination signal arrives.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	var o sandbox.Options
	var verbose bool
	fs := flags(&o, &verbose, stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	srv, err := o.Start(sandbox.Logger(stderr, verbose))
	if err != nil {
		return err
	}
	defer srv.Close()

	fmt.Fprintf(stdout, "kronor-sandbox: a fake Kronor gateway\n")
	fmt.Fprintf(stdout, "  GraphQL:        %s\n", srv.URL())
	fmt.Fprintf(stdout, "  Subscriptions:  %s (graphql-ws, graphql-transport-ws)\n", srv.WebSocketURL())
	fmt.Fprintf(stdout, "  Merchant token: %s\n", srv.MerchantToken())
	if o.ApproveAfter > 0 {
		fmt.Fprintf(stdout, "  Payments are approved %s after they start.\n", o.ApproveAfter)
	}
	fmt.Fprintf(stdout, "Stop with Ctrl-C.\n")

	<-ctx.Done()
	fmt.Fprintf(stdout, "kronor-sandbox: shutting down\n")
	return nil
}
