// Package gql is the run-time library of the code genqlient generates in
// internal/api: the request and response shapes and the client interfaces
// the generated operation functions call. It replaces genqlient's own
// run-time package (github.com/Khan/genqlient/graphql), which shares a
// module, and so a go.mod, with genqlient's generator: importing it would put
// the generator's requirements (golang.org/x/tools, x/mod, ...) in every
// importer's module graph. `go generate ./internal/api` runs genqlient, then
// internal/tools/gqlimport, which points the generated code at this package.
//
// The names, JSON tags and method signatures are those of genqlient v0.8.1's
// graphql package (MIT licensed), so that its generated code compiles
// unchanged against this one; only what that code uses is here. Package
// client implements [Client].
package gql

import (
	"context"
	"encoding/json"
)

// Client sends the requests of the generated query and mutation functions.
// client.Client and client.Session implement it.
type Client interface {
	// MakeRequest sends req and decodes the answer into resp, whose Data
	// the generated code sets to a pointer to the operation's empty
	// response type. It returns an error when the answer carries GraphQL
	// errors, and may decode data as well.
	MakeRequest(ctx context.Context, req *Request, resp *Response) error
}

// WebSocketClient is what the generated subscription functions take. The SDK
// implements it nowhere: package subscriptions sends the generated
// subscription documents (the *_Operation constants) with hasura's
// websocket client and decodes the generated response types itself. It is
// here so that the generated code compiles.
type WebSocketClient interface {
	// Subscribe starts the subscription req. The data that arrives is
	// passed, with interfaceChan, to forwardDataFunc, which sends it on
	// interfaceChan as the operation's response type. It returns the
	// subscription's ID.
	Subscribe(req *Request, interfaceChan any, forwardDataFunc ForwardDataFunction) (string, error)
	// Unsubscribe ends the subscription of that ID.
	Unsubscribe(subscriptionID string) error
}

// ForwardDataFunction decodes one message of a subscription and sends it on
// interfaceChan (see [WebSocketClient.Subscribe]).
type ForwardDataFunction func(interfaceChan any, jsonRawMsg json.RawMessage) error

// Request is a GraphQL request as it is sent: the document, its variables
// (left out when nil) and the operation's name.
type Request struct {
	// Query is the GraphQL document, e.g. `query Ping { __typename }`.
	Query string `json:"query"`
	// Variables is a JSON-encodable value holding the variables, or nil.
	Variables any `json:"variables,omitempty"`
	// OpName is the name of the operation in Query.
	OpName string `json:"operationName"`
}

// BaseResponse is a GraphQL answer whose data is a T.
type BaseResponse[T any] struct {
	Data       T              `json:"data"`
	Extensions map[string]any `json:"extensions,omitempty"`
	Errors     []Error        `json:"errors,omitempty"`
}

// Response is the answer a [Client] decodes: Data is set by the caller to a
// pointer to the value to decode into. Package client leaves Errors empty
// and returns the gateway's errors as its *client.Error instead.
type Response BaseResponse[any]

// Error is one entry of a GraphQL answer's errors, as the server sent it.
type Error struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path,omitempty"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

// Error returns the message.
func (e *Error) Error() string { return e.Message }

// NoUnmarshalJSON is embedded by the generated decoders beside a type that
// has an UnmarshalJSON method, so that the outer struct does not inherit it
// (by Go's selector rules, two methods of one name at one depth cancel out).
type NoUnmarshalJSON struct{}

// UnmarshalJSON is never called: it exists only to hide a sibling's
// UnmarshalJSON.
func (NoUnmarshalJSON) UnmarshalJSON([]byte) error {
	panic("gql: NoUnmarshalJSON.UnmarshalJSON called")
}
