package main

import (
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
		{"21474836.47", sessions.CurrencySEK, maxAmount},
		{"500", sessions.CurrencyISK, 500},
		{"2147483647", sessions.CurrencyISK, maxAmount},
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
