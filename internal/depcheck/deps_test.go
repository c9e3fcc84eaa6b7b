package depcheck

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// sdkPackages are the packages a merchant's service imports.
var sdkPackages = []string{
	"github.com/kronor-io/kronor-go/client",
	"github.com/kronor-io/kronor-go/sessions",
	"github.com/kronor-io/kronor-go/payments",
	"github.com/kronor-io/kronor-go/captures",
	"github.com/kronor-io/kronor-go/refunds",
	"github.com/kronor-io/kronor-go/subscriptions",
}

// allowed are the only import paths outside the standard library that
// sdkPackages may depend on, directly or not: the SDK packages themselves
// (with internal/gql, the run-time library of the generated code, in place
// of genqlient's), google/uuid, and the hasura websocket client with its
// websocket library. genqlient's run-time package, the GraphQL parser and
// server (gqlparser, gqlgen), the fake gateway and test-only libraries must
// stay out.
var allowed = append(slices.Clone(sdkPackages),
	"github.com/kronor-io/kronor-go/internal/",
	"github.com/google/uuid",
	"github.com/hasura/go-graphql-client",
	"github.com/coder/websocket",
)

// testSupport are the test-support packages under internal/ (they import
// testing, the fake gateway or the full GraphQL parser): allowed's
// "internal/" must not let an SDK package depend on them.
var testSupport = []string{
	"github.com/kronor-io/kronor-go/internal/e2etest",
	"github.com/kronor-io/kronor-go/internal/refschema",
	"github.com/kronor-io/kronor-go/internal/testsupport",
	"github.com/kronor-io/kronor-go/internal/validate/validatetest",
}

func TestSDKImportGraphStaysSmall(t *testing.T) {
	args := append([]string{"list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}"}, sdkPackages...)
	out, err := exec.Command("go", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < len(sdkPackages) {
		t.Fatalf("go list listed %d packages, fewer than the %d SDK packages", len(deps), len(sdkPackages))
	}
	for _, dep := range deps {
		ok := false
		for _, a := range allowed {
			if dep == a || strings.HasPrefix(dep, a+"/") || (strings.HasSuffix(a, "/") && strings.HasPrefix(dep, a)) {
				ok = true
				break
			}
		}
		if !ok || strings.Contains(dep, "kronortest") || slices.Contains(testSupport, dep) {
			t.Errorf("the SDK packages depend on %s, which is not allowed: keep server, fake-gateway and test-only code out of their import graph", dep)
		}
	}
}
