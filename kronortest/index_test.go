package kronortest_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

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

	if err := f.srv.Advance(a, "PROCESSING_REDIRECTED_APP"); err != nil {
		t.Fatal(err)
	}
	if err := f.srv.Approve(a); err != nil {
		t.Fatal(err)
	}
	if err := f.srv.Approve(b); err != nil {
		t.Fatal(err)
	}
	// Each subscription's pushes come in order, the subscriptions' in any
	// order: "upper" gets both of A's changes, "paid" only A's PAID (its
	// filter still applies), "b" only B's PAID (nothing for A's changes).
	got := map[string][]string{}
	for range 4 {
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
