// A merchant client where a payment session's client belongs: must not
// compile.
package main

import (
	"context"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/payments"
)

func main() {
	merchant, _ := client.New("merchant-token")
	_, _ = payments.Swish(context.Background(), merchant, payments.SwishParams{})
}
