package kronortest_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/kronor-io/kronor-go/internal/refschema"
)

// TestClientDocuments runs every GraphQL document Kronor's own SDKs send
// (../shared/reference/client-documents: kronor-android, kronor-ios, the iOS
// test app, and the exact text Apollo iOS sends) on the fake: each validates
// against schema.graphql and against its role's real schema, runs with the
// token of its role (mutations and queries over HTTP, subscriptions over both
// websocket protocols until PAID), and is answered with the shape the real
// schema gives its selection. The card-data endpoint's document (role cde) is
// the exception: it is not sent to the gateway.
func TestClientDocuments(t *testing.T) {
	docs := refschema.ClientDocuments(t)
	own := refschema.LoadOwn(t)
	real := map[string]*ast.Schema{
		refschema.Gateway:  refschema.Load(t, refschema.Gateway),
		refschema.Merchant: refschema.Load(t, refschema.Merchant),
	}
	f := newFixture(t)
	ran, total := 0, 0
	for _, d := range docs {
		if d.Role == refschema.CDE {
			continue
		}
		total++
		src := withFragments(t, docs, d)
		ok := t.Run(d.Path, func(t *testing.T) {
			for label, schema := range map[string]*ast.Schema{"schema.graphql": own, d.Role: real[d.Role]} {
				if _, err := gqlparser.LoadQueryWithRules(schema, src, nil); err != nil {
					t.Fatalf("does not validate against %s: %v", label, err)
				}
			}
			runDocument(t, f, d.Role, src, real[d.Role])
		})
		if ok {
			ran++
		}
	}
	t.Logf("%d of %d client documents ran ok on the fake (%d listed, the card-data endpoint's excepted)", ran, total, len(docs))
	fmt.Printf("client documents: %d of %d ran ok on the fake\n", ran, total)
	if total < 30 {
		t.Fatalf("only %d documents: the index was not read right", total)
	}
}

var (
	spreadRE   = regexp.MustCompile(`\.\.\.\s*([_A-Za-z][_0-9A-Za-z]*)`)
	fragmentRE = regexp.MustCompile(`fragment\s+([_A-Za-z][_0-9A-Za-z]*)`)
)

// withFragments appends to d the fragments it spreads but does not define,
// from the fragment files of its folder, as Apollo's code generation does.
func withFragments(t *testing.T, docs []refschema.ClientDocument, d refschema.ClientDocument) string {
	t.Helper()
	src := d.Source
	defined := map[string]bool{}
	for _, m := range fragmentRE.FindAllStringSubmatch(src, -1) {
		defined[m[1]] = true
	}
	for _, m := range spreadRE.FindAllStringSubmatch(src, -1) {
		if defined[m[1]] {
			continue
		}
		file := path.Join(refschema.ClientDocumentsDir(t), path.Dir(d.Path), m[1]+".graphql")
		frag := readFile(t, file)
		src += "\n" + frag
		defined[m[1]] = true
	}
	return src
}

// runDocument runs one document as Kronor's client would.
func runDocument(t *testing.T, f *fixture, role, src string, real *ast.Schema) {
	doc, err := gqlparser.LoadQueryWithRules(real, src, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Operations) != 1 {
		t.Fatalf("%d operations", len(doc.Operations))
	}
	op := doc.Operations[0]
	roots := map[string]bool{}
	for _, sel := range op.SelectionSet {
		if fl, ok := sel.(*ast.Field); ok {
			roots[fl.Name] = true
		}
	}
	ref := "ref-doc-" + f.key()
	if role == refschema.Merchant {
		data := f.runHTTP(t, f.srv.MerchantToken(), src, docVariables(f, op, ref, ""), op, real)
		var out map[string]struct{ Token string }
		_ = json.Unmarshal(data, &out)
		for name, r := range out {
			if r.Token == "" {
				t.Fatalf("%s: no session token in %s", name, data)
			}
		}
		return
	}

	currency := "SEK"
	switch {
	case roots["newMobilePayPayment"]:
		currency = "DKK"
	case roots["newVippsPayment"]:
		currency = "NOK"
	}
	tok := f.session(ref, 1000, map[string]any{"currency": currency, "additionalData": paypalData()})
	switch op.Operation {
	case ast.Subscription:
		for _, proto := range []string{legacyWS, transportWS} {
			t.Run(proto, func(t *testing.T) {
				tok := f.session(ref+"-"+proto, 1000, map[string]any{"additionalData": paypalData()})
				wt := f.swish(tok)
				w := connect(t, f.srv, proto, tok)
				w.subscribe("1", src, nil)
				for n := 0; ; n++ {
					m := w.next()
					if want := map[string]string{legacyWS: "data", transportWS: "next"}[proto]; m.Type != want || m.ID != "1" {
						t.Fatalf("want %s, got %s %s %s", want, m.Type, m.ID, m.Payload)
					}
					var p struct {
						Data   json.RawMessage
						Errors []gqlError
					}
					if err := json.Unmarshal(m.Payload, &p); err != nil || len(p.Errors) > 0 {
						t.Fatalf("payload %s: %v", m.Payload, err)
					}
					checkShape(t, real, op.SelectionSet, p.Data)
					st := statusIn(t, p.Data, wt)
					if st == "PAID" {
						break
					}
					if n == 0 {
						if err := f.srv.Approve(wt); err != nil {
							t.Fatal(err)
						}
					}
					if n > 10 {
						t.Fatalf("no PAID after %d results (last %s)", n, st)
					}
				}
				w.stop("1")
			})
		}
	case ast.Query:
		wt := f.swish(tok)
		if err := f.srv.Approve(wt); err != nil {
			t.Fatal(err)
		}
		data := f.runHTTP(t, tok, src, nil, op, real)
		if st := statusIn(t, data, wt); st != "PAID" {
			t.Fatalf("status %q in %s", st, data)
		}
	default:
		var wt string
		if roots["cancelPayment"] || roots["cancelSwishPayment"] || roots["refreshPaymentStatus"] {
			wt = f.swish(tok)
		}
		before := f.srv.Refreshes()
		data := f.runHTTP(t, tok, src, docVariables(f, op, ref, wt), op, real)
		var out map[string]map[string]any
		if err := json.Unmarshal(data, &out); err != nil {
			t.Fatal(err)
		}
		switch {
		case roots["cancelPayment"], roots["cancelSwishPayment"]:
			f.wantStatus(wt, "CANCELLED")
		case roots["refreshPaymentStatus"]:
			if out["refreshPaymentStatus"]["result"] != true || f.srv.Refreshes() != before+1 {
				t.Fatalf("refreshPaymentStatus: %s", data)
			}
		default:
			started := ""
			for name, r := range out {
				if !strings.HasPrefix(name, "new") {
					continue
				}
				for _, k := range []string{"waitToken", "paymentId"} {
					if s, ok := r[k].(string); ok && s != "" {
						started = s
					}
				}
			}
			if started == "" {
				t.Fatalf("no waitToken or paymentId in %s", data)
			}
			if err := f.srv.Approve(started); err != nil {
				t.Fatal(err)
			}
			if st, _ := f.srv.PaymentRequestStatus(started); st != "PAID" && st != "AUTHORIZED" {
				t.Fatalf("approved payment is %s", st)
			}
		}
		if roots["addSessionDeviceInformation"] {
			if out["addSessionDeviceInformation"]["result"] != true {
				t.Fatalf("addSessionDeviceInformation: %s", data)
			}
			if d, ok := f.srv.SessionDevice(tok); !ok || d.UserAgent != "kronor_android_sdk/2.0" {
				t.Fatalf("device not recorded: %+v %v", d, ok)
			}
		}
	}
}

// runHTTP posts a document and returns its data, after checking its shape.
func (f *fixture) runHTTP(t *testing.T, token, src string, vars map[string]any, op *ast.OperationDefinition, real *ast.Schema) json.RawMessage {
	t.Helper()
	r := post(t, f.srv.URL(), token, src, vars)
	r.ok(t, nil)
	checkShape(t, real, op.SelectionSet, r.Data)
	return r.Data
}

// docVariables gives a value to each variable of op, by its type, as
// Kronor's SDKs fill them; waitToken is the Swish payment a
// SwishPaymentCancelInput names.
func docVariables(f *fixture, op *ast.OperationDefinition, ref, waitToken string) map[string]any {
	ret := "https://shop.example/return"
	vars := map[string]any{}
	for _, v := range op.VariableDefinitions {
		var val any
		switch v.Type.Name() {
		case "PaymentSessionInput":
			val = f.sessionInput(ref, 1000, nil)
		case "PaymentSessionWithReferenceCheckInput":
			val = f.sessionInput(ref, 1000, map[string]any{"country": "SE"})
		case "AddSessionDeviceInformationInput":
			val = map[string]any{"browserName": "Kronor Example", "browserVersion": "2.0", "fingerprint": "fp-" + f.key(),
				"osName": "android", "osVersion": "14", "userAgent": "kronor_android_sdk/2.0"}
		case "SwishPaymentInput":
			val = map[string]any{"idempotencyKey": f.key(), "flow": "mcom", "returnUrl": ret}
		case "ApplePayPaymentInput":
			val = map[string]any{"idempotencyKey": f.key(), "flow": "mcom", "returnUrl": ret}
		case "CreditCardPaymentInput", "GooglePayPaymentInput", "MobilePayPaymentInput", "VippsPaymentInput",
			"PayPalPaymentInput", "BankTransferPaymentInput":
			val = map[string]any{"idempotencyKey": f.key(), "returnUrl": ret}
		case "PaymentCancelInput":
			val = map[string]any{"idempotencyKey": f.key()}
		case "SwishPaymentCancelInput":
			val = map[string]any{"idempotencyKey": f.key(), "paymentId": waitToken}
		case "String":
			val = f.key() // CancelSessionPayments' $idempotencyKey
		default:
			f.t.Fatalf("no value for a variable of type %s", v.Type)
		}
		vars[v.Variable] = val
	}
	return vars
}

// statusIn returns the status of the request waitToken in a paymentRequests
// answer.
func statusIn(t *testing.T, data json.RawMessage, waitToken string) string {
	t.Helper()
	var out struct {
		PaymentRequests []struct {
			WaitToken string
			Status    []struct{ Status string }
		}
	}
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	for _, r := range out.PaymentRequests {
		if r.WaitToken == waitToken && len(r.Status) > 0 {
			return r.Status[0].Status
		}
	}
	return ""
}

// specOnlyStatuses are the PaymentStatusEnum values the spec documents and
// the fake sends (bank transfers) that the published schema lacks.
var specOnlyStatuses = []string{"ACCEPTED", "PROCESSING"}

// checkShape checks that data answers the selection set exactly as the real
// schema types it: every selected key and no other, null only where the
// type is nullable, lists where it is a list, each scalar of its JSON kind,
// each enum value one of the enum's.
func checkShape(t *testing.T, schema *ast.Schema, set ast.SelectionSet, data json.RawMessage) {
	t.Helper()
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		t.Fatalf("not an object: %s", data)
	}
	shapeObject(t, schema, set, obj, "$")
}

func shapeObject(t *testing.T, schema *ast.Schema, set ast.SelectionSet, obj map[string]json.RawMessage, at string) {
	t.Helper()
	want := map[string]bool{}
	var walk func(set ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				key := s.Alias
				if key == "" {
					key = s.Name
				}
				want[key] = true
				v, ok := obj[key]
				if !ok {
					t.Fatalf("%s: no %q in the answer", at, key)
				}
				if s.Name == "__typename" {
					var name string
					if json.Unmarshal(v, &name) != nil || name != s.ObjectDefinition.Name {
						t.Fatalf("%s.__typename is %s, want %q", at, v, s.ObjectDefinition.Name)
					}
					continue
				}
				shapeValue(t, schema, s, s.Definition.Type, v, at+"."+key)
			case *ast.InlineFragment:
				walk(s.SelectionSet)
			case *ast.FragmentSpread:
				walk(s.Definition.SelectionSet)
			}
		}
	}
	walk(set)
	for k := range obj {
		if !want[k] {
			t.Fatalf("%s: %q was not selected", at, k)
		}
	}
}

func shapeValue(t *testing.T, schema *ast.Schema, f *ast.Field, typ *ast.Type, v json.RawMessage, at string) {
	t.Helper()
	if string(v) == "null" {
		if typ.NonNull {
			t.Fatalf("%s: null for %s", at, typ)
		}
		return
	}
	if typ.Elem != nil {
		var list []json.RawMessage
		if err := json.Unmarshal(v, &list); err != nil {
			t.Fatalf("%s: not a list (%s): %s", at, typ, v)
		}
		for i, e := range list {
			shapeValue(t, schema, f, typ.Elem, e, fmt.Sprintf("%s[%d]", at, i))
		}
		return
	}
	def := schema.Types[typ.NamedType]
	var x any
	_ = json.Unmarshal(v, &x)
	switch def.Kind {
	case ast.Object:
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(v, &obj); err != nil {
			t.Fatalf("%s: not an object: %s", at, v)
		}
		shapeObject(t, schema, f.SelectionSet, obj, at)
	case ast.Enum:
		s, ok := x.(string)
		if !ok || def.EnumValues.ForName(s) == nil && !(def.Name == "PaymentStatusEnum" && slices.Contains(specOnlyStatuses, s)) {
			t.Fatalf("%s: %s is no value of %s", at, v, def.Name)
		}
	case ast.Scalar:
		var ok bool
		switch def.Name {
		case "Int", "Float":
			_, ok = x.(float64)
		case "Boolean":
			_, ok = x.(bool)
		case "bigint": // a JSON number, or a string of digits
			switch n := x.(type) {
			case float64:
				ok = true
			case string:
				_, err := fmt.Sscan(n, new(int64))
				ok = err == nil
			}
		default: // String, ID, uuid, timestamptz, currency, ...
			_, ok = x.(string)
		}
		if !ok {
			t.Fatalf("%s: %s is not a %s", at, v, def.Name)
		}
	default:
		t.Fatalf("%s: unexpected %s type %s", at, def.Kind, def.Name)
	}
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
