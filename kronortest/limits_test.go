package kronortest_test

import (
	"fmt"
	"strings"
	"testing"
)

// Requests beyond the fake's size and depth limits (see limits.go) are
// refused before gqlgen validates them, with a gateway error: HTTP 200, no
// data, one error coded parse-failed (too many tokens) or validation-failed
// (too many selections, too deep). Without the limits, the first two took
// seconds (4,000 fields: 4 s; 2,000 nested _and: 3 s), growing
// quadratically up to the 1 MiB body limit. (Their speed is measured by
// hand, not here; this test asserts the refusals.)
func TestQueryLimits(t *testing.T) {
	f := newFixture(t)
	nestedAnd := func(n int) string {
		return "{ payments(where: " + strings.Repeat("{_and: [", n) + "{id: {_eq: 1}}" + strings.Repeat("]}", n) + ") { id } }"
	}
	doubling := func(n int) string { // F0 spreads F1 twice, F1 spreads F2 twice…: 2^n fields
		var b strings.Builder
		b.WriteString("{ ...F0 }\n")
		for i := range n {
			fmt.Fprintf(&b, "fragment F%d on query_root { ...F%d ...F%d }\n", i, i+1, i+1)
		}
		fmt.Fprintf(&b, "fragment F%d on query_root { __typename }\n", n)
		return b.String()
	}
	aliases := func(n int) string {
		var b strings.Builder
		b.WriteString("{")
		for i := range n {
			fmt.Fprintf(&b, " a%d: __typename", i)
		}
		b.WriteString(" }")
		return b.String()
	}
	nestedVar := func(n int) map[string]any {
		w := map[string]any{"id": map[string]any{"_eq": 1}}
		for range n {
			w = map[string]any{"_not": w}
		}
		return map[string]any{"w": w}
	}
	const varQuery = `query($w: PaymentBoolExp) { payments(where: $w) { id } }`

	for _, tc := range []struct {
		name, query string
		vars        map[string]any
		code, path  string
		message     string
	}{
		{"4,000 fields", "{" + strings.Repeat(" __typename", 4000) + " }", nil, "validation-failed", "$.query", "token limit"},
		{"4,000 nested _and", nestedAnd(4000), nil, "validation-failed", "$.query", "token limit"},
		{"600 same-named fields", "{" + strings.Repeat(" __typename", 600) + " }", nil, "validation-failed", "$", "too large"},
		{"a fragment spread 2^60 times", doubling(60), nil, "validation-failed", "$", "too large"},
		{"40 nested _and", nestedAnd(40), nil, "validation-failed", "$", "too deep"},
		// The schema has no cycle, so this is refused before gqlgen would
		// find the unknown fields.
		{"40 nested selections", "{" + strings.Repeat(" a {", 40) + " b" + strings.Repeat(" }", 40) + " }", nil, "validation-failed", "$", "too deep"},
		{"a variable 4,000 deep", varQuery, nestedVar(4000), "validation-failed", "$.variableValues.w", "too deep"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := f.merchant(tc.query, tc.vars).fails(t, tc.code, tc.path)
			if e.path() != tc.path || !strings.Contains(e.Message, tc.message) {
				t.Errorf("error %q at %q, want %q at %q", e.Message, e.path(), tc.message, tc.path)
			}
		})
	}

	// Within the limits: 500 selections, nesting to the limit, a tool's
	// introspection query.
	for _, tc := range []struct {
		name, query string
		vars        map[string]any
	}{
		{"500 selections", aliases(500), nil},
		{"a fragment spread 2^7 times", doubling(7), nil},
		{"14 nested _and (31 levels of values)", nestedAnd(14), nil},
		{"a variable 31 levels deep", varQuery, nestedVar(28)},
		{"introspection", introspectionQuery, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.merchant(tc.query, tc.vars).ok(t, nil)
		})
	}
}

// introspectionQuery is the introspection query GraphiQL and most tools send.
const introspectionQuery = `query IntrospectionQuery {
  __schema {
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}`
