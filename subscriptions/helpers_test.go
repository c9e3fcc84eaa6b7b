package subscriptions_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/benchmarks"
	"github.com/kronor-io/kronor-go/internal/conninfo"
	"github.com/kronor-io/kronor-go/internal/testsupport"
	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/sessions"
	"github.com/kronor-io/kronor-go/subscriptions"
)

func TestMain(m *testing.M) {
	// This process may be the fake gateway of BenchmarkTenThousandWaits.
	benchmarks.ServeGatewayIfAsked()
	testsupport.VerifyNoLeaks(m)
}

// gateway is a fake gateway and a merchant client for it, on a transport of
// its own whose idle connections are closed at the end of the test.
type gateway struct {
	srv      *kronortest.Server
	merchant *client.Client
	tr       *http.Transport
}

func newGateway(t testing.TB, opts ...kronortest.Option) *gateway {
	t.Helper()
	srv := kronortest.NewServer(opts...)
	t.Cleanup(srv.Close)
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	t.Cleanup(tr.CloseIdleConnections)
	c, err := client.New(srv.MerchantToken(),
		client.WithEndpoint(srv.URL()),
		client.WithHTTPClient(&http.Client{Transport: tr}),
		client.WithBackoff(time.Millisecond, 5*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	return &gateway{srv: srv, merchant: c, tr: tr}
}

var refSeq atomic.Int64

// cardAmount is the amount of every session the tests make, in minor units.
const cardAmount = 10000

// session creates a payment session and returns a client with its token.
func (g *gateway) session(t testing.TB) *client.Session {
	t.Helper()
	ref := fmt.Sprintf("order-%d", refSeq.Add(1))
	s, err := sessions.Create(context.Background(), g.merchant, sessions.Params{
		Amount:            cardAmount,
		Currency:          sessions.CurrencySEK,
		MerchantReference: ref,
		Message:           "Order " + ref[6:],
		ExpiresAt:         time.Now().Add(time.Hour),
	})
	if err != nil {
		t.Fatalf("sessions.Create: %v", err)
	}
	return s.Client(g.merchant)
}

const returnURL = "https://shop.example/return"

// swish starts a Swish payment in a new session; it returns the session
// client and the wait token.
func (g *gateway) swish(t testing.TB) (*client.Session, string) {
	t.Helper()
	sc := g.session(t)
	p, err := payments.Swish(context.Background(), sc, payments.SwishParams{Redirect: payments.Redirect{ReturnURL: returnURL}})
	if err != nil {
		t.Fatalf("payments.Swish: %v", err)
	}
	return sc, p.WaitToken
}

// card starts a credit card payment in a new session.
func (g *gateway) card(t testing.TB) (*client.Session, string) {
	t.Helper()
	sc := g.session(t)
	p, err := payments.CreditCard(context.Background(), sc, payments.CreditCardParams{Redirect: payments.Redirect{ReturnURL: returnURL}})
	if err != nil {
		t.Fatalf("payments.CreditCard: %v", err)
	}
	return sc, p.WaitToken
}

// bank starts a bank transfer in a new session.
func (g *gateway) bank(t testing.TB) (*client.Session, string) {
	t.Helper()
	sc := g.session(t)
	p, err := payments.BankTransfer(context.Background(), sc, payments.BankTransferParams{Redirect: payments.Redirect{ReturnURL: returnURL}})
	if err != nil {
		t.Fatalf("payments.BankTransfer: %v", err)
	}
	return sc, p.WaitToken
}

// fast are watcher options for tests: quick polls and reconnections.
func fast(opts ...subscriptions.Option) []subscriptions.Option {
	return append([]subscriptions.Option{
		subscriptions.WithPollInterval(20 * time.Millisecond),
		subscriptions.WithReconnectBackoff(5*time.Millisecond, 50*time.Millisecond),
	}, opts...)
}

// watcher makes a watcher closed at the end of the test.
func watcher(t testing.TB, c client.Caller, opts ...subscriptions.Option) *subscriptions.Watcher {
	t.Helper()
	w, err := subscriptions.NewWatcher(c, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.Close() })
	return w
}

// eventually polls cond until it holds, failing the test after timeout.
func eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	if !testsupport.Eventually(timeout, cond) {
		t.Fatalf("timed out after %v waiting for %s", timeout, what)
	}
}

// result is the outcome of a Wait run in the background.
type result struct {
	req payments.Request
	err error
}

// waitAsync runs w.Wait in a goroutine and returns its outcome channel.
func waitAsync(ctx context.Context, w *subscriptions.Watcher, token string) <-chan result {
	ch := make(chan result, 1)
	go func() {
		r, err := w.Wait(ctx, token)
		ch <- result{r, err}
	}()
	return ch
}

// receive waits for a result, failing the test after timeout.
func receive(t testing.TB, ch <-chan result, timeout time.Duration) result {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(timeout):
		t.Fatalf("no result within %v", timeout)
		return result{}
	}
}

// protocols runs f for both websocket protocols.
func protocols(t *testing.T, f func(t *testing.T, p subscriptions.Protocol)) {
	for _, p := range []subscriptions.Protocol{subscriptions.ProtocolGraphQLWS, subscriptions.ProtocolGraphQLTransportWS} {
		t.Run(string(p), func(t *testing.T) { f(t, p) })
	}
}

// created is the status history of a payment request the fake just made.
var created = []payments.Status{payments.StatusPreFlightCheck, payments.StatusInitializing, payments.StatusWaitingForPayment}

// afterCreation is created followed by more.
func afterCreation(more ...payments.Status) []payments.Status {
	return append(slices.Clone(created), more...)
}

// readCreated reads, from events, the statuses a watch of a new payment
// request reports first, and fails unless they are created.
func readCreated(t testing.TB, events <-chan payments.Request) {
	t.Helper()
	for _, want := range created {
		if r := <-events; r.Status != want {
			t.Fatalf("status %s, want %s (the history of a new payment request)", r.Status, want)
		}
	}
}

// initPayload is the connection_init payload c's watcher sends (it holds the
// token).
func initPayload(c client.Caller) map[string]any {
	info, _ := conninfo.Of(c)
	return info.InitPayload()
}
