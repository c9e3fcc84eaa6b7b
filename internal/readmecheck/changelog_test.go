package readmecheck

import (
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/kronor-io/kronor-go/client"
)

// semver matches a version as client.Version spells it: MAJOR.MINOR.PATCH,
// with an optional pre-release such as "-dev".
var semver = regexp.MustCompile(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$`)

// subsections are the kinds of entries a version's section may have.
var subsections = []string{"Breaking changes", "Added", "Fixed"}

// TestChangelog: CHANGELOG.md's newest section is the version client.Version
// names: "Unreleased" while the version is a "-dev" one, else that version's;
// each version's subsections are among the kinds the file's preamble lists.
func TestChangelog(t *testing.T) {
	if !semver.MatchString(client.Version) {
		t.Fatalf("client.Version = %q, not a semantic version", client.Version)
	}
	_, file, _, _ := runtime.Caller(0)
	data, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "CHANGELOG.md"))
	if err != nil {
		t.Fatal(err)
	}
	var versions []string
	for line := range strings.Lines(string(data)) {
		line = strings.TrimRight(line, "\r\n")
		switch {
		case strings.HasPrefix(line, "## "):
			versions = append(versions, strings.TrimPrefix(line, "## "))
		case strings.HasPrefix(line, "### "):
			if len(versions) == 0 {
				t.Errorf("CHANGELOG.md: %q comes before any version's section", line)
			} else if sub := strings.TrimPrefix(line, "### "); !slices.Contains(subsections, sub) {
				t.Errorf("CHANGELOG.md, section %q: subsection %q is none of %q", versions[len(versions)-1], sub, subsections)
			}
		}
	}
	if len(versions) == 0 {
		t.Fatal(`CHANGELOG.md has no section ("## Unreleased" or "## v<version> ...")`)
	}
	want := "Unreleased"
	if !strings.HasSuffix(client.Version, "-dev") {
		want = "v" + client.Version
	}
	if got := versions[0]; got != want && !strings.HasPrefix(got, want+" ") {
		t.Errorf("CHANGELOG.md's newest section is %q; with client.Version %q it must be %q", got, client.Version, want)
	}
}
