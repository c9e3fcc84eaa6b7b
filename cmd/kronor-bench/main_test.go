package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kronor-io/kronor-go/internal/benchmarks"
	"github.com/kronor-io/kronor-go/internal/testsupport"
)

func TestMain(m *testing.M) {
	// The concurrent waits start this test binary again as the fake
	// gateway; run no test there.
	benchmarks.ServeGatewayIfAsked()
	gatewayArgs = []string{"-test.run=^$"}
	testsupport.VerifyNoLeaks(m)
}

// wantKeys are the rows the report must have, in order: every goal of the
// issues, and the figures printed beside them.
var wantKeys = []string{
	"client.loopback.time", "client.loopback.allocs",
	"client.inmemory.time", "client.inmemory.allocs",
	"checkout.flows", "checkout.share", "checkout.heap",
	"watch.p50", "watch.p99", "watch.capture.p50", "watch.refund.p50",
	"waits.websockets", "waits.heap", "waits.stack", "waits.resolve", "waits.loop", "waits.tail", "waits.afterpush", "mixed.websockets", "mixed.heap",
	"binary.size",
}

// TestQuickReport runs the whole report with -quick -json and checks it
// has every row, each measured (no ERROR), with a baseline and ratio where
// the figure has one, then prints it as a table and checks the table has
// every row. It asserts nothing about the figures themselves.
func TestQuickReport(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"-quick", "-json"}, &out, &errOut); code != 0 {
		t.Fatalf("exit status %d\nstdout:\n%s\nstderr:\n%s", code, &out, &errOut)
	}
	if errOut.Len() > 0 {
		t.Errorf("-json wrote to stderr:\n%s", &errOut)
	}
	var rep report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("-json output does not decode: %v\n%s", err, &out)
	}
	if !rep.Quick || rep.GOMAXPROCS < 1 || rep.GoVersion == "" || rep.Errors != 0 {
		t.Errorf("report header %+v", rep)
	}
	var keys []string
	missed := 0
	for _, r := range rep.Rows {
		keys = append(keys, r.Key)
		switch r.Met {
		case metYes, metNoGoal:
		case metMissed:
			missed++
		default:
			t.Errorf("row %s: met = %q (%s)", r.Key, r.Met, r.Error)
		}
		if r.Figure == "" || r.Unit == "" {
			t.Errorf("row %s has no figure or unit: %+v", r.Key, r)
		}
		if (r.Baseline == nil) != (r.Ratio == nil) || (r.Baseline != nil && r.BaselineWhat == "") {
			t.Errorf("row %s: a baseline needs its ratio and what it is: %+v", r.Key, r)
		}
		if (r.Goal == "" || r.Goal == "reported") != (r.Met == metNoGoal) {
			t.Errorf("row %s: goal %q but met %q", r.Key, r.Goal, r.Met)
		}
	}
	if !slices.Equal(keys, wantKeys) {
		t.Errorf("rows\n%v\nwant\n%v", keys, wantKeys)
	}
	if rep.Missed != missed {
		t.Errorf("Missed = %d, but %d rows say MISSED", rep.Missed, missed)
	}
	for _, key := range []string{"client.loopback.time", "checkout.share", "watch.p50", "waits.heap", "waits.resolve", "binary.size"} {
		if i := slices.Index(keys, key); i >= 0 && rep.Rows[i].Baseline == nil {
			t.Errorf("row %s has no baseline", key)
		}
	}

	var table bytes.Buffer
	printTable(&table, rep)
	text := table.String()
	lines := strings.Split(text, "\n")
	if !slices.ContainsFunc(lines, func(l string) bool {
		return strings.HasPrefix(l, "| figure ") && strings.Contains(l, "| baseline (same run) ") && strings.Contains(l, "| met? ")
	}) {
		t.Errorf("no table header in\n%s", text)
	}
	for _, r := range rep.Rows {
		if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, "| "+r.Figure+" ") }) {
			t.Errorf("no table row for %s in\n%s", r.Figure, text)
		}
	}
	met := 0
	for _, r := range rep.Rows {
		if r.Met == metYes {
			met++
		}
	}
	if !strings.Contains(text, fmt.Sprintf("goals met: %d of %d\n", met, met+missed)) {
		t.Errorf("no or wrong summary line in\n%s", text)
	}
	if got := strings.Count(text, "\nMISSED: "); got != missed {
		t.Errorf("%d MISSED lines, want %d", got, missed)
	}
}

// TestTableSaysMissedAndError: a missed goal and a failed measurement are
// printed so that nobody can overlook them.
func TestTableSaysMissedAndError(t *testing.T) {
	rep := report{Rows: []row{
		judge(row{Key: "a", Figure: "fast thing", Measured: 3, Unit: "ms", Goal: "≤ 1 ms"}, false),
		judge(row{Key: "b", Figure: "small thing", Measured: 100, Unit: "bytes", Goal: "≤ 8 KB"}, true),
		errorRow("c", "broken thing", fmt.Errorf("it broke")),
	}}
	var buf bytes.Buffer
	printTable(&buf, rep)
	text := buf.String()
	for _, want := range []string{
		"| fast thing ", "| MISSED ", "MISSED: fast thing\n",
		"| small thing ", "| 100 B ", "| yes ",
		"| broken thing ", "error: it broke", "ERROR: broken thing: it broke\n",
		"goals met: 1 of 2\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("table lacks %q:\n%s", want, text)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"-nope"}, {"extra"}} {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), args, &out, &errOut); code != 2 {
			t.Errorf("run(%q) = %d, want 2", args, code)
		}
		if !strings.Contains(errOut.String(), "usage: kronor-bench") {
			t.Errorf("run(%q) printed no usage: %q", args, errOut.String())
		}
		if out.Len() > 0 {
			t.Errorf("run(%q) printed a report", args)
		}
	}
}

func TestFormatting(t *testing.T) {
	for _, c := range []struct {
		v    float64
		unit string
		want string
	}{
		{2947.4, "flows/s", "2,947/s"},
		{1234567, "connections", "1,234,567"},
		{1, "connections", "1"},
		{1980, "bytes", "1.93 KB"},
		{9929906, "bytes", "9.47 MB"},
		{25853.4, "round trips/s", "25,853/s"},
		{116, "bytes", "116 B"},
		{125.44, "allocs", "125.4 allocs"},
		{0.2649, "ms", "0.265 ms"},
		{80.21, "µs", "80.2 µs"},
		{2671.4, "ms", "2671 ms"},
	} {
		if got := value(c.v, c.unit); got != c.want {
			t.Errorf("value(%v, %q) = %q, want %q", c.v, c.unit, got, c.want)
		}
	}
	for v, want := range map[float64]string{0: "0", 0.000756: "0.000756", 1.034: "1.03", 24.66: "24.7", -3.5: "-3.50"} {
		if got := sig(v); got != want {
			t.Errorf("sig(%v) = %q, want %q", v, got, want)
		}
	}
}
