package client_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/kronor-io/kronor-go/client"
)

func TestNewIdempotencyKey(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		k := client.NewIdempotencyKey()
		u, err := uuid.Parse(k)
		if err != nil || u.Version() != 4 {
			t.Fatalf("NewIdempotencyKey() = %q: not a v4 UUID (%v)", k, err)
		}
		if err := client.CheckIdempotencyKey(k); err != nil {
			t.Errorf("CheckIdempotencyKey(%q): %v", k, err)
		}
		if seen[k] {
			t.Fatalf("NewIdempotencyKey() repeated %q", k)
		}
		seen[k] = true
	}
}

func TestDeriveIdempotencyKey(t *testing.T) {
	k := client.DeriveIdempotencyKey("refund", "order-42", "1")
	if k != client.DeriveIdempotencyKey("refund", "order-42", "1") {
		t.Fatal("DeriveIdempotencyKey is not deterministic")
	}
	u, err := uuid.Parse(k)
	if err != nil || u.Version() != 5 {
		t.Fatalf("DeriveIdempotencyKey = %q: not a v5 UUID (%v)", k, err)
	}
	if err := client.CheckIdempotencyKey(k); err != nil {
		t.Errorf("CheckIdempotencyKey(%q): %v", k, err)
	}
	// Fixed forever: a change of namespace or encoding breaks every caller's
	// retries across an upgrade.
	if want := uuid.NewSHA1(uuid.MustParse(client.IdempotencyNamespace), []byte("6:refund8:order-421:1")).String(); k != want {
		t.Errorf("DeriveIdempotencyKey = %s, want %s", k, want)
	}
	distinct := [][]string{
		{"ab", "c"}, {"a", "bc"}, {"abc"}, {"abc", ""}, {"", "abc"}, {}, {""}, {"", ""},
		{"1:a"}, {"a", "1:"}, {"refund", "order-42", "2"}, {"capture", "order-42", "1"},
	}
	keys := map[string][]string{}
	for _, parts := range distinct {
		k := client.DeriveIdempotencyKey(parts...)
		if prev, ok := keys[k]; ok {
			t.Errorf("%q and %q derive the same key %s", prev, parts, k)
		}
		keys[k] = parts
	}
}

func TestCheckIdempotencyKey(t *testing.T) {
	for _, ok := range []string{"a", "A-Z_a.z,0[9]+", strings.Repeat("x", 64), "order-42/capture"[:8]} {
		if err := client.CheckIdempotencyKey(ok); err != nil {
			t.Errorf("CheckIdempotencyKey(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", strings.Repeat("x", 65), "has space", "slash/", "ümlaut", "tab\t", "quote\"", "semi;", "a\x00b", "new\nline"} {
		err := client.CheckIdempotencyKey(bad)
		if err == nil {
			t.Errorf("CheckIdempotencyKey(%q) = nil, want an error", bad)
			continue
		}
		if !errors.Is(err, client.ErrInvalidInput) {
			t.Errorf("CheckIdempotencyKey(%q): errors.Is(err, ErrInvalidInput) = false", bad)
		}
		if !strings.Contains(err.Error(), "1 to 64 characters of A-Za-z0-9-_.,[]+") {
			t.Errorf("CheckIdempotencyKey(%q) = %q, want the rule in the text", bad, err)
		}
	}
}
