// Package conninfo hands the SDK's other packages what they need of a
// client.Client or client.Session beyond the public API: the websocket URL,
// the HTTP client, the logger, the connection_init payload that carries the
// token, and the redaction of the token in what a server sends. Package
// client sets Of when it is initialised; merchants never see any of it.
package conninfo

import (
	"log/slog"
	"net/http"
)

// Info is what package subscriptions needs to open a websocket with a
// client's token and to report what the server sent.
type Info struct {
	// WebSocketURL is the endpoint with https replaced by wss, http by ws.
	WebSocketURL string
	// HTTPClient is the client's *http.Client (with its redirect policy).
	HTTPClient *http.Client
	// Logger is the client's logger; never nil.
	Logger *slog.Logger
	// UserAgent is the User-Agent the client sends.
	UserAgent string
	// InitPayload returns the connection_init payload that authenticates a
	// websocket: {"headers":{"Authorization":"Bearer <token>"}}. It holds
	// the token: send it, never log it.
	InitPayload func() map[string]any
	// Redact replaces the token by [REDACTED] in s.
	Redact func(s string) string
	// GraphQLError returns the client.GraphQLError (as any) for an error a
	// server sent, redacted as the client redacts its own.
	GraphQLError func(message string, path []any, extensions map[string]any) any
}

// Of returns the Info of c, a client.Client or client.Session, and false
// for anything else. Package client sets it in its init.
var Of func(c any) (Info, bool)
