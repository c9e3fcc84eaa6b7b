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
		{"message hyphen", func(c *Collector) { c.Message("f", "Order 1-2") }, RuleMessageSet + ` (found '-')`},
		{"message accent", func(c *Collector) { c.Message("f", "Crème") }, RuleMessageSet + ` (found 'è')`},
		{"message 51", func(c *Collector) { c.Message("f", strings.Repeat("a", 51)) }, "must be at most 50 characters (has 51)"},
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
