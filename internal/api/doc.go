// Package api is the GraphQL client code that genqlient generates from
// schema.graphql and the operation documents of the domain packages
// (sessions/*.graphql, payments/*.graphql, ...). It is internal: users call the
// domain packages, which validate input and return typed results.
//
// The generated code runs on internal/gql, not on genqlient's own run-time
// package, whose module is also genqlient's generator: the second directive
// below rewrites genqlient's output to import internal/gql.
package api

//go:generate go tool -modfile=../tools/go.mod genqlient ../../genqlient.yaml
//go:generate go run -C ../tools ./gqlimport ../api/generated.go
