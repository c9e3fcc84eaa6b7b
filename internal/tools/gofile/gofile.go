// Package gofile runs the go:generate steps that rewrite a generated Go file
// after its generator (gqlimport after genqlient, gqlexec after gqlgen).
package gofile

import (
	"bytes"
	"fmt"
	"os"
)

// Main is a rewriting tool's main: it rewrites the file named by its one
// argument with rewrite, writing it only when it changed, and exits 2 on a
// wrong command line and 1 when the rewrite fails.
func Main(tool string, rewrite func(name string, src []byte) ([]byte, error)) {
	if len(os.Args) != 2 {
		fmt.Fprintf(os.Stderr, "usage: %s file.go\n", tool)
		os.Exit(2)
	}
	if err := RewriteFile(os.Args[1], rewrite); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", tool, err)
		os.Exit(1)
	}
}

// RewriteFile rewrites the file name with rewrite, and writes it only when
// it changed.
func RewriteFile(name string, rewrite func(name string, src []byte) ([]byte, error)) error {
	src, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	out, err := rewrite(name, src)
	if err != nil {
		return err
	}
	if bytes.Equal(out, src) {
		return nil
	}
	return os.WriteFile(name, out, 0o644)
}
