package kronortest

import (
	"crypto/rand"
	"encoding/base64"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/kronor-io/kronor-go/kronortest/internal/graph/model"
)

// defaultCurrency is the merchant's default currency: the currency of a session
// created without one.
const defaultCurrency = model.SupportedCurrencyEnumSek

// sessionTokenGrace is how long after its expiresAt a session token still
// authenticates. Until expiresAt it can start payments; after it, it can only
// read its session's payment requests; after expiresAt+sessionTokenGrace it is
// refused as an expired token (HTTP 200, invalid-jwt).
const sessionTokenGrace = 24 * time.Hour

// maxSessionWindow is the longest a payment session may last.
const maxSessionWindow = 24 * time.Hour

// Statuses in which a payment request is still waiting for its customer; a
// create-payment call with the same method and parameters answers with it.
var pendingStatuses = map[model.PaymentStatusEnum]bool{
	model.PaymentStatusEnumPreFlightCheck:          true,
	model.PaymentStatusEnumInitializing:            true,
	model.PaymentStatusEnumWaitingForPayment:       true,
	model.PaymentStatusEnumProcessing:              true,
	model.PaymentStatusEnumProcessingRedirectedApp: true,
	model.PaymentStatusEnumProcessingRedirectedWeb: true,
	model.PaymentStatusEnumFlowCompleted:           true,
	model.PaymentStatusEnumAccepted:                true,
	model.PaymentStatusEnumCancelling:              true,
	model.PaymentStatusEnumWaitingForPromotion:     true,
}

// Statuses in which the customer has paid or authorized: a session holding such
// a request answers every new payment with its waitToken.
var succeededStatuses = map[model.PaymentStatusEnum]bool{
	model.PaymentStatusEnumPaid:              true,
	model.PaymentStatusEnumAuthorized:        true,
	model.PaymentStatusEnumPartiallyCaptured: true,
}

type statusEntry struct {
	status model.PaymentStatusEnum
	at     time.Time
}

// session is a payment session, created with the merchant token.
type session struct {
	id                 string // a UUID
	token              string
	merchantReference  string
	merchantReference2 *string
	amount             int64
	currency           model.SupportedCurrencyEnum
	country            *model.Country
	message            string
	createdAt          time.Time
	expiresAt          time.Time
	allowExecutionDate bool
	preferredGateway   *model.GatewayEnum
	additional         *model.PaymentSessionAdditionalData
	device             *Device // addSessionDeviceInformation's, the last one
	requests           []*paymentRequest
	// identity{roleGateway, this session} as a context value, boxed once
	// for every request made with the token (setIdentity); withIdentity
	// boxes it afresh when unset.
	identity any
}

// setIdentity sets sess.identity.
func (sess *session) setIdentity() { sess.identity = identity{role: roleGateway, sess: sess} }

// paymentRequest is one attempt to pay within a session.
type paymentRequest struct {
	seq           uint64
	waitToken     string
	transactionID string
	sess          *session
	method        model.PaymentMethodEnum
	params        string // the create input without its idempotency key
	createdAt     time.Time
	history       []statusEntry
	returnURL     string
	merchantRet   *string
	flow          *string
	swishNumber   *string
	userFlow      *model.MobilePayUserFlow
	aspspID       *int64
	errorMessage  string
	payment       *payment
	// payerReady is set when the gateway has the customer's next step: the
	// method's URL, QR code or app link (see WithPayerDataDelay).
	payerReady bool
}

func (r *paymentRequest) status() model.PaymentStatusEnum { return r.history[len(r.history)-1].status }

func (r *paymentRequest) gateway() model.GatewayEnum {
	if r.sess.preferredGateway != nil {
		return *r.sess.preferredGateway
	}
	return model.GatewayEnumKronor
}

// payment is the result of a paid or authorized payment request.
type payment struct {
	id         int64
	req        *paymentRequest
	authorized int64 // amountAuthorized; 0 when the method pays directly
	paid       int64 // amountPaid
	history    []statusEntry
	captures   []*capture
	releases   []*release
	refunds    []*refund
}

func (p *payment) status() model.PaymentStatusEnum { return p.history[len(p.history)-1].status }

type captureEntry struct {
	status model.PaymentCaptureStatusEnum
	at     time.Time
}

type capture struct {
	seq           uint64
	id            int64
	transactionID string
	pay           *payment
	amount        int64
	createdAt     time.Time
	createdBy     *string
	generatedFrom *string
	message       *string
	errorMessage  string
	history       []captureEntry
	outcome       Outcome
}

func (c *capture) status() model.PaymentCaptureStatusEnum { return c.history[len(c.history)-1].status }

// holds reports whether the capture took, or may still take, money: it counts
// against the authorized amount.
func (c *capture) holds() bool {
	s := c.status()
	return s == model.PaymentCaptureStatusEnumCapturing || s == model.PaymentCaptureStatusEnumCaptureDone ||
		s == model.PaymentCaptureStatusEnumWaitingForCapture
}

type releaseEntry struct {
	status model.TransactionReleaseStatusEnum
	at     time.Time
}

type release struct {
	seq               uint64
	id                int64
	pay               *payment
	amount            int64
	createdAt         time.Time
	createdBy         *string
	generatedFrom     *string
	merchantReference *string
	history           []releaseEntry
	outcome           Outcome
}

func (r *release) status() model.TransactionReleaseStatusEnum {
	return r.history[len(r.history)-1].status
}

func (r *release) failed() bool { return r.status() == model.TransactionReleaseStatusEnumError }

type refundEntry struct {
	status model.RefundStatusEnum
	at     time.Time
}

type refund struct {
	seq               uint64
	waitToken         string
	transactionID     string
	pay               *payment
	amount            int64
	message           string
	createdAt         time.Time
	createdBy         *string
	generatedFrom     *string
	merchantReference *string
	errorMessage      string
	history           []refundEntry
	outcome           Outcome
}

func (r *refund) status() model.RefundStatusEnum { return r.history[len(r.history)-1].status }

func (r *refund) failed() bool { return r.status() == model.RefundStatusEnumError }

// dueJob is something that happens by itself at a time of the fake's clock,
// such as an automatic approval (WithAutoApprove).
type dueJob struct {
	at  time.Time
	run func() // called with s.mu held
}

// store is the fake gateway's whole state, behind one mutex: every mutation
// checks its rules and applies its effects atomically.
type store struct {
	mu    sync.Mutex
	clock Clock
	base  string // the server's base URL, for payer-facing URLs in details

	merchantToken string
	refreshes     int // refreshPaymentStatus calls

	sessions     map[string]*session // by token
	byReference  map[string][]*session
	requests     map[string]*paymentRequest // by waitToken
	requestList  []*paymentRequest
	payments     map[int64]*payment
	paymentsByTx map[string]*payment
	paymentList  []*payment
	created      createdIndex // the payments by (createdAt, id), for listing (list.go)
	captures     map[int64]*capture
	captureList  []*capture
	releases     map[int64]*release
	releaseList  []*release
	refunds      map[string]*refund // by waitToken
	refundList   []*refund

	seq           uint64
	nextPaymentID int64
	nextCaptureID int64
	nextReleaseID int64

	counts map[string]*Counts // by merchantReference
	totals Counts

	idem *idemCache

	manualSettle  bool
	settleDelay   time.Duration // per step of timed settlement; 0: settle when a request is served
	pending       []*settlement // the ways to their ends of the pending captures, releases and refunds
	scriptCapture []Outcome
	scriptRelease []Outcome
	scriptRefund  []Outcome

	autoApprove time.Duration
	payerDelay  time.Duration // WithPayerDataDelay
	due         []dueJob
	wakeDue     chan struct{} // signals the scheduler (Server.scheduler) of a new job or settlement

	// The live payment requests (those filtered on wait tokens, the
	// watcher's, under each of their tokens, so that a change notifies only
	// those that can include it) and the merchant role's live captures,
	// releases and refunds.
	requestSubs objSubs[*paymentRequest, *model.PaymentRequest]
	captureSubs objSubs[*capture, *model.PaymentCapture]
	releaseSubs objSubs[*release, *model.TransactionRelease]
	refundSubs  objSubs[*refund, *model.Refund]
}

func newStore(clock Clock, idemLimit int) *store {
	return &store{
		clock:         clock,
		sessions:      map[string]*session{},
		byReference:   map[string][]*session{},
		requests:      map[string]*paymentRequest{},
		payments:      map[int64]*payment{},
		paymentsByTx:  map[string]*payment{},
		captures:      map[int64]*capture{},
		releases:      map[int64]*release{},
		refunds:       map[string]*refund{},
		nextPaymentID: 1,
		nextCaptureID: 1,
		nextReleaseID: 1,
		counts:        map[string]*Counts{},
		idem:          newIdemCache(idemLimit),
		wakeDue:       make(chan struct{}, 1),
	}
}

func (s *store) now() time.Time { return s.clock.Now() }

func (s *store) nextSeq() uint64 {
	s.seq++
	return s.seq
}

func (s *store) countsFor(ref string) *Counts {
	c := s.counts[ref]
	if c == nil {
		c = &Counts{}
		s.counts[ref] = c
	}
	return c
}

// count applies f to the counts of ref and to the totals.
func (s *store) count(ref string, f func(*Counts)) {
	f(s.countsFor(ref))
	f(&s.totals)
}

// randomToken returns an opaque random token with the given prefix.
func randomToken(prefix string) string {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	// prefix + base64.RawURLEncoding.EncodeToString(b[:]), in one
	// allocation.
	var enc [32]byte // base64.RawURLEncoding.EncodedLen(len(b))
	base64.RawURLEncoding.Encode(enc[:], b[:])
	var t strings.Builder
	t.Grow(len(prefix) + len(enc))
	t.WriteString(prefix)
	t.Write(enc[:])
	return t.String()
}

// newUUID returns a random (version 4) UUID, as uuid.NewString does with
// its default source, crypto/rand, but in one allocation: uuid.NewRandom
// reads into a UUID on the heap, through the io.Reader it may be given.
func newUUID() string {
	var u uuid.UUID
	if _, err := rand.Read(u[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	u[6] = (u[6] & 0x0f) | 0x40 // version 4
	u[8] = (u[8] & 0x3f) | 0x80 // variant RFC 4122
	return u.String()
}

// setRequestStatus moves a payment request to st (enterRequestStatus) and
// pushes the change to subscribers. Callers hold s.mu and have checked the
// transition.
func (s *store) setRequestStatus(r *paymentRequest, st model.PaymentStatusEnum) {
	s.enterRequestStatus(r, st)
	s.notify(r)
}

// enterRequestStatus moves a payment request to st, records it in its
// history and creates the payment when the request is paid or authorized,
// without pushing the change: for a walk through several statuses in one
// transaction, whose subscribers see its end. Callers hold s.mu.
func (s *store) enterRequestStatus(r *paymentRequest, st model.PaymentStatusEnum) {
	now := s.now()
	r.history = append(r.history, statusEntry{status: st, at: now})
	if r.payment == nil && (st == model.PaymentStatusEnumPaid || st == model.PaymentStatusEnumAuthorized) {
		p := &payment{id: s.nextPaymentID, req: r}
		s.nextPaymentID++
		if st == model.PaymentStatusEnumAuthorized {
			p.authorized = r.sess.amount
		} else {
			p.paid = r.sess.amount
		}
		p.history = []statusEntry{{status: st, at: now}}
		r.payment = p
		s.payments[p.id] = p
		s.paymentsByTx[r.transactionID] = p
		s.paymentList = append(s.paymentList, p)
		s.created.add(p)
		s.count(r.sess.merchantReference, func(c *Counts) { c.Payments++ })
	} else if r.payment != nil {
		r.payment.history = append(r.payment.history, statusEntry{status: st, at: now})
	}
}

// setPaymentStatus moves a payment (and the request it came from) to st.
func (s *store) setPaymentStatus(p *payment, st model.PaymentStatusEnum) {
	if p.status() == st {
		return
	}
	s.setRequestStatus(p.req, st)
}

// findPayment resolves the paymentId / paymentTransactionId pair of a capture,
// release or refund input. Callers hold s.mu.
func (s *store) findPayment(field, arg string, id *int64, tx *string) (*payment, error) {
	if id == nil && (tx == nil || *tx == "") {
		return nil, gwError(codeValidationFailed, argPath(field, arg, "paymentId"),
			"one of paymentId or paymentTransactionId is required")
	}
	var p *payment
	if id != nil {
		p = s.payments[*id]
		if p == nil {
			return nil, gwError(codeNotFound, argPath(field, arg, "paymentId"), "payment %d not found", *id)
		}
	}
	if tx != nil && *tx != "" {
		q := s.paymentsByTx[*tx]
		if q == nil {
			return nil, gwError(codeNotFound, argPath(field, arg, "paymentTransactionId"),
				"payment with transaction id %q not found", *tx)
		}
		if p != nil && p != q {
			return nil, gwError(codeValidationFailed, argPath(field, arg, "paymentTransactionId"),
				"paymentId and paymentTransactionId identify different payments")
		}
		p = q
	}
	return p, nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
