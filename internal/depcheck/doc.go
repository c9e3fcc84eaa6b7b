// Package depcheck holds a test that keeps the SDK's import graph small: the
// packages a merchant's service imports must not pull in the GraphQL server,
// websocket server libraries or the fake gateway, which only tests and
// kronortest need.
package depcheck
