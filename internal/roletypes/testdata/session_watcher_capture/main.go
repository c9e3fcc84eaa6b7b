// A capture waited for on a payment session's watcher: the session's role
// cannot read captures, so the wait is not there. Must not compile.
package main

import (
	"context"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/subscriptions"
)

func main() {
	merchant, _ := client.New("merchant-token")
	w, _ := subscriptions.NewSessionWatcher(merchant.Session("session-token"))
	_, _ = w.WaitCapture(context.Background(), 1)
}
