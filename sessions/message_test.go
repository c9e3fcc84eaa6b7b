package sessions_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/e2etest"
	"github.com/kronor-io/kronor-go/internal/validate"
	"github.com/kronor-io/kronor-go/internal/validate/validatetest"
	"github.com/kronor-io/kronor-go/sessions"
)

func TestMessage(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Order ORD-4001", "Order ORD 4001"},
		{"Order #4001", "Order 4001"},
		{"  Order\t\n 12  ", "Order 12"},
		{"Ærø — blåbærsyltetøj", "Ärö blåbärsyltetöj"},
		{"Müller & Söhne GmbH", "Muller Söhne GmbH"},
		{"Straße 5/7", "Strasse 5 7"},
		{"Café à la crème, idé", "Café a la creme, idé"},
		{"Łódź Gdańsk Kraków", "Lodz Gdansk Krakow"},
		{"Anna's order", "Annas order"},
		{"“Gift” [box] {x}", `"Gift” (box) (x)`},
		{"decomposed: a\u030a a\u0308 o\u0308 e\u0301 A\u030a", "decomposed: å ä ö é Å"},
		{"n\u0303o", "no"},                  // ñ spelled with a combining tilde: the tilde is dropped
		{"Ж\u0308a", "a"},                   // an accent on a dropped letter does not compose with another
		{"Заказ 12 🎁", "12"},                // other scripts and emoji are dropped
		{"bad \xff\xfe bytes", "bad bytes"}, // invalid UTF-8 is dropped
		{"Ok: yes; no. 1, 2? 3! (4)", "Ok: yes; no. 1, 2? 3! (4)"},
		{"", ""},
		{"---###", ""},
		{"漢字", ""},
		{strings.Repeat("a", 60), strings.Repeat("a", 50)},
		{strings.Repeat("å", 60), strings.Repeat("å", 50)},
		// A space that would end the message at the limit is dropped.
		{strings.Repeat("a", 49) + " b", strings.Repeat("a", 49)},
		{strings.Repeat("a", 48) + "-b-c", strings.Repeat("a", 48) + " b"},
		// ß becomes two letters; the second one is cut at the limit.
		{strings.Repeat("a", 49) + "ß", strings.Repeat("a", 49) + "s"},
	}
	for _, tc := range cases {
		if got := sessions.Message(tc.in); got != tc.want {
			t.Errorf("Message(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestMessageGatewayAccepts sends what Message makes of text the gateway
// refuses, and the fake gateway, which checks messages on its own, takes it.
func TestMessageGatewayAccepts(t *testing.T) {
	g := e2etest.New(t)
	p := sessions.Params{
		Amount: 100, Currency: sessions.CurrencySEK, MerchantReference: "ORD-4001",
		Message: "Order ORD-4001 — Ærøskøbing Müller #7", ExpiresAt: time.Now().Add(time.Hour),
	}
	_, err := sessions.Create(t.Context(), g.Merchant, p)
	var ve *client.ValidationError
	if !errors.As(err, &ve) || len(ve.Violations) != 1 || !strings.Contains(ve.Violations[0].Rule, "sessions.Message") {
		t.Fatalf("the raw text: err = %v, want one violation naming sessions.Message", err)
	}
	p.Message = sessions.Message(p.Message)
	if _, err := sessions.Create(t.Context(), g.Merchant, p); err != nil {
		t.Fatalf("Message %q: %v", p.Message, err)
	}
	if n := g.Srv.Counts("ORD-4001").Sessions; n != 1 {
		t.Fatalf("%d sessions, want 1", n)
	}
}

func FuzzMessage(f *testing.F) {
	for _, s := range []string{
		"Order ORD-4001", "Ærø", "Müller & Söhne", "a\u030a", "\xff", "Straße", strings.Repeat("ß", 30),
		strings.Repeat("a ", 40), "“x”", "Заказ 12", "e\u0301\u0301", "  ", "#",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m := sessions.Message(s)
		// What comes out is a message the rules allow, by the independent
		// oracle and by the SDK's own check, or nothing.
		if m != "" && !validatetest.MessageOK(m) {
			t.Fatalf("Message(%q) = %q, which the message rule refuses", s, m)
		}
		var c validate.Collector
		c.Message("message", m)
		if err := c.Err(); m != "" && err != nil {
			t.Fatalf("Message(%q) = %q: %v", s, m, err)
		}
		if m != strings.TrimSpace(m) || strings.Contains(m, "  ") {
			t.Fatalf("Message(%q) = %q: spaces not collapsed", s, m)
		}
		if again := sessions.Message(m); again != m {
			t.Fatalf("Message(Message(%q)) = %q, want %q", s, again, m)
		}
		// An allowed message only has its spaces collapsed.
		if validatetest.MessageOK(s) {
			if want := strings.Join(strings.Fields(s), " "); m != want {
				t.Fatalf("Message(%q) = %q, want %q", s, m, want)
			}
		}
		// Every ASCII letter and digit of s is kept, in order, unless the
		// result was cut at the limit.
		// (A letter followed by a combining accent may become å ä ö é.)
		var ascii []rune
		rs := []rune(s)
		for i, r := range rs {
			composes := i+1 < len(rs) && unicode.Is(unicode.Mn, rs[i+1])
			if !composes && r < utf8.RuneSelf && ('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
				ascii = append(ascii, r)
			}
		}
		if utf8.RuneCountInString(m) < validate.MaxMessageLen-1 {
			rest := m
			for _, r := range ascii {
				i := strings.IndexRune(rest, r)
				if i < 0 {
					t.Fatalf("Message(%q) = %q lost %q", s, m, r)
				}
				rest = rest[i+1:]
			}
		}
	})
}

func ExampleMessage() {
	fmt.Println(sessions.Message("Order ORD-4001"))
	fmt.Println(sessions.Message("Bestilling #77: Blåbærsyltetøj – 2 stk."))
	fmt.Println(sessions.Message("Müller & Söhne, Straße 5"))
	// Output:
	// Order ORD 4001
	// Bestilling 77: Blåbärsyltetöj 2 stk.
	// Muller Söhne, Strasse 5
}
