package depcheck

import (
	"os/exec"
	"strings"
	"testing"
)

// testSupportTree is the tree of test-support packages: testSupport lists
// its root by exact path, and the packages below it (e.g. the fault proxy,
// internal/testsupport/faultproxy) must stay out of the SDK's import graph
// too.
const testSupportTree = "github.com/kronor-io/kronor-go/internal/testsupport/"

func TestSDKImportsNoTestSupportSubpackage(t *testing.T) {
	args := append([]string{"list", "-deps", "-f", "{{.ImportPath}}"}, sdkPackages...)
	out, err := exec.Command("go", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for dep := range strings.FieldsSeq(string(out)) {
		if strings.HasPrefix(dep, testSupportTree) {
			t.Errorf("the SDK packages depend on %s, a test-support package", dep)
		}
	}
}
