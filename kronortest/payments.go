package kronortest

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/kronor-io/kronor-go/kronortest/internal/graph/model"
)

// payArg is the argument of every create-payment mutation.
const payArg = "pay"

// newRequestSpec describes one create-payment call.
type newRequestSpec struct {
	field     string // the mutation, e.g. "newSwishPayment"
	method    model.PaymentMethodEnum
	params    string // paramsOf the input without its idempotency key: same method + same params = same payment
	returnURL string
	fill      func(r *paymentRequest)
	// check, if not nil, validates the input and the session's preconditions
	// for the method.
	check func(v *inputCheck, sess *session)
}

// paramsOf is the canonical form of a create input without its idempotency key.
func paramsOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// startPaymentCall runs a create-payment mutation idempotently (mutate):
// startPayment, then the method's result for the request that answers the
// call.
func startPaymentCall[T any](s *store, id identity, key string, in any, spec newRequestSpec, result func(r *paymentRequest) *T) (*T, error) {
	return mutate(s, id, spec.field, payArg, key, in, func() (*T, error) {
		r, err := s.startPayment(id.sess, spec)
		if err != nil {
			return nil, err
		}
		return result(r), nil
	})
}

// startPayment applies the rules shared by every payment method and returns the
// request that answers the call: a new one, the session's paid or authorized
// one, or a pending one with the same method and parameters. Callers hold
// s.mu.
func (s *store) startPayment(sess *session, spec newRequestSpec) (*paymentRequest, error) {
	v := &inputCheck{field: spec.field, arg: payArg}
	checkURL(v, spec.returnURL, "returnUrl")
	if err := v.err(); err != nil {
		return nil, err
	}
	// A paid or authorized payment answers every new attempt, whatever the method.
	if paid := sess.succeededRequest(); paid != nil {
		return paid, nil
	}
	now := s.now()
	if !now.Before(sess.expiresAt) {
		return nil, gwError(codeSessionExpired, fieldPath(spec.field),
			"the payment session expired at %s", sess.expiresAt.UTC().Format(time.RFC3339))
	}
	if spec.check != nil {
		spec.check(v, sess)
		if err := v.err(); err != nil {
			return nil, err
		}
	}
	for i := len(sess.requests) - 1; i >= 0; i-- {
		r := sess.requests[i]
		if r.method == spec.method && pendingStatuses[r.status()] && r.params == spec.params {
			return r, nil
		}
	}
	r := &paymentRequest{
		seq:           s.nextSeq(),
		waitToken:     newUUID(),
		transactionID: newUUID(),
		sess:          sess,
		method:        spec.method,
		params:        spec.params,
		createdAt:     now,
		returnURL:     spec.returnURL,
	}
	if spec.fill != nil {
		spec.fill(r)
	}
	r.history = make([]statusEntry, 0, 4)
	sess.requests = append(sess.requests, r)
	s.requests[r.waitToken] = r
	s.requestList = append(s.requestList, r)
	s.count(sess.merchantReference, func(c *Counts) { c.PaymentRequests++ })
	// The request's first walk happens in one transaction: its subscribers
	// are pushed its end, with the walk in its status history.
	s.enterRequestStatus(r, model.PaymentStatusEnumPreFlightCheck)
	s.enterRequestStatus(r, model.PaymentStatusEnumInitializing)
	r.payerReady = s.payerDelay <= 0
	s.setRequestStatus(r, model.PaymentStatusEnumWaitingForPayment)
	if !r.payerReady {
		s.at(now.Add(s.payerDelay), func() {
			if pendingStatuses[r.status()] {
				r.payerReady = true
				s.notify(r)
			}
		})
	}
	s.scheduleApproval(r)
	return r, nil
}

type swishParams struct {
	Flow, ReturnURL           string
	Number, MerchantReturnURL *string
}

func (s *store) newSwishPayment(id identity, in model.SwishPaymentInput) (*model.SwishPaymentResult, error) {
	return startPaymentCall(s, id, in.IdempotencyKey, in, newRequestSpec{
		field: "newSwishPayment", method: model.PaymentMethodEnumSwish, returnURL: in.ReturnURL,
		params: paramsOf(swishParams{in.Flow, in.ReturnURL, in.CustomerSwishNumber, in.MerchantReturnURL}),
		check: func(v *inputCheck, _ *session) {
			checkFlow(v, in.Flow)
			if in.Flow == "ecom" {
				v.check(in.CustomerSwishNumber != nil && *in.CustomerSwishNumber != "",
					`is required for the "ecom" flow`, "customerSwishNumber")
			}
			checkMaxLen(v, in.CustomerSwishNumber, 100, "customerSwishNumber")
		},
		fill: func(r *paymentRequest) {
			r.flow, r.swishNumber, r.merchantRet = &in.Flow, in.CustomerSwishNumber, in.MerchantReturnURL
		},
	}, func(r *paymentRequest) *model.SwishPaymentResult {
		return &model.SwishPaymentResult{WaitToken: r.waitToken}
	})
}

func (s *store) newCreditCardPayment(id identity, in model.CreditCardPaymentInput) (*model.CreditCardPaymentResult, error) {
	return startPaymentCall(s, id, in.IdempotencyKey, in, newRequestSpec{
		field: "newCreditCardPayment", method: model.PaymentMethodEnumCreditCard, returnURL: in.ReturnURL,
		params: paramsOf([2]any{in.ReturnURL, in.MerchantReturnURL}),
		fill:   func(r *paymentRequest) { r.merchantRet = in.MerchantReturnURL },
	}, func(r *paymentRequest) *model.CreditCardPaymentResult {
		return &model.CreditCardPaymentResult{WaitToken: r.waitToken, Gateway: r.gateway()}
	})
}

// checkFlow requires a Swish or bank-transfer flow the gateway knows.
func checkFlow(v *inputCheck, flow string) {
	v.check(flow == "ecom" || flow == "mcom", `must be "ecom" or "mcom"`, "flow")
}

// checkUserFlow applies "userFlow must be set if the preferredGateway is KRONOR".
func checkUserFlow(v *inputCheck, sess *session, uf *model.MobilePayUserFlow) {
	if sess.preferredGateway != nil && *sess.preferredGateway == model.GatewayEnumKronor {
		v.check(uf != nil, "must be set when the session's preferredGateway is KRONOR", "userFlow")
	}
}

func (s *store) newMobilePayPayment(id identity, in model.MobilePayPaymentInput) (*model.MobilePayPaymentResult, error) {
	return startPaymentCall(s, id, in.IdempotencyKey, in, newRequestSpec{
		field: "newMobilePayPayment", method: model.PaymentMethodEnumMobilepay, returnURL: in.ReturnURL,
		params: paramsOf([3]any{in.ReturnURL, in.MerchantReturnURL, in.UserFlow}),
		check: func(v *inputCheck, sess *session) {
			if sess.currency != model.SupportedCurrencyEnumDkk {
				v.fail(fmt.Sprintf("MobilePay is only available for sessions in DKK; this session is in %s", sess.currency))
			}
			checkUserFlow(v, sess, in.UserFlow)
		},
		fill: func(r *paymentRequest) { r.merchantRet, r.userFlow = in.MerchantReturnURL, in.UserFlow },
	}, func(r *paymentRequest) *model.MobilePayPaymentResult {
		return &model.MobilePayPaymentResult{WaitToken: r.waitToken, Gateway: r.gateway()}
	})
}

func (s *store) newVippsPayment(id identity, in model.VippsPaymentInput) (*model.VippsPaymentResult, error) {
	return startPaymentCall(s, id, in.IdempotencyKey, in, newRequestSpec{
		field: "newVippsPayment", method: model.PaymentMethodEnumVipps, returnURL: in.ReturnURL,
		params: paramsOf([3]any{in.ReturnURL, in.MerchantReturnURL, in.UserFlow}),
		check: func(v *inputCheck, sess *session) {
			if sess.currency != model.SupportedCurrencyEnumNok {
				v.fail(fmt.Sprintf("Vipps is only available for sessions in NOK; this session is in %s", sess.currency))
			}
			checkUserFlow(v, sess, in.UserFlow)
		},
		fill: func(r *paymentRequest) { r.merchantRet, r.userFlow = in.MerchantReturnURL, in.UserFlow },
	}, func(r *paymentRequest) *model.VippsPaymentResult {
		return &model.VippsPaymentResult{WaitToken: r.waitToken, Gateway: r.gateway()}
	})
}

func (s *store) newP24Payment(id identity, in model.P24PaymentInput) (*model.P24PaymentResult, error) {
	return startPaymentCall(s, id, in.IdempotencyKey, in, newRequestSpec{
		field: "newP24Payment", method: model.PaymentMethodEnumP24, returnURL: in.ReturnURL,
		params: paramsOf([4]any{in.ReturnURL, in.MerchantReturnURL, in.P24RegulationAccept, in.PaymentMethodID}),
		check: func(v *inputCheck, sess *session) {
			switch {
			case sess.currency != model.SupportedCurrencyEnumPln:
				v.fail(fmt.Sprintf("Przelewy24 is only available for sessions in PLN; this session is in %s", sess.currency))
			case sess.country == nil || *sess.country != model.CountryPl:
				v.fail("Przelewy24 needs a session created with country PL")
			case sess.additional == nil || sess.additional.Name == "":
				v.fail("Przelewy24 needs a session created with additionalData.name")
			}
		},
		fill: func(r *paymentRequest) { r.merchantRet = in.MerchantReturnURL },
	}, func(r *paymentRequest) *model.P24PaymentResult {
		return &model.P24PaymentResult{PaymentID: r.waitToken}
	})
}

func (s *store) newBankTransferPayment(id identity, in model.BankTransferPaymentInput) (*model.BankTransferPaymentResult, error) {
	return startPaymentCall(s, id, in.IdempotencyKey, in, newRequestSpec{
		field: "newBankTransferPayment", method: model.PaymentMethodEnumBankTransfer, returnURL: in.ReturnURL,
		params: paramsOf([6]any{in.ReturnURL, in.MerchantReturnURL, in.AspspID, in.ExecutionDate, in.Flow, in.RequestRedirectState}),
		check: func(v *inputCheck, sess *session) {
			if in.Flow != nil {
				checkFlow(v, *in.Flow)
			}
			if in.ExecutionDate != nil {
				if !sess.allowExecutionDate {
					v.fail("the session does not allow an execution date (allowExecutionDate)", "executionDate")
					return
				}
				d, err := time.Parse(time.DateOnly, *in.ExecutionDate)
				if err != nil {
					v.fail("must be a date, yyyy-mm-dd", "executionDate")
					return
				}
				now := s.now().UTC()
				today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
				v.check(d.After(today), "must be after today", "executionDate")
				v.check(!d.After(today.AddDate(0, 0, 90)), "must be at most 90 days in the future", "executionDate")
			}
		},
		fill: func(r *paymentRequest) {
			r.merchantRet, r.flow = in.MerchantReturnURL, in.Flow
			if in.AspspID != nil {
				a := int64(*in.AspspID)
				r.aspspID = &a
			}
		},
	}, func(r *paymentRequest) *model.BankTransferPaymentResult {
		return &model.BankTransferPaymentResult{PaymentID: r.waitToken, PaymentRequestID: &r.waitToken, Gateway: r.gateway()}
	})
}

func (s *store) newPayPalPayment(id identity, in model.PayPalPaymentInput) (*model.PayPalPaymentResult, error) {
	return startPaymentCall(s, id, in.IdempotencyKey, in, newRequestSpec{
		field: "newPayPalPayment", method: model.PaymentMethodEnumPaypal, returnURL: in.ReturnURL,
		params: paramsOf([2]any{in.ReturnURL, in.MerchantReturnURL}),
		check: func(v *inputCheck, sess *session) {
			switch {
			case sess.additional == nil || sess.additional.ShippingAddress == nil:
				v.fail("PayPal needs a session created with additionalData.shippingAddress")
			case len(sess.additional.OrderLines) == 0:
				v.fail("PayPal needs a session created with additionalData.orderLines")
			}
		},
		fill: func(r *paymentRequest) { r.merchantRet = in.MerchantReturnURL },
	}, func(r *paymentRequest) *model.PayPalPaymentResult {
		return &model.PayPalPaymentResult{PaymentID: r.waitToken}
	})
}

// visibleRequest finds a payment request the identity may see.
func (s *store) visibleRequest(id identity, waitToken string) *paymentRequest {
	r := s.requests[waitToken]
	if r == nil || (id.role == roleGateway && r.sess != id.sess) {
		return nil
	}
	return r
}

func (s *store) capturePayPalPayment(id identity, in model.CapturePayPalPaymentInput) (*model.CapturePayPalPaymentResult, error) {
	const field, arg = "capturePayPalPayment", "pay"
	return mutate(s, id, field, arg, in.IdempotencyKey, in, func() (*model.CapturePayPalPaymentResult, error) {
		v := &inputCheck{field: field, arg: arg}
		checkRequired(v, in.PaymentID, 64, "paymentId")
		if err := v.err(); err != nil {
			return nil, err
		}
		r := s.visibleRequest(id, in.PaymentID)
		if r == nil || r.method != model.PaymentMethodEnumPaypal {
			return nil, gwError(codeNotFound, argPath(field, arg, "paymentId"), "PayPal payment %q not found", in.PaymentID)
		}
		// The payer approved with PayPal; capturing completes the payment.
		if st := r.status(); st != model.PaymentStatusEnumPaid && s.move(r, model.PaymentStatusEnumPaid, "") != nil {
			return nil, gwError(codeInvalidState, argPath(field, arg, "paymentId"),
				"the PayPal payment is %s and cannot be captured", st)
		}
		return &model.CapturePayPalPaymentResult{PaymentID: r.waitToken}, nil
	})
}

// cancel moves a request in WAITING_FOR_PAYMENT (its callers check that)
// through CANCELLING to CANCELLED.
func (s *store) cancel(r *paymentRequest) {
	s.setRequestStatus(r, model.PaymentStatusEnumCancelling)
	s.setRequestStatus(r, model.PaymentStatusEnumCancelled)
}

func (s *store) cancelPayment(id identity, in model.PaymentCancelInput) (*model.PaymentCancelResult, error) {
	const field, arg = "cancelPayment", "cancel"
	return mutate(s, id, field, arg, in.IdempotencyKey, in, func() (*model.PaymentCancelResult, error) {
		var last *paymentRequest
		for _, r := range id.sess.requests {
			if r.status() == model.PaymentStatusEnumWaitingForPayment {
				s.cancel(r)
				last = r
			}
		}
		if last == nil {
			return nil, gwError(codeInvalidState, fieldPath(field),
				"the session has no payment in WAITING_FOR_PAYMENT to cancel")
		}
		wt := last.waitToken
		return &model.PaymentCancelResult{WaitToken: &wt}, nil
	})
}

func (s *store) cancelSwishPayment(id identity, in model.SwishPaymentCancelInput) (*model.SwishPaymentCancelResult, error) {
	const field, arg = "cancelSwishPayment", "pay"
	return mutate(s, id, field, arg, in.IdempotencyKey, in, func() (*model.SwishPaymentCancelResult, error) {
		v := &inputCheck{field: field, arg: arg}
		checkRequired(v, in.PaymentID, 64, "paymentId")
		if err := v.err(); err != nil {
			return nil, err
		}
		r := s.visibleRequest(id, in.PaymentID)
		if r == nil || r.method != model.PaymentMethodEnumSwish {
			return nil, gwError(codeNotFound, argPath(field, arg, "paymentId"), "Swish payment %q not found in this session", in.PaymentID)
		}
		if st := r.status(); st != model.PaymentStatusEnumWaitingForPayment {
			return nil, gwError(codeInvalidState, argPath(field, arg, "paymentId"),
				"only a payment in WAITING_FOR_PAYMENT can be cancelled; this one is %s", st)
		}
		s.cancel(r)
		return &model.SwishPaymentCancelResult{WaitToken: r.waitToken}, nil
	})
}

// transitions lists the moves between payment request statuses that move
// allows (Advance, Approve, Decline, Fail, TimeOut, automatic approval,
// capturePayPalPayment). Captures, releases and refunds move a payment on
// from PAID or AUTHORIZED (setPaymentStatus).
var transitions = map[model.PaymentStatusEnum][]model.PaymentStatusEnum{
	model.PaymentStatusEnumPreFlightCheck: {model.PaymentStatusEnumInitializing, model.PaymentStatusEnumError},
	model.PaymentStatusEnumInitializing:   {model.PaymentStatusEnumWaitingForPayment, model.PaymentStatusEnumError},
	model.PaymentStatusEnumWaitingForPayment: {
		model.PaymentStatusEnumProcessing, model.PaymentStatusEnumProcessingRedirectedApp,
		model.PaymentStatusEnumProcessingRedirectedWeb, model.PaymentStatusEnumFlowCompleted,
		model.PaymentStatusEnumPaid, model.PaymentStatusEnumAuthorized, model.PaymentStatusEnumDeclined,
		model.PaymentStatusEnumError, model.PaymentStatusEnumCancelling, model.PaymentStatusEnumWaitingForPromotion,
	},
	// Paid or authorized by the customer, being promoted to a payment.
	model.PaymentStatusEnumWaitingForPromotion: {
		model.PaymentStatusEnumPaid, model.PaymentStatusEnumAuthorized, model.PaymentStatusEnumError,
	},
	model.PaymentStatusEnumProcessing: {
		model.PaymentStatusEnumWaitingForPayment, model.PaymentStatusEnumFlowCompleted,
		model.PaymentStatusEnumPaid, model.PaymentStatusEnumAuthorized,
		model.PaymentStatusEnumDeclined, model.PaymentStatusEnumError, model.PaymentStatusEnumWaitingForPromotion,
	},
	model.PaymentStatusEnumProcessingRedirectedApp: {
		model.PaymentStatusEnumWaitingForPayment, model.PaymentStatusEnumFlowCompleted,
		model.PaymentStatusEnumPaid, model.PaymentStatusEnumAuthorized,
		model.PaymentStatusEnumDeclined, model.PaymentStatusEnumError, model.PaymentStatusEnumWaitingForPromotion,
	},
	model.PaymentStatusEnumProcessingRedirectedWeb: {
		model.PaymentStatusEnumWaitingForPayment, model.PaymentStatusEnumFlowCompleted,
		model.PaymentStatusEnumPaid, model.PaymentStatusEnumAuthorized,
		model.PaymentStatusEnumDeclined, model.PaymentStatusEnumError, model.PaymentStatusEnumWaitingForPromotion,
	},
	model.PaymentStatusEnumFlowCompleted: {model.PaymentStatusEnumAccepted, model.PaymentStatusEnumPaid, model.PaymentStatusEnumError},
	model.PaymentStatusEnumAccepted:      {model.PaymentStatusEnumPaid, model.PaymentStatusEnumError},
	model.PaymentStatusEnumCancelling:    {model.PaymentStatusEnumCancelled, model.PaymentStatusEnumError},
}

// checkTransition reports why r may not move to st, or nil.
func checkTransition(r *paymentRequest, st model.PaymentStatusEnum) error {
	from := r.status()
	ok := false
	for _, to := range transitions[from] {
		if to == st {
			ok = true
			break
		}
	}
	if !ok {
		return fmt.Errorf("kronortest: payment request %s cannot move from %s to %s", r.waitToken, from, st)
	}
	card := authorizes(r.method)
	bank := r.method == model.PaymentMethodEnumBankTransfer
	switch {
	case st == model.PaymentStatusEnumAuthorized && !card:
		return fmt.Errorf("kronortest: only card payments are AUTHORIZED; %s payment %s is PAID instead", r.method, r.waitToken)
	case st == model.PaymentStatusEnumPaid && card:
		return fmt.Errorf("kronortest: card payment %s is AUTHORIZED, then PAID by captures", r.waitToken)
	case (st == model.PaymentStatusEnumFlowCompleted || st == model.PaymentStatusEnumAccepted) && !bank:
		return fmt.Errorf("kronortest: %s is for bank transfers; payment %s is %s", st, r.waitToken, r.method)
	case st == model.PaymentStatusEnumPaid && bank && from == model.PaymentStatusEnumWaitingForPayment:
		return fmt.Errorf("kronortest: bank transfer %s reaches PAID through FLOW_COMPLETED", r.waitToken)
	}
	return nil
}

// move moves r to st, if the status machine allows it (checkTransition), and
// reports why not otherwise. errMsg, when not empty, is the error message of
// a request that ends DECLINED or in ERROR. Callers hold s.mu.
func (s *store) move(r *paymentRequest, st model.PaymentStatusEnum, errMsg string) error {
	if err := checkTransition(r, st); err != nil {
		return err
	}
	if errMsg != "" {
		r.errorMessage = errMsg
	}
	s.setRequestStatus(r, st)
	return nil
}

// approvalPath is the statuses an approval walks a request of the method
// through.
func approvalPath(m model.PaymentMethodEnum) []model.PaymentStatusEnum {
	switch m {
	case model.PaymentMethodEnumBankTransfer:
		return []model.PaymentStatusEnum{model.PaymentStatusEnumFlowCompleted, model.PaymentStatusEnumAccepted, model.PaymentStatusEnumPaid}
	case model.PaymentMethodEnumCreditCard, model.PaymentMethodEnumApplePay, model.PaymentMethodEnumGooglePay:
		return []model.PaymentStatusEnum{model.PaymentStatusEnumAuthorized}
	}
	return []model.PaymentStatusEnum{model.PaymentStatusEnumPaid}
}

// approve completes a waiting payment request: PAID, AUTHORIZED for cards, and
// FLOW_COMPLETED, ACCEPTED, PAID for bank transfers, from the first step of
// the path the request may move to. The walk is one transaction: its
// subscribers are pushed its end. Callers hold s.mu.
func (s *store) approve(r *paymentRequest) error {
	path := approvalPath(r.method)
	for i, st := range path {
		if checkTransition(r, st) != nil {
			continue
		}
		for j, st := range path[i:] {
			if err := checkTransition(r, st); err != nil {
				if j > 0 {
					s.notify(r)
				}
				return err
			}
			s.enterRequestStatus(r, st)
		}
		s.notify(r)
		return nil
	}
	return fmt.Errorf("kronortest: payment request %s is %s and cannot be approved", r.waitToken, r.status())
}

// scheduleApproval registers an automatic approval of r. Callers hold s.mu.
func (s *store) scheduleApproval(r *paymentRequest) {
	if s.autoApprove <= 0 {
		return
	}
	s.at(r.createdAt.Add(s.autoApprove), func() {
		_ = s.approve(r) // a request cancelled or failed meanwhile stays so
	})
}

// at registers a job to run at t. Callers hold s.mu.
func (s *store) at(t time.Time, run func()) {
	s.due = append(s.due, dueJob{at: t, run: run})
	s.wake()
}

// wake tells the scheduler that something new is due. Callers hold s.mu.
func (s *store) wake() {
	select {
	case s.wakeDue <- struct{}{}:
	default:
	}
}

// runDue runs the jobs (automatic approvals, payer data) and the steps of
// timed settlement whose time has come, and returns the time of the next
// one (zero when none is left).
func (s *store) runDue() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.runDueLocked()
}

// runDueLocked is runDue for callers holding s.mu.
func (s *store) runDueLocked() time.Time {
	now := s.now()
	var next time.Time
	jobs := s.due
	s.due = nil
	for _, d := range jobs {
		if d.at.After(now) {
			s.due = append(s.due, d)
			continue
		}
		d.run()
	}
	for _, d := range s.due {
		if next.IsZero() || d.at.Before(next) {
			next = d.at
		}
	}
	if n := s.runSettlements(now); !n.IsZero() && (next.IsZero() || n.Before(next)) {
		next = n
	}
	return next
}
