package kronortest

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kronor-io/kronor-go/kronortest/internal/graph/model"
	"github.com/kronor-io/kronor-go/payments"
)

// ErrNotFound is returned (wrapped) by the control methods for a waitToken,
// capture id or release id the server never issued.
var ErrNotFound = errors.New("kronortest: not found")

// withRequest runs f, under the store's mutex, on the payment request that
// waitToken names (the waitToken or paymentId a create-payment mutation
// returned).
func (s *Server) withRequest(waitToken string, f func(r *paymentRequest) error) error {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	r := s.store.requests[waitToken]
	if r == nil {
		return fmt.Errorf("%w: payment request %q", ErrNotFound, waitToken)
	}
	return f(r)
}

// Approve completes the customer's part of a waiting payment: PAID, AUTHORIZED
// for card payments (capture or release it next), and FLOW_COMPLETED, ACCEPTED,
// PAID for bank transfers. Subscribers see every step.
func (s *Server) Approve(waitToken string) error {
	return s.withRequest(waitToken, s.store.approve)
}

// Decline has the customer decline a waiting payment: DECLINED.
func (s *Server) Decline(waitToken string) error {
	return s.end(waitToken, model.PaymentStatusEnumDeclined, "the customer declined the payment")
}

// Fail ends a payment that is not over yet in ERROR.
func (s *Server) Fail(waitToken string) error {
	return s.end(waitToken, model.PaymentStatusEnumError, "the payment failed")
}

// TimeOut ends a waiting payment the customer never paid: ERROR.
func (s *Server) TimeOut(waitToken string) error {
	return s.end(waitToken, model.PaymentStatusEnumError, "the customer did not pay in time")
}

func (s *Server) end(waitToken string, st model.PaymentStatusEnum, msg string) error {
	return s.withRequest(waitToken, func(r *paymentRequest) error { return s.store.move(r, st, msg) })
}

// Advance moves a payment request one step along the status machine, e.g. to
// [payments.StatusProcessingRedirectedApp], [payments.StatusWaitingForPromotion]
// or [payments.StatusFlowCompleted]. Any status of the schema's
// PaymentStatusEnum can be reached so, or through Approve, Decline, Fail,
// cancelPayment, captures and releases. A move the gateway would not make
// (such as PAID for a card payment, or anything out of a final status), or to
// a status the schema does not have, is an error and changes nothing.
// Captures, releases and refunds move a payment on from PAID or AUTHORIZED.
func (s *Server) Advance(waitToken string, status payments.Status) error {
	st := model.PaymentStatusEnum(status)
	if !st.IsValid() {
		return fmt.Errorf("kronortest: unknown payment status %q", string(status))
	}
	return s.withRequest(waitToken, func(r *paymentRequest) error { return s.store.move(r, st, "") })
}

// PaymentRequestStatus returns the current status of a payment request, e.g.
// [payments.StatusWaitingForPayment].
func (s *Server) PaymentRequestStatus(waitToken string) (payments.Status, error) {
	var st model.PaymentStatusEnum
	err := s.withRequest(waitToken, func(r *paymentRequest) error {
		st = r.status()
		return nil
	})
	return payments.Status(st), err
}

// PaymentRequestInfo describes a payment request as [Server.PaymentRequests]
// finds it.
type PaymentRequestInfo struct {
	// WaitToken names the request in the control methods (Approve, Decline,
	// Advance, ...) and in the SDK's subscriptions.
	WaitToken string
	// TransactionID is the payment's transaction id.
	TransactionID string
	// Method is the payment method the request was started with.
	Method payments.Method
	// Status is the request's current status.
	Status payments.Status
	// Amount is its session's amount, in minor units.
	Amount int64
	// PaymentID is the id of the payment the request made once paid or
	// authorized; 0 before.
	PaymentID int64
	// CreatedAt is when the request was started, by the server's clock.
	CreatedAt time.Time
}

// PaymentRequests returns the payment requests of every session with
// merchantReference, oldest first (none for a reference the server never
// saw). A test of a service that starts payments itself finds their wait
// tokens here, by the order's reference, to play the customer:
//
//	reqs := srv.PaymentRequests("order-1")
//	if len(reqs) != 1 { t.Fatalf("%d payment requests, want 1", len(reqs)) }
//	if err := srv.Approve(reqs[0].WaitToken); err != nil { t.Fatal(err) }
func (s *Server) PaymentRequests(merchantReference string) []PaymentRequestInfo {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	var rs []*paymentRequest
	for _, sess := range s.store.byReference[merchantReference] {
		rs = append(rs, sess.requests...)
	}
	slices.SortFunc(rs, func(a, b *paymentRequest) int { return cmp.Compare(a.seq, b.seq) })
	out := make([]PaymentRequestInfo, 0, len(rs))
	for _, r := range rs {
		info := PaymentRequestInfo{
			WaitToken:     r.waitToken,
			TransactionID: r.transactionID,
			Method:        payments.Method(r.method),
			Status:        payments.Status(r.status()),
			Amount:        r.sess.amount,
			CreatedAt:     r.createdAt,
		}
		if r.payment != nil {
			info.PaymentID = r.payment.id
		}
		out = append(out, info)
	}
	return out
}

// CaptureStatus returns the current status of the capture that
// newPaymentCapture answered with captureId id, e.g. "CAPTURING" or
// "CAPTURE_DONE", without a request.
func (s *Server) CaptureStatus(id int64) (string, error) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	c := s.store.captures[id]
	if c == nil {
		return "", fmt.Errorf("%w: capture %d", ErrNotFound, id)
	}
	return string(c.status()), nil
}

// CaptureStatusByTransactionID is [Server.CaptureStatus] for the
// captureTransactionId newPaymentCapture answered with.
func (s *Server) CaptureStatusByTransactionID(transactionID string) (string, error) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	for _, c := range s.store.captureList {
		if c.transactionID == transactionID {
			return string(c.status()), nil
		}
	}
	return "", fmt.Errorf("%w: capture with transaction id %q", ErrNotFound, transactionID)
}

// ReleaseStatus returns the current status of the release that
// releasePayment answered with releaseId id (its decimal form), e.g.
// "IN_PROGRESS" or "DONE".
func (s *Server) ReleaseStatus(id string) (string, error) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	var r *release
	if n, err := strconv.ParseInt(id, 10, 64); err == nil {
		r = s.store.releases[n]
	}
	if r == nil {
		return "", fmt.Errorf("%w: release %q", ErrNotFound, id)
	}
	return string(r.status()), nil
}

// RefundStatus returns the current status of the refund that refundPayment
// answered with waitToken, e.g. "INITIALIZING" or "PAID".
func (s *Server) RefundStatus(waitToken string) (string, error) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	r := s.store.refunds[strings.ToLower(waitToken)]
	if r == nil {
		return "", fmt.Errorf("%w: refund %q", ErrNotFound, waitToken)
	}
	return string(r.status()), nil
}

// ScriptCapture sets the outcome of the next capture; calls queue up, and
// captures with no scripted outcome succeed.
func (s *Server) ScriptCapture(o Outcome) { s.script(&s.store.scriptCapture, o) }

// ScriptRelease sets the outcome of the next release; calls queue up.
func (s *Server) ScriptRelease(o Outcome) { s.script(&s.store.scriptRelease, o) }

// ScriptRefund sets the outcome of the next refund; calls queue up.
func (s *Server) ScriptRefund(o Outcome) { s.script(&s.store.scriptRefund, o) }

func (s *Server) script(q *[]Outcome, o Outcome) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	*q = append(*q, o)
}

// Settle settles every pending capture, release and refund now, whether or not
// [WithManualSettlement] is set.
func (s *Server) Settle() {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	s.store.settle()
}

// Counts is how many objects of each kind exist.
type Counts struct {
	Sessions        int
	PaymentRequests int
	Payments        int
	Captures        int
	Releases        int
	Refunds         int
}

// Counts returns what exists for one merchantReference: a test can prove that
// retries created nothing twice.
func (s *Server) Counts(merchantReference string) Counts {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	if c := s.store.counts[merchantReference]; c != nil {
		return *c
	}
	return Counts{}
}

// Totals returns what exists in the whole server.
func (s *Server) Totals() Counts {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	return s.store.totals
}

// Requests returns how many HTTP GraphQL requests the server has received,
// faulted ones included: a test can prove that nothing was sent.
func (s *Server) Requests() int { return int(s.requests.Load()) }

// Live is how many websockets and subscriptions are open.
type Live struct {
	WebSockets    int
	Subscriptions int
}

// Live returns the open websockets and subscriptions; both fall back to zero
// when clients disconnect, for any reason, so a test can prove nothing leaks.
func (s *Server) Live() Live {
	l, _ := s.live.get(false)
	return l
}

// Pushes returns how many subscription results the server has sent on its
// websockets ("data" messages on graphql-ws, "next" on
// graphql-transport-ws), and when it began writing the last of them (the
// zero time before the first): a benchmark can time the server's changes up
// to their delivery to the subscribers.
func (s *Server) Pushes() (n int64, last time.Time) {
	s.pushes.mu.Lock()
	defer s.pushes.mu.Unlock()
	return s.pushes.n, s.pushes.last
}

// pushCount counts the subscription results sent on websockets, and those
// not sent because they were unchanged, and signals every change of either
// (for tests: see export_test.go).
type pushCount struct {
	mu        sync.Mutex
	n         int64
	last      time.Time
	unchanged int64
	changed   chan struct{} // closed and forgotten at the next change; nil when nobody waits
}

// add counts a result sent.
func (p *pushCount) add() {
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	p.last = now
	p.signal()
}

// skip counts a result not sent, since it was the one sent last.
func (p *pushCount) skip() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.unchanged++
	p.signal()
}

// signal wakes whoever waits for a change. Callers hold p.mu.
func (p *pushCount) signal() {
	if p.changed != nil {
		close(p.changed)
		p.changed = nil
	}
}

// counts returns the results sent and those skipped as unchanged, and a
// channel closed at the next change of either.
func (p *pushCount) counts() (sent, unchanged int64, changed <-chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.changed == nil {
		p.changed = make(chan struct{})
	}
	return p.n, p.unchanged, p.changed
}

// liveCount counts the open websockets and subscriptions, and signals every
// change, so a test can wait for a count instead of polling it.
type liveCount struct {
	mu      sync.Mutex
	now     Live
	changed chan struct{} // closed and forgotten at the next change; nil when nobody waits
}

func (l *liveCount) add(ws, subs int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.now.WebSockets += ws
	l.now.Subscriptions += subs
	if l.changed != nil {
		close(l.changed)
		l.changed = nil
	}
}

// get returns the counts and, if wait, a channel closed at their next change.
func (l *liveCount) get(wait bool) (Live, <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if wait && l.changed == nil {
		l.changed = make(chan struct{})
	}
	return l.now, l.changed
}
