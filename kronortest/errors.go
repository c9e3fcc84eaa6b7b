package kronortest

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Error codes in extensions.code of the fake gateway's GraphQL errors. The
// first three are Hasura's; the others name the business rule that refused a
// request.
const (
	codeValidationFailed    = "validation-failed"    // the request or its input is invalid (Hasura)
	codeInvalidJWT          = "invalid-jwt"          // bad or expired token (Hasura); HTTP 200
	codeInvalidHeaders      = "invalid-headers"      // no bearer token (Hasura); HTTP 200
	codeUnexpected          = "unexpected"           // with extensions.type TEMPORARY_FAILURE: retry
	codeNotFound            = "not-found"            // the payment, request or session does not exist
	codeInvalidState        = "invalid-state"        // the object is not in a state that allows this
	codeLimitExceeded       = "limit-exceeded"       // the amount is beyond what is left to capture, release or refund
	codeConflict            = "constraint-violation" // a merchantReference is already in use
	codeSessionExpired      = "session-expired"      // the payment session's expiresAt has passed
	codeIdempotencyConflict = "idempotency-conflict" // an idempotencyKey was reused with another input
)

// gwError builds a gateway error with Hasura's extensions: code and path.
func gwError(code, path, format string, args ...any) *gqlerror.Error {
	return &gqlerror.Error{
		Message:    fmt.Sprintf(format, args...),
		Extensions: map[string]any{"code": code, "path": path},
	}
}

// fieldPath is the path of a root field of the operation, in Hasura's JSON-path
// form: $.selectionSet.newPaymentSession.
func fieldPath(field string) string { return "$.selectionSet." + field }

// argPath is the path of an argument (or of a field within one) of a root field:
// $.selectionSet.newPaymentSession.args.payment.amount.
func argPath(field, arg string, sub ...string) string {
	var b strings.Builder
	b.WriteString("$.selectionSet.")
	b.WriteString(field)
	b.WriteString(".args.")
	b.WriteString(arg)
	for _, s := range sub {
		if strings.HasPrefix(s, "[") {
			b.WriteString(s)
			continue
		}
		b.WriteByte('.')
		b.WriteString(s)
	}
	return b.String()
}

// invalid is an input error naming the offending field.
type invalid struct {
	path []string // below the argument, e.g. ["additionalData", "orderLines", "[1]", "name"]
	msg  string
}

// inputCheck collects the first input error of an argument, the way Hasura
// reports one error per request.
type inputCheck struct {
	field, arg string
	first      *invalid
}

// fail records the first failure. It keeps a copy of path, so that the
// variadic slices of the checks that pass need not be allocated.
func (v *inputCheck) fail(msg string, path ...string) {
	if v.first == nil {
		v.first = &invalid{path: slices.Clone(path), msg: msg}
	}
}

func (v *inputCheck) check(ok bool, msg string, path ...string) {
	if !ok {
		v.fail(msg, path...)
	}
}

func (v *inputCheck) err() error {
	if v.first == nil {
		return nil
	}
	p := argPath(v.field, v.arg, v.first.path...)
	name := v.arg
	if len(v.first.path) > 0 {
		name = strings.Join(v.first.path, ".")
		name = strings.ReplaceAll(name, ".[", "[")
	}
	return gwError(codeValidationFailed, p, "invalid value for %s: %s", name, v.first.msg)
}
