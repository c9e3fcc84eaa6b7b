// Package roletypes proves that the token's role is in the SDK's types: a
// merchant client passed to a session-token operation, or a session client
// passed to a merchant operation, does not compile. It has no code of its
// own; its test builds the programs in testdata.
package roletypes
