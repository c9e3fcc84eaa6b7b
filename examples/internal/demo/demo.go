// Package demo is what the example programs share: choosing the gateway they
// run against (Kronor, or the built-in fake when nothing is configured),
// formatting amounts as money, and printing numbered steps.
package demo

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/sessions"
)

// The environment variables the examples read. With none set, an example starts
// the in-process fake gateway and needs no account and no network.
const (
	// EnvToken is the merchant API token; setting it runs against Kronor.
	EnvToken = "KRONOR_TOKEN"
	// EnvEnvironment selects Kronor's environment: "staging" (default) or "production".
	EnvEnvironment = "KRONOR_ENV"
	// EnvURL is a GraphQL endpoint to use instead (e.g. a kronor-sandbox).
	EnvURL = "KRONOR_URL"
)

// Gateway is the gateway an example runs against.
type Gateway struct {
	// Merchant is a client with the merchant token.
	Merchant *client.Client
	// Fake is the built-in fake gateway, or nil when running against a real one.
	Fake *kronortest.Server
	// Name says where the example runs, for the person reading its output.
	Name string

	owned bool // Fake was started by Open
}

// Config is how an example was started: its environment and where it prints.
type Config struct {
	// Getenv reads the environment (os.Getenv in main, a map in tests).
	Getenv func(string) string
	// Out receives the example's output.
	Out io.Writer
	// Fake, if set, is used instead of starting a fake gateway when no token is
	// configured. Tests set it to script the fake; the example does not close it.
	Fake *kronortest.Server
	// Logger, if set, logs the client's requests.
	Logger *slog.Logger
	// Args are the example's command-line arguments, without the program
	// name (os.Args[1:] in main).
	Args []string
}

// Open connects to the configured gateway: Kronor when EnvToken is set (at
// EnvURL, or the EnvEnvironment, staging by default), otherwise the fake
// gateway (cfg.Fake, or a new one approving every payment after approveAfter).
// Close releases what Open started.
func Open(cfg Config, approveAfter time.Duration) (*Gateway, error) {
	var opts []client.Option
	if cfg.Logger != nil {
		opts = append(opts, client.WithLogger(cfg.Logger))
	}
	if token := cfg.Getenv(EnvToken); token != "" {
		name := "Kronor staging"
		switch url, env := cfg.Getenv(EnvURL), strings.ToLower(cfg.Getenv(EnvEnvironment)); {
		case url != "":
			opts = append(opts, client.WithEndpoint(url))
			name = "the gateway at " + url
		case env == "" || env == "staging":
			opts = append(opts, client.WithEnvironment(client.Staging))
		case env == "production":
			opts = append(opts, client.WithEnvironment(client.Production))
			name = "Kronor production"
		default:
			return nil, fmt.Errorf("%s must be staging or production, not %q", EnvEnvironment, env)
		}
		c, err := client.New(token, opts...)
		if err != nil {
			return nil, err
		}
		return &Gateway{Merchant: c, Name: name}, nil
	}
	g := &Gateway{Fake: cfg.Fake, Name: "the built-in fake gateway (kronortest)"}
	if g.Fake == nil {
		g.Fake = kronortest.NewServer(kronortest.WithAutoApprove(approveAfter))
		g.owned = true
	}
	c, err := client.New(g.Fake.MerchantToken(), append(opts, client.WithEndpoint(g.Fake.URL()))...)
	if err != nil {
		g.Close()
		return nil, err
	}
	g.Merchant = c
	return g, nil
}

// Close stops the fake gateway if Open started it.
func (g *Gateway) Close() {
	if g.owned && g.Fake != nil {
		g.Fake.Close()
	}
}

// Customer tells the person running the example what the customer would do now.
func (g *Gateway) Customer(action string) string {
	if g.Fake != nil {
		return "the fake gateway plays the customer and will " + action + " shortly"
	}
	return "now " + action + " as the customer (in the test app or on the payment page)"
}

// Amount formats an amount in minor units as money: Amount(10056, "SEK") is
// "100.56 SEK". ISK has no minor unit.
func Amount(minor int64, currency sessions.Currency) string {
	if currency == "ISK" {
		return fmt.Sprintf("%d %s", minor, currency)
	}
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	return fmt.Sprintf("%s%d.%02d %s", sign, minor/100, minor%100, currency)
}

// OrderID makes a fresh order id, so every run has its own merchantReference.
// It is letters and digits only, so it may also appear in a session's message.
func OrderID() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("ORD%X", b)
}

// Steps prints numbered steps.
type Steps struct {
	out io.Writer
	n   int
}

// NewSteps prints to out.
func NewSteps(out io.Writer) *Steps { return &Steps{out: out} }

// Step prints the next numbered step.
func (s *Steps) Step(format string, args ...any) {
	s.n++
	fmt.Fprintf(s.out, "%d. %s\n", s.n, fmt.Sprintf(format, args...))
}

// Info prints an indented line under the current step.
func (s *Steps) Info(format string, args ...any) {
	fmt.Fprintf(s.out, "   %s\n", fmt.Sprintf(format, args...))
}

// Main runs an example as a program: run against the configured gateway, with
// Ctrl-C cancelling it, exiting 1 with the reason when it fails.
func Main(name string, run func(context.Context, Config) error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, Config{Getenv: os.Getenv, Out: os.Stdout, Args: os.Args[1:]})
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s failed: %v\n", name, err)
		os.Exit(1)
	}
}

// Begin opens the configured gateway (see Open), says which it is, and returns
// the step printer the example prints with. Close the gateway when done.
func Begin(cfg Config, approveAfter time.Duration) (*Gateway, *Steps, error) {
	gw, err := Open(cfg, approveAfter)
	if err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(cfg.Out, "Running against %s.\n", gw.Name)
	return gw, NewSteps(cfg.Out), nil
}
