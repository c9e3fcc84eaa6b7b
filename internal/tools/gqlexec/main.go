// Command gqlexec takes out of the executable schema gqlgen generated the
// work it does on every operation for graphql.UnmarshalInputFromContext
// alone: Exec builds, per operation, a map of every input type's unmarshaler
// (graphql.BuildUnmarshalerMap: one bound method value per input type of the
// schema, about fifty allocations) and puts it in the context
// (graphql.WithUnmarshalerMap), where only graphql.UnmarshalInputFromContext
// reads it. kronortest's resolvers never call that function, so the map is
// dropped; a resolver that called it would get its error "graphql: the input
// context is empty". gqlgen v0.17.96 builds the map only when it is asked
// for, but needs Go 1.26; with it this step can go.
//
// kronortest's second //go:generate directive runs it after gqlgen:
//
//	go run -C ../internal/tools ./gqlexec ../../kronortest/internal/graph/generated.go
//
// It uses only the standard library and the file, so it runs offline, and
// its output depends on its input alone. A file already rewritten is left
// as it is; a file with neither the map nor the note it leaves is an error
// (gqlgen changed: look again at what Exec does).
package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"

	"github.com/kronor-io/kronor-go/internal/tools/gofile"
)

const (
	mapVar = "inputUnmarshalMap"
	// note marks a rewritten Exec.
	note = "// gqlexec: no map of input unmarshalers (graphql.UnmarshalInputFromContext is not used)."
)

func main() { gofile.Main("gqlexec", rewrite) }

// rewrite returns src with Exec's map of input unmarshalers taken out: the
// statement that builds it and those that put it in the context.
func rewrite(name string, src []byte) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	exec := findExec(f)
	if exec == nil {
		return nil, fmt.Errorf("%s has no (*executableSchema).Exec", name)
	}
	// Byte ranges to cut: whole lines, from the statement's first to its
	// last.
	var cuts [][2]int
	lineOf := func(n ast.Node) [2]int {
		start := fset.Position(n.Pos()).Offset
		end := fset.Position(n.End()).Offset
		for start > 0 && src[start-1] != '\n' {
			start--
		}
		for end < len(src) && src[end] != '\n' {
			end++
		}
		return [2]int{start, end + 1}
	}
	var built *ast.AssignStmt
	ast.Inspect(exec.Body, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || len(as.Rhs) != 1 {
			return true
		}
		switch {
		case isIdent(as.Lhs[0], mapVar) && isCall(as.Rhs[0], "graphql", "BuildUnmarshalerMap"):
			built = as
			cuts = append(cuts, lineOf(as))
		case isCall(as.Rhs[0], "graphql", "WithUnmarshalerMap"):
			call := as.Rhs[0].(*ast.CallExpr)
			if len(call.Args) != 2 || !isIdent(call.Args[1], mapVar) {
				return true
			}
			cuts = append(cuts, lineOf(as))
		}
		return true
	})
	if built == nil {
		if bytes.Contains(src, []byte(note)) {
			return src, nil // already rewritten
		}
		return nil, fmt.Errorf("%s: Exec does not build %s with graphql.BuildUnmarshalerMap: gqlgen changed; see what Exec does now, and update or drop gqlexec", name, mapVar)
	}
	if len(cuts) == 1 {
		return nil, fmt.Errorf("%s: Exec builds %s but never puts it in the context with graphql.WithUnmarshalerMap: gqlgen changed", name, mapVar)
	}
	var out bytes.Buffer
	at := 0
	for i, c := range cuts {
		out.Write(src[at:c[0]])
		if i == 0 { // where the map was built
			indent := src[c[0] : c[0]+bytes.IndexFunc(src[c[0]:], func(r rune) bool { return r != '\t' })]
			out.Write(indent)
			out.WriteString(note)
			out.WriteByte('\n')
		}
		at = c[1]
	}
	out.Write(src[at:])
	formatted, err := format.Source(out.Bytes())
	if err != nil {
		return nil, err
	}
	if bytes.Contains(formatted, []byte(mapVar)) {
		return nil, fmt.Errorf("%s still uses %s after the rewrite", name, mapVar)
	}
	return formatted, nil
}

// findExec returns the declaration of (*executableSchema).Exec.
func findExec(f *ast.File) *ast.FuncDecl {
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Name.Name != "Exec" || fd.Recv == nil || len(fd.Recv.List) != 1 || fd.Body == nil {
			continue
		}
		if star, ok := fd.Recv.List[0].Type.(*ast.StarExpr); ok && isIdent(star.X, "executableSchema") {
			return fd
		}
	}
	return nil
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

// isCall reports whether e calls pkg.fn.
func isCall(e ast.Expr, pkg, fn string) bool {
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == fn && isIdent(sel.X, pkg)
}
