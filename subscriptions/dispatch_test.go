package subscriptions

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/kronor-io/kronor-go/payments"
)

// paidMessage is a WatchPaymentRequest message's data: id PAID at paidAt.
func paidMessage(id uuid.UUID, paidAt time.Time) []byte {
	ts := paidAt.UTC().Format(time.RFC3339Nano)
	return fmt.Appendf(nil, `{"paymentRequests":[{"waitToken":%q,"amount":10000,"currency":"SEK","createdAt":%q,`+
		`"reference":"order-1","paymentProvider":"SWISH","resultingPaymentId":1,"transactionId":"tx",`+
		`"status":[{"status":"PAID","enteredAt":%q}],"statusHistory":[{"status":"PAID","enteredAt":%q}]}]}`,
		id, ts, ts, ts)
}

// TestSubscriptionDataIsDecodedByTheCaller: the read loop's part of a
// message is to queue its data and wake the watch; the caller's goroutine
// decodes it, in order of arrival, when it takes the watch's events. Data
// that does not decode is logged then and skipped, and what follows it
// still counts.
func TestSubscriptionDataIsDecodedByTheCaller(t *testing.T) {
	var logs bytes.Buffer
	id := uuid.New()
	wt := newWatch(requestKind, tokenKey(id), slog.New(slog.NewTextHandler(&logs, nil)))
	wt.apply(&row[payments.Request]{cur: progress{string(payments.StatusWaitingForPayment), at(0)}})
	wt.take()

	data := paidMessage(id, at(2))
	wt.onData([]byte(`{"paymentRequests":"garbage"}`))
	wt.onData(data)
	data[0] = 'x' // the watch keeps its own copy
	select {
	case <-wt.notify:
	default:
		t.Fatal("onData did not wake the watch")
	}
	if logs.Len() != 0 {
		t.Fatalf("the data was decoded on the read loop: %s", &logs)
	}
	events, end, err := wt.take()
	if err != nil || !end || len(events) != 1 || events[0].Status != payments.StatusPaid {
		t.Fatalf("take = %v, %v, %v; want PAID, the end", statuses(events), end, err)
	}
	if !strings.Contains(logs.String(), "undecodable subscription data") {
		t.Errorf("the undecodable data was not logged: %q", &logs)
	}
	wt.onData(paidMessage(id, at(3)))
	if len(wt.raw) != 0 {
		t.Errorf("a watch that ended queued %d more messages", len(wt.raw))
	}
}

// TestFailComesAfterQueuedData: data the subscription delivered before the
// watch failed (the watcher closing) counts first: a payment already
// reported PAID ends PAID, not with the failure.
func TestFailComesAfterQueuedData(t *testing.T) {
	id := uuid.New()
	wt := watchFrom(id, payments.StatusWaitingForPayment, at(0))
	wt.onData(paidMessage(id, at(2)))
	wt.fail(ErrClosed)
	events, end, err := wt.take()
	if err != nil || !end || len(events) != 1 || events[0].Status != payments.StatusPaid {
		t.Fatalf("take = %v, %v, %v; want PAID, the end, no error", statuses(events), end, err)
	}

	other := watchFrom(uuid.New(), payments.StatusWaitingForPayment, at(0))
	other.fail(ErrClosed)
	if _, _, err := other.take(); !errors.Is(err, ErrClosed) {
		t.Errorf("a watch with nothing queued: err = %v, want ErrClosed", err)
	}
}
