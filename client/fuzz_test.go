package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/api"
)

// fuzzTransport answers every request in memory with the same status and
// body: no socket is opened.
type fuzzTransport struct {
	status int
	body   []byte
	calls  atomic.Int32
}

func (f *fuzzTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	f.calls.Add(1)
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	return &http.Response{
		StatusCode:    f.status,
		Status:        fmt.Sprintf("%d %s", f.status, http.StatusText(f.status)),
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(f.body)),
		ContentLength: int64(len(f.body)),
		Request:       r,
	}, nil
}

// refDoc is an independent reading of a GraphQL response document: the fields
// the client must report when the document carries errors.
type refDoc struct {
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
	Extensions map[string]any `json:"extensions"`
}

// fuzzMaxAttempts is the number of attempts the fuzzed client makes, so the
// retry path (and the reset of partial data between attempts) is covered.
const fuzzMaxAttempts = 2

// fuzzOps are generated operations run through MakeRequest; the fuzzer picks one.
var fuzzOps = []struct {
	name string
	call func(ctx context.Context, c *client.Client) (any, error)
}{
	{"PaymentByID", func(ctx context.Context, c *client.Client) (any, error) {
		return api.PaymentByID(ctx, c, 42)
	}},
	{"CaptureByID", func(ctx context.Context, c *client.Client) (any, error) {
		return api.CaptureByID(ctx, c, 7)
	}},
	{"PollPaymentRequest", func(ctx context.Context, c *client.Client) (any, error) {
		return api.PollPaymentRequest(ctx, c, uuid.MustParse("0b6f0d3c-36a3-4a4f-9a57-5b0c9f7b1e21"))
	}},
	{"NewPaymentSession", func(ctx context.Context, c *client.Client) (any, error) {
		return api.NewPaymentSession(ctx, c, api.PaymentSessionInput{
			Amount: 1000, ExpiresAt: "2030-01-01T00:00:00Z", IdempotencyKey: "order-1-session",
			MerchantReference: "order-1", Message: "Order 1",
		})
	}},
}

// fuzzResponseSeeds are response bodies the fuzzer starts from: answers of the
// operations above, GraphQL error documents, partial data, wrong types, huge
// numbers and nested nulls.
var fuzzResponseSeeds = []struct {
	status int
	op     uint8
	body   string
}{
	{200, 0, `{"data":{"payments":[{"id":42,"transactionId":"tx-1","amountAuthorized":null,"amountPaid":"1000","currency":"SEK","currentStatus":"PAID","createdAt":"2024-05-01T10:00:00Z","merchantReference":"order-1","merchantReference2":null,"paymentMethod":"SWISH","paymentRefundStatus":"NO_REFUND","status":[{"status":"PAID","enteredAt":"2024-05-01T10:00:01Z"}],"refunds":[{"waitToken":"0b6f0d3c-36a3-4a4f-9a57-5b0c9f7b1e21","transactionId":"r-1","paymentId":42,"totalAmount":100,"message":"Refund","createdAt":"2024-05-02T10:00:00Z","errorMessage":null,"status":[{"status":"PAID","enteredAt":"2024-05-02T10:00:01Z"}]}],"transactionCreditCardDetails":[],"transactionSwishDetails":[{"__typename":"SwishDetails","customerSwishNumber":"46700000000","bankPaymentReference":"b","dateCreated":"2024-05-01T10:00:00Z","datePaid":null,"errorCode":null,"errorMessage":null}],"transactionMobilePayDetails":[],"transactionVippsDetails":[],"transactionP24Details":[],"transactionPayPalDetails":[]}]}}`},
	{200, 0, `{"data":{"payments":[]}}`},
	{200, 0, `{"data":null,"errors":[{"message":"field 'payments' not found in type: 'query_root'","extensions":{"path":"$.selectionSet.payments","code":"validation-failed"}}]}`},
	{200, 0, `{"data":{"payments":[{"transactionId":5}]},"errors":[{"message":"partial","path":["payments",0,"transactionId"]}]}`},
	{200, 0, `{"errors":[{"message":"boom","path":["payments",0,"id"]}],"data":{"payments":[{"id":"x"}]}}`},
	{200, 0, `{"data":{"payments":[{"id":"not a number"}]},"errors":[{"message":"partial","path":["payments",0,"id"]}]}`},
	{200, 0, `{"data":{"payments":[{"createdAt":"not a time"}]},"errors":[{"message":"busy","extensions":{"type":"TEMPORARY_FAILURE"}}]}`},
	{200, 0, `{"data":{"payments":[{"id":99999999999999999999}]}}`},
	{200, 0, `{"data":{"payments":[{"id":1e3,"amountPaid":-9223372036854775808}]}}`},
	{200, 0, `{"data":{"payments":[null,{"status":[null,{"status":null}]},{"refunds":[{"status":null}]}]}}`},
	{200, 0, `{"data":{"payments":[{"transactionCreditCardDetails":[{"__typename":"CreditCardDetails","cardNumber":{"nested":[1,2,3]}}]}]}}`},
	{200, 0, `{"data":{"payments":{"id":1}}}`},
	{200, 1, `{"data":{"paymentCaptures":[{"id":"9007199254740993","transactionId":"cap-1","paymentId":42,"amount":"1500","message":null,"createdAt":"2024-05-01T10:00:00Z","errorMessage":null,"status":[{"status":"CAPTURE_SOMETHING_NEW","enteredAt":"2024-05-01T10:00:01Z"}]}]}}`},
	{200, 1, `{"data":{"paymentCaptures":[{"__typename":"PaymentCapture","createdAt":"not a time"}]}}`},
	{200, 2, `{"data":{"paymentRequests":[{"waitToken":"0b6f0d3c-36a3-4a4f-9a57-5b0c9f7b1e21","amount":100,"currency":"SEK","createdAt":"2024-05-01T10:00:00Z","reference":"r","paymentProvider":"SWISH","resultingPaymentId":null,"transactionId":"t","status":[{"status":"WAITING_FOR_PAYMENT","enteredAt":"2024-05-01T10:00:00Z"}],"statusHistory":[]}]}}`},
	{200, 2, `{"data":{"paymentRequests":[{"waitToken":"not-a-uuid"}]}}`},
	{200, 3, `{"data":{"newPaymentSession":{"token":"session-1"}}}`},
	{200, 3, `{"data":{"newPaymentSession":{"token":"session-1"}},"errors":[{"message":"warning","extensions":{"code":"unexpected"}}]}`},
	{200, 3, `{"errors":[{"message":"temporary failure, please retry","extensions":{"type":"TEMPORARY_FAILURE","code":"unexpected"}}]}`},
	{200, 3, `{"data":{"newPaymentSession":{"token":"s"}},"extensions":{"type":"TEMPORARY_FAILURE"}}`},
	{200, 3, `{"errors":[{"message":"echo tok_SENTINEL_d3adb33f_secret","extensions":{"code":"tok_SENTINEL_d3adb33f_secret","deep":[{"x":"tok_SENTINEL_d3adb33f_secret"}]}}]}`},
	{200, 3, `{"errors":[]}`},
	{200, 3, `{"errors":null,"data":null}`},
	{200, 3, `{"errors":[{"message":"x","path":[1e300,-0.5,null,true,{"a":1}]}]}`},
	{200, 3, `[]`},
	{200, 3, `null`},
	{200, 3, ``},
	{200, 3, `{"data":`},
	{200, 3, "\xff\xfe{}"},
	{401, 3, `{"errors":[{"message":"could not verify JWT: JWTExpired","extensions":{"code":"invalid-jwt","path":"$"}}]}`},
	{400, 3, `{"errors":[{"message":"bad","extensions":{"code":"validation-failed"}}],"data":{"newPaymentSession":7}}`},
	{503, 3, `{"errors":[{"message":"service unavailable","extensions":{"code":"unexpected","type":"TEMPORARY_FAILURE"}}]}`},
	{502, 3, `<html><body>Bad gateway</body></html>`},
	{500, 0, `{"errors":"not a list"}`},
	{204, 0, ``},
	{302, 0, `{}`},
}

// fuzzFrames wrap the fuzzed body, so the fuzzer also explores data of the
// wrong shape inside well-formed documents, with and without errors, in both
// key orders.
var fuzzFrames = []func(body []byte) []byte{
	func(b []byte) []byte { return b },
	func(b []byte) []byte { return frame(`{"data":`, b, `}`) },
	func(b []byte) []byte {
		return frame(`{"errors":[{"message":"framed","path":["x",0],"extensions":{"code":"validation-failed"}}],"data":`, b, `}`)
	},
	func(b []byte) []byte {
		return frame(`{"data":`, b, `,"errors":[{"message":"framed","path":["x",0],"extensions":{"code":"validation-failed"}}]}`)
	},
}

func frame(prefix string, b []byte, suffix string) []byte {
	out := make([]byte, 0, len(prefix)+len(b)+len(suffix))
	return append(append(append(out, prefix...), b...), suffix...)
}

// fuzzDataSeeds are data objects (of the wrong shape, with huge numbers,
// nested nulls) that the fuzzer puts inside each frame.
var fuzzDataSeeds = []struct {
	op   uint8
	data string
}{
	{0, `{"payments":[{"id":"12","amountPaid":1,"status":[{"status":"PAID","enteredAt":"2024-05-01T10:00:01Z"}]}]}`},
	{0, `{"payments":[{"transactionId":5,"refunds":[{"waitToken":7}]}]}`},
	{0, `{"payments":[{"status":[{"status":["PAID"]}],"refunds":{"a":null}}]}`},
	{1, `{"paymentCaptures":[{"amount":9223372036854775807,"message":null,"status":null}]}`},
	{2, `{"paymentRequests":[{"statusHistory":[{"enteredAt":null},null]}]}`},
	{3, `{"newPaymentSession":{"token":null}}`},
	{3, `{"newPaymentSession":[]}`},
	{3, `null`},
}

// FuzzMakeRequest feeds arbitrary response bodies and statuses, from an
// in-memory transport, through MakeRequest into generated response types.
// Properties: no panic; no hang; the call returns data or a *client.Error;
// the error never holds the token; a response document carrying GraphQL
// errors gives an *Error whose Errors are those errors, in order.
func FuzzMakeRequest(f *testing.F) {
	for _, s := range fuzzResponseSeeds {
		f.Add(uint16(s.status), s.op, uint8(0), []byte(s.body))
	}
	for _, d := range fuzzDataSeeds {
		for fr := range fuzzFrames {
			f.Add(uint16(200), d.op, uint8(fr), []byte(d.data))
		}
	}
	f.Fuzz(func(t *testing.T, status uint16, op, frameN uint8, body []byte) {
		body = fuzzFrames[int(frameN)%len(fuzzFrames)](body)
		code := int(status) // an HTTP status, folded into 200..599
		if code < 200 || code > 599 {
			code = 200 + code%400
		}
		tr := &fuzzTransport{status: code, body: body}
		c, err := client.New(testToken,
			client.WithEndpoint("https://gateway.kronor.test/v1/graphql"),
			client.WithHTTPClient(&http.Client{Transport: tr}),
			client.WithMaxAttempts(fuzzMaxAttempts),
		)
		if err != nil {
			t.Fatal(err)
		}
		client.SetSleep(c, func(ctx context.Context, d time.Duration) error { return ctx.Err() })
		o := fuzzOps[int(op)%len(fuzzOps)]

		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		type result struct {
			data any
			err  error
		}
		done := make(chan result, 1)
		go func() {
			d, err := o.call(ctx, c)
			done <- result{d, err}
		}()
		var r result
		hang := time.NewTimer(20 * time.Second)
		defer hang.Stop()
		select {
		case r = <-done:
		case <-hang.C:
			t.Fatalf("%s did not return within 20s (context timeout 10s) for HTTP %d %q", o.name, code, body)
		}
		if ctx.Err() != nil {
			t.Fatalf("%s ran into the context timeout for HTTP %d %q: %v", o.name, code, body, r.err)
		}
		if n := tr.calls.Load(); n < 1 || n > fuzzMaxAttempts {
			t.Fatalf("%d attempts, want 1..%d", n, fuzzMaxAttempts)
		}
		if r.data == nil || reflect.ValueOf(r.data).IsNil() {
			t.Fatalf("%s returned no response value (err %v)", o.name, r.err)
		}

		var ref refDoc
		refOK := json.Unmarshal(body, &ref) == nil
		if r.err == nil {
			if code/100 != 2 {
				t.Fatalf("HTTP %d accepted as a success: %q", code, body)
			}
			if refOK && len(ref.Errors) > 0 {
				t.Fatalf("a response with %d GraphQL errors accepted as a success: %q", len(ref.Errors), body)
			}
			return
		}
		var ce *client.Error
		if !errors.As(r.err, &ce) {
			t.Fatalf("error %T %v is not a *client.Error", r.err, r.err)
		}
		if ce.Operation != o.name {
			t.Errorf("Operation = %q, want %q", ce.Operation, o.name)
		}
		if ce.StatusCode != code {
			t.Errorf("StatusCode = %d, want %d", ce.StatusCode, code)
		}
		if ce.Attempts < 1 || ce.Attempts > fuzzMaxAttempts {
			t.Errorf("Attempts = %d", ce.Attempts)
		}
		if msg := r.err.Error(); strings.Contains(msg, testToken) {
			t.Fatalf("error reveals the token: %s", msg)
		}
		for _, g := range ce.Errors {
			if strings.Contains(fmt.Sprint(g.Extensions), testToken) {
				t.Fatalf("error extensions reveal the token: %v", g.Extensions)
			}
		}
		if refOK && len(ref.Errors) > 0 {
			checkErrorsMatch(t, ref, ce, body)
		}
	})
}

// checkErrorsMatch checks that the client reported exactly the document's
// GraphQL errors.
func checkErrorsMatch(t *testing.T, ref refDoc, ce *client.Error, body []byte) {
	t.Helper()
	if len(ce.Errors) != len(ref.Errors) {
		t.Fatalf("*Error has %d GraphQL errors, the document %d: %q\nerror: %v", len(ce.Errors), len(ref.Errors), body, ce)
	}
	redact := func(s string) string { return strings.ReplaceAll(s, testToken, "[REDACTED]") }
	for i, want := range ref.Errors {
		got := ce.Errors[i]
		if got.Message != redact(want.Message) {
			t.Errorf("error %d: Message = %q, want %q", i, got.Message, redact(want.Message))
		}
		code, _ := want.Extensions["code"].(string)
		typ, _ := want.Extensions["type"].(string)
		if got.Code != redact(code) || got.Type != redact(typ) {
			t.Errorf("error %d: Code, Type = %q, %q, want %q, %q", i, got.Code, got.Type, redact(code), redact(typ))
		}
		if len(got.Extensions) != len(want.Extensions) {
			t.Errorf("error %d: %d extensions, want %d", i, len(got.Extensions), len(want.Extensions))
		}
		if len(got.Path) != len(want.Path) {
			t.Fatalf("error %d: Path = %v, want %v", i, got.Path, want.Path)
		}
		for j, w := range want.Path {
			if !samePathElem(got.Path[j], w) {
				t.Errorf("error %d: Path[%d] = %#v, want %#v", i, j, got.Path[j], w)
			}
		}
	}
}

// samePathElem: an integral JSON number may be reported as an int.
func samePathElem(got, want any) bool {
	if f, ok := want.(float64); ok {
		if n, isInt := got.(int); isInt {
			return float64(n) == f && f == math.Trunc(f)
		}
	}
	return reflect.DeepEqual(got, want)
}
