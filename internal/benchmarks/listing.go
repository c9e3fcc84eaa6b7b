package benchmarks

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"time"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/api"
	"github.com/kronor-io/kronor-go/internal/boolexp"
	"github.com/kronor-io/kronor-go/internal/scalars"
	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/payments"
)

// The listing measurement stores payments on an in-process fake (with
// kronortest's AddPayments, not a GraphQL call each), then lists them all,
// in the same run, with payments.All and with a hand-written loop over the
// generated query (api.ListPayments) doing the same keyset paging with the
// same page size; measures the live heap while payments.All iterates beside
// the live heap of one page of the generated query; and times
// payments.Totals over all of them beside the listing.

// ListingResult is what MeasureListing measured.
type ListingResult struct {
	// Payments listed and the page size used.
	Payments, PageSize int
	// Iterator and Loop are the times to list every payment with
	// payments.All and with the hand-written loop, in Segments segments of
	// their creation times, each listed both ways in turn; TimeRatio is the
	// median of the segments' ratios Iterator / Loop.
	Iterator, Loop time.Duration
	TimeRatio      float64
	Segments       int
	// PageHeap is the live heap (after GC) of holding one page the
	// generated query returned; PeakHeap the most live heap, above what
	// was live before, sampled while payments.All iterated over every
	// payment; HeapRatio is PeakHeap / PageHeap.
	PageHeap, PeakHeap float64
	HeapRatio          float64
	// Samples is how many times the heap was sampled while iterating.
	Samples int
	// Totals is the best time of payments.Totals over every payment, in
	// TotalsRequests requests (the most any call took); TotalsRatio is
	// Totals / Iterator.
	Totals         time.Duration
	TotalsRequests int
	TotalsRatio    float64
}

// listingStart is when the first stored payment was made; they follow a
// minute apart.
var listingStart = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// StoreListingPayments stores n payments on srv, a minute apart, in four
// currencies and four methods, every twentieth refunded in part, an eighth
// authorized.
func StoreListingPayments(srv *kronortest.Server, n int) error {
	currencies := []string{"SEK", "SEK", "NOK", "DKK", "EUR"}
	methods := []payments.Method{payments.MethodSwish, payments.MethodCreditCard, payments.MethodVipps, payments.MethodMobilePay}
	start := listingStart
	const chunk = 10_000
	for done := 0; done < n; {
		m := min(chunk, n-done)
		ps := make([]kronortest.StoredPayment, m)
		for i := range ps {
			k := done + i
			p := kronortest.StoredPayment{
				CreatedAt: start.Add(time.Duration(k) * time.Minute),
				Amount:    int64(1000 + k%5000), Currency: currencies[k%len(currencies)], Method: methods[k%len(methods)],
			}
			switch {
			case k%8 == 7:
				p.Status, p.Method = "AUTHORIZED", "CREDIT_CARD"
			case k%20 == 3:
				p.Refunded = p.Amount / 2
			}
			ps[i] = p
		}
		if _, err := srv.AddPayments(ps...); err != nil {
			return err
		}
		done += m
	}
	return nil
}

// ListByHand lists the payments created in f's range as a careful caller would without the SDK's
// iterator: the generated query in a loop, keyset paging on (createdAt, id)
// with page size size, reading each row's key. It returns how many it read.
func ListByHand(ctx context.Context, c *client.Client, f payments.Filter, size int) (int, error) {
	base := boolexp.Payment{CreatedAt: boolexp.Range(f.CreatedFrom, f.CreatedBefore)}
	where := base
	n := 0
	for {
		resp, err := api.ListPayments(ctx, c, where, size)
		if err != nil {
			return n, err
		}
		rows := resp.Payments
		for i := range rows {
			if rows[i].Id <= 0 {
				return n, errors.New("a payment without an id")
			}
			n++
		}
		if len(rows) < size {
			return n, nil
		}
		last := rows[len(rows)-1]
		where = boolexp.Payment{And: []boolexp.Payment{base, {Or: []boolexp.Payment{
			{CreatedAt: boolexp.Gt(last.CreatedAt)},
			{CreatedAt: boolexp.Eq(last.CreatedAt), ID: boolexp.Gt(scalars.BigInt(last.Id))},
		}}}}
	}
}

// ListWithIterator lists the payments f selects with payments.All, page size size,
// calling sample, if not nil, with the count of payments so far after each.
// It returns how many it listed.
func ListWithIterator(ctx context.Context, c *client.Client, f payments.Filter, size int, sample func(n int)) (int, error) {
	n := 0
	for p, err := range payments.All(ctx, c, f, payments.WithPageSize(size)) {
		if err != nil {
			return n, err
		}
		if p.ID <= 0 {
			return n, errors.New("a payment without an id")
		}
		n++
		if sample != nil {
			sample(n)
		}
	}
	return n, nil
}

// liveHeap is the heap in use by live objects, after a collection.
func liveHeap() uint64 {
	runtime.GC() // twice: what sync.Pools held survives the first one
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// MeasureListing stores n payments on an in-process fake and measures the
// listing with page size size in rounds segments (at least one), alternating
// which way lists first, the heap while iterating (sampled at most samples
// times, mid-page), and the totals.
func MeasureListing(ctx context.Context, n, size, rounds, samples int) (ListingResult, error) {
	res := ListingResult{Payments: n, PageSize: size}
	srv := kronortest.NewServer()
	defer srv.Close()
	if err := StoreListingPayments(srv, n); err != nil {
		return res, err
	}
	hc := NewHTTPClient()
	defer hc.CloseIdleConnections()
	c, err := client.New(srv.MerchantToken(), client.WithEndpoint(srv.URL()), client.WithHTTPClient(hc))
	if err != nil {
		return res, err
	}
	check := func(want int) func(got int, err error) error {
		return func(got int, err error) error {
			if err == nil && got != want {
				err = fmt.Errorf("listed %d payments of %d", got, want)
			}
			return err
		}
	}
	// Warm up: the query caches, the connection, the heap's size.
	if _, err := api.ListPayments(ctx, c, boolexp.Payment{}, size); err != nil {
		return res, err
	}
	// The payments are listed in segments of their creation times, each
	// by hand and with the iterator in turn (alternating which goes
	// first), so that both see the same load on a shared machine; the
	// ratio is the median of the segments'.
	segs := max(rounds, 1)
	var ratios []float64
	for i := range segs {
		lo, hi := i*n/segs, (i+1)*n/segs
		f := payments.Filter{CreatedFrom: listingStart.Add(time.Duration(lo) * time.Minute), CreatedBefore: listingStart.Add(time.Duration(hi) * time.Minute)}
		ways := []struct {
			f   func() error
			sum *time.Duration
			d   time.Duration
		}{
			{func() error { return check(hi - lo)(ListByHand(ctx, c, f, size)) }, &res.Loop, 0},
			{func() error { return check(hi - lo)(ListWithIterator(ctx, c, f, size, nil)) }, &res.Iterator, 0},
		}
		if i%2 == 1 {
			ways[0], ways[1] = ways[1], ways[0]
		}
		for j := range ways {
			start := time.Now()
			if err := ways[j].f(); err != nil {
				return res, err
			}
			ways[j].d = time.Since(start)
			*ways[j].sum += ways[j].d
		}
		if i%2 == 1 {
			ways[0], ways[1] = ways[1], ways[0]
		}
		ratios = append(ratios, float64(ways[1].d)/float64(ways[0].d))
	}
	slices.Sort(ratios)
	res.TimeRatio = medianOf(ratios)
	res.Segments = segs

	base := liveHeap()
	page, err := api.ListPayments(ctx, c, boolexp.Payment{}, size)
	if err != nil {
		return res, err
	}
	res.PageHeap = float64(liveHeap()) - float64(base)
	runtime.KeepAlive(page)
	page = nil
	base = liveHeap()
	pages := (n + size - 1) / size
	every := size * max(1, pages/max(samples, 1))
	var peak uint64
	sample := func(i int) {
		if i%every != size/2 {
			return
		}
		res.Samples++
		if h := liveHeap(); h > base && h-base > peak {
			peak = h - base
		}
	}
	// Sampled mid-page: the page and the payments yielded so far of it
	// are live then, as much as at any point of the page.
	if err := check(n)(ListWithIterator(ctx, c, payments.Filter{}, size, sample)); err != nil {
		return res, err
	}
	res.PeakHeap = float64(peak)
	res.HeapRatio = res.PeakHeap / res.PageHeap

	// The best of three, as the listing is the best of its rounds; each
	// must be one request.
	for range 3 {
		before := srv.Requests()
		start := time.Now()
		totals, err := payments.Totals(ctx, c, payments.Filter{})
		d := time.Since(start)
		if err != nil {
			return res, err
		}
		res.TotalsRequests = max(res.TotalsRequests, srv.Requests()-before)
		if res.Totals == 0 || d < res.Totals {
			res.Totals = d
		}
		count := 0
		for _, t := range totals {
			count += t.Payments
		}
		if count != n {
			return res, fmt.Errorf("totals count %d payments of %d", count, n)
		}
	}
	res.TotalsRatio = float64(res.Totals) / float64(res.Iterator)
	return res, nil
}
