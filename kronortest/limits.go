package kronortest

import (
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// Limits on a request's size, so that no request keeps the fake busy for
// long: gqlgen's validation (overlapping fields) and execution (field
// collection) and the fake's own walks grow faster than linearly with the
// number of same-named fields and with nesting, so a 1 MiB request could run
// for minutes. Hasura has such limits too (its API limits' depth and node
// limits). The SDK's largest operation, PaymentByID, is 161 tokens, about 60
// fields, 4 levels deep, and filters 3 levels deep: the limits leave ample
// room for it, for hand-written queries and for a tool's introspection query.
const (
	// maxQueryTokens bounds the tokens of a query document (gqlgen refuses
	// more, as a parse failure: validation-failed at $.query, "exceeded token
	// limit of 2000").
	maxQueryTokens = 2000
	// maxQueryNodes bounds the selections (fields, fragment spreads, inline
	// fragments) of a document's operations, each fragment spread counted as
	// the fragment's selections, so a fragment spread many times counts many
	// times; a fragment no operation spreads counts on its own. gqlgen's
	// validation compares same-named fields pairwise: 500 of them take about
	// 80 ms, 4,000 take seconds. A tool's introspection query has about 190.
	maxQueryNodes = 500
	// maxQueryDepth bounds the nesting of selection sets (through fragments)
	// and of the input values in a document (argument literals, variables'
	// default values), and of the request's variables.
	maxQueryDepth = 32
)

// parseQuery parses a query document within maxQueryTokens.
func parseQuery(query string) (*ast.QueryDocument, error) {
	return parser.ParseQueryWithTokenLimit(&ast.Source{Input: query}, maxQueryTokens)
}

// checkLimits refuses a document beyond maxQueryNodes or maxQueryDepth with a
// validation-failed error; it runs before gqlgen validates the document. Its
// cost is linear in the document's size.
func checkLimits(doc *ast.QueryDocument) *gqlerror.Error {
	m := &limitWalk{doc: doc, frags: map[string]*fragSize{}}
	nodes, depth := 0, 0
	for _, op := range doc.Operations {
		n, d := m.selections(op.SelectionSet)
		nodes, depth = satAdd(nodes, n), max(depth, d)
		for _, v := range op.VariableDefinitions {
			depth = max(depth, valueDepth(v.DefaultValue))
		}
		depth = max(depth, directivesDepth(op.Directives))
	}
	for _, f := range doc.Fragments {
		if _, spread := m.frags[f.Name]; spread {
			continue // counted where it is spread
		}
		s := m.fragment(f.Name)
		nodes, depth = satAdd(nodes, s.nodes), max(depth, s.depth)
	}
	switch {
	case nodes > maxQueryNodes:
		return gwError(codeValidationFailed, "$", "the query is too large: more than %d selections (fragments counted where they are spread)", maxQueryNodes)
	case depth > maxQueryDepth:
		return gwError(codeValidationFailed, "$", "the query is too deep: more than %d levels of selections or of input values", maxQueryDepth)
	}
	return nil
}

// checkVariablesDepth refuses variables nested deeper than maxQueryDepth.
func checkVariablesDepth(vars map[string]any) *gqlerror.Error {
	for name, v := range vars {
		if jsonDepth(v, 1) > maxQueryDepth {
			return gwError(codeValidationFailed, "$.variableValues."+name, "the variable is too deep: more than %d levels", maxQueryDepth)
		}
	}
	return nil
}

// jsonDepth is the nesting of a decoded JSON value (a scalar is 1), counted
// only up to just past maxQueryDepth.
func jsonDepth(v any, d int) int {
	if d > maxQueryDepth {
		return d
	}
	deepest := d
	switch x := v.(type) {
	case map[string]any:
		for _, e := range x {
			deepest = max(deepest, jsonDepth(e, d+1))
		}
	case []any:
		for _, e := range x {
			deepest = max(deepest, jsonDepth(e, d+1))
		}
	}
	return deepest
}

// fragSize is a fragment's selections (spreads expanded) and depth.
type fragSize struct {
	nodes, depth int
}

type limitWalk struct {
	doc   *ast.QueryDocument
	frags map[string]*fragSize // memo, so each fragment is walked once
}

// fragment sizes a fragment definition once. A fragment spread within itself
// (a cycle, which gqlgen's validation refuses) counts as empty; an unknown one
// as nothing.
func (m *limitWalk) fragment(name string) *fragSize {
	if s, ok := m.frags[name]; ok {
		return s
	}
	s := &fragSize{}
	m.frags[name] = s
	if f := m.doc.Fragments.ForName(name); f != nil {
		s.nodes, s.depth = m.selections(f.SelectionSet)
		s.depth = max(s.depth, directivesDepth(f.Directives))
	}
	return s
}

// selections returns the selections of set (spreads expanded, saturating
// past maxQueryNodes) and its depth (a set of leaf fields is 1).
func (m *limitWalk) selections(set ast.SelectionSet) (nodes, depth int) {
	for _, sel := range set {
		nodes = satAdd(nodes, 1)
		switch s := sel.(type) {
		case *ast.Field:
			d := 1
			for _, a := range s.Arguments {
				d = max(d, valueDepth(a.Value))
			}
			d = max(d, directivesDepth(s.Directives))
			if len(s.SelectionSet) > 0 {
				n, sd := m.selections(s.SelectionSet)
				nodes, d = satAdd(nodes, n), max(d, 1+sd)
			}
			depth = max(depth, d)
		case *ast.InlineFragment:
			n, d := m.selections(s.SelectionSet)
			nodes, depth = satAdd(nodes, n), max(depth, d, directivesDepth(s.Directives))
		case *ast.FragmentSpread:
			f := m.fragment(s.Name)
			nodes, depth = satAdd(nodes, f.nodes), max(depth, f.depth, directivesDepth(s.Directives))
		}
	}
	return nodes, depth
}

func directivesDepth(ds ast.DirectiveList) int {
	d := 0
	for _, dir := range ds {
		for _, a := range dir.Arguments {
			d = max(d, valueDepth(a.Value))
		}
	}
	return d
}

// valueDepth is the nesting of an input value literal (a scalar is 1).
func valueDepth(v *ast.Value) int {
	if v == nil {
		return 0
	}
	d := 1
	for _, c := range v.Children {
		d = max(d, 1+valueDepth(c.Value))
	}
	return d
}

// satAdd adds selection counts, saturating just past maxQueryNodes (a
// fragment spread twice in each of 60 nested fragments counts 2^60).
func satAdd(a, b int) int {
	if s := a + b; s <= maxQueryNodes {
		return s
	}
	return maxQueryNodes + 1
}
