package kronortest_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/kronor-io/kronor-go/kronortest"
)

// TestPathsAreRoutedAsByTheMux: the server sends the GraphQL path to the
// GraphQL endpoint without its mux, and every other path to the mux; each
// answers as a mux with the fake's two patterns does.
func TestPathsAreRoutedAsByTheMux(t *testing.T) {
	srv := kronortest.NewServer()
	defer srv.Close()
	ref := http.NewServeMux()
	ref.HandleFunc(kronortest.Path, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(299) })
	ref.HandleFunc("/pay/", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(298) })
	base := strings.TrimSuffix(srv.URL(), kronortest.Path)
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	defer hc.CloseIdleConnections()
	for _, path := range []string{kronortest.Path, "/v1%2Fgraphql", "/v1//graphql", "/v1/./graphql", "/v1/graphql/", "/V1/graphql", "/v1/graphql%20", "/v1/graph%71l"} {
		req, err := http.NewRequest(http.MethodPost, base+path, strings.NewReader(`{"query":"{ __typename }"}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+srv.MerchantToken())
		rec := httptest.NewRecorder()
		ref.ServeHTTP(rec, req.Clone(req.Context()))
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		resp.Body.Close()
		want := rec.Code
		if want == 299 {
			want = http.StatusOK // the GraphQL endpoint's answer
		}
		if resp.StatusCode != want || resp.Header.Get("Location") != rec.Header().Get("Location") {
			t.Errorf("POST %s: HTTP %d (Location %q), the mux says %d (Location %q)", path, resp.StatusCode, resp.Header.Get("Location"), rec.Code, rec.Header().Get("Location"))
		}
	}
}

// TestAnswerHeaders: every answer of the GraphQL endpoint, data, errors or a
// batch, is JSON with its own x-request-id, a UUID.
func TestAnswerHeaders(t *testing.T) {
	srv := kronortest.NewServer()
	defer srv.Close()
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for _, body := range []string{`{"query":"{ __typename }"}`, `{"query":"{ nope }"}`, `[{"query":"{ __typename }"}]`, `{"query":"{ __typename }"}`, `not json`} {
		req, err := http.NewRequest(http.MethodPost, srv.URL(), strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+srv.MerchantToken())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Values("Content-Type"); len(got) != 1 || got[0] != "application/json; charset=utf-8" {
			t.Errorf("%s: Content-Type %q", body, got)
		}
		id := resp.Header.Get("X-Request-Id")
		if !uuid.MatchString(id) || seen[id] {
			t.Errorf("%s: X-Request-Id %q (seen before: %v)", body, id, seen[id])
		}
		seen[id] = true
	}
}
