module github.com/kronor-io/kronor-go

go 1.25.0

require (
	github.com/99designs/gqlgen v0.17.94
	github.com/coder/websocket v1.8.15
	github.com/google/uuid v1.6.0
	github.com/hasura/go-graphql-client v0.16.0
	github.com/vektah/gqlparser/v2 v2.5.36
	go.uber.org/goleak v1.3.0
	rsc.io/qr v0.2.0
)

require (
	github.com/agnivade/levenshtein v1.2.1 // indirect
	github.com/sosodev/duration v1.4.0 // indirect
	golang.org/x/sync v0.22.0 // indirect
)
