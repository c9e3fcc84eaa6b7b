package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/gql"
)

func TestErrorMapping(t *testing.T) {
	type want struct {
		unauthorized, rejected, temporary, reqTooLarge bool
	}
	for _, tc := range []struct {
		name   string
		status int
		body   string
		want   want
	}{
		{"401 invalid-jwt", 401, `{"errors":[{"message":"Could not verify JWT: JWTExpired","extensions":{"code":"invalid-jwt","path":"$"}}]}`, want{unauthorized: true}},
		{"403 without body", 403, ``, want{unauthorized: true}},
		{"200 invalid-jwt", 200, `{"errors":[{"message":"Could not verify JWT","extensions":{"code":"invalid-jwt"}}]}`, want{unauthorized: true}},
		{"200 jwt-expired", 200, `{"errors":[{"message":"expired","extensions":{"code":"jwt-expired"}}]}`, want{unauthorized: true}},
		{"200 access-denied", 200, `{"errors":[{"message":"denied","extensions":{"code":"access-denied"}}]}`, want{unauthorized: true}},
		{"200 invalid-headers", 200, `{"errors":[{"message":"missing header","extensions":{"code":"invalid-headers"}}]}`, want{unauthorized: true}},
		{"200 validation-failed", 200, `{"errors":[{"message":"field 'cardNumber' not found in type: 'CreditCardDetails'","extensions":{"code":"validation-failed","path":"$.selectionSet.x"}}]}`, want{rejected: true}},
		{"200 bad-request", 200, `{"errors":[{"message":"amount must be positive","extensions":{"code":"bad-request"}}]}`, want{rejected: true}},
		{"200 constraint-violation", 200, `{"errors":[{"message":"duplicate","extensions":{"code":"constraint-violation"}}]}`, want{rejected: true}},
		{"200 parse-failed", 200, `{"errors":[{"message":"bad json","extensions":{"code":"parse-failed"}}]}`, want{rejected: true}},
		{"200 unknown code", 200, `{"errors":[{"message":"cannot capture","extensions":{"code":"capture-declined"}}]}`, want{rejected: true}},
		{"200 error without extensions", 200, `{"errors":[{"message":"no"}]}`, want{rejected: true}},
		{"400", 400, ``, want{rejected: true}},
		{"422", 422, `{"errors":[{"message":"bad","extensions":{"code":"validation-failed"}}]}`, want{rejected: true}},
		{"413", 413, ``, want{reqTooLarge: true}},
		{"500 with GraphQL error is temporary, not a rejection", 500, `{"errors":[{"message":"internal"}]}`, want{temporary: true}},
		{"404 page is a rejection", 404, `<html>no such page</html>`, want{rejected: true}},
		{"503", 503, ``, want{temporary: true}},
		{"200 TEMPORARY_FAILURE", 200, `{"errors":[{"message":"busy","extensions":{"type":"TEMPORARY_FAILURE","code":"unexpected"}}]}`, want{temporary: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newScript(t, reply(tc.status, tc.body))
			c := s.newClient(t, client.WithMaxAttempts(1))
			_, err := ping(context.Background(), c)
			var e *client.Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want *client.Error", err)
			}
			got := want{
				unauthorized: errors.Is(err, client.ErrUnauthorized),
				rejected:     errors.Is(err, client.ErrRejected),
				temporary:    errors.Is(err, client.ErrTemporary),
				reqTooLarge:  errors.Is(err, client.ErrRequestTooLarge),
			}
			if got != tc.want {
				t.Errorf("errors.Is: got %+v, want %+v (err: %v)", got, tc.want, err)
			}
			if e.StatusCode != tc.status {
				t.Errorf("StatusCode = %d, want %d", e.StatusCode, tc.status)
			}
			if errors.Is(err, client.ErrResponseTooLarge) || errors.Is(err, client.ErrInvalidInput) {
				t.Errorf("err = %v matches a size or input target", err)
			}
		})
	}
}

func TestGraphQLErrorFields(t *testing.T) {
	body := `{"errors":[
		{"message":"amount too large","path":["newPaymentCapture",0,"amount"],"extensions":{"code":"bad-request","type":"VALIDATION_FAILURE","path":"$.capture.amount"}},
		{"message":"second"}]}`
	s := newScript(t, reply(200, body))
	c := s.newClient(t)
	_, err := ping(context.Background(), c)
	var e *client.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want *client.Error", err)
	}
	if len(e.Errors) != 2 {
		t.Fatalf("Errors = %+v, want 2", e.Errors)
	}
	g := e.Errors[0]
	if g.Message != "amount too large" || g.Code != "bad-request" || g.Type != "VALIDATION_FAILURE" {
		t.Errorf("first error = %+v", g)
	}
	if want := []any{"newPaymentCapture", 0, "amount"}; !reflect.DeepEqual(g.Path, want) {
		t.Errorf("Path = %#v, want %#v", g.Path, want)
	}
	if g.Extensions["path"] != "$.capture.amount" {
		t.Errorf("Extensions = %v", g.Extensions)
	}
	if g.Temporary() {
		t.Error("Temporary() is true for a validation error")
	}
	if e.Errors[1].Message != "second" || e.Errors[1].Code != "" {
		t.Errorf("second error = %+v", e.Errors[1])
	}
	const wantText = "kronor: Ping: bad-request: amount too large (at newPaymentCapture[0].amount); second"
	if err.Error() != wantText {
		t.Errorf("Error() = %q\nwant       %q", err.Error(), wantText)
	}
}

func TestErrorText(t *testing.T) {
	s := newScript(t, reply(503, ``), reply(503, ``))
	c := s.newClient(t, client.WithMaxAttempts(2))
	_, err := ping(context.Background(), c)
	const want = "kronor: Ping: HTTP 503 Service Unavailable (after 2 attempts) (it may have reached the gateway: safe to retry)"
	if err == nil || err.Error() != want {
		t.Errorf("Error() = %v, want %q", err, want)
	}
}

// Partial data with errors: the data is decoded and the error returned.
func TestPartialData(t *testing.T) {
	s := newScript(t, reply(200, `{"data":{"ping":"pong"},"errors":[{"message":"other field failed","path":["other"],"extensions":{"code":"unexpected"}}],"extensions":{"cost":3}}`))
	c := s.newClient(t)
	d := &pingData{}
	resp := &gql.Response{Data: d}
	err := c.MakeRequest(context.Background(), pingRequest(), resp)
	if !errors.Is(err, client.ErrRejected) {
		t.Fatalf("err = %v, want ErrRejected", err)
	}
	if d.Ping != "pong" {
		t.Errorf("data = %+v, want the partial data decoded", d)
	}
	if resp.Extensions["cost"] != float64(3) {
		t.Errorf("Extensions = %v", resp.Extensions)
	}
	if n := len(s.requests()); n != 1 {
		t.Errorf("server got %d requests, want 1", n)
	}
}

func TestErrorIsByFields(t *testing.T) {
	for _, tc := range []struct {
		e      *client.Error
		target error
		want   bool
	}{
		{&client.Error{StatusCode: 401}, client.ErrUnauthorized, true},
		{&client.Error{StatusCode: 200, Errors: []client.GraphQLError{{Code: "invalid-jwt"}}}, client.ErrRejected, false},
		{&client.Error{StatusCode: 200, Errors: []client.GraphQLError{{Code: "validation-failed"}}}, client.ErrRejected, true},
		{&client.Error{StatusCode: 200, Errors: []client.GraphQLError{{Type: client.TemporaryFailure}}, Retryable: true}, client.ErrRejected, false},
		{&client.Error{Retryable: true}, client.ErrTemporary, true},
		{&client.Error{StatusCode: 502}, client.ErrRejected, false},
		{&client.Error{Err: fmt.Errorf("wrapped: %w", client.ErrResponseTooLarge)}, client.ErrResponseTooLarge, true},
		{&client.Error{Err: context.DeadlineExceeded}, context.DeadlineExceeded, true},
	} {
		if got := errors.Is(tc.e, tc.target); got != tc.want {
			t.Errorf("errors.Is(%+v, %v) = %v, want %v", *tc.e, tc.target, got, tc.want)
		}
	}
}

func TestValidationError(t *testing.T) {
	var v client.ValidationError
	if v.Err() != nil {
		t.Fatal("Err() of an empty ValidationError is not nil")
	}
	v.Violations = append(v.Violations, client.Violation{Field: "payment.amount", Rule: "must be positive"},
		client.Violation{Field: "payment.additionalData.orderLines[1].name", Rule: "must not be empty"})
	err := v.Err()
	if !errors.Is(err, client.ErrInvalidInput) {
		t.Errorf("errors.Is(err, ErrInvalidInput) = false")
	}
	if errors.Is(err, client.ErrRejected) {
		t.Errorf("a ValidationError matches ErrRejected")
	}
	const want = "kronor: invalid input: payment.amount: must be positive; payment.additionalData.orderLines[1].name: must not be empty"
	if err.Error() != want {
		t.Errorf("Error() = %q\nwant       %q", err.Error(), want)
	}
	var got *client.ValidationError
	if !errors.As(fmt.Errorf("sessions: %w", err), &got) || len(got.Violations) != 2 {
		t.Errorf("errors.As: %v", got)
	}
	lit := &client.ValidationError{Violations: []client.Violation{{Field: "x", Rule: "y"}}}
	if !strings.HasSuffix(lit.Error(), ": x: y") || !errors.Is(lit, client.ErrInvalidInput) {
		t.Errorf("literal ValidationError: %v", lit)
	}
}

// mutationRequest is a mutation whose input carries an idempotency key.
func mutationRequest(key string) *gql.Request {
	return &gql.Request{
		OpName:    "Capture",
		Query:     `mutation Capture($capture: PaymentCaptureInput!) { newPaymentCapture(capture: $capture) { id } }`,
		Variables: map[string]any{"capture": map[string]any{"amount": 1, "idempotencyKey": key}},
	}
}

// Every error of a mutation that was sent carries the key it was sent with,
// and a temporary failure's text says to retry with it.
func TestErrorCarriesTheIdempotencyKey(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer http.HandlerFunc
		target error
	}{
		{"temporary", reply(503, ``), client.ErrTemporary},
		{"rejected", reply(200, `{"errors":[{"message":"no","extensions":{"code":"validation-failed"}}]}`), client.ErrRejected},
		{"cut short", reply(200, `{"data":{"newPay`), client.ErrTemporary},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newScript(t, tc.answer)
			c := s.newClient(t, client.WithMaxAttempts(1))
			err := c.MakeRequest(context.Background(), mutationRequest("order-1.capture"), &gql.Response{})
			var e *client.Error
			if !errors.As(err, &e) || !errors.Is(err, tc.target) {
				t.Fatalf("err = %v, want a *client.Error matching %v", err, tc.target)
			}
			if e.IdempotencyKey != "order-1.capture" {
				t.Errorf("IdempotencyKey = %q, want the key sent", e.IdempotencyKey)
			}
			if tc.target == client.ErrTemporary && !strings.Contains(err.Error(), "retry with the same parameters and idempotency key order-1.capture") {
				t.Errorf("Error() = %q: should tell to retry with the key", err)
			}
		})
	}
	s := newScript(t, reply(503, ``))
	_, err := ping(context.Background(), s.newClient(t, client.WithMaxAttempts(1)))
	var e *client.Error
	if !errors.As(err, &e) || e.IdempotencyKey != "" {
		t.Errorf("a query has no key: err = %#v", err)
	}
}

// A key reused with other parameters is its own target, a rejection too,
// and its text says what to do.
func TestIdempotencyConflict(t *testing.T) {
	s := newScript(t, reply(200, `{"errors":[{"message":"idempotencyKey \"k\" was already used with a different input","path":["newPaymentCapture"],"extensions":{"code":"idempotency-conflict"}}]}`))
	c := s.newClient(t)
	err := c.MakeRequest(context.Background(), mutationRequest("k"), &gql.Response{})
	if !errors.Is(err, client.ErrIdempotencyConflict) || !errors.Is(err, client.ErrRejected) || errors.Is(err, client.ErrTemporary) {
		t.Fatalf("err = %v, want ErrIdempotencyConflict and ErrRejected", err)
	}
	for _, want := range []string{"resend the original parameters", "new key for new parameters"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Error() = %q, want it to say %q", err, want)
		}
	}
	if n := len(s.requests()); n != 1 {
		t.Errorf("server got %d requests, want 1 (a conflict is not retried)", n)
	}
	other := newScript(t, reply(200, `{"errors":[{"message":"no","extensions":{"code":"validation-failed"}}]}`))
	if err := other.newClient(t).MakeRequest(context.Background(), mutationRequest("k"), &gql.Response{}); errors.Is(err, client.ErrIdempotencyConflict) {
		t.Errorf("validation-failed is no conflict: %v", err)
	}
}

// The gateway's request id (x-request-id) is on the error and in its text,
// for Kronor's support.
func TestErrorCarriesTheRequestID(t *testing.T) {
	s := newScript(t, reply(200, `{"errors":[{"message":"no","extensions":{"code":"validation-failed"}}]}`, "X-Request-Id", "9f1c2e7a-req"))
	_, err := ping(context.Background(), s.newClient(t))
	var e *client.Error
	if !errors.As(err, &e) || e.RequestID != "9f1c2e7a-req" || !strings.Contains(err.Error(), "(request id 9f1c2e7a-req)") {
		t.Fatalf("err = %v (%#v), want request id 9f1c2e7a-req", err, e)
	}
}

// WithAppInfo puts the plugin after the SDK in the User-Agent; bad values
// are refused by New.
func TestAppInfoInTheUserAgent(t *testing.T) {
	s := newScript(t, reply(200, okBody), reply(200, okBody))
	if _, err := ping(context.Background(), s.newClient(t, client.WithAppInfo("shop-plugin", "1.4.2", "https://plugins.example/kronor"))); err != nil {
		t.Fatal(err)
	}
	if _, err := ping(context.Background(), s.newClient(t)); err != nil {
		t.Fatal(err)
	}
	reqs := s.requests()
	want := "kronor-go/" + client.Version + " shop-plugin/1.4.2 (https://plugins.example/kronor)"
	if got := reqs[0].Header.Get("User-Agent"); got != want {
		t.Errorf("User-Agent = %q, want %q", got, want)
	}
	if got := reqs[1].Header.Get("User-Agent"); got != "kronor-go/"+client.Version {
		t.Errorf("User-Agent without app info = %q", got)
	}
	for _, bad := range [][3]string{{"", "1", ""}, {"my plugin", "", ""}, {"a/b", "", ""}, {"p", "1 2", ""}, {"p", "", "https://x/(y)"}, {"p", "1\n", ""}} {
		if _, err := client.New("t", client.WithAppInfo(bad[0], bad[1], bad[2])); err == nil {
			t.Errorf("WithAppInfo(%q, %q, %q) accepted", bad[0], bad[1], bad[2])
		}
	}
}
