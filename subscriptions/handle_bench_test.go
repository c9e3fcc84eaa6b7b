package subscriptions

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/kronor-io/kronor-go/payments"
)

// BenchmarkHandleMessage measures the watcher's own work for one
// subscription message: on the client's read loop, queueing the data on the
// watch; on the caller's goroutine, decoding it in one pass into the kind's
// wire type (wire.go) and applying it to the watch.
func BenchmarkHandleMessage(b *testing.B) {
	w := &Watcher{}
	id := uuid.New()
	now := time.Now().UTC()
	data := []byte(fmt.Sprintf(`{"paymentRequests":[{"waitToken":%q,"amount":10000,"currency":"SEK",`+
		`"createdAt":%q,"reference":"order-1","paymentProvider":"SWISH","resultingPaymentId":1,`+
		`"transactionId":"tx","status":[{"status":"PAID","enteredAt":%q}],`+
		`"statusHistory":[{"status":"WAITING_FOR_PAYMENT","enteredAt":%q},{"status":"PAID","enteredAt":%q}]}]}`,
		id, now.Format(time.RFC3339Nano), now.Format(time.RFC3339Nano), now.Add(-time.Second).Format(time.RFC3339Nano), now.Format(time.RFC3339Nano)))
	b.ReportAllocs()
	for b.Loop() {
		wt := watchFrom(id, payments.StatusWaitingForPayment, now.Add(-time.Second))
		w.onMessage(wt, 1, data, nil)
		if events, _, _ := wt.take(); len(events) != 1 {
			b.Fatalf("%d events", len(events))
		}
	}
}
