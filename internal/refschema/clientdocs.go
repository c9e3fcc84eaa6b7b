package refschema

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// CDE is the role of a client document sent to Kronor's card-data
// environment endpoint (Apple Pay's card data), not to the gateway.
const CDE = "cde"

// ClientDocument is one GraphQL document that Kronor's own client SDKs send
// (kronor-android, kronor-ios, ios-test-app), as listed in the index of
// ../shared/reference/client-documents.
type ClientDocument struct {
	// Path is the file's path below the client-documents folder, with
	// forward slashes, e.g. "kronor-ios/wire/SwishPaymentMutation.graphql".
	Path string
	// Role is the role of the token it is sent with: Gateway, Merchant or
	// CDE.
	Role string
	// Source is the document's text.
	Source string
}

// ClientDocumentsDir returns the folder of Kronor's client documents. When
// it is absent the test is skipped, unless the CI environment variable is
// set, where it fails.
func ClientDocumentsDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(Root(t), "..", "shared", "reference", "client-documents")
	if _, err := os.Stat(filepath.Join(dir, "index.md")); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("client documents missing under CI: %v", err)
		}
		t.Skipf("client documents not available: %v", err)
	}
	return dir
}

// ClientDocuments reads the documents the folder's index.md lists, each with
// its role, in the index's order. It fails the test when a .graphql file of
// the folder holding an operation is missing from the index (so that no
// document is left out unseen), or when an indexed one cannot be read.
func ClientDocuments(t testing.TB) []ClientDocument {
	t.Helper()
	dir := ClientDocumentsDir(t)
	index, err := os.ReadFile(filepath.Join(dir, "index.md"))
	if err != nil {
		t.Fatal(err)
	}
	var docs []ClientDocument
	for _, line := range strings.Split(string(index), "\n") {
		// | `path` | repo | source path | commit | role |
		cells := strings.Split(line, "|")
		if len(cells) < 7 {
			continue
		}
		path := strings.Trim(strings.TrimSpace(cells[1]), "`")
		if !strings.HasSuffix(path, ".graphql") {
			continue
		}
		roleCell := strings.Fields(strings.TrimSpace(cells[len(cells)-2]))
		if len(roleCell) == 0 {
			t.Fatalf("index.md: %s has no role", path)
		}
		var role string
		switch roleCell[0] {
		case "gateway":
			role = Gateway
		case "merchant":
			role = Merchant
		case "cde":
			role = CDE
		default:
			t.Fatalf("index.md: %s has the unknown role %q", path, roleCell[0])
		}
		src, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(path)))
		if err != nil {
			t.Fatalf("index.md lists %s: %v", path, err)
		}
		docs = append(docs, ClientDocument{Path: path, Role: role, Source: string(src)})
	}
	if len(docs) == 0 {
		t.Fatal("index.md lists no document")
	}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".graphql") {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if slices.ContainsFunc(docs, func(c ClientDocument) bool { return c.Path == rel }) {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if HasOperation(string(src)) {
			t.Errorf("%s holds an operation but index.md does not list it", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return docs
}

// HasOperation reports whether a document's text holds an operation rather
// than only fragments: a line starting with query, mutation, subscription or
// an anonymous "{".
func HasOperation(src string) bool {
	for _, line := range strings.Split(src, "\n") {
		line = strings.TrimSpace(line)
		for _, kw := range []string{"query", "mutation", "subscription", "{"} {
			if strings.HasPrefix(line, kw) {
				return true
			}
		}
	}
	return false
}
