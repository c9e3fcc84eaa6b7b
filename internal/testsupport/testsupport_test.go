package testsupport

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestMain(m *testing.M) { VerifyNoLeaks(m) }

func TestSyncBufferConcurrentWriters(t *testing.T) {
	var buf SyncBuffer
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 100 {
				fmt.Fprintf(&buf, "w%d-%d\n", i, j)
			}
		})
	}
	wg.Wait()
	out := buf.String()
	if n := strings.Count(out, "\n"); n != 800 {
		t.Fatalf("%d lines, want 800", n)
	}
	if !strings.Contains(out, "w7-99\n") || !strings.Contains(out, "w0-0\n") {
		t.Errorf("lines missing from %q...", out[:40])
	}
}

func TestEventually(t *testing.T) {
	var n atomic.Int32
	if !Eventually(5*time.Second, func() bool { return n.Add(1) == 3 }) {
		t.Errorf("Eventually = false for a condition that held on the 3rd check")
	}
	if got := n.Load(); got != 3 {
		t.Errorf("cond checked %d times, want 3 (it stops once cond holds)", got)
	}
	start := time.Now()
	if Eventually(20*time.Millisecond, func() bool { return false }) {
		t.Error("Eventually = true for a condition that never holds")
	}
	if d := time.Since(start); d < 20*time.Millisecond {
		t.Errorf("gave up after %v, before the 20ms timeout", d)
	}
}
