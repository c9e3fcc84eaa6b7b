// Package sandbox is the setup that cmd/kronor-sandbox and "kronor sandbox"
// share: the options of the fake gateway (package kronortest) they serve on
// this machine, the flags that set them, and the start of the server. Both
// commands register their flags with [Options.Register] and start with
// [Options.Start], so that they take the same options and cannot drift apart.
package sandbox

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/kronor-io/kronor-go/kronortest"
)

// Options are the settings of a sandbox, as its flags set them.
type Options struct {
	// Addr is the address to listen on, e.g. "127.0.0.1:8080".
	Addr string
	// ApproveAfter approves every payment this long after it starts; 0
	// approves nothing (the payer page approves or declines).
	ApproveAfter time.Duration
	// SettleDelay is how long each step of a capture, release or refund
	// takes; 0 settles each when the next request is served.
	SettleDelay time.Duration
	// Token is the merchant token the sandbox accepts; empty for a random one.
	Token string
	// CORS allows cross-origin browser requests and websockets.
	CORS bool
}

// Register defines the sandbox's flags on fs, each with its default, to set
// o when fs parses.
func (o *Options) Register(fs *flag.FlagSet) {
	fs.StringVar(&o.Addr, "addr", "127.0.0.1:8080", "address to listen on")
	fs.DurationVar(&o.ApproveAfter, "approve-after", 2*time.Second, "approve every payment this long after it starts (0: never)")
	fs.DurationVar(&o.SettleDelay, "settle-delay", kronortest.DefaultSettleDelay, "how long each step of a capture, release or refund takes (0: settle at the next request)")
	fs.StringVar(&o.Token, "token", "", "merchant token the sandbox accepts (default: a random one)")
	fs.BoolVar(&o.CORS, "cors", true, "allow cross-origin browser requests and websockets")
}

// Start checks o and starts the fake gateway it describes, logging its
// faults and server errors to log (nil: nothing). The error names the
// option at fault, or the address the server could not listen on. Close the
// server when done.
func (o Options) Start(log *slog.Logger) (*kronortest.Server, error) {
	switch {
	case o.ApproveAfter < 0:
		return nil, fmt.Errorf("--approve-after %s: must not be negative", o.ApproveAfter)
	case o.SettleDelay < 0:
		return nil, fmt.Errorf("--settle-delay %s: must not be negative", o.SettleDelay)
	}
	opts := []kronortest.Option{
		kronortest.WithAddr(o.Addr),
		kronortest.WithAutoApprove(o.ApproveAfter),
		kronortest.WithSettleDelay(o.SettleDelay),
	}
	if log != nil {
		opts = append(opts, kronortest.WithLogger(log))
	}
	if o.Token != "" {
		opts = append(opts, kronortest.WithMerchantToken(o.Token))
	}
	if o.CORS {
		opts = append(opts, kronortest.WithAllowedOrigins("*"))
	}
	return kronortest.Start(opts...)
}

// Logger is the sandbox's logger on w: the fake's errors, and with verbose
// also each fault it injects (-v).
func Logger(w io.Writer, verbose bool) *slog.Logger {
	level := slog.LevelWarn
	if verbose {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}
