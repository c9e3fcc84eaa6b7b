package kronortest

import (
	"strconv"
	"time"

	"github.com/kronor-io/kronor-go/kronortest/internal/graph/model"
)

// Outcome is how the next capture, release or refund settles (see
// [Server.ScriptCapture], [Server.ScriptRelease], [Server.ScriptRefund]).
type Outcome int

const (
	// OutcomeSuccess settles normally: CAPTURE_DONE, DONE, or a refund walking
	// INITIALIZING, CREATED, DEBITED, PAID.
	OutcomeSuccess Outcome = iota
	// OutcomeCooldown ends a capture in CAPTURE_COOLDOWN: too many partial
	// captures; the merchant may capture again later. Releases and refunds
	// treat it as OutcomeError.
	OutcomeCooldown
	// OutcomeDeclined ends a capture in CAPTURE_DECLINED, and its payment too:
	// no further captures are allowed. Releases and refunds treat it as
	// OutcomeError.
	OutcomeDeclined
	// OutcomeError ends the capture, release or refund in ERROR; the payment is
	// unchanged.
	OutcomeError
	// OutcomeAmbiguous leaves the outcome unknown: a release ends in
	// RELEASE_AMBIGUOUS, a refund in REFUND_AMBIGUOUS, and a capture stays
	// CAPTURING for good.
	OutcomeAmbiguous
	// OutcomePending makes the provider take its time, then succeed: a
	// capture is created WAITING_FOR_CAPTURE (scheduled) and walks CAPTURING
	// to CAPTURE_DONE when settled; a refund waits in WAITING_FOR_REFUND, and
	// a release stays IN_PROGRESS, at its first settlement, and succeeds at
	// the next.
	//
	// WAITING_FOR_CAPTURE is a value of the real schema's
	// PaymentCaptureStatusEnum only: its PaymentStatusEnum has none, so a
	// payment request or payment never shows it (a PayPal payment the payer
	// approved is captured by the gateway itself, capturePayPalPayment, and
	// is PAID). The fake gives it to the one object that can have it: a
	// capture scheduled but not started. Such a capture holds its amount, as
	// a CAPTURING one does: it counts against what is left to capture, and
	// the payment cannot be released meanwhile.
	OutcomePending
	// OutcomeAwaitingAccount has a refund wait for the customer to pick the
	// account to be paid back to (a bank payout): AWAITING_ACCOUNT_SELECTION
	// at its first settlement, then the normal walk to PAID at the next.
	// Captures and releases treat it as OutcomeError.
	OutcomeAwaitingAccount
)

func (o Outcome) String() string {
	switch o {
	case OutcomeSuccess:
		return "success"
	case OutcomeCooldown:
		return "cooldown"
	case OutcomeDeclined:
		return "declined"
	case OutcomeError:
		return "error"
	case OutcomeAmbiguous:
		return "ambiguous"
	case OutcomePending:
		return "pending"
	case OutcomeAwaitingAccount:
		return "awaiting-account"
	}
	return "Outcome(" + strconv.Itoa(int(o)) + ")"
}

// popOutcome takes the next scripted outcome, OutcomeSuccess when none is left.
func popOutcome(q *[]Outcome) Outcome {
	if len(*q) == 0 {
		return OutcomeSuccess
	}
	o := (*q)[0]
	*q = (*q)[1:]
	return o
}

// step is one status change of a capture, release or refund on its way to
// its end, entered at the given time. The settlement pushes the object to
// subscribers once after the steps it runs together, as a live query sees a
// change made in one transaction: the state after it.
type step func(at time.Time)

// settlement is what is left of a capture's, release's or refund's way to
// its end: phases of steps. A settlement ([Server.Settle], or a served
// request with WithSettleDelay(0)) runs the rest of the current phase at
// once; timed settlement runs one step every settleDelay, an empty phase
// counting as one step (the provider takes its time).
type settlement struct {
	phases  [][]step
	due     time.Time // when the next timed step runs
	changed func()    // pushes the object to its subscribers
}

// next runs one timed step, entered at at, and reports whether it changed
// anything (an empty phase does not); the caller pushes the change.
func (st *settlement) next(at time.Time) bool {
	ran := false
	if ph := st.phases[0]; len(ph) > 0 {
		ph[0](at)
		st.phases[0] = ph[1:]
		ran = true
	}
	if len(st.phases[0]) == 0 {
		st.phases = st.phases[1:]
	}
	return ran
}

// settlePhase runs the rest of the current phase, entered at at, and pushes
// the object's new state once.
func (st *settlement) settlePhase(at time.Time) {
	ph := st.phases[0]
	for _, f := range ph {
		f(at)
	}
	st.phases = st.phases[1:]
	if len(ph) > 0 {
		st.changed()
	}
}

// schedule registers the way to its end of a new capture, release or
// refund; nothing when it has none (an ambiguous capture stays CAPTURING).
// Callers hold s.mu.
func (s *store) schedule(phases [][]step, changed func()) {
	if len(phases) == 0 {
		return
	}
	s.pending = append(s.pending, &settlement{phases: phases, due: s.now().Add(s.settleDelay), changed: changed})
	s.wake()
}

// settle runs the current phase of every pending capture, release and
// refund. Callers hold s.mu.
func (s *store) settle() {
	if len(s.pending) == 0 {
		return
	}
	now := s.now()
	keep := s.pending[:0]
	for _, st := range s.pending {
		st.settlePhase(now)
		if len(st.phases) > 0 {
			st.due = now.Add(s.settleDelay)
			keep = append(keep, st)
		}
	}
	clear(s.pending[len(keep):])
	s.pending = keep
}

// runSettlements runs, with timed settlement, every step whose time has
// come, each entered at its due time, and returns the time of the next one
// (zero when none is left). Callers hold s.mu.
func (s *store) runSettlements(now time.Time) time.Time {
	if s.manualSettle || s.settleDelay <= 0 {
		return time.Time{}
	}
	var next time.Time
	keep := s.pending[:0]
	for _, st := range s.pending {
		ran := false
		for len(st.phases) > 0 && !st.due.After(now) {
			if st.next(st.due) {
				ran = true
			}
			st.due = st.due.Add(s.settleDelay)
		}
		if ran {
			st.changed()
		}
		if len(st.phases) > 0 {
			keep = append(keep, st)
			if next.IsZero() || st.due.Before(next) {
				next = st.due
			}
		}
	}
	clear(s.pending[len(keep):])
	s.pending = keep
	return next
}

// served runs, before a request is served, what is due: the jobs whose time
// has come (runDue), and with WithSettleDelay(0) the current phase of every
// pending capture, release and refund (with timed settlement, runDue runs
// the steps whose time has come; with manual settlement, nothing).
func (s *store) served() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.due) > 0 || len(s.pending) > 0 {
		s.runDueLocked()
	}
	if !s.manualSettle && s.settleDelay <= 0 {
		s.settle()
	}
}

func (s *store) newPaymentCapture(id identity, in model.PaymentCaptureInput) (*model.PaymentCaptureResult, error) {
	const field, arg = "newPaymentCapture", "capture"
	return mutate(s, id, field, arg, in.IdempotencyKey, in, func() (*model.PaymentCaptureResult, error) {
		v := &inputCheck{field: field, arg: arg}
		checkAmount(v, in.Amount)
		checkMaxLen(v, in.Message, 50, "message")
		checkMaxLen(v, in.CreatedBy, 100, "createdBy")
		checkMaxLen(v, in.GeneratedFrom, 100, "generatedFrom")
		if err := v.err(); err != nil {
			return nil, err
		}
		p, err := s.findPayment(field, arg, (*int64)(in.PaymentID), in.PaymentTransactionID)
		if err != nil {
			return nil, err
		}
		switch st := p.status(); st {
		case model.PaymentStatusEnumAuthorized, model.PaymentStatusEnumPartiallyCaptured:
		case model.PaymentStatusEnumCaptureDeclined:
			return nil, gwError(codeInvalidState, fieldPath(field),
				"a capture of payment %d was declined: no further captures are allowed", p.id)
		default:
			return nil, gwError(codeInvalidState, fieldPath(field),
				"payment %d is %s: only an AUTHORIZED payment can be captured", p.id, st)
		}
		for _, r := range p.releases {
			if !r.failed() {
				return nil, gwError(codeInvalidState, fieldPath(field), "payment %d is being released", p.id)
			}
		}
		var held int64
		for _, c := range p.captures {
			if c.holds() {
				held += c.amount
			}
		}
		if left := p.authorized - held; int64(in.Amount) > left {
			return nil, gwError(codeLimitExceeded, argPath(field, arg, "amount"),
				"amount %d exceeds the %d left to capture of payment %d", in.Amount, left, p.id)
		}
		now := s.now()
		outcome := popOutcome(&s.scriptCapture)
		first := model.PaymentCaptureStatusEnumCapturing
		if outcome == OutcomePending {
			first = model.PaymentCaptureStatusEnumWaitingForCapture
		}
		c := &capture{
			seq: s.nextSeq(), id: s.nextCaptureID, transactionID: newUUID(), pay: p,
			amount: int64(in.Amount), createdAt: now, createdBy: in.CreatedBy,
			generatedFrom: in.GeneratedFrom, message: in.Message,
			history: []captureEntry{{status: first, at: now}},
			outcome: outcome,
		}
		s.nextCaptureID++
		p.captures = append(p.captures, c)
		s.captures[c.id] = c
		s.captureList = append(s.captureList, c)
		s.count(p.req.sess.merchantReference, func(n *Counts) { n.Captures++ })
		s.schedule(s.captureSteps(c), func() { s.changedCapture(c) })
		s.changedCapture(c)
		return &model.PaymentCaptureResult{CaptureID: bigint(c.id), CaptureTransactionID: c.transactionID}, nil
	})
}

// captureSteps is a capture's way to its scripted outcome.
func (s *store) captureSteps(c *capture) [][]step {
	p := c.pay
	enter := func(st model.PaymentCaptureStatusEnum, errMsg string, then func()) step {
		return func(at time.Time) {
			c.history = append(c.history, captureEntry{status: st, at: at})
			if errMsg != "" {
				c.errorMessage = errMsg
			}
			if then != nil {
				then()
			}
		}
	}
	done := enter(model.PaymentCaptureStatusEnumCaptureDone, "", func() {
		p.paid += c.amount
		if p.paid >= p.authorized {
			s.setPaymentStatus(p, model.PaymentStatusEnumPaid)
		} else {
			s.setPaymentStatus(p, model.PaymentStatusEnumPartiallyCaptured)
		}
	})
	switch c.outcome {
	case OutcomeSuccess:
		return [][]step{{done}}
	case OutcomePending:
		// Scheduled (WAITING_FOR_CAPTURE), then started, then done.
		return [][]step{{enter(model.PaymentCaptureStatusEnumCapturing, "", nil), done}}
	case OutcomeCooldown:
		return [][]step{{enter(model.PaymentCaptureStatusEnumCaptureCooldown,
			"too many partial captures in a short time: try again in 24 hours", nil)}}
	case OutcomeDeclined:
		return [][]step{{enter(model.PaymentCaptureStatusEnumCaptureDeclined, "the card was declined", func() {
			s.setPaymentStatus(p, model.PaymentStatusEnumCaptureDeclined)
		})}}
	case OutcomeAmbiguous:
		return nil // stays CAPTURING
	}
	return [][]step{{enter(model.PaymentCaptureStatusEnumError, "the capture failed", nil)}}
}

func (s *store) releasePayment(id identity, in model.ReleasePaymentInput) (*model.ReleasePaymentResult, error) {
	const field, arg = "releasePayment", "release"
	return mutate(s, id, field, arg, in.IdempotencyKey, in, func() (*model.ReleasePaymentResult, error) {
		v := &inputCheck{field: field, arg: arg}
		checkAmount(v, in.Amount)
		checkMaxLen(v, in.CreatedBy, 100, "createdBy")
		checkMaxLen(v, in.GeneratedFrom, 100, "generatedFrom")
		checkMaxLen(v, in.MerchantReference, 100, "merchantReference")
		if err := v.err(); err != nil {
			return nil, err
		}
		p, err := s.findPayment(field, arg, (*int64)(in.PaymentID), in.PaymentTransactionID)
		if err != nil {
			return nil, err
		}
		if st := p.status(); st != model.PaymentStatusEnumAuthorized {
			return nil, gwError(codeInvalidState, fieldPath(field),
				"payment %d is %s: only an AUTHORIZED payment with no capture can be released", p.id, st)
		}
		for _, c := range p.captures {
			if c.holds() {
				return nil, gwError(codeInvalidState, fieldPath(field),
					"payment %d has been captured: the rest cannot be released", p.id)
			}
		}
		for _, r := range p.releases {
			if !r.failed() {
				return nil, gwError(codeInvalidState, fieldPath(field), "payment %d is already released", p.id)
			}
		}
		if int64(in.Amount) != p.authorized {
			return nil, gwError(codeValidationFailed, argPath(field, arg, "amount"),
				"only full releases are possible: amount must be the authorized %d", p.authorized)
		}
		if in.MerchantReference != nil {
			for _, r := range s.releaseList {
				if !r.failed() && r.merchantReference != nil && *r.merchantReference == *in.MerchantReference {
					return nil, gwError(codeConflict, argPath(field, arg, "merchantReference"),
						"merchantReference %q is already used by release %d", *in.MerchantReference, r.id)
				}
			}
		}
		now := s.now()
		r := &release{
			seq: s.nextSeq(), id: s.nextReleaseID, pay: p, amount: int64(in.Amount), createdAt: now,
			createdBy: in.CreatedBy, generatedFrom: in.GeneratedFrom, merchantReference: in.MerchantReference,
			history: []releaseEntry{{status: model.TransactionReleaseStatusEnumInProgress, at: now}},
			outcome: popOutcome(&s.scriptRelease),
		}
		s.nextReleaseID++
		p.releases = append(p.releases, r)
		s.releases[r.id] = r
		s.releaseList = append(s.releaseList, r)
		s.count(p.req.sess.merchantReference, func(n *Counts) { n.Releases++ })
		s.schedule(s.releaseSteps(r), func() { s.changedRelease(r) })
		s.changedRelease(r)
		return &model.ReleasePaymentResult{ReleaseID: strconv.FormatInt(r.id, 10)}, nil
	})
}

// releaseSteps is a release's way to its scripted outcome.
func (s *store) releaseSteps(r *release) [][]step {
	enter := func(st model.TransactionReleaseStatusEnum, then func()) step {
		return func(at time.Time) {
			r.history = append(r.history, releaseEntry{status: st, at: at})
			if then != nil {
				then()
			}
		}
	}
	done := enter(model.TransactionReleaseStatusEnumDone, func() {
		s.setPaymentStatus(r.pay, model.PaymentStatusEnumReleased)
	})
	switch r.outcome {
	case OutcomeSuccess:
		return [][]step{{done}}
	case OutcomePending:
		return [][]step{{}, {done}} // still IN_PROGRESS at the first settlement
	case OutcomeAmbiguous:
		return [][]step{{enter(model.TransactionReleaseStatusEnumReleaseAmbiguous, nil)}}
	}
	return [][]step{{enter(model.TransactionReleaseStatusEnumError, nil)}}
}

func (s *store) refundPayment(id identity, in model.RefundPaymentInput) (*model.RefundPaymentResult, error) {
	const field, arg = "refundPayment", "refund"
	return mutate(s, id, field, arg, in.IdempotencyKey, in, func() (*model.RefundPaymentResult, error) {
		v := &inputCheck{field: field, arg: arg}
		checkAmount(v, in.Amount)
		checkMessage(v, in.Message, "message")
		checkMaxLen(v, in.CreatedBy, 100, "createdBy")
		checkMaxLen(v, in.GeneratedFrom, 100, "generatedFrom")
		checkMaxLen(v, in.MerchantReference, 100, "merchantReference")
		if err := v.err(); err != nil {
			return nil, err
		}
		p, err := s.findPayment(field, arg, (*int64)(in.PaymentID), in.PaymentTransactionID)
		if err != nil {
			return nil, err
		}
		if p.paid == 0 {
			return nil, gwError(codeInvalidState, fieldPath(field),
				"payment %d is %s and has no paid amount: an authorized payment is released, not refunded", p.id, p.status())
		}
		var refunded int64
		for _, r := range p.refunds {
			if !r.failed() {
				refunded += r.amount
			}
		}
		if left := p.paid - refunded; int64(in.Amount) > left {
			return nil, gwError(codeLimitExceeded, argPath(field, arg, "amount"),
				"amount %d exceeds the %d left to refund of payment %d", in.Amount, left, p.id)
		}
		if in.MerchantReference != nil {
			for _, r := range s.refundList {
				if !r.failed() && r.merchantReference != nil && *r.merchantReference == *in.MerchantReference {
					return nil, gwError(codeConflict, argPath(field, arg, "merchantReference"),
						"merchantReference %q is already used by refund %s", *in.MerchantReference, r.waitToken)
				}
			}
		}
		now := s.now()
		r := &refund{
			seq: s.nextSeq(), waitToken: newUUID(), transactionID: newUUID(), pay: p,
			amount: int64(in.Amount), message: in.Message, createdAt: now,
			createdBy: in.CreatedBy, generatedFrom: in.GeneratedFrom, merchantReference: in.MerchantReference,
			history: []refundEntry{{status: model.RefundStatusEnumInitializing, at: now}},
			outcome: popOutcome(&s.scriptRefund),
		}
		p.refunds = append(p.refunds, r)
		s.refunds[r.waitToken] = r
		s.refundList = append(s.refundList, r)
		s.count(p.req.sess.merchantReference, func(n *Counts) { n.Refunds++ })
		s.schedule(s.refundSteps(r), func() { s.changedRefund(r) })
		s.changedRefund(r)
		return &model.RefundPaymentResult{WaitToken: r.waitToken, RefundTransactionID: r.transactionID}, nil
	})
}

// refundSteps is a refund's way to its scripted outcome.
func (s *store) refundSteps(r *refund) [][]step {
	enter := func(st model.RefundStatusEnum, errMsg string) step {
		return func(at time.Time) {
			r.history = append(r.history, refundEntry{status: st, at: at})
			if errMsg != "" {
				r.errorMessage = errMsg
			}
		}
	}
	paid := []step{
		enter(model.RefundStatusEnumCreated, ""),
		enter(model.RefundStatusEnumDebited, ""),
		enter(model.RefundStatusEnumPaid, ""),
	}
	switch r.outcome {
	case OutcomeSuccess:
		return [][]step{paid}
	case OutcomePending:
		return [][]step{{enter(model.RefundStatusEnumWaitingForRefund, "")}, paid}
	case OutcomeAwaitingAccount:
		return [][]step{{enter(model.RefundStatusEnumAwaitingAccountSelection, "")}, paid}
	case OutcomeAmbiguous:
		return [][]step{{enter(model.RefundStatusEnumRefundAmbiguous, "")}}
	}
	return [][]step{{enter(model.RefundStatusEnumError, "the refund failed")}}
}

// refundStatus summarises a payment's paid refunds.
func (p *payment) refundStatus() model.PaymentRefundStatusEnum {
	var sum int64
	for _, r := range p.refunds {
		if r.status() == model.RefundStatusEnumPaid {
			sum += r.amount
		}
	}
	switch {
	case sum == 0:
		return model.PaymentRefundStatusEnumNoRefund
	case sum >= p.paid:
		return model.PaymentRefundStatusEnumFullyRefunded
	}
	return model.PaymentRefundStatusEnumPartiallyRefunded
}
