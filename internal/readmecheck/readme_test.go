package readmecheck

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// goBlock matches a fenced Go code block of the README.
var goBlock = regexp.MustCompile("(?s)```go\n(.*?)```")

// header is the package clause and imports every wrapped snippet may use; the
// blank assignments keep unused imports legal.
const header = `package main

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/captures"
	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/refunds"
	"github.com/kronor-io/kronor-go/sessions"
	"github.com/kronor-io/kronor-go/subscriptions"
)

var (
	_ = context.Background
	_ = errors.Is
	_ = fmt.Println
	_ = testing.Short
	_ = time.Now
	_ = captures.Create
	_ = client.New
	_ = kronortest.NewServer
	_ = payments.Swish
	_ = refunds.Create
	_ = sessions.Create
	_ = subscriptions.NewWatcher
)

func main() {}
`

// snippet wraps a README fragment in a function whose variables are the names
// the README's prose uses.
const snippet = `
func snippet%d() error {
	var (
		ctx        = context.Background()
		merchant   *client.Client
		session    *client.Session
		watcher    *subscriptions.Watcher
		started    *payments.Started
		order      = "ORD1001"
		paymentID  int64
		authorized int64
	)
	_, _, _, _, _, _, _, _ = ctx, merchant, session, watcher, started, order, paymentID, authorized
%s
	return nil
}
`

func TestREADMECodeCompiles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the README's code")
	}
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := goBlock.FindAllStringSubmatch(string(readme), -1)
	if len(blocks) < 5 {
		t.Fatalf("found %d Go blocks in README.md; expected the quick start and the per-domain examples", len(blocks))
	}
	// A directory whose name starts with "." is invisible to ./... patterns.
	dir, err := os.MkdirTemp(filepath.Dir(file), ".build-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	var pkgs []string
	for i, b := range blocks {
		code := b[1]
		sub := filepath.Join(dir, fmt.Sprintf("block%02d", i+1))
		if err := os.Mkdir(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		var src string
		switch {
		case strings.HasPrefix(code, "package "):
			src = code
		case strings.HasPrefix(code, "func "):
			src = header + "\n" + code
		default:
			src = header + fmt.Sprintf(snippet, i+1, code)
		}
		if err := os.WriteFile(filepath.Join(sub, "main.go"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, sub)
		pkgs = append(pkgs, "./"+filepath.ToSlash(rel))
	}
	// One go vet for every block: the packages type-check in parallel, and
	// each failure names its blockNN directory.
	cmd := exec.Command("go", append([]string{"vet"}, pkgs...)...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("README.md Go blocks do not compile (blockNN is the NNth Go block of README.md):\n%s", out)
	}
}
