package graph

import (
	"github.com/kronor-io/kronor-go/kronortest/internal/bounded"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// cachedCollectFields is graphql.CollectFields, which every object's
// marshaler calls (internal/tools/gqlexec makes them call this instead),
// with its result kept across operations where it can be.
//
// graphql.CollectFields caches its result per operation only. What it
// collects depends on the selection set, the types satisfied, the
// operation's document (its fragments) and, through the @skip, @include and
// @defer directives alone, the operation's variables. So for a selection
// set in which no directive appears, down through its fragments, the result
// is the same for every operation that runs the same parsed document (the
// executors keep parsed documents in their query caches): it is kept in
// collectedFields, keyed by the selection set's first element and length,
// which belong to one document (and keep it alive), and by the satisfied
// types' slice. Any other selection set is collected per operation, as
// before. Like gqlgen's own per-operation cache, the result is shared, and
// read only.
func cachedCollectFields(oc *graphql.OperationContext, sel ast.SelectionSet, satisfies []string) []graphql.CollectedField {
	if len(sel) == 0 || oc.Doc == nil {
		return graphql.CollectFields(oc, sel, satisfies)
	}
	k := collectKey{first: &sel[0], n: len(sel), satisfiesLen: len(satisfies)}
	if len(satisfies) > 0 {
		k.satisfies = &satisfies[0]
	}
	if fields, ok := collectedFields.Get(k); ok {
		return fields
	}
	fields := graphql.CollectFields(oc, sel, satisfies)
	// Only a result shared by every operation is kept: one that directives
	// decide is collected again each time, and so are the selection sets
	// below it, which would be new keys each time.
	if withoutDirectives(oc.Doc, sel, nil) {
		collectedFields.Add(k, fields)
	}
	return fields
}

// collectKey identifies a selection set of a parsed document, and the types
// its fields are collected for.
type collectKey struct {
	first        *ast.Selection
	n            int
	satisfies    *string
	satisfiesLen int
}

// collectedFieldsLimit bounds collectedFields: it forgets everything when it
// holds that many selection sets.
const collectedFieldsLimit = 4096

var collectedFields = bounded.Cache[collectKey, []graphql.CollectedField]{Limit: collectedFieldsLimit}

// withoutDirectives reports whether no directive appears in sel, on its
// fields, its inline fragments and its fragment spreads, nor, recursively,
// in the selection sets of those fragments (where graphql.CollectFields
// goes); the fields' own selection sets are collected on their own.
// visited holds the fragments already looked at.
func withoutDirectives(doc *ast.QueryDocument, sel ast.SelectionSet, visited map[string]bool) bool {
	for _, s := range sel {
		switch s := s.(type) {
		case *ast.Field:
			if len(s.Directives) > 0 {
				return false
			}
		case *ast.InlineFragment:
			if len(s.Directives) > 0 || !withoutDirectives(doc, s.SelectionSet, visited) {
				return false
			}
		case *ast.FragmentSpread:
			if len(s.Directives) > 0 {
				return false
			}
			if visited[s.Name] {
				continue
			}
			f := doc.Fragments.ForName(s.Name)
			if f == nil || len(f.Directives) > 0 {
				return false
			}
			if visited == nil {
				visited = map[string]bool{}
			}
			visited[s.Name] = true
			if !withoutDirectives(doc, f.SelectionSet, visited) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// PaymentRequestFields returns the fields that sel, a selection set of
// PaymentRequest objects in the operation oc, selects: what the generated
// marshaler will read of them, collected as it collects them (and kept for
// it, where they can be).
func PaymentRequestFields(oc *graphql.OperationContext, sel ast.SelectionSet) []graphql.CollectedField {
	return cachedCollectFields(oc, sel, paymentRequestImplementors)
}
