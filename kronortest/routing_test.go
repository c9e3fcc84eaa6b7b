package kronortest_test

import (
	"net/http"
	"net/http/httptest"
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
