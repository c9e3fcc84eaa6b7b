// Package validate collects the violations of the input rules the domain
// packages check before sending anything (every rule that can be decided from
// the input alone, whether or not the gateway checks it too), so a caller gets
// every violation at once in one *client.ValidationError.
package validate

import (
	"fmt"
	"math"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/kronor-io/kronor-go/client"
)

// MaxInt is the largest value of the GraphQL Int (32-bit signed) the gateway
// takes amounts in.
const MaxInt = math.MaxInt32

// MaxMessageLen is the most characters a customer-facing message may have.
const MaxMessageLen = 50

// MessageHint ends the rules of a message: the helper that makes an allowed
// message from any text.
const MessageHint = "sessions.Message makes an allowed message from any text"

// Rule texts shared by the packages, so the same rule reads the same everywhere.
const (
	RuleRequired    = "is required"
	RuleAmount      = "must be between 1 and 2147483647 minor units (a 32-bit GraphQL Int)"
	RuleNonNegInt   = "must be between 0 and 2147483647 (a 32-bit GraphQL Int)"
	RulePositiveInt = "must be between 1 and 2147483647 (a 32-bit GraphQL Int)"
	RuleHTTPURL     = "must be an absolute http or https URL"
	RuleOneOfIDs    = "exactly one of paymentId and paymentTransactionId must be set"
	RuleMessageSet  = "may contain only letters A-Z and a-z, digits, å ä ö é Å Ä Ö É, space and : ; . , ? ! ( ) ” \""
	RuleDate        = "must be a date in yyyy-mm-dd format"
	RuleUUID        = "must be a UUID"
	// RuleUTF8 is broken by a string that is not valid UTF-8. A GraphQL
	// String is Unicode text and encoding/json would silently replace each
	// invalid byte with U+FFFD, so two different inputs ("\xff", "\xfe")
	// would reach the gateway as the same value. Every string check of the
	// Collector applies it first.
	RuleUTF8 = "must be valid UTF-8"
)

// Collector accumulates violations in a client.ValidationError and adds the
// checks of the rules. The zero value is ready to use.
type Collector struct {
	ve client.ValidationError
}

// Add records a violation of rule by field (a path such as
// "payment.additionalData.orderLines[1].totalAmount").
func (c *Collector) Add(field, rule string) {
	c.ve.Violations = append(c.ve.Violations, client.Violation{Field: field, Rule: rule})
}

// Addf records a violation with a formatted rule.
func (c *Collector) Addf(field, format string, args ...any) {
	c.Add(field, fmt.Sprintf(format, args...))
}

// Err returns nil when nothing was recorded, otherwise a *client.ValidationError
// holding every violation in the order recorded.
func (c *Collector) Err() error { return c.ve.Err() }

// Amount checks a required amount in minor units: 1..MaxInt.
func (c *Collector) Amount(field string, n int64) {
	if n < 1 || n > MaxInt {
		c.Add(field, RuleAmount)
	}
}

// NonNegative checks an Int that may be zero: 0..MaxInt.
func (c *Collector) NonNegative(field string, n int64) {
	if n < 0 || n > MaxInt {
		c.Add(field, RuleNonNegInt)
	}
}

// Positive checks an Int that must be positive: 1..MaxInt.
func (c *Collector) Positive(field string, n int64) {
	if n < 1 || n > MaxInt {
		c.Add(field, RulePositiveInt)
	}
}

// Text checks that s is valid UTF-8 (see RuleUTF8) and reports whether it
// is. It is the only check of a string field without another rule; the other
// string checks apply it themselves.
func (c *Collector) Text(field, s string) bool {
	if utf8.ValidString(s) {
		return true
	}
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		i += size
	}
	c.Addf(field, "%s (byte %#02x at offset %d)", RuleUTF8, s[i], i)
	return false
}

// Required checks that s is not empty (nor only white space) and is valid
// UTF-8, and reports whether both hold, so further checks of s make sense.
func (c *Collector) Required(field, s string) bool {
	if strings.TrimSpace(s) == "" {
		c.Add(field, RuleRequired)
		return false
	}
	return c.Text(field, s)
}

// MaxLen checks that s is valid UTF-8 and has at most max characters (Unicode
// code points).
func (c *Collector) MaxLen(field, s string, max int) {
	if c.Text(field, s) {
		c.maxRunes(field, s, max, "")
	}
}

// maxRunes records a violation when s (valid UTF-8) has more than max
// characters; hint, when not empty, ends the rule's parenthesis.
func (c *Collector) maxRunes(field, s string, max int, hint string) {
	if n := utf8.RuneCountInString(s); n > max {
		if hint != "" {
			hint = "; " + hint
		}
		c.Addf(field, "must be at most %d characters (has %d%s)", max, n, hint)
	}
}

// RequiredMaxLen is Required followed, when present, by MaxLen.
func (c *Collector) RequiredMaxLen(field, s string, max int) {
	if c.Required(field, s) {
		c.MaxLen(field, s, max)
	}
}

// Message checks a customer-facing message (a session's or a refund's): present,
// valid UTF-8, at most MaxMessageLen characters, and within the gateway's
// character set (see MessageChar). Both rules name sessions.Message, which
// makes an allowed message from any text.
func (c *Collector) Message(field, s string) {
	if !c.Required(field, s) {
		return
	}
	c.maxRunes(field, s, MaxMessageLen, MessageHint)
	if i := strings.IndexFunc(s, func(r rune) bool { return !MessageChar(r) }); i >= 0 {
		r, _ := utf8.DecodeRuneInString(s[i:])
		c.Addf(field, "%s (found %q; %s)", RuleMessageSet, r, MessageHint)
	}
}

// MessageChar reports whether r may appear in a message: ASCII letters and
// digits, the Swedish letters å ä ö é Å Ä Ö É (é as in "idé"), space and
// : ; . , ? ! ( ) ” ". The fake gateway applies the same rule.
func MessageChar(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return true
	}
	return strings.ContainsRune("åäöéÅÄÖÉ:;.,?!()”\" ", r)
}

// IdempotencyKey checks a caller-supplied key; the empty key is fine (the SDK
// makes one).
func (c *Collector) IdempotencyKey(field, key string) {
	if key == "" || !c.Text(field, key) {
		return
	}
	if err := client.CheckIdempotencyKey(key); err != nil {
		c.Add(field, err.Error())
	}
}

// HTTPURL checks that s is an absolute http(s) URL with a host. An empty s is a
// violation only when required.
func (c *Collector) HTTPURL(field, s string, required bool) {
	if s == "" {
		if required {
			c.Add(field, RuleRequired)
		}
		return
	}
	if !c.Text(field, s) {
		return
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		c.Add(field, RuleHTTPURL)
	}
}

// PaymentRef checks that exactly one of a payment id and a payment transaction
// id is set, that a set id is positive, and that the transaction id is valid
// UTF-8. prefix is the input's path, e.g. "capture".
func (c *Collector) PaymentRef(prefix string, id int64, transactionID string) {
	switch {
	case id == 0 && transactionID == "":
		c.Add(prefix+".paymentId", RuleOneOfIDs+" (neither is)")
	case id != 0 && transactionID != "":
		c.Add(prefix+".paymentId", RuleOneOfIDs+" (both are)")
	case id < 0:
		c.ID(prefix+".paymentId", "payment", id)
	}
	c.Text(prefix+".paymentTransactionId", transactionID)
}

// ID checks that n, the id of a what (e.g. "payment"), is positive: the rule
// reads "must be a positive payment id".
func (c *Collector) ID(field, what string, n int64) {
	if n <= 0 {
		c.Add(field, "must be a positive "+what+" id")
	}
}

// UUID parses s, a wait token, and returns it; when s is not a UUID it records
// a violation of RuleUUID and returns the zero UUID.
func (c *Collector) UUID(field, s string) uuid.UUID {
	id, err := uuid.Parse(s)
	if err != nil {
		c.Add(field, RuleUUID)
	}
	return id
}

// Date checks that s, when set, is a calendar date in yyyy-mm-dd format.
func (c *Collector) Date(field, s string) {
	if s == "" || !c.Text(field, s) {
		return
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil || len(s) != len(time.DateOnly) {
		c.Add(field, RuleDate)
	}
}

// Index formats the path of a list element: Index("a.b", 1) is "a.b[1]".
func Index(field string, i int) string {
	return fmt.Sprintf("%s[%d]", field, i)
}
