package sessions_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/validate/validatetest"
	"github.com/kronor-io/kronor-go/sessions"
)

// The rules, written out independently of the package (RULES.md 3, 6-18), with
// validatetest.KeyRule and validatetest.MessageOK for keys and messages.
var (
	fuzzMaxInt    = int64(2147483647)
	fuzzCurrency  = "CHF CZK DKK EUR GBP HUF ISK NOK PLN RON SEK USD"
	fuzzCountries = "AT BE CH CY CZ DE DK EE ES FI FO FR GB GR HR HU IE IS IT LT LU LV MT NL NO PL PT RO SE SI SK"
	fuzzLanguages = "CS DA DE EL EN ES ET FI FR HR HU IS IT LB LT LV MT NL NO PL PT RO SK SL SV"
)

// inList reports whether s is one of the space-separated words of list.
func inList(s, list string) bool {
	if s == "" || strings.ContainsAny(s, " \t\n") {
		return false
	}
	for _, w := range strings.Fields(list) {
		if w == s {
			return true
		}
	}
	return false
}

// requiredMax: present (not only white space) and at most max characters.
func requiredMax(s string, max int) bool {
	return strings.TrimSpace(s) != "" && utf8.RuneCountInString(s) <= max
}

// allUTF8: a GraphQL String is Unicode, and encoding/json would silently
// replace invalid bytes, so an input string must be valid UTF-8 to be sent
// as given.
func allUTF8(ss ...string) bool {
	for _, s := range ss {
		if !utf8.ValidString(s) {
			return false
		}
	}
	return true
}

// FuzzCreate puts arbitrary values into sessions.Params and checks Create
// against the rules written out above (and valid UTF-8 in every string, which
// the SDK must check since JSON cannot carry anything else): validation never
// panics; it accepts
// exactly the inputs that satisfy the rules, and then sends one request
// carrying them; it rejects the others with a *client.ValidationError naming
// a field, and sends nothing.
func FuzzCreate(f *testing.F) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	g := validatetest.NewRecorder(f, `{"data":{"newPaymentSession":{"token":"session-token"},`+
		`"newPaymentSessionWithReferenceCheck":{"token":"session-token","paymentId":null,"paymentTransactionId":null},`+
		`"paymentSessions":[{"id":"6f1c1f4e-3d7e-4a4e-9a1a-2b5c8d0e1f22","createdAt":"2026-03-01T12:00:00Z"}]}}`)
	c := g.Client(f)

	hour := int64(time.Hour)
	type seed struct {
		amount             int64
		currency, country  string
		ref, ref2, message string
		expiresIn          int64
		gateway, key       string
		data               uint8
		name, email, lang  string
		lineTotal, lineQty int64
		refCheck           bool
	}
	for _, s := range []seed{
		{10000, "SEK", "SE", "order-1", "", "Order 1", hour, "", "order-1-session", 0, "", "", "", 0, 0, false},
		{10000, "SEK", "SE", "order-1", "cart 7", "Order 1", hour, "KRONOR", "", 7, "Anna", "a@example.com", "SV", 10000, 1, true},
		{1, "", "", "o", "", "”Åäö” (ok)?!;:.,\"", 24 * hour, "", "", 0, "", "", "", 0, 0, false},
		{100, "", "", "o", "", "Idé: É", hour, "", "", 0, "", "", "", 0, 0, false},
		{100, "", "", "o", "", "Crème brûlée", hour, "", "", 0, "", "", "", 0, 0, false},
		{2147483647, "PLN", "PL", strings.Repeat("r", 64), strings.Repeat("x", 1000), strings.Repeat("m", 50), 1e9, "", strings.Repeat("k", 64), 5, strings.Repeat("n", 100), "e", "EN", 2147483647, 2147483647, true},
		{0, "XXX", "ZZ", "", "", "", 0, "AVARDA", "bad key", 1, "", "", "xx", -1, 0, false},
		{2147483648, "sek", "se", strings.Repeat("r", 65), strings.Repeat("x", 1001), strings.Repeat("m", 51), 24*hour + 1e9, "", strings.Repeat("k", 65), 3, "  ", " ", "SV", 1, 1, false},
		{100, "SEK", "SE", "   ", "", "Order #1", -1, "", "key\x00", 7, "A", "e", "SV", 99, -5, true},
		{100, "", "", "ref\xff", "", "Meddelande ä\xff", hour, "", "", 7, "Å", "e", "DA", 100, 1, true},
		{100, "", "", "ref", "", "Order 1", hour - 1, "", "", 7, "A", "e", "SV", -9223372036854775808, 1, false},
	} {
		f.Add(s.amount, s.currency, s.country, s.ref, s.ref2, s.message, s.expiresIn, s.gateway, s.key,
			s.data, s.name, s.email, s.lang, s.lineTotal, s.lineQty, s.refCheck)
	}

	f.Fuzz(func(t *testing.T, amount int64, currency, country, ref, ref2, message string, expiresIn int64,
		gateway, key string, data uint8, name, email, lang string, lineTotal, lineQty int64, refCheck bool) {
		p := sessions.Params{
			Amount: amount, Currency: sessions.Currency(currency), Country: sessions.Country(country),
			MerchantReference: ref, MerchantReference2: ref2, Message: message,
			ExpiresAt:        now.Add(time.Duration(expiresIn)),
			PreferredGateway: sessions.Gateway(gateway), IdempotencyKey: key,
		}
		if data&1 != 0 {
			p.AdditionalData = &sessions.AdditionalData{Name: name, Email: email, IP: "192.0.2.1", Language: sessions.Language(lang)}
			if data&2 != 0 {
				p.AdditionalData.OrderLines = []sessions.OrderLine{{Name: name, PricePerItem: lineTotal, Quantity: lineQty, TotalAmount: lineTotal}}
			}
			if data&4 != 0 {
				p.AdditionalData.ShippingAddress = &sessions.Address{
					FirstName: name, LastName: name, StreetAddress: "Gatan 1", PostalCode: "11122",
					City: "Stockholm", Country: sessions.CountrySE, Email: email, PhoneNumber: "+46700000000",
				}
			}
		}

		// The rules.
		exp := p.ExpiresAt.UTC().Truncate(time.Second)
		valid := amount >= 1 && amount <= fuzzMaxInt &&
			(currency == "" && !refCheck || inList(currency, fuzzCurrency)) &&
			(country == "" && !refCheck || inList(country, fuzzCountries)) &&
			requiredMax(ref, 64) && utf8.RuneCountInString(ref2) <= 1000 &&
			validatetest.MessageOK(message) &&
			exp.After(now) && !exp.After(now.Add(24*time.Hour)) &&
			(gateway == "" || gateway == "KRONOR") &&
			(key == "" || !refCheck && validatetest.KeyRule.MatchString(key)) && // the reference check refuses any key

			allUTF8(currency, country, ref, ref2, gateway)
		if data&1 != 0 {
			valid = valid && allUTF8(name, email, lang)
			valid = valid && requiredMax(name, 100) && strings.TrimSpace(email) != "" && inList(lang, fuzzLanguages)
			if data&2 != 0 {
				valid = valid && lineTotal >= 0 && lineTotal <= fuzzMaxInt && lineQty >= 1 && lineQty <= fuzzMaxInt && lineTotal == amount
			}
			if data&4 != 0 {
				valid = valid && requiredMax(name, 100) && strings.TrimSpace(email) != ""
			}
		}

		before, _ := g.Seen()
		ctx := context.Background()
		var err error
		if refCheck {
			_, err = sessions.CreateWithReferenceCheck(ctx, c, p, sessions.WithClock(func() time.Time { return now }))
		} else {
			_, err = sessions.Create(ctx, c, p, sessions.WithClock(func() time.Time { return now }))
		}
		after, _ := g.Seen()

		if !valid {
			if err == nil {
				t.Fatalf("invalid params accepted: %#v", p)
			}
			checkRejected(t, err, after-before, "payment.")
			return
		}
		if err != nil {
			t.Fatalf("valid params rejected: %v\nparams: %#v", err, p)
		}
		want := 1
		if refCheck {
			want = 2 // the reference check, then its session's createdAt
		}
		if after-before != want {
			t.Fatalf("%d requests sent, want %d", after-before, want)
		}
		body := g.Body(before)
		var sent struct {
			Variables struct {
				Payment struct {
					Amount            int64  `json:"amount"`
					MerchantReference string `json:"merchantReference"`
					Message           string `json:"message"`
					ExpiresAt         string `json:"expiresAt"`
					IdempotencyKey    string `json:"idempotencyKey"`
				} `json:"payment"`
			} `json:"variables"`
		}
		if err := json.Unmarshal(body, &sent); err != nil {
			t.Fatalf("sent body is not JSON: %v: %s", err, body)
		}
		got := sent.Variables.Payment
		if got.Amount != amount || got.MerchantReference != ref || got.Message != message {
			t.Fatalf("sent amount %d, merchantReference %q, message %q; want %d, %q, %q", got.Amount, got.MerchantReference, got.Message, amount, ref, message)
		}
		if got.ExpiresAt != exp.Format(time.RFC3339) {
			t.Fatalf("sent expiresAt %q, want %q", got.ExpiresAt, exp.Format(time.RFC3339))
		}
		if !validatetest.KeyRule.MatchString(got.IdempotencyKey) || key != "" && got.IdempotencyKey != key {
			t.Fatalf("sent idempotencyKey %q (given %q)", got.IdempotencyKey, key)
		}
	})
}

// checkRejected checks a rejection: a *client.ValidationError (also
// errors.Is ErrInvalidInput) whose violations name a field under prefix and a
// rule, and nothing sent.
func checkRejected(t *testing.T, err error, sent int, prefix string) {
	t.Helper()
	if err == nil {
		t.Fatal("invalid params accepted")
	}
	var ve *client.ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, client.ErrInvalidInput) {
		t.Fatalf("error %T %v is not a *client.ValidationError", err, err)
	}
	if len(ve.Violations) == 0 {
		t.Fatal("a ValidationError without violations")
	}
	for _, v := range ve.Violations {
		if v.Field == "" || v.Rule == "" || !strings.HasPrefix(v.Field, prefix) {
			t.Fatalf("violation %+v: want a field under %q and a rule", v, prefix)
		}
	}
	if sent != 0 {
		t.Fatalf("rejected params, yet %d requests were sent", sent)
	}
}
