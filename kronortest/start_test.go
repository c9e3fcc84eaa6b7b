package kronortest_test

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/kronor-io/kronor-go/kronortest"
)

// TestStartReportsABusyAddress: Start on an address in use returns an error
// naming it (and the listener's *net.OpError), and no server; NewServer
// panics with the same message.
func TestStartReportsABusyAddress(t *testing.T) {
	busy := kronortest.NewServer()
	defer busy.Close()
	addr := strings.TrimSuffix(strings.TrimPrefix(busy.URL(), "http://"), kronortest.Path)

	srv, err := kronortest.Start(kronortest.WithAddr(addr))
	var op *net.OpError
	if srv != nil || !errors.As(err, &op) || !strings.Contains(err.Error(), addr) {
		t.Fatalf("Start on a busy address = %v, %v; want no server and a *net.OpError naming %s", srv, err, addr)
	}
	func() {
		defer func() {
			if v := recover(); fmt.Sprint(v) != err.Error() {
				t.Errorf("NewServer panicked with %v, want %q", v, err)
			}
		}()
		kronortest.NewServer(kronortest.WithAddr(addr)).Close()
	}()

	// On a free address it serves, as NewServer does.
	srv, err = kronortest.Start(kronortest.WithMerchantToken("start-token"))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if srv.MerchantToken() != "start-token" || !strings.HasPrefix(srv.URL(), "http://127.0.0.1:") {
		t.Fatalf("Start = %s, token %q", srv.URL(), srv.MerchantToken())
	}
	resp, err := http.Post(srv.URL(), "application/json", strings.NewReader(`{"query": "{ __typename }"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the started server answers HTTP %d", resp.StatusCode)
	}
}
