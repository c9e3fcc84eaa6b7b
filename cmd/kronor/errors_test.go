package main

import (
	"strings"
	"testing"

	"github.com/kronor-io/kronor-go/kronortest"
)

// TestBadInput: input the command can check is refused with a clear message
// and exit 2, before anything is sent to the gateway.
func TestBadInput(t *testing.T) {
	srv := kronortest.NewServer()
	defer srv.Close()
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"no command", nil, nil, "no command given"},
		{"unknown command", nil, []string{"pay"}, `unknown command "pay"`},
		{"amount not a number", nil, []string{"checkout", "--amount", "ten"}, `amount "ten": write digits`},
		{"amount too precise", nil, []string{"checkout", "--amount", "100.005"}, `amount "100.005": SEK has 2 decimals, the amount has 3`},
		{"thousands separator", nil, []string{"checkout", "--amount", "1,000.00"}, "at most one decimal separator"},
		{"ISK fraction", nil, []string{"checkout", "--amount", "100,5", "--currency", "ISK"}, "ISK has no minor unit"},
		{"zero", nil, []string{"checkout", "--amount", "0.00"}, "must be more than zero"},
		{"too large", nil, []string{"checkout", "--amount", "21474837"}, "more than the gateway takes (at most 21474836.47 SEK)"},
		{"negative", nil, []string{"checkout", "--amount", "-5"}, `amount "-5"`},
		{"no amount", nil, []string{"checkout"}, "--amount is required"},
		{"unknown currency", nil, []string{"checkout", "--amount", "10", "--currency", "XYZ"}, `currency "XYZ": the gateway takes CHF, CZK`},
		{"unknown method", nil, []string{"checkout", "--amount", "10", "--method", "cash"}, `method "cash"`},
		{"bad message", nil, []string{"checkout", "--amount", "10", "--message", "order-1"}, "payment.message"},
		{"unknown flag", nil, []string{"checkout", "--amont", "10"}, "flag provided but not defined: -amont"},
		{"token as a flag", nil, []string{"--token=s3cret", "payments", "list"}, "read from $KRONOR_TOKEN only"},
		{"no token", map[string]string{envURL: srv.URL()}, []string{"payments", "list"}, "set KRONOR_TOKEN"},
		{"url and env", nil, []string{"--env", "staging", "--url", srv.URL(), "payments", "list"}, "--url or --env, not both"},
		{"unknown env", map[string]string{envToken: "t"}, []string{"--env", "prod-eu", "payments", "list"}, `environment "prod-eu"`},
		{"plain http elsewhere", map[string]string{envToken: "t"}, []string{"--url", "http://gateway.example/v1/graphql", "payments", "list"}, "http"},
		{"bad payment id", nil, []string{"refund", "abc", "--amount", "1"}, `payment id "abc"`},
		{"refund without amount", nil, []string{"refund", "12"}, "--amount is required"},
		{"bad idempotency key", nil, []string{"capture", "12", "--amount", "1", "--idempotency-key", "a b"}, "--idempotency-key"},
		{"unknown payment", nil, []string{"refund", "999", "--amount", "1"}, "payment 999"},
		{"bad since", nil, []string{"payments", "list", "--since", "yesterday"}, `--since "yesterday"`},
		{"unknown status", nil, []string{"payments", "list", "--status", "PAYED"}, `unknown status "PAYED"`},
		{"payments without list", nil, []string{"payments"}, "kronor payments list"},
		{"watch without token", nil, []string{"watch"}, "watch takes one wait token"},
		{"malformed wait token", nil, []string{"watch", "not-a-token"}, "not-a-token"},
		{"sandbox negative settle delay", nil, []string{"sandbox", "--addr", "127.0.0.1:0", "--settle-delay", "-1ms"}, "--settle-delay -1ms: must not be negative"},
		{"token flag before sandbox", nil, []string{"--token=s3cret", "sandbox"}, "read from $KRONOR_TOKEN only"},
		{"sandbox busy address", nil, []string{"sandbox", "--addr", strings.TrimPrefix(strings.TrimSuffix(srv.URL(), kronortest.Path), "http://")}, "sandbox:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vars := tc.env
			if vars == nil {
				vars = env(srv)
			}
			before := srv.Requests()
			code, out, errOut := kronor(t, vars, tc.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want 2\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
			}
			if !strings.Contains(errOut, tc.want) {
				t.Errorf("stderr lacks %q:\n%s", tc.want, errOut)
			}
			if strings.Contains(out+errOut, "s3cret") || strings.Contains(out+errOut, srv.MerchantToken()) {
				t.Errorf("the output shows the token:\n%s%s", out, errOut)
			}
			// Nothing but reads of an id the user gave reached the gateway.
			if n := srv.Requests() - before; n > 0 && !strings.Contains(tc.name, "unknown payment") {
				t.Errorf("%d requests were sent", n)
			}
		})
	}
}

// TestGatewayDown: a gateway that cannot be reached, and one that refuses the
// token, end with exit 3 and say so.
func TestGatewayDown(t *testing.T) {
	srv := kronortest.NewServer()
	url := srv.URL()
	srv.Close() // nothing listens there now
	down := map[string]string{envToken: "merchant-token", envURL: url}
	for _, tc := range []struct {
		args []string
		hint string
	}{
		{[]string{"--timeout", "300ms", "checkout", "--amount", "10", "--reference", "order-9"}, "rerun kronor checkout --amount 10.00 --currency SEK --method swish --reference order-9 --timeout 300ms, which applies nothing twice"},
		{[]string{"--timeout", "300ms", "payments", "list"}, "could not be reached"},
		{[]string{"--timeout", "300ms", "capture", "1", "--amount", "10"}, "could not be reached"},
		{[]string{"--timeout", "300ms", "watch", "6a0cd5e0-4b3e-4c5f-9b8e-2f1f2d9c0e11"}, "could not be reached"},
	} {
		args := tc.args
		code, out, errOut := kronor(t, down, args...)
		// The cause is the refused connection, or, on a machine so busy that
		// the retries outlast --timeout, the call's time limit.
		cause := strings.Contains(errOut, "connection refused") || strings.Contains(errOut, "time limit ran out")
		if code != exitGateway || !cause || !strings.Contains(errOut, tc.hint) {
			t.Errorf("%v: exit %d, want 3\nstdout:\n%s\nstderr:\n%s", args, code, out, errOut)
		}
		if strings.Contains(out+errOut, "merchant-token") {
			t.Errorf("%v: the output shows the token:\n%s%s", args, out, errOut)
		}
	}

	live := kronortest.NewServer()
	defer live.Close()
	code, _, errOut := kronor(t, map[string]string{envToken: "wrong-token", envURL: live.URL()}, "payments", "list")
	if code != exitGateway || !strings.Contains(errOut, "refused the token in $KRONOR_TOKEN") || strings.Contains(errOut, "wrong-token") {
		t.Errorf("a refused token: exit %d\n%s", code, errOut)
	}
	live.FailNext(10, kronortest.FaultHTTP503)
	code, _, errOut = kronor(t, env(live), "--timeout", "300ms", "payments", "list")
	if code != exitGateway || !strings.Contains(errOut, "503") {
		t.Errorf("HTTP 503: exit %d\n%s", code, errOut)
	}
}

// TestVerbose: -v logs the SDK's requests to stderr, without the token.
func TestVerbose(t *testing.T) {
	srv := kronortest.NewServer()
	defer srv.Close()
	code, out, errOut := kronor(t, env(srv), "payments", "list", "-v")
	if code != 0 || !strings.Contains(errOut, "level=DEBUG") || !strings.Contains(errOut, "ListPayments") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if strings.Contains(out+errOut, srv.MerchantToken()) {
		t.Fatalf("-v shows the token:\n%s", errOut)
	}
}
