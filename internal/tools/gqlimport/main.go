// Command gqlimport points the code genqlient generated at the SDK's own
// run-time package: it rewrites the Go file it is given so that it imports
// github.com/kronor-io/kronor-go/internal/gql instead of
// github.com/Khan/genqlient/graphql, and names that package gql in its code
// and doc links. genqlient has no option for the run-time package's path.
//
// internal/api's second //go:generate directive runs it after genqlient:
//
//	go run -C ../tools ./gqlimport ../api/generated.go
//
// It uses only the standard library and the file, so it runs offline, and
// its output depends on its input alone. A file already rewritten is left
// as it is.
package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"strconv"
	"strings"

	"github.com/kronor-io/kronor-go/internal/tools/gofile"
)

const (
	genqlientPath = "github.com/Khan/genqlient/graphql"
	gqlPath       = "github.com/kronor-io/kronor-go/internal/gql"
	gqlName       = "gql"
)

func main() { gofile.Main("gqlimport", rewrite) }

// rewrite returns src with genqlient's run-time package replaced by gql.
func rewrite(name string, src []byte) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	var spec *ast.ImportSpec
	for _, s := range f.Imports {
		switch path, _ := strconv.Unquote(s.Path.Value); path {
		case genqlientPath:
			spec = s
		}
	}
	if spec == nil {
		if strings.Contains(string(src), genqlientPath) {
			return nil, fmt.Errorf("%s mentions %s but does not import it plainly", name, genqlientPath)
		}
		return src, nil // nothing to do (already rewritten)
	}
	old := "graphql"
	if spec.Name != nil {
		old = spec.Name.Name
	}
	if old == "_" || old == "." {
		return nil, fmt.Errorf("%s imports %s as %s", name, genqlientPath, old)
	}
	spec.Name = nil
	spec.Path.Value = strconv.Quote(gqlPath)

	// References to the package are selectors on an identifier that no
	// declaration of the file resolves: the parser leaves those unresolved.
	var clash error
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			if id, ok := n.X.(*ast.Ident); ok && id.Name == old && id.Obj == nil {
				id.Name = gqlName
			}
		case *ast.Ident:
			if n.Name == gqlName && n.Obj != nil && clash == nil {
				clash = fmt.Errorf("%s declares %s, the name of the package it is pointed at", name, gqlName)
			}
		}
		return true
	})
	if clash != nil {
		return nil, clash
	}
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			c.Text = strings.ReplaceAll(c.Text, "["+old+".", "["+gqlName+".")
		}
	}
	ast.SortImports(fset, f)

	var buf bytes.Buffer
	if err := format.Node(&buf, fset, f); err != nil {
		return nil, err
	}
	// Formatting the printed file once more settles what the shorter names
	// changed (alignment), so that the output is gofmt's.
	out, err := format.Source(buf.Bytes())
	if err != nil {
		return nil, err
	}
	if bytes.Contains(out, []byte(genqlientPath)) {
		return nil, fmt.Errorf("%s still mentions %s after the rewrite", name, genqlientPath)
	}
	return out, nil
}
