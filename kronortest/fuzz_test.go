package kronortest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/internal/api"
	"github.com/kronor-io/kronor-go/kronortest"
)

// fuzzStart is the fake's manual clock in FuzzGraphQL; sessions in the seeds
// expire an hour later.
var fuzzStart = time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)

// errorLog records the records the server logs at level Error or above (a
// panic in a resolver is logged so, then answered as an error).
type errorLog struct {
	mu   sync.Mutex
	msgs []string
}

func (l *errorLog) Enabled(_ context.Context, lv slog.Level) bool { return lv >= slog.LevelError }
func (l *errorLog) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool { fmt.Fprintf(&b, " %s=%v", a.Key, a.Value); return true })
	l.mu.Lock()
	l.msgs = append(l.msgs, b.String())
	l.mu.Unlock()
	return nil
}
func (l *errorLog) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *errorLog) WithGroup(string) slog.Handler      { return l }
func (l *errorLog) count() (int, string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.msgs) == 0 {
		return 0, ""
	}
	return len(l.msgs), l.msgs[len(l.msgs)-1]
}

// fuzzFake is the one fake gateway of FuzzGraphQL, with a session holding a
// pending Swish payment, a PAID payment and an AUTHORIZED one, which the
// fuzzed requests can name through placeholders.
type fuzzFake struct {
	srv      *kronortest.Server
	hc       *http.Client
	log      *errorLog
	session  string            // token of the session with the pending payment
	places   map[string]string // placeholder -> value
	replacer *strings.Replacer
}

func newFuzzFake(f *testing.F) *fuzzFake {
	log := &errorLog{}
	srv := kronortest.NewServer(kronortest.WithClock(kronortest.NewManualClock(fuzzStart)), kronortest.WithLogger(slog.New(log)))
	f.Cleanup(srv.Close)
	tr := &http.Transport{}
	f.Cleanup(tr.CloseIdleConnections)
	ff := &fuzzFake{srv: srv, hc: &http.Client{Transport: tr, Timeout: 10 * time.Second}, log: log}

	session := func(ref string) string {
		var out struct{ NewPaymentSession struct{ Token string } }
		ff.must(f, srv.MerchantToken(), api.NewPaymentSession_Operation, fmt.Sprintf(`{"payment":{"amount":10000,"currency":"SEK","country":"SE",`+
			`"expiresAt":"2025-03-14T10:00:00Z","idempotencyKey":"fuzz-%s","merchantReference":%q,"message":"Order 1",`+
			`"additionalData":{"name":"Anna","email":"a@example.com","ip":"192.0.2.1","language":"SV",`+
			`"shippingAddress":{"firstName":"Anna","lastName":"A","streetAddress":"Gatan 1","postalCode":"11122","city":"Stockholm","country":"SE","email":"a@example.com","phoneNumber":"+46700000000"},`+
			`"orderLines":[{"name":"Tea","pricePerItem":10000,"quantity":1,"taxRate":2500,"totalAmount":10000,"totalTaxAmount":2000}]}}}`, ref, ref), &out)
		return out.NewPaymentSession.Token
	}
	start := func(token, op, vars string) string {
		var out map[string]struct{ WaitToken string }
		ff.must(f, token, op, vars, &out)
		for _, v := range out {
			return v.WaitToken
		}
		f.Fatal("no waitToken")
		return ""
	}
	paymentOf := func(waitToken string) (id, tx string) {
		var out struct {
			PaymentRequests []struct{ ResultingPaymentID *int64 }
		}
		ff.must(f, srv.MerchantToken(), `query($w: uuid!) { paymentRequests(where: {waitToken: {_eq: $w}}) { resultingPaymentId } }`,
			fmt.Sprintf(`{"w":%q}`, waitToken), &out)
		if len(out.PaymentRequests) != 1 || out.PaymentRequests[0].ResultingPaymentID == nil {
			f.Fatalf("payment request %s has no payment", waitToken)
		}
		id = strconv.FormatInt(*out.PaymentRequests[0].ResultingPaymentID, 10)
		var p struct {
			Payments []struct{ TransactionID string }
		}
		ff.must(f, srv.MerchantToken(), `query($id: bigint!) { payments(where: {id: {_eq: $id}}) { transactionId } }`, `{"id":`+id+`}`, &p)
		return id, p.Payments[0].TransactionID
	}

	ff.session = session("fuzz-pending")
	pending := start(ff.session, api.NewSwishPayment_Operation, `{"pay":{"idempotencyKey":"fuzz-swish-1","flow":"mcom","returnUrl":"https://shop.example/return"}}`)
	paidWait := start(session("fuzz-paid"), api.NewSwishPayment_Operation, `{"pay":{"idempotencyKey":"fuzz-swish-2","flow":"mcom","returnUrl":"https://shop.example/return"}}`)
	authWait := start(session("fuzz-auth"), api.NewCreditCardPayment_Operation, `{"pay":{"idempotencyKey":"fuzz-card-1","returnUrl":"https://shop.example/return"}}`)
	auth2Wait := start(session("fuzz-auth-2"), api.NewCreditCardPayment_Operation, `{"pay":{"idempotencyKey":"fuzz-card-2","returnUrl":"https://shop.example/return"}}`)
	for _, w := range []string{paidWait, authWait, auth2Wait} {
		if err := srv.Approve(w); err != nil {
			f.Fatal(err)
		}
	}
	paid, paidTx := paymentOf(paidWait)
	auth, authTx := paymentOf(authWait)
	auth2, auth2Tx := paymentOf(auth2Wait)
	ff.places = map[string]string{
		"@WAIT@": pending, "@PAIDWAIT@": paidWait, "@AUTHWAIT@": authWait,
		"@PAID@": paid, "@PAIDTX@": paidTx, "@AUTH@": auth, "@AUTHTX@": authTx, "@AUTH2@": auth2, "@AUTH2TX@": auth2Tx,
	}
	var pairs []string
	for k, v := range ff.places {
		pairs = append(pairs, k, v)
	}
	ff.replacer = strings.NewReplacer(pairs...)
	return ff
}

// fill replaces the placeholders in s.
func (ff *fuzzFake) fill(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	return ff.replacer.Replace(s)
}

// post sends body with the given Authorization header value ("" for none).
func (ff *fuzzFake) post(auth string, body []byte) (int, []byte, error) {
	req, err := http.NewRequest(http.MethodPost, ff.srv.URL(), bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := ff.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, err
}

// must runs one operation that has to succeed, and decodes its data into out.
func (ff *fuzzFake) must(tb testing.TB, token, query, vars string, out any) {
	tb.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": json.RawMessage(vars)})
	status, raw, err := ff.post("Bearer "+token, body)
	var r struct {
		Data   json.RawMessage
		Errors []any
	}
	if err != nil || status != http.StatusOK || json.Unmarshal(raw, &r) != nil || len(r.Errors) > 0 {
		tb.Fatalf("setup request failed: HTTP %d %s %v", status, raw, err)
	}
	if out != nil {
		if err := json.Unmarshal(r.Data, out); err != nil {
			tb.Fatal(err)
		}
	}
}

// fuzzOps are the SDK's real operations with variables naming the fake's
// fixtures; auth 0 is the merchant token, 1 the session token.
var fuzzOps = []struct {
	auth  uint8
	query string
	vars  string
}{
	{0, api.NewPaymentSession_Operation, `{"payment":{"amount":1000,"currency":"SEK","expiresAt":"2025-03-14T09:30:00Z","idempotencyKey":"fz-1","merchantReference":"fz-order-1","message":"Order 1"}}`},
	{0, api.NewPaymentSessionWithReferenceCheck_Operation, `{"payment":{"amount":10000,"currency":"SEK","country":"SE","expiresAt":"2025-03-14T09:30:00Z","idempotencyKey":"fz-2","merchantReference":"fuzz-paid","message":"Order 1"}}`},
	{1, api.NewSwishPayment_Operation, `{"pay":{"idempotencyKey":"fz-3","flow":"ecom","customerSwishNumber":"46700000000","returnUrl":"https://shop.example/return"}}`},
	{1, api.NewCreditCardPayment_Operation, `{"pay":{"idempotencyKey":"fz-4","returnUrl":"https://shop.example/return","merchantReturnUrl":"https://shop.example/m"}}`},
	{1, api.NewMobilePayPayment_Operation, `{"pay":{"idempotencyKey":"fz-5","returnUrl":"https://shop.example/return","userFlow":"QR"}}`},
	{1, api.NewVippsPayment_Operation, `{"pay":{"idempotencyKey":"fz-6","returnUrl":"https://shop.example/return","userFlow":"WebRedirect"}}`},
	{1, api.NewP24Payment_Operation, `{"pay":{"idempotencyKey":"fz-7","returnUrl":"https://shop.example/return","p24RegulationAccept":true,"paymentMethodId":9223372036854775807}}`},
	{1, api.NewPayPalPayment_Operation, `{"pay":{"idempotencyKey":"fz-8","returnUrl":"https://shop.example/return"}}`},
	{1, api.NewBankTransferPayment_Operation, `{"pay":{"idempotencyKey":"fz-9","returnUrl":"https://shop.example/return","flow":"mcom","aspspId":"1","executionDate":"2025-03-20","requestRedirectState":"s"}}`},
	{1, api.CancelPayment_Operation, `{"cancel":{"idempotencyKey":"fz-10"}}`},
	{1, api.CancelSwishPayment_Operation, `{"pay":{"idempotencyKey":"fz-11","paymentId":"@WAIT@"}}`},
	{1, api.CapturePayPalPayment_Operation, `{"pay":{"idempotencyKey":"fz-12","paymentId":"@WAIT@"}}`},
	{1, api.LatestSessionPaymentRequest_Operation, `{}`},
	{1, api.SessionPaymentRequests_Operation, `null`},
	{0, api.NewPaymentCapture_Operation, `{"capture":{"amount":100,"idempotencyKey":"fz-13","paymentId":@AUTH@,"message":"part 1"}}`},
	{0, api.NewPaymentCapture_Operation, `{"capture":{"amount":2147483647,"idempotencyKey":"fz-14","paymentTransactionId":"@AUTHTX@"}}`},
	{0, api.ReleasePayment_Operation, `{"release":{"amount":10000,"idempotencyKey":"fz-15","paymentId":"@AUTH2@","merchantReference":"rel-1"}}`},
	{0, api.ReleasePayment_Operation, `{"release":{"amount":10000,"idempotencyKey":"fz-15b","paymentTransactionId":"@AUTHTX@"}}`},
	{0, api.RefundPayment_Operation, `{"refund":{"amount":100,"idempotencyKey":"fz-16","paymentId":@PAID@,"message":"Refund 1","merchantReference":"ref-1"}}`},
	{0, api.RefundPayment_Operation, `{"refund":{"amount":-1,"idempotencyKey":"fz-17","paymentId":@PAID@,"paymentTransactionId":"@PAIDTX@","message":"Refund #1"}}`},
	{0, api.PaymentByID_Operation, `{"id":@PAID@}`},
	{0, api.PaymentByID_Operation, `{"id":"99999999999999999999999"}`},
	{0, api.PaymentRequestDetails_Operation, `{"waitToken":"@AUTHWAIT@"}`},
	{0, api.PollPaymentRequest_Operation, `{"waitToken":"@WAIT@"}`},
	{0, api.CaptureByID_Operation, `{"id":1}`},
	{0, api.CaptureByTransactionID_Operation, `{"transactionId":"@AUTHTX@"}`},
	{0, api.RefundByWaitToken_Operation, `{"waitToken":"not-a-uuid"}`},
	{0, api.RefundsByPaymentID_Operation, `{"paymentId":@PAID@}`},
	{0, api.ReleaseByID_Operation, `{"id":-1}`},
	{1, api.WatchPaymentRequest_Operation, `{"waitToken":"@WAIT@"}`},
	{0, `query { __schema { queryType { name } } __typename }`, `{}`},
	{0, `query($n: Int) { payments(limit: $n, orderBy: [{createdAt: DESC}]) { id captures { amount } refunds { totalAmount } transactionReleases { amount currentStatus } } }`, `{"n":2147483648}`},
	{1, `query { payments { id } }`, `{}`},
	{3, `mutation { newPaymentSession(payment: {amount: 1}) { token } }`, `{}`},
	{0, `query Q { a: paymentRequests { waitToken } b: paymentRequests { waitToken } } query R { __typename }`, `{}`},
	{0, `fragment F on query_root { ...F } query { ...F }`, `{}`},
	{0, `{ payments(where: {_and: [{_or: [{id: {_eq: null}}]}, {_not: {id: {_in: [1, 2]}}}]}) { id } }`, `{}`},
}

// fuzzRawBodies are request bodies that are not built from a query.
var fuzzRawBodies = []string{
	``, `{}`, `null`, `[]`, `[{"query":"{ __typename }"}]`, `{"query":null}`, `{"query":1}`, `{"query":"{ __typename }","variables":[]}`,
	`{"query":"{ __typename }","variables":"x","operationName":7}`, `{"query":"{ __typename }","extensions":{"persistedQuery":{"version":1,"sha256Hash":"x"}}}`,
	`{"query":"{`, "\xff\xfe", `{"query":"query($a: bigint!) { payments(where: {id: {_eq: $a}}) { id } }","variables":{"a":1e400}}`,
	`{"query":"mutation { refundPayment(refund: {amount: 1, idempotencyKey: \"k\", paymentId: @PAID@, message: \"m\"}) { waitToken } }"}`,
}

// FuzzGraphQL posts arbitrary GraphQL requests to one fake gateway: real
// operations with mutated queries and variables, and raw bodies. Placeholders
// such as @PAID@ and @WAIT@ name the fake's fixtures. The fake never panics
// (no 500, nothing logged at level Error, no "internal error"), never hangs
// (10s client timeout), always answers a GraphQL JSON document (an array of
// them for a batch) with HTTP 200, or 400 or 413 with errors, each error in
// Hasura's shape; and its state
// stays consistent: totals never decrease, payments never outnumber payment
// requests, and the fixture payments are never captured or refunded beyond
// their amounts.
func FuzzGraphQL(f *testing.F) {
	ff := newFuzzFake(f)
	for _, op := range fuzzOps {
		f.Add(op.auth, op.query, op.vars, []byte(nil))
	}
	for _, raw := range fuzzRawBodies {
		f.Add(uint8(0), "", "", []byte(raw))
	}
	var prev kronortest.Counts
	f.Fuzz(func(t *testing.T, auth uint8, query, vars string, raw []byte) {
		body := raw
		if len(body) == 0 && query != "" {
			query, vars = ff.fill(query), ff.fill(vars)
			v := json.RawMessage(vars)
			if !json.Valid(v) {
				v, _ = json.Marshal(vars) // not JSON: send it as a string
			}
			body, _ = json.Marshal(map[string]any{"query": query, "variables": v})
		}
		body = []byte(ff.fill(string(body)))
		header := []string{"Bearer " + ff.srv.MerchantToken(), "Bearer " + ff.session, "", "Bearer not-a-token"}[int(auth)%4]

		logged, _ := ff.log.count()
		status, resp, err := ff.post(header, body)
		if err != nil {
			t.Fatalf("no answer (hang or broken connection): %v\nrequest: %s", err, body)
		}
		if n, msg := ff.log.count(); n != logged {
			t.Fatalf("the fake logged an error: %s\nrequest: %s", msg, body)
		}
		switch status {
		case http.StatusOK, http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("HTTP %d %s\nrequest: %s", status, resp, body)
		}
		if batch := bytes.TrimLeft(body, " \t\r\n"); status == http.StatusOK && bytes.HasPrefix(batch, []byte("[")) {
			var answers []json.RawMessage
			if err := json.Unmarshal(resp, &answers); err != nil {
				t.Fatalf("a batch's answer is not an array: %v: %q\nrequest: %s", err, resp, body)
			}
			for _, a := range answers {
				checkGraphQLDocument(t, status, a, body)
			}
		} else {
			checkGraphQLDocument(t, status, resp, body)
		}
		checkFakeState(t, ff, &prev)
	})
}

// checkGraphQLDocument checks that resp is a GraphQL response: a JSON object
// with data or errors (errors when the status is not 200), each error with a
// message and Hasura's extensions.code and extensions.path.
func checkGraphQLDocument(t *testing.T, status int, resp, req []byte) {
	t.Helper()
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(resp, &doc); err != nil {
		t.Fatalf("HTTP %d answer is not a JSON object: %v: %q\nrequest: %s", status, err, resp, req)
	}
	for k := range doc {
		if k != "data" && k != "errors" && k != "extensions" {
			t.Fatalf("answer has key %q: %s", k, resp)
		}
	}
	var errs []struct {
		Message    *string        `json:"message"`
		Extensions map[string]any `json:"extensions"`
	}
	if e, ok := doc["errors"]; ok {
		if err := json.Unmarshal(e, &errs); err != nil || len(errs) == 0 {
			t.Fatalf("errors is not a non-empty list: %s", resp)
		}
	}
	_, hasData := doc["data"]
	if !hasData && len(errs) == 0 {
		t.Fatalf("answer has neither data nor errors: %s\nrequest: %s", resp, req)
	}
	if status != http.StatusOK && (len(errs) == 0 || hasData) {
		t.Fatalf("HTTP %d answer without errors, or with data: %s", status, resp)
	}
	for _, e := range errs {
		code, _ := e.Extensions["code"].(string)
		path, _ := e.Extensions["path"].(string)
		if e.Message == nil || code == "" || !strings.HasPrefix(path, "$") {
			t.Fatalf("error not in Hasura's shape (message, extensions.code, extensions.path): %s\nrequest: %s", resp, req)
		}
		if code == "unexpected" || strings.Contains(*e.Message, "internal error") {
			t.Fatalf("internal error: %s\nrequest: %s", *e.Message, req)
		}
	}
}

// checkFakeState checks the fake's invariants after a request.
func checkFakeState(t *testing.T, ff *fuzzFake, prev *kronortest.Counts) {
	t.Helper()
	now := ff.srv.Totals()
	p := *prev
	if now.Sessions < p.Sessions || now.PaymentRequests < p.PaymentRequests || now.Payments < p.Payments ||
		now.Captures < p.Captures || now.Releases < p.Releases || now.Refunds < p.Refunds {
		t.Fatalf("totals decreased: %+v, then %+v", p, now)
	}
	*prev = now
	if now.Payments > now.PaymentRequests {
		t.Fatalf("%d payments but %d payment requests", now.Payments, now.PaymentRequests)
	}
	var out struct {
		Payments []struct {
			ID               int64
			AmountAuthorized *int64
			AmountPaid       int64
			Captures         []struct {
				Amount int64
				Status []struct{ Status string }
			}
			Refunds []struct {
				TotalAmount int64
				Status      []struct{ Status string }
			}
			TransactionReleases []struct {
				Amount        int64
				CurrentStatus string
			}
		}
	}
	ff.must(t, ff.srv.MerchantToken(), `query($ids: [bigint!]) { payments(where: {id: {_in: $ids}}) {
		id amountAuthorized amountPaid
		captures { amount status { status } }
		refunds { totalAmount status { status } }
		transactionReleases { amount currentStatus } } }`,
		`{"ids":[`+ff.places["@PAID@"]+`,`+ff.places["@AUTH@"]+`,`+ff.places["@AUTH2@"]+`]}`, &out)
	if len(out.Payments) != 3 {
		t.Fatalf("the fixture payments: %+v", out.Payments)
	}
	last := func(s []struct{ Status string }) string {
		if len(s) == 0 {
			return ""
		}
		return s[len(s)-1].Status
	}
	for _, p := range out.Payments {
		var captured, refunded int64
		for _, c := range p.Captures {
			if st := last(c.Status); st != "ERROR" && st != "CAPTURE_DECLINED" && st != "CAPTURE_COOLDOWN" {
				captured += c.Amount
			}
		}
		for _, r := range p.Refunds {
			if last(r.Status) != "ERROR" {
				refunded += r.TotalAmount
			}
		}
		if p.AmountAuthorized != nil && captured > *p.AmountAuthorized {
			t.Fatalf("payment %d: captured %d of %d authorized", p.ID, captured, *p.AmountAuthorized)
		}
		if refunded > p.AmountPaid {
			t.Fatalf("payment %d: refunded %d of %d paid", p.ID, refunded, p.AmountPaid)
		}
		var released int64
		for _, r := range p.TransactionReleases {
			if r.CurrentStatus != "ERROR" {
				released += r.Amount
			}
		}
		if released > 0 && captured > 0 {
			t.Fatalf("payment %d: released %d and captured %d", p.ID, released, captured)
		}
	}
}
