package refunds_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/refunds"
)

// fuzzGateway is one httptest server per fuzz target that counts the requests
// it gets, keeps the last body, and answers every refund.
type fuzzGateway struct {
	srv  *httptest.Server
	mu   sync.Mutex
	n    int
	last []byte
}

func newFuzzGateway(f *testing.F, answer string) *fuzzGateway {
	g := &fuzzGateway{}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		g.mu.Lock()
		g.n++
		g.last = body
		g.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, answer)
	}))
	f.Cleanup(g.srv.Close)
	return g
}

func (g *fuzzGateway) seen() (int, []byte) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.n, g.last
}

// The rules, written out independently of the package (RULES.md 1, 3, 5, 55).
var fuzzKeyRule = regexp.MustCompile(`^[A-Za-z0-9\-_.,\[\]+]{1,64}$`)

// messageOK: 1 to 50 characters of A-Z a-z 0-9 å ä ö é Å Ä Ö É : ; . , ? ! ( ) ” " and
// space, not only spaces.
func messageOK(s string) bool {
	if strings.TrimSpace(s) == "" || !utf8.ValidString(s) || utf8.RuneCountInString(s) > 50 {
		return false
	}
	for _, r := range s {
		ok := ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9') ||
			strings.ContainsRune("åäöéÅÄÖÉ:;.,?!()”\" ", r)
		if !ok {
			return false
		}
	}
	return true
}

// FuzzCreate puts arbitrary values into refunds.Params and checks Create
// against the rules written out above (and valid UTF-8 in every string, which
// the SDK must check since JSON cannot carry anything else): validation never panics; it accepts
// exactly the inputs that satisfy the rules, and then sends one request
// carrying them verbatim; it rejects the others with a
// *client.ValidationError naming a field, and sends nothing.
func FuzzCreate(f *testing.F) {
	g := newFuzzGateway(f, `{"data":{"refundPayment":{"waitToken":"0b6f0d3c-36a3-4a4f-9a57-5b0c9f7b1e21","refundTransactionId":"r-1"}}}`)
	c, err := client.New("merchant-token", client.WithEndpoint(g.srv.URL+"/v1/graphql"),
		client.WithHTTPClient(g.srv.Client()), client.WithMaxAttempts(1))
	if err != nil {
		f.Fatal(err)
	}
	long := func(n int) string { return strings.Repeat("x", n) }
	for _, s := range []struct {
		amount, id                  int64
		tx, msg, ref, by, from, key string
	}{
		{100, 1, "", "Refund for order 1", "", "", "", ""},
		{100, 1, "", "Idé É", "", "", "", ""},
		{100, 1, "", "Über è", "", "", "", ""},
		{100, 0, "tx-1", "Återbetalning (delvis): 1”", "refund-1", "ops", "Portal", "order-1-refund-1"},
		{2147483647, 9223372036854775807, "", long(50), long(100), long(100), long(100), long(64)},
		{0, 0, "", "", "", "", "", ""},
		{2147483648, 1, "tx", long(51), long(101), long(101), long(101), long(65)},
		{-1, -5, "", "Refund #1", "", "", "", "key with spaces"},
		{1, 1, "", "  ", "", "", "", "k\x00"},
		{1, 0, " ", "ok", "ref-ü", "", "", ""},
		{1, -9223372036854775808, "", "ok", "", "", "", "[a+b].c,d_e-f"},
	} {
		f.Add(s.amount, s.id, s.tx, s.msg, s.ref, s.by, s.from, s.key)
	}
	f.Fuzz(func(t *testing.T, amount, id int64, tx, msg, ref, by, from, key string) {
		p := refunds.Params{Amount: amount, PaymentID: id, PaymentTransactionID: tx, Message: msg,
			MerchantReference: ref, CreatedBy: by, GeneratedFrom: from, IdempotencyKey: key}
		valid := amount >= 1 && amount <= 2147483647 &&
			(id > 0) != (tx != "") && id >= 0 &&
			messageOK(msg) &&
			utf8.RuneCountInString(ref) <= 100 && utf8.RuneCountInString(by) <= 100 && utf8.RuneCountInString(from) <= 100 &&
			(key == "" || fuzzKeyRule.MatchString(key)) &&
			utf8.ValidString(tx) && utf8.ValidString(ref) && utf8.ValidString(by) && utf8.ValidString(from)

		before, _ := g.seen()
		_, err := refunds.Create(context.Background(), c, p)
		after, body := g.seen()

		if !valid {
			if err == nil {
				t.Fatalf("invalid params accepted: %#v", p)
			}
			var ve *client.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, client.ErrInvalidInput) || len(ve.Violations) == 0 {
				t.Fatalf("error %T %v is not a *client.ValidationError with violations", err, err)
			}
			for _, v := range ve.Violations {
				if !strings.HasPrefix(v.Field, "refund.") || v.Rule == "" {
					t.Fatalf("violation %+v: want a refund field and a rule", v)
				}
			}
			if after != before {
				t.Fatalf("rejected params, yet %d requests were sent", after-before)
			}
			return
		}
		if err != nil {
			t.Fatalf("valid params rejected: %v\nparams: %#v", err, p)
		}
		if after-before != 1 {
			t.Fatalf("%d requests sent, want 1", after-before)
		}
		var sent struct {
			Variables struct {
				Refund map[string]any `json:"refund"`
			} `json:"variables"`
		}
		dec := json.NewDecoder(strings.NewReader(string(body)))
		dec.UseNumber()
		if err := dec.Decode(&sent); err != nil {
			t.Fatalf("sent body is not JSON: %v: %s", err, body)
		}
		r := sent.Variables.Refund
		want := map[string]any{"amount": json.Number(itoa(amount)), "message": msg}
		if id != 0 {
			want["paymentId"] = json.Number(itoa(id))
		}
		for k, v := range map[string]string{"paymentTransactionId": tx, "merchantReference": ref, "createdBy": by, "generatedFrom": from} {
			if v != "" {
				want[k] = v
			}
		}
		k, _ := r["idempotencyKey"].(string)
		if !fuzzKeyRule.MatchString(k) || key != "" && k != key {
			t.Fatalf("sent idempotencyKey %q (given %q)", k, key)
		}
		delete(r, "idempotencyKey")
		if len(r) != len(want) {
			t.Fatalf("sent %v, want %v", r, want)
		}
		for name, w := range want {
			if r[name] != w {
				t.Fatalf("sent %s = %#v, want %#v", name, r[name], w)
			}
		}
	})
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
