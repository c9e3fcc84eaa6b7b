package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/kronor-io/kronor-go/internal/sandbox"
	"github.com/kronor-io/kronor-go/kronortest"
)

// sandboxFlags is the flag set of kronor sandbox: the global flags and the
// sandbox's options (internal/sandbox, which cmd/kronor-sandbox takes too),
// set in o.
func (a *app) sandboxFlags(o *sandbox.Options) *flag.FlagSet {
	fs := a.flagSet("sandbox", func(fs *flag.FlagSet) {
		fmt.Fprintln(fs.Output(), `Usage: kronor sandbox [--addr 127.0.0.1:8080] [--approve-after 2s] [--settle-delay 20ms] [--token T] [--cors=false]

Serves a fake Kronor gateway on this machine (package kronortest, as
kronor-sandbox does) until Ctrl-C, and prints the exports that point the other
commands at it. Every payment is approved --approve-after after it starts (0:
never; pay or decline it on its payer page). Captures, releases and refunds
move by themselves, one status every --settle-delay (0: each settles when the
next request is served).`)
	})
	o.Register(fs)
	return fs
}

// sandbox serves the fake gateway (package kronortest), as cmd/kronor-sandbox
// does, until the context ends (Ctrl-C).
func (a *app) sandbox(args []string) error {
	var o sandbox.Options
	fs := a.sandboxFlags(&o)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("sandbox takes no arguments, got %q", pos)
	}
	srv, err := o.Start(sandbox.Logger(a.stderr, a.g.verbose))
	if err != nil {
		return usageErrorf("sandbox: %v", err)
	}
	defer srv.Close()

	base := strings.TrimSuffix(srv.URL(), kronortest.Path)
	a.emit(map[string]any{"type": "sandbox", "url": srv.URL(), "webSocketUrl": srv.WebSocketURL(),
		"merchantToken": srv.MerchantToken(), "payerPages": base + "/pay/", "approveAfter": o.ApproveAfter.String(),
		"settleDelay": o.SettleDelay.String()})
	a.printf("kronor sandbox: a fake Kronor gateway at %s", srv.URL())
	if o.ApproveAfter > 0 {
		a.printf("Payments are approved %s after they start.", o.ApproveAfter)
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
