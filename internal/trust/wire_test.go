package trust

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/captures"
	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/api"
	"github.com/kronor-io/kronor-go/internal/convert"
	"github.com/kronor-io/kronor-go/internal/scalars"
	"github.com/kronor-io/kronor-go/internal/validate/validatetest"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/refunds"
	"github.com/kronor-io/kronor-go/sessions"
)

// The wire shapes of the SDK's mutations, built here from the same Params the
// SDK takes, without the SDK's validation, so that the bad-input suite can
// send to the fake exactly what the SDK would have sent had it not refused.
// TestRawRequestsAreTheSDKsWire proves these mirror the SDK's own encoding.

// rawRequest is a GraphQL request sent without the SDK.
type rawRequest struct {
	token     string
	operation string
	query     string
	variables map[string]any
}

func (r rawRequest) body() []byte {
	b, err := json.Marshal(map[string]any{"operationName": r.operation, "query": r.query, "variables": r.variables})
	if err != nil {
		panic(err)
	}
	return b
}

// rawError is one GraphQL error of a raw response.
type rawError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

func (e rawError) String() string {
	b, _ := json.Marshal(e)
	return string(b)
}

// rawResponse is the fake's answer to a raw request.
type rawResponse struct {
	status int
	Data   map[string]json.RawMessage `json:"data"`
	Errors []rawError                 `json:"errors"`
}

// accepted reports whether the operation's field got a non-null answer and
// there are no errors.
func (r rawResponse) accepted() bool {
	if r.status != http.StatusOK || len(r.Errors) > 0 {
		return false
	}
	for _, v := range r.Data {
		if string(v) != "null" {
			return true
		}
	}
	return false
}

// send posts r to url with plain net/http.
func (r rawRequest) send(t testing.TB, hc *http.Client, url string) rawResponse {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(r.body()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+r.token)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", r.operation, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := rawResponse{status: resp.StatusCode}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%s: HTTP %d, undecodable answer %q: %v", r.operation, resp.StatusCode, b, err)
	}
	return out
}

func sessionExpiry(t time.Time) string { return t.UTC().Truncate(time.Second).Format(time.RFC3339) }

func wireAdditionalData(d *sessions.AdditionalData) *api.PaymentSessionAdditionalData {
	if d == nil {
		return nil
	}
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
			StreetAddress:  a.StreetAddress,
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

func wireSession(token string, p sessions.Params) rawRequest {
	in := api.PaymentSessionInput{
		Amount:             int(p.Amount),
		Currency:           (*api.SupportedCurrencyEnum)(convert.OptEnum(p.Currency)),
		Country:            (*api.Country)(convert.OptEnum(p.Country)),
		ExpiresAt:          sessionExpiry(p.ExpiresAt),
		IdempotencyKey:     convert.IdempotencyKey(p.IdempotencyKey),
		MerchantReference:  p.MerchantReference,
		MerchantReference2: convert.OptString(p.MerchantReference2),
		Message:            p.Message,
		AllowExecutionDate: convert.OptBool(p.AllowExecutionDate),
		PreferredGateway:   (*api.GatewayEnum)(convert.OptEnum(p.PreferredGateway)),
		AdditionalData:     wireAdditionalData(p.AdditionalData),
	}
	return rawRequest{token, "NewPaymentSession", api.NewPaymentSession_Operation, map[string]any{"payment": in}}
}

func wireReferenceCheck(token string, p sessions.Params) rawRequest {
	in := api.PaymentSessionWithReferenceCheckInput{
		Amount:             int(p.Amount),
		Currency:           api.SupportedCurrencyEnum(p.Currency),
		Country:            api.Country(p.Country),
		ExpiresAt:          sessionExpiry(p.ExpiresAt),
		IdempotencyKey:     convert.IdempotencyKey(p.IdempotencyKey),
		MerchantReference:  p.MerchantReference,
		MerchantReference2: convert.OptString(p.MerchantReference2),
		Message:            p.Message,
		AllowExecutionDate: convert.OptBool(p.AllowExecutionDate),
		PreferredGateway:   (*api.GatewayEnum)(convert.OptEnum(p.PreferredGateway)),
		AdditionalData:     wireAdditionalData(p.AdditionalData),
	}
	vars := map[string]any{"payment": in}
	// A required enum left empty is left out, as a caller writing the wire
	// by hand would: the schema's non-null type must refuse it.
	m := toMap(in)
	if p.Currency == "" {
		delete(m, "currency")
	}
	if p.Country == "" {
		delete(m, "country")
	}
	vars["payment"] = m
	return rawRequest{token, "NewPaymentSessionWithReferenceCheck", api.NewPaymentSessionWithReferenceCheck_Operation, vars}
}

func wireSwish(token string, p payments.SwishParams) rawRequest {
	flow := p.Flow
	switch {
	case flow == "" && p.CustomerSwishNumber != "":
		flow = payments.FlowEcom
	case flow == "":
		flow = payments.FlowMcom
	}
	in := api.SwishPaymentInput{
		IdempotencyKey:      convert.IdempotencyKey(p.IdempotencyKey),
		Flow:                string(flow),
		CustomerSwishNumber: convert.OptString(p.CustomerSwishNumber),
		ReturnUrl:           p.ReturnURL,
		MerchantReturnUrl:   convert.OptString(p.MerchantReturnURL),
	}
	return rawRequest{token, "NewSwishPayment", api.NewSwishPayment_Operation, map[string]any{"pay": in}}
}

func wireCreditCard(token string, p payments.CreditCardParams) rawRequest {
	in := api.CreditCardPaymentInput{
		IdempotencyKey:    convert.IdempotencyKey(p.IdempotencyKey),
		ReturnUrl:         p.ReturnURL,
		MerchantReturnUrl: convert.OptString(p.MerchantReturnURL),
	}
	return rawRequest{token, "NewCreditCardPayment", api.NewCreditCardPayment_Operation, map[string]any{"pay": in}}
}

func wireMobilePay(token string, p payments.MobilePayParams) rawRequest {
	in := api.MobilePayPaymentInput{
		IdempotencyKey:    convert.IdempotencyKey(p.IdempotencyKey),
		ReturnUrl:         p.ReturnURL,
		MerchantReturnUrl: convert.OptString(p.MerchantReturnURL),
		UserFlow:          (*api.MobilePayUserFlow)(convert.OptEnum(p.UserFlow)),
	}
	return rawRequest{token, "NewMobilePayPayment", api.NewMobilePayPayment_Operation, map[string]any{"pay": in}}
}

func wireBankTransfer(token string, p payments.BankTransferParams) rawRequest {
	in := api.BankTransferPaymentInput{
		IdempotencyKey:       convert.IdempotencyKey(p.IdempotencyKey),
		ReturnUrl:            p.ReturnURL,
		MerchantReturnUrl:    convert.OptString(p.MerchantReturnURL),
		RequestRedirectState: convert.OptString(p.RequestRedirectState),
		ExecutionDate:        convert.OptString(p.ExecutionDate),
		Flow:                 convert.OptString(string(p.Flow)),
	}
	if p.ASPSPID != 0 {
		id := scalars.BigInt(p.ASPSPID)
		in.AspspId = &id
	}
	return rawRequest{token, "NewBankTransferPayment", api.NewBankTransferPayment_Operation, map[string]any{"pay": in}}
}

func wireCancelSwish(token string, p payments.CancelSwishParams) rawRequest {
	in := api.SwishPaymentCancelInput{IdempotencyKey: convert.IdempotencyKey(p.IdempotencyKey), PaymentId: p.WaitToken}
	return rawRequest{token, "CancelSwishPayment", api.CancelSwishPayment_Operation, map[string]any{"pay": in}}
}

func wireCapturePayPal(token string, p payments.CapturePayPalParams) rawRequest {
	in := api.CapturePayPalPaymentInput{IdempotencyKey: convert.IdempotencyKey(p.IdempotencyKey), PaymentId: p.PaymentID}
	return rawRequest{token, "CapturePayPalPayment", api.CapturePayPalPayment_Operation, map[string]any{"pay": in}}
}

func wireCapture(token string, p captures.Params) rawRequest {
	in := api.PaymentCaptureInput{
		Amount:               int(p.Amount),
		IdempotencyKey:       convert.IdempotencyKey(p.IdempotencyKey),
		PaymentId:            convert.OptBigInt(p.PaymentID),
		PaymentTransactionId: convert.OptString(p.PaymentTransactionID),
		Message:              convert.OptString(p.Message),
		CreatedBy:            convert.OptString(p.CreatedBy),
		GeneratedFrom:        convert.OptString(p.GeneratedFrom),
	}
	return rawRequest{token, "NewPaymentCapture", api.NewPaymentCapture_Operation, map[string]any{"capture": in}}
}

func wireRelease(token string, p captures.ReleaseParams) rawRequest {
	in := api.ReleasePaymentInput{
		Amount:               int(p.Amount),
		IdempotencyKey:       convert.IdempotencyKey(p.IdempotencyKey),
		PaymentId:            convert.OptBigInt(p.PaymentID),
		PaymentTransactionId: convert.OptString(p.PaymentTransactionID),
		MerchantReference:    convert.OptString(p.MerchantReference),
		CreatedBy:            convert.OptString(p.CreatedBy),
		GeneratedFrom:        convert.OptString(p.GeneratedFrom),
	}
	return rawRequest{token, "ReleasePayment", api.ReleasePayment_Operation, map[string]any{"release": in}}
}

func wireRefund(token string, p refunds.Params) rawRequest {
	in := api.RefundPaymentInput{
		Amount:               int(p.Amount),
		IdempotencyKey:       convert.IdempotencyKey(p.IdempotencyKey),
		Message:              p.Message,
		PaymentId:            convert.OptBigInt(p.PaymentID),
		PaymentTransactionId: convert.OptString(p.PaymentTransactionID),
		MerchantReference:    convert.OptString(p.MerchantReference),
		CreatedBy:            convert.OptString(p.CreatedBy),
		GeneratedFrom:        convert.OptString(p.GeneratedFrom),
	}
	return rawRequest{token, "RefundPayment", api.RefundPayment_Operation, map[string]any{"refund": in}}
}

// keyOr returns k, or a new random key when k is empty, as the SDK does.
// toMap round-trips v through JSON.
func toMap(v any) map[string]any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		panic(err)
	}
	return m
}

// recorder is a transport that records request bodies and answers every
// request with a GraphQL error, so nothing is retried.
type recorder struct {
	mu     sync.Mutex
	bodies [][]byte
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	b, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.bodies = append(r.bodies, b)
	r.mu.Unlock()
	return &http.Response{
		StatusCode: http.StatusOK,
		Header:     http.Header{"Content-Type": {"application/json"}},
		Body:       io.NopCloser(strings.NewReader(`{"errors":[{"message":"recorded","extensions":{"code":"validation-failed"}}]}`)),
		Request:    req,
	}, nil
}

func (r *recorder) last() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.bodies) == 0 {
		return nil
	}
	return r.bodies[len(r.bodies)-1]
}

// TestRawRequestsAreTheSDKsWire proves that the raw requests of the bad-input
// suite are what the SDK sends: for valid params, with every optional field
// set, the SDK's request body and the raw one carry the same operation,
// document and variables.
func TestRawRequestsAreTheSDKsWire(t *testing.T) {
	rec := &recorder{}
	const token = "recorder-token"
	c, err := client.New(token, client.WithEndpoint("https://gateway.invalid/v1/graphql"),
		client.WithHTTPClient(&http.Client{Transport: rec}), client.WithMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	sc := c.Session(token) // the recorder takes any token
	key := client.DeriveIdempotencyKey("wire")
	full := validSession()
	full.MerchantReference2 = "cart 7"
	full.AllowExecutionDate = true
	full.PreferredGateway = sessions.GatewayKronor
	full.IdempotencyKey = key
	full.AdditionalData = validAdditionalData()
	full.AdditionalData.PhoneNumber = "+46701234567"
	full.AdditionalData.CustomerReference = "customer 9"
	a := full.AdditionalData.ShippingAddress
	a.Title, a.CareOf, a.StreetAddress2, a.Region = sessions.TitleMs, "c/o Berg", "Floor 2", "Stockholms län"
	l := &full.AdditionalData.OrderLines[0]
	l.Reference, l.ItemURL, l.ImageURL, l.TotalDiscountAmount = "SKU-1", "https://shop.example/shirt", "https://shop.example/shirt.png", 100
	fresh := full // the reference check takes no key: it makes a fresh one
	fresh.IdempotencyKey = ""
	streets := full
	streets.AdditionalData = validAdditionalData()
	streets.AdditionalData.ShippingAddress.StreetAddress = ""
	streets.AdditionalData.ShippingAddress.StreetName, streets.AdditionalData.ShippingAddress.StreetNumber = "Storgatan", "1"
	bare := validSession()
	bare.Currency, bare.Country, bare.IdempotencyKey = "", "", key
	redirect := payments.Redirect{ReturnURL: returnURL, MerchantReturnURL: "https://shop.example/merchant"}

	cases := []struct {
		name string
		sdk  func(ctx context.Context) error
		raw  rawRequest
	}{
		{"session", func(ctx context.Context) error { _, err := sessions.Create(ctx, c, full); return err }, wireSession(token, full)},
		{"session with street name and number", func(ctx context.Context) error { _, err := sessions.Create(ctx, c, streets); return err }, wireSession(token, streets)},
		{"session without optional fields", func(ctx context.Context) error { _, err := sessions.Create(ctx, c, bare); return err }, wireSession(token, bare)},
		{"reference check", func(ctx context.Context) error {
			_, err := sessions.CreateWithReferenceCheck(ctx, c, fresh)
			return err
		}, wireReferenceCheck(token, fresh)},
		{"Swish ecom", func(ctx context.Context) error {
			_, err := payments.Swish(ctx, sc, payments.SwishParams{Redirect: redirect, IdempotencyKey: key, CustomerSwishNumber: "46701234567"})
			return err
		}, wireSwish(token, payments.SwishParams{Redirect: redirect, IdempotencyKey: key, CustomerSwishNumber: "46701234567"})},
		{"Swish mcom", func(ctx context.Context) error {
			_, err := payments.Swish(ctx, sc, payments.SwishParams{Redirect: redirect, IdempotencyKey: key})
			return err
		}, wireSwish(token, payments.SwishParams{Redirect: redirect, IdempotencyKey: key})},
		{"card", func(ctx context.Context) error {
			_, err := payments.CreditCard(ctx, sc, payments.CreditCardParams{Redirect: redirect, IdempotencyKey: key})
			return err
		}, wireCreditCard(token, payments.CreditCardParams{Redirect: redirect, IdempotencyKey: key})},
		{"MobilePay", func(ctx context.Context) error {
			_, err := payments.MobilePay(ctx, sc, payments.MobilePayParams{Redirect: redirect, IdempotencyKey: key, UserFlow: payments.UserFlowQR})
			return err
		}, wireMobilePay(token, payments.MobilePayParams{Redirect: redirect, IdempotencyKey: key, UserFlow: payments.UserFlowQR})},
		{"bank transfer", func(ctx context.Context) error {
			_, err := payments.BankTransfer(ctx, sc, payments.BankTransferParams{Redirect: redirect, IdempotencyKey: key, ASPSPID: 12, RequestRedirectState: "s1", ExecutionDate: "2030-01-02", Flow: payments.FlowEcom})
			return err
		}, wireBankTransfer(token, payments.BankTransferParams{Redirect: redirect, IdempotencyKey: key, ASPSPID: 12, RequestRedirectState: "s1", ExecutionDate: "2030-01-02", Flow: payments.FlowEcom})},
		{"cancel Swish", func(ctx context.Context) error {
			_, err := payments.CancelSwish(ctx, sc, payments.CancelSwishParams{WaitToken: "wt-1", IdempotencyKey: key})
			return err
		}, wireCancelSwish(token, payments.CancelSwishParams{WaitToken: "wt-1", IdempotencyKey: key})},
		{"capture PayPal", func(ctx context.Context) error {
			_, err := payments.CapturePayPal(ctx, c, payments.CapturePayPalParams{PaymentID: "pp-1", IdempotencyKey: key})
			return err
		}, wireCapturePayPal(token, payments.CapturePayPalParams{PaymentID: "pp-1", IdempotencyKey: key})},
		{"capture", func(ctx context.Context) error {
			_, err := captures.Create(ctx, c, captures.Params{Amount: 500, PaymentID: 9, Message: "m", CreatedBy: "me", GeneratedFrom: "api", IdempotencyKey: key})
			return err
		}, wireCapture(token, captures.Params{Amount: 500, PaymentID: 9, Message: "m", CreatedBy: "me", GeneratedFrom: "api", IdempotencyKey: key})},
		{"release", func(ctx context.Context) error {
			_, err := captures.Release(ctx, c, captures.ReleaseParams{Amount: 500, PaymentTransactionID: "tx-9", MerchantReference: "r", CreatedBy: "me", GeneratedFrom: "api", IdempotencyKey: key})
			return err
		}, wireRelease(token, captures.ReleaseParams{Amount: 500, PaymentTransactionID: "tx-9", MerchantReference: "r", CreatedBy: "me", GeneratedFrom: "api", IdempotencyKey: key})},
		{"refund", func(ctx context.Context) error {
			_, err := refunds.Create(ctx, c, refunds.Params{Amount: 500, PaymentTransactionID: "tx-9", Message: "Refund", MerchantReference: "r", CreatedBy: "me", GeneratedFrom: "api", IdempotencyKey: key})
			return err
		}, wireRefund(token, refunds.Params{Amount: 500, PaymentTransactionID: "tx-9", Message: "Refund", MerchantReference: "r", CreatedBy: "me", GeneratedFrom: "api", IdempotencyKey: key})},
	}
	type body struct {
		OperationName string         `json:"operationName"`
		Query         string         `json:"query"`
		Variables     map[string]any `json:"variables"`
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.sdk(t.Context()); !errors.Is(err, client.ErrRejected) {
				t.Fatalf("SDK call: %v; want it sent (and refused by the recorder)", err)
			}
			var sdk, raw body
			if err := json.Unmarshal(rec.last(), &sdk); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(tc.raw.body(), &raw); err != nil {
				t.Fatal(err)
			}
			if sdk.OperationName != raw.OperationName || sdk.Query != raw.Query {
				t.Errorf("operation %q, raw %q (or their documents differ)", sdk.OperationName, raw.OperationName)
			}
			if tc.name == "reference check" {
				// A fresh key per call: the raw request takes the SDK's.
				sk, _ := sdk.Variables["payment"].(map[string]any)["idempotencyKey"].(string)
				if !validatetest.KeyRule.MatchString(sk) {
					t.Fatalf("the reference check sent idempotency key %q", sk)
				}
				raw.Variables["payment"].(map[string]any)["idempotencyKey"] = sk
			}
			if !reflect.DeepEqual(sdk.Variables, raw.Variables) {
				s, _ := json.Marshal(sdk.Variables)
				r, _ := json.Marshal(raw.Variables)
				t.Errorf("variables differ:\nSDK %s\nraw %s", s, r)
			}
		})
	}
}
