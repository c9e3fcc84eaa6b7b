package kronortest

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/vektah/gqlparser/v2/gqlerror"
)

// The fake writes its usual responses without json.Marshal (encodeResponse);
// these tests hold it to writing what json.Marshal writes.

// responseCases are gqlgen-written data (or not quite) and responses beside
// them.
var responseCases = []string{
	`{"newPaymentSession":{"token":"abc"}}`,
	`{"paymentRequests":[{"waitToken":"2f1c","resultingPaymentId":"12","status":[{"status":"PAID"}]}]}`,
	`{"paymentRequests":[]}`,
	`null`,
	`{"a":"with \"quotes\" and \\ and \n and \u0001"}`,
	`{"a":"<b>&amp;</b>"}`,      // json.Marshal escapes these
	"{\"a\":\"\u2028 \u2029\"}", // and these
	`{"a":"é ü 😀"}`,
	"{\"a\":\"\xff\xfe\"}", // invalid UTF-8 is copied as it is
	`{"a": 1}`,             // whitespace outside strings is compacted
	"{\"a\":1}\n",
	`{"a":"x y"}`,
	`{"a":[1,2.5,-3e10,true,false,null,{}]}`,
	`{"a":`, // invalid: json.Marshal fails
	`{"a":1}{"b":2}`,
	`"just a string"`,
	`12`,
}

func TestEncodeResponseIsJSONMarshal(t *testing.T) {
	var values []any
	for _, data := range responseCases {
		values = append(values, gqlResponse{Data: json.RawMessage(data)})
	}
	values = append(values,
		gqlResponse{},
		gqlResponse{Data: json.RawMessage(`{"x":1}`), Errors: errList(gwError(codeValidationFailed, "$", "boom"))},
		gqlResponse{Data: json.RawMessage(`{"x":1}`), Errors: gqlerror.List{}},
		gqlResponse{Data: json.RawMessage(`{"x":1}`), Extensions: map[string]any{"cost": 1}},
		gqlResponse{Data: json.RawMessage(`{"x":1}`), Extensions: map[string]any{}},
		[]gqlResponse{{Data: json.RawMessage(`{"x":1}`)}, {Errors: errList(gwError("invalid-json", "$", "<no>"))}},
	)
	for _, v := range values {
		checkEncodeResponse(t, v)
	}
}

// FuzzEncodeResponse: for any data, encodeResponse writes what json.Marshal
// writes, or fails when it fails.
func FuzzEncodeResponse(f *testing.F) {
	for _, data := range responseCases {
		f.Add([]byte(data))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkEncodeResponse(t, gqlResponse{Data: data})
	})
}

func checkEncodeResponse(t *testing.T, v any) {
	t.Helper()
	want, wantErr := json.Marshal(v)
	var buf bytes.Buffer
	err := encodeResponse(&buf, v)
	switch {
	case (err != nil) != (wantErr != nil):
		t.Errorf("encodeResponse(%#v): error %v, json.Marshal's %v", v, err, wantErr)
	case err == nil && !bytes.Equal(buf.Bytes(), want):
		t.Errorf("encodeResponse(%#v) = %q, json.Marshal = %q", v, buf.Bytes(), want)
	}
}
