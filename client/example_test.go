package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/api"
)

func ExampleNew() {
	c, err := client.New("merchant-token", client.WithEnvironment(client.Staging))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.Endpoint())
	fmt.Println(c) // the token is never printed
	// Output:
	// https://staging.kronor.io/v1/graphql
	// client.Client{endpoint: https://staging.kronor.io/v1/graphql, token: [REDACTED]}
}

func ExampleNew_options() {
	c, err := client.New(os.Getenv("KRONOR_TOKEN"),
		client.WithEnvironment(client.Production),
		client.WithHTTPClient(&http.Client{Transport: http.DefaultTransport}),
		client.WithLogger(slog.New(slog.NewJSONHandler(os.Stderr, nil))),
		client.WithMaxAttempts(4),
		client.WithBackoff(250*time.Millisecond, 4*time.Second),
		client.WithTimeout(10*time.Second),
	)
	if err != nil {
		log.Fatal(err)
	}
	_ = c
}

func ExampleNew_plainHTTP() {
	// Plain http is refused unless the host is loopback...
	_, err := client.New("token", client.WithEndpoint("http://gateway.internal/v1/graphql"))
	fmt.Println(err != nil)
	// ...or the caller opts in.
	_, err = client.New("token", client.WithEndpoint("http://gateway.internal/v1/graphql"), client.WithInsecureHTTP())
	fmt.Println(err)
	_, err = client.New("token", client.WithEndpoint("http://127.0.0.1:8080/v1/graphql"))
	fmt.Println(err)
	// Output:
	// true
	// <nil>
	// <nil>
}

func ExampleClient_Session() {
	merchant, err := client.New("merchant-token", client.WithEnvironment(client.Staging))
	if err != nil {
		log.Fatal(err)
	}
	// A session created with the merchant token returns a session token; the
	// payment methods run with it, over the same transport. Package sessions'
	// Session.Client and ReferenceCheck.Client make it for you.
	session := merchant.Session("session-token")
	fmt.Println(session)
	// Output:
	// client.Session{endpoint: https://staging.kronor.io/v1/graphql, token: [REDACTED]}
}

func ExampleWithAppInfo() {
	// A stand-in for the gateway, showing the User-Agent it receives.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ua := r.UserAgent()
		fmt.Println(strings.Contains(ua, "shop-plugin/1.4.2"), strings.Contains(ua, "https://plugins.example/kronor"))
		fmt.Fprint(w, `{"data":{"newPaymentSession":{"token":"t"}}}`)
	}))
	defer srv.Close()

	// A plugin names itself: Kronor's support sees it in the User-Agent.
	c, err := client.New("merchant-token",
		client.WithEndpoint(srv.URL+"/v1/graphql"), client.WithHTTPClient(srv.Client()),
		client.WithAppInfo("shop-plugin", "1.4.2", "https://plugins.example/kronor"))
	if err != nil {
		log.Fatal(err)
	}
	if _, err := api.NewPaymentSession(context.Background(), c, api.PaymentSessionInput{IdempotencyKey: client.NewIdempotencyKey()}); err != nil {
		log.Fatal(err)
	}
	// Output: true true
}

func ExampleError() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"errors":[{"message":"Could not verify JWT: JWTExpired","extensions":{"code":"invalid-jwt"}}]}`)
	}))
	defer srv.Close()
	c, err := client.New("expired-token", client.WithEndpoint(srv.URL+"/v1/graphql"), client.WithHTTPClient(srv.Client()))
	if err != nil {
		log.Fatal(err)
	}
	_, err = api.NewPaymentSession(context.Background(), c, api.PaymentSessionInput{IdempotencyKey: client.NewIdempotencyKey()})
	switch {
	case errors.Is(err, client.ErrUnauthorized):
		fmt.Println("unauthorized:", err)
	case errors.Is(err, client.ErrTemporary):
		fmt.Println("try again later with the same idempotency key")
	case errors.Is(err, client.ErrRejected):
		fmt.Println("fix the request")
	}
	var e *client.Error
	if errors.As(err, &e) {
		fmt.Println(e.StatusCode, e.Errors[0].Code, e.Attempts)
	}
	// Output:
	// unauthorized: kronor: NewPaymentSession: HTTP 401 Unauthorized: invalid-jwt: Could not verify JWT: JWTExpired
	// 401 invalid-jwt 1
}

func ExampleNewIdempotencyKey() {
	key := client.NewIdempotencyKey() // keep it: every retry of this operation reuses it
	fmt.Println(len(key), client.CheckIdempotencyKey(key))
	// Output: 36 <nil>
}

func ExampleDeriveIdempotencyKey() {
	// The same order and refund number always give the same key, so a
	// service that crashes and retries the refund cannot refund twice.
	a := client.DeriveIdempotencyKey("refund", "order-42", "1")
	b := client.DeriveIdempotencyKey("refund", "order-42", "1")
	c := client.DeriveIdempotencyKey("refund", "order-42", "2")
	fmt.Println(a)
	fmt.Println(a == b, a == c)
	// Output:
	// 21cc84f3-a5ff-56cb-b9ff-5c6eb9d442f9
	// true false
}

func ExampleCheckIdempotencyKey() {
	fmt.Println(client.CheckIdempotencyKey("order-42_capture.1"))
	err := client.CheckIdempotencyKey("order 42")
	fmt.Println(err)
	fmt.Println(errors.Is(err, client.ErrInvalidInput))
	// Output:
	// <nil>
	// must be 1 to 64 characters of A-Za-z0-9-_.,[]+ (has ' ' at byte 5)
	// true
}

func ExampleValidationError() {
	v := client.ValidationError{Violations: []client.Violation{
		{Field: "payment.amount", Rule: "must be positive"},
		{Field: "payment.message", Rule: "must be at most 50 characters"},
	}}
	err := v.Err()
	fmt.Println(err)
	fmt.Println(errors.Is(err, client.ErrInvalidInput))
	// Output:
	// kronor: invalid input: payment.amount: must be positive; payment.message: must be at most 50 characters
	// true
}
