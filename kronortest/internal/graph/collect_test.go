package graph

import (
	"reflect"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

var testTypes = []string{"T"}

// op returns an operation context of doc with vars, as the executor makes
// one per operation.
func op(doc *ast.QueryDocument, vars map[string]any) *graphql.OperationContext {
	return &graphql.OperationContext{Doc: doc, Operation: doc.Operations[0], Variables: vars}
}

func names(fields []graphql.CollectedField) []string {
	var out []string
	for _, f := range fields {
		out = append(out, f.Alias)
	}
	return out
}

// cachedCollectFields collects what graphql.CollectFields collects for
// every operation, and shares the result between operations of one
// document only where no directive can make it differ.
func TestCachedCollectFields(t *testing.T) {
	doc, err := parser.ParseQuery(&ast.Source{Input: `
		query($s: Boolean!) {
			plain { a b: a ... on T { c } ...F ... on U { u } }
			skip { a b @skip(if: $s) }
			inFragment { a ...G }
			inInline { a ... on T { c @include(if: $s) } }
			deferred { a ... @defer(if: $s) { c } }
		}
		fragment F on T { d a }
		fragment G on T { e @skip(if: $s) }`})
	if err != nil {
		t.Fatal(err)
	}
	root := doc.Operations[0].SelectionSet
	wantShared := map[string]bool{"plain": true}
	for _, s := range root {
		f := s.(*ast.Field)
		var first []graphql.CollectedField
		for i, vars := range []map[string]any{{"s": true}, {"s": false}, {"s": true}} {
			got := cachedCollectFields(op(doc, vars), f.SelectionSet, testTypes)
			want := graphql.CollectFields(op(doc, vars), f.SelectionSet, testTypes)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s, %v: collected %v, graphql.CollectFields %v", f.Name, vars, names(got), names(want))
			}
			if i == 0 {
				first = got
				continue
			}
			if shared := &got[0] == &first[0]; shared != wantShared[f.Name] {
				t.Errorf("%s, operation %d: shared with the first: %v, want %v", f.Name, i, shared, wantShared[f.Name])
			}
			// Only what is shared is kept: the rest, and the selection sets
			// below it, would be new entries at every operation.
			k := collectKey{first: &f.SelectionSet[0], n: len(f.SelectionSet), satisfies: &testTypes[0], satisfiesLen: 1}
			if _, kept := collectedFields.Get(k); kept != wantShared[f.Name] {
				t.Errorf("%s: kept %v, want %v", f.Name, kept, wantShared[f.Name])
			}
		}
	}
	// Another document with the same text is another document.
	doc2, err := parser.ParseQuery(&ast.Source{Input: `{ plain { a } }`})
	if err != nil {
		t.Fatal(err)
	}
	sel := doc2.Operations[0].SelectionSet[0].(*ast.Field).SelectionSet
	if got := names(cachedCollectFields(op(doc2, nil), sel, testTypes)); !reflect.DeepEqual(got, []string{"a"}) {
		t.Errorf("another document: %v", got)
	}
	// Other types, other fields.
	if got := names(cachedCollectFields(op(doc, nil), root[0].(*ast.Field).SelectionSet, []string{"U"})); !reflect.DeepEqual(got, []string{"a", "b", "u"}) {
		t.Errorf("for U: %v", got)
	}
}
