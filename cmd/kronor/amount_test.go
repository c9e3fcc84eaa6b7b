package main

import (
	"strings"
	"testing"

	"github.com/kronor-io/kronor-go/sessions"
)

func TestParseAmount(t *testing.T) {
	for _, tc := range []struct {
		in       string
		currency sessions.Currency
		want     int64
	}{
		{"100", sessions.CurrencySEK, 10000},
		{"100.00", sessions.CurrencySEK, 10000},
		{"100,56", sessions.CurrencySEK, 10056},
		{"100.5", sessions.CurrencyEUR, 10050},
		{"0,01", sessions.CurrencyNOK, 1},
		{"007.10", sessions.CurrencyDKK, 710},
		{"21474836.47", sessions.CurrencySEK, sessions.MaxAmount},
		{"500", sessions.CurrencyISK, 500},
		{"2147483647", sessions.CurrencyISK, sessions.MaxAmount},
	} {
		got, err := parseAmount(tc.in, tc.currency)
		if err != nil || got != tc.want {
			t.Errorf("parseAmount(%q, %s) = %d, %v; want %d", tc.in, tc.currency, got, err, tc.want)
		}
		if back := formatAmount(got, tc.currency); err == nil {
			if again, err := parseAmount(back, tc.currency); err != nil || again != got {
				t.Errorf("formatAmount(%d, %s) = %q, which parses as %d, %v", got, tc.currency, back, again, err)
			}
		}
	}
	for _, tc := range []struct {
		in       string
		currency sessions.Currency
	}{
		{"", sessions.CurrencySEK}, {"1.", sessions.CurrencySEK}, {".5", sessions.CurrencySEK}, {"1.2.3", sessions.CurrencySEK},
		{"1 000", sessions.CurrencySEK}, {"+1", sessions.CurrencySEK}, {"1e3", sessions.CurrencySEK}, {"١٠٠", sessions.CurrencySEK},
		{"0", sessions.CurrencySEK}, {"0,00", sessions.CurrencySEK}, {"1.001", sessions.CurrencySEK}, {"21474836.48", sessions.CurrencySEK},
		{"99999999999999999999", sessions.CurrencySEK}, {"5.0", sessions.CurrencyISK}, {"2147483648", sessions.CurrencyISK},
		{"10", "XYZ"}, {"10", "sek"},
	} {
		if got, err := parseAmount(tc.in, tc.currency); err == nil {
			t.Errorf("parseAmount(%q, %s) = %d, want an error", tc.in, tc.currency, got)
		}
	}
	if got := formatAmount(5, "SEK"); got != "0.05" {
		t.Errorf("formatAmount(5, SEK) = %q", got)
	}
}

// TestCurrencyErrorsNameEverySupportedCurrency: the CLI's error for an
// unknown currency lists what the gateway takes, from the sessions package.
func TestCurrencyErrorsNameEverySupportedCurrency(t *testing.T) {
	_, err1 := parseCurrency("xyz")
	_, err2 := parseAmount("10", "XYZ")
	for _, err := range []error{err1, err2} {
		if err == nil {
			t.Fatal("no error for currency XYZ")
		}
		for _, c := range sessions.Currencies() {
			if !strings.Contains(err.Error(), string(c)) {
				t.Errorf("%q does not name %s", err, c)
			}
		}
	}
	for _, c := range sessions.Currencies() {
		if got, err := parseCurrency(strings.ToLower(string(c))); err != nil || got != c {
			t.Errorf("parseCurrency(%q) = %s, %v", strings.ToLower(string(c)), got, err)
		}
	}
}

// TestAmountOverTheMaximumIsRefused names the maximum in the error, in the
// currency's major units.
func TestAmountOverTheMaximumIsRefused(t *testing.T) {
	_, err := parseAmount(formatAmount(sessions.MaxAmount+1, sessions.CurrencySEK), sessions.CurrencySEK)
	if err == nil || !strings.Contains(err.Error(), "at most "+formatAmount(sessions.MaxAmount, sessions.CurrencySEK)+" SEK") {
		t.Fatalf("err = %v, want the maximum named", err)
	}
}
