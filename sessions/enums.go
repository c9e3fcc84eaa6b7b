package sessions

import "slices"

// Currency is an ISO 4217 currency code the gateway supports (the schema's
// SupportedCurrencyEnum). Some payment methods need a particular currency:
// MobilePay DKK, Vipps NOK, Przelewy24 PLN.
type Currency string

// The currencies of the schema's SupportedCurrencyEnum.
const (
	CurrencyCHF Currency = "CHF"
	CurrencyCZK Currency = "CZK"
	CurrencyDKK Currency = "DKK"
	CurrencyEUR Currency = "EUR"
	CurrencyGBP Currency = "GBP"
	CurrencyHUF Currency = "HUF"
	CurrencyISK Currency = "ISK"
	CurrencyNOK Currency = "NOK"
	CurrencyPLN Currency = "PLN"
	CurrencyRON Currency = "RON"
	CurrencySEK Currency = "SEK"
	CurrencyUSD Currency = "USD"
)

// currencies lists every Currency the gateway accepts.
var currencies = []Currency{
	CurrencyCHF, CurrencyCZK, CurrencyDKK, CurrencyEUR, CurrencyGBP, CurrencyHUF,
	CurrencyISK, CurrencyNOK, CurrencyPLN, CurrencyRON, CurrencySEK, CurrencyUSD,
}

// Known reports whether c is a value of the schema's enum.
func (c Currency) Known() bool { return slices.Contains(currencies, c) }

// Currencies returns every Currency the gateway supports, in alphabetical
// order: the values for which [Currency.Known] is true. The slice is the
// caller's to change.
func Currencies() []Currency { return slices.Clone(currencies) }

// Country is an ISO 3166-1 alpha-2 country code the gateway accepts (the
// schema's Country enum). Przelewy24 needs a session with country PL.
type Country string

// The countries of the schema's Country enum.
const (
	CountryAT Country = "AT"
	CountryBE Country = "BE"
	CountryCH Country = "CH"
	CountryCY Country = "CY"
	CountryCZ Country = "CZ"
	CountryDE Country = "DE"
	CountryDK Country = "DK"
	CountryEE Country = "EE"
	CountryES Country = "ES"
	CountryFI Country = "FI"
	CountryFO Country = "FO"
	CountryFR Country = "FR"
	CountryGB Country = "GB"
	CountryGR Country = "GR"
	CountryHR Country = "HR"
	CountryHU Country = "HU"
	CountryIE Country = "IE"
	CountryIS Country = "IS"
	CountryIT Country = "IT"
	CountryLT Country = "LT"
	CountryLU Country = "LU"
	CountryLV Country = "LV"
	CountryMT Country = "MT"
	CountryNL Country = "NL"
	CountryNO Country = "NO"
	CountryPL Country = "PL"
	CountryPT Country = "PT"
	CountryRO Country = "RO"
	CountrySE Country = "SE"
	CountrySI Country = "SI"
	CountrySK Country = "SK"
)

// countries lists every Country the gateway accepts.
var countries = []Country{
	CountryAT, CountryBE, CountryCH, CountryCY, CountryCZ, CountryDE, CountryDK, CountryEE,
	CountryES, CountryFI, CountryFO, CountryFR, CountryGB, CountryGR, CountryHR, CountryHU,
	CountryIE, CountryIS, CountryIT, CountryLT, CountryLU, CountryLV, CountryMT, CountryNL,
	CountryNO, CountryPL, CountryPT, CountryRO, CountrySE, CountrySI, CountrySK,
}

// Known reports whether c is a value of the schema's enum.
func (c Country) Known() bool { return slices.Contains(countries, c) }

// Language is the language the payment is handled in: an upper-case ISO 639-1
// code of the gateway's Language enum, all 25 of which are accepted.
type Language string

// The languages of the schema's Language enum.
const (
	LanguageCS Language = "CS"
	LanguageDA Language = "DA"
	LanguageDE Language = "DE"
	LanguageEL Language = "EL"
	LanguageEN Language = "EN"
	LanguageES Language = "ES"
	LanguageET Language = "ET"
	LanguageFI Language = "FI"
	LanguageFR Language = "FR"
	LanguageHR Language = "HR"
	LanguageHU Language = "HU"
	LanguageIS Language = "IS"
	LanguageIT Language = "IT"
	LanguageLB Language = "LB"
	LanguageLT Language = "LT"
	LanguageLV Language = "LV"
	LanguageMT Language = "MT"
	LanguageNL Language = "NL"
	LanguageNO Language = "NO"
	LanguagePL Language = "PL"
	LanguagePT Language = "PT"
	LanguageRO Language = "RO"
	LanguageSK Language = "SK"
	LanguageSL Language = "SL"
	LanguageSV Language = "SV"
)

// languages lists every Language the gateway accepts.
var languages = []Language{
	LanguageCS, LanguageDA, LanguageDE, LanguageEL, LanguageEN, LanguageES, LanguageET,
	LanguageFI, LanguageFR, LanguageHR, LanguageHU, LanguageIS, LanguageIT, LanguageLB,
	LanguageLT, LanguageLV, LanguageMT, LanguageNL, LanguageNO, LanguagePL, LanguagePT,
	LanguageRO, LanguageSK, LanguageSL, LanguageSV,
}

// Known reports whether l is a value of the schema's enum.
func (l Language) Known() bool { return slices.Contains(languages, l) }

// Title is how a customer prefers to be addressed (the gateway's
// CustomerTitle). The values are in mixed case, as the gateway takes them:
// MISS, MR, MRS and MS are refused.
type Title string

// The titles of the schema's CustomerTitle enum.
const (
	TitleMiss Title = "Miss"
	TitleMr   Title = "Mr"
	TitleMrs  Title = "Mrs"
	TitleMs   Title = "Ms"
)

// titles lists every Title the gateway accepts.
var titles = []Title{TitleMiss, TitleMr, TitleMrs, TitleMs}

// Known reports whether t is a value of the schema's enum.
func (t Title) Known() bool { return slices.Contains(titles, t) }

// Gateway is a payment gateway (the schema's GatewayEnum). As a session's
// preference the gateway supports only GatewayKronor at the moment ("talk to
// Kronor before using this"), so Create rejects the other values before
// sending; they are here because payment results report the gateway that
// processed a payment.
type Gateway string

// The gateways of the schema's GatewayEnum.
const (
	GatewayAvarda        Gateway = "AVARDA"
	GatewayEnableBanking Gateway = "ENABLE_BANKING"
	GatewayFinshark      Gateway = "FINSHARK"
	GatewayKronor        Gateway = "KRONOR"
	GatewayReepay        Gateway = "REEPAY"
	GatewayTrustly       Gateway = "TRUSTLY"
)

// gateways lists every Gateway of the schema.
var gateways = []Gateway{
	GatewayAvarda, GatewayEnableBanking, GatewayFinshark, GatewayKronor, GatewayReepay, GatewayTrustly,
}

// Known reports whether g is a value of the schema's enum.
func (g Gateway) Known() bool { return slices.Contains(gateways, g) }
