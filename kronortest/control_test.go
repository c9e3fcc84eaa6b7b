package kronortest_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/kronortest"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/sessions"
)

// checkout is a merchant's service under test: it opens a session for the
// order and starts a Swish payment, and keeps the wait token to itself.
func checkout(ctx context.Context, merchant *client.Client, order string, amount int64) error {
	s, err := sessions.Create(ctx, merchant, sessions.Params{
		Amount: amount, Currency: sessions.CurrencySEK, MerchantReference: order,
		Message: sessions.Message("Order " + order), ExpiresAt: time.Now().Add(time.Hour),
	})
	if err != nil {
		return err
	}
	_, err = payments.Swish(ctx, s.Client(merchant), payments.SwishParams{
		Redirect: payments.Redirect{ReturnURL: "https://shop.example/done"},
	})
	return err
}

func TestClientAndPaymentRequests(t *testing.T) {
	srv := kronortest.NewServer()
	t.Cleanup(srv.Close)
	merchant := srv.Client()
	if merchant.Endpoint() != srv.URL() {
		t.Fatalf("Client's endpoint %q, want %q", merchant.Endpoint(), srv.URL())
	}
	ctx := t.Context()

	if reqs := srv.PaymentRequests("ORD-1"); len(reqs) != 0 {
		t.Fatalf("before any session: %v", reqs)
	}
	if err := checkout(ctx, merchant, "ORD-1", 2500); err != nil {
		t.Fatal(err)
	}
	if err := checkout(ctx, merchant, "ORD-2", 900); err != nil { // another order, not listed
		t.Fatal(err)
	}
	reqs := srv.PaymentRequests("ORD-1")
	if len(reqs) != 1 {
		t.Fatalf("%d payment requests for ORD-1, want 1: %v", len(reqs), reqs)
	}
	first := reqs[0]
	if first.Method != payments.MethodSwish || first.Status != payments.StatusWaitingForPayment ||
		first.Amount != 2500 || first.PaymentID != 0 || first.WaitToken == "" || first.TransactionID == "" ||
		first.CreatedAt.IsZero() {
		t.Fatalf("ORD-1's request: %+v", first)
	}
	if st, err := srv.PaymentRequestStatus(first.WaitToken); err != nil || st != payments.StatusWaitingForPayment {
		t.Fatalf("PaymentRequestStatus = %q, %v", st, err)
	}

	// The customer declines; the service tries again in a new session of
	// the same order, which the customer pays.
	if err := srv.Decline(first.WaitToken); err != nil {
		t.Fatal(err)
	}
	if err := checkout(ctx, merchant, "ORD-1", 2500); err != nil {
		t.Fatal(err)
	}
	reqs = srv.PaymentRequests("ORD-1")
	if len(reqs) != 2 || reqs[0].WaitToken != first.WaitToken || reqs[0].Status != payments.StatusDeclined {
		t.Fatalf("after the retry: %+v, want the declined request first", reqs)
	}
	second := reqs[1]
	if err := srv.Advance(second.WaitToken, payments.StatusProcessing); err != nil {
		t.Fatal(err)
	}
	if err := srv.Advance(second.WaitToken, payments.StatusPaid); err != nil {
		t.Fatal(err)
	}
	reqs = srv.PaymentRequests("ORD-1")
	if got := reqs[1]; got.Status != payments.StatusPaid || got.PaymentID == 0 {
		t.Fatalf("after payment: %+v", got)
	}
	p, err := payments.Get(ctx, merchant, reqs[1].PaymentID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != payments.StatusPaid || p.TransactionID != reqs[1].TransactionID {
		t.Fatalf("payments.Get(%d) = status %s, transaction %q; want PAID, %q", reqs[1].PaymentID, p.Status, p.TransactionID, reqs[1].TransactionID)
	}
	if n := srv.Counts("ORD-1").PaymentRequests; n != len(reqs) {
		t.Fatalf("Counts lists %d payment requests, PaymentRequests %d", n, len(reqs))
	}

	// A status the schema does not have is refused by name.
	if err := srv.Advance(second.WaitToken, "NOT_A_STATUS"); err == nil || !strings.Contains(err.Error(), "NOT_A_STATUS") {
		t.Fatalf("Advance to an unknown status: %v", err)
	}
	if _, err := srv.PaymentRequestStatus("00000000-0000-0000-0000-000000000000"); !errors.Is(err, kronortest.ErrNotFound) {
		t.Fatalf("PaymentRequestStatus of an unknown token: %v", err)
	}
}

func TestClientOptions(t *testing.T) {
	srv := kronortest.NewServer()
	t.Cleanup(srv.Close)
	// The fake's merchant client retries a temporary failure quickly.
	srv.FailNext(2, kronortest.FaultTemporaryFailure)
	if err := checkout(t.Context(), srv.Client(), "ORD-3", 100); err != nil {
		t.Fatalf("two temporary failures: %v", err)
	}
	if n := srv.Counts("ORD-3").Sessions; n != 1 {
		t.Fatalf("%d sessions, want 1", n)
	}
	// An option overrides the defaults: one attempt only.
	srv.FailNext(1, kronortest.FaultTemporaryFailure)
	err := checkout(t.Context(), srv.Client(client.WithMaxAttempts(1)), "ORD-4", 100)
	if !errors.Is(err, client.ErrTemporary) {
		t.Fatalf("one attempt against a temporary failure: %v", err)
	}
	// A bad option is the test's own mistake: Client panics naming it.
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "kronortest: Server.Client") {
			t.Fatalf("Client with a bad option: recovered %v", r)
		}
	}()
	srv.Client(client.WithMaxAttempts(0))
}

// A merchant's test runs the service under test against the fake, then finds
// the order's payment requests by its reference to play the customer: no wait
// token has to come out of the service.
func ExampleServer_PaymentRequests() {
	srv := kronortest.NewServer()
	defer srv.Close()
	ctx := context.Background()

	// The service under test: a session and a Swish payment for order ORD-4001.
	if err := checkout(ctx, srv.Client(), "ORD-4001", 10056); err != nil {
		log.Fatal(err)
	}

	reqs := srv.PaymentRequests("ORD-4001")
	fmt.Println(len(reqs), reqs[0].Method, reqs[0].Status)
	if err := srv.Approve(reqs[0].WaitToken); err != nil {
		log.Fatal(err)
	}
	status, _ := srv.PaymentRequestStatus(reqs[0].WaitToken)
	fmt.Println(status, status == payments.StatusPaid)
	// Output:
	// 1 SWISH WAITING_FOR_PAYMENT
	// PAID true
}
