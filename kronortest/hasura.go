package kronortest

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"reflect"
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

// hasuraConn writes Hasura's error frames, sends a subscription's result
// only when it differs from the last one sent, and counts the results it
// sends (see Server.Pushes).
//
// Hasura's live queries are polled, and a result is pushed only when it has
// changed since the last push (Hasura compares the results' hashes): a change
// to a row that the subscription's selection does not show, such as payer
// data arriving on a subscription that does not select it, sends nothing.
// The fake pushes whenever a row the subscription matches changes, so the
// result gqlgen has written is compared with the last sent for its
// operation id here, where both are bytes.
type hasuraConn struct {
	transport.WebsocketConn
	pushes *pushCount

	// sent is, per operation id, the payload of the last result sent,
	// until the operation completes or fails. gqlgen calls WriteJSON under
	// its connection's lock, one write at a time.
	sent map[string][]byte
}

// wsMessage is a message gqlgen writes: its payload, id and type, the fields
// of gqlgen's messages of either subprotocol (read by messageFields).
type wsMessage struct {
	Payload json.RawMessage `json:"payload,omitempty"`
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
}

var rawMessageType = reflect.TypeFor[json.RawMessage]()

// messageFields reads the fields of a message gqlgen writes: a pointer to a
// struct of Payload (json.RawMessage), ID and Type (string kinds), as both
// of its subprotocols' message types are. ok is false for anything else.
func messageFields(v any) (m wsMessage, ok bool) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return m, false
	}
	rv = rv.Elem()
	p, id, t := rv.FieldByName("Payload"), rv.FieldByName("ID"), rv.FieldByName("Type")
	if !p.IsValid() || p.Type() != rawMessageType || !id.IsValid() || id.Kind() != reflect.String || !t.IsValid() || t.Kind() != reflect.String {
		return m, false
	}
	return wsMessage{Payload: p.Bytes(), ID: id.String(), Type: t.String()}, true
}

func (c *hasuraConn) WriteJSON(v any) error {
	m, ok := messageFields(v)
	if !ok {
		return c.WebsocketConn.WriteJSON(v)
	}
	switch m.Type {
	case "data", "next":
		if last, was := c.sent[m.ID]; was && bytes.Equal(last, m.Payload) {
			c.pushes.skip()
			return nil // unchanged: Hasura sends nothing
		}
		if c.sent == nil {
			c.sent = map[string][]byte{}
		}
		// gqlgen marshals each result into a buffer of its own, which
		// it does not reuse: keeping it is safe.
		c.sent[m.ID] = m.Payload
		c.pushes.add() // before the write: the subscriber cannot see it first
	case "complete", "error":
		delete(c.sent, m.ID)
		if m.Type == "error" && c.Subprotocol() == "graphql-ws" && bytes.HasPrefix(bytes.TrimSpace(m.Payload), []byte("[")) {
			wrapped, err := json.Marshal(map[string]json.RawMessage{"errors": m.Payload})
			if err != nil {
				return err
			}
			m.Payload = wrapped
		}
	}
	return c.WebsocketConn.WriteJSON(&m)
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
