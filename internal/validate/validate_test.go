package validate

import (
	"errors"
	"strings"
	"testing"

	"github.com/kronor-io/kronor-go/client"
)

func violations(t *testing.T, c *Collector) []client.Violation {
	t.Helper()
	err := c.Err()
	if err == nil {
		return nil
	}
	if !errors.Is(err, client.ErrInvalidInput) {
		t.Fatalf("errors.Is(%v, ErrInvalidInput) = false", err)
	}
	var ve *client.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %T is not a *client.ValidationError", err)
	}
	return ve.Violations
}

func TestEmptyCollectorIsNil(t *testing.T) {
	var c Collector
	if err := c.Err(); err != nil {
		t.Fatalf("Err() = %v", err)
	}
}

func TestChecks(t *testing.T) {
	cases := []struct {
		name  string
		check func(*Collector)
		rule  string // "" = no violation
	}{
		{"amount 1", func(c *Collector) { c.Amount("f", 1) }, ""},
		{"amount max", func(c *Collector) { c.Amount("f", MaxInt) }, ""},
		{"amount 0", func(c *Collector) { c.Amount("f", 0) }, RuleAmount},
		{"amount negative", func(c *Collector) { c.Amount("f", -5) }, RuleAmount},
		{"amount over int32", func(c *Collector) { c.Amount("f", MaxInt+1) }, RuleAmount},
		{"non-negative 0", func(c *Collector) { c.NonNegative("f", 0) }, ""},
		{"non-negative -1", func(c *Collector) { c.NonNegative("f", -1) }, RuleNonNegInt},
		{"non-negative over", func(c *Collector) { c.NonNegative("f", MaxInt+1) }, RuleNonNegInt},
		{"positive 0", func(c *Collector) { c.Positive("f", 0) }, RulePositiveInt},
		{"required blank", func(c *Collector) { c.Required("f", "  ") }, RuleRequired},
		{"max len in runes", func(c *Collector) { c.MaxLen("f", "åäö", 3) }, ""},
		{"max len over", func(c *Collector) { c.MaxLen("f", "abcd", 3) }, "must be at most 3 characters (has 4)"},
		{"message ok", func(c *Collector) { c.Message("f", `Order 12: "Tack!" (åäö ÅÄÖ) ; . , ? ”`) }, ""},
		{"message idé", func(c *Collector) { c.Message("f", "En bra idé, IDÉ") }, ""},
		{"message empty", func(c *Collector) { c.Message("f", "") }, RuleRequired},
		{"message hyphen", func(c *Collector) { c.Message("f", "Order 1-2") }, RuleMessageSet + ` (found '-'; ` + MessageHint + `)`},
		{"message accent", func(c *Collector) { c.Message("f", "Crème") }, RuleMessageSet + ` (found 'è'; ` + MessageHint + `)`},
		{"message 51", func(c *Collector) { c.Message("f", strings.Repeat("a", 51)) }, "must be at most 50 characters (has 51; " + MessageHint + ")"},
		{"key empty is fine", func(c *Collector) { c.IdempotencyKey("f", "") }, ""},
		{"key ok", func(c *Collector) { c.IdempotencyKey("f", "order-1.[a],b+c_d") }, ""},
		{"key bad", func(c *Collector) { c.IdempotencyKey("f", "a b") }, "must be 1 to 64 characters of A-Za-z0-9-_.,[]+ (has ' ' at byte 1)"},
		{"url ok", func(c *Collector) { c.HTTPURL("f", "https://shop.example/done?x=1", true) }, ""},
		{"url missing", func(c *Collector) { c.HTTPURL("f", "", true) }, RuleRequired},
		{"url optional", func(c *Collector) { c.HTTPURL("f", "", false) }, ""},
		{"url relative", func(c *Collector) { c.HTTPURL("f", "/done", true) }, RuleHTTPURL},
		{"url scheme", func(c *Collector) { c.HTTPURL("f", "ftp://x/y", true) }, RuleHTTPURL},
		{"url no host", func(c *Collector) { c.HTTPURL("f", "https:///x", true) }, RuleHTTPURL},
		{"date ok", func(c *Collector) { c.Date("f", "2026-02-28") }, ""},
		{"date bad day", func(c *Collector) { c.Date("f", "2026-02-30") }, RuleDate},
		{"date format", func(c *Collector) { c.Date("f", "28/02/2026") }, RuleDate},
		{"id 1", func(c *Collector) { c.ID("f", "capture", 1) }, ""},
		{"id 0", func(c *Collector) { c.ID("f", "capture", 0) }, "must be a positive capture id"},
		{"id negative", func(c *Collector) { c.ID("f", "release", -3) }, "must be a positive release id"},
		{"uuid ok", func(c *Collector) { c.UUID("f", "0b6f0d3c-36a3-4a4f-9a57-5b0c9f7b1e21") }, ""},
		{"uuid bad", func(c *Collector) { c.UUID("f", "123") }, RuleUUID},
		{"uuid empty", func(c *Collector) { c.UUID("f", "") }, RuleUUID},
	}
	for _, tc := range cases {
		var c Collector
		tc.check(&c)
		got := violations(t, &c)
		switch {
		case tc.rule == "" && len(got) != 0:
			t.Errorf("%s: unexpected violations %v", tc.name, got)
		case tc.rule != "" && (len(got) != 1 || got[0].Field != "f" || got[0].Rule != tc.rule):
			t.Errorf("%s: violations = %v, want f: %s", tc.name, got, tc.rule)
		}
	}
}

func TestUUIDReturnsTheParsedToken(t *testing.T) {
	var c Collector
	const s = "0b6f0d3c-36a3-4a4f-9a57-5b0c9f7b1e21"
	if id := c.UUID("f", s); id.String() != s || c.Err() != nil {
		t.Errorf("UUID(%s) = %s, %v", s, id, c.Err())
	}
}

func TestPaymentRef(t *testing.T) {
	cases := []struct {
		id   int64
		tx   string
		want string
	}{
		{1, "", ""},
		{0, "tx", ""},
		{0, "", RuleOneOfIDs + " (neither is)"},
		{1, "tx", RuleOneOfIDs + " (both are)"},
		{-1, "", "must be a positive payment id"},
	}
	for _, tc := range cases {
		var c Collector
		c.PaymentRef("refund", tc.id, tc.tx)
		got := violations(t, &c)
		if tc.want == "" {
			if len(got) != 0 {
				t.Errorf("PaymentRef(%d, %q) = %v", tc.id, tc.tx, got)
			}
			continue
		}
		if len(got) != 1 || got[0].Field != "refund.paymentId" || got[0].Rule != tc.want {
			t.Errorf("PaymentRef(%d, %q) = %v, want %s", tc.id, tc.tx, got, tc.want)
		}
	}
}

func TestAllViolationsInOrder(t *testing.T) {
	var c Collector
	c.Amount("a", 0)
	c.Required("b", "")
	c.Add("c", "x")
	got := violations(t, &c)
	if len(got) != 3 || got[0].Field != "a" || got[1].Field != "b" || got[2].Field != "c" {
		t.Fatalf("violations = %v", got)
	}
	if idx := Index("x.lines", 2); idx != "x.lines[2]" {
		t.Fatalf("Index = %q", idx)
	}
}

// Every string check refuses invalid UTF-8 with one violation of RuleUTF8
// (encoding/json would replace the bytes with U+FFFD, so "\xff" and "\xfe"
// would be sent as the same value), and accepts valid multi-byte text.
func TestInvalidUTF8(t *testing.T) {
	checks := []struct {
		name  string
		check func(c *Collector, s string)
	}{
		{"Text", func(c *Collector, s string) { c.Text("f", s) }},
		{"Required", func(c *Collector, s string) { c.Required("f", s) }},
		{"MaxLen", func(c *Collector, s string) { c.MaxLen("f", s, 100) }},
		{"RequiredMaxLen", func(c *Collector, s string) { c.RequiredMaxLen("f", s, 100) }},
		{"Message", func(c *Collector, s string) { c.Message("f", s) }},
		{"IdempotencyKey", func(c *Collector, s string) { c.IdempotencyKey("f", s) }},
		{"HTTPURL", func(c *Collector, s string) { c.HTTPURL("f", "https://shop.example/"+s, true) }},
		{"Date", func(c *Collector, s string) { c.Date("f", s) }},
		{"PaymentRef", func(c *Collector, s string) { c.PaymentRef("f", 0, s) }},
	}
	for _, bad := range []struct {
		s    string
		rule string
	}{
		{"\xff", RuleUTF8 + " (byte 0xff at offset 0)"},
		{"\xfe", RuleUTF8 + " (byte 0xfe at offset 0)"},
		{"ab\xd5", RuleUTF8 + " (byte 0xd5 at offset 2)"},                  // truncated sequence
		{"å\xc0\xaf", RuleUTF8 + " (byte 0xc0 at offset 2)"},               // overlong encoding
		{"x\xed\xa0\x80", RuleUTF8 + " (byte 0xed at offset 1)"},           // surrogate half
		{"Meddelande ä\xff", RuleUTF8 + " (byte 0xff at offset 13)"},       // after a 2-byte letter
		{"2026-02-2\x80", RuleUTF8 + " (byte 0x80 at offset 9)"},           // lone continuation byte
		{"order-1\xf4\x90\x80\x80", RuleUTF8 + " (byte 0xf4 at offset 7)"}, // beyond U+10FFFF
	} {
		for _, ck := range checks {
			var c Collector
			ck.check(&c, bad.s)
			got := violations(t, &c)
			field := "f"
			if ck.name == "PaymentRef" {
				field = "f.paymentTransactionId"
			}
			if ck.name == "HTTPURL" {
				// The check sees the prefixed URL: the offset moves.
				if len(got) != 1 || got[0].Field != field || !strings.HasPrefix(got[0].Rule, RuleUTF8+" (") {
					t.Errorf("%s(%q): violations = %v, want one %s: %s", ck.name, bad.s, got, field, RuleUTF8)
				}
				continue
			}
			if len(got) != 1 || got[0].Field != field || got[0].Rule != bad.rule {
				t.Errorf("%s(%q): violations = %v, want %s: %s", ck.name, bad.s, got, field, bad.rule)
			}
		}
	}
	// Valid text of several byte lengths passes Text, and the rule-specific
	// checks still see it (no UTF-8 violation, their own rules apply).
	for _, s := range []string{"", "order-1", "Idé åäö ÅÄÖ", "日本語", "emoji 🙂", "\u00a0"} {
		var c Collector
		c.Text("f", s)
		c.MaxLen("g", s, 100)
		if got := violations(t, &c); len(got) != 0 {
			t.Errorf("Text/MaxLen(%q) = %v, want none", s, got)
		}
	}
	var c Collector
	c.Message("f", "Crème")
	if got := violations(t, &c); len(got) != 1 || strings.HasPrefix(got[0].Rule, RuleUTF8) {
		t.Errorf("Message(valid non-Swedish) = %v, want the charset rule only", got)
	}
}

// Two different invalid inputs are both refused: neither reaches encoding/json,
// where they would collide as "\ufffd".
func TestInvalidUTF8DoesNotCollide(t *testing.T) {
	for _, s := range []string{"\xff", "\xfe"} {
		var c Collector
		c.RequiredMaxLen("payment.merchantReference", s, 64)
		if c.Err() == nil {
			t.Errorf("merchantReference %q accepted", s)
		}
	}
}
