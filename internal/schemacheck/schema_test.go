package schemacheck

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/kronor-io/kronor-go/internal/refschema"
)

// specOnlyEnumValues are the values the spec documents that the published schema
// lacks; schema.graphql adds them on purpose.
var specOnlyEnumValues = map[string][]string{
	"PaymentStatusEnum": {"ACCEPTED", "PROCESSING"},
	"RefundStatusEnum":  {"CREATED", "DEBITED"},
}

// refDef finds the definition named name in the reference schema; root types are
// matched by role (query/mutation/subscription) rather than by name.
func refDef(own *ast.Schema, ref *ast.Schema, name string) *ast.Definition {
	switch {
	case own.Query != nil && name == own.Query.Name:
		return ref.Query
	case own.Mutation != nil && name == own.Mutation.Name:
		return ref.Mutation
	case own.Subscription != nil && name == own.Subscription.Name:
		return ref.Subscription
	}
	return ref.Types[name]
}

func TestSchemaIsSubsetOfReference(t *testing.T) {
	own := refschema.LoadOwn(t)
	refs := []*ast.Schema{refschema.Load(t, refschema.Gateway), refschema.Load(t, refschema.Merchant)}
	names := make([]string, 0, len(own.Types))
	for name, def := range own.Types {
		if def.BuiltIn {
			continue
		}
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		def := own.Types[name]
		var found []*ast.Definition
		for _, ref := range refs {
			if d := refDef(own, ref, name); d != nil {
				found = append(found, d)
			}
		}
		if len(found) == 0 {
			// Country is an enum in the merchant schema and a scalar in the gateway's.
			t.Errorf("%s: no such type in either role schema", name)
			continue
		}
		for _, d := range found {
			if d.Kind != def.Kind && !(name == "Country") {
				t.Errorf("%s: kind %s here, %s in a reference", name, def.Kind, d.Kind)
			}
		}
		switch def.Kind {
		case ast.Enum:
			for _, v := range def.EnumValues {
				if slices.Contains(specOnlyEnumValues[name], v.Name) {
					continue
				}
				ok := false
				for _, d := range found {
					if d.EnumValues.ForName(v.Name) != nil {
						ok = true
					}
				}
				if !ok {
					t.Errorf("enum %s: value %s exists in no role schema", name, v.Name)
				}
			}
		case ast.Object, ast.InputObject:
			for _, f := range def.Fields {
				if strings.HasPrefix(f.Name, "__") {
					continue
				}
				checkField(t, name, f, found)
			}
		}
	}
}

// checkField asserts that field f of type owner has the same type, and the same
// argument names and types, in at least one role's definition of owner.
func checkField(t *testing.T, owner string, f *ast.FieldDefinition, found []*ast.Definition) {
	t.Helper()
	var problems []string
	for _, d := range found {
		rf := d.Fields.ForName(f.Name)
		if rf == nil {
			problems = append(problems, "absent")
			continue
		}
		if rf.Type.String() != f.Type.String() {
			problems = append(problems, "type "+rf.Type.String()+" there, "+f.Type.String()+" here")
			continue
		}
		argsOK := true
		for _, a := range f.Arguments {
			ra := rf.Arguments.ForName(a.Name)
			if ra == nil || ra.Type.String() != a.Type.String() {
				problems = append(problems, "argument "+a.Name+" differs")
				argsOK = false
			}
		}
		if argsOK {
			return
		}
	}
	t.Errorf("%s.%s: matches no role schema (%s)", owner, f.Name, strings.Join(problems, "; "))
}

// operationRoles reads the roles (refschema.Gateway, refschema.Merchant) a
// document is sent with from its first line: "# Role: payment-gateway",
// "# Role: merchant" or "# Role: both".
func operationRoles(t *testing.T, path, src string) []string {
	first, _, _ := strings.Cut(src, "\n")
	switch r := strings.TrimSpace(strings.TrimPrefix(first, "# Role:")); r {
	case refschema.Gateway, refschema.Merchant:
		return []string{r}
	case "both":
		return []string{refschema.Gateway, refschema.Merchant}
	}
	t.Fatalf("%s: first line must be '# Role: payment-gateway', '# Role: merchant' or '# Role: both', got %q", path, first)
	return nil
}

// operationFiles lists the operation documents genqlient generates from.
func operationFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, dir := range []string{"sessions", "payments", "captures", "refunds", "subscriptions"} {
		m, err := filepath.Glob(filepath.Join(refschema.Root(t), dir, "*.graphql"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	return files
}

func TestOperationsValidateAgainstTheirRole(t *testing.T) {
	own := refschema.LoadOwn(t)
	refs := map[string]*ast.Schema{refschema.Gateway: refschema.Load(t, refschema.Gateway), refschema.Merchant: refschema.Load(t, refschema.Merchant)}
	files := operationFiles(t)
	if len(files) == 0 {
		t.Fatal("no operation documents found")
	}
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(refschema.Root(t), path)
		targets := map[string]*ast.Schema{"schema.graphql": own}
		for _, r := range operationRoles(t, path, string(src)) {
			targets[r] = refs[r]
		}
		for label, schema := range targets {
			doc, perr := gqlparser.LoadQueryWithRules(schema, string(src), nil) // nil: the default rules
			if perr != nil {
				t.Errorf("%s does not validate against %s: %v", rel, label, perr)
				continue
			}
			if len(doc.Operations) == 0 {
				t.Errorf("%s: no operations", rel)
			}
		}
	}
}
