package kronortest_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/kronortest"
)

func TestPaymentRequestQueries(t *testing.T) {
	f := newFixture(t)
	// Four requests, a minute apart: two in one session, amounts differ.
	tokA := f.session("q-a", 1000, nil)
	a1 := f.swish(tokA)
	f.clock.Advance(time.Minute)
	if err := f.srv.Decline(a1); err != nil {
		t.Fatal(err)
	}
	a2 := f.card(tokA)
	f.clock.Advance(time.Minute)
	b1 := f.swish(f.session("q-b", 3000, nil))
	if err := f.srv.Approve(b1); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Minute)
	c1 := f.swish(f.session("q-c", 2000, nil))
	all := []string{a1, a2, b1, c1}

	tests := []struct {
		name string
		args string
		want []string
	}{
		{"all, creation order", ``, all},
		{"createdAt DESC", `(orderBy: [{createdAt: DESC}])`, []string{c1, b1, a2, a1}},
		{"single orderBy object", `(orderBy: {createdAt: DESC}, limit: 1)`, []string{c1}},
		{"amount ASC then createdAt DESC", `(orderBy: [{amount: ASC}, {createdAt: DESC}])`, []string{a2, a1, c1, b1}},
		{"limit and offset", `(orderBy: [{createdAt: ASC}], limit: 2, offset: 1)`, []string{a2, b1}},
		{"offset beyond", `(offset: 10)`, nil},
		{"waitToken _eq", `(where: {waitToken: {_eq: "` + b1 + `"}})`, []string{b1}},
		{"waitToken _in", `(where: {waitToken: {_in: ["` + b1 + `", "` + c1 + `"]}})`, []string{b1, c1}},
		{"waitToken _nin", `(where: {waitToken: {_nin: ["` + b1 + `", "` + c1 + `"]}})`, []string{a1, a2}},
		{"reference _eq", `(where: {reference: {_eq: "q-a"}})`, []string{a1, a2}},
		{"reference _neq", `(where: {reference: {_neq: "q-a"}})`, []string{b1, c1}},
		{"status _eq", `(where: {status: {status: {_eq: WAITING_FOR_PAYMENT}}})`, []string{a2, c1}},
		{"status _in", `(where: {status: {status: {_in: [PAID, DECLINED]}}})`, []string{a1, b1}},
		{"resultingPaymentId _isNull false", `(where: {resultingPaymentId: {_isNull: false}})`, []string{b1}},
		{"resultingPaymentId _isNull true", `(where: {resultingPaymentId: {_isNull: true}})`, []string{a1, a2, c1}},
		{"_or", `(where: {_or: [{reference: {_eq: "q-b"}}, {reference: {_eq: "q-c"}}]})`, []string{b1, c1}},
		{"_and", `(where: {_and: [{reference: {_eq: "q-a"}}, {status: {status: {_eq: DECLINED}}}]})`, []string{a1}},
		{"_not", `(where: {_not: {reference: {_eq: "q-a"}}})`, []string{b1, c1}},
		{"null operator ignored", `(where: {reference: {_eq: null}})`, all},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out struct{ PaymentRequests []requestRow }
			f.merchant(`{ paymentRequests`+tc.args+` { waitToken } }`, nil).ok(t, &out)
			var got []string
			for _, r := range out.PaymentRequests {
				got = append(got, r.WaitToken)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}

	// A session token sees its own session's requests only.
	var own struct{ PaymentRequests []requestRow }
	f.as(tokA, `{ paymentRequests(orderBy: [{createdAt: ASC}]) { waitToken } }`, nil).ok(t, &own)
	if len(own.PaymentRequests) != 2 || own.PaymentRequests[0].WaitToken != a1 || own.PaymentRequests[1].WaitToken != a2 {
		t.Fatalf("session A sees %+v", own.PaymentRequests)
	}
	f.as(tokA, `query($w: uuid!) { paymentRequests(where: {waitToken: {_eq: $w}}) { waitToken } }`, map[string]any{"w": b1}).ok(t, &own)
	if len(own.PaymentRequests) != 0 {
		t.Fatal("session A sees another session's request")
	}
	f.merchant(`{ paymentRequests(limit: -1) { waitToken } }`, nil).fails(t, "validation-failed", "args.limit")
}

func TestMerchantQueries(t *testing.T) {
	// Each capture, release and refund settles when the next request is served.
	f := newFixture(t, kronortest.WithSettleDelay(0))
	p1 := f.paidPayment("mq-1", 1000)
	p2 := f.authorizedPayment("mq-2", 2000)
	f.capture(p2, 500).ok(t, nil)
	f.refund(p1, 100, nil).ok(t, nil)
	p3 := f.authorizedPayment("mq-3", 700)
	f.release(p3, 700, nil).ok(t, nil)

	var pays struct {
		Payments []struct {
			ID            int64
			CurrentStatus string
		}
	}
	f.merchant(`{ payments(orderBy: [{id: DESC}]) { id currentStatus } }`, nil).ok(t, &pays)
	if len(pays.Payments) != 3 || pays.Payments[0].ID != p3 || pays.Payments[0].CurrentStatus != "RELEASED" {
		t.Fatalf("payments %+v", pays.Payments)
	}
	f.merchant(`{ payments(where: {currentStatus: {_eq: PARTIALLY_CAPTURED}}) { id currentStatus } }`, nil).ok(t, &pays)
	if len(pays.Payments) != 1 || pays.Payments[0].ID != p2 {
		t.Fatalf("PARTIALLY_CAPTURED payments %+v", pays.Payments)
	}
	f.merchant(`{ payments(where: {merchantReference: {_eq: "mq-1"}}) { id currentStatus } }`, nil).ok(t, &pays)
	if len(pays.Payments) != 1 || pays.Payments[0].ID != p1 {
		t.Fatalf("payments of mq-1 %+v", pays.Payments)
	}

	var caps struct {
		PaymentCaptures []struct{ PaymentID, Amount int64 }
	}
	f.merchant(`query($p: bigint!) { paymentCaptures(where: {paymentId: {_eq: $p}}) { paymentId amount } }`, map[string]any{"p": p2}).ok(t, &caps)
	if len(caps.PaymentCaptures) != 1 || caps.PaymentCaptures[0].Amount != 500 {
		t.Fatalf("captures %+v", caps)
	}
	// bigint variables may be sent as strings.
	f.merchant(`query($p: bigint!) { paymentCaptures(where: {paymentId: {_eq: $p}}) { paymentId amount } }`, map[string]any{"p": itoa(p2)}).ok(t, &caps)
	if len(caps.PaymentCaptures) != 1 {
		t.Fatalf("captures by string id %+v", caps)
	}
	var rels struct {
		TransactionReleases []struct{ PaymentID int64 }
	}
	f.merchant(`{ transactionReleases { paymentId } }`, nil).ok(t, &rels)
	if len(rels.TransactionReleases) != 1 || rels.TransactionReleases[0].PaymentID != p3 {
		t.Fatalf("releases %+v", rels)
	}
	var refs struct {
		Refunds []struct{ PaymentID, TotalAmount int64 }
	}
	f.merchant(`{ refunds { paymentId totalAmount } }`, nil).ok(t, &refs)
	if len(refs.Refunds) != 1 || refs.Refunds[0].PaymentID != p1 || refs.Refunds[0].TotalAmount != 100 {
		t.Fatalf("refunds %+v", refs)
	}
}

// The fake builds paymentRequests' models without the parts a query does not
// select (details, statusHistory, the gateway's fields): selecting them
// through fragments, aliases or @include gives what selecting them directly
// gives, and every part a query selects is there.
func TestPaymentRequestPartsThroughFragments(t *testing.T) {
	f := newFixture(t)
	tok := f.session("parts", 1000, nil)
	w := f.swish(tok)
	if err := f.srv.Approve(w); err != nil {
		t.Fatal(err)
	}
	const parts = `transactionSwishDetails { amount qrCode returnUrl datePaid bankPaymentReference }
		statusHistory { status } merchant { id currency } paymentMethodUsed { paymentMethod gateway }`
	query := func(sel string) string {
		t.Helper()
		decl, vars := `$w: uuid!`, map[string]any{"w": w}
		for name, v := range map[string]bool{"yes": true, "no": false} {
			if strings.Contains(sel, "$"+name) {
				decl += ", $" + name + ": Boolean!"
				vars[name] = v
			}
		}
		doc := `query(` + decl + `) { paymentRequests(where: {waitToken: {_eq: $w}}) { ` + sel + ` } }`
		if strings.Contains(sel, "...parts") {
			doc += ` fragment parts on PaymentRequest { ` + parts + ` }`
		}
		var out struct{ PaymentRequests []json.RawMessage }
		f.as(tok, doc, vars).ok(t, &out)
		if len(out.PaymentRequests) != 1 {
			t.Fatalf("%s: %d rows, want 1", sel, len(out.PaymentRequests))
		}
		return string(out.PaymentRequests[0])
	}
	want := query(`...parts`)
	for _, key := range []string{`"transactionSwishDetails":[{"amount":1000,"qrCode":"D`, `"bankPaymentReference":"`,
		`"statusHistory":[{"status":"PRE_FLIGHT_CHECK"}`, `{"status":"PAID"}]`, `"merchant":{"id":`, `"paymentMethodUsed":{"paymentMethod":"SWISH"`} {
		if !strings.Contains(want, key) {
			t.Errorf("the whole selection %s lacks %s", want, key)
		}
	}
	for _, sel := range []string{
		parts,
		`... on PaymentRequest { ` + parts + ` }`,
		`... @include(if: $yes) { ...parts }`,
		`waitToken @skip(if: true) ...parts`,
	} {
		if got := query(sel); got != want {
			t.Errorf("selection %s:\n got %s\nwant %s", sel, got, want)
		}
	}
	// Aliases and skipped parts.
	got := query(`h: statusHistory { status } s: status { status } d: transactionSwishDetails @skip(if: $yes) { amount } m: merchant @include(if: $no) { id }`)
	if want := `{"h":[{"status":"PRE_FLIGHT_CHECK"},`; !strings.HasPrefix(got, want) || !strings.Contains(got, `"s":[{"status":"PAID"}]`) || strings.Contains(got, `"d"`) || strings.Contains(got, `"m"`) {
		t.Errorf("aliased selection: %s", got)
	}
	// Each part on its own is what it is beside every other part: a name
	// missing from the fake's list of parts would leave it unbuilt.
	each := []string{"transactionCreditCardDetails", "transactionSwishDetails", "transactionMobilePayDetails",
		"transactionVippsDetails", "transactionP24Details", "transactionPayPalDetails", "transactionBankTransferDetails",
		"statusHistory", "merchant", "paymentMethodUsed", "transactionFinsharkDetails"}
	var all strings.Builder
	for _, name := range each {
		all.WriteString(name + " { __typename } ")
	}
	var whole map[string]json.RawMessage
	if err := json.Unmarshal([]byte(query(all.String())), &whole); err != nil {
		t.Fatal(err)
	}
	for _, name := range each {
		var alone map[string]json.RawMessage
		if err := json.Unmarshal([]byte(query(name+" { __typename }")), &alone); err != nil {
			t.Fatal(err)
		}
		if string(alone[name]) != string(whole[name]) {
			t.Errorf("%s alone: %s, beside the other parts: %s", name, alone[name], whole[name])
		}
	}
	// Without any of the parts, the rest is unchanged.
	if got, want := query(`status { status } resultingPaymentId waitToken`), query(`status { status } resultingPaymentId waitToken `+parts); !strings.HasPrefix(want, strings.TrimSuffix(got, "}")) {
		t.Errorf("lean selection %s is not the start of the whole one %s", got, want)
	}
}

// One document run again and again with other variables: what @skip and
// @include select follows each request's variables (the marshalers' fields
// are kept across requests only for selections without directives).
func TestDirectivesFollowEachRequestsVariables(t *testing.T) {
	f := newFixture(t)
	tok := f.session("directives", 1000, nil)
	w := f.swish(tok)
	const doc = `query($w: uuid!, $s: Boolean!) { paymentRequests(where: {waitToken: {_eq: $w}}) {
		waitToken status @skip(if: $s) { status } ...R ... @include(if: $s) { amount } } }
		fragment R on PaymentRequest { reference @include(if: $s) }`
	for i := range 6 {
		s := i%2 == 0
		var out struct{ PaymentRequests []map[string]any }
		f.as(tok, doc, map[string]any{"w": w, "s": s}).ok(t, &out)
		if len(out.PaymentRequests) != 1 {
			t.Fatalf("request %d: %d rows", i, len(out.PaymentRequests))
		}
		row := out.PaymentRequests[0]
		_, status := row["status"]
		_, ref := row["reference"]
		_, amount := row["amount"]
		if row["waitToken"] != w || status == s || ref != s || amount != s {
			t.Errorf("request %d ($s %v): %v", i, s, row)
		}
	}
}

// A value that passes validation but not its field's unmarshaler (an Int
// beyond 32 bits, in a variable) is refused with the path of that field of
// the input object, nested or not.
func TestInputFieldErrorsCarryTheirPath(t *testing.T) {
	f := newFixture(t)
	in := f.sessionInput("paths", 1000, nil)
	in["amount"] = 3000000000
	e := f.merchant(sessionMutation, map[string]any{"p": in}).fails(t, "validation-failed", "")
	if got, want := e.path(), "$.selectionSet.newPaymentSession.args.payment.amount"; got != want || !strings.Contains(e.Message, "overflows signed 32-bit integer") {
		t.Errorf("error %q at %q, want an overflow at %q", e.Message, got, want)
	}
	data := paypalData()
	data["orderLines"].([]any)[0].(map[string]any)["quantity"] = 3000000000
	in = f.sessionInput("paths-2", 1000, map[string]any{"additionalData": data})
	e = f.merchant(sessionMutation, map[string]any{"p": in}).fails(t, "validation-failed", "")
	if got, want := e.path(), "$.selectionSet.newPaymentSession.args.payment.additionalData.orderLines[0].quantity"; got != want {
		t.Errorf("nested: error %q at %q, want %q", e.Message, got, want)
	}
}
