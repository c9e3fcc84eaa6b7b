package refunds_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/e2etest"
	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/refunds"
)

// TestAllListsInOrderAndResumes: refunds made at one instant are ordered by
// wait token, paged without repeats, filtered by payment and status, and a
// listing resumes after a saved cursor.
func TestAllListsInOrderAndResumes(t *testing.T) {
	ctx := context.Background()
	clock := kronortest.NewManualClock(time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC))
	g := e2etest.New(t, kronortest.WithClock(clock))
	ids, err := g.Srv.AddPayments(kronortest.StoredPayment{Amount: 5000}, kronortest.StoredPayment{Amount: 5000})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := refunds.Create(ctx, g.Merchant, refunds.Params{Amount: 100, PaymentID: ids[i%2], Message: "Refund"}); err != nil {
			t.Fatal(err)
		}
	}
	g.Srv.Settle()
	var all []refunds.Refund
	for r, err := range refunds.All(ctx, g.Merchant, refunds.Filter{}, refunds.WithPageSize(2)) {
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, r)
	}
	if len(all) != 5 || !slices.IsSortedFunc(all, func(a, b refunds.Refund) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return compareTokens(a.WaitToken, b.WaitToken)
	}) {
		t.Fatalf("listed %+v", all)
	}
	var ofFirst []refunds.Refund
	for r, err := range refunds.All(ctx, g.Merchant, refunds.Filter{PaymentID: ids[0], Statuses: []refunds.Status{refunds.StatusPaid}}) {
		if err != nil {
			t.Fatal(err)
		}
		ofFirst = append(ofFirst, r)
	}
	if len(ofFirst) != 3 || ofFirst[0].PaymentID != ids[0] || ofFirst[0].Amount != 100 || !ofFirst[0].Status.Succeeded() {
		t.Errorf("refunds of payment %d: %+v", ids[0], ofFirst)
	}
	text, _ := all[1].Cursor().MarshalText()
	var cur refunds.Cursor
	if err := cur.UnmarshalText(text); err != nil {
		t.Fatal(err)
	}
	var rest []string
	for r, err := range refunds.All(ctx, g.Merchant, refunds.Filter{After: cur}, refunds.WithPageSize(2)) {
		if err != nil {
			t.Fatal(err)
		}
		rest = append(rest, r.WaitToken)
	}
	want := []string{all[2].WaitToken, all[3].WaitToken, all[4].WaitToken}
	if !slices.Equal(rest, want) {
		t.Errorf("after %s: %v, want %v", text, rest, want)
	}
}

func compareTokens(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestAllRefusesBadInput(t *testing.T) {
	g := e2etest.New(t)
	from := time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC)
	bad := refunds.Filter{CreatedFrom: from, CreatedBefore: from.Add(-time.Hour), Statuses: []refunds.Status{"REVERSED"},
		PaymentID: -4, After: refunds.Cursor{CreatedAt: from, WaitToken: "nope"}}
	for _, err := range refunds.All(context.Background(), g.Merchant, bad, refunds.WithPageSize(refunds.MaxPageSize+1)) {
		var ve *client.ValidationError
		if !errors.As(err, &ve) {
			t.Fatalf("error %v, want a ValidationError", err)
		}
		var fields []string
		for _, v := range ve.Violations {
			fields = append(fields, v.Field)
		}
		if want := []string{"filter.createdBefore", "filter.statuses[0]", "filter.paymentId", "filter.after", "pageSize"}; !slices.Equal(fields, want) {
			t.Errorf("fields %v, want %v", fields, want)
		}
	}
	if n := g.Srv.Requests(); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}
