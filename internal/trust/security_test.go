package trust

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/captures"
	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/testsupport"
	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/refunds"
	"github.com/kronor-io/kronor-go/sessions"
	"github.com/kronor-io/kronor-go/subscriptions"
)

// sentinel is the merchant token of the security suite: a value that cannot
// appear anywhere by chance.
const sentinel = "SENTINEL-TOKEN-7f3a91c4e2b8d6a0-merchant"

// evidence collects everything a run printed, logged or returned, to be
// searched for tokens afterwards.
type evidence struct {
	mu    sync.Mutex
	texts []string
	errs  int
}

// err records an error in every form a program may print it.
func (e *evidence) err(what string, err error) {
	if err == nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.errs++
	e.texts = append(e.texts, what+": "+err.Error(), fmt.Sprintf("%s: %v %+v %#v %q", what, err, err, err, err))
	var ce *client.Error
	if errors.As(err, &ce) {
		e.texts = append(e.texts, fmt.Sprintf("%s: %+v", what, *ce))
		for _, g := range ce.Errors {
			e.texts = append(e.texts, fmt.Sprintf("%s: %+v %v", what, g, g.Path))
		}
	}
}

func (e *evidence) text(s string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.texts = append(e.texts, s)
}

// leaks returns the places where one of the secrets appears.
func (e *evidence) leaks(secrets []string, logs map[string]string) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var found []string
	for _, s := range secrets {
		for _, t := range e.texts {
			if strings.Contains(t, s) {
				found = append(found, fmt.Sprintf("%q in %q", s, t))
			}
		}
		for name, l := range logs {
			for line := range strings.Lines(l) {
				if strings.Contains(line, s) {
					found = append(found, fmt.Sprintf("%q in the %s log: %q", s, name, line))
				}
			}
		}
	}
	return found
}

// TestTokensNeverLeak runs every operation of the SDK, successes and
// failures, against a fake whose merchant token is a sentinel, with every
// logger on at Debug, and searches the logs, the errors (printed every way)
// and the printed clients for the merchant token and every session token.
func TestTokensNeverLeak(t *testing.T) {
	var clientLog, watcherLog, fakeLog testsupport.SyncBuffer
	debug := &slog.HandlerOptions{Level: slog.LevelDebug}
	srv := kronortest.NewServer(kronortest.WithMerchantToken(sentinel),
		kronortest.WithLogger(slog.New(slog.NewTextHandler(&fakeLog, debug))))
	defer srv.Close()
	clientLogger := slog.New(slog.NewJSONHandler(&clientLog, debug))
	merchant := newClient(t, srv, sentinel, client.WithLogger(clientLogger))
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	ev := &evidence{}
	secrets := []string{sentinel}
	var panicked any

	func() {
		defer func() { panicked = recover() }()
		runEveryOperation(ctx, t, srv, merchant, slog.New(slog.NewTextHandler(&watcherLog, debug)), ev, &secrets)
	}()
	if panicked != nil {
		ev.text(fmt.Sprint(panicked))
		t.Errorf("panic: %v", panicked)
	}

	// Printing a client, in every way, and logging one.
	sc := merchant.Session(secrets[len(secrets)-1])
	ev.text(fmt.Sprintf("%v %+v %#v %s %q %v %+v %#v", merchant, merchant, merchant, merchant, merchant, *merchant, *merchant, *merchant))
	clientLogger.Info("a client", "client", merchant, "value", *merchant)
	ev.text(fmt.Sprintf("%v %+v %#v %s %q %v %+v %#v", sc, sc, sc, sc, sc, *sc, *sc, *sc))
	clientLogger.Info("a session client", "client", sc, "value", *sc)
	// A token that cannot be a header value (read from a file with its
	// newline) is not echoed in the error, whether New or the request fails.
	if c, err := client.New(sentinel+"\n", client.WithEndpoint(srv.URL()), client.WithMaxAttempts(1)); err != nil {
		ev.err("client.New with a newline in the token", err)
	} else {
		_, err = sessions.Create(ctx, c, validSession())
		ev.err("sessions.Create with a newline in the token", err)
		if err == nil {
			t.Error("a token with a newline was sent")
		}
	}

	logs := map[string]string{"client": clientLog.String(), "watcher": watcherLog.String(), "fake": fakeLog.String()}
	for name, l := range logs {
		if l == "" {
			t.Errorf("the %s log is empty: the run logged nothing to search", name)
		}
	}
	// The search finds a token where there is one.
	if len(ev.leaks(secrets[1:2], map[string]string{"control": "x " + secrets[1] + " y\n"})) != 1 {
		t.Fatal("the search does not find a token in a log line")
	}
	if testing.Verbose() {
		t.Logf("watcher log:\n%s", logs["watcher"])
	}
	for _, leak := range ev.leaks(secrets, logs) {
		t.Error("token leaked: " + leak)
	}
	if ev.errs < 10 {
		t.Errorf("only %d errors to search: the run's failure paths did not run", ev.errs)
	}
	t.Logf("searched %d log lines, %d errors and %d printed clients for %d tokens",
		strings.Count(logs["client"]+logs["watcher"]+logs["fake"], "\n"), ev.errs, 4, len(secrets))
}

// runEveryOperation calls every operation of the SDK at least once, and the
// main failures: refusals, a wrong token, bad input, retried and exhausted
// faults. Every session token it gets is added to secrets, every error to ev.
func runEveryOperation(ctx context.Context, t *testing.T, srv *kronortest.Server, merchant *client.Client, watcherLog *slog.Logger, ev *evidence, secrets *[]string) {
	t.Helper()
	must := func(what string, err error) {
		t.Helper()
		ev.err(what, err)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	expect := func(what string, err, target error) {
		t.Helper()
		ev.err(what, err)
		if !errors.Is(err, target) {
			t.Errorf("%s: err = %v, want %v", what, err, target)
		}
	}
	n := 0
	session := func(p sessions.Params) *client.Session {
		t.Helper()
		n++
		if p.Amount == 0 {
			p.Amount = 10000
		}
		if p.Currency == "" {
			p.Currency = sessions.CurrencySEK
		}
		p.MerchantReference = fmt.Sprintf("security-%d", n)
		p.Message = fmt.Sprintf("Order %d", n)
		p.ExpiresAt = time.Now().Add(time.Hour)
		s, err := sessions.Create(ctx, merchant, p)
		must("sessions.Create", err)
		*secrets = append(*secrets, s.Token)
		return s.Client(merchant)
	}
	latest := func(sc *client.Session) *payments.Request {
		t.Helper()
		r, err := payments.Latest(ctx, sc)
		must("payments.Latest", err)
		return r
	}
	redirect := payments.Redirect{ReturnURL: returnURL}

	// Swish, paid and refunded; read every way.
	swish := session(sessions.Params{})
	st, err := payments.Swish(ctx, swish, payments.SwishParams{Redirect: redirect})
	must("payments.Swish", err)
	w, err := subscriptions.NewWatcher(merchant, subscriptions.WithLogger(watcherLog))
	must("subscriptions.NewWatcher", err)
	defer w.Close()
	waited := make(chan error, 1)
	go func() { _, err := w.Wait(ctx, st.WaitToken); waited <- err }()
	subscribed(t, w) // so the outcome comes over the websocket
	must("Approve", srv.Approve(st.WaitToken))
	must("Watcher.Wait", <-waited)
	paid := latest(swish)
	_, err = payments.List(ctx, swish)
	must("payments.List", err)
	_, err = payments.Get(ctx, merchant, paid.ResultingPaymentID)
	must("payments.Get", err)
	_, err = payments.RequestDetails(ctx, merchant, st.WaitToken)
	must("payments.RequestDetails", err)
	rr, err := refunds.Create(ctx, merchant, refunds.Params{Amount: 2500, PaymentID: paid.ResultingPaymentID, Message: "Refund"})
	must("refunds.Create", err)
	_, err = refunds.Get(ctx, merchant, rr.WaitToken)
	must("refunds.Get", err)
	_, err = refunds.List(ctx, merchant, paid.ResultingPaymentID)
	must("refunds.List", err)
	rc, err := sessions.CreateWithReferenceCheck(ctx, merchant, sessions.Params{
		Amount: 10000, Currency: sessions.CurrencySEK, Country: sessions.CountrySE,
		MerchantReference: "security-1", Message: "Order 1", ExpiresAt: time.Now().Add(time.Hour),
	})
	must("sessions.CreateWithReferenceCheck", err)
	*secrets = append(*secrets, rc.Token)
	if !rc.AlreadyPaid() {
		t.Errorf("reference check of a paid order: %+v", rc)
	}

	// A card payment captured, watched step by step; another released.
	card := session(sessions.Params{})
	st, err = payments.CreditCard(ctx, card, payments.CreditCardParams{Redirect: redirect})
	must("payments.CreditCard", err)
	must("Approve", srv.Approve(st.WaitToken))
	for _, err := range w.Watch(ctx, st.WaitToken) {
		must("Watcher.Watch", err)
	}
	authorized := latest(card)
	cr, err := captures.Create(ctx, merchant, captures.Params{Amount: 4000, PaymentID: authorized.ResultingPaymentID, Message: "Part 1"})
	must("captures.Create", err)
	c, err := captures.Get(ctx, merchant, cr.ID)
	must("captures.Get", err)
	_, err = captures.GetByTransactionID(ctx, merchant, c.TransactionID)
	must("captures.GetByTransactionID", err)
	released := session(sessions.Params{})
	st, err = payments.CreditCard(ctx, released, payments.CreditCardParams{Redirect: redirect})
	must("payments.CreditCard", err)
	must("Approve", srv.Approve(st.WaitToken))
	rel, err := captures.Release(ctx, merchant, captures.ReleaseParams{Amount: 10000, PaymentID: latest(released).ResultingPaymentID})
	must("captures.Release", err)
	_, err = captures.GetRelease(ctx, merchant, rel.ID)
	must("captures.GetRelease", err)

	// The other methods, and cancellations. A session-token watcher waits for
	// a payment of its own session.
	mobile := session(sessions.Params{Currency: sessions.CurrencyDKK})
	_, err = payments.MobilePay(ctx, mobile, payments.MobilePayParams{Redirect: redirect, UserFlow: payments.UserFlowWebRedirect})
	must("payments.MobilePay", err)
	vipps := session(sessions.Params{Currency: sessions.CurrencyNOK})
	_, err = payments.Vipps(ctx, vipps, payments.VippsParams{Redirect: redirect, UserFlow: payments.UserFlowWebRedirect})
	must("payments.Vipps", err)
	p24 := session(sessions.Params{Currency: sessions.CurrencyPLN, Country: sessions.CountryPL,
		AdditionalData: &sessions.AdditionalData{Name: "Jan Kowalski", Email: "jan@example.com", IP: "192.0.2.7", Language: sessions.LanguagePL}})
	_, err = payments.P24(ctx, p24, payments.P24Params{Redirect: redirect})
	must("payments.P24", err)
	paypal := session(sessions.Params{AdditionalData: validAdditionalData()})
	st, err = payments.PayPal(ctx, paypal, payments.PayPalParams{Redirect: redirect})
	must("payments.PayPal", err)
	must("Approve", srv.Approve(st.WaitToken))
	_, err = payments.CapturePayPal(ctx, merchant, payments.CapturePayPalParams{PaymentID: st.WaitToken})
	ev.err("payments.CapturePayPal", err) // whatever the fake makes of it, only leaks matter here
	bank := session(sessions.Params{})
	st, err = payments.BankTransfer(ctx, bank, payments.BankTransferParams{Redirect: redirect})
	must("payments.BankTransfer", err)
	sw, err := subscriptions.NewWatcher(bank, subscriptions.WithLogger(watcherLog))
	must("subscriptions.NewWatcher", err)
	defer sw.Close()
	go func() { _, err := sw.Wait(ctx, st.WaitToken); waited <- err }()
	subscribed(t, sw)
	_, err = payments.Cancel(ctx, bank, payments.CancelParams{})
	must("payments.Cancel", err)
	expect("session watcher on a cancelled payment", <-waited, subscriptions.ErrCancelled)
	cancelled := session(sessions.Params{})
	st, err = payments.Swish(ctx, cancelled, payments.SwishParams{Redirect: redirect})
	must("payments.Swish", err)
	_, err = payments.CancelSwish(ctx, cancelled, payments.CancelSwishParams{WaitToken: st.WaitToken})
	must("payments.CancelSwish", err)

	// Failures: the merchant's operations with a session token, a wrong token
	// (HTTP and websocket), bad input, faults retried and faults that exhaust
	// the attempts.
	// A session token given to client.New (which the types cannot catch):
	// the gateway refuses it.
	sessionAsMerchant := newClient(t, srv, (*secrets)[len(*secrets)-1])
	_, err = captures.Create(ctx, sessionAsMerchant, captures.Params{Amount: 100, PaymentID: authorized.ResultingPaymentID})
	expect("captures.Create with a session token", err, client.ErrRejected)
	_, err = payments.Get(ctx, sessionAsMerchant, paid.ResultingPaymentID)
	expect("payments.Get with a session token", err, client.ErrRejected)
	wrong := newClient(t, srv, "SENTINEL-WRONG-TOKEN-0b7d2e")
	*secrets = append(*secrets, "SENTINEL-WRONG-TOKEN-0b7d2e")
	_, err = payments.Get(ctx, wrong, paid.ResultingPaymentID)
	expect("payments.Get with a wrong token", err, client.ErrUnauthorized)
	ww, err := subscriptions.NewWatcher(wrong, subscriptions.WithLogger(watcherLog))
	must("subscriptions.NewWatcher", err)
	_, err = ww.Wait(ctx, paid.WaitToken)
	expect("Watcher.Wait with a wrong token", err, client.ErrUnauthorized)
	must("Watcher.Close", ww.Close())
	_, err = refunds.Create(ctx, merchant, refunds.Params{Amount: 0, PaymentID: paid.ResultingPaymentID, Message: "Refund"})
	expect("refunds.Create with a bad amount", err, client.ErrInvalidInput)
	_, err = captures.Create(ctx, merchant, captures.Params{Amount: 999999, PaymentID: authorized.ResultingPaymentID})
	expect("captures.Create beyond the authorized amount", err, client.ErrRejected)
	srv.FailNext(1, kronortest.FaultMutationsOnly(kronortest.FaultHTTP503))
	srv.FailNext(1, kronortest.FaultMutationsOnly(kronortest.FaultTemporaryFailure))
	srv.FailNext(1, kronortest.FaultMutationsOnly(kronortest.FaultDropAfterCommit))
	session(sessions.Params{})
	hurried := newClient(t, srv, sentinel, client.WithMaxAttempts(2), client.WithLogger(watcherLog))
	srv.FailNext(2, kronortest.FaultHTTP503)
	_, err = payments.Get(ctx, hurried, paid.ResultingPaymentID)
	expect("payments.Get after two 503s", err, client.ErrTemporary)
	canceled, stop := context.WithCancel(ctx)
	stop()
	_, err = payments.Latest(canceled, swish)
	expect("payments.Latest with a cancelled context", err, context.Canceled)
}

// subscribed waits until the watcher's watch is subscribed on its websocket.
func subscribed(t *testing.T, w *subscriptions.Watcher) {
	t.Helper()
	if !testsupport.Eventually(10*time.Second, func() bool { return w.Stats().Subscriptions > 0 }) {
		t.Fatalf("the watch was not subscribed: %+v", w.Stats())
	}
}

// dialRecorder is a transport that records every dial and lets through only
// dials to loopback addresses.
type dialRecorder struct {
	mu    sync.Mutex
	dials []string
}

func (d *dialRecorder) transport() *http.Transport {
	return &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		d.mu.Lock()
		d.dials = append(d.dials, addr)
		d.mu.Unlock()
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			return nil, fmt.Errorf("test: refusing to dial %s", addr)
		}
		var dialer net.Dialer
		return dialer.DialContext(ctx, network, addr)
	}}
}

func (d *dialRecorder) nonLoopback() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []string
	for _, a := range d.dials {
		host, _, _ := net.SplitHostPort(a)
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			out = append(out, a)
		}
	}
	return out
}

// TestPlainHTTPToAnotherHostIsRefused: the token never goes over plain http to
// a host that is not loopback, neither as the endpoint nor on a redirect,
// and nothing is dialled.
func TestPlainHTTPToAnotherHostIsRefused(t *testing.T) {
	rec := &dialRecorder{}
	tr := rec.transport()
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	for _, endpoint := range []string{
		"http://example.com/v1/graphql",
		"http://192.0.2.1/v1/graphql",
		"http://[2001:db8::1]/v1/graphql",
		"http://localhost.example.com/v1/graphql",
		"http://127.0.0.1.example.com/v1/graphql",
		"http://127.0.0.1@example.com/v1/graphql",
		"HTTP://EXAMPLE.COM/v1/graphql",
	} {
		_, err := client.New(sentinel, client.WithEndpoint(endpoint), client.WithHTTPClient(hc))
		if err == nil {
			t.Errorf("client.New accepted plain http to %s", endpoint)
		} else if strings.Contains(err.Error(), sentinel) {
			t.Errorf("the error reveals the token: %v", err)
		}
	}
	// Opting in is possible, and explicit.
	if _, err := client.New(sentinel, client.WithEndpoint("http://example.com/v1/graphql"), client.WithInsecureHTTP(), client.WithHTTPClient(hc)); err != nil {
		t.Errorf("WithInsecureHTTP: %v", err)
	}

	// A loopback gateway that redirects to plain http on another host: the
	// client does not follow, so the token is not sent there.
	var hits atomic.Int64
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, "http://example.com/v1/graphql", http.StatusTemporaryRedirect)
	}))
	defer redirector.Close()
	c, err := client.New(sentinel, client.WithEndpoint(redirector.URL+"/v1/graphql"), client.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	_, err = sessions.Create(t.Context(), c, validSession())
	if err == nil || strings.Contains(err.Error(), sentinel) {
		t.Errorf("sessions.Create through a redirect to plain http: err = %v", err)
	}
	if d := rec.nonLoopback(); len(d) > 0 || hits.Load() != 1 {
		t.Errorf("dialled %v and sent %d requests to the gateway; want no dial beyond loopback and no retry of a refused redirect", d, hits.Load())
	}
}

// headerRecorder is a server that records the requests it gets.
type headerRecorder struct {
	mu   sync.Mutex
	reqs []string // each request's header and body, as received
	auth []string // each request's Authorization header
}

func (h *headerRecorder) record(r *http.Request) {
	var b bytes.Buffer
	_ = r.Header.Write(&b)
	body, _ := io.ReadAll(r.Body)
	b.Write(body)
	h.mu.Lock()
	h.reqs = append(h.reqs, r.URL.String()+"\n"+b.String())
	h.auth = append(h.auth, r.Header.Get("Authorization"))
	h.mu.Unlock()
}

func (h *headerRecorder) snapshot() (reqs, auth []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.reqs...), append([]string(nil), h.auth...)
}

// TestNoAuthorizationOnRedirectToAnotherHost: a gateway that redirects to
// another host gets the token; the other host does not, in any header or in
// the body. A redirect within the same host keeps it (the control).
func TestNoAuthorizationOnRedirectToAnotherHost(t *testing.T) {
	other := &headerRecorder{}
	otherSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		other.record(r)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"errors":[{"message":"not the gateway","extensions":{"code":"validation-failed"}}]}`)
	}))
	defer otherSrv.Close()
	// The other host: the same server reached by another name.
	_, port, _ := net.SplitHostPort(otherSrv.Listener.Addr().String())
	otherURL := "http://localhost:" + port + "/v1/graphql"

	gw := &headerRecorder{}
	gwSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gw.record(r)
		switch r.URL.Path {
		case "/v1/graphql": // moved within the same host
			http.Redirect(w, r, "/v2/graphql", http.StatusTemporaryRedirect)
		default: // and then to another host
			http.Redirect(w, r, otherURL, http.StatusTemporaryRedirect)
		}
	}))
	defer gwSrv.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	c, err := client.New(sentinel, client.WithEndpoint(gwSrv.URL+"/v1/graphql"), client.WithHTTPClient(&http.Client{Transport: tr}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = sessions.Create(t.Context(), c, validSession())
	if !errors.Is(err, client.ErrRejected) {
		t.Fatalf("sessions.Create: %v; want the other host's refusal", err)
	}
	_, gwAuth := gw.snapshot()
	if len(gwAuth) != 2 || gwAuth[0] != "Bearer "+sentinel || gwAuth[1] != "Bearer "+sentinel {
		t.Errorf("the gateway got Authorization %q; want the token on both of its own requests", gwAuth)
	}
	reqs, auth := other.snapshot()
	if len(reqs) != 1 {
		t.Fatalf("the other host got %d requests, want the redirected one", len(reqs))
	}
	if auth[0] != "" || strings.Contains(reqs[0], sentinel) {
		t.Errorf("the other host got the token:\n%s", reqs[0])
	}
}

// TestOversizedResponsesAreCutOff: a response beyond the client's limit fails
// with ErrResponseTooLarge, also when it never ends, through the domain
// packages.
func TestOversizedResponsesAreCutOff(t *testing.T) {
	const limit = 64 << 10
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Has("endless") {
			// A valid-looking answer that never ends.
			_, _ = io.WriteString(w, `{"data":{"paymentRequests":[{"waitToken":"`)
			chunk := []byte(strings.Repeat("a", 4096))
			for r.Context().Err() == nil {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
			return
		}
		_, _ = fmt.Fprintf(w, `{"data":{"newPaymentSession":{"token":"%s"}}}`, strings.Repeat("t", 2*limit))
	}))
	defer srv.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	for _, endpoint := range []string{srv.URL + "/v1/graphql", srv.URL + "/v1/graphql?endless"} {
		c, err := client.New(sentinel, client.WithEndpoint(endpoint), client.WithMaxResponseBytes(limit),
			client.WithHTTPClient(&http.Client{Transport: tr}), client.WithTimeout(10*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		_, err = sessions.Create(t.Context(), c, validSession())
		if !errors.Is(err, client.ErrResponseTooLarge) {
			t.Errorf("%s: sessions.Create: %v, want ErrResponseTooLarge", endpoint, err)
		}
		_, err = payments.List(t.Context(), c.Session("a session token"))
		if !errors.Is(err, client.ErrResponseTooLarge) {
			t.Errorf("%s: payments.List: %v, want ErrResponseTooLarge", endpoint, err)
		}
	}
}

// TestSessionTokenCannotActAsMerchant: with a session token, the merchant's
// operations are refused by the fake, even on the session's own payment, and
// nothing is created or changed; a session-token watcher cannot see another
// session's payment.
func TestSessionTokenCannotActAsMerchant(t *testing.T) {
	g := newGateway(t, nil)
	ctx := t.Context()
	redirect := payments.Redirect{ReturnURL: returnURL}
	// A session with an authorized card payment of its own, and another
	// session with a paid Swish payment.
	p := validSession()
	s, err := sessions.Create(ctx, g.merchant, p)
	if err != nil {
		t.Fatal(err)
	}
	sess := s.Client(g.merchant)
	st, err := payments.CreditCard(ctx, sess, payments.CreditCardParams{Redirect: redirect})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.srv.Approve(st.WaitToken); err != nil {
		t.Fatal(err)
	}
	own, err := payments.Latest(ctx, sess)
	// The session's token given to client.New, which the types cannot catch:
	// the gateway refuses every merchant operation.
	sc := newClient(t, g.srv, s.Token)
	if err != nil {
		t.Fatal(err)
	}
	other := g.setup(t, needPaid)
	otherReq, err := payments.Latest(ctx, other.session)
	if err != nil {
		t.Fatal(err)
	}
	totals := g.srv.Totals()

	for _, c := range []struct {
		name string
		call func() error
	}{
		{"sessions.Create", func() error { _, err := sessions.Create(ctx, sc, validSession()); return err }},
		{"sessions.CreateWithReferenceCheck", func() error {
			_, err := sessions.CreateWithReferenceCheck(ctx, sc, validSession())
			return err
		}},
		{"captures.Create of its own payment", func() error {
			_, err := captures.Create(ctx, sc, captures.Params{Amount: 10000, PaymentID: own.ResultingPaymentID})
			return err
		}},
		{"captures.Create by transaction id", func() error {
			_, err := captures.Create(ctx, sc, captures.Params{Amount: 10000, PaymentTransactionID: own.TransactionID})
			return err
		}},
		{"captures.Release of its own payment", func() error {
			_, err := captures.Release(ctx, sc, captures.ReleaseParams{Amount: 10000, PaymentID: own.ResultingPaymentID})
			return err
		}},
		{"refunds.Create of another session's payment", func() error {
			_, err := refunds.Create(ctx, sc, refunds.Params{Amount: 10000, PaymentID: other.payment, Message: "Refund"})
			return err
		}},
		{"payments.Get", func() error { _, err := payments.Get(ctx, sc, own.ResultingPaymentID); return err }},
		{"payments.RequestDetails", func() error { _, err := payments.RequestDetails(ctx, sc, own.WaitToken); return err }},
		{"refunds.List", func() error { _, err := refunds.List(ctx, sc, other.payment); return err }},
		{"captures.Get", func() error { _, err := captures.Get(ctx, sc, 1); return err }},
	} {
		before := g.srv.Requests()
		err := c.call()
		if !errors.Is(err, client.ErrRejected) {
			t.Errorf("%s with a session token: err = %v, want ErrRejected", c.name, err)
		}
		if g.srv.Requests() == before {
			t.Errorf("%s: nothing was sent; the fake must be the one refusing", c.name)
		}
	}
	if after := g.srv.Totals(); after != totals {
		t.Errorf("gateway totals %+v, then %+v: something was created", totals, after)
	}
	if st, err := g.srv.PaymentRequestStatus(own.WaitToken); err != nil || st != payments.StatusAuthorized {
		t.Errorf("own payment is %s (%v), want still AUTHORIZED", st, err)
	}
	if rs, err := refunds.List(ctx, g.merchant, other.payment); err != nil || len(rs) != 0 {
		t.Errorf("refunds of the other payment: %v, %v; want none", rs, err)
	}

	// Its watcher sees its own payment and not the other session's.
	w, err := subscriptions.NewWatcher(sc)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if r, err := w.Wait(ctx, own.WaitToken); err != nil || r.Status != payments.StatusAuthorized {
		t.Errorf("waiting for its own payment: %s, %v", r.Status, err)
	}
	if _, err := w.Wait(ctx, otherReq.WaitToken); !errors.Is(err, subscriptions.ErrNotFound) {
		t.Errorf("waiting for another session's payment: %v, want ErrNotFound", err)
	}
}

// echoServer is a gateway (or a proxy before it) that echoes the
// Authorization header back in its errors: in the message and the extensions,
// and, when inPath, in the error's path. With "?401" it answers HTTP 401.
func echoServer(inPath bool) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		status := http.StatusOK
		if r.URL.Query().Has("401") {
			status = http.StatusUnauthorized
		}
		e := map[string]any{
			"message":    "cannot verify " + auth,
			"extensions": map[string]any{"code": auth, "type": auth, "header": auth, "nested": map[string]any{"h": []any{auth}}},
		}
		if inPath {
			e["path"] = []any{"newPaymentSession", auth}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{"errors": []any{e}})
	}))
}

// echoLeaks runs a merchant and a session call against an echoing gateway and
// returns where the token appeared.
func echoLeaks(t *testing.T, echo *httptest.Server) []string {
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	var logs testsupport.SyncBuffer
	ev := &evidence{}
	for _, endpoint := range []string{echo.URL + "/v1/graphql", echo.URL + "/v1/graphql?401"} {
		c, err := client.New(sentinel, client.WithEndpoint(endpoint), client.WithHTTPClient(&http.Client{Transport: tr}),
			client.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
		if err != nil {
			t.Fatal(err)
		}
		_, err = sessions.Create(t.Context(), c, validSession())
		if err == nil {
			t.Fatal("sessions.Create succeeded against an error")
		}
		ev.err("sessions.Create", err)
		_, err = payments.List(t.Context(), c.Session(sentinel+"-session"))
		ev.err("payments.List", err)
	}
	if logs.String() == "" {
		t.Error("nothing was logged")
	}
	return ev.leaks([]string{sentinel}, map[string]string{"client": logs.String()})
}

// TestEchoedTokenIsRedacted: a gateway that echoes the Authorization header
// back in its errors' messages and extensions does not make the SDK reveal
// the token: not in the error text, the GraphQL errors' fields, or the logs.
func TestEchoedTokenIsRedacted(t *testing.T) {
	echo := echoServer(false)
	defer echo.Close()
	for _, leak := range echoLeaks(t, echo) {
		t.Error("token leaked: " + leak)
	}
}

// TestTokenEchoedInErrorPathIsRedacted: the same with the token echoed in the
// error's path (client once redacted Message, Code, Type and Extensions but
// not Path, so the token reached client.Error's text and the client's log).
func TestTokenEchoedInErrorPathIsRedacted(t *testing.T) {
	echo := echoServer(true)
	defer echo.Close()
	for _, leak := range echoLeaks(t, echo) {
		t.Error("token leaked: " + leak)
	}
}

// TestTokenThatIsNoHeaderValueIsRefused: a token that cannot be sent as a
// header value, typically one read from a file with its trailing newline, is
// refused by client.New, and a Session client with one fails at once,
// sending nothing and retrying nothing. (client once accepted it, and every
// request then failed inside net/http and was retried as a network error for
// about 15 s.)
func TestTokenThatIsNoHeaderValueIsRefused(t *testing.T) {
	srv := kronortest.NewServer()
	defer srv.Close()
	for _, token := range []string{srv.MerchantToken() + "\n", srv.MerchantToken() + "\r\n", "tok\x00en"} {
		c, err := client.New(token, client.WithEndpoint(srv.URL()), client.WithBackoff(time.Millisecond, time.Millisecond))
		if err != nil {
			// Refused up front (fixed so), without showing the token.
			if strings.Contains(err.Error(), srv.MerchantToken()) {
				t.Errorf("token %q: New's error reveals it: %v", token, err)
			}
			// A client derived with it fails at once, sending nothing.
			merchant, err := client.New(srv.MerchantToken(), client.WithEndpoint(srv.URL()), client.WithBackoff(time.Millisecond, time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			before := srv.Requests()
			if _, err := payments.List(t.Context(), merchant.Session(token)); err == nil || errors.Is(err, client.ErrTemporary) {
				t.Errorf("token %q through Session: err = %v, want a permanent failure", token, err)
			}
			if srv.Requests() != before {
				t.Errorf("token %q through Session: %d requests reached the gateway, want none", token, srv.Requests()-before)
			}
			continue
		}
		_, err = sessions.Create(t.Context(), c, validSession())
		var ce *client.Error
		if !errors.As(err, &ce) || ce.Attempts != 1 || errors.Is(err, client.ErrTemporary) {
			t.Errorf("token %q: client.New accepted it, and the request failed with %v (attempts %d); want New to refuse it, or one attempt and no ErrTemporary",
				token, err, func() int {
					if ce != nil {
						return ce.Attempts
					}
					return 0
				}())
		}
	}
}
