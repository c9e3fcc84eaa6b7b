package main

import (
	"context"
	"fmt"

	"github.com/kronor-io/kronor-go/internal/benchmarks"
)

// The reconciliation figures (issue 13): listing payments from the fake with
// payments.All beside a hand-written loop over the generated query, the heap
// while iterating beside one page, and payments.Totals beside the listing.

// listingKeys are the rows listingRows adds, in order.
var listingKeys = []string{"list.time", "list.heap", "list.totals", "list.totals.requests"}

// listingSize is how many payments are listed: 100,000, or 5,000 with
// -quick.
func listingSize(sz sizes) (payments, pageSize, segments int) {
	if sz == quick {
		return 5_000, 500, 2
	}
	return 100_000, 500, 10
}

func listingRows(ctx context.Context, sz sizes, progress func(string, ...any)) []row {
	n, size, segments := listingSize(sz)
	figures := []string{
		fmt.Sprintf("listing %s payments, payments.All (page %d)", thousands(float64(n)), size),
		"listing: live heap while iterating",
		fmt.Sprintf("totals of %s payments (payments.Totals)", thousands(float64(n))),
		"totals: requests",
	}
	progress("listing %d payments from the fake, %d a page, and their totals...", n, size)
	res, err := benchmarks.MeasureListing(ctx, n, size, segments, 10)
	if err != nil {
		rows := make([]row, len(listingKeys))
		for i := range rows {
			rows[i] = errorRow(listingKeys[i], figures[i], err)
		}
		return rows
	}
	return []row{
		judge(row{
			Key: listingKeys[0], Figure: figures[0], Measured: ms(res.Iterator), Unit: "ms",
			Baseline: ptr(ms(res.Loop)), BaselineWhat: "hand-written loop over the generated query",
			Ratio: ptr(res.TimeRatio), Goal: "≤ 1.1×",
		}, res.TimeRatio <= 1.1),
		judge(row{
			Key: listingKeys[1], Figure: figures[1], Measured: res.PeakHeap, Unit: "bytes",
			Baseline: ptr(res.PageHeap), BaselineWhat: "one page of the generated query",
			Ratio: ptr(res.HeapRatio), Goal: "≤ 2×",
		}, res.PeakHeap > 0 && res.HeapRatio <= 2),
		judge(row{
			Key: listingKeys[2], Figure: figures[2], Measured: ms(res.Totals), Unit: "ms",
			Baseline: ptr(ms(res.Iterator)), BaselineWhat: "listing them with payments.All",
			Ratio: ptr(res.TotalsRatio), Goal: "< 0.05×",
		}, res.TotalsRatio < 0.05),
		judge(row{
			Key: listingKeys[3], Figure: figures[3], Measured: float64(res.TotalsRequests), Unit: "requests",
			Goal: "1",
		}, res.TotalsRequests == 1),
	}
}

// listingNotes explain the listing's rows.
func listingNotes(sz sizes) []string {
	n, size, segments := listingSize(sz)
	return []string{fmt.Sprintf("listing: %s payments stored on the in-process fake (kronortest AddPayments), listed with payments.All and with a hand-written keyset loop over api.ListPayments, same page size (%d), in %d segments of their creation times, each listed both ways in turn, alternating which goes first; the times are the sums, the ratio the median of the segments' ratios. The heap is the live heap after GC, sampled mid-page while payments.All iterates (%s) beside one page of the generated query held; it includes the fake's own, so only the growth above the start counts. Totals: the best of three payments.Totals calls over every payment, beside the listing's time.",
		thousands(float64(n)), size, segments, "at most 10 samples")}
}
