// Package testsupport holds the small helpers tests of several packages
// share: a TestMain body that fails the run on leaked goroutines, a buffer
// that concurrent loggers can write to, and a bounded wait for a condition.
//
// It is test support: it imports testing and goleak, which the SDK packages
// must not depend on (internal/depcheck). Unlike internal/e2etest it does not
// import the fake gateway or the SDK, so any package's tests can use it,
// package client's included.
package testsupport

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// VerifyNoLeaks runs the tests of m and exits: with m's code, or with 1 when
// the tests passed but goroutines are left. Idle connections of
// http.DefaultTransport, which clients without a transport of their own use,
// are closed first: they are not leaks. Call it as the whole of TestMain (or
// its end).
func VerifyNoLeaks(m *testing.M) {
	code := m.Run()
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// SyncBuffer is a bytes.Buffer safe for concurrent writers, e.g. the output
// of a logger that several goroutines log to. The zero value is ready to use.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p to the buffer.
func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what was written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Eventually checks cond every millisecond until it holds or timeout passes,
// and reports whether cond held. It waits for a state that no event
// announces (a fake gateway's live counters, a watcher's Stats), never to
// order two events.
func Eventually(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		<-tick.C
	}
}
