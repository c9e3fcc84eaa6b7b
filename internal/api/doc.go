// Package api is the GraphQL client code that genqlient generates from
// schema.graphql and the operation documents of the domain packages
// (sessions/*.graphql, payments/*.graphql, ...). It is internal: users call the
// domain packages, which validate input and return typed results.
package api

//go:generate go tool -modfile=../tools/go.mod genqlient ../../genqlient.yaml
