package captures_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kronor-io/kronor-go/captures"
	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/validate/validatetest"
)

// The rules, written out independently of the package (RULES.md 1, 3, 5, 48):
// validatetest.KeyRule for idempotency keys; lengths count characters.
func runes(s string) int { return utf8.RuneCountInString(s) }

// FuzzCreateAndRelease puts arbitrary values into captures.Params and
// captures.ReleaseParams and checks Create and Release against the rules
// written out above (and valid UTF-8 in every string, which the SDK must check
// since JSON cannot carry anything else): validation never panics; it accepts exactly the inputs
// that satisfy the rules, and then sends one request carrying them verbatim;
// it rejects the others with a *client.ValidationError naming a field of the
// input, and sends nothing.
func FuzzCreateAndRelease(f *testing.F) {
	g := validatetest.NewRecorder(f, `{"data":{"newPaymentCapture":{"captureId":1,"captureTransactionId":"c-1"},"releasePayment":{"releaseId":"2"}}}`)
	c := g.Client(f)
	long := func(n int) string { return strings.Repeat("x", n) }
	for _, s := range []struct {
		amount, id              int64
		tx, text, by, from, key string
	}{
		{100, 1, "", "", "", "", ""},
		{100, 0, "tx-1", "Part 1 #5 (any text)", "ops", "Portal", "order-1-capture-1"},
		{2147483647, 9223372036854775807, "", long(50), long(100), long(100), long(64)},
		{0, 0, "", "", "", "", ""},
		{2147483648, 1, "tx", long(51), long(101), long(101), long(65)},
		{-1, -5, "", "", "", "", "key with spaces"},
		{1, 1, "", strings.Repeat("å", 50), "", "", "k\x00"},
		{1, 0, " ", "ü", "ops", "", ""},
	} {
		f.Add(s.amount, s.id, s.tx, s.text, s.by, s.from, s.key)
	}
	f.Fuzz(func(t *testing.T, amount, id int64, tx, text, by, from, key string) {
		common := amount >= 1 && amount <= 2147483647 &&
			(id > 0) != (tx != "") && id >= 0 &&
			runes(by) <= 100 && runes(from) <= 100 &&
			(key == "" || validatetest.KeyRule.MatchString(key)) &&
			utf8.ValidString(tx) && utf8.ValidString(text) && utf8.ValidString(by) && utf8.ValidString(from)

		// A capture, with text as its message (at most 50 characters, any).
		check(t, g, "capture", common && runes(text) <= 50, func() error {
			_, err := captures.Create(context.Background(), c, captures.Params{Amount: amount, PaymentID: id,
				PaymentTransactionID: tx, Message: text, CreatedBy: by, GeneratedFrom: from, IdempotencyKey: key})
			return err
		}, amount, id, key, map[string]string{"paymentTransactionId": tx, "message": text, "createdBy": by, "generatedFrom": from})

		// A release, with text as its merchant reference (at most 100 characters).
		check(t, g, "release", common && runes(text) <= 100, func() error {
			_, err := captures.Release(context.Background(), c, captures.ReleaseParams{Amount: amount, PaymentID: id,
				PaymentTransactionID: tx, MerchantReference: text, CreatedBy: by, GeneratedFrom: from, IdempotencyKey: key})
			return err
		}, amount, id, key, map[string]string{"paymentTransactionId": tx, "merchantReference": text, "createdBy": by, "generatedFrom": from})
	})
}

// check runs call and checks its outcome against valid: a rejection is a
// *client.ValidationError naming fields under input, with nothing sent; an
// acceptance sends one request whose input variable holds exactly the given
// values (empty strings omitted).
func check(t *testing.T, g *validatetest.Recorder, input string, valid bool, call func() error, amount, id int64, key string, strs map[string]string) {
	t.Helper()
	before, _ := g.Seen()
	err := call()
	after, body := g.Seen()
	if !valid {
		if err == nil {
			t.Fatalf("%s: invalid input accepted; sent %s", input, body)
		}
		var ve *client.ValidationError
		if !errors.As(err, &ve) || !errors.Is(err, client.ErrInvalidInput) || len(ve.Violations) == 0 {
			t.Fatalf("%s: error %T %v is not a *client.ValidationError with violations", input, err, err)
		}
		for _, v := range ve.Violations {
			if !strings.HasPrefix(v.Field, input+".") || v.Rule == "" {
				t.Fatalf("%s: violation %+v: want a field under %q and a rule", input, v, input)
			}
		}
		if after != before {
			t.Fatalf("%s: rejected input, yet %d requests were sent", input, after-before)
		}
		return
	}
	if err != nil {
		t.Fatalf("%s: valid input rejected: %v", input, err)
	}
	if after-before != 1 {
		t.Fatalf("%s: %d requests sent, want 1", input, after-before)
	}
	var sent struct {
		Variables map[string]map[string]any `json:"variables"`
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.UseNumber()
	if err := dec.Decode(&sent); err != nil {
		t.Fatalf("%s: sent body is not JSON: %v: %s", input, err, body)
	}
	got := sent.Variables[input]
	want := map[string]any{"amount": json.Number(num(amount))}
	if id != 0 {
		want["paymentId"] = json.Number(num(id))
	}
	for k, v := range strs {
		if v != "" {
			want[k] = v
		}
	}
	k, _ := got["idempotencyKey"].(string)
	if !validatetest.KeyRule.MatchString(k) || key != "" && k != key {
		t.Fatalf("%s: sent idempotencyKey %q (given %q)", input, k, key)
	}
	delete(got, "idempotencyKey")
	if len(got) != len(want) {
		t.Fatalf("%s: sent %v, want %v", input, got, want)
	}
	for name, w := range want {
		if got[name] != w {
			t.Fatalf("%s: sent %s = %#v, want %#v", input, name, got[name], w)
		}
	}
}

func num(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
