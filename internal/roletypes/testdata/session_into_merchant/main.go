// A payment session's client where the merchant client belongs: must not
// compile.
package main

import (
	"context"

	"github.com/kronor-io/kronor-go/captures"
	"github.com/kronor-io/kronor-go/client"
)

func main() {
	merchant, _ := client.New("merchant-token")
	session := merchant.Session("session-token")
	_, _ = captures.Create(context.Background(), session, captures.Params{})
}
