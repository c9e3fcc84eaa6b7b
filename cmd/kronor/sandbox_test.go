package main

import (
	"flag"
	"io"
	"maps"
	"testing"

	"github.com/kronor-io/kronor-go/internal/sandbox"
)

// flagsOf describes each flag of fs: its usage and default.
func flagsOf(fs *flag.FlagSet) map[string]string {
	m := map[string]string{}
	fs.VisitAll(func(f *flag.Flag) { m[f.Name] = f.Usage + " (default " + f.DefValue + ")" })
	return m
}

// TestSandboxFlagsAreTheSandboxOptions: kronor sandbox takes the sandbox's
// options (internal/sandbox), which kronor-sandbox takes too (its own test
// checks that), and the global flags; nothing else.
func TestSandboxFlagsAreTheSandboxOptions(t *testing.T) {
	a := &app{stderr: io.Discard}
	got := flagsOf(a.sandboxFlags(new(sandbox.Options)))

	shared := flag.NewFlagSet("shared", flag.ContinueOnError)
	new(sandbox.Options).Register(shared)
	want := flagsOf(shared)
	if len(want) < 5 {
		t.Fatalf("the sandbox registers %d flags", len(want))
	}
	maps.Copy(want, flagsOf(a.flagSet("globals", nil)))
	if !maps.Equal(got, want) {
		t.Fatalf("kronor sandbox's flags:\n%v\nwant:\n%v", got, want)
	}
}
