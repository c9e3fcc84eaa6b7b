package kronortest

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Hasura's answers where gqlgen's differ: the checks of a request's variables,
// and the websocket's error frames. (Its authentication errors are in
// auth.go, its parse errors in presentError, its batches in transport_http.go.)

func init() {
	// An operation the fake refuses before running it (the role checker, the
	// limits, the variables) is, on a websocket, an "error" message followed
	// by "complete", as gqlgen sends for its own validation errors, and as
	// Hasura does; not a "data" message carrying errors.
	errcode.RegisterErrorType(codeValidationFailed, errcode.KindProtocol)
}

// DefaultKeepAlive is the interval of websocket keep-alives, Hasura's
// default: "ka" messages on graphql-ws, pings on graphql-transport-ws.
const DefaultKeepAlive = 5 * time.Second

// variablesCheck refuses, as Hasura does, a request whose variables the
// operation does not declare ("unexpected variables in variableValues: a, b")
// and one that lacks a value for a non-nullable variable with no default
// ("expecting a value for non-nullable variable: \"x\""), both
// validation-failed at $. It leaves a query that does not parse, or names no
// operation it holds, to gqlgen's validation.
type variablesCheck struct{ roles *roleChecker }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = variablesCheck{}

func (variablesCheck) ExtensionName() string                   { return "KronortestVariables" }
func (variablesCheck) Validate(graphql.ExecutableSchema) error { return nil }

func (c variablesCheck) MutateOperationParameters(_ context.Context, p *graphql.RawParams) *gqlerror.Error {
	op := c.roles.operation(p.Query, p.OperationName)
	if op == nil {
		return nil
	}
	var unexpected []string
	for name := range p.Variables {
		if op.VariableDefinitions.ForName(name) == nil {
			unexpected = append(unexpected, name)
		}
	}
	if len(unexpected) > 0 {
		slices.Sort(unexpected)
		return gwError(codeValidationFailed, "$", "unexpected variables in variableValues: %s", strings.Join(unexpected, ", "))
	}
	for _, v := range op.VariableDefinitions {
		if _, given := p.Variables[v.Variable]; !given && v.Type.NonNull && v.DefaultValue == nil {
			return gwError(codeValidationFailed, "$", "expecting a value for non-nullable variable: %q", v.Variable)
		}
	}
	return nil
}

// operation returns the operation a request runs: the one named opName, or
// the only one; nil when the query does not parse or there is no such
// operation.
func (c *roleChecker) operation(query, opName string) *ast.OperationDefinition {
	doc := c.document(query)
	if doc == nil {
		return nil
	}
	return selectOperation(doc, opName)
}

// notAValidQuery is Hasura's answer to a query that does not parse.
const notAValidQuery = "not a valid graphql query"

// hasuraWebsocket wraps the websocket implementation so that its error
// frames have Hasura's shape: on graphql-ws (subscriptions-transport-ws),
// {"type":"error","id":…,"payload":{"errors":[…]}}; on graphql-transport-ws
// gqlgen's {"type":"error","id":…,"payload":[…]} already is.
type hasuraWebsocket struct {
	transport.WebsocketImplementation
	pushes *pushCount
}

func (h hasuraWebsocket) Accept(w http.ResponseWriter, r *http.Request, o transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	c, err := h.WebsocketImplementation.Accept(w, r, o)
	if err != nil {
		return nil, err
	}
	return &hasuraConn{WebsocketConn: c, pushes: h.pushes}, nil
}

// hasuraConn writes Hasura's error frames, and counts the subscription
// results it sends (see Server.Pushes).
type hasuraConn struct {
	transport.WebsocketConn
	pushes *pushCount
}

func (c *hasuraConn) WriteJSON(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var m struct {
		ID      string          `json:"id,omitempty"`
		Type    string          `json:"type"`
		Payload json.RawMessage `json:"payload,omitempty"`
	}
	decoded := json.Unmarshal(b, &m) == nil
	if c.Subprotocol() != "graphql-ws" || !decoded || m.Type != "error" || !strings.HasPrefix(strings.TrimSpace(string(m.Payload)), "[") {
		if decoded && (m.Type == "data" || m.Type == "next") {
			c.pushes.add() // before the write: the subscriber cannot see it first
		}
		return c.WebsocketConn.WriteJSON(json.RawMessage(b))
	}
	wrapped, err := json.Marshal(map[string]json.RawMessage{"errors": m.Payload})
	if err != nil {
		return err
	}
	m.Payload = wrapped
	return c.WebsocketConn.WriteJSON(m)
}

// SetReadLimit and SetReadDeadline keep the wrapped connection's optional
// abilities, which gqlgen looks for.
func (c *hasuraConn) SetReadLimit(limit int64) {
	if l, ok := c.WebsocketConn.(transport.WebsocketReadLimiter); ok {
		l.SetReadLimit(limit)
	}
}

func (c *hasuraConn) SetReadDeadline(t time.Time) error {
	if d, ok := c.WebsocketConn.(transport.WebsocketReadDeadliner); ok {
		return d.SetReadDeadline(t)
	}
	return nil
}
