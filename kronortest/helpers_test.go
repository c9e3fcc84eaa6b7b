package kronortest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/payments"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// t0 is the manual clock's start in every test.
var t0 = time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)

// fixture is one fake gateway with a manual clock.
type fixture struct {
	t     *testing.T
	srv   *kronortest.Server
	clock *kronortest.ManualClock
	keys  atomic.Int64
}

func newFixture(t *testing.T, opts ...kronortest.Option) *fixture {
	t.Helper()
	clock := kronortest.NewManualClock(t0)
	srv := kronortest.NewServer(append([]kronortest.Option{kronortest.WithClock(clock)}, opts...)...)
	t.Cleanup(srv.Close)
	return &fixture{t: t, srv: srv, clock: clock}
}

// now is the time on the fixture's clock, the system's when it has none.
func (f *fixture) now() time.Time {
	if f.clock == nil {
		return time.Now()
	}
	return f.clock.Now()
}

// key returns a fresh idempotency key.
func (f *fixture) key() string { return fmt.Sprintf("key-%d", f.keys.Add(1)) }

// gqlError is one error of a response.
type gqlError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

func (e gqlError) code() string { s, _ := e.Extensions["code"].(string); return s }
func (e gqlError) path() string { s, _ := e.Extensions["path"].(string); return s }

// result is a response as the test sees it.
type result struct {
	Status int
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
	raw    string
}

// post sends one GraphQL request over plain HTTP.
func post(t testing.TB, url, token, query string, vars map[string]any) result {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := result{Status: resp.StatusCode, raw: string(raw)}
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("response %d is not JSON: %s", resp.StatusCode, raw)
	}
	return r
}

func (f *fixture) merchant(query string, vars map[string]any) result {
	f.t.Helper()
	return post(f.t, f.srv.URL(), f.srv.MerchantToken(), query, vars)
}

func (f *fixture) as(token, query string, vars map[string]any) result {
	f.t.Helper()
	return post(f.t, f.srv.URL(), token, query, vars)
}

// ok fails the test unless r succeeded, and decodes its data into v.
func (r result) ok(t testing.TB, v any) {
	t.Helper()
	if r.Status != http.StatusOK || len(r.Errors) > 0 {
		t.Fatalf("request failed: HTTP %d %s", r.Status, r.raw)
	}
	if v != nil {
		if err := json.Unmarshal(r.Data, v); err != nil {
			t.Fatalf("decode %s: %v", r.Data, err)
		}
	}
}

// fails fails the test unless r is HTTP 200 with one error of the given code
// whose path contains pathPart.
func (r result) fails(t testing.TB, code, pathPart string) gqlError {
	t.Helper()
	if r.Status != http.StatusOK || len(r.Errors) != 1 || len(r.Data) > 0 && string(r.Data) != "null" {
		t.Fatalf("want one error %s at %q, got HTTP %d %s", code, pathPart, r.Status, r.raw)
	}
	e := r.Errors[0]
	if e.code() != code || !strings.Contains(e.path(), pathPart) {
		t.Fatalf("want error %s at %q, got %s at %q: %s", code, pathPart, e.code(), e.path(), e.Message)
	}
	return e
}

const sessionMutation = `mutation($p: PaymentSessionInput!) { newPaymentSession(payment: $p) { token } }`

const refCheckMutation = `mutation($p: PaymentSessionWithReferenceCheckInput!) {
  newPaymentSessionWithReferenceCheck(payment: $p) { token paymentId paymentTransactionId }
}`

// sessionInput is a valid newPaymentSession input; extra overrides fields.
func (f *fixture) sessionInput(ref string, amount int, extra map[string]any) map[string]any {
	in := map[string]any{
		"amount":            amount,
		"currency":          "SEK",
		"expiresAt":         f.now().Add(time.Hour).Format(time.RFC3339),
		"idempotencyKey":    f.key(),
		"merchantReference": ref,
		"message":           "Order 1",
	}
	for k, v := range extra {
		if v == nil {
			delete(in, k)
			continue
		}
		in[k] = v
	}
	return in
}

// session creates a payment session and returns its token.
func (f *fixture) session(ref string, amount int, extra map[string]any) string {
	f.t.Helper()
	var out struct{ NewPaymentSession struct{ Token string } }
	f.merchant(sessionMutation, map[string]any{"p": f.sessionInput(ref, amount, extra)}).ok(f.t, &out)
	if out.NewPaymentSession.Token == "" {
		f.t.Fatal("no session token")
	}
	return out.NewPaymentSession.Token
}

const swishMutation = `mutation($pay: SwishPaymentInput!) { newSwishPayment(pay: $pay) { waitToken } }`

// swish starts an mcom Swish payment in the session and returns its waitToken.
func (f *fixture) swish(token string) string {
	f.t.Helper()
	var out struct{ NewSwishPayment struct{ WaitToken string } }
	f.as(token, swishMutation, map[string]any{"pay": map[string]any{
		"idempotencyKey": f.key(), "flow": "mcom", "returnUrl": "https://shop.example/return",
	}}).ok(f.t, &out)
	return out.NewSwishPayment.WaitToken
}

const cardMutation = `mutation($pay: CreditCardPaymentInput!) { newCreditCardPayment(pay: $pay) { waitToken gateway } }`

// card starts a card payment and returns its waitToken.
func (f *fixture) card(token string) string {
	f.t.Helper()
	var out struct{ NewCreditCardPayment struct{ WaitToken string } }
	f.as(token, cardMutation, map[string]any{"pay": map[string]any{
		"idempotencyKey": f.key(), "returnUrl": "https://shop.example/return",
	}}).ok(f.t, &out)
	return out.NewCreditCardPayment.WaitToken
}

// paidPayment runs a Swish payment to PAID and returns its payment id.
func (f *fixture) paidPayment(ref string, amount int) int64 {
	f.t.Helper()
	wt := f.swish(f.session(ref, amount, nil))
	if err := f.srv.Approve(wt); err != nil {
		f.t.Fatal(err)
	}
	return f.resultingPaymentID(wt)
}

// authorizedPayment runs a card payment to AUTHORIZED and returns its payment id.
func (f *fixture) authorizedPayment(ref string, amount int) int64 {
	f.t.Helper()
	wt := f.card(f.session(ref, amount, nil))
	if err := f.srv.Approve(wt); err != nil {
		f.t.Fatal(err)
	}
	return f.resultingPaymentID(wt)
}

type requestRow struct {
	WaitToken          string
	Amount             int64
	Reference          string
	ResultingPaymentID *int64
	TransactionID      string
	CreatedAt          time.Time
	Status             []struct{ Status string }
	StatusHistory      []struct{ Status string }
}

const requestFields = `waitToken amount reference resultingPaymentId transactionId createdAt status { status } statusHistory { status }`

// request reads one payment request with the merchant token.
func (f *fixture) request(waitToken string) requestRow {
	f.t.Helper()
	var out struct{ PaymentRequests []requestRow }
	f.merchant(`query($w: uuid!) { paymentRequests(where: {waitToken: {_eq: $w}}) { `+requestFields+` } }`,
		map[string]any{"w": waitToken}).ok(f.t, &out)
	if len(out.PaymentRequests) != 1 {
		f.t.Fatalf("payment request %s: %d rows", waitToken, len(out.PaymentRequests))
	}
	return out.PaymentRequests[0]
}

func (f *fixture) resultingPaymentID(waitToken string) int64 {
	f.t.Helper()
	r := f.request(waitToken)
	if r.ResultingPaymentID == nil {
		f.t.Fatalf("payment request %s (%v) has no resultingPaymentId", waitToken, r.Status)
	}
	return *r.ResultingPaymentID
}

func statuses(rows []struct{ Status string }) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Status
	}
	return out
}

// wantStatus checks the current status of a payment request.
func (f *fixture) wantStatus(waitToken string, want payments.Status) {
	f.t.Helper()
	got, err := f.srv.PaymentRequestStatus(waitToken)
	if err != nil {
		f.t.Fatal(err)
	}
	if got != want {
		f.t.Fatalf("payment request %s is %s, want %s", waitToken, got, want)
	}
}

// deadline is the bound on any wait in these tests.
func deadline(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func decodeBody(t testing.TB, resp *http.Response, v any) {
	t.Helper()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("HTTP %d body is not JSON: %s", resp.StatusCode, raw)
	}
}
