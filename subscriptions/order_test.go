package subscriptions

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/conninfo"
	"github.com/kronor-io/kronor-go/payments"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func at(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }

// rep makes a report whose current status is the last of history.
func rep(history ...any) *row[payments.Request] {
	var h []progress
	for i := 0; i < len(history); i += 2 {
		h = append(h, progress{string(history[i].(payments.Status)), at(history[i+1].(int))})
	}
	last := h[len(h)-1]
	return &row[payments.Request]{
		value:   payments.Request{WaitToken: "w", Status: payments.Status(last.status), StatusEnteredAt: last.enteredAt},
		cur:     last,
		history: h,
	}
}

// watchFrom is a watch that has delivered status, entered at enteredAt, as
// its first report.
// discard is the logger of the watches the tests make.
var discard = slog.New(slog.DiscardHandler)

func watchFrom(id uuid.UUID, status payments.Status, enteredAt time.Time) *watch[payments.Request] {
	wt := newWatch(requestKind, tokenKey(id), discard)
	wt.apply(&row[payments.Request]{cur: progress{string(status), enteredAt}})
	wt.take()
	return wt
}

func statuses(events []payments.Request) []payments.Status {
	var out []payments.Status
	for _, e := range events {
		out = append(out, e.Status)
	}
	return out
}

func TestApplyDeliversEachStatusOnceInOrder(t *testing.T) {
	const (
		waiting = payments.StatusWaitingForPayment
		flow    = payments.StatusFlowCompleted
		acc     = payments.StatusAccepted
		paid    = payments.StatusPaid
	)
	wt := watchFrom(uuid.New(), waiting, at(0))
	take := func() []payments.Status {
		events, _, err := wt.take()
		if err != nil {
			t.Fatal(err)
		}
		return statuses(events)
	}

	wt.apply(rep(waiting, 0)) // the subscription's first message: nothing new
	if got := take(); len(got) != 0 {
		t.Fatalf("a repeated status was delivered: %v", got)
	}
	wt.apply(rep(waiting, 0, flow, 1))
	wt.apply(rep(waiting, 0, flow, 1)) // the same change from a poll
	if got := take(); !slices.Equal(got, []payments.Status{flow}) {
		t.Fatalf("got %v, want [FLOW_COMPLETED]", got)
	}
	wt.apply(rep(waiting, 0)) // a stale poll cannot move the request back
	if got := take(); len(got) != 0 {
		t.Fatalf("a stale report was delivered: %v", got)
	}
	// ACCEPTED came and went unseen: the history fills it in, in order.
	wt.apply(rep(waiting, 0, flow, 1, acc, 2, paid, 3))
	if got := take(); !slices.Equal(got, []payments.Status{acc, paid}) {
		t.Fatalf("got %v, want [ACCEPTED PAID]", got)
	}
	wt.apply(rep(waiting, 0, flow, 1, acc, 2, paid, 3, payments.StatusReleased, 4))
	if got := take(); len(got) != 0 {
		t.Fatalf("a status after the final one was delivered: %v", got)
	}
	select {
	case <-wt.notify:
	default:
		t.Error("no notification")
	}
}

func TestApplyOrdersEqualTimesByFlow(t *testing.T) {
	// Several steps in one transaction share a timestamp, and the history
	// comes in no promised order.
	wt := watchFrom(uuid.New(), payments.StatusWaitingForPayment, at(0))
	r := rep(payments.StatusPaid, 1, payments.StatusAccepted, 1, payments.StatusFlowCompleted, 1, payments.StatusWaitingForPayment, 0)
	r.value.Status, r.value.StatusEnteredAt = payments.StatusPaid, at(1)
	r.cur = progress{string(payments.StatusPaid), at(1)}
	wt.apply(r)
	events, _, _ := wt.take()
	want := []payments.Status{payments.StatusFlowCompleted, payments.StatusAccepted, payments.StatusPaid}
	if got := statuses(events); !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestFailEndsTheWatchOnce(t *testing.T) {
	wt := watchFrom(uuid.New(), payments.StatusWaitingForPayment, time.Time{})
	first, second := errors.New("first"), errors.New("second")
	wt.fail(first)
	wt.fail(second)
	wt.apply(rep(payments.StatusPaid, 1))
	events, _, err := wt.take()
	if err != first || len(events) != 0 {
		t.Fatalf("take = %v, %v; want no event and the first error", events, err)
	}
}

func TestSubscriptionErrorClassifies(t *testing.T) {
	cases := []struct {
		name       string
		err        error
		code       string
		unauth     bool
		rejected   bool
		retryable  bool
		wantInText string
	}{
		{"legacy object", fmt.Errorf("%s", `{"message":"field 'x' not found","extensions":{"code":"validation-failed","path":"$"}}`),
			"validation-failed", false, true, false, "field 'x' not found"},
		{"list", fmt.Errorf("%s", `[{"message":"jwt expired","extensions":{"code":"invalid-jwt"}}]`),
			"invalid-jwt", true, false, false, "jwt expired"},
		{"wrapped", fmt.Errorf("%s", `{"errors":[{"message":"busy","extensions":{"type":"TEMPORARY_FAILURE","code":"unexpected"}}]}`),
			"unexpected", false, false, true, "busy"},
		{"text", errors.New("something odd"), "", false, true, false, "something odd"},
	}
	c, err := client.New("token", client.WithEndpoint("http://127.0.0.1:1/v1/graphql"))
	if err != nil {
		t.Fatal(err)
	}
	info, _ := conninfo.Of(c)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ce := subscriptionError(tc.err, info, "WatchPaymentRequest")
			if len(ce.Errors) != 1 || ce.Errors[0].Code != tc.code || ce.Operation != "WatchPaymentRequest" {
				t.Fatalf("subscriptionError = %+v", ce)
			}
			if errors.Is(ce, client.ErrUnauthorized) != tc.unauth || errors.Is(ce, client.ErrRejected) != tc.rejected ||
				errors.Is(ce, client.ErrTemporary) != tc.retryable {
				t.Errorf("%v: unauthorized %v rejected %v temporary %v", ce, errors.Is(ce, client.ErrUnauthorized),
					errors.Is(ce, client.ErrRejected), errors.Is(ce, client.ErrTemporary))
			}
			if !strings.Contains(ce.Error(), tc.wantInText) {
				t.Errorf("Error() = %q, want it to mention %q", ce.Error(), tc.wantInText)
			}
		})
	}
}

func TestStatusErrorMatchesItsStatus(t *testing.T) {
	for status, target := range map[payments.Status]error{
		payments.StatusDeclined:        ErrDeclined,
		payments.StatusCancelled:       ErrCancelled,
		payments.StatusError:           ErrFailed,
		payments.StatusCaptureDeclined: ErrCaptureDeclined,
		payments.StatusReleased:        ErrReleased,
	} {
		err := error(&StatusError{Request: payments.Request{WaitToken: "w", Status: status}})
		if !errors.Is(err, target) {
			t.Errorf("%s: errors.Is(%v) is false", status, target)
		}
		if !strings.Contains(err.Error(), string(status)) {
			t.Errorf("%s: Error() = %q", status, err)
		}
	}
}

func TestBackoffGrowsAndIsCapped(t *testing.T) {
	w := &Watcher{cfg: settings{backoffInitial: 100 * time.Millisecond, backoffMax: 800 * time.Millisecond}}
	for range 100 {
		if d := w.backoff(0); d < 0 || d >= 100*time.Millisecond {
			t.Fatalf("backoff(0) = %v, want [0, 100ms)", d)
		}
		for f, max := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 3: 400 * time.Millisecond, 4: 800 * time.Millisecond, 10: 800 * time.Millisecond} {
			if d := w.backoff(f); d < max/2 || d > max {
				t.Fatalf("backoff(%d) = %v, want [%v, %v]", f, d, max/2, max)
			}
		}
	}
}

// TestApplyGoesOnPastAFinalStatusInOneReport: a report in which the request
// went on from one final status to another (AUTHORIZED, then RELEASED)
// delivers both and ends the watch with the later one.
func TestApplyGoesOnPastAFinalStatusInOneReport(t *testing.T) {
	wt := watchFrom(uuid.New(), payments.StatusWaitingForPayment, at(0))
	wt.apply(rep(payments.StatusWaitingForPayment, 0, payments.StatusAuthorized, 1, payments.StatusReleased, 2))
	events, _, err := wt.take()
	if want := []payments.Status{payments.StatusAuthorized, payments.StatusReleased}; err != nil || !slices.Equal(statuses(events), want) {
		t.Fatalf("take = %v, %v; want %v", statuses(events), err, want)
	}
	wt.apply(rep(payments.StatusReleased, 2, payments.StatusPaid, 3))
	if events, _, _ := wt.take(); len(events) != 0 {
		t.Errorf("a watch that ended took %v", statuses(events))
	}
}

// TestApplyDeliversTheNextStepWithoutANewStatus: the session kind waits for
// the customer's next step too, which may come in a report whose status
// did not change; it is delivered once.
func TestApplyDeliversTheNextStepWithoutANewStatus(t *testing.T) {
	wt := newWatch(sessionRequestKind, tokenKey(uuid.New()), discard)
	waiting := progress{string(payments.StatusWaitingForPayment), at(0)}
	wt.apply(&row[payments.Request]{cur: waiting, value: payments.Request{Status: payments.StatusWaitingForPayment}})
	if events, _, _ := wt.take(); len(events) != 1 {
		t.Fatalf("%d events, want the first status", len(events))
	}
	withURL := &row[payments.Request]{cur: waiting, value: payments.Request{Status: payments.StatusWaitingForPayment, PaymentURL: "https://pay"}}
	wt.apply(withURL)
	events, end, _ := wt.take()
	if len(events) != 1 || events[0].PaymentURL != "https://pay" || end {
		t.Fatalf("take = %+v, %v; want the request with its URL", events, end)
	}
	wt.apply(withURL)
	if events, _, _ := wt.take(); len(events) != 0 {
		t.Fatalf("the step was delivered again: %+v", events)
	}
	// The payment kind does not look for it.
	pw := newWatch(requestKind, tokenKey(uuid.New()), discard)
	pw.apply(&row[payments.Request]{cur: waiting})
	pw.take()
	pw.apply(withURL)
	if events, _, _ := pw.take(); len(events) != 0 {
		t.Fatalf("a payment watch delivered a report without a new status: %+v", events)
	}
}
