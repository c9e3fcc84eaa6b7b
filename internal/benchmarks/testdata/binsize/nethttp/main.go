// Command nethttp is the baseline of ../sdk: the same checkout (a payment
// session, a Swish payment, a wait until it is paid) written on net/http
// and encoding/json alone, waiting by querying the status every second.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"
)

// call posts a GraphQL request with token and decodes its data into out.
func call(ctx context.Context, token, query string, variables map[string]any, out any) error {
	body, err := json.Marshal(map[string]any{"query": query, "variables": variables})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, os.Getenv("KRONOR_URL"), bytes.NewReader(body))
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
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return fmt.Errorf("HTTP %d: %w", resp.StatusCode, err)
	}
	if len(r.Errors) > 0 {
		return fmt.Errorf("HTTP %d: %s", resp.StatusCode, r.Errors[0].Message)
	}
	return json.Unmarshal(r.Data, out)
}

func main() {
	ctx := context.Background()
	token := os.Getenv("KRONOR_TOKEN")
	order := "ORD1001"
	var session struct {
		NewPaymentSession struct{ Token string } `json:"newPaymentSession"`
	}
	err := call(ctx, token, `mutation($p: PaymentSessionInput!) { newPaymentSession(payment: $p) { token } }`,
		map[string]any{"p": map[string]any{
			"amount": 10056, "currency": "SEK", "merchantReference": order, "message": "Order " + order,
			"expiresAt": time.Now().Add(time.Hour).Format(time.RFC3339), "idempotencyKey": order + "-session",
		}}, &session)
	if err != nil {
		log.Fatal(err)
	}
	var started struct {
		NewSwishPayment struct{ WaitToken string } `json:"newSwishPayment"`
	}
	err = call(ctx, session.NewPaymentSession.Token, `mutation($p: SwishPaymentInput!) { newSwishPayment(pay: $p) { waitToken } }`,
		map[string]any{"p": map[string]any{
			"idempotencyKey": order + "-swish", "flow": "mcom", "returnUrl": "https://shop.example/orders/" + order,
		}}, &started)
	if err != nil {
		log.Fatal(err)
	}
	for {
		var status struct {
			PaymentRequests []struct {
				ResultingPaymentID *int64 `json:"resultingPaymentId"`
				Status             []struct{ Status string }
			} `json:"paymentRequests"`
		}
		err := call(ctx, token, `query($w: uuid!) { paymentRequests(where: {waitToken: {_eq: $w}}) { resultingPaymentId status { status } } }`,
			map[string]any{"w": started.NewSwishPayment.WaitToken}, &status)
		if err != nil {
			log.Fatal(err)
		}
		for _, r := range status.PaymentRequests {
			for _, s := range r.Status {
				switch s.Status {
				case "PAID":
					fmt.Println("paid, payment id", *r.ResultingPaymentID)
					return
				case "DECLINED", "CANCELLED", "ERROR":
					log.Fatal("payment ", s.Status)
				}
			}
		}
		time.Sleep(time.Second)
	}
}
