package demo

import (
	"github.com/kronor-io/kronor-go/sessions"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestAmount(t *testing.T) {
	for _, tc := range []struct {
		minor    int64
		currency sessions.Currency
		want     string
	}{
		{10056, "SEK", "100.56 SEK"},
		{5, "EUR", "0.05 EUR"},
		{-250, "DKK", "-2.50 DKK"},
		{1200, "ISK", "1200 ISK"},
	} {
		if got := Amount(tc.minor, tc.currency); got != tc.want {
			t.Errorf("Amount(%d, %s) = %q, want %q", tc.minor, tc.currency, got, tc.want)
		}
	}
}

func TestOpenRejectsAnUnknownEnvironment(t *testing.T) {
	env := map[string]string{EnvToken: "t", EnvEnvironment: "moon"}
	_, err := Open(Config{Getenv: func(k string) string { return env[k] }}, 0)
	if err == nil || !strings.Contains(err.Error(), EnvEnvironment) {
		t.Fatalf("Open with %s=moon: got %v, want an error naming %s", EnvEnvironment, err, EnvEnvironment)
	}
}

func TestOpenChoosesKronorWhenATokenIsSet(t *testing.T) {
	for env, want := range map[string]string{"": "https://staging.kronor.io/v1/graphql", "staging": "https://staging.kronor.io/v1/graphql", "production": "https://kronor.io/v1/graphql"} {
		vars := map[string]string{EnvToken: "t", EnvEnvironment: env}
		gw, err := Open(Config{Getenv: func(k string) string { return vars[k] }}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if gw.Fake != nil || gw.Merchant.Endpoint() != want {
			t.Errorf("%s=%q: endpoint %s, fake %v; want %s and no fake", EnvEnvironment, env, gw.Merchant.Endpoint(), gw.Fake != nil, want)
		}
		gw.Close()
	}
}
