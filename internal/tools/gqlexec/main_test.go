package main

import (
	"os"
	"strings"
	"testing"
)

// marshalers holds two object marshalers as gqlgen v0.17.94 writes them:
// lean has no deferrable field, deferring has one.
const marshalers = `package graph

func (ec *executionContext) _Lean(ctx context.Context, sel ast.SelectionSet) graphql.Marshaler {
	fields := graphql.CollectFields(ec.OperationContext, sel, leanImplementors)

	out := graphql.NewFieldSet(fields)
	deferredFieldSet := graphql.NewFieldSet(nil)
	deferLabelToView := make(map[string]*graphql.FieldSetView)
	for i, field := range fields {
		out.Values[i] = graphql.MarshalString("Lean")
	}
	out.Dispatch(ctx)
	if out.Invalids > 0 {
		return graphql.Null
	}

	atomic.AddInt32(&ec.Deferred, int32(min(len(deferLabelToView), math.MaxInt32)))

	ec.ProcessDeferredGroup(graphql.DeferredGroup{
		Defers:   deferLabelToView,
		Path:     graphql.GetPath(ctx),
		FieldSet: deferredFieldSet,
		Context:  ctx,
	})

	return out
}

func (ec *executionContext) _Deferring(ctx context.Context, sel ast.SelectionSet) graphql.Marshaler {
	out := graphql.NewFieldSet(fields)
	deferredFieldSet := graphql.NewFieldSet(nil)
	deferLabelToView := make(map[string]*graphql.FieldSetView)
	for i, field := range fields {
		if field.IsDeferred() {
			deferredFieldSet.AddField(field)
			view, ok := deferLabelToView[field.Label]
			if !ok {
				view = deferredFieldSet.NewView()
				deferLabelToView[field.Label] = view
			}
		}
	}

	atomic.AddInt32(&ec.Deferred, int32(min(len(deferLabelToView), math.MaxInt32)))

	ec.ProcessDeferredGroup(graphql.DeferredGroup{
		Defers:   deferLabelToView,
		Path:     graphql.GetPath(ctx),
		FieldSet: deferredFieldSet,
		Context:  ctx,
	})

	return out
}
`

const marshalersRewritten = `package graph

func (ec *executionContext) _Lean(ctx context.Context, sel ast.SelectionSet) graphql.Marshaler {
	fields := graphql.CollectFields(ec.OperationContext, sel, leanImplementors)

	out := graphql.NewFieldSet(fields)
	var deferLabelToView map[string]*graphql.FieldSetView // gqlexec: no deferrable field here, so always empty
	for i, field := range fields {
		out.Values[i] = graphql.MarshalString("Lean")
	}
	out.Dispatch(ctx)
	if out.Invalids > 0 {
		return graphql.Null
	}

	if len(deferLabelToView) > 0 {
		deferredFieldSet := graphql.NewFieldSet(nil)
		atomic.AddInt32(&ec.Deferred, int32(min(len(deferLabelToView), math.MaxInt32)))

		ec.ProcessDeferredGroup(graphql.DeferredGroup{
			Defers:   deferLabelToView,
			Path:     graphql.GetPath(ctx),
			FieldSet: deferredFieldSet,
			Context:  ctx,
		})
	}

	return out
}

func (ec *executionContext) _Deferring(ctx context.Context, sel ast.SelectionSet) graphql.Marshaler {
	out := graphql.NewFieldSet(fields)
	deferredFieldSet := graphql.NewFieldSet(nil)
	deferLabelToView := make(map[string]*graphql.FieldSetView)
	for i, field := range fields {
		if field.IsDeferred() {
			deferredFieldSet.AddField(field)
			view, ok := deferLabelToView[field.Label]
			if !ok {
				view = deferredFieldSet.NewView()
				deferLabelToView[field.Label] = view
			}
		}
	}

	if len(deferLabelToView) > 0 {
		atomic.AddInt32(&ec.Deferred, int32(min(len(deferLabelToView), math.MaxInt32)))

		ec.ProcessDeferredGroup(graphql.DeferredGroup{
			Defers:   deferLabelToView,
			Path:     graphql.GetPath(ctx),
			FieldSet: deferredFieldSet,
			Context:  ctx,
		})
	}

	return out
}
`

func TestRewriteDeferred(t *testing.T) {
	got, err := rewriteDeferred("x.go", []byte(marshalers))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != marshalersRewritten {
		t.Errorf("rewriteDeferred:\n%s\nwant:\n%s", got, marshalersRewritten)
	}
	again, err := rewriteDeferred("x.go", got)
	if err != nil || string(again) != string(got) {
		t.Errorf("a rewritten file is rewritten again (err %v):\n%s", err, again)
	}
}

func TestRewriteDeferredRefusesOtherShapes(t *testing.T) {
	for name, src := range map[string]string{
		"no hand-over": strings.Replace(marshalers, "\tec.ProcessDeferredGroup(", "\tec.Other(", 1),
		"no AddInt32":  strings.Replace(marshalers, "atomic.AddInt32(&ec.Deferred", "atomic.AddInt64(&ec.Deferred", 1),
		"no field set": strings.Replace(marshalers, "deferredFieldSet := graphql.NewFieldSet(nil)", "deferredFieldSet := graphql.NewFieldSet(fields)", 1),
		"apart":        strings.Replace(marshalers, "\n\tec.ProcessDeferredGroup(", "\n\tout.Dispatch(ctx)\n\tec.ProcessDeferredGroup(", 1),
		"other group":  strings.Replace(marshalers, "Defers:   deferLabelToView,\n\t\tPath:     graphql.GetPath(ctx),\n\t\tFieldSet: deferredFieldSet,", "Path: graphql.GetPath(ctx),", 1),
	} {
		if _, err := rewriteDeferred("x.go", []byte(src)); err == nil || !strings.Contains(err.Error(), "gqlgen changed") {
			t.Errorf("%s: err = %v, want a gqlgen changed error", name, err)
		}
	}
}

const scalarFields = `package graph

func (ec *executionContext) fieldContext_A_id(_ context.Context, field graphql.CollectedField) (fc *graphql.FieldContext, err error) {
	return graphql.NewScalarFieldContext("A", field, false, false, errors.New("field of type uuid does not have child fields"))
}

func (ec *executionContext) fieldContext_A_name(_ context.Context, field graphql.CollectedField) (fc *graphql.FieldContext, err error) {
	return graphql.NewScalarFieldContext("A", field, false, false, errors.New("field of type String does not have child fields"))
}

func (ec *executionContext) fieldContext_B_id(_ context.Context, field graphql.CollectedField) (fc *graphql.FieldContext, err error) {
	return graphql.NewScalarFieldContext("B", field, true, false, errors.New("field of type uuid does not have child fields"))
}

func (ec *executionContext) fieldContext_B_c(_ context.Context, field graphql.CollectedField) (fc *graphql.FieldContext, err error) {
	fc = &graphql.FieldContext{
		Child: func(ctx context.Context, field graphql.CollectedField) (*graphql.FieldContext, error) {
			return nil, errors.New("field of type String does not have child fields")
		},
	}
	return fc, nil
}
`

const scalarFieldsRewritten = `package graph

func (ec *executionContext) fieldContext_A_id(_ context.Context, field graphql.CollectedField) (fc *graphql.FieldContext, err error) {
	return graphql.NewScalarFieldContext("A", field, false, false, errNoChildFieldsOf_uuid)
}

func (ec *executionContext) fieldContext_A_name(_ context.Context, field graphql.CollectedField) (fc *graphql.FieldContext, err error) {
	return graphql.NewScalarFieldContext("A", field, false, false, errNoChildFieldsOf_String)
}

func (ec *executionContext) fieldContext_B_id(_ context.Context, field graphql.CollectedField) (fc *graphql.FieldContext, err error) {
	return graphql.NewScalarFieldContext("B", field, true, false, errNoChildFieldsOf_uuid)
}

func (ec *executionContext) fieldContext_B_c(_ context.Context, field graphql.CollectedField) (fc *graphql.FieldContext, err error) {
	fc = &graphql.FieldContext{
		Child: func(ctx context.Context, field graphql.CollectedField) (*graphql.FieldContext, error) {
			return nil, errors.New("field of type String does not have child fields")
		},
	}
	return fc, nil
}

// gqlexec: the errors of scalar fields' FieldContext.Child, one per type.
var (
	errNoChildFieldsOf_String = errors.New("field of type String does not have child fields")
	errNoChildFieldsOf_uuid   = errors.New("field of type uuid does not have child fields")
)
`

func TestRewriteScalarErrors(t *testing.T) {
	got, err := rewriteScalarErrors("x.go", []byte(scalarFields))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != scalarFieldsRewritten {
		t.Errorf("rewriteScalarErrors:\n%s\nwant:\n%s", got, scalarFieldsRewritten)
	}
	again, err := rewriteScalarErrors("x.go", got)
	if err != nil || string(again) != string(got) {
		t.Errorf("a rewritten file is rewritten again (err %v):\n%s", err, again)
	}
}

const collecting = `package graph

func (ec *executionContext) _A(ctx context.Context, sel ast.SelectionSet, obj *model.A) graphql.Marshaler {
	fields := graphql.CollectFields(ec.OperationContext, sel, aImplementors)
	other := graphql.CollectFields(oc, sel, aImplementors)
	return fields
}
`

func TestRewriteCollectFields(t *testing.T) {
	got, err := rewriteCollectFields("x.go", []byte(collecting))
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(collecting, "fields := graphql.CollectFields(ec.", "fields := cachedCollectFields(ec.", 1)
	if string(got) != want {
		t.Errorf("rewriteCollectFields:\n%s\nwant:\n%s", got, want)
	}
	again, err := rewriteCollectFields("x.go", got)
	if err != nil || string(again) != string(got) {
		t.Errorf("a rewritten file is rewritten again (err %v):\n%s", err, again)
	}
	none := strings.ReplaceAll(collecting, "ec.OperationContext", "oc")
	if _, err := rewriteCollectFields("x.go", []byte(none)); err == nil || !strings.Contains(err.Error(), "gqlgen changed") {
		t.Errorf("no call to rewrite: err = %v, want a gqlgen changed error", err)
	}
}

const inputFields = `package graph

func (ec *executionContext) unmarshalInputA(ctx context.Context, obj any) (model.A, error) {
	var it model.A
	for _, k := range fieldsInOrder {
		switch k {
		case "s":
			ctx := graphql.WithPathContext(ctx, graphql.NewPathWithField("s"))
			data, err := ec.unmarshalNString2string(ctx, v)
			if err != nil {
				return it, err
			}
			it.S = data
		case "p":
			ctx := graphql.WithPathContext(ctx, graphql.NewPathWithField("p"))
			data, err := ec.unmarshalOString2ᚖstring(ctx, v)
			if err != nil {
				return it, err
			}
			it.P = data
		case "e":
			ctx := graphql.WithPathContext(ctx, graphql.NewPathWithField("e"))
			data, err := ec.unmarshalNEnum(ctx, v)
			if err != nil {
				return it, err
			}
			it.E = data
		case "nested":
			ctx := graphql.WithPathContext(ctx, graphql.NewPathWithField("nested"))
			data, err := ec.unmarshalOB2ᚖB(ctx, v)
			if err != nil {
				return it, err
			}
			it.Nested = data
		}
	}
	return it, nil
}

func (ec *executionContext) unmarshalNString2string(ctx context.Context, v any) (string, error) {
	res, err := graphql.UnmarshalString(v)
	return res, graphql.ErrorOnPath(ctx, err)
}

func (ec *executionContext) unmarshalOString2ᚖstring(ctx context.Context, v any) (*string, error) {
	if v == nil {
		return nil, nil
	}
	res, err := graphql.UnmarshalString(v)
	return &res, graphql.ErrorOnPath(ctx, err)
}

func (ec *executionContext) unmarshalNEnum(ctx context.Context, v any) (model.Enum, error) {
	var res model.Enum
	err := res.UnmarshalGQL(v)
	return res, graphql.ErrorOnPath(ctx, err)
}

func (ec *executionContext) unmarshalOB2ᚖB(ctx context.Context, v any) (*model.B, error) {
	if v == nil {
		return nil, nil
	}
	res, err := ec.unmarshalInputB(ctx, v)
	return &res, graphql.ErrorOnPath(ctx, err)
}
`

func TestRewriteInputPaths(t *testing.T) {
	got, err := rewriteInputPaths("x.go", []byte(inputFields))
	if err != nil {
		t.Fatal(err)
	}
	want := inputFields
	for _, f := range []struct{ field, fn string }{{"s", "unmarshalNString2string"}, {"p", "unmarshalOString2ᚖstring"}} {
		want = strings.Replace(want, "\t\t\tctx := graphql.WithPathContext(ctx, graphql.NewPathWithField(\""+f.field+"\"))\n\t\t\tdata, err := ec."+f.fn+"(ctx, v)\n",
			"\t\t\tdata, err := ec."+f.fn+"(ctx, v)\n\t\t\tif err != nil { "+pathOnErrorNote+"\n\t\t\t\tctx := graphql.WithPathContext(ctx, graphql.NewPathWithField(\""+f.field+"\"))\n\t\t\t\tdata, err = ec."+f.fn+"(ctx, v)\n\t\t\t}\n", 1)
	}
	if string(got) != want {
		t.Errorf("rewriteInputPaths:\n%s\nwant:\n%s", got, want)
	}
	again, err := rewriteInputPaths("x.go", got)
	if err != nil || string(again) != string(got) {
		t.Errorf("a rewritten file is rewritten again (err %v):\n%s", err, again)
	}
	none := strings.ReplaceAll(inputFields, "graphql.NewPathWithField", "graphql.OtherPath")
	if _, err := rewriteInputPaths("x.go", []byte(none)); err == nil || !strings.Contains(err.Error(), "gqlgen changed") {
		t.Errorf("no field to rewrite: err = %v, want a gqlgen changed error", err)
	}
}

// The committed executable schema is what gqlexec makes of gqlgen's output:
// rewriting it again changes nothing (go generate's own check, in CI,
// compares it with a fresh run of gqlgen and gqlexec).
func TestGeneratedFileIsRewritten(t *testing.T) {
	const name = "../../../kronortest/internal/graph/generated.go"
	src, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	got, err := rewrite(name, src)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(src) {
		t.Errorf("rewriting %s again changes it", name)
	}
	for _, s := range []string{note, nilLabels, "if " + deferredCond + " {", scalarErrorVar + "uuid", collectFieldsFunc + "(ec.OperationContext, sel, ", pathOnErrorNote} {
		if !strings.Contains(string(src), s) {
			t.Errorf("%s lacks %q", name, s)
		}
	}
	if strings.Contains(string(src), "graphql.CollectFields(ec.OperationContext") {
		t.Errorf("%s still calls graphql.CollectFields", name)
	}
	if strings.Contains(string(src), `false, errors.New("field of type`) {
		t.Errorf("%s still builds a scalar field's error per field", name)
	}
}
