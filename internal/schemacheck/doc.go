// Package schemacheck holds the tests that prove kronor-go's GraphQL documents
// against Kronor's published role schemas: every type, field, argument and enum
// value of schema.graphql exists in the real schema with the same type, and every
// operation document validates against the schema of the role it is sent with.
//
// The published schemas live beside the project in ../shared/reference; they are
// read, never copied. When they are absent the tests skip, except under CI, where
// their absence is a failure.
package schemacheck
