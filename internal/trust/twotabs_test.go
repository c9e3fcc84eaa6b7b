package trust

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/sessions"
	"github.com/kronor-io/kronor-go/subscriptions"
)

// tabs is one order's session, shared by the customer's browser tabs.
type tabs struct {
	g       *gateway
	order   string
	session *client.Session
}

func newTabs(t *testing.T, g *gateway) *tabs {
	t.Helper()
	order := fmt.Sprintf("TABS%d", rand.Int64())
	check, err := sessions.CreateWithReferenceCheck(context.Background(), g.merchant, sessions.Params{
		Amount: 10000, Currency: sessions.CurrencySEK, Country: sessions.CountrySE,
		MerchantReference: order, Message: "Order " + order, ExpiresAt: time.Now().Add(time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
	return &tabs{g: g, order: order, session: check.Client(g.merchant)}
}

// start starts a payment of one tab: Swish or a card, with the recipe's
// CancelOtherPending when defended.
func (tb *tabs) start(ctx context.Context, card, defended bool) (*payments.Started, error) {
	var opts []payments.StartOption
	if defended {
		opts = append(opts, payments.CancelOtherPending())
	}
	r := payments.Redirect{ReturnURL: returnURL}
	if card {
		return payments.CreditCard(ctx, tb.session, payments.CreditCardParams{Redirect: r}, opts...)
	}
	return payments.Swish(ctx, tb.session, payments.SwishParams{Redirect: r}, opts...)
}

// The defence: a card payment started with CancelOtherPending cancels the
// Swish payment pending in the other tab, which then cannot be paid; the
// order is charged once and Wait reports no duplicate.
func TestSecondTabCancelsTheFirstTabsPayment(t *testing.T) {
	g := newGateway(t, nil)
	tb := newTabs(t, g)
	ctx := context.Background()
	swish, err := tb.start(ctx, false, true)
	if err != nil {
		t.Fatal(err)
	}
	card, err := tb.start(ctx, true, true)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := g.srv.PaymentRequestStatus(swish.WaitToken); st != payments.StatusCancelled && st != payments.StatusCancelling {
		t.Fatalf("the first tab's Swish payment is %s, want it cancelled", st)
	}
	if err := g.srv.Approve(swish.WaitToken); err == nil {
		t.Fatal("the cancelled Swish payment could still be paid")
	}
	if err := g.srv.Approve(card.WaitToken); err != nil {
		t.Fatal(err)
	}
	w := newWatcher(t, g.merchant)
	if req, err := w.Wait(ctx, card.WaitToken); err != nil || req.Status != payments.StatusAuthorized {
		t.Fatalf("Wait = %s, %v; want AUTHORIZED and no duplicate", req.Status, err)
	}
	if charges, err := payments.Charges(ctx, g.merchant, tb.order); err != nil || len(charges) != 1 {
		t.Fatalf("charges = %d, %v; want 1", len(charges), err)
	}
}

// A payment that the customer is paying (it left WAITING_FOR_PAYMENT) cannot
// be cancelled: the second tab's start is refused, nothing is started.
func TestSecondTabWaitsForAPaymentInProgress(t *testing.T) {
	g := newGateway(t, nil)
	tb := newTabs(t, g)
	ctx := context.Background()
	swish, err := tb.start(ctx, false, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.srv.Advance(swish.WaitToken, payments.StatusProcessing); err != nil {
		t.Fatal(err)
	}
	before := g.srv.Counts(tb.order).PaymentRequests
	_, err = tb.start(ctx, true, true)
	var ip *payments.InProgressError
	if !errors.Is(err, payments.ErrOtherPaymentInProgress) || !errors.As(err, &ip) || ip.Request.WaitToken != swish.WaitToken {
		t.Fatalf("err = %v, want ErrOtherPaymentInProgress naming %s", err, swish.WaitToken)
	}
	if after := g.srv.Counts(tb.order).PaymentRequests; after != before {
		t.Errorf("payment requests %d → %d: the refused start started one", before, after)
	}
}

// The worst case the fake plays: both tabs' payments pending at once, both
// paid. The recipe's end reports it: Wait returns the request with a
// DuplicateChargeError listing both charges, and payments.Duplicates names
// the one to give back.
func TestBothTabsPaidIsReported(t *testing.T) {
	g := newGateway(t, nil)
	tb := newTabs(t, g)
	ctx := context.Background()
	swish, err := tb.start(ctx, false, false)
	if err != nil {
		t.Fatal(err)
	}
	card, err := tb.start(ctx, true, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{swish.WaitToken, card.WaitToken} {
		if err := g.srv.Approve(tok); err != nil {
			t.Fatal(err)
		}
	}
	w := newWatcher(t, g.merchant)
	req, err := w.Wait(ctx, card.WaitToken)
	var dup *subscriptions.DuplicateChargeError
	if !errors.Is(err, subscriptions.ErrDuplicateCharge) || !errors.As(err, &dup) {
		t.Fatalf("Wait = %s, %v; want the duplicate reported", req.Status, err)
	}
	if req.Status != payments.StatusAuthorized || len(dup.Charges) != 2 {
		t.Fatalf("Wait = %s with %d charges, want AUTHORIZED and 2", req.Status, len(dup.Charges))
	}
	give := payments.Duplicates(dup.Charges)
	if len(give) != 1 || give[0].WaitToken != card.WaitToken {
		t.Errorf("to give back: %+v, want the later card payment %s", give, card.WaitToken)
	}
}

// Two tabs racing through the recipe (each starts with CancelOtherPending,
// one Swish and one card, at the same moment), then the customer pays
// whatever is still payable: every trial ends with one charge, or with the
// duplicate reported by Wait. Never a silent second charge.
func TestTwoTabsRacingEndInOneChargeOrAReport(t *testing.T) {
	const trials = 40
	g := newGateway(t, nil)
	w := newWatcher(t, g.merchant)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var single, reported int
	for i := range trials {
		tb := newTabs(t, g)
		var wg sync.WaitGroup
		started := make([]*payments.Started, 2)
		errs := make([]error, 2)
		for tab := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				started[tab], errs[tab] = tb.start(ctx, tab == 1, true)
			}()
		}
		wg.Wait()
		var waits []string
		for tab, s := range started {
			switch {
			case errs[tab] == nil:
				if err := g.srv.Approve(s.WaitToken); err == nil {
					waits = append(waits, s.WaitToken)
				}
			case errors.Is(errs[tab], payments.ErrOtherPaymentInProgress), errors.Is(errs[tab], client.ErrRejected):
				// Refused: the other tab's payment goes on (or this tab's
				// cancel lost the race); nothing was started by it.
			default:
				t.Fatalf("trial %d, tab %d: %v", i, tab, errs[tab])
			}
		}
		charges, err := payments.Charges(ctx, g.merchant, tb.order)
		if err != nil {
			t.Fatal(err)
		}
		dupSeen := false
		for _, tok := range waits {
			_, err := w.Wait(ctx, tok)
			switch {
			case errors.Is(err, subscriptions.ErrDuplicateCharge):
				dupSeen = true
			case err != nil:
				t.Fatalf("trial %d: Wait(%s): %v", i, tok, err)
			}
		}
		switch {
		case len(charges) <= 1 && !dupSeen:
			single++
		case len(charges) > 1 && dupSeen:
			reported++
		default:
			t.Fatalf("trial %d: %d charges, duplicate reported: %v", i, len(charges), dupSeen)
		}
	}
	t.Logf("%d trials: %d with one charge, %d with a reported duplicate", trials, single, reported)
}

func newWatcher(t *testing.T, c *client.Client) *subscriptions.Watcher {
	t.Helper()
	w, err := subscriptions.NewWatcher(c, subscriptions.WithPollInterval(20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.Close() })
	return w
}
