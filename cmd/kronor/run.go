package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/subscriptions"
)

// Exit codes.
const (
	exitOK          = 0
	exitFailed      = 1   // the payment, capture, release or refund failed
	exitUsage       = 2   // bad input: nothing was sent
	exitGateway     = 3   // the gateway refused the request or could not be reached
	exitInterrupted = 130 // Ctrl-C (128 + SIGINT), as shells report it
)

// The environment variables the command reads.
const (
	envToken = "KRONOR_TOKEN"
	envURL   = "KRONOR_URL"
	envEnv   = "KRONOR_ENV"
)

const usage = `kronor: a command line for the Kronor payment gateway

Usage:
  kronor [global flags] COMMAND [flags] [arguments]

Commands:
  sandbox          serve a fake gateway on this machine and print the exports to use it
  checkout         create a payment session and a payment, show the payer's next step, follow it to its end
  watch            follow a payment (or refund) by its wait token, a capture or a release by its id
  capture          capture an authorized card payment, in full or in part
  release          release an authorized card payment's reservation
  refund           refund a paid payment, in full or in part
  payments list    list payments, with totals per currency
  version          print the SDK's version

Global flags (before or after the command):
  --env staging|production   Kronor's gateway (default: $KRONOR_ENV, else staging)
  --url URL                  a GraphQL endpoint instead, e.g. a sandbox's (default: $KRONOR_URL)
  --json                     one JSON object a line on standard output
  -v                         log each request to standard error (tokens are never logged)
  --timeout DURATION         time limit of each call, retries included (default 60s)

The merchant API token is read from $KRONOR_TOKEN only, never from a flag.
Exit status: 0 ok, 1 payment failed/declined/cancelled, 2 bad input, 3 gateway or network failure, 130 interrupted.
Run "kronor COMMAND -h" for a command's flags.
`

// globals are the flags every command takes.
type globals struct {
	env, url string
	json     bool
	verbose  bool
	timeout  time.Duration
}

// app is one run of the command.
type app struct {
	ctx            context.Context
	getenv         func(string) string
	stdout, stderr io.Writer
	g              globals
	top            *flag.FlagSet // the global flags given before the command
	rerun          string        // how to rerun the command safely, once it is known
	rerunNote      string        // what the rerun needs that rerun leaves out
}

// run is the whole command: main only wires it to the process. It returns
// the exit status.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	a := &app{ctx: ctx, getenv: getenv, stdout: stdout, stderr: stderr}
	err := a.dispatch(args)
	code := exitCode(ctx, err)
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
		code = exitOK
	case code == exitInterrupted:
		fmt.Fprintln(stderr, "kronor: interrupted")
	default:
		var u *usageError
		if !errors.As(err, &u) || !u.printed {
			fmt.Fprintln(stderr, "kronor:", err)
		}
		if hint := hintFor(err, a.rerun, a.rerunNote); hint != "" {
			fmt.Fprintln(stderr, "kronor:", hint)
		}
	}
	return code
}

func (a *app) dispatch(args []string) error {
	if err := refuseTokenFlag(args); err != nil && command(args) != "sandbox" {
		return err
	}
	fs := a.flagSet("kronor", nil)
	fs.Usage = func() { fmt.Fprint(a.stderr, usage) }
	a.top = fs
	if err := fs.Parse(args); err != nil {
		return flagError(err)
	}
	args = fs.Args()
	if len(args) == 0 {
		fmt.Fprint(a.stderr, usage)
		return usageErrorf("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "sandbox":
		return a.sandbox(rest)
	case "checkout":
		return a.checkout(rest)
	case "watch":
		return a.watch(rest)
	case "capture", "release", "refund":
		return a.operate(cmd, rest)
	case "payments":
		if len(rest) == 0 || rest[0] != "list" {
			return usageErrorf(`"kronor payments" takes one command: list (kronor payments list --since 24h)`)
		}
		return a.list(rest[1:])
	case "version":
		fmt.Fprintln(a.stdout, "kronor (kronor-go "+client.Version+")")
		return nil
	case "help":
		fmt.Fprint(a.stdout, usage)
		return nil
	default:
		return usageErrorf("unknown command %q (run kronor help)", cmd)
	}
}

// flagSet returns a flag set that also takes the global flags, so that they
// may follow the command; their defaults are what was parsed so far.
func (a *app) flagSet(name string, help func(fs *flag.FlagSet)) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	fs.StringVar(&a.g.env, "env", a.g.env, "Kronor's gateway: staging or production (default $KRONOR_ENV, else staging)")
	fs.StringVar(&a.g.url, "url", a.g.url, "GraphQL endpoint instead of --env (default $KRONOR_URL)")
	fs.BoolVar(&a.g.json, "json", a.g.json, "one JSON object a line on standard output")
	fs.BoolVar(&a.g.verbose, "v", a.g.verbose, "log each request to standard error")
	fs.DurationVar(&a.g.timeout, "timeout", a.g.timeout, "time limit of each call, retries included (0: the SDK's 60s)")
	if help != nil {
		fs.Usage = func() {
			help(fs)
			fmt.Fprintln(fs.Output(), "\nFlags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parse parses args with fs, letting flags and positional arguments mix
// ("capture 42 --amount 10" as well as "capture --amount 10 42"), and
// returns the positional ones.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, flagError(err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// command returns the command that args name after the global flags, or ""
// when the global flags do not parse.
func command(args []string) string {
	fs := (&app{stderr: io.Discard}).flagSet("", nil)
	if fs.Parse(args) != nil {
		return ""
	}
	return fs.Arg(0)
}

// refuseTokenFlag refuses a token given as a flag, without repeating it. The
// sandbox's --token is no secret but the token the fake accepts, which it
// prints: dispatch lets it through after "sandbox".
func refuseTokenFlag(args []string) error {
	for _, arg := range args {
		name, _, _ := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		if strings.HasPrefix(arg, "-") && (name == "token" || name == "merchant-token") {
			return usageErrorf("the token is read from $%s only, never from a flag (a flag's value lands in the shell's history): export %s=...", envToken, envToken)
		}
	}
	return nil
}

// logger is the -v logger: every request of the SDK at Debug, to stderr.
func (a *app) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// merchant returns the client of the merchant token from $KRONOR_TOKEN, for
// the gateway chosen by --url, --env, $KRONOR_URL or $KRONOR_ENV (staging by
// default).
func (a *app) merchant() (*client.Client, error) {
	token := a.getenv(envToken)
	if token == "" {
		return nil, usageErrorf("set %s to your merchant API token (it is read from the environment only, never from a flag); for a fake gateway run: kronor sandbox", envToken)
	}
	opts := []client.Option{client.WithAppInfo("kronor-cli", client.Version, "")}
	if a.g.url != "" && a.g.env != "" {
		return nil, usageErrorf("give --url or --env, not both")
	}
	url, env := a.g.url, a.g.env
	if url == "" && env == "" {
		url, env = a.getenv(envURL), a.getenv(envEnv)
	}
	switch strings.ToLower(env) {
	case "", "staging":
		opts = append(opts, client.WithEnvironment(client.Staging))
	case "production", "prod":
		opts = append(opts, client.WithEnvironment(client.Production))
	default:
		return nil, usageErrorf("environment %q: give staging or production (or --url for another endpoint)", env)
	}
	if url != "" {
		opts = append(opts, client.WithEndpoint(url)) // replaces the environment
	}
	if a.g.verbose {
		opts = append(opts, client.WithLogger(a.logger()))
	}
	if a.g.timeout != 0 {
		opts = append(opts, client.WithTimeout(a.g.timeout))
	}
	c, err := client.New(token, opts...)
	if err != nil {
		return nil, &usageError{msg: err.Error()}
	}
	return c, nil
}

// watcherOptions are the options of the command's watchers: logging with -v.
func (a *app) watcherOptions() []subscriptions.Option {
	if a.g.verbose {
		return []subscriptions.Option{subscriptions.WithLogger(a.logger())}
	}
	return nil
}

// watcher returns a watcher of the merchant client.
func (a *app) watcher(c *client.Client) (*subscriptions.Watcher, error) {
	return subscriptions.NewWatcher(c, a.watcherOptions()...)
}

// printf writes a line for people; nothing with --json.
func (a *app) printf(format string, args ...any) {
	if !a.g.json {
		fmt.Fprintf(a.stdout, format+"\n", args...)
	}
}

// emit writes v as one JSON line with --json; nothing otherwise.
func (a *app) emit(v any) {
	if a.g.json {
		b, err := json.Marshal(v)
		if err != nil {
			panic(err) // only the command's own types are emitted
		}
		fmt.Fprintf(a.stdout, "%s\n", b)
	}
}

// rerunFlags returns the flags to write in the command that reruns this
// one, as given on the command line: the global flags (before or after the
// command) and the command's own flags set in fs, but those in skip. A rerun
// must reach the same gateway and send the same parameters, so that the
// gateway answers it as the same operation. No secret is written: the
// merchant token is never a flag (it is read from $KRONOR_TOKEN, which the
// rerun reads again), and a --url that may hold one is left out, and named
// in the returned note for the hint to say so.
func (a *app) rerunFlags(fs *flag.FlagSet, skip ...string) (flags, note string) {
	global := (&app{}).flagSet("", nil) // the flags every command takes
	given := map[string]bool{}
	visit := func(f *flag.Flag) { given[f.Name] = true }
	if a.top != nil {
		a.top.Visit(visit)
	}
	fs.Visit(visit)
	var b strings.Builder
	write := func(f *flag.Flag) {
		if bf, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && bf.IsBoolFlag() {
			b.WriteString(" --" + f.Name + "=" + f.Value.String())
			return
		}
		b.WriteString(" --" + f.Name + " " + shellQuote(f.Value.String()))
	}
	// The globals first, with their values as parsed last (both flag sets
	// set the same variables).
	fs.VisitAll(func(f *flag.Flag) {
		if global.Lookup(f.Name) == nil || !given[f.Name] {
			return
		}
		if f.Name == "url" && mayHoldSecret(f.Value.String()) {
			note = "give it the same --url, left out here as it may hold a secret"
			return
		}
		write(f)
	})
	fs.Visit(func(f *flag.Flag) {
		if global.Lookup(f.Name) == nil && !slices.Contains(skip, f.Name) {
			write(f)
		}
	})
	return b.String(), note
}

// mayHoldSecret reports whether the endpoint URL raw may hold a secret that
// is no business of a printed command: user info, or a query (an API key as
// a parameter).
func mayHoldSecret(raw string) bool {
	u, err := url.Parse(raw)
	return err != nil || u.User != nil || u.RawQuery != "" || u.ForceQuery
}

// shellQuote quotes s for a POSIX shell when it holds anything but
// characters that need no quoting.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("@%+=:,./_-", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// localTime formats t for people.
func localTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04:05")
}
