package kronortest_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/kronor-io/kronor-go/kronortest"
)

// TestWaitTokenFilterLookup covers the server's shortcut for filters on
// waitToken {_eq} (a map lookup for queries, subscriptions indexed by wait
// token for pushes): the token matches in any letter case, the rest of the
// filter still applies, another session's request stays invisible, and a
// change is pushed only to the subscriptions that can see it.
func TestWaitTokenFilterLookup(t *testing.T) {
	f := newFixture(t)
	tokA, tokB := f.session("ref-index-a", 1000, nil), f.session("ref-index-b", 1000, nil)
	a, b := f.swish(tokA), f.swish(tokB)
	upperA := strings.ToUpper(a)

	const query = `query($w: uuid!) { paymentRequests(where: {waitToken: {_eq: $w}}) { waitToken } }`
	count := func(token, w string) int {
		var out struct{ PaymentRequests []struct{ WaitToken string } }
		f.as(token, query, map[string]any{"w": w}).ok(t, &out)
		return len(out.PaymentRequests)
	}
	if n := count(f.srv.MerchantToken(), upperA); n != 1 {
		t.Errorf("merchant query with the upper-case token: %d rows, want 1", n)
	}
	if n := count(tokA, upperA); n != 1 {
		t.Errorf("own session's query: %d rows, want 1", n)
	}
	if n := count(tokB, a); n != 0 {
		t.Errorf("another session's query: %d rows, want 0", n)
	}

	w := connect(t, f.srv, legacyWS, f.srv.MerchantToken())
	var r watched
	w.subscribe("upper", watchQuery, map[string]any{"w": upperA})
	w.result("upper", &r)
	if got := r.statusOf(a); got != "WAITING_FOR_PAYMENT" {
		t.Fatalf("upper: first result %q", got)
	}
	w.subscribe("paid", `subscription($w: uuid!) { paymentRequests(where: {waitToken: {_eq: $w}, status: {status: {_eq: PAID}}}) { waitToken status { status } } }`, map[string]any{"w": a})
	w.result("paid", &r)
	if len(r.PaymentRequests) != 0 {
		t.Fatalf("paid: first result %+v, want none", r)
	}
	w.subscribe("b", watchQuery, map[string]any{"w": b})
	w.result("b", &r)
	if got := r.statusOf(b); got != "WAITING_FOR_PAYMENT" {
		t.Fatalf("b: first result %q", got)
	}
	sessB := connect(t, f.srv, legacyWS, tokB)
	sessB.subscribe("a", watchQuery, map[string]any{"w": a})
	sessB.result("a", &r)
	if len(r.PaymentRequests) != 0 {
		t.Fatalf("another session's subscription: first result %+v, want none", r)
	}
	waitLive(t, f.srv, kronortest.Live{WebSockets: 2, Subscriptions: 4})

	// Each subscription's pushes come in order, the subscriptions' in any
	// order: "upper" gets both of A's changes, "paid" only A's PAID (its
	// filter still applies), "b" only B's PAID (nothing for A's changes).
	// A's first change is read before the next is made: a live query sends
	// the latest state, so two changes in quick succession may come as one.
	got := map[string][]string{}
	read := func() {
		t.Helper()
		m := w.next()
		if m.Type != "data" {
			t.Fatalf("got %s %s %s, want data", m.Type, m.ID, m.Payload)
		}
		var p struct{ Data watched }
		if err := json.Unmarshal(m.Payload, &p); err != nil {
			t.Fatal(err)
		}
		var sts []string
		for _, pr := range p.Data.PaymentRequests {
			sts = append(sts, pr.WaitToken[:4]+":"+pr.Status[0].Status)
		}
		got[m.ID] = append(got[m.ID], strings.Join(sts, ","))
	}
	if err := f.srv.Advance(a, "PROCESSING_REDIRECTED_APP"); err != nil {
		t.Fatal(err)
	}
	read()
	if err := f.srv.Approve(a); err != nil {
		t.Fatal(err)
	}
	if err := f.srv.Approve(b); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		read()
	}
	want := map[string][]string{
		"upper": {a[:4] + ":PROCESSING_REDIRECTED_APP", a[:4] + ":PAID"},
		"paid":  {a[:4] + ":PAID"},
		"b":     {b[:4] + ":PAID"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("pushed %v, want %v", got, want)
	}
	// Nor did the other session's subscription get A's changes: stopping it
	// answers "complete" with nothing before it.
	sessB.stop("a")
	if m := sessB.next(); m.Type != "complete" || m.ID != "a" {
		t.Fatalf("other session after stop: %+v, want complete", m)
	}
	sessB.c.Close(websocket.StatusNormalClosure, "")
	w.c.Close(websocket.StatusNormalClosure, "")
	waitLive(t, f.srv, kronortest.Live{})
}

// TestWaitTokenSetFiltersMatchScan covers the shortcut for filters that
// restrict waitToken to a set (_eq, _in, _isNull: true, at the top level, in
// a conjunct of _and, or in every branch of _or): each filter answers
// exactly what a scan of every request answers, rows, order and paging
// included, for the merchant and for sessions. The scan's answer is the same
// filter wrapped in _not: {_not: …}, which the shortcut does not look into.
func TestWaitTokenSetFiltersMatchScan(t *testing.T) {
	f := newFixture(t)
	tokA, tokB := f.session("ref-set-a", 1000, nil), f.session("ref-set-b", 2000, nil)
	a1 := f.swish(tokA)
	f.clock.Advance(time.Second)
	b1 := f.swish(tokB)
	f.clock.Advance(time.Second)
	a2 := f.card(tokA)
	b2 := f.card(tokB) // same createdAt as a2: the tie is broken by creation order
	if err := f.srv.Approve(b1); err != nil {
		t.Fatal(err)
	}
	const unknown = "6f1c0a52-3f4e-4c8e-9d55-0b8c2a7e1f90"
	up := strings.ToUpper
	filters := map[string]string{
		"in":                 `{waitToken: {_in: ["` + b2 + `", "` + up(a1) + `", "` + unknown + `", "` + a1 + `", "` + b1 + `"]}}`,
		"in one":             `{waitToken: {_in: ["` + up(a2) + `"]}}`,
		"in empty":           `{waitToken: {_in: []}}`,
		"eq and in":          `{waitToken: {_eq: "` + a1 + `", _in: ["` + a1 + `", "` + b1 + `"]}}`,
		"eq and in disjoint": `{waitToken: {_eq: "` + a1 + `", _in: ["` + b1 + `"]}}`,
		"in and nin":         `{waitToken: {_in: ["` + a1 + `", "` + b1 + `"], _nin: ["` + up(b1) + `"]}}`,
		"in and status":      `{waitToken: {_in: ["` + a1 + `", "` + b1 + `", "` + b2 + `"]}, status: {status: {_eq: PAID}}}`,
		"in and reference":   `{waitToken: {_in: ["` + a1 + `", "` + b1 + `", "` + b2 + `"]}, reference: {_eq: "ref-set-b"}}`,
		"and":                `{_and: [{reference: {_neq: "ref-set-b"}}, {waitToken: {_in: ["` + a1 + `", "` + a2 + `", "` + b1 + `"]}}]}`,
		"and of two sets":    `{_and: [{waitToken: {_in: ["` + a1 + `", "` + a2 + `", "` + b1 + `"]}}, {waitToken: {_eq: "` + up(a2) + `"}}]}`,
		"nested and":         `{_and: [{_and: [{waitToken: {_in: ["` + a1 + `", "` + b2 + `"]}}]}], waitToken: {_neq: "` + b2 + `"}}`,
		"or of sets":         `{_or: [{waitToken: {_eq: "` + a1 + `"}}, {waitToken: {_in: ["` + up(b2) + `", "` + unknown + `"]}}]}`,
		"or with a scan":     `{_or: [{waitToken: {_eq: "` + a1 + `"}}, {reference: {_eq: "ref-set-b"}}]}`,
		"not":                `{_not: {waitToken: {_in: ["` + a1 + `"]}}}`,
		"in and not":         `{waitToken: {_in: ["` + a1 + `", "` + a2 + `"]}, _not: {waitToken: {_eq: "` + a1 + `"}}}`,
		"is null":            `{waitToken: {_isNull: true}}`,
		"is not null and in": `{waitToken: {_isNull: false, _in: ["` + a2 + `", "` + b1 + `"]}}`,
		"nin":                `{waitToken: {_nin: ["` + a1 + `"]}}`,
		"none":               `{}`,
	}
	pages := []string{
		``,
		`, orderBy: [{createdAt: DESC}]`,
		`, orderBy: [{amount: ASC}, {waitToken: DESC}], limit: 2`,
		`, orderBy: [{createdAt: ASC}], limit: 2, offset: 1`,
		`, offset: 3`,
	}
	identities := map[string]string{"merchant": f.srv.MerchantToken(), "session A": tokA, "session B": tokB}
	rows := func(token, where, paging string) []string {
		t.Helper()
		var out struct{ PaymentRequests []struct{ WaitToken string } }
		f.as(token, `{ paymentRequests(where: `+where+paging+`) { waitToken } }`, nil).ok(t, &out)
		var toks []string
		for _, r := range out.PaymentRequests {
			toks = append(toks, r.WaitToken)
		}
		return toks
	}
	nonEmpty := 0
	for fname, where := range filters {
		for who, token := range identities {
			for _, paging := range pages {
				got, scan := rows(token, where, paging), rows(token, `{_not: {_not: `+where+`}}`, paging)
				if fmt.Sprint(got) != fmt.Sprint(scan) {
					t.Errorf("%s as %s%s: %v, the scan %v", fname, who, paging, got, scan)
				}
				if len(got) > 0 {
					nonEmpty++
				}
			}
		}
	}
	// The comparison means something only if the answers are not all empty;
	// spot-check two of them, too.
	if nonEmpty < 30 {
		t.Errorf("only %d non-empty answers", nonEmpty)
	}
	if got, want := rows(f.srv.MerchantToken(), filters["in"], ""), []string{a1, b1, b2}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("in as merchant: %v, want %v in creation order, each once", got, want)
	}
	if got, want := rows(tokA, filters["in"], ""), []string{a1}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("in as session A: %v, want only its own %v", got, want)
	}
}

// TestWaitTokenInSubscription: a subscription filtered with waitToken
// {_in: …} (indexed under each of its tokens) gets a new result for a
// change of each of its requests, and none for another request.
func TestWaitTokenInSubscription(t *testing.T) {
	f := newFixture(t)
	tok := f.session("ref-in-sub", 1000, nil)
	a, b, c := f.swish(tok), f.card(tok), f.swish(f.session("ref-in-sub-other", 1000, nil))
	w := connect(t, f.srv, legacyWS, f.srv.MerchantToken())
	const q = `subscription($w: [uuid!]!) { paymentRequests(where: {waitToken: {_in: $w}}) { waitToken status { status } } }`
	var r watched
	w.subscribe("in", q, map[string]any{"w": []string{strings.ToUpper(a), b, a}})
	w.result("in", &r)
	if len(r.PaymentRequests) != 2 || r.statusOf(a) != "WAITING_FOR_PAYMENT" || r.statusOf(b) != "WAITING_FOR_PAYMENT" {
		t.Fatalf("first result %+v, want a and b waiting", r)
	}
	waitLive(t, f.srv, kronortest.Live{WebSockets: 1, Subscriptions: 1})
	advance := func(tok string) func() error {
		return func() error { return f.srv.Advance(tok, "PROCESSING_REDIRECTED_APP") }
	}
	approve := func(tok string) func() error { return func() error { return f.srv.Approve(tok) } }
	// Changes of c push nothing: the next message after each is a's or b's.
	for _, step := range []struct {
		change        func() error
		token, status string
	}{
		{advance(c), c, ""},
		{advance(a), a, "PROCESSING_REDIRECTED_APP"},
		{approve(c), c, ""},
		{approve(a), a, "PAID"},
		{approve(b), b, "AUTHORIZED"},
	} {
		if err := step.change(); err != nil {
			t.Fatal(err)
		}
		if step.status == "" {
			continue
		}
		w.result("in", &r)
		if got := r.statusOf(step.token); got != step.status || len(r.PaymentRequests) != 2 {
			t.Fatalf("after a change of %s: %+v, want it %s among 2", step.token[:8], r, step.status)
		}
	}
	w.stop("in")
	if m := w.next(); m.Type != "complete" || m.ID != "in" {
		t.Fatalf("after stop: %+v, want complete (nothing for the other request)", m)
	}
	w.c.Close(websocket.StatusNormalClosure, "")
	waitLive(t, f.srv, kronortest.Live{})
}
