// Package readmecheck holds a test that compiles every Go code block of the
// project's README.md, so the README cannot drift from the API.
package readmecheck
