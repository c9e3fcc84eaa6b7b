package client

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
)

// Targets for [errors.Is]. A failed request returns an [*Error]; these tell
// what kind of failure it was without inspecting status codes or GraphQL
// error codes.
var (
	// ErrUnauthorized: the token was refused (HTTP 401 or 403, or a GraphQL
	// error coded invalid-jwt, jwt-invalid-claims, jwt-expired,
	// invalid-headers or access-denied). Retrying with the same token will
	// not help.
	ErrUnauthorized = errors.New("kronor: unauthorized")

	// ErrRejected: the gateway answered and refused the request itself: an
	// HTTP 4xx other than 401, 403, 408, 413 and 429, or a GraphQL error that
	// is not a temporary failure, such as validation-failed, bad-request,
	// constraint-violation or parse-failed. Nothing was applied, and the
	// request was not retried: sending it again unchanged will fail the same
	// way. Fix the request (the *Error's Errors say what is wrong). A 5xx
	// answer is never a rejection, since the request may have been applied.
	ErrRejected = errors.New("kronor: request rejected")

	// ErrIdempotencyConflict: the idempotency key was already used with other
	// parameters (GraphQL error code [CodeIdempotencyConflict]). Nothing was
	// applied. Either resend the original parameters byte for byte with the
	// same key (a rerun that recomputes a parameter, such as an expiry time
	// from the clock, sends other parameters), or use a new key for new
	// parameters. It is a rejection too: errors.Is(err, ErrRejected) holds.
	ErrIdempotencyConflict = errors.New("kronor: idempotency key already used with other parameters")

	// ErrTemporary: the request may have reached the gateway, and no
	// complete answer came back before the client gave up. That is a network
	// error (a connection reset or refused, an attempt timed out), an answer
	// cut short with or without a Content-Length, a 2xx answer that is not
	// the gateway's GraphQL JSON (a proxy's HTML page), HTTP 408, 429 or 5xx,
	// or a GraphQL error of type TEMPORARY_FAILURE; and the attempts ran out,
	// the next wait would have passed the context's deadline, the call's
	// time limit ([WithTimeout]) or the caller's context ended mid-request,
	// or the gateway asked for a wait longer than the client accepts.
	//
	// For a mutation the outcome is unknown: it may have been applied. Retry
	// later with the same idempotency key and the same parameters: the
	// gateway then answers the original result and applies nothing twice.
	// The key the request was sent with is the *Error's IdempotencyKey
	// (also when the SDK chose it): keep it with your order.
	ErrTemporary = errors.New("kronor: temporary failure")

	// ErrRequestTooLarge: the gateway answered HTTP 413.
	ErrRequestTooLarge = errors.New("kronor: request too large")

	// ErrResponseTooLarge: the response body was longer than the limit set
	// by [WithMaxResponseBytes].
	ErrResponseTooLarge = errors.New("kronor: response too large")

	// ErrNotFound: the gateway has no such object (payment, payment
	// request, capture, release, refund) visible to the token. The domain
	// packages' ErrNotFound are this same value.
	ErrNotFound = errors.New("kronor: not found")

	// ErrInvalidInput: the SDK refused the input before sending anything
	// (see [ValidationError] and [CheckIdempotencyKey]).
	ErrInvalidInput = errors.New("kronor: invalid input")
)

// Codes of GraphQL errors (extensions.code) that the SDK documents.
const (
	// CodeValidationFailed: the request or its input is invalid (Hasura's
	// validation-failed); a rejection.
	CodeValidationFailed = "validation-failed"
	// CodeInvalidJWT: the token is bad or expired (Hasura's invalid-jwt).
	CodeInvalidJWT = "invalid-jwt"
	// CodeIdempotencyConflict: an idempotency key was reused with other
	// parameters; see [ErrIdempotencyConflict].
	CodeIdempotencyConflict = "idempotency-conflict"
)

// TemporaryFailure is the value of a GraphQL error's extensions.type (or of
// the response's top-level extensions.type) that marks a failure as worth
// retrying.
const TemporaryFailure = "TEMPORARY_FAILURE"

// Error is the error returned for every request that reached the point of
// being sent and then failed: a transport failure, an HTTP error status, or
// a response carrying GraphQL errors. Use [errors.Is] with the Err* targets
// of this package to classify it, and [errors.As] to read its fields.
//
// Error never contains the token or any request header.
type Error struct {
	// Operation is the GraphQL operation name, e.g. "NewPaymentSession".
	Operation string
	// StatusCode is the HTTP status of the last attempt, or 0 when no
	// response was received.
	StatusCode int
	// Errors are the GraphQL errors of the last response, in order.
	Errors []GraphQLError
	// Retryable reports whether the last failure was of a retryable kind.
	// An Error is only returned once the client has stopped retrying, so a
	// retryable Error means the client gave up (see [ErrTemporary]).
	Retryable bool
	// Attempts is the number of requests sent, including the first.
	Attempts int
	// Err is the underlying cause when there is one: a network error,
	// a context error, [ErrResponseTooLarge], a malformed response.
	Err error
	// RequestID is the gateway's id of the last request (Hasura's
	// x-request-id answer header), or "" when no answer had one. Quote it to
	// Kronor's support.
	RequestID string
	// IdempotencyKey is the idempotency key the request was sent with (a
	// mutation's, whether the caller or the SDK chose it), or "" for a
	// request that has none. After [ErrTemporary], retry with this key and
	// the same parameters.
	IdempotencyKey string
}

// GraphQLError is one entry of a GraphQL response's "errors" list.
type GraphQLError struct {
	// Message is the error's message.
	Message string
	// Path is the response path of the field that failed, when the gateway
	// gives one: strings for field names, ints for list indexes.
	Path []any
	// Code is extensions.code, e.g. "validation-failed" or "invalid-jwt".
	Code string
	// Type is extensions.type, e.g. "TEMPORARY_FAILURE".
	Type string
	// Extensions holds every extension field as decoded from JSON.
	Extensions map[string]any
}

// Temporary reports whether the gateway marked this error as a temporary
// failure (extensions.type TEMPORARY_FAILURE).
func (g GraphQLError) Temporary() bool { return g.Type == TemporaryFailure }

// graphQLError returns the GraphQLError for an error a server sent, given
// its message, path and extensions as decoded from JSON: c's token is
// replaced by [REDACTED] in every string of it (the keys of extensions
// included, and anything a misbehaving gateway or proxy put in the path,
// which may echo the Authorization header), the path's list indexes become
// ints, and Code and Type are read from the redacted extensions. path and
// extensions are modified in place. makeRequest builds its errors with it,
// and package subscriptions (through internal/conninfo) the errors of a
// subscription, so both read and redact a server's errors the same way.
func (c *conn) graphQLError(message string, path []any, extensions map[string]any) GraphQLError {
	r := c.cred.red
	g := GraphQLError{Message: r.String(message), Extensions: r.Map(extensions)}
	g.Code, _ = g.Extensions["code"].(string)
	g.Type, _ = g.Extensions["type"].(string)
	if len(path) > 0 {
		g.Path = path
		for i, p := range path {
			if f, isNum := p.(float64); isNum && f == float64(int(f)) {
				path[i] = int(f)
			} else {
				path[i] = r.Value(p)
			}
		}
	}
	return g
}

// unauthorizedCode reports whether a GraphQL error code means the token was
// refused. Hasura reports a bad or expired JWT as invalid-jwt.
func unauthorizedCode(code string) bool {
	switch code {
	case "invalid-jwt", "jwt-invalid-claims", "jwt-expired", "jwt-missing-role-claims",
		"invalid-headers", "access-denied":
		return true
	}
	return false
}

// Error describes the failure on one line: the operation, the HTTP status
// when it is not 200, the GraphQL errors (code and message), the cause, and
// the number of attempts.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("kronor: ")
	if e.Operation != "" {
		b.WriteString(e.Operation)
		b.WriteString(": ")
	}
	sep := ""
	if e.StatusCode != 0 && e.StatusCode != http.StatusOK {
		b.WriteString("HTTP ")
		b.WriteString(strconv.Itoa(e.StatusCode))
		if t := http.StatusText(e.StatusCode); t != "" {
			b.WriteByte(' ')
			b.WriteString(t)
		}
		sep = ": "
	}
	for i, g := range e.Errors {
		if i == 0 {
			b.WriteString(sep)
		} else {
			b.WriteString("; ")
		}
		if g.Code != "" {
			b.WriteString(g.Code)
			b.WriteString(": ")
		}
		b.WriteString(g.Message)
		if len(g.Path) > 0 {
			b.WriteString(" (at ")
			writePath(&b, g.Path)
			b.WriteByte(')')
		}
		sep = ": "
	}
	if e.Err != nil {
		b.WriteString(sep)
		b.WriteString(e.Err.Error())
	}
	if e.Attempts > 1 {
		b.WriteString(" (after ")
		b.WriteString(strconv.Itoa(e.Attempts))
		b.WriteString(" attempts)")
	}
	if e.RequestID != "" {
		b.WriteString(" (request id ")
		b.WriteString(e.RequestID)
		b.WriteByte(')')
	}
	switch {
	case e.conflict():
		b.WriteString(" (idempotency key ")
		b.WriteString(e.IdempotencyKey)
		b.WriteString(" was used before with other parameters: resend the original parameters with it, or use a new key for new parameters)")
	case e.Retryable && e.IdempotencyKey != "":
		b.WriteString(" (it may have been applied: retry with the same parameters and idempotency key ")
		b.WriteString(e.IdempotencyKey)
		b.WriteByte(')')
	case e.Retryable:
		b.WriteString(" (it may have reached the gateway: safe to retry)")
	}
	return b.String()
}

func writePath(b *strings.Builder, path []any) {
	for i, p := range path {
		switch v := p.(type) {
		case int:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(v))
			b.WriteByte(']')
		case string:
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(v)
		default:
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString("?")
		}
	}
}

// Unwrap returns the underlying cause, if any.
func (e *Error) Unwrap() error { return e.Err }

// Is maps the error to this package's targets: [ErrUnauthorized],
// [ErrRejected], [ErrIdempotencyConflict], [ErrTemporary],
// [ErrRequestTooLarge] (and, through Err, [ErrResponseTooLarge]).
func (e *Error) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.unauthorized()
	case ErrRejected:
		return e.rejected()
	case ErrTemporary:
		return e.Retryable
	case ErrIdempotencyConflict:
		return e.conflict()
	case ErrRequestTooLarge:
		return e.StatusCode == http.StatusRequestEntityTooLarge
	}
	return false
}

func (e *Error) conflict() bool {
	for _, g := range e.Errors {
		if g.Code == CodeIdempotencyConflict {
			return true
		}
	}
	return false
}

func (e *Error) unauthorized() bool {
	if e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden {
		return true
	}
	for _, g := range e.Errors {
		if unauthorizedCode(g.Code) {
			return true
		}
	}
	return false
}

// rejected: the gateway answered and refused the request. A 5xx is never a
// rejection (the request may have been applied), nor is a retryable failure.
func (e *Error) rejected() bool {
	if e.Retryable || e.unauthorized() {
		return false
	}
	if e.StatusCode/100 == 4 {
		// 401, 403 (unauthorized) and 408, 429 (retryable) are out already.
		return e.StatusCode != http.StatusRequestEntityTooLarge
	}
	if e.StatusCode >= 500 {
		return false
	}
	for _, g := range e.Errors {
		if !g.Temporary() {
			return true
		}
	}
	return false
}

// Violation is one rule broken by an input, found before anything was sent.
type Violation struct {
	// Field is the path of the offending field in the input, e.g.
	// "payment.additionalData.orderLines[1].name".
	Field string
	// Rule says what the field must satisfy, e.g. "must be at most 64 characters".
	Rule string
}

// String returns "field: rule".
func (v Violation) String() string {
	if v.Field == "" {
		return v.Rule
	}
	return v.Field + ": " + v.Rule
}

// ValidationError reports every rule an input broke. It is returned, as a
// *ValidationError, before anything is sent to the gateway, and
// errors.Is(err, ErrInvalidInput) is true for it.
type ValidationError struct {
	// Violations lists all broken rules, in the order they were found.
	Violations []Violation
}

// Err returns v when it holds at least one violation, and nil otherwise, so
// a validator can end with `return v.Err()`.
func (v *ValidationError) Err() error {
	if v == nil || len(v.Violations) == 0 {
		return nil
	}
	return v
}

// Error lists all violations: "kronor: invalid input: a: rule; b: rule".
func (v *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("kronor: invalid input")
	for i, x := range v.Violations {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(x.String())
	}
	return b.String()
}

// Is reports whether target is [ErrInvalidInput].
func (v *ValidationError) Is(target error) bool { return target == ErrInvalidInput }
