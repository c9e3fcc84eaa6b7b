package payments_test

import (
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/e2etest"
	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/sessions"
)

var device = payments.Device{
	UserAgent:      "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Version/18.1 Mobile Safari/604.1",
	BrowserName:    "Safari",
	BrowserVersion: "18.1",
	OSName:         "iOS",
	OSVersion:      "18.1",
	Fingerprint:    "d1e2f3",
}

// TestDeviceIsSentWithEveryStart: each method's start records the device on
// the session, in the same request as the payment. Its table must cover
// every start function the package declares (see startFuncs), so that a new
// method cannot go untested.
func TestDeviceIsSentWithEveryStart(t *testing.T) {
	ctx := context.Background()
	g := e2etest.New(t)
	want := kronortest.Device{
		BrowserName: device.BrowserName, BrowserVersion: device.BrowserVersion, Fingerprint: device.Fingerprint,
		OSName: device.OSName, OSVersion: device.OSVersion, UserAgent: device.UserAgent,
	}
	d := device
	sek := func(ref string) sessions.Params { return sessionParams(ref, sessions.CurrencySEK) }
	cases := []struct {
		name    string // the start function's
		session func(ref string) sessions.Params
		start   func(*client.Session) (*payments.Started, error)
	}{
		{"Swish", sek, func(s *client.Session) (*payments.Started, error) {
			return payments.Swish(ctx, s, payments.SwishParams{Redirect: redirect, Device: &d})
		}},
		{"CreditCard", sek, func(s *client.Session) (*payments.Started, error) {
			return payments.CreditCard(ctx, s, payments.CreditCardParams{Redirect: redirect, Device: &d})
		}},
		{"MobilePay", func(ref string) sessions.Params { return sessionParams(ref, sessions.CurrencyDKK) }, func(s *client.Session) (*payments.Started, error) {
			return payments.MobilePay(ctx, s, payments.MobilePayParams{Redirect: redirect, Device: &d})
		}},
		{"Vipps", func(ref string) sessions.Params { return sessionParams(ref, sessions.CurrencyNOK) }, func(s *client.Session) (*payments.Started, error) {
			return payments.Vipps(ctx, s, payments.VippsParams{Redirect: redirect, Device: &d})
		}},
		{"P24", p24Session, func(s *client.Session) (*payments.Started, error) {
			return payments.P24(ctx, s, payments.P24Params{Redirect: redirect, Device: &d})
		}},
		{"BankTransfer", sek, func(s *client.Session) (*payments.Started, error) {
			return payments.BankTransfer(ctx, s, payments.BankTransferParams{Redirect: redirect, Device: &d})
		}},
		{"PayPal", payPalSession, func(s *client.Session) (*payments.Started, error) {
			return payments.PayPal(ctx, s, payments.PayPalParams{Redirect: redirect, Device: &d})
		}},
	}
	var covered []string
	for _, tc := range cases {
		covered = append(covered, tc.name)
	}
	slices.Sort(covered)
	if starts := startFuncs(t); !slices.Equal(covered, starts) {
		t.Fatalf("the table covers %v; the package's start functions are %v", covered, starts)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := sessions.Create(ctx, g.Merchant, tc.session("device-"+tc.name))
			if err != nil {
				t.Fatal(err)
			}
			before := g.Srv.Requests()
			st, err := tc.start(s.Client(g.Merchant))
			if err != nil || st.WaitToken == "" {
				t.Fatalf("start = %+v, %v", st, err)
			}
			if n := g.Srv.Requests() - before; n != 1 {
				t.Errorf("%d requests; want the payment and the device in one", n)
			}
			got, ok := g.Srv.SessionDevice(s.Token)
			if !ok || got != want {
				t.Fatalf("the session's device = %+v, %v; want %+v", got, ok, want)
			}
		})
	}
	// Without a device, nothing is recorded.
	s, err := sessions.Create(ctx, g.Merchant, sessionParams("device-none", sessions.CurrencySEK))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := payments.Swish(ctx, s.Client(g.Merchant), payments.SwishParams{Redirect: redirect}); err != nil {
		t.Fatal(err)
	}
	if got, ok := g.Srv.SessionDevice(s.Token); ok {
		t.Fatalf("a device was recorded without one: %+v", got)
	}
}

func TestDeviceIsValidated(t *testing.T) {
	ctx := context.Background()
	g := e2etest.New(t)
	s, err := sessions.Create(ctx, g.Merchant, sessionParams("device-bad", sessions.CurrencySEK))
	if err != nil {
		t.Fatal(err)
	}
	sc := s.Client(g.Merchant)
	long := strings.Repeat("x", 65)
	for _, tc := range []struct {
		name  string
		d     payments.Device
		field string
	}{
		{"no user agent", payments.Device{BrowserName: "Safari"}, "deviceInfo.userAgent"},
		{"long user agent", payments.Device{UserAgent: strings.Repeat("u", 513)}, "deviceInfo.userAgent"},
		{"long browser", payments.Device{UserAgent: "ua", BrowserName: long}, "deviceInfo.browserName"},
		{"long browser version", payments.Device{UserAgent: "ua", BrowserVersion: long}, "deviceInfo.browserVersion"},
		{"long os", payments.Device{UserAgent: "ua", OSName: long}, "deviceInfo.osName"},
		{"long os version", payments.Device{UserAgent: "ua", OSVersion: long}, "deviceInfo.osVersion"},
		{"long fingerprint", payments.Device{UserAgent: "ua", Fingerprint: long}, "deviceInfo.fingerprint"},
		{"invalid UTF-8", payments.Device{UserAgent: "ua\xff"}, "deviceInfo.userAgent"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := g.Srv.Requests()
			d := tc.d
			_, err := payments.CreditCard(ctx, sc, payments.CreditCardParams{Redirect: redirect, Device: &d})
			var ve *client.ValidationError
			if !errors.As(err, &ve) || len(ve.Violations) != 1 || ve.Violations[0].Field != tc.field {
				t.Fatalf("err = %v, want a violation of %s", err, tc.field)
			}
			if g.Srv.Requests() != before {
				t.Error("a request was sent")
			}
		})
	}
	// 64 and 512 characters (not bytes) are allowed.
	ok := payments.Device{UserAgent: strings.Repeat("ü", 512), BrowserName: strings.Repeat("å", 64)}
	if _, err := payments.CreditCard(ctx, sc, payments.CreditCardParams{Redirect: redirect, Device: &ok}); err != nil {
		t.Fatalf("the longest device fields were refused: %v", err)
	}
}

// startFuncs returns the names, sorted, of the exported functions the
// package's source declares that start a payment: those whose results are
// (*Started, error).
func startFuncs(t *testing.T) []string {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || !fn.Name.IsExported() || fn.Type.Results.NumFields() != 2 {
				continue
			}
			if types.ExprString(fn.Type.Results.List[0].Type) == "*Started" && types.ExprString(fn.Type.Results.List[1].Type) == "error" {
				names = append(names, fn.Name.Name)
			}
		}
	}
	if len(names) == 0 {
		t.Fatal("no start function found in the package's source")
	}
	slices.Sort(names)
	return names
}
