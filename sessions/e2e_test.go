package sessions_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/e2etest"
	"github.com/kronor-io/kronor-go/internal/testsupport"
	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/sessions"
)

func TestMain(m *testing.M) {
	testsupport.VerifyNoLeaks(m)
}

// newGateway starts a fake gateway and returns it with a merchant client.
func newGateway(t *testing.T, opts ...kronortest.Option) (*kronortest.Server, *client.Client) {
	t.Helper()
	g := e2etest.New(t, opts...)
	return g.Srv, g.Merchant
}

func params(ref string) sessions.Params {
	return sessions.Params{
		Amount:            10000,
		Currency:          sessions.CurrencySEK,
		Country:           sessions.CountrySE,
		MerchantReference: ref,
		Message:           "Your order",
		ExpiresAt:         time.Now().Add(time.Hour),
	}
}

func TestCreate(t *testing.T) {
	ctx := context.Background()
	srv, merchant := newGateway(t)
	p := params("order-1")
	p.MerchantReference2 = "cart 9"
	p.AllowExecutionDate = true
	p.PreferredGateway = sessions.GatewayKronor
	p.AdditionalData = &sessions.AdditionalData{
		Name: "Anna", Email: "anna@example.com", IP: "192.0.2.1", Language: sessions.LanguageFI,
		PhoneNumber: "+46701234567", CustomerReference: "cust-1",
	}
	s, err := sessions.Create(ctx, merchant, p)
	if err != nil {
		t.Fatal(err)
	}
	if s.Token == "" || s.Token == srv.MerchantToken() || s.IdempotencyKey == "" {
		t.Fatalf("session = %+v", s)
	}
	if c := srv.Counts("order-1"); c.Sessions != 1 {
		t.Fatalf("counts = %+v", c)
	}
	// The token runs payments in the session.
	sc := s.Client(merchant)
	if list, err := payments.List(ctx, sc); err != nil || len(list) != 0 {
		t.Fatalf("List with the session token = %+v, %v; want an empty list", list, err)
	}
	// Currency and country may be left to the merchant's defaults.
	p = params("order-2")
	p.Currency, p.Country = "", ""
	if s, err := sessions.Create(ctx, merchant, p); err != nil || s.Token == "" {
		t.Fatalf("Create without currency and country = %+v, %v", s, err)
	}
	if c := srv.Counts("order-2"); c.Sessions != 1 {
		t.Fatalf("counts = %+v, want the session created", c)
	}
}

func TestCreateIsIdempotent(t *testing.T) {
	ctx := context.Background()
	srv, merchant := newGateway(t)
	p := params("order-3")
	p.IdempotencyKey = client.DeriveIdempotencyKey("order-3", "session")
	a, err := sessions.Create(ctx, merchant, p)
	if err != nil {
		t.Fatal(err)
	}
	b, err := sessions.Create(ctx, merchant, p) // e.g. after a restart
	if err != nil {
		t.Fatal(err)
	}
	if a.Token != b.Token || a.IdempotencyKey != p.IdempotencyKey {
		t.Fatalf("tokens %q, %q; key %q", a.Token, b.Token, a.IdempotencyKey)
	}
	if c := srv.Counts("order-3"); c.Sessions != 1 {
		t.Fatalf("counts = %+v, want one session", c)
	}
	// Without a key, each call is a new session.
	p.IdempotencyKey = ""
	c1, err := sessions.Create(ctx, merchant, p)
	if err != nil {
		t.Fatal(err)
	}
	if c1.Token == a.Token || c1.IdempotencyKey == a.IdempotencyKey {
		t.Fatal("a call without a key reused the earlier session")
	}
}

func TestCreateKeepsItsKeyAcrossRetries(t *testing.T) {
	ctx := context.Background()
	srv, merchant := newGateway(t)
	// The gateway creates the session and the connection drops before the
	// answer: the client's retry must resend the same key, so the gateway
	// answers with the same session rather than a second one.
	srv.FailNext(1, kronortest.FaultDropAfterCommit)
	before := srv.Requests()
	s, err := sessions.Create(ctx, merchant, params("order-4"))
	if err != nil {
		t.Fatal(err)
	}
	if n := srv.Requests() - before; n != 2 {
		t.Fatalf("%d requests, want the first and one retry", n)
	}
	if c := srv.Counts("order-4"); c.Sessions != 1 {
		t.Fatalf("counts = %+v, want one session", c)
	}
	if s.Token == "" {
		t.Fatal("no token")
	}
}

func TestReferenceCheck(t *testing.T) {
	ctx := context.Background()
	srv, merchant := newGateway(t)
	p := params("order-5")
	first, err := sessions.CreateWithReferenceCheck(ctx, merchant, p)
	if err != nil {
		t.Fatal(err)
	}
	if first.Token == "" || first.AlreadyPaid() || first.PaymentID != 0 {
		t.Fatalf("first = %+v", first)
	}
	// The same order again (a new attempt, a new key): the same session.
	again, err := sessions.CreateWithReferenceCheck(ctx, merchant, p)
	if err != nil {
		t.Fatal(err)
	}
	if again.Token != first.Token || again.IdempotencyKey == first.IdempotencyKey {
		t.Fatalf("again = %+v, want token %s", again, first.Token)
	}
	// Which one is new: the first was created by its call; a rerun ten
	// seconds later gets the same session, an earlier one.
	if first.Earlier || first.CreatedAt.IsZero() {
		t.Errorf("first: Earlier %v, CreatedAt %v; want a new session with its creation time", first.Earlier, first.CreatedAt)
	}
	later, err := sessions.CreateWithReferenceCheck(ctx, merchant, p, sessions.WithClock(func() time.Time { return time.Now().Add(10 * time.Second) }))
	if err != nil {
		t.Fatal(err)
	}
	if later.Token != first.Token || !later.Earlier || !later.CreatedAt.Equal(first.CreatedAt) {
		t.Errorf("rerun 10 s later: %+v; want the first session, Earlier", later)
	}
	if c := srv.Counts("order-5"); c.Sessions != 1 {
		t.Fatalf("counts = %+v", c)
	}

	// Pay, then check again: the payment is reported.
	sc := first.Client(merchant)
	st, err := payments.Swish(ctx, sc, payments.SwishParams{Redirect: payments.Redirect{ReturnURL: "https://shop.example/r"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Approve(st.WaitToken); err != nil {
		t.Fatal(err)
	}
	req, err := payments.Latest(ctx, sc)
	if err != nil {
		t.Fatal(err)
	}
	paid, err := sessions.CreateWithReferenceCheck(ctx, merchant, p)
	if err != nil {
		t.Fatal(err)
	}
	if !paid.AlreadyPaid() || paid.PaymentID != req.ResultingPaymentID || paid.PaymentTransactionID == "" {
		t.Fatalf("after payment = %+v, want payment %d", paid, req.ResultingPaymentID)
	}

	// The cart changed (another amount): a new session.
	changed := params("order-6")
	if _, err := sessions.CreateWithReferenceCheck(ctx, merchant, changed); err != nil {
		t.Fatal(err)
	}
	changed.Amount = 12000
	other, err := sessions.CreateWithReferenceCheck(ctx, merchant, changed)
	if err != nil {
		t.Fatal(err)
	}
	if c := srv.Counts("order-6"); c.Sessions != 2 || other.AlreadyPaid() {
		t.Fatalf("counts = %+v, result %+v; want a second session", c, other)
	}
	// Another merchantReference2: a new session too.
	changed.MerchantReference2 = "second cart"
	if _, err := sessions.CreateWithReferenceCheck(ctx, merchant, changed); err != nil {
		t.Fatal(err)
	}
	if c := srv.Counts("order-6"); c.Sessions != 3 {
		t.Fatalf("counts = %+v, want a third session", c)
	}
}

func TestReferenceCheckAfterExpiry(t *testing.T) {
	ctx := context.Background()
	start := time.Now().UTC().Truncate(time.Second)
	clock := kronortest.NewManualClock(start)
	srv, merchant := newGateway(t, kronortest.WithClock(clock))
	p := params("order-7")
	p.ExpiresAt = start.Add(time.Hour)
	first, err := sessions.CreateWithReferenceCheck(ctx, merchant, p, sessions.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	now := clock.Advance(2 * time.Hour)
	p.ExpiresAt = now.Add(time.Hour)
	second, err := sessions.CreateWithReferenceCheck(ctx, merchant, p, sessions.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	if second.Token == first.Token || srv.Counts("order-7").Sessions != 2 {
		t.Fatal("an expired session was returned")
	}
	// The expired session's token no longer starts payments.
	_, err = payments.Swish(ctx, first.Client(merchant), payments.SwishParams{Redirect: payments.Redirect{ReturnURL: "https://shop.example/r"}})
	e2etest.Rejected(t, err, "session-expired")
}

func TestExpiryIsCheckedAgainstTheInjectedClock(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := kronortest.NewManualClock(start)
	srv, merchant := newGateway(t, kronortest.WithClock(clock))
	p := params("order-8")
	p.ExpiresAt = start.Add(sessions.MaxExpiry) // exactly 24 hours: allowed
	if _, err := sessions.Create(ctx, merchant, p, sessions.WithClock(clock.Now)); err != nil {
		t.Fatalf("24 hours ahead: %v", err)
	}
	before := srv.Requests()
	p.ExpiresAt = start.Add(sessions.MaxExpiry + time.Second)
	_, err := sessions.Create(ctx, merchant, p, sessions.WithClock(clock.Now))
	var ve *client.ValidationError
	if !errors.As(err, &ve) || ve.Violations[0].Field != "payment.expiresAt" {
		t.Fatalf("24 hours and a second ahead: %v", err)
	}
	if srv.Requests() != before {
		t.Fatal("an invalid session reached the gateway")
	}
}

func TestInvalidInputSendsNothing(t *testing.T) {
	srv, merchant := newGateway(t)
	p := params("order-9")
	p.Amount = 0
	p.Message = "Order #9"
	p.AdditionalData = &sessions.AdditionalData{Language: "sv"}
	before := srv.Requests()
	_, err := sessions.Create(context.Background(), merchant, p)
	var ve *client.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error = %v", err)
	}
	want := []string{"payment.amount", "payment.message", "payment.additionalData.name", "payment.additionalData.email", "payment.additionalData.ip", "payment.additionalData.language"}
	var got []string
	for _, v := range ve.Violations {
		got = append(got, v.Field)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("fields = %v, want %v", got, want)
	}
	if srv.Requests() != before || srv.Totals().Sessions != 0 {
		t.Fatal("invalid input reached the gateway")
	}
}

func TestBadMerchantToken(t *testing.T) {
	_, merchant := newGateway(t)
	bad, err := client.New("not-a-token", client.WithEndpoint(merchant.Endpoint()))
	if err != nil {
		t.Fatal(err)
	}
	_, err = sessions.Create(context.Background(), bad, params("order-12"))
	if !errors.Is(err, client.ErrUnauthorized) {
		t.Fatalf("error = %v, want ErrUnauthorized", err)
	}
	// The fake names its answers as Hasura does: the id is on the error.
	var e *client.Error
	if !errors.As(err, &e) || e.RequestID == "" || !strings.Contains(err.Error(), e.RequestID) {
		t.Errorf("error = %v: want the gateway's x-request-id on it", err)
	}
}
