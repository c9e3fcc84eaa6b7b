// Command kronor-bench prints the SDK's performance report: every figure
// the project set a goal for, each beside a baseline measured in the same
// run, the ratio of the two, the goal, and whether it is met.
//
//	go run ./cmd/kronor-bench          # the full report (10 to 20 seconds on two cores)
//	go run ./cmd/kronor-bench -quick   # smaller sizes, a second or two
//	go run ./cmd/kronor-bench -json    # machine-readable
//
// The figures: the client's overhead over hand-written net/http +
// encoding/json (time and allocations per call); checkout flows on the fake
// gateway (kronortest), as the share of the machine's loopback HTTP
// capacity they use (their round trips per second beside bare loopback
// round trips per second), and the heap per stored payment; the latency
// from a status change to subscriptions.Watcher.Wait returning beside a
// loop polling every 500 ms, and from a capture's or refund's settlement to
// its wait returning beside the payment wait's; 10,000 concurrent waits on
// one watcher:
// websockets used, memory per watch beside idle goroutines, time from
// approving all to all returning beside the fake's own time applying the
// approvals and pushing them, and as many waits of mixed kinds (payments, captures, releases,
// refunds): websockets used, heap per wait beside a payment wait's; and the
// size of a small program's binary with the SDK beside
// the same program on net/http. The fake gateway of the concurrent waits
// runs in a child process (this program, started again), so the memory
// measured is the watcher's alone.
//
// Every goal is a ratio to a baseline measured in the same run, so that it
// does not move with the machine. A missed goal is printed as MISSED and
// does not change the exit status: this is a report. A measurement that
// fails is printed as ERROR and makes the exit status 1.
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kronor-io/kronor-go/internal/benchmarks"
	"github.com/kronor-io/kronor-go/kronortest"
)

func main() {
	benchmarks.ServeGatewayIfAsked()
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// gatewayArgs are the arguments this program is started again with to
// serve the fake gateway of the concurrent waits (the environment tells it
// to; see benchmarks.ServeGatewayIfAsked).
var gatewayArgs []string

// sizes are the sizes of the measurements.
type sizes struct {
	overheadCalls  int           // calls of each path, per transport
	flows          int           // checkout flows timed
	storedPayments int           // payments stored for the heap figure
	latencySamples int           // payment requests watched, and polled
	pollInterval   time.Duration // the polling baseline's interval
	waits          int           // concurrent waits on one watcher
	waitRounds     int           // rounds of the waits; the rows are the median round's
}

var (
	full  = sizes{overheadCalls: 20_000, flows: 4_000, storedPayments: 2_000, latencySamples: 200, pollInterval: 500 * time.Millisecond, waits: 10_000, waitRounds: 3}
	quick = sizes{overheadCalls: 500, flows: 200, storedPayments: 200, latencySamples: 20, pollInterval: 500 * time.Millisecond, waits: 300, waitRounds: 1}
)

// Met values.
const (
	metYes    = "yes"
	metMissed = "MISSED"
	metNoGoal = "-"
	metError  = "ERROR"
)

// row is one figure of the report.
type row struct {
	Key          string   `json:"key"`
	Figure       string   `json:"figure"`
	Measured     float64  `json:"measured"`
	Unit         string   `json:"unit"`
	Baseline     *float64 `json:"baseline,omitempty"`
	BaselineWhat string   `json:"baseline_what,omitempty"`
	Ratio        *float64 `json:"ratio,omitempty"`
	Goal         string   `json:"goal,omitempty"`
	Met          string   `json:"met"`
	Error        string   `json:"error,omitempty"`
}

// report is the whole report, as -json prints it.
type report struct {
	Quick      bool     `json:"quick"`
	GoVersion  string   `json:"go_version"`
	GOOS       string   `json:"goos"`
	GOARCH     string   `json:"goarch"`
	GOMAXPROCS int      `json:"gomaxprocs"`
	Rows       []row    `json:"rows"`
	Missed     int      `json:"missed"`
	Errors     int      `json:"errors"`
	Notes      []string `json:"notes"`
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kronor-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	quickFlag := fs.Bool("quick", false, "smaller sizes (for CI and tests); the figures are then indicative only")
	jsonFlag := fs.Bool("json", false, "print the report as JSON")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: kronor-bench [-quick] [-json]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	sz := full
	if *quickFlag {
		sz = quick
	}
	progress := func(format string, a ...any) {
		if !*jsonFlag {
			fmt.Fprintf(stderr, format+"\n", a...)
		}
	}
	rep := measure(ctx, sz, progress)
	rep.Quick = *quickFlag
	if *jsonFlag {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
	} else {
		printTable(stdout, rep)
	}
	if rep.Errors > 0 {
		return 1
	}
	return 0
}

// measure runs every measurement and builds the report.
func measure(ctx context.Context, sz sizes, progress func(string, ...any)) report {
	rep := report{
		GoVersion: runtime.Version(), GOOS: runtime.GOOS, GOARCH: runtime.GOARCH,
		GOMAXPROCS: runtime.GOMAXPROCS(0),
	}
	add := func(rows ...row) { rep.Rows = append(rep.Rows, rows...) }

	progress("client overhead: %d calls of each path, loopback and in memory...", sz.overheadCalls)
	add(overheadRows("loopback server", "client.loopback", benchmarks.OverheadLoopback, sz.overheadCalls)...)
	add(overheadRows("in-memory transport", "client.inmemory", benchmarks.OverheadInMemory, sz.overheadCalls)...)

	progress("checkout flows: %d flows, beside bare loopback round trips, on as many workers as saturate the loopback...", sz.flows)
	add(checkoutRows(sz.flows)...)
	progress("heap per stored payment: %d payments...", sz.storedPayments)
	add(storedRow(sz.storedPayments))

	progress("watch latency: %d payments watched, %d polled every %v...", sz.latencySamples, sz.latencySamples, sz.pollInterval)
	add(latencyRows(ctx, sz)...)

	progress("%d concurrent waits on one watcher, fake gateway in a child process, %d rounds...", sz.waits, sz.waitRounds)
	add(waitsRows(ctx, sz.waits, sz.waitRounds)...)

	progress("binary size: building a checkout program with the SDK and on net/http...")
	add(binaryRow(ctx))

	add(listingRows(ctx, sz, progress)...)

	for _, r := range rep.Rows {
		switch r.Met {
		case metMissed:
			rep.Missed++
		case metError:
			rep.Errors++
		}
	}
	rep.Notes = append(notes(sz), listingNotes(sz)...)
	return rep
}

// notes explain the baselines, printed under the table.
func notes(sz sizes) []string {
	return []string{
		"client overhead: one small query (CaptureByID) through client.Client and the generated code, beside hand-written net/http + encoding/json making the same request, in rounds of 50 calls of each, alternating which goes first; times are medians over the rounds, and the time ratio the median of the rounds' ratios. Allocations are counted process-wide, so the loopback rows include the in-process server's, alike for both paths; the in-memory rows have no server.",
		"checkout: session, Swish payment, approval, query until PAID, over raw HTTP on the in-process fake, the flows building their request bodies around the values that change and reading from each answer, by scanning, only the member they need: a token, a wait token, a status (the measuring side's JSON work kept near what a bare round trip's is; both sides check every answer for HTTP 200, data and no errors); \"round trips/s within flows\" is flows/s × the HTTP round trips each flow made. The baseline, the physical limit, is bare loopback POSTs against a handler that does nothing, same client and workers, three for each flow. Both run on as many workers as saturate the loopback: the multiple of GOMAXPROCS (1, 2, 4 or 8) at which bare round trips/s peaked in a sweep just before (with only GOMAXPROCS workers, client and server goroutines take turns and the cores are not kept busy). Both run in 8 rounds, alternating which goes first; the round trips/s and their ratio are medians over the rounds. Heap per stored payment: whole checkouts stored, after GC.",
		fmt.Sprintf("watch latency: from just before the fake's status change (Approve) to Wait returning, %d payments on one watcher, one approval at a time; the baseline polls the same query over HTTP every %v, loops' phases spread evenly.", sz.latencySamples, sz.pollInterval),
		fmt.Sprintf("concurrent waits: %s waits on one watcher of one merchant token, in %d rounds (a new watcher each; the rows are the round whose \"approving all\" ratio is the median), against the fake in a child process, so the heap and stack measured (after GC, before the watcher and with every wait subscribed) are this process's alone: the watcher's state and the blocked callers' goroutines. Baseline: as many goroutines blocked receiving from a channel, measured after the waits ended, so the runtime reuses their goroutine descriptors and the baseline's heap is little more than that. \"approving all\" runs from asking the fake to approve every request to the last Wait returning. Its baseline is the fake's own time applying the approvals and pushing the changes, measured in the fake from its first approval to its last push (kronortest.Server.Pushes), one push for each wait; the fake pushes asynchronously, most of the changes after its loop over the approvals has ended, so that loop alone (the second row's baseline, the goal's baseline before) leaves the fake's own pushing in the measured time. \"last approval\" runs from the fake's answer that it approved the last one, \"last push sent\" from its last push (with the approve command's trip to the fake), to the last Wait returning.", thousands(float64(sz.waits)), max(sz.waitRounds, 1)),
		fmt.Sprintf("capture and refund latency: %d captures (refunds), one at a time, each created on the fake with manual settlement, waited for on one merchant watcher until subscribed, then settled: from just before the settlement to WaitCapture (WaitRefund) returning. Baseline: the p50 of as many payment waits measured alike in the same run (a Swish payment request started, Wait until subscribed, then approved: the same loop, with the same pause while each wait subscribes); the watch latency rows above approve 200 waits subscribed beforehand back to back, with no pause, which on this machine comes out about twice as fast as the same wait after a pause of 10 ms.", sz.latencySamples),
		fmt.Sprintf("mixed waits: %s waits on one merchant watcher, a quarter each of payment requests, captures, releases and refunds, all pending at the fake in the child process; heap per wait measured as for the concurrent waits, beside the payment-only waits' heap per watch of the same run. Both run after as many idle goroutines (plus a fifth) came and went, so neither pays for goroutine descriptors the other reuses; the mixed waits run first.", thousands(float64(sz.waits))),
		"binary size: go build (default flags) of internal/benchmarks/testdata/binsize/sdk, a checkout (session, Swish payment, Watcher.Wait until paid) with client, sessions, payments and subscriptions, beside testdata/binsize/nethttp, the same checkout on net/http + encoding/json, waiting by polling.",
	}
}

func ptr(f float64) *float64 { return &f }

func errorRow(key, figure string, err error) row {
	return row{Key: key, Figure: figure, Met: metError, Error: err.Error()}
}

// judge sets r.Met from ok.
func judge(r row, ok bool) row {
	if ok {
		r.Met = metYes
	} else {
		r.Met = metMissed
	}
	return r
}

func overheadRows(what, key string, f func(int) (benchmarks.OverheadResult, error), calls int) []row {
	res, err := f(calls)
	if err != nil {
		return []row{
			errorRow(key+".time", "client overhead, time/op ("+what+")", err),
			errorRow(key+".allocs", "client overhead, allocs/op ("+what+")", err),
		}
	}
	return []row{
		judge(row{
			Key: key + ".time", Figure: "client overhead, time/op (" + what + ")",
			Measured: us(res.ClientTime), Unit: "µs",
			Baseline: ptr(us(res.BaselineTime)), BaselineWhat: "net/http + encoding/json",
			Ratio: ptr(res.TimeRatio), Goal: "≤ 1.05×",
		}, res.TimeRatio <= 1.05),
		judge(row{
			Key: key + ".allocs", Figure: "client overhead, allocs/op (" + what + ")",
			Measured: res.ClientAllocs, Unit: "allocs",
			Baseline: ptr(res.BaselineAllocs), BaselineWhat: "net/http + encoding/json",
			Ratio: ptr(res.AllocsRatio), Goal: "≤ 1.5×",
		}, res.AllocsRatio <= 1.5),
	}
}

// workerFactors are the multiples of GOMAXPROCS among which the checkout
// measurement picks its workers: the one at which bare loopback round
// trips peak (benchmarks.SaturatingWorkers).
var workerFactors = []int{1, 2, 4, 8}

func checkoutRows(flows int) []row {
	const flowsKey, shareKey = "checkout.flows", "checkout.share"
	flowsFig := "checkout flows/s on the fake"
	shareFig := "checkout: round trips/s within flows, share of the physical limit"
	fail := func(err error) []row {
		return []row{errorRow(flowsKey, flowsFig, err), errorRow(shareKey, shareFig, err)}
	}
	procs := runtime.GOMAXPROCS(0)
	candidates := make([]int, len(workerFactors))
	for i, f := range workerFactors {
		candidates[i] = f * procs
	}
	hc := benchmarks.NewHTTPClient()
	workers, err := benchmarks.SaturatingWorkers(hc, candidates, max(flows/2, 100), 3)
	hc.CloseIdleConnections()
	if err != nil {
		return fail(err)
	}
	flowsFig += fmt.Sprintf(" (%d workers)", workers)
	res, err := benchmarks.MeasureCheckout(flows, workers)
	if err != nil {
		return fail(err)
	}
	return []row{
		{
			Key: flowsKey, Figure: flowsFig + fmt.Sprintf(", %s round trips each", sig(res.RoundTripsPerFlow)),
			Measured: res.FlowsPerSecond, Unit: "flows/s", Met: metNoGoal,
		},
		judge(row{
			Key: shareKey, Figure: shareFig,
			Measured: res.FlowRoundTripsPerSecond, Unit: "round trips/s",
			Baseline: ptr(res.BareRoundTripsPerSecond), BaselineWhat: "bare loopback round trips/s",
			Ratio: ptr(res.ShareOfLimit), Goal: "≥ 0.5×",
		}, res.ShareOfLimit >= 0.5),
	}
}

func storedRow(n int) row {
	const key, figure = "checkout.heap", "heap per stored payment on the fake"
	b, err := benchmarks.StoredPaymentHeap(nil, n)
	if err != nil {
		return errorRow(key, figure, err)
	}
	return row{Key: key, Figure: figure, Measured: b, Unit: "bytes", Goal: "reported", Met: metNoGoal}
}

func latencyRows(ctx context.Context, sz sizes) []row {
	const p50Key, p99Key = "watch.p50", "watch.p99"
	p50Fig, p99Fig := "watch latency p50 (status change → Wait returns)", "watch latency p99"
	objKeys := []string{"watch.capture.p50", "watch.refund.p50"}
	objFigs := []string{"capture latency p50 (settled → WaitCapture returns)", "refund latency p50 (settled → WaitRefund returns)"}
	fail := func(err error) []row {
		return []row{errorRow(p50Key, p50Fig, err), errorRow(p99Key, p99Fig, err),
			errorRow(objKeys[0], objFigs[0], err), errorRow(objKeys[1], objFigs[1], err)}
	}
	// Captures and refunds settle when the measurement says so.
	g := benchmarks.NewLocalGateway(kronortest.WithManualSettlement())
	defer g.Close()
	merchant, tr, err := benchmarks.NewMerchant(g, 32)
	if err != nil {
		return fail(err)
	}
	defer tr.CloseIdleConnections()
	watch, err := benchmarks.WatchLatency(ctx, g, merchant, sz.latencySamples)
	if err != nil {
		return fail(err)
	}
	poll, err := benchmarks.PollLatency(ctx, g, merchant, sz.latencySamples, sz.pollInterval)
	if err != nil {
		return fail(err)
	}
	// The captures' and refunds' baseline: payment waits measured in the
	// same loop, each wait subscribed and then its payment approved.
	alike, err := benchmarks.ObjectWatchLatency(ctx, g, merchant, benchmarks.ObjectPayment, sz.latencySamples)
	if err != nil {
		return fail(err)
	}
	var objs []benchmarks.Latencies
	for _, kind := range []benchmarks.Object{benchmarks.ObjectCapture, benchmarks.ObjectRefund} {
		l, err := benchmarks.ObjectWatchLatency(ctx, g, merchant, kind, sz.latencySamples)
		if err != nil {
			return fail(err)
		}
		objs = append(objs, l)
	}
	what := fmt.Sprintf("HTTP poll every %v", sz.pollInterval)
	objRow := func(i int) row {
		ratio := float64(objs[i].P50) / float64(alike.P50)
		return judge(row{
			Key: objKeys[i], Figure: objFigs[i], Measured: ms(objs[i].P50), Unit: "ms",
			Baseline: ptr(ms(alike.P50)), BaselineWhat: "a payment wait's p50, measured alike",
			Ratio: ptr(ratio), Goal: "≤ 2×",
		}, ratio <= 2)
	}
	return []row{
		judge(row{
			Key: p50Key, Figure: p50Fig, Measured: ms(watch.P50), Unit: "ms",
			Baseline: ptr(ms(poll.P50)), BaselineWhat: what,
			Ratio: ptr(float64(watch.P50) / float64(poll.P50)), Goal: "≤ 1 ms",
		}, watch.P50 <= time.Millisecond),
		judge(row{
			Key: p99Key, Figure: p99Fig, Measured: ms(watch.P99), Unit: "ms",
			Baseline: ptr(ms(poll.P99)), BaselineWhat: what,
			Ratio: ptr(float64(watch.P99) / float64(poll.P99)), Goal: "≤ 5 ms",
		}, watch.P99 <= 5*time.Millisecond),
		objRow(0), objRow(1),
	}
}

func waitsRows(ctx context.Context, n, rounds int) []row {
	keys := []string{"waits.websockets", "waits.heap", "waits.stack", "waits.resolve", "waits.loop", "waits.tail", "waits.afterpush", "mixed.websockets", "mixed.heap"}
	prefix := thousands(float64(n)) + " concurrent waits: "
	mixed := thousands(float64(n)) + " concurrent waits of payments, captures, releases and refunds: "
	figures := []string{
		prefix + "websocket connections used",
		prefix + "heap per watch",
		prefix + "stack per blocked Wait (the caller's goroutine)",
		prefix + "approving all → all returned",
		prefix + "approving all → all returned, beside the fake's approval loop alone",
		prefix + "last approval → all returned",
		prefix + "last push sent → all returned",
		mixed + "websocket connections used",
		mixed + "heap per wait",
	}
	fail := func(err error) []row {
		rows := make([]row, len(keys))
		for i := range keys {
			rows[i] = errorRow(keys[i], figures[i], err)
		}
		return rows
	}
	g, err := benchmarks.StartSelfGateway(gatewayArgs...)
	if err != nil {
		return fail(err)
	}
	defer g.Close()
	merchant, tr, err := benchmarks.NewMerchant(g, 32)
	if err != nil {
		return fail(err)
	}
	defer tr.CloseIdleConnections()
	// The runtime never frees a goroutine's descriptor: of the payment and
	// the mixed waits, whichever ran first would pay for its callers'
	// descriptors and the other reuse them. As many idle goroutines first
	// make both reuse them; the mixed waits then run first, so what is left
	// of the first run's costs falls on them, not on their baseline.
	benchmarks.IdleGoroutines(n + n/5)
	mix, err := benchmarks.MixedWaits(ctx, g, merchant, n)
	if err != nil {
		return fail(err)
	}
	// The waits run in rounds, each with a watcher of its own, and the rows
	// are the round whose goal ratio is the median: one round's figure moves
	// with whatever else the machine does in its second or two.
	var results []benchmarks.ConcurrentResult
	for range max(rounds, 1) {
		res, err := benchmarks.ConcurrentWaits(ctx, g, merchant, n)
		if err != nil {
			return fail(err)
		}
		results = append(results, res)
	}
	ratio := func(r benchmarks.ConcurrentResult) float64 { return float64(r.Resolve) / float64(r.Delivered) }
	slices.SortFunc(results, func(a, b benchmarks.ConcurrentResult) int { return cmp.Compare(ratio(a), ratio(b)) })
	res := results[len(results)/2]
	resolveRatio := ratio(res)
	if len(results) > 1 {
		ratios := make([]string, len(results))
		for i, r := range results {
			ratios[i] = sig(ratio(r))
		}
		figures[3] += fmt.Sprintf(" (median of %d rounds, ratios %s)", len(results), strings.Join(ratios, ", "))
	}
	idle := benchmarks.IdleGoroutines(n)
	const idleWhat = "idle goroutine blocked on a channel"
	conns := row{
		Key: keys[0], Figure: figures[0], Measured: float64(res.Connections), Unit: "connections",
		Goal: "1",
	}
	if res.WebSockets != 1 {
		conns.Figure += fmt.Sprintf(" (live at the fake: %d)", res.WebSockets)
	}
	return []row{
		judge(conns, res.Connections == 1 && res.WebSockets == 1),
		judge(row{
			Key: keys[1], Figure: figures[1], Measured: res.PerWatch.Heap, Unit: "bytes",
			Baseline: ptr(idle.Heap), BaselineWhat: idleWhat,
			Ratio: ptr(res.PerWatch.Heap / idle.Heap), Goal: "≤ 8 KB",
		}, res.PerWatch.Heap <= 8<<10),
		{
			Key: keys[2], Figure: figures[2], Measured: res.PerWatch.Stack, Unit: "bytes",
			Baseline: ptr(idle.Stack), BaselineWhat: idleWhat,
			Ratio: ptr(res.PerWatch.Stack / idle.Stack), Met: metNoGoal,
		},
		judge(row{
			Key: keys[3], Figure: figures[3], Measured: ms(res.Resolve), Unit: "ms",
			Baseline: ptr(ms(res.Delivered)), BaselineWhat: "the fake applying the approvals and pushing them",
			Ratio: ptr(resolveRatio), Goal: "≤ 1.15×",
		}, resolveRatio <= 1.15),
		{
			Key: keys[4], Figure: figures[4], Measured: ms(res.Resolve), Unit: "ms",
			Baseline: ptr(ms(res.Gateway)), BaselineWhat: "the fake's loop applying the approvals",
			Ratio: ptr(float64(res.Resolve) / float64(res.Gateway)), Met: metNoGoal,
		},
		{
			Key: keys[5], Figure: figures[5], Measured: ms(res.AfterApprovals), Unit: "ms",
			Met: metNoGoal,
		},
		{
			Key: keys[6], Figure: figures[6], Measured: ms(res.AfterPushes), Unit: "ms",
			Met: metNoGoal,
		},
		judge(row{
			Key: keys[7], Figure: figures[7], Measured: float64(mix.Connections), Unit: "connections",
			Goal: "1",
		}, mix.Connections == 1 && mix.WebSockets == 1),
		judge(row{
			Key: keys[8], Figure: figures[8], Measured: mix.PerWatch.Heap, Unit: "bytes",
			Baseline: ptr(res.PerWatch.Heap), BaselineWhat: "a payment wait's heap",
			Ratio: ptr(mix.PerWatch.Heap / res.PerWatch.Heap), Goal: "≤ 1.5×",
		}, mix.PerWatch.Heap <= 1.5*res.PerWatch.Heap),
	}
}

func binaryRow(ctx context.Context) row {
	const key, figure = "binary.size", "binary size of a checkout program with the SDK"
	res, err := benchmarks.BinarySizes(ctx)
	if err != nil {
		return errorRow(key, figure, err)
	}
	return row{
		Key: key, Figure: figure, Measured: float64(res.SDK), Unit: "bytes",
		Baseline: ptr(float64(res.NetHTTP)), BaselineWhat: "the same program on net/http",
		Ratio: ptr(res.Ratio), Goal: "reported", Met: metNoGoal,
	}
}

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// printTable prints the report as a Markdown table, then its notes.
func printTable(w io.Writer, rep report) {
	mode := ""
	if rep.Quick {
		mode = " (-quick: smaller sizes, indicative only)"
	}
	fmt.Fprintf(w, "kronor-go performance report%s: %s %s/%s, GOMAXPROCS=%d\n\n",
		mode, rep.GoVersion, rep.GOOS, rep.GOARCH, rep.GOMAXPROCS)
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	line := func(cells ...string) { fmt.Fprintf(tw, "| %s\t|\n", strings.Join(cells, "\t| ")) }
	line("figure", "measured", "baseline (same run)", "ratio", "goal", "met?")
	line("---", "---", "---", "---", "---", "---")
	for _, r := range rep.Rows {
		if r.Met == metError {
			line(r.Figure, "error: "+oneLine(r.Error, 60), "", "", r.Goal, r.Met)
			continue
		}
		base, ratio := "-", "-"
		if r.Baseline != nil {
			base = fmt.Sprintf("%s (%s)", value(*r.Baseline, r.Unit), r.BaselineWhat)
		}
		if r.Ratio != nil {
			ratio = fmt.Sprintf("%s×", sig(*r.Ratio))
		}
		goal := r.Goal
		if goal == "" {
			goal = "-"
		}
		line(r.Figure, value(r.Measured, r.Unit), base, ratio, goal, r.Met)
	}
	_ = tw.Flush()
	fmt.Fprintln(w)
	goals, met := 0, 0
	var missed []string
	for _, r := range rep.Rows {
		if r.Met == metYes || r.Met == metMissed {
			goals++
		}
		switch r.Met {
		case metYes:
			met++
		case metMissed:
			missed = append(missed, r.Figure)
		}
	}
	fmt.Fprintf(w, "goals met: %d of %d\n", met, goals)
	for _, f := range missed {
		fmt.Fprintf(w, "MISSED: %s\n", f)
	}
	for _, r := range rep.Rows {
		if r.Met == metError {
			fmt.Fprintf(w, "ERROR: %s: %s\n", r.Figure, r.Error)
		}
	}
	fmt.Fprintln(w)
	for _, n := range rep.Notes {
		fmt.Fprintf(w, "- %s\n", n)
	}
}

// value formats v in unit.
func value(v float64, unit string) string {
	switch unit {
	case "bytes":
		if v >= 1<<20 || v <= -1<<20 {
			return sig(v/(1<<20)) + " MB"
		}
		if v >= 1024 || v <= -1024 {
			return sig(v/1024) + " KB"
		}
		return fmt.Sprintf("%.0f B", v)
	case "flows/s", "round trips/s":
		return thousands(v) + "/s"
	case "connections":
		return thousands(v)
	case "allocs":
		return fmt.Sprintf("%.1f allocs", v)
	default:
		return sig(v) + " " + unit
	}
}

// sig formats v with three significant digits, without an exponent.
func sig(v float64) string {
	a := v
	if a < 0 {
		a = -a
	}
	switch {
	case a == 0:
		return "0"
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	case a >= 1:
		return fmt.Sprintf("%.2f", v)
	}
	s := fmt.Sprintf("%.3g", v)
	if strings.Contains(s, "e") {
		s = fmt.Sprintf("%.6f", v)
	}
	return s
}

// thousands formats v rounded, with commas between thousands.
func thousands(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func oneLine(s string, n int) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}
