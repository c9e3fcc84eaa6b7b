package kronortest

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// TestValidIdempotencyKeyIsTheGatewaysPattern: validIdempotencyKey accepts
// what the gateway's regular expression accepts, and nothing else.
func TestValidIdempotencyKeyIsTheGatewaysPattern(t *testing.T) {
	pattern := regexp.MustCompile(`^[A-Za-z0-9\-_.,\[\]+]{1,64}$`)
	keys := []string{"", "a", "pay", "bench-session-12", "A-Z_a.z,0[9]+", strings.Repeat("k", 64), strings.Repeat("k", 65),
		"with space", "new\nline", "é", "k\x00", "key/", "key*", "key\\", "(x)", "a{b}", "😀", "k\xff"}
	for c := 0; c < 256; c++ {
		keys = append(keys, "k"+string(rune(c)), string([]byte{byte(c)}))
	}
	for _, k := range keys {
		if got, want := validIdempotencyKey(k), pattern.MatchString(k); got != want {
			t.Errorf("validIdempotencyKey(%q) = %v, the pattern says %v", k, got, want)
		}
	}
}

// withIdentity hands the identity on unchanged whether it uses the boxed
// values worked out once (the merchant's, a session's) or not, and a
// session's idempotency scope is the same either way.
func TestIdentityBoxedOnce(t *testing.T) {
	set := &session{token: "kronortest-session-a"}
	set.setIdentity()
	unset := &session{token: "kronortest-session-b"}
	for _, id := range []identity{{role: roleMerchant}, {role: roleGateway, sess: set}, {role: roleGateway, sess: unset}, {}} {
		got, ok := identityFrom(withIdentity(context.Background(), id))
		if !ok || got != id {
			t.Errorf("identityFrom(withIdentity(%+v)) = %+v, %v", id, got, ok)
		}
	}
	if got := (identity{role: roleGateway, sess: set}).scope(); got != "session:kronortest-session-a" {
		t.Errorf("scope with setIdentity: %q", got)
	}
	if got := (identity{role: roleGateway, sess: unset}).scope(); got != "session:kronortest-session-b" {
		t.Errorf("scope of a session without setIdentity: %q", got)
	}
	if got := (identity{role: roleMerchant}).scope(); got != "merchant" {
		t.Errorf("merchant scope: %q", got)
	}
}

// newUUID gives version 4 (random) UUIDs as google/uuid parses and writes
// them, and randomToken the prefix and 32 characters of base64url.
func TestRandomIDs(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		s := newUUID()
		u, err := uuid.Parse(s)
		if err != nil || u.Version() != 4 || u.Variant() != uuid.RFC4122 || u.String() != s || seen[s] {
			t.Fatalf("newUUID() = %q: %v, version %d, variant %v, seen before: %v", s, err, u.Version(), u.Variant(), seen[s])
		}
		seen[s] = true
	}
	tok := randomToken("p-")
	if !regexp.MustCompile(`^p-[A-Za-z0-9_-]{32}$`).MatchString(tok) || tok == randomToken("p-") {
		t.Errorf("randomToken(%q) = %q", "p-", tok)
	}
}
