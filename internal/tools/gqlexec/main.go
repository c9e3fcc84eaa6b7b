// Command gqlexec takes out of the executable schema gqlgen generated work it
// need not do on every operation, object or field. Each rewrite keeps what
// the code does; each checks the shape of the code it rewrites and fails
// when gqlgen changed it.
//
// First, the map of input unmarshalers, which only
// graphql.UnmarshalInputFromContext reads: Exec builds, per operation, a map
// of every input type's unmarshaler
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
//
// Second, the deferred group of every object's marshaler (see
// rewriteDeferred): each one builds, per object it marshals, a map of
// @defer labels, a field set for the deferred fields and the object's
// path, then hands them to ProcessDeferredGroup, which does nothing when no
// field is deferred, the usual case. The hand-over is made only when a
// field is deferred, and in marshalers that have no deferrable field (whose
// map is always empty) the map is nil and the field set is not built.
//
// Third, the error of a scalar field's FieldContext.Child (see
// rewriteScalarErrors): one per scalar type, built once, instead of one
// errors.New per field resolved.
//
// Fourth, the fields every object's marshaler collects (see
// rewriteCollectFields): they call cachedCollectFields, written by hand in
// package graph, which keeps graphql.CollectFields' result across
// operations when it cannot change.
//
// Fifth, the path of an input field (see rewriteInputPaths): the context
// holding it is built only when unmarshaling the field's scalar value fails,
// which is the only time that value's unmarshaler reads it.
package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/kronor-io/kronor-go/internal/tools/gofile"
)

const (
	mapVar = "inputUnmarshalMap"
	// note marks a rewritten Exec.
	note = "// gqlexec: no map of input unmarshalers (graphql.UnmarshalInputFromContext is not used)."
)

func main() { gofile.Main("gqlexec", rewrite) }

// rewrite returns src with every rewrite applied, in order.
func rewrite(name string, src []byte) ([]byte, error) {
	for _, r := range []func(string, []byte) ([]byte, error){rewriteExec, rewriteDeferred, rewriteScalarErrors, rewriteCollectFields, rewriteInputPaths} {
		var err error
		if src, err = r(name, src); err != nil {
			return nil, err
		}
	}
	return src, nil
}

// rewriteExec returns src with Exec's map of input unmarshalers taken out:
// the statement that builds it and those that put it in the context.
func rewriteExec(name string, src []byte) ([]byte, error) {
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

// isCall reports whether e calls pkg.fn (or the method fn of the variable
// pkg).
func isCall(e ast.Expr, pkg, fn string) bool {
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == fn && isIdent(sel.X, pkg)
}

// edit replaces src[start:end] with text.
type edit struct {
	start, end int
	text       string
}

// apply returns src with edits (sorted, not overlapping) made, formatted.
func apply(src []byte, edits []edit) ([]byte, error) {
	slices.SortFunc(edits, func(a, b edit) int { return a.start - b.start })
	var out bytes.Buffer
	at := 0
	for _, e := range edits {
		if e.start < at {
			return nil, fmt.Errorf("overlapping edits at offset %d", e.start)
		}
		out.Write(src[at:e.start])
		out.WriteString(e.text)
		at = e.end
	}
	out.Write(src[at:])
	return format.Source(out.Bytes())
}

// lines returns the byte range of the whole lines n spans, newline included.
func lines(fset *token.FileSet, src []byte, n ast.Node) (start, end int) {
	start, end = fset.Position(n.Pos()).Offset, fset.Position(n.End()).Offset
	for start > 0 && src[start-1] != '\n' {
		start--
	}
	for end < len(src) && src[end] != '\n' {
		end++
	}
	return start, min(end+1, len(src))
}

const (
	labelsVar   = "deferLabelToView"
	deferredVar = "deferredFieldSet"
	// deferredCond guards the hand-over of a rewritten marshaler.
	deferredCond = "len(" + labelsVar + ") > 0"
	// nilLabels declares the map of a marshaler without deferrable fields.
	nilLabels = "var " + labelsVar + " map[string]*graphql.FieldSetView // gqlexec: no deferrable field here, so always empty"
)

// rewriteDeferred rewrites every marshaler of an object's fields (a function
// whose body declares deferLabelToView := make(map[string]*graphql.FieldSetView)
// and deferredFieldSet := graphql.NewFieldSet(nil), and ends with
//
//	atomic.AddInt32(&ec.Deferred, int32(min(len(deferLabelToView), math.MaxInt32)))
//	ec.ProcessDeferredGroup(graphql.DeferredGroup{…})
//
// ) so that those two statements run only when deferLabelToView is not
// empty: when it is, the first adds zero and the second returns at once
// (gqlgen's ProcessDeferredGroup starts with "if len(dg.Defers) == 0
// { return }"), but its argument, the object's path (graphql.GetPath), is
// built all the same. A marshaler that has no deferrable field uses the
// two variables in those statements alone: its map is always empty, so it
// is declared nil instead of made, and its field set is built (with
// graphql.NewFieldSet, which only allocates) inside the guard, where it is
// used, that is never. A marshaler already rewritten is left as it is.
func rewriteDeferred(name string, src []byte) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	var edits []edit
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		labels, deferred, add, hand := -1, -1, -1, -1
		rewritten := false
		for i, st := range fd.Body.List {
			switch st := st.(type) {
			case *ast.AssignStmt:
				if len(st.Lhs) != 1 || len(st.Rhs) != 1 || st.Tok != token.DEFINE {
					continue
				}
				switch {
				case isIdent(st.Lhs[0], labelsVar) && isMake(st.Rhs[0], "map[string]*graphql.FieldSetView", fset):
					labels = i
				case isIdent(st.Lhs[0], deferredVar) && isCall(st.Rhs[0], "graphql", "NewFieldSet") &&
					len(st.Rhs[0].(*ast.CallExpr).Args) == 1 && isIdent(st.Rhs[0].(*ast.CallExpr).Args[0], "nil"):
					deferred = i
				}
			case *ast.ExprStmt:
				switch {
				case isCall(st.X, "atomic", "AddInt32") && strings.Contains(nodeText(fset, src, st), "&ec.Deferred"):
					add = i
				case isCall(st.X, "ec", "ProcessDeferredGroup"):
					hand = i
				}
			case *ast.IfStmt:
				if nodeText(fset, src, st.Cond) == deferredCond {
					rewritten = true
				}
			}
		}
		if rewritten || labels < 0 && deferred < 0 && add < 0 && hand < 0 {
			continue
		}
		if labels < 0 || deferred < 0 || add < 0 || hand != add+1 {
			return nil, fmt.Errorf("%s: %s does not build its deferred group as gqlgen v0.17.94 did (%s, %s, AddInt32, ProcessDeferredGroup): gqlgen changed; see what the object marshalers do now, and update or drop this rewrite",
				name, fd.Name.Name, labelsVar, deferredVar)
		}
		handStmt := fd.Body.List[hand].(*ast.ExprStmt)
		if !mentions(handStmt, labelsVar) || !mentions(handStmt, deferredVar) || !mentions(fd.Body.List[add], labelsVar) {
			return nil, fmt.Errorf("%s: %s hands over something else than %s and %s: gqlgen changed", name, fd.Name.Name, labelsVar, deferredVar)
		}
		// Without deferrable fields, the variables are used in the
		// declarations and the two statements alone.
		lean := uses(fd.Body, labelsVar) == 3 && uses(fd.Body, deferredVar) == 2
		addStart, _ := lines(fset, src, fd.Body.List[add])
		_, handEnd := lines(fset, src, handStmt)
		open := "if " + deferredCond + " {\n"
		if lean {
			ls, le := lines(fset, src, fd.Body.List[labels])
			edits = append(edits, edit{ls, le, nilLabels + "\n"})
			ds, de := lines(fset, src, fd.Body.List[deferred])
			edits = append(edits, edit{ds, de, ""})
			open += deferredVar + " := graphql.NewFieldSet(nil)\n"
		}
		edits = append(edits, edit{addStart, addStart, open}, edit{handEnd, handEnd, "}\n"})
	}
	if len(edits) == 0 {
		return src, nil
	}
	return apply(src, edits)
}

// scalarErrorPrefix and scalarErrorSuffix frame the error of a scalar
// field's FieldContext.Child that gqlgen passes to NewScalarFieldContext.
const (
	scalarErrorPrefix = "field of type "
	scalarErrorSuffix = " does not have child fields"
	scalarErrorVar    = "errNoChildFieldsOf_"
)

// rewriteScalarErrors replaces the argument errors.New("field of type T
// does not have child fields") of every graphql.NewScalarFieldContext call
// with a variable holding that error, one per scalar type T, declared at
// the end of the file: a FieldContext's Child returns the same message
// (gqlgen's errors.New error, never compared, only returned), built once
// instead of per field resolved.
func rewriteScalarErrors(name string, src []byte) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	var edits []edit
	types := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || !isCall(call, "graphql", "NewScalarFieldContext") || len(call.Args) != 5 {
			return true
		}
		arg, ok := call.Args[4].(*ast.CallExpr)
		if !ok || !isCall(arg, "errors", "New") || len(arg.Args) != 1 {
			return true
		}
		lit, ok := arg.Args[0].(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true
		}
		msg, err := strconv.Unquote(lit.Value)
		if err != nil || !strings.HasPrefix(msg, scalarErrorPrefix) || !strings.HasSuffix(msg, scalarErrorSuffix) {
			return true
		}
		typ := strings.TrimSuffix(strings.TrimPrefix(msg, scalarErrorPrefix), scalarErrorSuffix)
		if !token.IsIdentifier(typ) {
			return true
		}
		types[typ] = true
		edits = append(edits, edit{fset.Position(arg.Pos()).Offset, fset.Position(arg.End()).Offset, scalarErrorVar + typ})
		return true
	})
	if len(edits) == 0 {
		return src, nil
	}
	var decl strings.Builder
	if !bytes.HasSuffix(src, []byte("\n")) {
		decl.WriteByte('\n')
	}
	decl.WriteString("\n// gqlexec: the errors of scalar fields' FieldContext.Child, one per type.\nvar (\n")
	for _, t := range slices.Sorted(maps.Keys(types)) {
		fmt.Fprintf(&decl, "\t%s%s = errors.New(%q)\n", scalarErrorVar, t, scalarErrorPrefix+t+scalarErrorSuffix)
	}
	decl.WriteString(")\n")
	if bytes.Contains(src, []byte("\nvar (\n\t"+scalarErrorVar)) {
		return nil, fmt.Errorf("%s: NewScalarFieldContext is called with errors.New again, but the file already declares %s variables", name, scalarErrorVar)
	}
	edits = append(edits, edit{len(src), len(src), decl.String()})
	return apply(src, edits)
}

// collectFieldsFunc is the function of package graph that the marshalers
// call instead of graphql.CollectFields (kronortest/internal/graph/collect.go).
const collectFieldsFunc = "cachedCollectFields"

// rewriteCollectFields replaces every call graphql.CollectFields(ec.OperationContext, sel, …)
// with cachedCollectFields(ec.OperationContext, sel, …), which has the same
// parameters and results. It fails when there is no such call, nor one
// already rewritten.
func rewriteCollectFields(name string, src []byte) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	var edits []edit
	rewritten := 0
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) != 3 {
			return true
		}
		if isIdent(call.Fun, collectFieldsFunc) {
			rewritten++
		}
		sel, ok := call.Args[0].(*ast.SelectorExpr)
		if !isCall(call, "graphql", "CollectFields") || !ok || !isIdent(sel.X, "ec") || sel.Sel.Name != "OperationContext" {
			return true
		}
		edits = append(edits, edit{fset.Position(call.Fun.Pos()).Offset, fset.Position(call.Fun.End()).Offset, collectFieldsFunc})
		return true
	})
	if len(edits) == 0 && rewritten == 0 {
		return nil, fmt.Errorf("%s: no marshaler calls graphql.CollectFields(ec.OperationContext, …): gqlgen changed; see how the object marshalers collect their fields now, and update or drop this rewrite", name)
	}
	if len(edits) == 0 {
		return src, nil
	}
	return apply(src, edits)
}

// pureUnmarshalers are gqlgen's scalar unmarshalers that depend on their
// argument alone and return a new error when they fail.
var pureUnmarshalers = map[string]bool{
	"UnmarshalString": true, "UnmarshalBoolean": true, "UnmarshalInt": true, "UnmarshalInt32": true,
	"UnmarshalInt64": true, "UnmarshalFloat": true, "UnmarshalTime": true, "UnmarshalID": true,
}

// pathOnErrorNote marks a rewritten input field.
const pathOnErrorNote = "// gqlexec: the field's path only on error (see rewriteInputPaths)"

// rewriteInputPaths rewrites, in every input object's unmarshaler, the
// fields whose value goes to a scalar unmarshaler U of this file whose body
// is exactly
//
//	res, err := graphql.UnmarshalX(v)
//	return res, graphql.ErrorOnPath(ctx, err)
//
// or that with "if v == nil { return nil, nil }" first and &res returned,
// UnmarshalX one of pureUnmarshalers: U reads its context only to put the
// path on its error, and does the same thing whatever the context
// otherwise. Each such field,
//
//	ctx := graphql.WithPathContext(ctx, graphql.NewPathWithField("f"))
//	data, err := ec.U(ctx, v)
//	if err != nil {
//		return it, err
//	}
//
// calls U with the unmarshaler's context first and, only when it fails,
// again with the field's path as before, whose error is the one returned:
// the field's value and error are those of before, and a value that
// unmarshals (the usual case) no longer builds a context and a path.
func rewriteInputPaths(name string, src []byte) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	pure := map[string]bool{}
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv != nil && strings.HasPrefix(fd.Name.Name, "unmarshal") && isPureScalarUnmarshaler(fset, src, fd) {
			pure[fd.Name.Name] = true
		}
	}
	var edits []edit
	fields, rewritten := 0, bytes.Count(src, []byte(pathOnErrorNote))
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil || !strings.HasPrefix(fd.Name.Name, "unmarshalInput") {
			continue
		}
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			cc, ok := n.(*ast.CaseClause)
			if !ok || len(cc.Body) < 3 {
				return true
			}
			path, ok := pathContextDecl(cc.Body[0])
			if !ok {
				return true
			}
			fields++
			call, ok := unmarshalCall(cc.Body[1])
			if !ok || !pure[call] || !isReturnOnError(cc.Body[2]) || usesAfter(cc.Body[3:], "ctx") {
				return true
			}
			ds, de := lines(fset, src, cc.Body[0])
			_, ce := lines(fset, src, cc.Body[1])
			callText := strings.TrimSpace(nodeText(fset, src, cc.Body[1]))
			edits = append(edits,
				edit{ds, de, ""},
				edit{ce, ce, "if err != nil { " + pathOnErrorNote + "\n" + path + "\n" +
					strings.Replace(callText, "data, err :=", "data, err =", 1) + "\n}\n"})
			return true
		})
	}
	if fields == 0 && rewritten == 0 {
		return nil, fmt.Errorf("%s: no input unmarshaler puts its fields' paths in the context as gqlgen v0.17.94 did: gqlgen changed; see what the unmarshalInput functions do now, and update or drop this rewrite", name)
	}
	if len(edits) == 0 {
		return src, nil
	}
	return apply(src, edits)
}

// isPureScalarUnmarshaler reports whether fd has one of the two bodies
// rewriteInputPaths knows.
func isPureScalarUnmarshaler(fset *token.FileSet, src []byte, fd *ast.FuncDecl) bool {
	if fd.Body == nil || fd.Type.Params.NumFields() != 2 {
		return false
	}
	var body []string
	for _, st := range fd.Body.List {
		body = append(body, strings.Join(strings.Fields(nodeText(fset, src, st)), " "))
	}
	if len(body) == 3 && body[0] == "if v == nil { return nil, nil }" {
		body = body[1:]
		if body[1] != "return &res, graphql.ErrorOnPath(ctx, err)" {
			return false
		}
	} else if len(body) != 2 || body[1] != "return res, graphql.ErrorOnPath(ctx, err)" {
		return false
	}
	fn, ok := strings.CutPrefix(body[0], "res, err := graphql.")
	if !ok {
		return false
	}
	fn, ok = strings.CutSuffix(fn, "(v)")
	return ok && pureUnmarshalers[fn]
}

// pathContextDecl reports whether st is
// ctx := graphql.WithPathContext(ctx, graphql.NewPathWithField("f")), and
// returns its source.
func pathContextDecl(st ast.Stmt) (string, bool) {
	as, ok := st.(*ast.AssignStmt)
	if !ok || as.Tok != token.DEFINE || len(as.Lhs) != 1 || len(as.Rhs) != 1 || !isIdent(as.Lhs[0], "ctx") {
		return "", false
	}
	call, ok := as.Rhs[0].(*ast.CallExpr)
	if !ok || !isCall(call, "graphql", "WithPathContext") || len(call.Args) != 2 || !isIdent(call.Args[0], "ctx") {
		return "", false
	}
	inner, ok := call.Args[1].(*ast.CallExpr)
	if !ok || !isCall(inner, "graphql", "NewPathWithField") || len(inner.Args) != 1 {
		return "", false
	}
	lit, ok := inner.Args[0].(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	return "ctx := graphql.WithPathContext(ctx, graphql.NewPathWithField(" + lit.Value + "))", true
}

// unmarshalCall reports whether st is data, err := ec.U(ctx, v), and
// returns U.
func unmarshalCall(st ast.Stmt) (string, bool) {
	as, ok := st.(*ast.AssignStmt)
	if !ok || as.Tok != token.DEFINE || len(as.Lhs) != 2 || len(as.Rhs) != 1 || !isIdent(as.Lhs[0], "data") || !isIdent(as.Lhs[1], "err") {
		return "", false
	}
	call, ok := as.Rhs[0].(*ast.CallExpr)
	if !ok || len(call.Args) != 2 || !isIdent(call.Args[0], "ctx") || !isIdent(call.Args[1], "v") {
		return "", false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || !isIdent(sel.X, "ec") {
		return "", false
	}
	return sel.Sel.Name, true
}

// isReturnOnError reports whether st is if err != nil { return it, err }.
func isReturnOnError(st ast.Stmt) bool {
	is, ok := st.(*ast.IfStmt)
	if !ok || is.Init != nil || is.Else != nil || len(is.Body.List) != 1 {
		return false
	}
	cond, ok := is.Cond.(*ast.BinaryExpr)
	if !ok || cond.Op != token.NEQ || !isIdent(cond.X, "err") || !isIdent(cond.Y, "nil") {
		return false
	}
	ret, ok := is.Body.List[0].(*ast.ReturnStmt)
	return ok && len(ret.Results) == 2 && isIdent(ret.Results[0], "it") && isIdent(ret.Results[1], "err")
}

// usesAfter reports whether any of sts uses the identifier name.
func usesAfter(sts []ast.Stmt, name string) bool {
	for _, st := range sts {
		if mentions(st, name) {
			return true
		}
	}
	return false
}

// nodeText returns the source of n.
func nodeText(fset *token.FileSet, src []byte, n ast.Node) string {
	return string(src[fset.Position(n.Pos()).Offset:fset.Position(n.End()).Offset])
}

// isMake reports whether e is make(typ), typ as gofmt writes it.
func isMake(e ast.Expr, typ string, fset *token.FileSet) bool {
	call, ok := e.(*ast.CallExpr)
	if !ok || !isIdent(call.Fun, "make") || len(call.Args) != 1 {
		return false
	}
	var b bytes.Buffer
	if err := format.Node(&b, fset, call.Args[0]); err != nil {
		return false
	}
	return b.String() == typ
}

// uses counts the identifiers named name in n.
func uses(n ast.Node, name string) int {
	count := 0
	ast.Inspect(n, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && id.Name == name {
			count++
		}
		return true
	})
	return count
}

// mentions reports whether n uses the identifier name.
func mentions(n ast.Node, name string) bool { return uses(n, name) > 0 }
