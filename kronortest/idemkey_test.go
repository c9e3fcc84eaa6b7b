package kronortest

import (
	"regexp"
	"strings"
	"testing"
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
