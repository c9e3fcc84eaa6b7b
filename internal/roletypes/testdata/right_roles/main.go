// Each client where it belongs, and both where either works: compiles.
package main

import (
	"context"

	"github.com/kronor-io/kronor-go/captures"
	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/subscriptions"
)

func main() {
	ctx := context.Background()
	merchant, _ := client.New("merchant-token")
	session := merchant.Session("session-token")
	_, _ = payments.Swish(ctx, session, payments.SwishParams{})
	_, _ = captures.Create(ctx, merchant, captures.Params{})
	_, _ = payments.CapturePayPal(ctx, merchant, payments.CapturePayPalParams{})
	_, _ = payments.CapturePayPal(ctx, session, payments.CapturePayPalParams{})
	_, _ = subscriptions.NewWatcher(merchant)
	_, _ = subscriptions.NewWatcher(session)
	if mw, err := subscriptions.NewMerchantWatcher(merchant); err == nil {
		_, _ = mw.WaitCapture(ctx, 1)
		_, _ = mw.Wait(ctx, "00000000-0000-0000-0000-000000000000")
	}
	if sw, err := subscriptions.NewSessionWatcher(session); err == nil {
		_, _ = sw.NextStep(ctx, "00000000-0000-0000-0000-000000000000")
	}
}
