package kronortest

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// One schema per role, as the real gateway (Hasura) serves: schema.graphql
// holds both roles' fields, and roleSchema cuts from it what one role has
// (fieldAllowed, proved against Kronor's published role schemas by
// role_test.go). Each role gets its own executor over its own schema, so
// that validation and introspection both follow the token's role: a session
// token's introspection shows no merchant field, and the reverse.

// roleSchema returns the part of full that role r may use: the fields
// fieldAllowed gives it, on the types reachable from the roots through those
// fields and their arguments, and the built-in types. full is not changed.
func roleSchema(full *ast.Schema, r role) *ast.Schema {
	out := &ast.Schema{
		Types:         map[string]*ast.Definition{},
		Directives:    full.Directives,
		PossibleTypes: map[string][]*ast.Definition{},
		Implements:    map[string][]*ast.Definition{},
		Description:   full.Description,
		Comment:       full.Comment,
	}
	var visit func(name string)
	visit = func(name string) {
		if _, done := out.Types[name]; done {
			return
		}
		def := full.Types[name]
		if def == nil {
			return
		}
		cp := *def
		out.Types[name] = &cp
		if def.Kind == ast.Object || def.Kind == ast.Interface {
			cp.Fields = nil
			for _, f := range def.Fields {
				if !fieldAllowed(r, def.Name, f.Name) {
					continue
				}
				cp.Fields = append(cp.Fields, f)
			}
		}
		for _, f := range cp.Fields {
			visit(f.Type.Name())
			for _, a := range f.Arguments {
				visit(a.Type.Name())
			}
		}
		for _, t := range def.Types { // a union's members
			visit(t)
		}
	}
	for name, def := range full.Types {
		if def.BuiltIn {
			visit(name)
		}
	}
	for _, root := range []*ast.Definition{full.Query, full.Mutation, full.Subscription} {
		if root != nil {
			visit(root.Name)
		}
	}
	if full.Query != nil {
		out.Query = out.Types[full.Query.Name]
	}
	if full.Mutation != nil {
		out.Mutation = out.Types[full.Mutation.Name]
	}
	if full.Subscription != nil {
		out.Subscription = out.Types[full.Subscription.Name]
	}
	for name, defs := range full.PossibleTypes {
		if out.Types[name] == nil {
			continue
		}
		for _, d := range defs {
			if c := out.Types[d.Name]; c != nil {
				out.PossibleTypes[name] = append(out.PossibleTypes[name], c)
			}
		}
	}
	for name, defs := range full.Implements {
		if out.Types[name] == nil {
			continue
		}
		for _, d := range defs {
			if c := out.Types[d.Name]; c != nil {
				out.Implements[name] = append(out.Implements[name], c)
			}
		}
	}
	return out
}

// roleExecutor runs each operation on the executor of the caller's role
// (identityFrom), and on the unauthenticated executor when there is no
// identity (the role checker refuses such an operation).
type roleExecutor struct {
	anon            *executor.Executor
	merchant, gwExe *executor.Executor
}

var _ graphql.GraphExecutor = roleExecutor{}

func (e roleExecutor) pick(ctx context.Context) *executor.Executor {
	id, ok := identityFrom(ctx)
	switch {
	case !ok:
		return e.anon
	case id.role == roleMerchant:
		return e.merchant
	case id.role == roleGateway:
		return e.gwExe
	}
	return e.anon
}

func (e roleExecutor) CreateOperationContext(ctx context.Context, p *graphql.RawParams) (*graphql.OperationContext, gqlerror.List) {
	return e.pick(ctx).CreateOperationContext(ctx, p)
}

func (e roleExecutor) DispatchOperation(ctx context.Context, rc *graphql.OperationContext) (graphql.ResponseHandler, context.Context) {
	return e.pick(ctx).DispatchOperation(ctx, rc)
}

func (e roleExecutor) DispatchError(ctx context.Context, list gqlerror.List) *graphql.Response {
	return e.pick(ctx).DispatchError(ctx, list)
}
