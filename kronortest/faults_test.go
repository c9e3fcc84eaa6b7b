package kronortest_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/kronortest"
)

// rawPost sends a request and reports the status, or the transport error.
func rawPost(t *testing.T, url, token, query string, vars map[string]any) (int, result, error) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, result{}, err
	}
	defer resp.Body.Close()
	var r result
	decodeBody(t, resp, &r)
	return resp.StatusCode, r, nil
}

func TestFaults(t *testing.T) {
	const query = `{ paymentRequests { waitToken } }`
	tests := []struct {
		name  string
		fault kronortest.Fault
		check func(t *testing.T, status int, r result, err error)
	}{
		{"503", kronortest.FaultHTTP503, func(t *testing.T, status int, r result, err error) {
			if err != nil || status != http.StatusServiceUnavailable || len(r.Errors) != 1 {
				t.Fatalf("HTTP %d %+v %v", status, r, err)
			}
		}},
		{"temporary failure", kronortest.FaultTemporaryFailure, func(t *testing.T, status int, r result, err error) {
			if err != nil || status != http.StatusOK || len(r.Errors) != 1 ||
				r.Errors[0].Extensions["type"] != "TEMPORARY_FAILURE" || r.Errors[0].code() != "unexpected" {
				t.Fatalf("HTTP %d %+v %v", status, r, err)
			}
		}},
		{"drop after commit", kronortest.FaultDropAfterCommit, func(t *testing.T, status int, r result, err error) {
			if err == nil {
				t.Fatalf("got a response: HTTP %d %+v", status, r)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.srv.FailNext(1, tc.fault)
			st, r, err := rawPost(t, f.srv.URL(), f.srv.MerchantToken(), query, nil)
			tc.check(t, st, r, err)
			// Only the next request was faulted.
			f.merchant(query, nil).ok(t, nil)
			if n := f.srv.Requests(); n != 2 {
				t.Fatalf("Requests() = %d, want 2", n)
			}
		})
	}
}

func TestDropAfterCommitThenRetry(t *testing.T) {
	f := newFixture(t)
	in := map[string]any{"p": f.sessionInput("ref-drop", 1000, map[string]any{"idempotencyKey": "drop-1"})}
	f.srv.FailNext(1, kronortest.FaultDropAfterCommit)
	if _, _, err := rawPost(t, f.srv.URL(), f.srv.MerchantToken(), sessionMutation, in); err == nil {
		t.Fatal("the dropped response arrived")
	}
	if n := f.srv.Counts("ref-drop").Sessions; n != 1 {
		t.Fatalf("the mutation was not committed: %d sessions", n)
	}
	// The client retries with the same key: the first result, no second session.
	var out struct{ NewPaymentSession struct{ Token string } }
	f.merchant(sessionMutation, in).ok(t, &out)
	if out.NewPaymentSession.Token == "" || f.srv.Counts("ref-drop").Sessions != 1 {
		t.Fatalf("retry: %+v, %d sessions", out, f.srv.Counts("ref-drop").Sessions)
	}
}

func TestFaultsOnMutationsOnly(t *testing.T) {
	f := newFixture(t)
	f.srv.FailNext(2, kronortest.FaultMutationsOnly(kronortest.FaultHTTP503))
	f.merchant(`{ payments { id } }`, nil).ok(t, nil) // a query passes and does not count
	for range 2 {
		st, _, err := rawPost(t, f.srv.URL(), f.srv.MerchantToken(), sessionMutation, map[string]any{"p": f.sessionInput("ref-mut", 1000, nil)})
		if err != nil || st != http.StatusServiceUnavailable {
			t.Fatalf("mutation: HTTP %d %v", st, err)
		}
	}
	f.session("ref-mut", 1000, nil)
	if n := f.srv.Counts("ref-mut").Sessions; n != 1 {
		t.Fatalf("sessions %d: a 503 must not commit", n)
	}
}

func TestFaultLatency(t *testing.T) {
	f := newFixture(t)
	const d = 30 * time.Millisecond
	f.srv.FailNext(1, kronortest.FaultLatency(d))
	start := time.Now()
	f.merchant(`{ payments { id } }`, nil).ok(t, nil)
	if el := time.Since(start); el < d {
		t.Fatalf("answered after %v, want at least %v", el, d)
	}
}

func TestFailFraction(t *testing.T) {
	const n = 400
	run := func(seed int64) (pattern []int, byStatus map[int]int) {
		f := newFixture(t, kronortest.WithSeed(seed))
		f.srv.FailFraction(0.25, kronortest.FaultHTTP503)
		f.srv.FailFraction(0.25, kronortest.FaultTemporaryFailure)
		byStatus = map[int]int{}
		for range n {
			st, r, err := rawPost(t, f.srv.URL(), f.srv.MerchantToken(), `{ payments { id } }`, nil)
			if err != nil {
				t.Fatal(err)
			}
			if st == http.StatusOK && len(r.Errors) > 0 {
				st = 299 // temporary failure
			}
			byStatus[st]++
			pattern = append(pattern, st)
		}
		f.srv.FailFraction(0, kronortest.FaultHTTP503)
		f.srv.FailFraction(0, kronortest.FaultTemporaryFailure)
		f.merchant(`{ payments { id } }`, nil).ok(t, nil)
		return pattern, byStatus
	}
	p1, counts := run(7)
	for st, want := range map[int]int{http.StatusServiceUnavailable: n / 4, 299: n / 4, http.StatusOK: n / 2} {
		if got := counts[st]; got < want*6/10 || got > want*14/10 {
			t.Errorf("status %d: %d of %d, want about %d", st, got, n, want)
		}
	}
	p2, _ := run(7)
	if !slices.Equal(p1, p2) {
		t.Error("the same seed gave another sequence of faults")
	}
}
