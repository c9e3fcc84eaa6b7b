package kronortest

import (
	"net/url"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/kronor-io/kronor-go/kronortest/internal/graph/model"
)

// sessionInput is what newPaymentSession and newPaymentSessionWithReferenceCheck
// have in common.
type sessionInput struct {
	amount             int32
	currency           *model.SupportedCurrencyEnum
	country            *model.Country
	expiresAt          string
	merchantReference  string
	merchantReference2 *string
	message            string
	preferredGateway   *model.GatewayEnum
	allowExecutionDate *bool
	additional         *model.PaymentSessionAdditionalData
}

// messageAllowed reports whether r may appear in a customer-facing message:
// ASCII alphanumerics, the Swedish letters (å ä ö, and é as in "idé") and
// : ; . , ? ! ( ) ” " and space.
func messageAllowed(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return true
	}
	switch r {
	case 'å', 'ä', 'ö', 'Å', 'Ä', 'Ö', 'é', 'É',
		':', ';', '.', ',', '?', '!', '(', ')', '”', '"', ' ':
		return true
	}
	return false
}

func checkMessage(v *inputCheck, msg string, path ...string) {
	n := utf8.RuneCountInString(msg)
	v.check(n >= 1 && n <= 50, "must be 1 to 50 characters", path...)
	for _, r := range msg {
		if !messageAllowed(r) {
			v.fail("character "+strconv.QuoteRune(r)+" is not allowed (alphanumerics, Swedish letters and : ; . , ? ! ( ) \" and space)", path...)
			break
		}
	}
}

func checkAmount(v *inputCheck, amount int32) {
	v.check(amount > 0, "must be a positive amount in minor units", "amount")
}

func checkMaxLen(v *inputCheck, s *string, max int, path ...string) {
	if s != nil && utf8.RuneCountInString(*s) > max {
		v.fail("must be at most "+strconv.Itoa(max)+" characters", path...)
	}
}

func checkRequired(v *inputCheck, s string, max int, path ...string) {
	n := utf8.RuneCountInString(s)
	v.check(n >= 1, "must not be empty", path...)
	if n > max {
		v.fail("must be at most "+strconv.Itoa(max)+" characters", path...)
	}
}

// checkURL requires an absolute URL.
func checkURL(v *inputCheck, s string, path ...string) {
	u, err := url.Parse(s)
	v.check(s != "" && err == nil && u.Scheme != "", "must be an absolute URL", path...)
}

// validateSession checks a session input against the gateway's rules; now is
// the creation time.
func validateSession(v *inputCheck, in sessionInput, now time.Time) (expiresAt time.Time) {
	checkAmount(v, in.amount)
	if in.preferredGateway != nil {
		v.check(*in.preferredGateway == model.GatewayEnumKronor, `only "KRONOR" is supported`, "preferredGateway")
	}
	exp, err := time.Parse(time.RFC3339Nano, in.expiresAt)
	if err != nil {
		v.fail("must be an ISO 8601 timestamp with a time zone, e.g. 2024-01-01T00:00:00Z", "expiresAt")
	} else {
		v.check(exp.After(now), "must be in the future", "expiresAt")
		v.check(!exp.After(now.Add(maxSessionWindow)), "must be at most 24 hours into the future", "expiresAt")
	}
	checkRequired(v, in.merchantReference, 64, "merchantReference")
	checkMaxLen(v, in.merchantReference2, 1000, "merchantReference2")
	checkMessage(v, in.message, "message")
	if ad := in.additional; ad != nil {
		checkRequired(v, ad.Name, 100, "additionalData", "name")
		checkRequired(v, ad.Email, 254, "additionalData", "email")
		checkRequired(v, ad.IP, 64, "additionalData", "ip")
		checkMaxLen(v, ad.PhoneNumber, 100, "additionalData", "phoneNumber")
		if a := ad.ShippingAddress; a != nil {
			p := func(f string) []string { return []string{"additionalData", "shippingAddress", f} }
			checkRequired(v, a.FirstName, 100, p("firstName")...)
			checkRequired(v, a.LastName, 100, p("lastName")...)
			if a.StreetName == nil {
				checkRequired(v, a.StreetAddress, 10000, p("streetAddress")...)
			}
			checkMaxLen(v, &a.StreetAddress, 10000, p("streetAddress")...)
			checkMaxLen(v, a.StreetAddress2, 10000, p("streetAddress2")...)
			checkMaxLen(v, a.StreetName, 10000, p("streetName")...)
			checkMaxLen(v, a.StreetNumber, 10000, p("streetNumber")...)
			checkRequired(v, a.PostalCode, 100, p("postalCode")...)
			checkRequired(v, a.City, 100, p("city")...)
			checkMaxLen(v, a.CareOf, 100, p("careOf")...)
			checkMaxLen(v, a.Region, 100, p("region")...)
			checkRequired(v, a.Email, 254, p("email")...)
			checkRequired(v, a.PhoneNumber, 100, p("phoneNumber")...)
		}
		if ad.OrderLines != nil {
			var sum int64
			for i, l := range ad.OrderLines {
				p := func(f string) []string {
					return []string{"additionalData", "orderLines", "[" + strconv.Itoa(i) + "]", f}
				}
				checkRequired(v, l.Name, 100, p("name")...)
				checkMaxLen(v, l.Reference, 64, p("reference")...)
				checkMaxLen(v, l.ItemURL, 10000, p("itemUrl")...)
				checkMaxLen(v, l.ImageURL, 10000, p("imageUrl")...)
				v.check(l.Quantity > 0, "must be a positive number", p("quantity")...)
				v.check(l.TaxRate >= 0, "must not be negative (basis points: 25% is 2500)", p("taxRate")...)
				v.check(l.PricePerItem >= 0, "must not be negative", p("pricePerItem")...)
				v.check(l.TotalAmount >= 0, "must not be negative", p("totalAmount")...)
				v.check(l.TotalTaxAmount >= 0, "must not be negative", p("totalTaxAmount")...)
				if l.TotalDiscountAmount != nil {
					v.check(*l.TotalDiscountAmount >= 0, "must not be negative", p("totalDiscountAmount")...)
				}
				sum += int64(l.TotalAmount)
			}
			v.check(sum == int64(in.amount),
				"the sum of totalAmount over all order lines ("+strconv.FormatInt(sum, 10)+") must equal amount ("+strconv.Itoa(int(in.amount))+")",
				"additionalData", "orderLines")
		}
	}
	return exp
}

// createSession stores a new session. Callers hold s.mu and have validated in.
func (s *store) createSession(in sessionInput, exp time.Time) *session {
	cur := defaultCurrency
	if in.currency != nil {
		cur = *in.currency
	}
	sess := &session{
		id:                 newUUID(),
		token:              randomToken("kronortest-session-"),
		merchantReference:  in.merchantReference,
		merchantReference2: in.merchantReference2,
		amount:             int64(in.amount),
		currency:           cur,
		country:            in.country,
		message:            in.message,
		createdAt:          s.now(),
		expiresAt:          exp,
		allowExecutionDate: in.allowExecutionDate != nil && *in.allowExecutionDate,
		preferredGateway:   in.preferredGateway,
		additional:         in.additional,
	}
	sess.setIdentity()
	s.sessions[sess.token] = sess
	s.byReference[sess.merchantReference] = append(s.byReference[sess.merchantReference], sess)
	s.count(sess.merchantReference, func(c *Counts) { c.Sessions++ })
	return sess
}

func (s *store) newPaymentSession(id identity, in model.PaymentSessionInput) (*model.PaymentSessionResult, error) {
	const field, arg = "newPaymentSession", "payment"
	si := sessionInput{
		amount: in.Amount, currency: in.Currency, country: in.Country, expiresAt: in.ExpiresAt,
		merchantReference: in.MerchantReference, merchantReference2: in.MerchantReference2,
		message: in.Message, preferredGateway: in.PreferredGateway,
		allowExecutionDate: in.AllowExecutionDate, additional: in.AdditionalData,
	}
	return mutate(s, id, field, arg, in.IdempotencyKey, in, func() (*model.PaymentSessionResult, error) {
		v := &inputCheck{field: field, arg: arg}
		exp := validateSession(v, si, s.now())
		if err := v.err(); err != nil {
			return nil, err
		}
		sess := s.createSession(si, exp)
		return &model.PaymentSessionResult{Token: sess.token}, nil
	})
}

func sameOptString(a, b *string) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// succeededRequest returns the session's paid or authorized payment request, if any.
func (sess *session) succeededRequest() *paymentRequest {
	for _, r := range sess.requests {
		if succeededStatuses[r.status()] {
			return r
		}
	}
	return nil
}

func (s *store) newPaymentSessionWithReferenceCheck(id identity, in model.PaymentSessionWithReferenceCheckInput) (*model.PaymentSessionWithReferenceCheckResult, error) {
	const field, arg = "newPaymentSessionWithReferenceCheck", "payment"
	cur, country := in.Currency, in.Country
	si := sessionInput{
		amount: in.Amount, currency: &cur, country: &country, expiresAt: in.ExpiresAt,
		merchantReference: in.MerchantReference, merchantReference2: in.MerchantReference2,
		message: in.Message, preferredGateway: in.PreferredGateway,
		allowExecutionDate: in.AllowExecutionDate, additional: in.AdditionalData,
	}
	return mutate(s, id, field, arg, in.IdempotencyKey, in, func() (*model.PaymentSessionWithReferenceCheckResult, error) {
		now := s.now()
		v := &inputCheck{field: field, arg: arg}
		exp := validateSession(v, si, now)
		if err := v.err(); err != nil {
			return nil, err
		}
		// The newest unexpired session with the same references, amount and
		// currency is reused; otherwise the cart changed: a new session.
		var match *session
		sessions := s.byReference[in.MerchantReference]
		for i := len(sessions) - 1; i >= 0; i-- {
			c := sessions[i]
			if sameOptString(c.merchantReference2, in.MerchantReference2) && c.amount == int64(in.Amount) &&
				c.currency == in.Currency && now.Before(c.expiresAt) {
				match = c
				break
			}
		}
		if match == nil {
			match = s.createSession(si, exp)
		}
		res := &model.PaymentSessionWithReferenceCheckResult{Token: match.token}
		// A successful payment for the same merchantReference is reported, the
		// matched session's first.
		paid := match.succeededRequest()
		for i := len(sessions) - 1; i >= 0 && paid == nil; i-- {
			paid = sessions[i].succeededRequest()
		}
		if paid != nil {
			pid := strconv.FormatInt(paid.payment.id, 10)
			tx := paid.transactionID
			res.PaymentID, res.PaymentTransactionID = &pid, &tx
		}
		return res, nil
	})
}
