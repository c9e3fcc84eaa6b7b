package trust

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/captures"
	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/refunds"
	"github.com/kronor-io/kronor-go/sessions"
)

// The bad-input suite: every case breaks one rule of the spec (RULES.md's [C]
// and [C/S] rules). The SDK must refuse it before sending, naming the field
// and the rule; sent raw, as the SDK would have encoded it, the fake must
// refuse it too and store nothing. Where the fake accepts what the SDK
// refuses, the case says why (fakeAccepts), and the suite checks that the
// fake does accept it, so the table stays true as either side changes.

// need is what a case needs on the fake before it runs.
type need int

const (
	needNothing   need = iota
	needSession        // a session in SEK
	needDKK            // a session in DKK (MobilePay)
	needExecution      // a session that allows an execution date (bank transfer)
	needCard           // an authorized card payment (captures, releases)
	needPaid           // a paid Swish payment (refunds)
)

// env is what a case runs with.
type env struct {
	merchant      *client.Client
	merchantToken string
	session       *client.Session // the session token's client, if needed
	sessionToken  string
	payment       int64  // the card or paid payment's id, if needed
	transaction   string // its transaction id
}

// operation is one SDK call with bad params, and the same params on the wire.
type operation struct {
	needs need
	sdk   func(ctx context.Context, e env) error
	raw   func(e env) rawRequest
}

type badCase struct {
	name  string
	field string // the field the SDK must name, exactly
	rule  string // a part of the rule the SDK must state
	op    operation
	// fakeAccepts, when set, says why the fake accepts this input although
	// the SDK refuses it: a rule only the SDK checks.
	fakeAccepts string
}

var testClock = time.Now

func validSession() sessions.Params {
	return sessions.Params{
		Amount:            10000,
		Currency:          sessions.CurrencySEK,
		Country:           sessions.CountrySE,
		MerchantReference: fmt.Sprintf("bad-input-%d", time.Now().UnixNano()),
		Message:           "Order 1234",
		ExpiresAt:         testClock().Add(time.Hour),
	}
}

func validAdditionalData() *sessions.AdditionalData {
	return &sessions.AdditionalData{
		Name: "Anna Svensson", Email: "anna@example.com", IP: "192.0.2.10", Language: sessions.LanguageSV,
		ShippingAddress: &sessions.Address{
			FirstName: "Anna", LastName: "Svensson", StreetAddress: "Storgatan 1", PostalCode: "11122",
			City: "Stockholm", Country: sessions.CountrySE, Email: "anna@example.com", PhoneNumber: "+46701234567",
		},
		OrderLines: []sessions.OrderLine{
			{Name: "Shirt", PricePerItem: 3000, Quantity: 2, TaxRate: 2500, TotalAmount: 6000, TotalTaxAmount: 1200},
			{Name: "Hat", PricePerItem: 4000, Quantity: 1, TaxRate: 2500, TotalAmount: 4000, TotalTaxAmount: 800},
		},
	}
}

// op is the operation that calls call with params(e) as who(e), and sends the
// same params raw, as wire encodes them, with who(e)'s token.
// starter adapts a payments start function to op's call (no options).
func starter[P any](f func(context.Context, *client.Session, P, ...payments.StartOption) (*payments.Started, error)) func(context.Context, *client.Session, P) (*payments.Started, error) {
	return func(ctx context.Context, c *client.Session, p P) (*payments.Started, error) { return f(ctx, c, p) }
}

func op[C client.Caller, P, R any](needs need, who func(env) (C, string), params func(env) P,
	call func(context.Context, C, P) (R, error), wire func(token string, p P) rawRequest) operation {
	return operation{
		needs: needs,
		sdk: func(ctx context.Context, e env) error {
			c, _ := who(e)
			_, err := call(ctx, c, params(e))
			return err
		},
		raw: func(e env) rawRequest {
			_, token := who(e)
			return wire(token, params(e))
		},
	}
}

// asMerchant and asSession are the callers an operation runs as.
func (e env) asMerchant() (*client.Client, string) { return e.merchant, e.merchantToken }
func (e env) asSession() (*client.Session, string) { return e.session, e.sessionToken }

// with returns p changed by mutate.
func with[P any](p P, mutate func(*P)) P {
	mutate(&p)
	return p
}

func session(mutate func(*sessions.Params)) operation {
	return op(needNothing, env.asMerchant, func(env) sessions.Params { return with(validSession(), mutate) },
		func(ctx context.Context, c *client.Client, p sessions.Params) (*sessions.Session, error) {
			return sessions.Create(ctx, c, p)
		}, wireSession)
}

// withData changes the additional data of an otherwise valid session.
func withData(mutate func(*sessions.AdditionalData)) operation {
	return session(func(p *sessions.Params) {
		p.AdditionalData = validAdditionalData()
		mutate(p.AdditionalData)
	})
}

func withAddress(mutate func(*sessions.Address)) operation {
	return withData(func(d *sessions.AdditionalData) { mutate(d.ShippingAddress) })
}

func referenceCheck(mutate func(*sessions.Params)) operation {
	return op(needNothing, env.asMerchant, func(env) sessions.Params { return with(validSession(), mutate) },
		func(ctx context.Context, c *client.Client, p sessions.Params) (*sessions.ReferenceCheck, error) {
			return sessions.CreateWithReferenceCheck(ctx, c, p)
		}, wireReferenceCheck)
}

var validRedirect = payments.Redirect{ReturnURL: returnURL}

func swish(mutate func(*payments.SwishParams)) operation {
	return op(needSession, env.asSession,
		func(env) payments.SwishParams { return with(payments.SwishParams{Redirect: validRedirect}, mutate) },
		starter(payments.Swish), wireSwish)
}

func creditCard(mutate func(*payments.CreditCardParams)) operation {
	return op(needSession, env.asSession,
		func(env) payments.CreditCardParams {
			return with(payments.CreditCardParams{Redirect: validRedirect}, mutate)
		},
		starter(payments.CreditCard), wireCreditCard)
}

func mobilePay(mutate func(*payments.MobilePayParams)) operation {
	return op(needDKK, env.asSession,
		func(env) payments.MobilePayParams {
			return with(payments.MobilePayParams{Redirect: validRedirect, UserFlow: payments.UserFlowWebRedirect}, mutate)
		},
		starter(payments.MobilePay), wireMobilePay)
}

func bankTransfer(mutate func(*payments.BankTransferParams)) operation {
	return op(needExecution, env.asSession,
		func(env) payments.BankTransferParams {
			return with(payments.BankTransferParams{Redirect: validRedirect}, mutate)
		},
		starter(payments.BankTransfer), wireBankTransfer)
}

func cancelSwish(p payments.CancelSwishParams) operation {
	return op(needSession, env.asSession, func(env) payments.CancelSwishParams { return p }, payments.CancelSwish, wireCancelSwish)
}

func capturePayPal(p payments.CapturePayPalParams) operation {
	return op(needNothing, env.asMerchant, func(env) payments.CapturePayPalParams { return p },
		func(ctx context.Context, c *client.Client, p payments.CapturePayPalParams) (*payments.PayPalCapture, error) {
			return payments.CapturePayPal(ctx, c, p)
		}, wireCapturePayPal)
}

func capture(mutate func(*captures.Params, env)) operation {
	return op(needCard, env.asMerchant, func(e env) captures.Params {
		p := captures.Params{Amount: 10000, PaymentID: e.payment}
		mutate(&p, e)
		return p
	}, captures.Create, wireCapture)
}

func release(mutate func(*captures.ReleaseParams, env)) operation {
	return op(needCard, env.asMerchant, func(e env) captures.ReleaseParams {
		p := captures.ReleaseParams{Amount: 10000, PaymentID: e.payment}
		mutate(&p, e)
		return p
	}, captures.Release, wireRelease)
}

func refund(mutate func(*refunds.Params, env)) operation {
	return op(needPaid, env.asMerchant, func(e env) refunds.Params {
		p := refunds.Params{Amount: 10000, PaymentID: e.payment, Message: "Refund"}
		mutate(&p, e)
		return p
	}, refunds.Create, wireRefund)
}

const tooBig = math.MaxInt32 + 1

func chars(n int) string { return strings.Repeat("x", n) }

// badCases are built from RULES.md: A (amounts, idempotency keys, payment
// references), B (sessions), C (payment methods), H (captures), I (releases)
// and J (refunds).
var badCases = []badCase{
	// A.1-2, B: the session's amount is a positive 32-bit Int.
	{name: "session amount 0", field: "payment.amount", rule: "between 1 and 2147483647", op: session(func(p *sessions.Params) { p.Amount = 0 })},
	{name: "session amount negative", field: "payment.amount", rule: "between 1 and 2147483647", op: session(func(p *sessions.Params) { p.Amount = -100 })},
	{name: "session amount above 2^31-1", field: "payment.amount", rule: "between 1 and 2147483647", op: session(func(p *sessions.Params) { p.Amount = tooBig })},
	// B.6: expiresAt is between now and 24 hours ahead.
	{name: "session expiresAt missing", field: "payment.expiresAt", rule: "is required", op: session(func(p *sessions.Params) { p.ExpiresAt = time.Time{} })},
	{name: "session expiresAt in the past", field: "payment.expiresAt", rule: "must be after now", op: session(func(p *sessions.Params) { p.ExpiresAt = testClock().Add(-time.Minute) })},
	{name: "session expiresAt over 24 hours ahead", field: "payment.expiresAt", rule: "at most 24 hours", op: session(func(p *sessions.Params) { p.ExpiresAt = testClock().Add(25 * time.Hour) })},
	// B.8-9: merchant references.
	{name: "merchantReference empty", field: "payment.merchantReference", rule: "is required", op: session(func(p *sessions.Params) { p.MerchantReference = "" })},
	{name: "merchantReference only spaces", field: "payment.merchantReference", rule: "is required", op: session(func(p *sessions.Params) { p.MerchantReference = "   " }),
		fakeAccepts: "the SDK takes a reference of spaces for a missing one; the schema (String!, at most 64) and the fake accept any non-empty string"},
	{name: "merchantReference not valid UTF-8", field: "payment.merchantReference", rule: "must be valid UTF-8", op: session(func(p *sessions.Params) { p.MerchantReference = "order \xff" }),
		fakeAccepts: "JSON cannot carry invalid UTF-8: encoding/json sends the byte as U+FFFD, a valid character the fake (and any gateway) accepts; the SDK refuses the input because \"order \\xff\" and \"order \\xfe\" would reach the gateway as the same reference"},
	{name: "merchantReference 65 characters", field: "payment.merchantReference", rule: "at most 64 characters", op: session(func(p *sessions.Params) { p.MerchantReference = chars(65) })},
	{name: "merchantReference2 1001 characters", field: "payment.merchantReference2", rule: "at most 1000 characters", op: session(func(p *sessions.Params) { p.MerchantReference2 = chars(1001) })},
	// B.10: the message.
	{name: "message empty", field: "payment.message", rule: "is required", op: session(func(p *sessions.Params) { p.Message = "" })},
	{name: "message 51 characters", field: "payment.message", rule: "at most 50 characters", op: session(func(p *sessions.Params) { p.Message = chars(51) })},
	{name: "message with a hyphen", field: "payment.message", rule: "may contain only", op: session(func(p *sessions.Params) { p.Message = "Order 12-34" })},
	// The SDK and the fake both allow ASCII alphanumerics and the Swedish å ä ö é (as in "idé"); not è.
	{name: "message with an accented letter", field: "payment.message", rule: "may contain only", op: session(func(p *sessions.Params) { p.Message = "Crème order" })},
	// B.7, B.18, B.11: enums.
	{name: "currency not supported", field: "payment.currency", rule: "must be one of", op: session(func(p *sessions.Params) { p.Currency = "XYZ" })},
	{name: "country not supported", field: "payment.country", rule: "must be one of", op: session(func(p *sessions.Params) { p.Country = "US" })},
	{name: "preferredGateway other than KRONOR", field: "payment.preferredGateway", rule: "must be KRONOR", op: session(func(p *sessions.Params) { p.PreferredGateway = sessions.GatewayTrustly })},
	// A.3: idempotency keys.
	{name: "session idempotency key of 65 characters", field: "payment.idempotencyKey", rule: "1 to 64 characters", op: session(func(p *sessions.Params) { p.IdempotencyKey = chars(65) })},
	{name: "session idempotency key with a space", field: "payment.idempotencyKey", rule: "1 to 64 characters", op: session(func(p *sessions.Params) { p.IdempotencyKey = "order 1" })},
	// B.13-14: additional data.
	{name: "additionalData.name empty", field: "payment.additionalData.name", rule: "is required", op: withData(func(d *sessions.AdditionalData) { d.Name = "" })},
	{name: "additionalData.name 101 characters", field: "payment.additionalData.name", rule: "at most 100 characters", op: withData(func(d *sessions.AdditionalData) { d.Name = chars(101) })},
	{name: "additionalData.email empty", field: "payment.additionalData.email", rule: "is required", op: withData(func(d *sessions.AdditionalData) { d.Email = "" })},
	{name: "additionalData.ip empty", field: "payment.additionalData.ip", rule: "is required", op: withData(func(d *sessions.AdditionalData) { d.IP = "" })},
	{name: "additionalData.language empty", field: "payment.additionalData.language", rule: "is required", op: withData(func(d *sessions.AdditionalData) { d.Language = "" })},
	{name: "additionalData.language unknown", field: "payment.additionalData.language", rule: "must be one of", op: withData(func(d *sessions.AdditionalData) { d.Language = "XX" })},
	{name: "additionalData.phoneNumber 101 characters", field: "payment.additionalData.phoneNumber", rule: "at most 100 characters", op: withData(func(d *sessions.AdditionalData) { d.PhoneNumber = chars(101) })},
	// B.15-16: the shipping address.
	{name: "address title in the spec's spelling", field: "payment.additionalData.shippingAddress.title", rule: "must be one of", op: withAddress(func(a *sessions.Address) { a.Title = "MR" })},
	{name: "address firstName empty", field: "payment.additionalData.shippingAddress.firstName", rule: "is required", op: withAddress(func(a *sessions.Address) { a.FirstName = "" })},
	{name: "address lastName empty", field: "payment.additionalData.shippingAddress.lastName", rule: "is required", op: withAddress(func(a *sessions.Address) { a.LastName = "" })},
	{name: "address without a street", field: "payment.additionalData.shippingAddress.streetAddress", rule: "is required", op: withAddress(func(a *sessions.Address) { a.StreetAddress = "" })},
	{name: "address streetName without streetNumber", field: "payment.additionalData.shippingAddress.streetNumber", rule: "is required with streetName",
		op:          withAddress(func(a *sessions.Address) { a.StreetAddress, a.StreetName = "", "Storgatan" }),
		fakeAccepts: "RULES.md 16 leaves streetName/streetNumber against the mandatory streetAddress unresolved; the SDK requires the pair, the fake takes streetName alone"},
	{name: "address streetAddress combined with streetName", field: "payment.additionalData.shippingAddress.streetName", rule: "do not combine",
		op:          withAddress(func(a *sessions.Address) { a.StreetName, a.StreetNumber = "Storgatan", "1" }),
		fakeAccepts: "the spec says \"do not combine with streetAddress\" but the schema makes streetAddress mandatory (RULES.md 16, unresolved); the SDK refuses the combination, the fake stores it"},
	{name: "address postalCode empty", field: "payment.additionalData.shippingAddress.postalCode", rule: "is required", op: withAddress(func(a *sessions.Address) { a.PostalCode = "" })},
	{name: "address city empty", field: "payment.additionalData.shippingAddress.city", rule: "is required", op: withAddress(func(a *sessions.Address) { a.City = "" })},
	{name: "address city 101 characters", field: "payment.additionalData.shippingAddress.city", rule: "at most 100 characters", op: withAddress(func(a *sessions.Address) { a.City = chars(101) })},
	{name: "address country empty", field: "payment.additionalData.shippingAddress.country", rule: "is required", op: withAddress(func(a *sessions.Address) { a.Country = "" })},
	{name: "address email empty", field: "payment.additionalData.shippingAddress.email", rule: "is required", op: withAddress(func(a *sessions.Address) { a.Email = "" })},
	{name: "address phoneNumber empty", field: "payment.additionalData.shippingAddress.phoneNumber", rule: "is required", op: withAddress(func(a *sessions.Address) { a.PhoneNumber = "" })},
	// B.17: order lines.
	{name: "order lines not adding up to the amount", field: "payment.additionalData.orderLines", rule: "must add up to payment.amount", op: withData(func(d *sessions.AdditionalData) { d.OrderLines[1].TotalAmount = 3999 })},
	{name: "order line name empty", field: "payment.additionalData.orderLines[0].name", rule: "is required", op: withData(func(d *sessions.AdditionalData) { d.OrderLines[0].Name = "" })},
	{name: "order line quantity 0", field: "payment.additionalData.orderLines[1].quantity", rule: "between 1 and 2147483647", op: withData(func(d *sessions.AdditionalData) { d.OrderLines[1].Quantity = 0 })},
	{name: "order line taxRate negative", field: "payment.additionalData.orderLines[0].taxRate", rule: "between 0 and 2147483647", op: withData(func(d *sessions.AdditionalData) { d.OrderLines[0].TaxRate = -2500 })},
	{name: "order line pricePerItem negative", field: "payment.additionalData.orderLines[0].pricePerItem", rule: "between 0 and 2147483647", op: withData(func(d *sessions.AdditionalData) { d.OrderLines[0].PricePerItem = -1 })},
	{name: "order line totalTaxAmount negative", field: "payment.additionalData.orderLines[0].totalTaxAmount", rule: "between 0 and 2147483647", op: withData(func(d *sessions.AdditionalData) { d.OrderLines[0].TotalTaxAmount = -1 })},
	{name: "order line totalDiscountAmount negative", field: "payment.additionalData.orderLines[0].totalDiscountAmount", rule: "between 0 and 2147483647", op: withData(func(d *sessions.AdditionalData) { d.OrderLines[0].TotalDiscountAmount = -1 })},
	{name: "order line reference 65 characters", field: "payment.additionalData.orderLines[0].reference", rule: "at most 64 characters", op: withData(func(d *sessions.AdditionalData) { d.OrderLines[0].Reference = chars(65) })},
	{name: "order line totalAmount negative, lines still adding up", field: "payment.additionalData.orderLines[1].totalAmount", rule: "between 0 and 2147483647",
		op: withData(func(d *sessions.AdditionalData) {
			d.OrderLines[0].TotalAmount, d.OrderLines[1].TotalAmount = 12000, -2000
		})},
	// B.7, B.18: the reference check requires currency and country.
	{name: "reference check without currency", field: "payment.currency", rule: "is required", op: referenceCheck(func(p *sessions.Params) { p.Currency = "" })},
	{name: "reference check without country", field: "payment.country", rule: "is required", op: referenceCheck(func(p *sessions.Params) { p.Country = "" })},
	{name: "reference check amount 0", field: "payment.amount", rule: "between 1 and 2147483647", op: referenceCheck(func(p *sessions.Params) { p.Amount = 0 })},
	// C.25-26: payment methods.
	{name: "Swish without returnUrl", field: "pay.returnUrl", rule: "is required", op: swish(func(p *payments.SwishParams) { p.ReturnURL = "" })},
	{name: "Swish with a relative returnUrl", field: "pay.returnUrl", rule: "absolute http or https URL", op: swish(func(p *payments.SwishParams) { p.ReturnURL = "/thanks" })},
	{name: "Swish with an ftp returnUrl", field: "pay.returnUrl", rule: "absolute http or https URL", op: swish(func(p *payments.SwishParams) { p.ReturnURL = "ftp://shop.example/thanks" }),
		fakeAccepts: "the schema's returnUrl is a String!; the SDK requires an http(s) URL (where a browser can return to), the fake any absolute URL"},
	{name: "Swish with a relative merchantReturnUrl", field: "pay.merchantReturnUrl", rule: "absolute http or https URL", op: swish(func(p *payments.SwishParams) { p.MerchantReturnURL = "thanks" }),
		fakeAccepts: "merchantReturnUrl is an optional String in the schema; only the SDK checks that it is a URL, the fake does not check it"},
	{name: "Swish flow unknown", field: "pay.flow", rule: `must be "mcom" or "ecom"`, op: swish(func(p *payments.SwishParams) { p.Flow = "xcom" })},
	{name: "Swish ecom without a Swish number", field: "pay.customerSwishNumber", rule: `is required for the "ecom" flow`, op: swish(func(p *payments.SwishParams) { p.Flow = payments.FlowEcom })},
	{name: "Swish mcom with a Swish number", field: "pay.customerSwishNumber", rule: `must be empty for the "mcom" flow`,
		op:          swish(func(p *payments.SwishParams) { p.Flow, p.CustomerSwishNumber = payments.FlowMcom, "46701234567" }),
		fakeAccepts: "the schema requires the number only for ecom; the SDK also refuses one with mcom (as Kronor's Android SDK sends), the fake ignores it"},
	{name: "Swish idempotency key with a slash", field: "pay.idempotencyKey", rule: "1 to 64 characters", op: swish(func(p *payments.SwishParams) { p.IdempotencyKey = "order/1" })},
	{name: "card payment without returnUrl", field: "pay.returnUrl", rule: "is required", op: creditCard(func(p *payments.CreditCardParams) { p.ReturnURL = "" })},
	{name: "MobilePay userFlow unknown", field: "pay.userFlow", rule: "must be one of", op: mobilePay(func(p *payments.MobilePayParams) { p.UserFlow = "Bogus" })},
	{name: "bank transfer executionDate not a date", field: "pay.executionDate", rule: "yyyy-mm-dd", op: bankTransfer(func(p *payments.BankTransferParams) { p.ExecutionDate = "2030-02-30" })},
	{name: "bank transfer flow unknown", field: "pay.flow", rule: `must be "mcom" or "ecom"`, op: bankTransfer(func(p *payments.BankTransferParams) { p.Flow = "web" })},
	{name: "Swish cancel without a wait token", field: "pay.paymentId", rule: "is required", op: cancelSwish(payments.CancelSwishParams{})},
	{name: "PayPal capture without a payment id", field: "pay.paymentId", rule: "is required", op: capturePayPal(payments.CapturePayPalParams{})},
	{name: "PayPal capture with a 65-character payment id", field: "pay.paymentId", rule: "at most 64 characters", op: capturePayPal(payments.CapturePayPalParams{PaymentID: chars(65)})},
	// A.1-2, A.5, H.45, H.48: captures.
	{name: "capture amount 0", field: "capture.amount", rule: "between 1 and 2147483647", op: capture(func(p *captures.Params, _ env) { p.Amount = 0 })},
	{name: "capture amount negative", field: "capture.amount", rule: "between 1 and 2147483647", op: capture(func(p *captures.Params, _ env) { p.Amount = -1 })},
	{name: "capture amount above 2^31-1", field: "capture.amount", rule: "between 1 and 2147483647", op: capture(func(p *captures.Params, _ env) { p.Amount = tooBig })},
	{name: "capture without a payment", field: "capture.paymentId", rule: "exactly one of paymentId and paymentTransactionId", op: capture(func(p *captures.Params, _ env) { p.PaymentID = 0 })},
	{name: "capture with paymentId and paymentTransactionId", field: "capture.paymentId", rule: "exactly one of paymentId and paymentTransactionId",
		op:          capture(func(p *captures.Params, e env) { p.PaymentTransactionID = e.transaction }),
		fakeAccepts: "RULES.md 5: the spec says to use one of them and does not say that both is an error; the SDK refuses both, the fake accepts both when they name the same payment (and refuses them when they do not)"},
	{name: "capture with a negative paymentId", field: "capture.paymentId", rule: "positive payment id", op: capture(func(p *captures.Params, _ env) { p.PaymentID = -7 })},
	{name: "capture message 51 characters", field: "capture.message", rule: "at most 50 characters", op: capture(func(p *captures.Params, _ env) { p.Message = chars(51) })},
	{name: "capture createdBy 101 characters", field: "capture.createdBy", rule: "at most 100 characters", op: capture(func(p *captures.Params, _ env) { p.CreatedBy = chars(101) })},
	{name: "capture generatedFrom 101 characters", field: "capture.generatedFrom", rule: "at most 100 characters", op: capture(func(p *captures.Params, _ env) { p.GeneratedFrom = chars(101) })},
	{name: "capture idempotency key of 65 characters", field: "capture.idempotencyKey", rule: "1 to 64 characters", op: capture(func(p *captures.Params, _ env) { p.IdempotencyKey = chars(65) })},
	// I: releases.
	{name: "release amount 0", field: "release.amount", rule: "between 1 and 2147483647", op: release(func(p *captures.ReleaseParams, _ env) { p.Amount = 0 })},
	{name: "release without a payment", field: "release.paymentId", rule: "exactly one of paymentId and paymentTransactionId", op: release(func(p *captures.ReleaseParams, _ env) { p.PaymentID = 0 })},
	{name: "release with a negative paymentId", field: "release.paymentId", rule: "positive payment id", op: release(func(p *captures.ReleaseParams, _ env) { p.PaymentID = -7 })},
	{name: "release merchantReference 101 characters", field: "release.merchantReference", rule: "at most 100 characters", op: release(func(p *captures.ReleaseParams, _ env) { p.MerchantReference = chars(101) })},
	// J: refunds.
	{name: "refund amount 0", field: "refund.amount", rule: "between 1 and 2147483647", op: refund(func(p *refunds.Params, _ env) { p.Amount = 0 })},
	{name: "refund amount negative", field: "refund.amount", rule: "between 1 and 2147483647", op: refund(func(p *refunds.Params, _ env) { p.Amount = -500 })},
	{name: "refund amount above 2^31-1", field: "refund.amount", rule: "between 1 and 2147483647", op: refund(func(p *refunds.Params, _ env) { p.Amount = tooBig })},
	{name: "refund message empty", field: "refund.message", rule: "is required", op: refund(func(p *refunds.Params, _ env) { p.Message = "" })},
	{name: "refund message 51 characters", field: "refund.message", rule: "at most 50 characters", op: refund(func(p *refunds.Params, _ env) { p.Message = chars(51) })},
	{name: "refund message with a bad character", field: "refund.message", rule: "may contain only", op: refund(func(p *refunds.Params, _ env) { p.Message = "Refund #1" })},
	{name: "refund message not valid UTF-8", field: "refund.message", rule: "must be valid UTF-8", op: refund(func(p *refunds.Params, _ env) { p.Message = "Refund \xff" })},
	{name: "refund without a payment", field: "refund.paymentId", rule: "exactly one of paymentId and paymentTransactionId", op: refund(func(p *refunds.Params, _ env) { p.PaymentID = 0 })},
	{name: "refund with paymentId and paymentTransactionId", field: "refund.paymentId", rule: "exactly one of paymentId and paymentTransactionId",
		op:          refund(func(p *refunds.Params, e env) { p.PaymentTransactionID = e.transaction }),
		fakeAccepts: "RULES.md 5, as for captures: the fake accepts both when they name the same payment"},
	{name: "refund with a negative paymentId", field: "refund.paymentId", rule: "positive payment id", op: refund(func(p *refunds.Params, _ env) { p.PaymentID = -7 })},
	{name: "refund merchantReference 101 characters", field: "refund.merchantReference", rule: "at most 100 characters", op: refund(func(p *refunds.Params, _ env) { p.MerchantReference = chars(101) })},
	{name: "refund createdBy 101 characters", field: "refund.createdBy", rule: "at most 100 characters", op: refund(func(p *refunds.Params, _ env) { p.CreatedBy = chars(101) })},
	{name: "refund idempotency key with a slash", field: "refund.idempotencyKey", rule: "1 to 64 characters", op: refund(func(p *refunds.Params, _ env) { p.IdempotencyKey = "refund/1" })},
}

// setup makes what a case needs on the fake.
func (g *gateway) setup(t *testing.T, n need) env {
	t.Helper()
	ctx := t.Context()
	e := env{merchant: g.merchant, merchantToken: g.srv.MerchantToken()}
	if n == needNothing {
		return e
	}
	p := validSession()
	switch n {
	case needDKK:
		p.Currency, p.Country = sessions.CurrencyDKK, sessions.CountryDK
	case needExecution:
		p.AllowExecutionDate = true
	}
	s, err := sessions.Create(ctx, g.merchant, p)
	if err != nil {
		t.Fatal(err)
	}
	e.session, e.sessionToken = s.Client(g.merchant), s.Token
	if n != needCard && n != needPaid {
		return e
	}
	var started *payments.Started
	if n == needCard {
		started, err = payments.CreditCard(ctx, e.session, payments.CreditCardParams{Redirect: validRedirect})
	} else {
		started, err = payments.Swish(ctx, e.session, payments.SwishParams{Redirect: validRedirect})
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := g.srv.Approve(started.WaitToken); err != nil {
		t.Fatal(err)
	}
	req, err := payments.Latest(ctx, e.session)
	if err != nil {
		t.Fatal(err)
	}
	e.payment, e.transaction = req.ResultingPaymentID, req.TransactionID
	if e.payment == 0 || e.transaction == "" {
		t.Fatalf("fixture payment %+v has no id or transaction id", req)
	}
	return e
}

// wireName is the last name of an SDK field path: the name the fake's error
// should mention ("payment.additionalData.orderLines[1].quantity" -> "quantity").
func wireName(field string) string {
	if i := strings.LastIndexByte(field, '.'); i >= 0 {
		field = field[i+1:]
	}
	if i := strings.IndexByte(field, '['); i >= 0 {
		field = field[:i]
	}
	return field
}

func TestBadInputIsRefusedBeforeSendingAndByTheFake(t *testing.T) {
	if len(badCases) < 40 {
		t.Fatalf("%d cases, want at least 40", len(badCases))
	}
	g := newGateway(t, nil)
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	raw := &http.Client{Transport: tr}
	var exceptions []string
	for _, c := range badCases {
		t.Run(c.name, func(t *testing.T) {
			e := g.setup(t, c.op.needs)

			// The SDK refuses the input and sends nothing.
			before := g.srv.Requests()
			err := c.op.sdk(t.Context(), e)
			if sent := g.srv.Requests() - before; sent != 0 {
				t.Errorf("the SDK sent %d requests", sent)
			}
			var ve *client.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, client.ErrInvalidInput) {
				t.Fatalf("SDK error = %v, want a *client.ValidationError", err)
			}
			found := false
			for _, v := range ve.Violations {
				if v.Field == c.field && strings.Contains(v.Rule, c.rule) {
					found = true
				}
			}
			if !found {
				t.Errorf("SDK violations %v; want %s: ...%s...", ve.Violations, c.field, c.rule)
			}

			// Sent raw, the fake refuses it too, naming the field, and
			// stores nothing.
			totals := g.srv.Totals()
			resp := c.op.raw(e).send(t, raw, g.srv.URL())
			if c.fakeAccepts != "" {
				if !resp.accepted() {
					t.Errorf("documented as accepted by the fake (%s), but the fake refused it: HTTP %d %v; remove the exception",
						c.fakeAccepts, resp.status, resp.Errors)
				}
				exceptions = append(exceptions, c.name+": "+c.fakeAccepts)
				return
			}
			if resp.accepted() || len(resp.Errors) == 0 {
				t.Fatalf("the fake accepted it: HTTP %d, data %s", resp.status, resp.Data)
			}
			if after := g.srv.Totals(); after != totals {
				t.Errorf("the fake stored something: totals %+v, then %+v", totals, after)
			}
			text := fmt.Sprint(resp.Errors)
			if !strings.Contains(text, wireName(c.field)) {
				t.Errorf("the fake's error does not name %q: %s", wireName(c.field), text)
			}
			t.Logf("SDK: %v; fake: HTTP %d %s", ve, resp.status, text)
		})
	}
	t.Logf("%d bad inputs refused by the SDK before sending; %d refused by the fake with nothing stored; %d accepted by the fake, documented:\n\t%s",
		len(badCases), len(badCases)-len(exceptions), len(exceptions), strings.Join(exceptions, "\n\t"))
}
