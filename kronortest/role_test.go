package kronortest

import (
	"slices"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/kronor-io/kronor-go/internal/refschema"
)

// roleReach computes, for one role schema, which fields of schema.graphql that
// role can select: a field is the role's when it is reachable from the role's
// roots through fields the role has, and every argument our schema gives it
// is accepted by the role's schema (same input shape, no required input
// field of the role's that ours lacks).
type roleReach struct {
	own, ref *ast.Schema
	inputOK  map[[2]string]bool
	allowed  map[string]bool // "Type.field"
	visited  map[string]bool // own type name
}

func (rr *roleReach) typeCompatible(own, ref *ast.Type) bool {
	if own == nil || ref == nil {
		return own == ref
	}
	if ref.NonNull && !own.NonNull {
		return false // the role requires what we may leave out
	}
	if (own.Elem == nil) != (ref.Elem == nil) {
		return false
	}
	if own.Elem != nil {
		return rr.typeCompatible(own.Elem, ref.Elem)
	}
	od, rd := rr.own.Types[own.NamedType], rr.ref.Types[ref.NamedType]
	if od == nil || rd == nil {
		return false
	}
	if od.Kind != ast.InputObject {
		return od.Name == rd.Name && od.Kind == rd.Kind
	}
	if rd.Kind != ast.InputObject {
		return false
	}
	return rr.inputCompatible(od, rd)
}

func (rr *roleReach) inputCompatible(od, rd *ast.Definition) bool {
	k := [2]string{od.Name, rd.Name}
	if v, ok := rr.inputOK[k]; ok {
		return v
	}
	rr.inputOK[k] = true // assume so while recursing
	ok := true
	for _, f := range od.Fields {
		rf := rd.Fields.ForName(f.Name)
		if rf == nil || !rr.typeCompatible(f.Type, rf.Type) {
			ok = false
		}
	}
	for _, rf := range rd.Fields {
		if rf.Type.NonNull && rf.DefaultValue == nil && od.Fields.ForName(rf.Name) == nil {
			ok = false
		}
	}
	rr.inputOK[k] = ok
	return ok
}

func (rr *roleReach) argsCompatible(own, ref ast.ArgumentDefinitionList) bool {
	for _, a := range own {
		ra := ref.ForName(a.Name)
		if ra == nil || !rr.typeCompatible(a.Type, ra.Type) {
			return false
		}
	}
	for _, ra := range ref {
		if ra.Type.NonNull && ra.DefaultValue == nil && own.ForName(ra.Name) == nil {
			return false
		}
	}
	return true
}

func (rr *roleReach) walk(own, ref *ast.Definition) {
	if own == nil || ref == nil || rr.visited[own.Name] {
		return
	}
	rr.visited[own.Name] = true
	for _, f := range own.Fields {
		if f.Name == "__typename" {
			continue
		}
		rf := ref.Fields.ForName(f.Name)
		if rf == nil || !rr.argsCompatible(f.Arguments, rf.Arguments) {
			continue
		}
		od, rd := rr.own.Types[f.Type.Name()], rr.ref.Types[rf.Type.Name()]
		if od == nil || rd == nil || od.Kind != rd.Kind {
			continue
		}
		rr.allowed[own.Name+"."+f.Name] = true
		if od.Kind == ast.Object {
			rr.walk(od, rd)
		}
	}
}

func reach(own, ref *ast.Schema) map[string]bool {
	rr := &roleReach{own: own, ref: ref, inputOK: map[[2]string]bool{}, allowed: map[string]bool{}, visited: map[string]bool{}}
	rr.walk(own.Query, ref.Query)
	rr.walk(own.Mutation, ref.Mutation)
	rr.walk(own.Subscription, ref.Subscription)
	return rr.allowed
}

// TestRoleMatrixMatchesReferenceSchemas proves fieldAllowed against Kronor's
// published role schemas, for every field of every object type of
// schema.graphql.
func TestRoleMatrixMatchesReferenceSchemas(t *testing.T) {
	own := refschema.LoadOwn(t)
	byRole := map[role]map[string]bool{
		roleGateway:  reach(own, refschema.Load(t, refschema.Gateway)),
		roleMerchant: reach(own, refschema.Load(t, refschema.Merchant)),
	}
	var names []string
	for name, def := range own.Types {
		if def.Kind == ast.Object && !def.BuiltIn {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	fields := 0
	for _, name := range names {
		for _, f := range own.Types[name].Fields {
			if f.Name == "__typename" || f.Name == "__schema" || f.Name == "__type" {
				continue
			}
			fields++
			key := name + "." + f.Name
			if !byRole[roleGateway][key] && !byRole[roleMerchant][key] {
				t.Errorf("%s: no role can select it", key)
				continue
			}
			for _, r := range []role{roleMerchant, roleGateway} {
				want := byRole[r][key]
				if got := fieldAllowed(r, name, f.Name); got != want {
					t.Errorf("%s for the %s role: fieldAllowed says %v, the reference schema %v", key, r, got, want)
				}
			}
		}
	}
	if fields < 100 {
		t.Fatalf("only %d fields checked: the walk is broken", fields)
	}
}
