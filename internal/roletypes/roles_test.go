package roletypes

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestRoleMistakesDoNotCompile builds each program of testdata with the go
// command: the one that passes each client where it belongs compiles, and
// each role mistake fails with the type error that names it.
func TestRoleMistakesDoNotCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds programs")
	}
	for _, tc := range []struct {
		dir  string
		want string // "" when it must compile
	}{
		{"right_roles", ""},
		{"merchant_into_session", "cannot use merchant (variable of type *client.Client) as *client.Session value in argument to payments.Swish"},
		{"session_into_merchant", "cannot use session (variable of type *client.Session) as *client.Client value in argument to captures.Create"},
		{"session_into_merchant_watcher", "cannot use session (variable of type *client.Session) as *client.Client value in argument to subscriptions.NewMerchantWatcher"},
		{"session_watcher_capture", "w.WaitCapture undefined"},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			cmd := exec.Command(goTool(), "build", "-o", filepath.Join(t.TempDir(), "prog"), "./testdata/"+tc.dir)
			out, err := cmd.CombinedOutput()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("does not compile: %v\n%s", err, out)
			case tc.want != "" && err == nil:
				t.Fatal("compiles; want a type error")
			case tc.want != "" && !strings.Contains(string(out), tc.want):
				t.Fatalf("fails, but not with %q:\n%s", tc.want, out)
			}
		})
	}
}

// goTool is the go command on the PATH (GOTOOLCHAIN, when set, picks the
// same toolchain as the test's).
func goTool() string { return "go" }
