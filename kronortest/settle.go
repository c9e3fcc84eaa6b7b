package kronortest

import (
	"strconv"

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

// settle settles every capture, release and refund created so far. Callers
// hold s.mu.
func (s *store) settle() {
	if len(s.unsettled) == 0 {
		return
	}
	fs := s.unsettled
	s.unsettled = nil
	for _, f := range fs {
		f()
	}
}

// settleServed settles pending objects before a request is served, unless
// settlement is manual (then it does not take the mutex at all).
func (s *store) settleServed() {
	if s.manualSettle {
		return
	}
	s.mu.Lock()
	s.settle()
	s.mu.Unlock()
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
		s.unsettled = append(s.unsettled, func() { s.settleCapture(c) })
		s.changedCapture(c)
		return &model.PaymentCaptureResult{CaptureID: bigint(c.id), CaptureTransactionID: c.transactionID}, nil
	})
}

func (s *store) settleCapture(c *capture) {
	at := s.now()
	set := func(st model.PaymentCaptureStatusEnum) {
		c.history = append(c.history, captureEntry{status: st, at: at})
	}
	p := c.pay
	defer s.changedCapture(c)
	switch c.outcome {
	case OutcomeSuccess, OutcomePending:
		if c.status() == model.PaymentCaptureStatusEnumWaitingForCapture {
			set(model.PaymentCaptureStatusEnumCapturing)
		}
		set(model.PaymentCaptureStatusEnumCaptureDone)
		p.paid += c.amount
		if p.paid >= p.authorized {
			s.setPaymentStatus(p, model.PaymentStatusEnumPaid)
		} else {
			s.setPaymentStatus(p, model.PaymentStatusEnumPartiallyCaptured)
		}
	case OutcomeCooldown:
		c.errorMessage = "too many partial captures in a short time: try again in 24 hours"
		set(model.PaymentCaptureStatusEnumCaptureCooldown)
	case OutcomeDeclined:
		c.errorMessage = "the card was declined"
		set(model.PaymentCaptureStatusEnumCaptureDeclined)
		s.setPaymentStatus(p, model.PaymentStatusEnumCaptureDeclined)
	case OutcomeError:
		c.errorMessage = "the capture failed"
		set(model.PaymentCaptureStatusEnumError)
	case OutcomeAmbiguous:
		// stays CAPTURING
	}
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
		s.unsettled = append(s.unsettled, func() { s.settleRelease(r) })
		s.changedRelease(r)
		return &model.ReleasePaymentResult{ReleaseID: strconv.FormatInt(r.id, 10)}, nil
	})
}

func (s *store) settleRelease(r *release) {
	at := s.now()
	set := func(st model.TransactionReleaseStatusEnum) {
		r.history = append(r.history, releaseEntry{status: st, at: at})
	}
	defer s.changedRelease(r)
	switch r.outcome {
	case OutcomeSuccess:
		set(model.TransactionReleaseStatusEnumDone)
		s.setPaymentStatus(r.pay, model.PaymentStatusEnumReleased)
	case OutcomeAmbiguous:
		set(model.TransactionReleaseStatusEnumReleaseAmbiguous)
	case OutcomePending:
		// Still IN_PROGRESS; done at the next settlement.
		r.outcome = OutcomeSuccess
		s.unsettled = append(s.unsettled, func() { s.settleRelease(r) })
	default:
		set(model.TransactionReleaseStatusEnumError)
	}
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
		s.unsettled = append(s.unsettled, func() { s.settleRefund(r) })
		s.changedRefund(r)
		return &model.RefundPaymentResult{WaitToken: r.waitToken, RefundTransactionID: r.transactionID}, nil
	})
}

func (s *store) settleRefund(r *refund) {
	at := s.now()
	set := func(st model.RefundStatusEnum) {
		r.history = append(r.history, refundEntry{status: st, at: at})
	}
	defer s.changedRefund(r)
	switch r.outcome {
	case OutcomeSuccess:
		set(model.RefundStatusEnumCreated)
		set(model.RefundStatusEnumDebited)
		set(model.RefundStatusEnumPaid)
	case OutcomeAmbiguous:
		set(model.RefundStatusEnumRefundAmbiguous)
	case OutcomePending, OutcomeAwaitingAccount:
		if r.outcome == OutcomePending {
			set(model.RefundStatusEnumWaitingForRefund)
		} else {
			set(model.RefundStatusEnumAwaitingAccountSelection)
		}
		// Paid at the next settlement.
		r.outcome = OutcomeSuccess
		s.unsettled = append(s.unsettled, func() { s.settleRefund(r) })
	default:
		r.errorMessage = "the refund failed"
		set(model.RefundStatusEnumError)
	}
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
