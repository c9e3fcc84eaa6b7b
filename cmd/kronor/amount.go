package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kronor-io/kronor-go/sessions"
)

// decimals returns the number of decimals (the minor unit, ISO 4217) of a
// currency the gateway supports, and false for any other currency.
func decimals(c sessions.Currency) (int, bool) {
	if !c.Known() {
		return 0, false
	}
	if c == sessions.CurrencyISK {
		return 0, true // ISO 4217: the króna has no minor unit in use
	}
	return 2, true
}

// parseCurrency reads a currency code as people write it ("sek" or "SEK").
func parseCurrency(s string) (sessions.Currency, error) {
	c := sessions.Currency(strings.ToUpper(strings.TrimSpace(s)))
	if c == "" {
		return "", usageErrorf("--currency is required, e.g. --currency SEK")
	}
	if !c.Known() {
		return "", usageErrorf("currency %q: the gateway takes %s", s, currencyList())
	}
	return c, nil
}

// currencyList names the currencies the gateway supports (sessions'), for
// error messages.
func currencyList() string {
	var b strings.Builder
	for i, c := range sessions.Currencies() {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(string(c))
	}
	return b.String()
}

// parseAmount converts an amount as people write it, "100", "100.00" or
// "100,56" (one decimal separator, a point or a comma, and no thousands
// separators), into minor units of currency, exactly: no floating point.
// More decimals than the currency has, or any decimals for a currency without
// a minor unit (ISK), is an error; so is zero, a sign, and an amount beyond
// what the gateway takes.
func parseAmount(s string, currency sessions.Currency) (int64, error) {
	d, ok := decimals(currency)
	if !ok {
		return 0, usageErrorf("currency %q: the gateway takes %s", currency, currencyList())
	}
	bad := func(rule string) error {
		return usageErrorf("amount %q: %s", s, rule)
	}
	if s == "" {
		return 0, usageErrorf("--amount is required, e.g. --amount 100.00")
	}
	whole, frac, hasSep := strings.Cut(s, ".")
	if c := strings.Count(s, ".") + strings.Count(s, ","); c > 1 {
		return 0, bad("write it with at most one decimal separator and no thousands separators, e.g. 1500.50 or 1500,50")
	}
	if !hasSep {
		whole, frac, hasSep = strings.Cut(s, ",")
	}
	if whole == "" || !digits(whole) || (hasSep && (frac == "" || !digits(frac))) {
		return 0, bad("write digits with an optional decimal point or comma, e.g. 100, 100.00 or 100,56")
	}
	if hasSep && d == 0 {
		return 0, bad(fmt.Sprintf("%s has no minor unit: write a whole number, e.g. %s", currency, whole))
	}
	if len(frac) > d {
		return 0, bad(fmt.Sprintf("%s has %d decimals, the amount has %d", currency, d, len(frac)))
	}
	frac += strings.Repeat("0", d-len(frac))
	whole = strings.TrimLeft(whole, "0")
	if len(whole)+len(frac) > 18 { // beyond int64 and far beyond sessions.MaxAmount
		return 0, bad(fmt.Sprintf("more than the gateway takes (at most %s %s)", formatAmount(sessions.MaxAmount, currency), currency))
	}
	n, err := strconv.ParseInt("0"+whole+frac, 10, 64)
	if err != nil {
		return 0, bad(err.Error())
	}
	switch {
	case n == 0:
		return 0, bad("must be more than zero")
	case n > sessions.MaxAmount:
		return 0, bad(fmt.Sprintf("more than the gateway takes (at most %s %s)", formatAmount(sessions.MaxAmount, currency), currency))
	}
	return n, nil
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// formatAmount writes minor units of currency in major units with the
// currency's decimals and a decimal point: 10056 SEK is "100.56". A currency
// the SDK does not know is written with two decimals.
func formatAmount(minor int64, currency sessions.Currency) string {
	d, ok := decimals(currency)
	if !ok {
		d = 2
	}
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	s := strconv.FormatInt(minor, 10)
	if d == 0 {
		return sign + s
	}
	if len(s) <= d {
		s = strings.Repeat("0", d-len(s)+1) + s
	}
	return sign + s[:len(s)-d] + "." + s[len(s)-d:]
}
