package main

import (
	"flag"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/kronor-io/kronor-go/kronortest"
)

// sandbox serves the fake gateway (package kronortest), as cmd/kronor-sandbox
// does, until the context ends (Ctrl-C).
func (a *app) sandbox(args []string) error {
	var addr, token string
	var approveAfter time.Duration
	var cors bool
	fs := a.flagSet("sandbox", func(fs *flag.FlagSet) {
		fmt.Fprintln(fs.Output(), `Usage: kronor sandbox [--addr 127.0.0.1:8080] [--approve-after 2s] [--token T]

Serves a fake Kronor gateway on this machine (package kronortest, as
kronor-sandbox does) until Ctrl-C, and prints the exports that point the other
commands at it. Every payment is approved --approve-after after it starts (0:
never; pay or decline it on its payer page).`)
	})
	fs.StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on")
	fs.DurationVar(&approveAfter, "approve-after", 2*time.Second, "approve every payment this long after it starts (0: never)")
	fs.StringVar(&token, "token", "", "merchant token the sandbox accepts (default: a random one)")
	fs.BoolVar(&cors, "cors", true, "allow cross-origin browser requests and websockets")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("sandbox takes no arguments, got %q", pos)
	}
	if approveAfter < 0 {
		return usageErrorf("--approve-after must not be negative")
	}
	level := slog.LevelWarn
	if a.g.verbose {
		level = slog.LevelDebug
	}
	opts := []kronortest.Option{
		kronortest.WithAddr(addr),
		kronortest.WithAutoApprove(approveAfter),
		kronortest.WithLogger(slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: level}))),
	}
	if token != "" {
		opts = append(opts, kronortest.WithMerchantToken(token))
	}
	if cors {
		opts = append(opts, kronortest.WithAllowedOrigins("*"))
	}
	srv, err := startSandbox(opts)
	if err != nil {
		return usageErrorf("sandbox: %v", err)
	}
	defer srv.Close()

	base := strings.TrimSuffix(srv.URL(), kronortest.Path)
	a.emit(map[string]any{"type": "sandbox", "url": srv.URL(), "webSocketUrl": srv.WebSocketURL(),
		"merchantToken": srv.MerchantToken(), "payerPages": base + "/pay/", "approveAfter": approveAfter.String()})
	a.printf("kronor sandbox: a fake Kronor gateway at %s", srv.URL())
	if approveAfter > 0 {
		a.printf("Payments are approved %s after they start.", approveAfter)
	}
	a.printf("A payment's payer page: %s/pay/METHOD/WAIT_TOKEN (e.g. /pay/swish/...)", base)
	a.printf("In another terminal:")
	a.printf("  export %s=%s", envURL, srv.URL())
	a.printf("  export %s=%s", envToken, srv.MerchantToken())
	a.printf("Stop with Ctrl-C.")
	<-a.ctx.Done()
	a.printf("kronor sandbox: stopped")
	return nil
}

// startSandbox is kronortest.NewServer reporting a busy address as an error
// instead of a panic.
func startSandbox(opts []kronortest.Option) (srv *kronortest.Server, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("%v", v)
		}
	}()
	return kronortest.NewServer(opts...), nil
}
