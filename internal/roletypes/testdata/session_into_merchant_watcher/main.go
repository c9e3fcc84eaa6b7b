// A merchant watcher made from a payment session's client: must not
// compile.
package main

import (
	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/subscriptions"
)

func main() {
	merchant, _ := client.New("merchant-token")
	session := merchant.Session("session-token")
	_, _ = subscriptions.NewMerchantWatcher(session)
}
