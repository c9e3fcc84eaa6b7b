package refunds_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/validate/validatetest"
	"github.com/kronor-io/kronor-go/refunds"
)

// The rules, written out independently of the package (RULES.md 1, 3, 5, 55),
// are validatetest.KeyRule and validatetest.MessageOK with the lengths below.

// FuzzCreate puts arbitrary values into refunds.Params and checks Create
// against the rules written out above (and valid UTF-8 in every string, which
// the SDK must check since JSON cannot carry anything else): validation never panics; it accepts
// exactly the inputs that satisfy the rules, and then sends one request
// carrying them verbatim; it rejects the others with a
// *client.ValidationError naming a field, and sends nothing.
func FuzzCreate(f *testing.F) {
	g := validatetest.NewRecorder(f, `{"data":{"refundPayment":{"waitToken":"0b6f0d3c-36a3-4a4f-9a57-5b0c9f7b1e21","refundTransactionId":"r-1"}}}`)
	c := g.Client(f)
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
			validatetest.MessageOK(msg) &&
			utf8.RuneCountInString(ref) <= 100 && utf8.RuneCountInString(by) <= 100 && utf8.RuneCountInString(from) <= 100 &&
			(key == "" || validatetest.KeyRule.MatchString(key)) &&
			utf8.ValidString(tx) && utf8.ValidString(ref) && utf8.ValidString(by) && utf8.ValidString(from)

		before, _ := g.Seen()
		_, err := refunds.Create(context.Background(), c, p)
		after, body := g.Seen()

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
		if !validatetest.KeyRule.MatchString(k) || key != "" && k != key {
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
