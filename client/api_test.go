package client_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/api"
)

// The generated functions run through the client, and unset optional input
// fields are omitted from the JSON: never null, never "".
func TestOptionalFieldsOmitted(t *testing.T) {
	s := newScript(t,
		reply(200, `{"data":{"newPaymentSession":{"token":"session-1"}}}`),
		reply(200, `{"data":{"newPaymentSession":{"token":"session-2"}}}`))
	c := s.newClient(t)
	ctx := context.Background()

	resp, err := api.NewPaymentSession(ctx, c, api.PaymentSessionInput{
		Amount:            1000,
		ExpiresAt:         "2030-01-01T00:00:00Z",
		IdempotencyKey:    "order-1-session",
		MerchantReference: "order-1",
		Message:           "Order 1",
	})
	if err != nil {
		t.Fatalf("NewPaymentSession: %v", err)
	}
	if resp.NewPaymentSession.Token != "session-1" {
		t.Errorf("token = %q", resp.NewPaymentSession.Token)
	}

	_, err = api.NewPaymentSession(ctx, c, api.PaymentSessionInput{
		Amount:            1000,
		ExpiresAt:         "2030-01-01T00:00:00Z",
		IdempotencyKey:    "order-2-session",
		MerchantReference: "order-2",
		Message:           "Order 2",
		AdditionalData: &api.PaymentSessionAdditionalData{
			Email: "a@example.com", Ip: "127.0.0.1", Language: api.LanguageEn, Name: "A B",
			ShippingAddress: &api.AddressInput{
				City: "Stockholm", Country: "SE", Email: "a@example.com", FirstName: "A", LastName: "B",
				PhoneNumber: "+46700000000", PostalCode: "11122", StreetAddress: "Gatan 1",
			},
			OrderLines: []api.PurchaseOrderLineInput{{Name: "Tea", PricePerItem: 1000, Quantity: 1, TaxRate: 2500, TotalAmount: 1000, TotalTaxAmount: 200}},
		},
	})
	if err != nil {
		t.Fatalf("NewPaymentSession: %v", err)
	}

	query := mustJSON(t, api.NewPaymentSession_Operation)
	want := []string{
		`{"query":` + query + `,"variables":{"payment":{"amount":1000,"expiresAt":"2030-01-01T00:00:00Z","idempotencyKey":"order-1-session","merchantReference":"order-1","message":"Order 1"}},"operationName":"NewPaymentSession"}`,
		`{"query":` + query + `,"variables":{"payment":{"additionalData":{"email":"a@example.com","ip":"127.0.0.1","language":"EN","name":"A B",` +
			`"orderLines":[{"name":"Tea","pricePerItem":1000,"quantity":1,"taxRate":2500,"totalAmount":1000,"totalTaxAmount":200}],` +
			`"shippingAddress":{"city":"Stockholm","country":"SE","email":"a@example.com","firstName":"A","lastName":"B","phoneNumber":"+46700000000","postalCode":"11122","streetAddress":"Gatan 1"}},` +
			`"amount":1000,"expiresAt":"2030-01-01T00:00:00Z","idempotencyKey":"order-2-session","merchantReference":"order-2","message":"Order 2"}},"operationName":"NewPaymentSession"}`,
	}
	reqs := s.requests()
	if len(reqs) != 2 {
		t.Fatalf("server got %d requests, want 2", len(reqs))
	}
	for i, r := range reqs {
		got := strings.TrimSpace(string(r.Body))
		if got != want[i] {
			t.Errorf("request %d body:\n got %s\nwant %s", i+1, got, want[i])
		}
		if strings.Contains(got, "null") || strings.Contains(got, `:""`) {
			t.Errorf("request %d sends null or an empty string: %s", i+1, got)
		}
	}
}

// bigint decodes from a JSON number and a JSON string; unknown enum values
// are kept as they are.
func TestBigIntAndUnknownEnum(t *testing.T) {
	s := newScript(t, reply(200, `{"data":{"paymentCaptures":[{
		"id":"9007199254740993","transactionId":"cap-1","paymentId":42,"amount":"1500",
		"message":null,"createdAt":"2024-05-01T10:00:00Z","errorMessage":null,
		"status":[{"status":"CAPTURE_SOMETHING_NEW","enteredAt":"2024-05-01T10:00:01Z"},{"status":"CAPTURE_DONE","enteredAt":"2024-05-01T10:00:02Z"}]}]}}`))
	c := s.newClient(t)
	resp, err := api.CaptureByID(context.Background(), c, 9007199254740993)
	if err != nil {
		t.Fatalf("CaptureByID: %v", err)
	}
	if len(resp.PaymentCaptures) != 1 {
		t.Fatalf("captures = %+v", resp.PaymentCaptures)
	}
	cp := resp.PaymentCaptures[0]
	if cp.Id != 9007199254740993 || cp.PaymentId != 42 || cp.Amount != 1500 {
		t.Errorf("id, paymentId, amount = %d, %d, %d", cp.Id, cp.PaymentId, cp.Amount)
	}
	if len(cp.Status) != 2 || cp.Status[0].Status != "CAPTURE_SOMETHING_NEW" || cp.Status[1].Status != api.PaymentCaptureStatusEnumCaptureDone {
		t.Errorf("status = %+v", cp.Status)
	}
	// The bigint variable is sent as a JSON number.
	if body := string(s.requests()[0].Body); !strings.Contains(body, `"variables":{"id":9007199254740993}`) {
		t.Errorf("body = %s", body)
	}
}

// genqlient returns both the partial data and the error.
func TestGeneratedPartialData(t *testing.T) {
	s := newScript(t, reply(200, `{"data":{"newPaymentSession":{"token":"session-1"}},"errors":[{"message":"warning","extensions":{"code":"unexpected"}}]}`))
	c := s.newClient(t)
	resp, err := api.NewPaymentSession(context.Background(), c, api.PaymentSessionInput{IdempotencyKey: "k"})
	if !errors.Is(err, client.ErrRejected) {
		t.Fatalf("err = %v, want ErrRejected", err)
	}
	if resp == nil || resp.NewPaymentSession.Token != "session-1" {
		t.Errorf("resp = %+v, want the partial data", resp)
	}
}

// A value inside data that fails its custom decoder (here a bigint) stops
// json.Unmarshal before it reaches an "errors" key that comes after "data".
// The GraphQL errors must still be reported, and the decoding error kept.
func TestUndecodableValueBeforeErrors(t *testing.T) {
	const body = `{"data":{"payments":[{"id":"not a number"}]},"errors":[{"message":"partial","path":["payments",0,"id"]}]}`
	s := newScript(t, reply(200, body))
	c := s.newClient(t)
	_, err := api.PaymentByID(context.Background(), c, 42)
	var e *client.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %#v, want a *client.Error", err)
	}
	if len(e.Errors) != 1 || e.Errors[0].Message != "partial" {
		t.Fatalf("Errors = %+v, want the one error of the body", e.Errors)
	}
	if p := e.Errors[0].Path; len(p) != 3 || p[0] != "payments" || p[1] != 0 || p[2] != "id" {
		t.Errorf("Path = %#v", p)
	}
	if e.Err == nil || !strings.Contains(e.Err.Error(), "decoding the response") {
		t.Errorf("Err = %v, want the decoding error kept", e.Err)
	}
	if e.Retryable || e.Attempts != 1 || len(s.requests()) != 1 {
		t.Errorf("Retryable, Attempts, requests = %v, %d, %d; want false, 1, 1", e.Retryable, e.Attempts, len(s.requests()))
	}
	if !errors.Is(err, client.ErrRejected) {
		t.Errorf("err = %v, want ErrRejected", err)
	}
}

// The same shape, classified by its errors: TEMPORARY_FAILURE (in an error or
// in the top-level extensions) is retried, invalid-jwt is ErrUnauthorized.
func TestUndecodableValueBeforeErrorsClassified(t *testing.T) {
	const ok = `{"data":{"payments":[{"id":42}]}}`
	for _, tc := range []struct {
		name, body string
	}{
		{"error TEMPORARY_FAILURE", `{"data":{"payments":[{"id":"not a number"}]},"errors":[{"message":"busy","path":["payments",0,"id"],"extensions":{"type":"TEMPORARY_FAILURE","code":"unexpected"}}]}`},
		{"top-level TEMPORARY_FAILURE", `{"data":{"payments":[{"createdAt":"not a time"}]},"errors":[{"message":"busy"}],"extensions":{"type":"TEMPORARY_FAILURE"}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newScript(t, reply(200, tc.body), reply(200, ok))
			c := s.newClient(t)
			resp, err := api.PaymentByID(context.Background(), c, 42)
			if err != nil {
				t.Fatalf("err = %v, want the retry to succeed", err)
			}
			if len(s.requests()) != 2 {
				t.Fatalf("%d requests, want 2", len(s.requests()))
			}
			if len(resp.Payments) != 1 || resp.Payments[0].Id != 42 {
				t.Errorf("payments = %+v, want the retried answer only", resp.Payments)
			}
		})
	}
	t.Run("TEMPORARY_FAILURE exhausted", func(t *testing.T) {
		body := `{"data":{"payments":[{"id":"x"}]},"errors":[{"message":"busy","extensions":{"type":"TEMPORARY_FAILURE"}}]}`
		s := newScript(t, reply(200, body), reply(200, body))
		c := s.newClient(t, client.WithMaxAttempts(2))
		_, err := api.PaymentByID(context.Background(), c, 42)
		var e *client.Error
		if !errors.As(err, &e) || !errors.Is(err, client.ErrTemporary) || e.Attempts != 2 || len(e.Errors) != 1 || e.Err == nil {
			t.Fatalf("err = %#v, want ErrTemporary after 2 attempts with the error and the decoding error", err)
		}
	})
	t.Run("invalid-jwt", func(t *testing.T) {
		s := newScript(t, reply(200, `{"data":{"payments":[{"id":"x"}]},"errors":[{"message":"Could not verify JWT","extensions":{"code":"invalid-jwt"}}]}`))
		c := s.newClient(t)
		_, err := api.PaymentByID(context.Background(), c, 42)
		if !errors.Is(err, client.ErrUnauthorized) || errors.Is(err, client.ErrRejected) {
			t.Fatalf("err = %v, want ErrUnauthorized", err)
		}
		if len(s.requests()) != 1 {
			t.Errorf("%d requests, want 1", len(s.requests()))
		}
	})
}
