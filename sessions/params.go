package sessions

import (
	"strings"
	"time"

	"github.com/kronor-io/kronor-go/internal/api"
	"github.com/kronor-io/kronor-go/internal/convert"
	"github.com/kronor-io/kronor-go/internal/validate"
)

// MaxExpiry is how far ahead of now a session may expire: a session is a payment
// window of at most 24 hours.
const MaxExpiry = 24 * time.Hour

// MaxAmount is the largest amount the gateway takes, in minor units: amounts
// are a 32-bit GraphQL Int on the wire, so [Params].Amount must be between 1
// and MaxAmount (as must a capture's or a refund's).
const MaxAmount = validate.MaxInt

// Params describes a payment session: what the customer pays, the merchant's
// references, and optional data about the customer and the order.
type Params struct {
	// Amount is what the customer pays, in minor units of Currency (100,56 kr is
	// 10056). Required: 1..2147483647 (the gateway takes a 32-bit Int).
	Amount int64
	// Currency of Amount. Optional for Create (the merchant's default currency
	// is used); required for CreateWithReferenceCheck.
	Currency Currency
	// Country where the money is received. Optional for Create (Przelewy24
	// needs CountryPL); required for CreateWithReferenceCheck.
	Country Country
	// MerchantReference is the merchant's own reference for the order,
	// required, at most 64 characters. It should be unique per order and reused
	// when retrying a payment for the same order; CreateWithReferenceCheck finds
	// earlier sessions by it.
	MerchantReference string
	// MerchantReference2 is an optional further reference, at most 1000
	// characters, not checked for uniqueness.
	MerchantReference2 string
	// Message is shown to the customer on the payment screen, e.g. an order
	// number. Required, at most 50 characters of A-Z a-z 0-9 å ä ö é Å Ä Ö É, space
	// and : ; . , ? ! ( ) ” ": no hyphen, no # and no other accented letters.
	// [Message] makes such a message from any text ("Order ORD-4001" becomes
	// "Order ORD 4001").
	Message string
	// ExpiresAt is the last moment the session can be used: after now and at
	// most 24 hours ahead. It is sent in UTC, RFC 3339, to the second (a
	// fraction of a second is dropped before the check).
	ExpiresAt time.Time
	// AllowExecutionDate lets the customer choose an execution date for a
	// payment in this session (bank transfer).
	AllowExecutionDate bool
	// PreferredGateway is optional; leave it empty unless Kronor asked you to
	// set it (the gateway currently supports only GatewayKronor).
	PreferredGateway Gateway
	// AdditionalData describes the customer and the order. Optional in general,
	// but Przelewy24 needs Name, and PayPal needs ShippingAddress and
	// OrderLines.
	AdditionalData *AdditionalData
	// IdempotencyKey makes a retried Create return the same session instead
	// of creating another. Optional: when empty a random key is made for this
	// call (and reused by the client's retries). A key derived from your order
	// (client.DeriveIdempotencyKey(orderID, "session")) survives a restart
	// only if the rerun sends the same parameters byte for byte: store
	// ExpiresAt with the order instead of computing it from the clock again,
	// or the gateway answers client.ErrIdempotencyConflict. The crash-safe
	// way is CreateWithReferenceCheck, which refuses a key: see the package
	// documentation.
	IdempotencyKey string
}

// AdditionalData is information about the customer and the order. When it is
// set, Name, Email, IP and Language are required.
type AdditionalData struct {
	// Name of the customer, at most 100 characters. Required.
	Name string
	// Email of the customer. Required.
	Email string
	// IP address of the customer. Required.
	IP string
	// Language the payment is handled in. Required.
	Language Language
	// PhoneNumber of the customer, at most 100 characters. Optional.
	PhoneNumber string
	// CustomerReference is the merchant's unique reference for the customer,
	// needed for card-on-file. Optional.
	CustomerReference string
	// ShippingAddress of the order. Optional; required by PayPal.
	ShippingAddress *Address
	// OrderLines are the items bought. Optional (required by PayPal); when
	// given, their TotalAmount must add up to the session's Amount.
	OrderLines []OrderLine
}

// Address is a shipping address.
//
// Give the street either as StreetAddress (free text as the customer typed it)
// or, when you have validated them, as StreetName and StreetNumber, never both:
// see the package documentation.
type Address struct {
	// Title is optional.
	Title Title
	// FirstName, required, at most 100 characters.
	FirstName string
	// LastName, required, at most 100 characters.
	LastName string
	// CareOf is an optional intermediary, at most 100 characters.
	CareOf string
	// StreetAddress is the first street line, at most 10000 characters.
	// Required unless StreetName is given.
	StreetAddress string
	// StreetAddress2 is an optional second line, at most 10000 characters.
	StreetAddress2 string
	// StreetName, at most 10000 characters; only without StreetAddress.
	StreetName string
	// StreetNumber, at most 10000 characters; only with StreetName.
	StreetNumber string
	// PostalCode, required.
	PostalCode string
	// City, required, at most 100 characters.
	City string
	// Region or state, optional, at most 100 characters.
	Region string
	// Country, required.
	Country Country
	// Email, required.
	Email string
	// PhoneNumber, required, at most 100 characters.
	PhoneNumber string
}

// OrderLine is one line of the order. Amounts are in minor units and include
// tax.
type OrderLine struct {
	// Name of the item, required, at most 100 characters.
	Name string
	// Reference is the merchant's item number or SKU, optional, at most 64
	// characters.
	Reference string
	// ItemURL links to the item in the merchant's catalogue, optional, at most
	// 10000 characters.
	ItemURL string
	// ImageURL links to an image of the item, optional, at most 10000
	// characters.
	ImageURL string
	// PricePerItem includes tax but not discounts; 0 or more.
	PricePerItem int64
	// Quantity is the number of items, 1 or more.
	Quantity int64
	// TaxRate is in basis points (15% is 1500); 0 or more.
	TaxRate int64
	// TotalAmount of the line; 0 or more. The lines' TotalAmount must add up to
	// the session's Amount.
	TotalAmount int64
	// TotalTaxAmount of the line; 0 or more.
	TotalTaxAmount int64
	// TotalDiscountAmount of the line, including tax; 0 (none) or more.
	TotalDiscountAmount int64
}

// RuleFreshKey is the rule CreateWithReferenceCheck gives for a Params with
// an IdempotencyKey.
const RuleFreshKey = "must be empty for CreateWithReferenceCheck: it makes a fresh key for every call, " +
	"so that a rerun reads the order as it is now (a reused key would replay the first answer, " +
	"which cannot say that the order was paid since)"

// input validates p against every rule checkable from the input alone and
// converts it to the newPaymentSession input. refCheck applies the reference
// check's stricter rules (currency and country required). The input carries
// p's idempotency key, or a fresh random one when p has none.
func (p Params) input(now time.Time, refCheck bool) (api.PaymentSessionInput, error) {
	var v validate.Collector
	const root = "payment"
	expiresAt := p.ExpiresAt.UTC().Truncate(time.Second)

	v.Amount(root+".amount", p.Amount)
	switch {
	case p.Currency == "" && refCheck:
		v.Add(root+".currency", validate.RuleRequired)
	case p.Currency != "" && !p.Currency.Known():
		v.Addf(root+".currency", "must be one of %s", list(currencies))
	}
	switch {
	case p.Country == "" && refCheck:
		v.Add(root+".country", validate.RuleRequired)
	case p.Country != "" && !p.Country.Known():
		v.Addf(root+".country", "must be one of %s", list(countries))
	}
	v.RequiredMaxLen(root+".merchantReference", p.MerchantReference, 64)
	v.MaxLen(root+".merchantReference2", p.MerchantReference2, 1000)
	v.Message(root+".message", p.Message)
	switch {
	case p.ExpiresAt.IsZero():
		v.Add(root+".expiresAt", validate.RuleRequired)
	case !expiresAt.After(now):
		v.Addf(root+".expiresAt", "must be after now (%s)", now.UTC().Format(time.RFC3339))
	case expiresAt.Sub(now) > MaxExpiry:
		v.Addf(root+".expiresAt", "must be at most 24 hours after now (%s)", now.UTC().Format(time.RFC3339))
	}
	if p.PreferredGateway != "" && p.PreferredGateway != GatewayKronor {
		v.Add(root+".preferredGateway", `must be KRONOR, the only gateway supported as a preference (or empty)`)
	}
	if refCheck && p.IdempotencyKey != "" {
		v.Add(root+".idempotencyKey", RuleFreshKey)
	} else {
		v.IdempotencyKey(root+".idempotencyKey", p.IdempotencyKey)
	}
	if p.AdditionalData != nil {
		p.AdditionalData.check(&v, root+".additionalData", p.Amount)
	}
	if err := v.Err(); err != nil {
		return api.PaymentSessionInput{}, err
	}

	in := api.PaymentSessionInput{
		Amount:             int(p.Amount),
		Currency:           (*api.SupportedCurrencyEnum)(convert.OptEnum(p.Currency)),
		Country:            (*api.Country)(convert.OptEnum(p.Country)),
		ExpiresAt:          expiresAt.Format(time.RFC3339),
		IdempotencyKey:     convert.IdempotencyKey(p.IdempotencyKey),
		MerchantReference:  p.MerchantReference,
		MerchantReference2: convert.OptString(p.MerchantReference2),
		Message:            p.Message,
		AllowExecutionDate: convert.OptBool(p.AllowExecutionDate),
		PreferredGateway:   (*api.GatewayEnum)(convert.OptEnum(p.PreferredGateway)),
	}
	if p.AdditionalData != nil {
		in.AdditionalData = p.AdditionalData.input()
	}
	return in, nil
}

func (d *AdditionalData) check(v *validate.Collector, root string, amount int64) {
	v.RequiredMaxLen(root+".name", d.Name, 100)
	v.Required(root+".email", d.Email)
	v.Required(root+".ip", d.IP)
	switch {
	case d.Language == "":
		v.Add(root+".language", validate.RuleRequired)
	case !d.Language.Known():
		v.Addf(root+".language", "must be one of %s", list(languages))
	}
	v.MaxLen(root+".phoneNumber", d.PhoneNumber, 100)
	v.Text(root+".customerReference", d.CustomerReference)
	if d.ShippingAddress != nil {
		d.ShippingAddress.check(v, root+".shippingAddress")
	}
	if len(d.OrderLines) == 0 {
		return
	}
	var sum int64
	for i, l := range d.OrderLines {
		l.check(v, validate.Index(root+".orderLines", i))
		sum += l.TotalAmount
	}
	if sum != amount {
		v.Addf(root+".orderLines", "the lines' totalAmount must add up to payment.amount (%d), not %d", amount, sum)
	}
}

func (a *Address) check(v *validate.Collector, root string) {
	if a.Title != "" && !a.Title.Known() {
		v.Addf(root+".title", "must be one of %s (the schema's spelling)", list(titles))
	}
	v.RequiredMaxLen(root+".firstName", a.FirstName, 100)
	v.RequiredMaxLen(root+".lastName", a.LastName, 100)
	v.MaxLen(root+".careOf", a.CareOf, 100)
	switch {
	case a.StreetAddress != "" && (a.StreetName != "" || a.StreetNumber != ""):
		v.Add(root+".streetName", "do not combine streetName/streetNumber with streetAddress: give one or the other")
	case a.StreetAddress == "" && a.StreetName == "":
		v.Add(root+".streetAddress", "is required (or give streetName and streetNumber instead)")
	case a.StreetAddress == "" && a.StreetNumber == "":
		v.Add(root+".streetNumber", "is required with streetName")
	}
	v.MaxLen(root+".streetAddress", a.StreetAddress, 10000)
	v.MaxLen(root+".streetAddress2", a.StreetAddress2, 10000)
	v.MaxLen(root+".streetName", a.StreetName, 10000)
	v.MaxLen(root+".streetNumber", a.StreetNumber, 10000)
	v.Required(root+".postalCode", a.PostalCode)
	v.RequiredMaxLen(root+".city", a.City, 100)
	v.MaxLen(root+".region", a.Region, 100)
	switch {
	case a.Country == "":
		v.Add(root+".country", validate.RuleRequired)
	case !a.Country.Known():
		v.Addf(root+".country", "must be one of %s", list(countries))
	}
	v.Required(root+".email", a.Email)
	v.RequiredMaxLen(root+".phoneNumber", a.PhoneNumber, 100)
}

func (l OrderLine) check(v *validate.Collector, root string) {
	v.RequiredMaxLen(root+".name", l.Name, 100)
	v.MaxLen(root+".reference", l.Reference, 64)
	v.MaxLen(root+".itemUrl", l.ItemURL, 10000)
	v.MaxLen(root+".imageUrl", l.ImageURL, 10000)
	v.NonNegative(root+".pricePerItem", l.PricePerItem)
	v.Positive(root+".quantity", l.Quantity)
	v.NonNegative(root+".taxRate", l.TaxRate)
	v.NonNegative(root+".totalAmount", l.TotalAmount)
	v.NonNegative(root+".totalTaxAmount", l.TotalTaxAmount)
	v.NonNegative(root+".totalDiscountAmount", l.TotalDiscountAmount)
}

func (d *AdditionalData) input() *api.PaymentSessionAdditionalData {
	in := &api.PaymentSessionAdditionalData{
		Name:              d.Name,
		Email:             d.Email,
		Ip:                d.IP,
		Language:          api.Language(d.Language),
		PhoneNumber:       convert.OptString(d.PhoneNumber),
		CustomerReference: convert.OptString(d.CustomerReference),
	}
	if a := d.ShippingAddress; a != nil {
		in.ShippingAddress = &api.AddressInput{
			Title:          (*api.CustomerTitle)(convert.OptEnum(a.Title)),
			FirstName:      a.FirstName,
			LastName:       a.LastName,
			CareOf:         convert.OptString(a.CareOf),
			StreetAddress:  a.StreetAddress, // "" when StreetName/StreetNumber are used
			StreetAddress2: convert.OptString(a.StreetAddress2),
			StreetName:     convert.OptString(a.StreetName),
			StreetNumber:   convert.OptString(a.StreetNumber),
			PostalCode:     a.PostalCode,
			City:           a.City,
			Region:         convert.OptString(a.Region),
			Country:        api.Country(a.Country),
			Email:          a.Email,
			PhoneNumber:    a.PhoneNumber,
		}
	}
	for _, l := range d.OrderLines {
		in.OrderLines = append(in.OrderLines, api.PurchaseOrderLineInput{
			Name:                l.Name,
			Reference:           convert.OptString(l.Reference),
			ItemUrl:             convert.OptString(l.ItemURL),
			ImageUrl:            convert.OptString(l.ImageURL),
			PricePerItem:        int(l.PricePerItem),
			Quantity:            int(l.Quantity),
			TaxRate:             int(l.TaxRate),
			TotalAmount:         int(l.TotalAmount),
			TotalTaxAmount:      int(l.TotalTaxAmount),
			TotalDiscountAmount: convert.OptInt(l.TotalDiscountAmount),
		})
	}
	return in
}

// list formats enum values for a rule text: "A, B or C".
func list[E ~string](values []E) string {
	s := make([]string, len(values))
	for i, e := range values {
		s[i] = string(e)
	}
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}
