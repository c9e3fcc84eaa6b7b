package kronortest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/internal/refschema"
	"github.com/kronor-io/kronor-go/kronortest"
)

// Hasura's answers, as Kronor's gateway gives them (Hasura in JWT mode).

func TestVariablesAreCheckedAsHasuraDoes(t *testing.T) {
	f := newFixture(t)
	before := f.srv.Totals()
	tests := []struct {
		name    string
		query   string
		vars    map[string]any
		message string
	}{
		{"an undeclared variable", sessionMutation, map[string]any{"p": f.sessionInput("ref-vars", 1000, nil), "extra": 1},
			"unexpected variables in variableValues: extra"},
		{"two undeclared variables, sorted", `{ payments { id } }`, map[string]any{"b": 1, "a": nil},
			"unexpected variables in variableValues: a, b"},
		{"a missing non-nullable variable", sessionMutation, nil,
			`expecting a value for non-nullable variable: "p"`},
		{"a missing one among others", `query($w: uuid!, $l: Int) { paymentRequests(where: {waitToken: {_eq: $w}}, limit: $l) { waitToken } }`,
			map[string]any{"l": 1}, `expecting a value for non-nullable variable: "w"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := f.merchant(tc.query, tc.vars).fails(t, "validation-failed", "$")
			if e.path() != "$" || e.Message != tc.message {
				t.Fatalf("error %q at %q, want %q at $", e.Message, e.path(), tc.message)
			}
		})
	}
	// A nullable variable, or one with a default, may be left out.
	var out struct{ PaymentRequests []requestRow }
	f.merchant(`query($l: Int, $o: Int = 0) { paymentRequests(limit: $l, offset: $o) { waitToken } }`, nil).ok(t, &out)
	if f.srv.Totals() != before {
		t.Fatal("a refused request changed the state")
	}
}

func TestUnparsableQueryIsInvalidAtQuery(t *testing.T) {
	f := newFixture(t)
	for _, q := range []string{`{ payments { id `, `mutation { ! }`, `nonsense`} {
		r := f.merchant(q, nil)
		e := r.fails(t, "validation-failed", "$.query")
		if e.path() != "$.query" || e.Message != "not a valid graphql query" {
			t.Fatalf("%q: error %q at %q", q, e.Message, e.path())
		}
	}
}

func TestBatchIsAnsweredWithAnArray(t *testing.T) {
	f := newFixture(t)
	batch := []map[string]any{
		{"query": sessionMutation, "variables": map[string]any{"p": f.sessionInput("ref-batch-1", 1000, nil)}},
		{"query": `{ nope }`},
		{"query": sessionMutation, "variables": map[string]any{"p": f.sessionInput("ref-batch-2", 1000, nil)}},
	}
	body, _ := json.Marshal(batch)
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL(), bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+f.srv.MerchantToken())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var answers []result
	if err := json.Unmarshal(raw, &answers); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("HTTP %d, not an array: %s", resp.StatusCode, raw)
	}
	if len(answers) != 3 {
		t.Fatalf("%d answers to 3 requests: %s", len(answers), raw)
	}
	for _, i := range []int{0, 2} {
		answers[i].Status = http.StatusOK
		var out struct{ NewPaymentSession struct{ Token string } }
		answers[i].ok(t, &out)
		if out.NewPaymentSession.Token == "" {
			t.Fatalf("answer %d: %s", i, raw)
		}
	}
	if len(answers[1].Errors) != 1 || answers[1].Errors[0].code() != "validation-failed" {
		t.Fatalf("answer 1: %s", raw)
	}
	if f.srv.Counts("ref-batch-1").Sessions != 1 || f.srv.Counts("ref-batch-2").Sessions != 1 {
		t.Fatal("the batch's mutations did not both run")
	}

	// A refused token refuses the whole batch, with one error.
	req, _ = http.NewRequest(http.MethodPost, f.srv.URL(), bytes.NewReader(body))
	resp2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp2.Body.Close()
	var r result
	decodeBody(t, resp2, &r)
	if resp2.StatusCode != http.StatusOK || len(r.Errors) != 1 || r.Errors[0].code() != "invalid-headers" {
		t.Fatalf("batch without a token: HTTP %d %+v", resp2.StatusCode, r.Errors)
	}
}

func TestWebSocketValidationErrors(t *testing.T) {
	f := newFixture(t)
	tok := f.session("ref-ws-invalid", 1000, nil)
	tests := []struct {
		name, query string
		vars        map[string]any
		path        string
	}{
		{"unknown field", `subscription { paymentRequests { nope } }`, nil, "$"},
		{"merchant field", `subscription { paymentRequests { merchantReference2 } }`, nil, "merchantReference2"},
		{"does not parse", `subscription { paymentRequests { `, nil, "$.query"},
		{"undeclared variable", `subscription { paymentRequests { waitToken } }`, map[string]any{"w": "x"}, "$"},
	}
	for _, proto := range []string{legacyWS, transportWS} {
		t.Run(proto, func(t *testing.T) {
			w := connect(t, f.srv, proto, tok)
			for i, tc := range tests {
				id := string(rune('a' + i))
				w.subscribe(id, tc.query, tc.vars)
				errs := w.operationError(id)
				if len(errs) != 1 || errs[0].code() != "validation-failed" || !bytes.Contains([]byte(errs[0].path()), []byte(tc.path)) {
					t.Fatalf("%s: errors %+v", tc.name, errs)
				}
			}
			// The websocket is still usable.
			w.subscribe("ok", `subscription { paymentRequests { waitToken } }`, nil)
			var r watched
			w.result("ok", &r)
		})
	}
}

func TestKeepAliveDefaultIsHasuras(t *testing.T) {
	if kronortest.DefaultKeepAlive != 5*time.Second {
		t.Fatalf("DefaultKeepAlive = %v, want Hasura's 5s", kronortest.DefaultKeepAlive)
	}
}

// TestIntrospectionFollowsTheRole: each token's introspection shows its
// role's schema only, every field of it one that Kronor's published schema
// of that role has.
func TestIntrospectionFollowsTheRole(t *testing.T) {
	f := newFixture(t)
	tok := f.session("ref-introspection", 1000, nil)
	const q = `{ __schema { types { name kind fields { name } } queryType { name } mutationType { name } subscriptionType { name } } }`
	type schema struct {
		Schema struct {
			Types []struct {
				Name, Kind string
				Fields     []struct{ Name string }
			}
		} `json:"__schema"`
	}
	roots := func(s schema, typ string) []string {
		for _, ty := range s.Schema.Types {
			if ty.Name == typ {
				var names []string
				for _, f := range ty.Fields {
					names = append(names, f.Name)
				}
				slices.Sort(names)
				return names
			}
		}
		return nil
	}
	for _, tc := range []struct {
		role, token    string
		queries        []string
		hasMutation    []string
		lacksMutation  []string
		lacksTypes     []string
		lacksDetailFld string
	}{
		{refschema.Gateway, tok, []string{"paymentRequests", "paymentSessions"},
			[]string{"newSwishPayment", "addSessionDeviceInformation", "refreshPaymentStatus", "newGooglePayPayment"},
			[]string{"newPaymentSession", "refundPayment"}, []string{"Payment", "PaymentCapture", "PaymentSessionInput"}, "cardNumber"},
		{refschema.Merchant, f.srv.MerchantToken(), []string{"paymentCaptures", "paymentRequests", "payments", "paymentsAggregate", "refunds", "transactionReleases"},
			[]string{"newPaymentSession", "refundPayment", "capturePayPalPayment"},
			[]string{"newSwishPayment", "addSessionDeviceInformation", "refreshPaymentStatus"}, []string{"SwishPaymentResult", "AddSessionDeviceInformationInput"}, "sessionUrl"},
	} {
		t.Run(tc.role, func(t *testing.T) {
			var s schema
			f.as(tc.token, q, nil).ok(t, &s)
			if got := roots(s, "query_root"); !slices.Equal(got, append(tc.queries, "__schema", "__type")) && !slices.Equal(got, tc.queries) {
				t.Errorf("query_root fields %v, want %v", got, tc.queries)
			}
			mutations := roots(s, "mutation_root")
			for _, m := range tc.hasMutation {
				if !slices.Contains(mutations, m) {
					t.Errorf("no mutation %s in %v", m, mutations)
				}
			}
			for _, m := range tc.lacksMutation {
				if slices.Contains(mutations, m) {
					t.Errorf("the other role's mutation %s is visible", m)
				}
			}
			real := refschema.Load(t, tc.role)
			for _, ty := range s.Schema.Types {
				if slices.Contains(tc.lacksTypes, ty.Name) {
					t.Errorf("the other role's type %s is visible", ty.Name)
				}
				if ty.Kind != "OBJECT" || len(ty.Name) > 1 && ty.Name[:2] == "__" {
					continue
				}
				rt := real.Types[ty.Name]
				if rt == nil {
					t.Errorf("type %s: not in the %s schema", ty.Name, tc.role)
					continue
				}
				for _, fl := range ty.Fields {
					if fl.Name[:2] != "__" && rt.Fields.ForName(fl.Name) == nil {
						t.Errorf("%s.%s: not in the %s schema", ty.Name, fl.Name, tc.role)
					}
				}
			}
			for _, d := range []string{"CreditCardDetails"} {
				if slices.Contains(roots(s, d), tc.lacksDetailFld) {
					t.Errorf("%s.%s is visible", d, tc.lacksDetailFld)
				}
			}
		})
	}
}
