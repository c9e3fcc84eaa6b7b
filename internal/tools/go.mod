// The code generators of kronor-go, pinned: genqlient (internal/api) and
// gqlgen (kronortest). The //go:generate directives run them with
// `go tool -modfile=<this file>`, so that their requirements (golang.org/x/tools,
// x/mod, urfave/cli, goccy/go-yaml, ...) stay out of the SDK's go.mod, which
// every importer's module graph inherits. Keep gqlgen and gqlparser at the
// versions the SDK's go.mod requires (internal/depcheck checks). genqlient's
// output runs on internal/gql, not on genqlient's own run-time package (the
// SDK's go.mod does not require genqlient): ./gqlimport, run after genqlient,
// points the generated code at it. After updating genqlient, add to
// internal/gql what the new generated code uses.
// Update with `go get -tool <module>@<version>` in this directory.
module github.com/kronor-io/kronor-go/internal/tools

go 1.25.0

tool (
	github.com/99designs/gqlgen
	github.com/Khan/genqlient
)

require (
	github.com/99designs/gqlgen v0.17.94 // indirect
	github.com/Khan/genqlient v0.8.1 // indirect
	github.com/agnivade/levenshtein v1.2.1 // indirect
	github.com/alexflint/go-arg v1.5.1 // indirect
	github.com/alexflint/go-scalar v1.2.0 // indirect
	github.com/bmatcuk/doublestar/v4 v4.6.1 // indirect
	github.com/goccy/go-yaml v1.19.2 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/sosodev/duration v1.4.0 // indirect
	github.com/urfave/cli/v3 v3.10.1 // indirect
	github.com/vektah/gqlparser/v2 v2.5.36 // indirect
	golang.org/x/mod v0.38.0 // indirect
	golang.org/x/sync v0.22.0 // indirect
	golang.org/x/text v0.40.0 // indirect
	golang.org/x/tools v0.48.0 // indirect
	gopkg.in/yaml.v2 v2.4.0 // indirect
)
