package captures_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/captures"
	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/e2etest"
	"github.com/kronor-io/kronor-go/kronortest"
)

// TestAllAndReleases lists captures and releases in creation order, by
// status and payment, across pages, and resumes after a cursor.
func TestAllAndReleases(t *testing.T) {
	ctx := context.Background()
	clock := kronortest.NewManualClock(time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC))
	g := e2etest.New(t, kronortest.WithClock(clock))
	ids, err := g.Srv.AddPayments(
		kronortest.StoredPayment{Amount: 5000, Method: "CREDIT_CARD", Status: "AUTHORIZED"},
		kronortest.StoredPayment{Amount: 5000, Method: "CREDIT_CARD", Status: "AUTHORIZED"},
		kronortest.StoredPayment{Amount: 3000, Method: "CREDIT_CARD", Status: "AUTHORIZED"},
	)
	if err != nil {
		t.Fatal(err)
	}
	var made []int64
	for i := range 4 {
		r, err := captures.Create(ctx, g.Merchant, captures.Params{Amount: 1000, PaymentID: ids[i%2]})
		if err != nil {
			t.Fatal(err)
		}
		made = append(made, r.ID)
		clock.Advance(time.Second)
	}
	if _, err := captures.Release(ctx, g.Merchant, captures.ReleaseParams{Amount: 3000, PaymentID: ids[2]}); err != nil {
		t.Fatal(err)
	}
	g.Srv.Settle()

	var got []int64
	for c, err := range captures.All(ctx, g.Merchant, captures.Filter{Statuses: []captures.Status{captures.StatusDone}}, captures.WithPageSize(3)) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, c.ID)
	}
	if !slices.Equal(got, made) {
		t.Errorf("captures %v, want %v", got, made)
	}
	var ofFirst []*captures.Capture
	for c, err := range captures.All(ctx, g.Merchant, captures.Filter{PaymentID: ids[0], After: captures.Cursor{CreatedAt: clock.Now().Add(-4 * time.Second), ID: made[0]}}) {
		if err != nil {
			t.Fatal(err)
		}
		ofFirst = append(ofFirst, c)
	}
	if len(ofFirst) != 1 || ofFirst[0].ID != made[2] || ofFirst[0].PaymentID != ids[0] || ofFirst[0].Amount != 1000 {
		t.Errorf("captures of payment %d after the first: %+v", ids[0], ofFirst)
	}
	var rels []*captures.TransactionRelease
	for r, err := range captures.Releases(ctx, g.Merchant, captures.ReleaseFilter{Statuses: []captures.ReleaseStatus{captures.ReleaseDone}}) {
		if err != nil {
			t.Fatal(err)
		}
		rels = append(rels, r)
	}
	if len(rels) != 1 || rels[0].PaymentID != ids[2] || rels[0].Status != captures.ReleaseDone || len(rels[0].StatusHistory) == 0 {
		t.Errorf("releases %+v", rels)
	}
}

func TestListRefusesBadInput(t *testing.T) {
	g := e2etest.New(t)
	at := time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC)
	fields := func(err error) []string {
		var ve *client.ValidationError
		if !errors.As(err, &ve) {
			t.Fatalf("error %v, want a ValidationError", err)
		}
		var out []string
		for _, v := range ve.Violations {
			out = append(out, v.Field)
		}
		return out
	}
	for _, err := range captures.All(context.Background(), g.Merchant, captures.Filter{CreatedFrom: at, CreatedBefore: at.Add(-1), Statuses: []captures.Status{"DONE"}, After: captures.Cursor{ID: 1}}, captures.WithPageSize(-1)) {
		if got, want := fields(err), []string{"filter.createdBefore", "filter.after", "filter.statuses[0]", "pageSize"}; !slices.Equal(got, want) {
			t.Errorf("captures: fields %v, want %v", got, want)
		}
	}
	for _, err := range captures.Releases(context.Background(), g.Merchant, captures.ReleaseFilter{Statuses: []captures.ReleaseStatus{"CAPTURE_DONE"}, PaymentID: -1}) {
		if got, want := fields(err), []string{"filter.paymentId", "filter.statuses[0]"}; !slices.Equal(got, want) {
			t.Errorf("releases: fields %v, want %v", got, want)
		}
	}
	if n := g.Srv.Requests(); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}
