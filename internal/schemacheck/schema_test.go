package schemacheck

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

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
	srcs := map[string]string{}
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		srcs[path] = string(src)
	}
	frags := fragmentSources(t, srcs)
	for _, path := range files {
		src := srcs[path]
		rel, _ := filepath.Rel(refschema.Root(t), path)
		// genqlient shares a fragment between all documents: a document is
		// checked with the fragments it uses from the others.
		full := src + usedFragments(t, rel, src, frags)
		targets := map[string]*ast.Schema{"schema.graphql": own}
		for _, r := range operationRoles(t, path, src) {
			targets[r] = refs[r]
		}
		for label, schema := range targets {
			doc, perr := gqlparser.LoadQueryWithRules(schema, full, nil) // nil: the default rules
			switch {
			case perr != nil && len(ownOperations(t, src)) == 0:
				// A document of fragments only: each fragment is checked
				// where it is used.
			case perr != nil:
				t.Errorf("%s does not validate against %s: %v", rel, label, perr)
			case len(doc.Operations) == 0:
				t.Errorf("%s: no operations", rel)
			}
		}
	}
}

// fragmentSources maps every fragment of the documents to its source text.
func fragmentSources(t *testing.T, srcs map[string]string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for path, src := range srcs {
		doc, err := parser.ParseQuery(&ast.Source{Name: path, Input: src})
		if err != nil {
			t.Fatalf("%s does not parse: %v", path, err)
		}
		for _, f := range doc.Fragments {
			if _, dup := out[f.Name]; dup {
				t.Errorf("fragment %s is defined twice", f.Name)
			}
			out[f.Name] = src[f.Position.Start:fragmentEnd(src, f.Position.Start)]
		}
	}
	return out
}

// fragmentEnd returns the end of the fragment definition starting at i: past
// its closing brace.
func fragmentEnd(src string, i int) int {
	depth := 0
	for j := i; j < len(src); j++ {
		switch src[j] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return j + 1
			}
		}
	}
	return len(src)
}

// usedFragments returns the definitions, from other documents, of the
// fragments src spreads and does not define, and of those they spread.
func usedFragments(t *testing.T, name, src string, frags map[string]string) string {
	t.Helper()
	var out strings.Builder
	have := map[string]bool{}
	doc, err := parser.ParseQuery(&ast.Source{Name: name, Input: src})
	if err != nil {
		t.Fatalf("%s does not parse: %v", name, err)
	}
	for _, f := range doc.Fragments {
		have[f.Name] = true
	}
	todo := spreads(src)
	for len(todo) > 0 {
		n := todo[0]
		todo = todo[1:]
		if have[n] {
			continue
		}
		def, ok := frags[n]
		if !ok {
			continue // reported by the validation
		}
		have[n] = true
		out.WriteString("\n" + def + "\n")
		todo = append(todo, spreads(def)...)
	}
	return out.String()
}

var spreadRE = regexp.MustCompile(`\.\.\.\s*([A-Za-z_][A-Za-z0-9_]*)`)

// spreads lists the fragment spreads of src (not inline fragments).
func spreads(src string) []string {
	var out []string
	for _, m := range spreadRE.FindAllStringSubmatch(src, -1) {
		if m[1] != "on" {
			out = append(out, m[1])
		}
	}
	return out
}

// ownOperations lists the operations src defines.
func ownOperations(t *testing.T, src string) ast.OperationList {
	t.Helper()
	doc, err := parser.ParseQuery(&ast.Source{Input: src})
	if err != nil {
		t.Fatal(err)
	}
	return doc.Operations
}
