package kronortest

import (
	"math/rand/v2"
	"sync"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
)

type faultKind uint8

const (
	faultNone faultKind = iota
	faultHTTP503
	faultTemporary
	faultDropAfterCommit
	faultLatency
)

// Fault is a failure the server injects into HTTP GraphQL requests (see
// [Server.FailNext] and [Server.FailFraction]). Websocket traffic is never
// faulted; use [Server.CloseWebSockets] for that.
type Fault struct {
	kind          faultKind
	latency       time.Duration
	mutationsOnly bool
}

var (
	// FaultHTTP503 answers HTTP 503 Service Unavailable without serving the request.
	FaultHTTP503 = Fault{kind: faultHTTP503}
	// FaultTemporaryFailure answers HTTP 200 with a GraphQL error whose
	// extensions.type is TEMPORARY_FAILURE (extensions.code "unexpected"),
	// without serving the request: Kronor's retryable error.
	FaultTemporaryFailure = Fault{kind: faultTemporary}
	// FaultDropAfterCommit serves the request (a mutation is committed) and then
	// closes the connection without a response: the lost-response case.
	FaultDropAfterCommit = Fault{kind: faultDropAfterCommit}
)

// FaultLatency delays the request by d, then serves it normally.
func FaultLatency(d time.Duration) Fault { return Fault{kind: faultLatency, latency: d} }

// FaultMutationsOnly restricts f to mutation requests: queries are neither
// faulted nor counted against [Server.FailNext].
func FaultMutationsOnly(f Fault) Fault {
	f.mutationsOnly = true
	return f
}

// String describes the fault, e.g. "drop-after-commit (mutations)".
func (f Fault) String() string {
	var s string
	switch f.kind {
	case faultHTTP503:
		s = "http-503"
	case faultTemporary:
		s = "temporary-failure"
	case faultDropAfterCommit:
		s = "drop-after-commit"
	case faultLatency:
		s = "latency " + f.latency.String()
	default:
		s = "none"
	}
	if f.mutationsOnly {
		s += " (mutations)"
	}
	return s
}

// applies reports whether f applies to a request whose kind of operation
// kind tells (asked only of a fault for mutations only).
func (f Fault) applies(kind func() ast.Operation) bool {
	return f.kind != faultNone && (!f.mutationsOnly || kind() == ast.Mutation)
}

type nextFault struct {
	n int
	f Fault
}

type fractionFault struct {
	p float64
	f Fault
}

// faultState holds the scheduled faults.
type faultState struct {
	mu        sync.Mutex
	next      []nextFault
	fractions []fractionFault
	rng       *rand.Rand
}

// pick chooses the fault for a request: the first FailNext that applies, else
// one of the FailFraction rules (disjoint slices of one random draw, in the
// order they were set). kind tells the request's kind of operation (opKind,
// cached per query text); it is asked only of a fault for mutations only, so
// a request costs nothing when none is scheduled.
func (fs *faultState) pick(kind func() ast.Operation) (Fault, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i := range fs.next {
		nf := &fs.next[i]
		if nf.f.applies(kind) {
			f := nf.f
			nf.n--
			if nf.n == 0 {
				fs.next = append(fs.next[:i], fs.next[i+1:]...)
			}
			return f, true
		}
	}
	if len(fs.fractions) == 0 {
		return Fault{}, false
	}
	u := fs.rng.Float64()
	var acc float64
	for _, ff := range fs.fractions {
		if !ff.f.applies(kind) {
			continue
		}
		acc += ff.p
		if u < acc {
			return ff.f, true
		}
	}
	return Fault{}, false
}

// FailNext injects f into the next n HTTP GraphQL requests it applies to (only
// mutations with [FaultMutationsOnly]). Calls queue up: FailNext(1, a) then
// FailNext(1, b) faults one request with a, the next with b.
func (s *Server) FailNext(n int, f Fault) {
	if n <= 0 || f.kind == faultNone {
		return
	}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.next = append(s.faults.next, nextFault{n: n, f: f})
}

// FailFraction injects f into a fraction p (0 to 1) of the HTTP GraphQL
// requests it applies to, chosen pseudo-randomly (repeatably: see [WithSeed]).
// Each call sets the fraction of one fault; fractions of different faults are
// disjoint, so FailFraction(0.2, FaultMutationsOnly(FaultDropAfterCommit)) and
// FailFraction(0.1, FaultMutationsOnly(FaultHTTP503)) fault 30% of mutations.
// p = 0 removes the fault.
func (s *Server) FailFraction(p float64, f Fault) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	p = min(max(p, 0), 1)
	for i, ff := range s.faults.fractions {
		if ff.f == f {
			if p == 0 {
				s.faults.fractions = append(s.faults.fractions[:i], s.faults.fractions[i+1:]...)
			} else {
				s.faults.fractions[i].p = p
			}
			return
		}
	}
	if p > 0 && f.kind != faultNone {
		s.faults.fractions = append(s.faults.fractions, fractionFault{p: p, f: f})
	}
}

// ClearFaults cancels every scheduled fault.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.next, s.faults.fractions = nil, nil
}
