package kronortest

import (
	"bytes"
	"encoding/json"
	"github.com/kronor-io/kronor-go/kronortest/internal/bounded"
	"reflect"
	"slices"
	"testing"
	"unsafe"

	"github.com/99designs/gqlgen/graphql"
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
	// The usual responses are written without json.Marshal: data alone,
	// with the empty extensions gqlgen gives every response.
	for _, data := range responseCases[:4] {
		if _, ok := dataOnly(gqlResponse{Data: json.RawMessage(data), Extensions: map[string]any{}}); !ok {
			t.Errorf("the response with data %s is left to json.Marshal", data)
		}
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

// requestCases are request bodies, usual and not.
var requestCases = []string{
	`{"query":"mutation($p: PaymentSessionInput!) { newPaymentSession(payment: $p) { token } }","variables":{"p":{"amount":10056,"currency":"SEK","expiresAt":"2026-12-02T10:00:00Z","idempotencyKey":"k-1","merchantReference":"r-1","message":"Order"}}}`,
	`{"query":"mutation { newSwishPayment(pay: {idempotencyKey: \"pay\", flow: \"mcom\", returnUrl: \"https://shop.example\"}) { waitToken } }"}`,
	`{"query":"query($w: uuid!) { x }","variables":{"w":"2f1c"},"operationName":"Q","extensions":{"persistedQuery":{"version":1,"sha256Hash":"ab"}}}`,
	` {"query" : "{ x }" , "variables" : null , "operationName" : null } trailing`,
	`{}`,
	`{"variables":{}}`,
	`{"variables":{"a":[],"b":[1,-0,0.5,1e10,-2E-3,12345678901234567890],"c":{"d":{"e":[true,false,null]}},"a":"again"}}`,
	`{"query":"\"\\\/\b\f\n\r\t"}`,
	`{"query":"\u0041"}`,     // \u: left to encoding/json
	`{"query":"é"}`,          // not ASCII: left to encoding/json
	`{"Query":"{ x }"}`,      // encoding/json matches fields without case
	`{"id":"1","query":"x"}`, // another member
	`{"query":"a","query":"b"}`,
	`{"query":1}`,
	`{"variables":[]}`,
	`{"variables":{"a":01}}`,
	`{"variables":{"a":1.}}`,
	`{"variables":{"a":-}}`,
	`{"variables":{"a":tru}}`,
	`{"variables":{"a":1`,
	`{"query":"x",}`,
	`{"query":"x"`,
	`null`,
	`[{"query":"x"}]`,
	``,
	`{"variables":{"a":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}}`,
	"{\"query\":\"a\x01b\"}",
	"{\"query\":\"a\x7fb\"}",
}

func TestDecodeParamsIsEncodingJSON(t *testing.T) {
	fast := 0
	for _, body := range requestCases {
		if checkDecodeParams(t, []byte(body)) {
			fast++
		}
	}
	if fast < 8 {
		t.Errorf("decodeParams decoded %d of the cases itself, want at least the 8 usual ones", fast)
	}
}

// FuzzDecodeParams: whatever decodeParams decodes, a json.Decoder with
// UseNumber decodes without error into the same graphql.RawParams.
func FuzzDecodeParams(f *testing.F) {
	for _, body := range requestCases {
		f.Add([]byte(body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkDecodeParams(t, body)
	})
}

// testTexts is the interner checkDecodeParams decodes with, small so that
// it is often full and starts again.
var testTexts = &interner{texts: bounded.Cache[string, string]{Limit: 8}, maxLen: 64}

// checkDecodeParams reports whether decodeParams decoded body itself, and
// checks that it decoded it as encoding/json does, with no interner and with
// testTexts, and that nothing it decoded shares body's memory.
func checkDecodeParams(t *testing.T, body []byte) bool {
	t.Helper()
	got, ok := decodeParams(body, nil)
	interned, iok := decodeParams(body, testTexts)
	if ok != iok || !reflect.DeepEqual(got, interned) {
		t.Errorf("decodeParams(%q) = %+v, %v; with an interner %+v, %v", body, got, ok, interned, iok)
	}
	if !ok {
		return false
	}
	// The body's buffer is reused for the next request.
	orig := slices.Clone(body)
	for i := range body {
		body[i] = 'X'
	}
	defer copy(body, orig)
	body = orig
	want := &graphql.RawParams{}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(want); err != nil {
		t.Errorf("decodeParams(%q) = %+v, but encoding/json fails: %v", body, got, err)
		return true
	}
	if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(interned, want) {
		t.Errorf("decodeParams(%q) = %+v (interned: %+v), encoding/json decodes %+v", body, got, interned, want)
	}
	return true
}

// The interner keeps no text longer than maxLen, and a nil one copies
// every text (bounded.Intern does the rest).
func TestInterner(t *testing.T) {
	in := &interner{texts: bounded.Cache[string, string]{Limit: 2}, maxLen: 4}
	b := []byte("abcd")
	s := in.intern(b)
	b[0] = 'X' // the interned text is a copy
	if s != "abcd" || in.texts.Len() != 1 {
		t.Fatalf("intern gave %q, holding %d texts", s, in.texts.Len())
	}
	if got := in.intern([]byte("abcd")); unsafe.StringData(got) != unsafe.StringData(s) {
		t.Errorf("a text seen before is copied again")
	}
	if got := in.intern([]byte("abcde")); got != "abcde" || in.texts.Len() != 1 {
		t.Errorf("a text longer than maxLen: %q, %d texts held", got, in.texts.Len())
	}
	var nilInterner *interner
	if got := nilInterner.intern([]byte("x")); got != "x" {
		t.Errorf("nil interner: %q", got)
	}
}
