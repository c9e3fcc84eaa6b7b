package depcheck

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// codeGeneration are the modules that only the code generators (gqlgen's
// and genqlient's commands) need. They must stay out of every importer's
// module graph: the generators are pinned in internal/tools/go.mod, not in
// the SDK's go.mod, and the code genqlient generates runs on internal/gql,
// not on genqlient's run-time package, whose module (and go.mod) is also
// its generator's.
var codeGeneration = []string{
	genqlient,
	"golang.org/x/tools",
	"golang.org/x/mod",
	"github.com/urfave/cli/v3",
	"github.com/goccy/go-yaml",
	"github.com/alexflint/go-arg",
	"github.com/alexflint/go-scalar",
	"github.com/bmatcuk/doublestar/v4",
	"github.com/go-viper/mapstructure/v2",
	"gopkg.in/yaml.v2",
	"github.com/matryer/moq",
	"github.com/logrusorgru/aurora/v4",
}

// genqlient is the module of genqlient. Its run-time package shares the
// module, and so the go.mod, of its generator: the SDK must not require it.
const genqlient = "github.com/Khan/genqlient"

// gqlgen is the module of gqlgen, whose run-time packages kronortest (the
// fake gateway, in the SDK's module) imports: the SDK's go.mod requires it,
// so it is in every importer's module graph. Its own go.mod requires its
// generator's modules (golang.org/x/tools, ...); module graph pruning keeps
// those out of an importer's graph as long as no package the importer builds
// is in gqlgen's module.
const gqlgen = "github.com/99designs/gqlgen"

// generated are the modules whose generator (in internal/tools/go.mod) and
// run-time library (in the SDK's go.mod) must be the same version: the
// generated code of kronortest calls the library of the version that wrote
// it.
var generated = []string{
	gqlgen,
	"github.com/vektah/gqlparser/v2",
}

// gomod is what `go mod edit -json` prints of a go.mod file.
type gomod struct {
	Module  struct{ Path string }
	Go      string
	Require []requirement
	Tool    []struct{ Path string }
}

type requirement struct {
	Path, Version string
	Indirect      bool
}

// goCmd runs the go command in dir with env added to the environment and
// returns its standard output; a failure ends the test.
func goCmd(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s (in %s): %v\n%s%s", strings.Join(args, " "), dir, err, out, stderr.String())
	}
	return string(out)
}

func readGoMod(t *testing.T, file string) gomod {
	t.Helper()
	var m gomod
	if err := json.Unmarshal([]byte(goCmd(t, filepath.Dir(file), nil, "mod", "edit", "-json", file)), &m); err != nil {
		t.Fatalf("go mod edit -json %s: %v", file, err)
	}
	return m
}

// root returns the SDK module's root directory.
func root(t *testing.T) string {
	t.Helper()
	return strings.TrimSpace(goCmd(t, ".", nil, "list", "-m", "-f", "{{.Dir}}"))
}

// TestRequirementsAreImported: the SDK's go.mod, which every importer's
// module graph inherits, lists no tool and requires only modules that
// provide a package the module's own packages or tests import.
func TestRequirementsAreImported(t *testing.T) {
	dir := root(t)
	mod := readGoMod(t, filepath.Join(dir, "go.mod"))
	for _, tool := range mod.Tool {
		t.Errorf("go.mod has the tool %s: pin generators in internal/tools/go.mod, whose requirements importers do not inherit", tool.Path)
	}
	imported := map[string]bool{}
	for _, m := range strings.Fields(goCmd(t, dir, nil, "list", "-deps", "-test", "-f", "{{with .Module}}{{.Path}}{{end}}", "./...")) {
		imported[m] = true
	}
	if !imported[mod.Module.Path] || len(imported) < 2 {
		t.Fatalf("go list found the modules %v: not the SDK's packages and their dependencies", imported)
	}
	for _, r := range mod.Require {
		if !imported[r.Path] {
			t.Errorf("go.mod requires %s %s, but no package of the module or its tests imports a package of it", r.Path, r.Version)
		}
		if slices.Contains(codeGeneration, r.Path) {
			t.Errorf("go.mod requires %s, a module only the code generators need", r.Path)
		}
	}
}

// TestGeneratorsPinned: the generators are pinned in internal/tools/go.mod,
// at the versions of the run-time libraries the SDK's go.mod requires; the
// SDK's go.mod does not require genqlient, whose generated code runs on
// internal/gql.
func TestGeneratorsPinned(t *testing.T) {
	dir := root(t)
	sdk := readGoMod(t, filepath.Join(dir, "go.mod"))
	tools := readGoMod(t, filepath.Join(dir, "internal", "tools", "go.mod"))
	for _, want := range []string{gqlgen, genqlient} {
		if !slices.ContainsFunc(tools.Tool, func(tool struct{ Path string }) bool { return tool.Path == want }) {
			t.Errorf("internal/tools/go.mod has no tool %s", want)
		}
	}
	version := func(m gomod, path string) string {
		for _, r := range m.Require {
			if r.Path == path {
				return r.Version
			}
		}
		return ""
	}
	for _, path := range generated {
		sv, tv := version(sdk, path), version(tools, path)
		if sv == "" || sv != tv {
			t.Errorf("%s: go.mod requires %q, internal/tools/go.mod %q: the generated code must run on the library of the generator's version", path, sv, tv)
		}
	}
	if v := version(sdk, genqlient); v != "" {
		t.Errorf("go.mod requires %s %s: the generated code in internal/api must import internal/gql (go generate runs internal/tools/gqlimport after genqlient), so that genqlient's go.mod stays out of importers' module graphs", genqlient, v)
	}
}

// sdkImporter writes, in a new directory, a module that requires the SDK
// (replaced by its directory here, as a merchant's module requires a
// release), with a main package importing every SDK package and the extra
// imports, and the requirements extra. It starts from the SDK's go.sum, so
// that nothing the SDK's own checks verified is looked up again.
func sdkImporter(t *testing.T, sdkDir string, extraImports []string, extraRequire string) string {
	t.Helper()
	dir := t.TempDir()
	gomod := "module example.com/merchant\n\ngo 1.25.0\n\n" +
		"require github.com/kronor-io/kronor-go v0.0.0\n" + extraRequire +
		"\nreplace github.com/kronor-io/kronor-go => " + filepath.ToSlash(sdkDir) + "\n"
	var src strings.Builder
	src.WriteString("package main\n\nimport (\n")
	for _, p := range append(slices.Clone(sdkPackages), extraImports...) {
		src.WriteString("\t_ \"" + p + "\"\n")
	}
	src.WriteString(")\n\nfunc main() {}\n")
	sum, err := os.ReadFile(filepath.Join(sdkDir, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{"go.mod": gomod, "main.go": src.String(), "go.sum": string(sum)} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// importerEnv is the environment of the go commands run in an importer's
// module: out of any workspace, allowed to update its go.mod and go.sum,
// with the module proxy and the module cache of the environment (so the
// test runs offline once the modules are in the cache).
func importerEnv() []string {
	return []string{"GOWORK=off", "GOFLAGS=" + strings.TrimSpace(os.Getenv("GOFLAGS")+" -mod=mod")}
}

// TestImporterModuleGraph plays a merchant's new module that imports the
// SDK packages. After go mod tidy:
//   - no code-generation module is in its module graph: neither genqlient
//     nor the generators' requirements (golang.org/x/tools, x/mod, ...);
//     gqlgen is there only as the SDK's requirement (for kronortest), with
//     none of its own requirements (pruned out of the graph);
//   - a version the merchant pinned of a module the SDK does not import
//     (golang.org/x/text, which the generators need) is left as it is.
//
// The go commands use the module proxy and module cache of the
// environment, as go test itself does: the test runs offline once the
// modules are in the cache.
func TestImporterModuleGraph(t *testing.T) {
	sdkDir := root(t)
	sdk := readGoMod(t, filepath.Join(sdkDir, "go.mod"))
	env := importerEnv()

	t.Run("graph", func(t *testing.T) {
		dir := sdkImporter(t, sdkDir, nil, "")
		goCmd(t, dir, env, "mod", "tidy")
		mods := strings.Fields(goCmd(t, dir, env, "list", "-m", "-f", "{{.Path}}", "all"))
		if len(mods) < 2 || mods[0] != "example.com/merchant" || !slices.Contains(mods, sdk.Module.Path) {
			t.Fatalf("go list -m all = %v: not the importer's graph", mods)
		}
		requiredBy := map[string][]string{} // module path -> paths of the modules requiring it
		requires := map[string][]string{}   // module path -> paths of the modules it requires
		for _, line := range strings.Split(strings.TrimSpace(goCmd(t, dir, env, "mod", "graph")), "\n") {
			from, to, ok := strings.Cut(line, " ")
			if !ok {
				t.Fatalf("go mod graph printed %q", line)
			}
			from, _, _ = strings.Cut(from, "@")
			to, _, _ = strings.Cut(to, "@")
			if to == "go" || to == "toolchain" {
				continue
			}
			requiredBy[to] = append(requiredBy[to], from)
			requires[from] = append(requires[from], to)
		}
		for _, m := range mods[1:] {
			if slices.Contains(codeGeneration, m) {
				t.Errorf("in an importer's module graph, %v require %s, a module only the code generators need", requiredBy[m], m)
			}
		}
		if slices.Contains(mods, gqlgen) {
			if by := requiredBy[gqlgen]; !slices.Equal(by, []string{sdk.Module.Path}) {
				t.Errorf("in an importer's module graph, %v require %s: only the SDK (for kronortest) may", by, gqlgen)
			}
			if reqs := requires[gqlgen]; len(reqs) > 0 {
				t.Errorf("an importer's module graph holds the requirements of %s's go.mod %v: module graph pruning no longer keeps them out (does an SDK package import a package of gqlgen?)", gqlgen, reqs)
			}
		}
		if !t.Failed() {
			t.Logf("go list -m all of a module importing the SDK packages: %d modules: %v", len(mods), mods)
		}
	})

	t.Run("pinned version kept", func(t *testing.T) {
		const path, pinned = "golang.org/x/text", "v0.20.0"
		dir := sdkImporter(t, sdkDir, []string{path + "/language"}, "require "+path+" "+pinned+"\n")
		goCmd(t, dir, env, "mod", "tidy")
		got := readGoMod(t, filepath.Join(dir, "go.mod"))
		i := slices.IndexFunc(got.Require, func(r requirement) bool { return r.Path == path })
		if i < 0 {
			t.Fatalf("go mod tidy dropped the requirement of %s, which the module imports", path)
		}
		if v := got.Require[i].Version; v != pinned {
			t.Errorf("go mod tidy raised %s from %s to %s: the SDK's module graph requires it, though the SDK does not import it", path, pinned, v)
		}
	})
}
