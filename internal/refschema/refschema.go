// Package refschema loads GraphQL schemas for the project's tests: Kronor's
// published role schemas (the reference dumps kept beside the repository, in
// ../shared/reference) and the project's own schema.graphql.
//
// It is test support: it imports the full gqlparser (parser and validator),
// which the SDK packages must not depend on, so only tests import it.
package refschema

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
)

// The token roles of the gateway, named as their reference schemas are.
const (
	Gateway  = "payment-gateway"
	Merchant = "merchant"
)

// Root returns the module's root directory (the one holding go.mod).
func Root(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the refschema source file")
	}
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Load parses one of Kronor's published role schemas, role being Gateway or
// Merchant. When the file is absent the test is skipped, unless the CI
// environment variable is set, where it fails.
func Load(t testing.TB, role string) *ast.Schema {
	t.Helper()
	path := filepath.Join(Root(t), "..", "shared", "reference", role+".graphqls")
	src, err := os.ReadFile(path)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("reference schema missing under CI: %v", err)
		}
		t.Skipf("reference schema not available: %v", err)
	}
	// The published schemas are introspection dumps that redeclare some of the
	// built-in scalars, introspection types and directives: keep gqlparser's
	// prelude version of each and drop the dump's.
	doc, perr := parser.ParseSchemas(validator.Prelude, &ast.Source{Name: path, Input: string(src)})
	if perr != nil {
		t.Fatalf("parse %s: %v", path, perr)
	}
	seen := map[string]bool{}
	doc.Definitions = slices.DeleteFunc(doc.Definitions, func(d *ast.Definition) bool {
		dup := seen[d.Name]
		seen[d.Name] = true
		return dup
	})
	seenDirective := map[string]bool{}
	doc.Directives = slices.DeleteFunc(doc.Directives, func(d *ast.DirectiveDefinition) bool {
		dup := seenDirective[d.Name]
		seenDirective[d.Name] = true
		return dup
	})
	s, gerr := validator.ValidateSchemaDocument(doc)
	if gerr != nil {
		t.Fatalf("load %s: %v", path, gerr)
	}
	return s
}

// LoadOwn parses the project's schema.graphql.
func LoadOwn(t testing.TB) *ast.Schema {
	t.Helper()
	path := filepath.Join(Root(t), "schema.graphql")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, gerr := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphql", Input: string(src)})
	if gerr != nil {
		t.Fatalf("parse schema.graphql: %v", gerr)
	}
	return s
}
