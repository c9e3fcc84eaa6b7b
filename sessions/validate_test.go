package sessions

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/api"
	"github.com/kronor-io/kronor-go/internal/validate"
	"github.com/kronor-io/kronor-go/internal/validate/validatetest"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func clock() time.Time { return now }

// refCheckParams are validParams without the idempotency key, which
// CreateWithReferenceCheck refuses.
func refCheckParams() Params {
	p := validParams()
	p.IdempotencyKey = ""
	return p
}

func validParams() Params {
	return Params{
		Amount:             10000,
		Currency:           CurrencySEK,
		Country:            CountrySE,
		MerchantReference:  "order-1",
		MerchantReference2: "cart 7",
		Message:            "Order 1",
		ExpiresAt:          now.Add(time.Hour),
		AllowExecutionDate: true,
		PreferredGateway:   GatewayKronor,
		IdempotencyKey:     "order-1-session",
		AdditionalData: &AdditionalData{
			Name:              "Anna Andersson",
			Email:             "anna@example.com",
			IP:                "192.0.2.1",
			Language:          LanguageSV,
			PhoneNumber:       "+46701234567",
			CustomerReference: "cust-1",
			ShippingAddress: &Address{
				Title:         TitleMs,
				FirstName:     "Anna",
				LastName:      "Andersson",
				StreetAddress: "Storgatan 1",
				PostalCode:    "11122",
				City:          "Stockholm",
				Country:       CountrySE,
				Email:         "anna@example.com",
				PhoneNumber:   "+46701234567",
			},
			OrderLines: []OrderLine{
				{Name: "Shirt", PricePerItem: 3000, Quantity: 2, TaxRate: 2500, TotalAmount: 6000, TotalTaxAmount: 1200},
				{Name: "Hat", PricePerItem: 5000, Quantity: 1, TaxRate: 2500, TotalAmount: 4000, TotalTaxAmount: 800, TotalDiscountAmount: 1000},
			},
		},
	}
}

func TestValidation(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	cases := []struct {
		name     string
		refCheck bool
		mutate   func(p *Params)
		field    string
		rule     string // a substring of the rule text
	}{
		{"amount zero", false, func(p *Params) { p.Amount = 0; p.AdditionalData.OrderLines = nil }, "payment.amount", "between 1 and 2147483647"},
		{"amount negative", false, func(p *Params) { p.Amount = -1; p.AdditionalData.OrderLines = nil }, "payment.amount", "between 1 and 2147483647"},
		{"amount over 32 bits", false, func(p *Params) { p.Amount = 1 << 31; p.AdditionalData.OrderLines = nil }, "payment.amount", "32-bit"},
		{"unknown currency", false, func(p *Params) { p.Currency = "SEKK" }, "payment.currency", "must be one of CHF"},
		{"currency required with reference check", true, func(p *Params) { p.Currency = "" }, "payment.currency", "is required"},
		{"unknown country", false, func(p *Params) { p.Country = "US" }, "payment.country", "must be one of AT"},
		{"country required with reference check", true, func(p *Params) { p.Country = "" }, "payment.country", "is required"},
		{"merchant reference missing", false, func(p *Params) { p.MerchantReference = "" }, "payment.merchantReference", "is required"},
		{"merchant reference too long", false, func(p *Params) { p.MerchantReference = long(65) }, "payment.merchantReference", "at most 64 characters"},
		{"merchant reference 2 too long", false, func(p *Params) { p.MerchantReference2 = long(1001) }, "payment.merchantReference2", "at most 1000 characters"},
		{"message missing", false, func(p *Params) { p.Message = "" }, "payment.message", "is required"},
		{"message too long", false, func(p *Params) { p.Message = long(51) }, "payment.message", "at most 50 characters"},
		{"message charset", false, func(p *Params) { p.Message = "Order #1" }, "payment.message", "may contain only"},
		{"expiresAt missing", false, func(p *Params) { p.ExpiresAt = time.Time{} }, "payment.expiresAt", "is required"},
		{"expiresAt now", false, func(p *Params) { p.ExpiresAt = now }, "payment.expiresAt", "must be after now"},
		{"expiresAt past", false, func(p *Params) { p.ExpiresAt = now.Add(-time.Minute) }, "payment.expiresAt", "must be after now"},
		{"expiresAt under a second ahead", false, func(p *Params) { p.ExpiresAt = now.Add(500 * time.Millisecond) }, "payment.expiresAt", "must be after now"},
		{"expiresAt beyond 24h", false, func(p *Params) { p.ExpiresAt = now.Add(24*time.Hour + time.Second) }, "payment.expiresAt", "at most 24 hours"},
		{"gateway spelled as the spec", false, func(p *Params) { p.PreferredGateway = "Kronor" }, "payment.preferredGateway", "must be KRONOR"},
		{"gateway not supported as a preference", false, func(p *Params) { p.PreferredGateway = GatewayTrustly }, "payment.preferredGateway", "must be KRONOR"},
		{"bad idempotency key", false, func(p *Params) { p.IdempotencyKey = "order 1" }, "payment.idempotencyKey", "A-Za-z0-9"},
		{"idempotency key too long", false, func(p *Params) { p.IdempotencyKey = long(65) }, "payment.idempotencyKey", "1 to 64 characters"},
		{"name missing", false, func(p *Params) { p.AdditionalData.Name = "" }, "payment.additionalData.name", "is required"},
		{"name too long", false, func(p *Params) { p.AdditionalData.Name = long(101) }, "payment.additionalData.name", "at most 100"},
		{"email missing", false, func(p *Params) { p.AdditionalData.Email = "" }, "payment.additionalData.email", "is required"},
		{"ip missing", false, func(p *Params) { p.AdditionalData.IP = "" }, "payment.additionalData.ip", "is required"},
		{"language missing", false, func(p *Params) { p.AdditionalData.Language = "" }, "payment.additionalData.language", "is required"},
		{"language lower case", false, func(p *Params) { p.AdditionalData.Language = "sv" }, "payment.additionalData.language", "must be one of CS"},
		{"phone too long", false, func(p *Params) { p.AdditionalData.PhoneNumber = long(101) }, "payment.additionalData.phoneNumber", "at most 100"},
		{"title spelled as the spec", false, func(p *Params) { p.AdditionalData.ShippingAddress.Title = "MS" }, "payment.additionalData.shippingAddress.title", "Miss, Mr, Mrs or Ms"},
		{"first name missing", false, func(p *Params) { p.AdditionalData.ShippingAddress.FirstName = "" }, "payment.additionalData.shippingAddress.firstName", "is required"},
		{"first name too long", false, func(p *Params) { p.AdditionalData.ShippingAddress.FirstName = long(101) }, "payment.additionalData.shippingAddress.firstName", "at most 100"},
		{"last name missing", false, func(p *Params) { p.AdditionalData.ShippingAddress.LastName = "" }, "payment.additionalData.shippingAddress.lastName", "is required"},
		{"last name too long", false, func(p *Params) { p.AdditionalData.ShippingAddress.LastName = long(101) }, "payment.additionalData.shippingAddress.lastName", "at most 100"},
		{"care of too long", false, func(p *Params) { p.AdditionalData.ShippingAddress.CareOf = long(101) }, "payment.additionalData.shippingAddress.careOf", "at most 100"},
		{"street missing", false, func(p *Params) { p.AdditionalData.ShippingAddress.StreetAddress = "" }, "payment.additionalData.shippingAddress.streetAddress", "is required (or give streetName"},
		{"street combined with street name", false, func(p *Params) { p.AdditionalData.ShippingAddress.StreetName = "Storgatan" }, "payment.additionalData.shippingAddress.streetName", "do not combine"},
		{"street combined with street number", false, func(p *Params) { p.AdditionalData.ShippingAddress.StreetNumber = "1" }, "payment.additionalData.shippingAddress.streetName", "do not combine"},
		{"street name without number", false, func(p *Params) {
			a := p.AdditionalData.ShippingAddress
			a.StreetAddress, a.StreetName = "", "Storgatan"
		}, "payment.additionalData.shippingAddress.streetNumber", "is required with streetName"},
		{"street address too long", false, func(p *Params) { p.AdditionalData.ShippingAddress.StreetAddress = long(10001) }, "payment.additionalData.shippingAddress.streetAddress", "at most 10000"},
		{"street address 2 too long", false, func(p *Params) { p.AdditionalData.ShippingAddress.StreetAddress2 = long(10001) }, "payment.additionalData.shippingAddress.streetAddress2", "at most 10000"},
		{"street name too long", false, func(p *Params) {
			a := p.AdditionalData.ShippingAddress
			a.StreetAddress, a.StreetName, a.StreetNumber = "", long(10001), "1"
		}, "payment.additionalData.shippingAddress.streetName", "at most 10000"},
		{"street number too long", false, func(p *Params) {
			a := p.AdditionalData.ShippingAddress
			a.StreetAddress, a.StreetName, a.StreetNumber = "", "Storgatan", long(10001)
		}, "payment.additionalData.shippingAddress.streetNumber", "at most 10000"},
		{"postal code missing", false, func(p *Params) { p.AdditionalData.ShippingAddress.PostalCode = "" }, "payment.additionalData.shippingAddress.postalCode", "is required"},
		{"city missing", false, func(p *Params) { p.AdditionalData.ShippingAddress.City = "" }, "payment.additionalData.shippingAddress.city", "is required"},
		{"city too long", false, func(p *Params) { p.AdditionalData.ShippingAddress.City = long(101) }, "payment.additionalData.shippingAddress.city", "at most 100"},
		{"region too long", false, func(p *Params) { p.AdditionalData.ShippingAddress.Region = long(101) }, "payment.additionalData.shippingAddress.region", "at most 100"},
		{"address country missing", false, func(p *Params) { p.AdditionalData.ShippingAddress.Country = "" }, "payment.additionalData.shippingAddress.country", "is required"},
		{"address country unknown", false, func(p *Params) { p.AdditionalData.ShippingAddress.Country = "XX" }, "payment.additionalData.shippingAddress.country", "must be one of"},
		{"address email missing", false, func(p *Params) { p.AdditionalData.ShippingAddress.Email = "" }, "payment.additionalData.shippingAddress.email", "is required"},
		{"address phone missing", false, func(p *Params) { p.AdditionalData.ShippingAddress.PhoneNumber = "" }, "payment.additionalData.shippingAddress.phoneNumber", "is required"},
		{"address phone too long", false, func(p *Params) { p.AdditionalData.ShippingAddress.PhoneNumber = long(101) }, "payment.additionalData.shippingAddress.phoneNumber", "at most 100"},
		{"line name missing", false, func(p *Params) { p.AdditionalData.OrderLines[1].Name = "" }, "payment.additionalData.orderLines[1].name", "is required"},
		{"line name too long", false, func(p *Params) { p.AdditionalData.OrderLines[1].Name = long(101) }, "payment.additionalData.orderLines[1].name", "at most 100"},
		{"line reference too long", false, func(p *Params) { p.AdditionalData.OrderLines[0].Reference = long(65) }, "payment.additionalData.orderLines[0].reference", "at most 64"},
		{"line item url too long", false, func(p *Params) { p.AdditionalData.OrderLines[0].ItemURL = long(10001) }, "payment.additionalData.orderLines[0].itemUrl", "at most 10000"},
		{"line image url too long", false, func(p *Params) { p.AdditionalData.OrderLines[0].ImageURL = long(10001) }, "payment.additionalData.orderLines[0].imageUrl", "at most 10000"},
		{"line price negative", false, func(p *Params) { p.AdditionalData.OrderLines[0].PricePerItem = -1 }, "payment.additionalData.orderLines[0].pricePerItem", "between 0 and"},
		{"line quantity zero", false, func(p *Params) { p.AdditionalData.OrderLines[0].Quantity = 0 }, "payment.additionalData.orderLines[0].quantity", "between 1 and"},
		{"line tax rate negative", false, func(p *Params) { p.AdditionalData.OrderLines[0].TaxRate = -2500 }, "payment.additionalData.orderLines[0].taxRate", "between 0 and"},
		{"line tax amount negative", false, func(p *Params) { p.AdditionalData.OrderLines[0].TotalTaxAmount = -1 }, "payment.additionalData.orderLines[0].totalTaxAmount", "between 0 and"},
		{"line discount negative", false, func(p *Params) { p.AdditionalData.OrderLines[0].TotalDiscountAmount = -1 }, "payment.additionalData.orderLines[0].totalDiscountAmount", "between 0 and"},
		{"a key with the reference check", true, func(p *Params) { p.IdempotencyKey = "order-1-session" }, "payment.idempotencyKey", RuleFreshKey},
		{"lines do not add up", false, func(p *Params) { p.AdditionalData.OrderLines[1].TotalAmount = 3999 }, "payment.additionalData.orderLines", "add up to payment.amount (10000), not 9999"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, sent := validatetest.CountingClient(t, "merchant-token")
			p := validParams()
			tc.mutate(&p)
			var err error
			if tc.refCheck {
				if tc.field != "payment.idempotencyKey" {
					p.IdempotencyKey = ""
				}
				_, err = CreateWithReferenceCheck(context.Background(), c, p, WithClock(clock))
			} else {
				_, err = Create(context.Background(), c, p, WithClock(clock))
			}
			validatetest.CheckViolation(t, err, tc.field, tc.rule, sent.Load())
		})
	}
}

// A line total over 32 bits cannot be the only violation: the lines must add
// up to the amount, so the amount is over 32 bits too. Both are reported.
func TestLineTotalOver32Bits(t *testing.T) {
	c, sent := validatetest.CountingClient(t, "merchant-token")
	p := validParams()
	p.AdditionalData.OrderLines = p.AdditionalData.OrderLines[:1]
	p.AdditionalData.OrderLines[0].TotalAmount = 1 << 31
	p.Amount = 1 << 31
	_, err := Create(context.Background(), c, p, WithClock(clock))
	var ve *client.ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, client.ErrInvalidInput) {
		t.Fatalf("error = %v, want a *client.ValidationError", err)
	}
	want := []client.Violation{
		{Field: "payment.amount", Rule: validate.RuleAmount},
		{Field: "payment.additionalData.orderLines[0].totalAmount", Rule: validate.RuleNonNegInt},
	}
	if !slices.Equal(ve.Violations, want) {
		t.Fatalf("violations = %v, want %v", ve.Violations, want)
	}
	if n := sent.Load(); n != 0 {
		t.Fatalf("%d requests reached the server", n)
	}
}

func TestValidParamsPass(t *testing.T) {
	for _, refCheck := range []bool{false, true} {
		p := validParams()
		if refCheck {
			p = refCheckParams()
		}
		if _, err := p.input(now, refCheck); err != nil {
			t.Fatalf("refCheck=%v: %v", refCheck, err)
		}
	}
	p := validParams()
	p.ExpiresAt = now.Add(24 * time.Hour) // exactly 24 hours is allowed
	p.Currency, p.Country = "", ""        // optional on Create
	p.AdditionalData.ShippingAddress.Title = ""
	if _, err := p.input(now, false); err != nil {
		t.Fatal(err)
	}
}

func TestAllViolationsAtOnce(t *testing.T) {
	c, sent := validatetest.CountingClient(t, "merchant-token")
	p := validParams()
	p.Amount = 0
	p.Message = ""
	p.AdditionalData.OrderLines[1].Quantity = 0
	_, err := Create(context.Background(), c, p, WithClock(clock))
	var ve *client.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error = %v", err)
	}
	want := []string{"payment.amount", "payment.message", "payment.additionalData.orderLines[1].quantity", "payment.additionalData.orderLines"}
	if len(ve.Violations) != len(want) {
		t.Fatalf("violations = %v, want fields %v", ve.Violations, want)
	}
	for i, f := range want {
		if ve.Violations[i].Field != f {
			t.Errorf("violation %d = %v, want field %s", i, ve.Violations[i], f)
		}
	}
	if sent.Load() != 0 {
		t.Fatal("a request reached the server")
	}
}

func TestInputOnTheWire(t *testing.T) {
	p := validParams()
	p.ExpiresAt = time.Date(2026, 3, 1, 14, 30, 15, 999_000_000, time.FixedZone("CET", 3600))
	a := p.AdditionalData.ShippingAddress
	a.StreetAddress, a.StreetName, a.StreetNumber = "", "Storgatan", "1"
	in, err := p.input(now, false)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got["expiresAt"] != "2026-03-01T13:30:15Z" {
		t.Errorf("expiresAt = %v, want UTC to the second", got["expiresAt"])
	}
	if got["amount"] != float64(10000) || got["currency"] != "SEK" || got["country"] != "SE" ||
		got["preferredGateway"] != "KRONOR" || got["allowExecutionDate"] != true || got["idempotencyKey"] != "order-1-session" {
		t.Errorf("input = %s", b)
	}
	ad := got["additionalData"].(map[string]any)
	addr := ad["shippingAddress"].(map[string]any)
	if addr["streetAddress"] != "" || addr["streetName"] != "Storgatan" || addr["streetNumber"] != "1" || addr["title"] != "Ms" {
		t.Errorf("shippingAddress = %v", addr)
	}
	if _, ok := addr["careOf"]; ok {
		t.Errorf("unset careOf was sent: %v", addr)
	}
	lines := ad["orderLines"].([]any)
	if _, ok := lines[0].(map[string]any)["totalDiscountAmount"]; ok {
		t.Error("zero totalDiscountAmount was sent")
	}
	if lines[1].(map[string]any)["totalDiscountAmount"] != float64(1000) {
		t.Errorf("orderLines[1] = %v", lines[1])
	}

	// Optional fields left empty are omitted, never sent as null.
	min := Params{Amount: 1, MerchantReference: "r", Message: "m", ExpiresAt: now.Add(time.Minute)}
	in, err = min.input(now, false)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(in)
	for _, f := range []string{"currency", "country", "merchantReference2", "preferredGateway", "allowExecutionDate", "additionalData"} {
		if strings.Contains(string(b), `"`+f+`"`) {
			t.Errorf("unset %s was sent: %s", f, b)
		}
	}
	if in.IdempotencyKey == "" {
		t.Error("no idempotency key was made")
	}
	again, _ := min.input(now, false)
	if again.IdempotencyKey == in.IdempotencyKey {
		t.Error("two calls without a key got the same key")
	}
}

// sameValues reports whether ours holds exactly the schema's values.
func sameValues[A, B ~string](ours []A, schema []B) bool {
	if len(ours) != len(schema) {
		return false
	}
	for i := range ours {
		if string(ours[i]) != string(schema[i]) {
			return false
		}
	}
	return true
}

func TestEnumsMatchTheSchema(t *testing.T) {
	if !sameValues(currencies, api.AllSupportedCurrencyEnum) || !sameValues(countries, api.AllCountry) ||
		!sameValues(languages, api.AllLanguage) || !sameValues(titles, api.AllCustomerTitle) ||
		!sameValues(gateways, api.AllGatewayEnum) {
		t.Fatal("an enum differs from the schema's values")
	}
	if len(languages) != 25 {
		t.Fatalf("%d languages, want the schema's 25", len(languages))
	}
	if !LanguageSV.Known() || Language("XX").Known() || !TitleMiss.Known() || Title("MISS").Known() ||
		!CurrencyPLN.Known() || !CountryPL.Known() || !GatewayKronor.Known() || Gateway("Kronor").Known() {
		t.Fatal("Known")
	}
}

func TestCurrencies(t *testing.T) {
	got := Currencies()
	if !sameValues(got, api.AllSupportedCurrencyEnum) {
		t.Fatalf("Currencies() = %v, want the schema's %v", got, api.AllSupportedCurrencyEnum)
	}
	for _, c := range got {
		if !c.Known() {
			t.Errorf("%s is not Known", c)
		}
	}
	got[0] = "XYZ" // the caller's copy
	if Currency("XYZ").Known() || Currencies()[0] != CurrencyCHF {
		t.Fatal("changing the returned slice changed the supported currencies")
	}
}

func TestMaxAmount(t *testing.T) {
	p := validParams()
	p.AdditionalData.OrderLines = nil
	p.Amount = MaxAmount
	if _, err := p.input(now, false); err != nil {
		t.Fatalf("Amount MaxAmount: %v", err)
	}
	p.Amount = MaxAmount + 1
	_, err := p.input(now, false)
	var ve *client.ValidationError
	if !errors.As(err, &ve) || len(ve.Violations) != 1 || ve.Violations[0].Field != "payment.amount" {
		t.Fatalf("Amount MaxAmount+1: %v, want a violation of payment.amount", err)
	}
}
