package benchmarks_test

import (
	"context"
	"testing"

	"github.com/kronor-io/kronor-go/internal/benchmarks"
)

// TestMeasureListing: every figure is measured and consistent; nothing is
// asserted about speed.
func TestMeasureListing(t *testing.T) {
	r, err := benchmarks.MeasureListing(context.Background(), 1_050, 100, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	if r.Payments != 1_050 || r.PageSize != 100 || r.Iterator <= 0 || r.Loop <= 0 || r.Totals <= 0 ||
		r.PageHeap <= 0 || r.Samples < 1 || r.Samples > 10 || r.TotalsRequests != 1 {
		t.Fatalf("incomplete result %+v", r)
	}
	if r.Segments != 2 || r.TimeRatio <= 0 || !near(r.TotalsRatio, float64(r.Totals)/float64(r.Iterator)) ||
		!near(r.HeapRatio, r.PeakHeap/r.PageHeap) {
		t.Errorf("ratios disagree with their figures: %+v", r)
	}
}
