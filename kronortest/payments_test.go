package kronortest_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/payments"
)

// methodCall is one create-payment mutation and where its waitToken is.
type methodCall struct {
	name   string
	query  string
	input  map[string]any
	result string // the result field holding the waitToken
}

func methodCalls(key func() string) []methodCall {
	ret := "https://shop.example/return"
	return []methodCall{
		{"swish", `mutation($pay: SwishPaymentInput!) { r: newSwishPayment(pay: $pay) { waitToken } }`,
			map[string]any{"idempotencyKey": key(), "flow": "ecom", "customerSwishNumber": "46700000000", "returnUrl": ret}, "waitToken"},
		{"card", `mutation($pay: CreditCardPaymentInput!) { r: newCreditCardPayment(pay: $pay) { waitToken gateway } }`,
			map[string]any{"idempotencyKey": key(), "returnUrl": ret}, "waitToken"},
		{"mobilepay", `mutation($pay: MobilePayPaymentInput!) { r: newMobilePayPayment(pay: $pay) { waitToken gateway } }`,
			map[string]any{"idempotencyKey": key(), "returnUrl": ret, "userFlow": "NativeRedirect"}, "waitToken"},
		{"vipps", `mutation($pay: VippsPaymentInput!) { r: newVippsPayment(pay: $pay) { waitToken gateway } }`,
			map[string]any{"idempotencyKey": key(), "returnUrl": ret}, "waitToken"},
		{"p24", `mutation($pay: P24PaymentInput!) { r: newP24Payment(pay: $pay) { paymentId } }`,
			map[string]any{"idempotencyKey": key(), "returnUrl": ret}, "paymentId"},
		{"bank transfer", `mutation($pay: BankTransferPaymentInput!) { r: newBankTransferPayment(pay: $pay) { paymentId paymentRequestId gateway } }`,
			map[string]any{"idempotencyKey": key(), "returnUrl": ret, "flow": "mcom"}, "paymentId"},
		{"paypal", `mutation($pay: PayPalPaymentInput!) { r: newPayPalPayment(pay: $pay) { paymentId } }`,
			map[string]any{"idempotencyKey": key(), "returnUrl": ret}, "paymentId"},
	}
}

// start runs a create-payment call and returns the waitToken it answered.
func (f *fixture) start(token string, m methodCall) string {
	f.t.Helper()
	var out struct{ R map[string]any }
	f.as(token, m.query, map[string]any{"pay": m.input}).ok(f.t, &out)
	wt, _ := out.R[m.result].(string)
	if wt == "" {
		f.t.Fatalf("%s: no %s in %v", m.name, m.result, out.R)
	}
	return wt
}

// paypalData is the additionalData a 1000 session needs for PayPal: a
// shipping address and order lines.
func paypalData() map[string]any {
	return map[string]any{
		"name": "Anna", "email": "a@example.com", "ip": "127.0.0.1", "language": "SV",
		"shippingAddress": map[string]any{
			"firstName": "Anna", "lastName": "S", "streetAddress": "Gatan 1", "postalCode": "11122",
			"city": "Stockholm", "country": "SE", "email": "a@example.com", "phoneNumber": "+46700000000",
		},
		"orderLines": []any{map[string]any{"name": "Socks", "pricePerItem": 1000, "quantity": 1, "taxRate": 2500, "totalAmount": 1000, "totalTaxAmount": 200}},
	}
}

func TestPaymentMethodPreconditions(t *testing.T) {
	f := newFixture(t)
	calls := methodCalls(f.key)
	call := func(name string) methodCall {
		i := slices.IndexFunc(calls, func(m methodCall) bool { return m.name == name })
		return calls[i]
	}
	additional := map[string]any{"name": "Anna", "email": "a@example.com", "ip": "127.0.0.1", "language": "PL"}
	tests := []struct {
		name    string
		method  string
		session map[string]any
		input   map[string]any // overrides of the method input
		errPath string         // "" = allowed
	}{
		{"swish in SEK", "swish", nil, nil, ""},
		{"swish mcom without number", "swish", nil, map[string]any{"flow": "mcom", "customerSwishNumber": nil}, ""},
		{"swish ecom needs a number", "swish", nil, map[string]any{"customerSwishNumber": nil}, "args.pay.customerSwishNumber"},
		{"swish unknown flow", "swish", nil, map[string]any{"flow": "web"}, "args.pay.flow"},
		{"swish relative returnUrl", "swish", nil, map[string]any{"returnUrl": "/back"}, "args.pay.returnUrl"},
		{"card in any currency", "card", map[string]any{"currency": "EUR"}, nil, ""},
		{"mobilepay in DKK", "mobilepay", map[string]any{"currency": "DKK"}, nil, ""},
		{"mobilepay in SEK", "mobilepay", nil, nil, "$.selectionSet.newMobilePayPayment.args.pay"},
		{"mobilepay with KRONOR needs userFlow", "mobilepay", map[string]any{"currency": "DKK", "preferredGateway": "KRONOR"}, map[string]any{"userFlow": nil}, "args.pay.userFlow"},
		{"vipps in NOK", "vipps", map[string]any{"currency": "NOK"}, nil, ""},
		{"vipps in SEK", "vipps", nil, nil, "$.selectionSet.newVippsPayment.args.pay"},
		{"p24 in PLN, PL, with name", "p24", map[string]any{"currency": "PLN", "country": "PL", "additionalData": additional}, nil, ""},
		{"p24 in SEK", "p24", map[string]any{"country": "PL", "additionalData": additional}, nil, "args.pay"},
		{"p24 without country", "p24", map[string]any{"currency": "PLN", "additionalData": additional}, nil, "args.pay"},
		{"p24 without name", "p24", map[string]any{"currency": "PLN", "country": "PL"}, nil, "args.pay"},
		{"bank transfer", "bank transfer", nil, nil, ""},
		{"bank transfer with execution date allowed", "bank transfer", map[string]any{"allowExecutionDate": true},
			map[string]any{"executionDate": t0.AddDate(0, 0, 5).Format(time.DateOnly)}, ""},
		{"bank transfer execution date not allowed", "bank transfer", nil,
			map[string]any{"executionDate": t0.AddDate(0, 0, 5).Format(time.DateOnly)}, "args.pay.executionDate"},
		{"bank transfer execution date today", "bank transfer", map[string]any{"allowExecutionDate": true},
			map[string]any{"executionDate": t0.Format(time.DateOnly)}, "args.pay.executionDate"},
		{"bank transfer execution date beyond 90 days", "bank transfer", map[string]any{"allowExecutionDate": true},
			map[string]any{"executionDate": t0.AddDate(0, 0, 91).Format(time.DateOnly)}, "args.pay.executionDate"},
		{"paypal with shipping address and order lines", "paypal", map[string]any{"additionalData": paypalData()}, nil, ""},
		{"paypal without them", "paypal", nil, nil, "args.pay"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ref := "ref-" + tc.name
			tok := f.session(ref, 1000, tc.session)
			m := call(tc.method)
			in := map[string]any{}
			for k, v := range m.input {
				in[k] = v
			}
			in["idempotencyKey"] = f.key()
			for k, v := range tc.input {
				if v == nil {
					delete(in, k)
				} else {
					in[k] = v
				}
			}
			r := f.as(tok, m.query, map[string]any{"pay": in})
			if tc.errPath == "" {
				r.ok(t, nil)
				if n := f.srv.Counts(ref).PaymentRequests; n != 1 {
					t.Fatalf("payment requests: %d", n)
				}
				return
			}
			r.fails(t, "validation-failed", tc.errPath)
			if n := f.srv.Counts(ref).PaymentRequests; n != 0 {
				t.Fatalf("a refused payment was stored: %d requests", n)
			}
		})
	}
}

func TestNoDoublePaymentInASession(t *testing.T) {
	f := newFixture(t)
	calls := methodCalls(f.key)
	swish, card := calls[0], calls[1]

	tok := f.session("ref-double", 1000, nil)
	p1 := f.start(tok, swish)
	// Same method, same parameters, P1 still pending: P1 answers.
	again := swish
	again.input = map[string]any{}
	for k, v := range swish.input {
		again.input[k] = v
	}
	again.input["idempotencyKey"] = f.key()
	if got := f.start(tok, again); got != p1 {
		t.Fatalf("same method and parameters: got %s, want the pending %s", got, p1)
	}
	// Same method, other parameters: a new payment.
	other := again
	other.input = map[string]any{"idempotencyKey": f.key(), "flow": "mcom", "returnUrl": "https://shop.example/return"}
	p2 := f.start(tok, other)
	if p2 == p1 {
		t.Fatal("other parameters answered the pending payment")
	}
	// Once one is paid, every method answers with it.
	if err := f.srv.Approve(p2); err != nil {
		t.Fatal(err)
	}
	for _, m := range []methodCall{swish, card} {
		m.input["idempotencyKey"] = f.key()
		if got := f.start(tok, m); got != p2 {
			t.Fatalf("%s after payment: got %s, want the paid %s", m.name, got, p2)
		}
	}
	if c := f.srv.Counts("ref-double"); c.PaymentRequests != 2 || c.Payments != 1 {
		t.Fatalf("counts %+v, want 2 requests and 1 payment", c)
	}

	// After a cancel the same parameters start a new payment.
	tok2 := f.session("ref-cancel", 1000, nil)
	w1 := f.swish(tok2)
	f.as(tok2, `mutation($c: PaymentCancelInput!) { cancelPayment(cancel: $c) { waitToken } }`,
		map[string]any{"c": map[string]any{"idempotencyKey": f.key()}}).ok(t, nil)
	if w2 := f.swish(tok2); w2 == w1 {
		t.Fatal("a cancelled payment answered a new one")
	}
}

func TestStatusMachine(t *testing.T) {
	f := newFixture(t)
	created := []string{"PRE_FLIGHT_CHECK", "INITIALIZING", "WAITING_FOR_PAYMENT"}
	tests := []struct {
		name   string
		start  func(tok string) string
		drive  func(wt string) error
		want   []string // statuses after creation
		paymnt bool     // a payment exists
	}{
		{"swish approved", f.swish, f.srv.Approve, []string{"PAID"}, true},
		{"card approved", f.card, f.srv.Approve, []string{"AUTHORIZED"}, true},
		{"swish declined", f.swish, f.srv.Decline, []string{"DECLINED"}, false},
		{"swish failed", f.swish, f.srv.Fail, []string{"ERROR"}, false},
		{"swish timed out", f.swish, f.srv.TimeOut, []string{"ERROR"}, false},
		{"bank transfer approved", func(tok string) string { return f.start(tok, methodCalls(f.key)[5]) }, f.srv.Approve,
			[]string{"FLOW_COMPLETED", "ACCEPTED", "PAID"}, true},
		{"bank transfer stepped", func(tok string) string { return f.start(tok, methodCalls(f.key)[5]) }, func(wt string) error {
			for _, st := range []payments.Status{"PROCESSING_REDIRECTED_WEB", "FLOW_COMPLETED", "ACCEPTED", "PAID"} {
				if err := f.srv.Advance(wt, st); err != nil {
					return err
				}
			}
			return nil
		}, []string{"PROCESSING_REDIRECTED_WEB", "FLOW_COMPLETED", "ACCEPTED", "PAID"}, true},
		{"swish via processing", f.swish, func(wt string) error {
			if err := f.srv.Advance(wt, "PROCESSING"); err != nil {
				return err
			}
			return f.srv.Advance(wt, "PAID")
		}, []string{"PROCESSING", "PAID"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ref := "ref-sm-" + tc.name
			wt := tc.start(f.session(ref, 2500, nil))
			row := f.request(wt)
			if got := statuses(row.StatusHistory); !slices.Equal(got, created) {
				t.Fatalf("after creation: %v, want %v", got, created)
			}
			if row.TransactionID == "" || row.ResultingPaymentID != nil {
				t.Fatalf("after creation: transactionId %q resultingPaymentId %v", row.TransactionID, row.ResultingPaymentID)
			}
			if err := tc.drive(wt); err != nil {
				t.Fatal(err)
			}
			row = f.request(wt)
			if got, want := statuses(row.StatusHistory), append(slices.Clone(created), tc.want...); !slices.Equal(got, want) {
				t.Fatalf("history %v, want %v", got, want)
			}
			if got := statuses(row.Status); !slices.Equal(got, tc.want[len(tc.want)-1:]) {
				t.Fatalf("status %v", got)
			}
			if (row.ResultingPaymentID != nil) != tc.paymnt || f.srv.Counts(ref).Payments != map[bool]int{true: 1}[tc.paymnt] {
				t.Fatalf("resultingPaymentId %v, payments %d, want a payment: %v", row.ResultingPaymentID, f.srv.Counts(ref).Payments, tc.paymnt)
			}
			// A final request refuses every further move.
			if err := f.srv.Approve(wt); err == nil {
				t.Fatal("approved a finished payment")
			}
		})
	}
}

func TestInvalidTransitions(t *testing.T) {
	f := newFixture(t)
	tok := f.session("ref-trans", 1000, nil)
	swish, card := f.swish(tok), f.card(f.session("ref-trans-card", 1000, nil))
	tests := []struct {
		wt     string
		status payments.Status
	}{
		{swish, "AUTHORIZED"},     // only cards authorize
		{swish, "FLOW_COMPLETED"}, // only bank transfers
		{card, "PAID"},            // cards are captured to PAID
		{swish, "CANCELLED"},      // through CANCELLING only
		{swish, "INITIALIZING"},   // backwards
		{swish, "NOT_A_STATUS"},   // unknown
		{swish, "PARTIALLY_CAPTURED"},
	}
	for _, tc := range tests {
		if err := f.srv.Advance(tc.wt, tc.status); err == nil {
			t.Errorf("Advance to %s succeeded", tc.status)
		}
	}
	f.wantStatus(swish, "WAITING_FOR_PAYMENT")
	f.wantStatus(card, "WAITING_FOR_PAYMENT")
	if err := f.srv.Approve("00000000-0000-0000-0000-000000000000"); !errors.Is(err, kronortest.ErrNotFound) {
		t.Fatalf("unknown waitToken: %v", err)
	}
}

func TestCancel(t *testing.T) {
	f := newFixture(t)
	const cancelSwish = `mutation($p: SwishPaymentCancelInput!) { cancelSwishPayment(pay: $p) { waitToken } }`
	const cancel = `mutation($c: PaymentCancelInput!) { cancelPayment(cancel: $c) { waitToken } }`

	tok := f.session("ref-cancel-1", 1000, nil)
	wt := f.swish(tok)
	var out struct{ CancelSwishPayment struct{ WaitToken string } }
	f.as(tok, cancelSwish, map[string]any{"p": map[string]any{"idempotencyKey": f.key(), "paymentId": wt}}).ok(t, &out)
	if out.CancelSwishPayment.WaitToken != wt {
		t.Fatalf("cancelled %s, want %s", out.CancelSwishPayment.WaitToken, wt)
	}
	if got := statuses(f.request(wt).StatusHistory); !slices.Equal(got[len(got)-2:], []string{"CANCELLING", "CANCELLED"}) {
		t.Fatalf("history %v", got)
	}
	// Only WAITING_FOR_PAYMENT can be cancelled.
	f.as(tok, cancelSwish, map[string]any{"p": map[string]any{"idempotencyKey": f.key(), "paymentId": wt}}).
		fails(t, "invalid-state", "args.pay.paymentId")
	f.as(tok, cancel, map[string]any{"c": map[string]any{"idempotencyKey": f.key()}}).
		fails(t, "invalid-state", "$.selectionSet.cancelPayment")

	paid := f.swish(f.session("ref-cancel-2", 1000, nil))
	if err := f.srv.Approve(paid); err != nil {
		t.Fatal(err)
	}
	// Another session cannot cancel it, nor see it.
	f.as(tok, cancelSwish, map[string]any{"p": map[string]any{"idempotencyKey": f.key(), "paymentId": paid}}).
		fails(t, "not-found", "args.pay.paymentId")
	// An empty or overlong paymentId is invalid input, not an unknown payment.
	for _, id := range []string{"", strings.Repeat("a", 65)} {
		e := f.as(tok, cancelSwish, map[string]any{"p": map[string]any{"idempotencyKey": f.key(), "paymentId": id}}).
			fails(t, "validation-failed", "args.pay.paymentId")
		if e.path() != "$.selectionSet.cancelSwishPayment.args.pay.paymentId" || !strings.Contains(e.Message, "paymentId") {
			t.Errorf("paymentId %q: error at %q: %s", id, e.path(), e.Message)
		}
	}

	// cancelPayment cancels the session's waiting payment.
	tok3 := f.session("ref-cancel-3", 1000, nil)
	w3 := f.card(tok3)
	var c struct{ CancelPayment struct{ WaitToken *string } }
	f.as(tok3, cancel, map[string]any{"c": map[string]any{"idempotencyKey": f.key()}}).ok(t, &c)
	if c.CancelPayment.WaitToken == nil || *c.CancelPayment.WaitToken != w3 {
		t.Fatalf("cancelPayment answered %v, want %s", c.CancelPayment.WaitToken, w3)
	}
	f.wantStatus(w3, "CANCELLED")
}

func TestPayPalCapture(t *testing.T) {
	f := newFixture(t)
	tok := f.session("ref-paypal", 1000, map[string]any{"additionalData": paypalData()})
	wt := f.start(tok, methodCalls(f.key)[6])
	const capture = `mutation($p: CapturePayPalPaymentInput!) { capturePayPalPayment(pay: $p) { paymentId } }`
	f.as(tok, capture, map[string]any{"p": map[string]any{"idempotencyKey": f.key(), "paymentId": wt}}).ok(t, nil)
	f.wantStatus(wt, "PAID")
	// Capturing again (both roles may) changes nothing.
	f.merchant(capture, map[string]any{"p": map[string]any{"idempotencyKey": f.key(), "paymentId": wt}}).ok(t, nil)
	if c := f.srv.Counts("ref-paypal"); c.Payments != 1 {
		t.Fatalf("counts %+v", c)
	}
	var out struct {
		Payments []struct {
			TransactionPayPalDetails []struct{ PayerGivenName string }
		}
	}
	f.merchant(`{ payments { transactionPayPalDetails { payerGivenName } } }`, nil).ok(t, &out)
	if len(out.Payments) != 1 || len(out.Payments[0].TransactionPayPalDetails) != 1 || out.Payments[0].TransactionPayPalDetails[0].PayerGivenName != "Anna" {
		t.Fatalf("payments %+v", out)
	}
}

func TestAutoApprove(t *testing.T) {
	f := newFixture(t, kronortest.WithAutoApprove(2*time.Second))
	swish := f.swish(f.session("ref-auto-1", 1000, nil))
	bank := f.start(f.session("ref-auto-2", 1000, nil), methodCalls(f.key)[5])
	card := f.card(f.session("ref-auto-3", 1000, nil))
	cancelled := f.swish(f.session("ref-auto-4", 1000, nil))
	if err := f.srv.Decline(cancelled); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Second)
	f.wantStatus(swish, "WAITING_FOR_PAYMENT")
	f.clock.Advance(time.Second)
	f.wantStatus(swish, "PAID")
	f.wantStatus(bank, "PAID")
	f.wantStatus(card, "AUTHORIZED")
	f.wantStatus(cancelled, "DECLINED")
}

func TestAutoApproveOnSystemClock(t *testing.T) {
	srv := kronortest.NewServer(kronortest.WithAutoApprove(time.Millisecond))
	defer srv.Close()
	f := &fixture{t: t, srv: srv, clock: kronortest.NewManualClock(time.Now())}
	tok := f.session("ref-auto-real", 1000, nil)
	w := connect(t, srv, legacyWS, tok)
	w.subscribe("1", `subscription { paymentRequests { waitToken status { status } } }`, nil)
	var r watched
	w.result("1", &r) // no request yet
	wt := f.swish(tok)
	// The approval a millisecond later is pushed, maybe after the
	// request's WAITING_FOR_PAYMENT, maybe instead of it (a live query
	// sends the latest state, not a backlog); the status history has the
	// whole walk.
	var seen []string
	for r.statusOf(wt) != "PAID" {
		w.result("1", &r)
		seen = append(seen, r.statusOf(wt))
	}
	if !slices.Equal(seen, []string{"WAITING_FOR_PAYMENT", "PAID"}) && !slices.Equal(seen, []string{"PAID"}) {
		t.Fatalf("pushed %v, want [WAITING_FOR_PAYMENT PAID] or [PAID]", seen)
	}
	if got, want := statuses(f.request(wt).StatusHistory), []string{"PRE_FLIGHT_CHECK", "INITIALIZING", "WAITING_FOR_PAYMENT", "PAID"}; !slices.Equal(got, want) {
		t.Fatalf("status history %v, want %v", got, want)
	}
}
