package kronortest

import (
	"slices"
	"testing"
)

// A subscription's feed holds its latest result only, as a Hasura live
// query sends the state as it is now: a result superseded before it was
// taken is never sent.
func TestFeedSendsTheLatestResult(t *testing.T) {
	f := feed[int]{signal: make(chan struct{}, 1)}
	if _, ok := f.take(); ok {
		t.Fatal("an empty feed gave a result")
	}
	f.push([]int{1})
	f.push([]int{1, 2})
	f.push([]int{1, 2, 3})
	select {
	case <-f.signal:
	default:
		t.Fatal("push did not signal")
	}
	res, ok := f.take()
	if !ok || !slices.Equal(res, []int{1, 2, 3}) {
		t.Fatalf("take: %v, %v; want the latest, [1 2 3]", res, ok)
	}
	if res, ok := f.take(); ok {
		t.Fatalf("second take: %v, want nothing", res)
	}
}
