// Package redact removes a token from text a server sent back: the messages,
// paths and extensions of GraphQL errors, close reasons and log lines. A
// gateway or proxy that echoes the Authorization header must not get the
// token into an error or a log. Package client redacts with it, and package
// subscriptions through client's Redact and GraphQLError.
package redact

import "strings"

// Mask replaces the token.
const Mask = "[REDACTED]"

// minLen is the shortest token redacted: a shorter one would mask ordinary
// text.
const minLen = 4

// Redactor replaces one token. The zero value redacts nothing.
type Redactor struct {
	token string
}

// New returns a Redactor of token. A token shorter than 4 bytes is not
// redacted.
func New(token string) Redactor {
	if len(token) < minLen {
		return Redactor{}
	}
	return Redactor{token: token}
}

// String returns s with every occurrence of the token replaced by [Mask].
func (r Redactor) String(s string) string {
	if r.token != "" && strings.Contains(s, r.token) {
		return strings.ReplaceAll(s, r.token, Mask)
	}
	return s
}

// Value redacts every string in a value decoded from JSON (strings, []any
// and map[string]any, nested to any depth), the keys of objects included.
// Lists and objects are redacted in place; the redacted value is returned.
func (r Redactor) Value(v any) any {
	switch x := v.(type) {
	case string:
		return r.String(x)
	case map[string]any:
		return r.Map(x)
	case []any:
		for i := range x {
			x[i] = r.Value(x[i])
		}
	}
	return v
}

// Map redacts every key and value of m in place, as [Redactor.Value] does,
// and returns m.
func (r Redactor) Map(m map[string]any) map[string]any {
	var renamed map[string]any
	for k, v := range m {
		v = r.Value(v)
		if rk := r.String(k); rk != k {
			if renamed == nil {
				renamed = make(map[string]any)
			}
			renamed[rk] = v
			delete(m, k)
			continue
		}
		m[k] = v
	}
	for k, v := range renamed {
		m[k] = v
	}
	return m
}
