package kronortest

import (
	"encoding/json"
	"io"
	"testing"
)

// recordingConn is a websocket connection that records what is written to
// it, as JSON.
type recordingConn struct {
	proto   string
	written []string
}

func (c *recordingConn) Close() error                        { return nil }
func (c *recordingConn) NextReader() (int, io.Reader, error) { return 0, nil, io.EOF }
func (c *recordingConn) WriteClose(int, string) error        { return nil }
func (c *recordingConn) Subprotocol() string                 { return c.proto }
func (c *recordingConn) WriteJSON(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	c.written = append(c.written, string(b))
	return nil
}

// gqlgenMessage has the shape of the messages gqlgen's websocket transport
// writes (its unexported graphqlwsMessage and graphqltransportwsMessage),
// whose fields hasuraConn reads by name.
type gqlgenMessageType string

type gqlgenMessage struct {
	Payload json.RawMessage   `json:"payload,omitempty"`
	ID      string            `json:"id,omitempty"`
	Type    gqlgenMessageType `json:"type"`
}

// TestUnchangedResultsAreNotSent: a subscription's result that is the one
// sent last for its operation id is not sent again, as Hasura's live queries
// do not; a changed one is, and so is any result of an operation id after
// its complete or error, and anything else.
func TestUnchangedResultsAreNotSent(t *testing.T) {
	for _, data := range []string{"data", "next"} {
		t.Run(data, func(t *testing.T) {
			rec := &recordingConn{proto: "graphql-transport-ws"}
			var pushes pushCount
			c := &hasuraConn{WebsocketConn: rec, pushes: &pushes}
			a, b := json.RawMessage(`{"data":{"x":1}}`), json.RawMessage(`{"data":{"x":2}}`)
			for _, m := range []gqlgenMessage{
				{Type: "connection_ack"},
				{ID: "1", Type: gqlgenMessageType(data), Payload: a},
				{ID: "1", Type: gqlgenMessageType(data), Payload: a}, // unchanged
				{ID: "2", Type: gqlgenMessageType(data), Payload: a}, // another operation
				{ID: "1", Type: gqlgenMessageType(data), Payload: b},
				{ID: "1", Type: gqlgenMessageType(data), Payload: b}, // unchanged
				{ID: "1", Type: gqlgenMessageType(data), Payload: a}, // changed back
				{Type: "ka"},
				{ID: "1", Type: "complete"},
				{ID: "1", Type: gqlgenMessageType(data), Payload: a}, // a new operation 1
				{ID: "2", Type: "error", Payload: json.RawMessage(`[{"message":"x"}]`)},
				{ID: "2", Type: gqlgenMessageType(data), Payload: a}, // a new operation 2
			} {
				if err := c.WriteJSON(&m); err != nil {
					t.Fatal(err)
				}
			}
			want := []string{
				`{"type":"connection_ack"}`,
				`{"payload":{"data":{"x":1}},"id":"1","type":"` + data + `"}`,
				`{"payload":{"data":{"x":1}},"id":"2","type":"` + data + `"}`,
				`{"payload":{"data":{"x":2}},"id":"1","type":"` + data + `"}`,
				`{"payload":{"data":{"x":1}},"id":"1","type":"` + data + `"}`,
				`{"type":"ka"}`,
				`{"id":"1","type":"complete"}`,
				`{"payload":{"data":{"x":1}},"id":"1","type":"` + data + `"}`,
				`{"payload":[{"message":"x"}],"id":"2","type":"error"}`,
				`{"payload":{"data":{"x":1}},"id":"2","type":"` + data + `"}`,
			}
			if len(rec.written) != len(want) {
				t.Fatalf("wrote %d messages, want %d:\n%q", len(rec.written), len(want), rec.written)
			}
			for i := range want {
				if rec.written[i] != want[i] {
					t.Errorf("message %d = %s, want %s", i, rec.written[i], want[i])
				}
			}
			if sent, unchanged, _ := pushes.counts(); sent != 6 || unchanged != 2 {
				t.Errorf("counted %d results sent and %d unchanged, want 6 and 2", sent, unchanged)
			}
		})
	}
}

// TestLegacyErrorsKeepHasurasShape: on graphql-ws an error message's list of
// errors is wrapped in {"errors": ...}, as Hasura sends it; a message of
// another shape passes through as it is.
func TestLegacyErrorsKeepHasurasShape(t *testing.T) {
	rec := &recordingConn{proto: "graphql-ws"}
	c := &hasuraConn{WebsocketConn: rec, pushes: &pushCount{}}
	if err := c.WriteJSON(&gqlgenMessage{ID: "1", Type: "error", Payload: json.RawMessage(` [{"message":"x"}]`)}); err != nil {
		t.Fatal(err)
	}
	if err := c.WriteJSON(map[string]string{"type": "other"}); err != nil {
		t.Fatal(err)
	}
	want := []string{`{"payload":{"errors":[{"message":"x"}]},"id":"1","type":"error"}`, `{"type":"other"}`}
	if len(rec.written) != 2 || rec.written[0] != want[0] || rec.written[1] != want[1] {
		t.Fatalf("wrote %q, want %q", rec.written, want)
	}
}
