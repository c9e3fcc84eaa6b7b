package kronortest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/kronor-io/kronor-go/kronortest"
)

// call posts one GraphQL request to the fake and decodes its data (real code
// would use the SDK's client instead).
func call(url, token, query string, vars map[string]any, out any) error {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var r struct {
		Data   json.RawMessage
		Errors []struct{ Message string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return err
	}
	if len(r.Errors) > 0 {
		return fmt.Errorf("%s", r.Errors[0].Message)
	}
	return json.Unmarshal(r.Data, out)
}

func ExampleNewServer() {
	srv := kronortest.NewServer()
	defer srv.Close()

	// The merchant opens a payment session...
	var s struct{ NewPaymentSession struct{ Token string } }
	err := call(srv.URL(), srv.MerchantToken(),
		`mutation($p: PaymentSessionInput!) { newPaymentSession(payment: $p) { token } }`,
		map[string]any{"p": map[string]any{
			"amount": 10056, "currency": "SEK", "merchantReference": "order-1", "message": "Order 1",
			"expiresAt": time.Now().Add(time.Hour).Format(time.RFC3339), "idempotencyKey": "order-1-session",
		}}, &s)
	if err != nil {
		panic(err)
	}
	// ...the customer's app starts a Swish payment with the session token...
	var p struct{ NewSwishPayment struct{ WaitToken string } }
	err = call(srv.URL(), s.NewPaymentSession.Token,
		`mutation { newSwishPayment(pay: {idempotencyKey: "order-1-swish", flow: "mcom", returnUrl: "https://shop.example/done"}) { waitToken } }`,
		nil, &p)
	if err != nil {
		panic(err)
	}
	// ...and the test plays the customer, who pays.
	if err := srv.Approve(p.NewSwishPayment.WaitToken); err != nil {
		panic(err)
	}
	status, _ := srv.PaymentRequestStatus(p.NewSwishPayment.WaitToken)
	fmt.Println(status)
	fmt.Println(srv.Counts("order-1").Payments, "payment")
	// Output:
	// PAID
	// 1 payment
}
