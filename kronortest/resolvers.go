package kronortest

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/kronor-io/kronor-go/kronortest/internal/graph"
	"github.com/kronor-io/kronor-go/kronortest/internal/graph/model"
)

// resolver implements gqlgen's resolver interfaces over the store. The role
// checker has already refused fields of the other role; the resolvers check the
// identity again where it decides what a caller sees.
type resolver struct{ srv *Server }

func (r *resolver) Payment() graph.PaymentResolver             { return paymentResolver{r} }
func (r *resolver) Mutation_root() graph.Mutation_rootResolver { return mutationResolver{r} }
func (r *resolver) Query_root() graph.Query_rootResolver       { return queryResolver{r} }
func (r *resolver) Subscription_root() graph.Subscription_rootResolver {
	return subscriptionResolver{r}
}

// caller returns the identity of the request, refusing a role that does not
// have the root field (the role checker refuses it earlier; this is a second
// line).
func caller(ctx context.Context, field string, want role) (identity, error) {
	id, ok := identityFrom(ctx)
	if !ok {
		return identity{}, errNoToken.gql()
	}
	if id.role&want == 0 {
		root := "query_root"
		if graphql.HasOperationContext(ctx) {
			if op := graphql.GetOperationContext(ctx).Operation; op != nil && op.Operation != ast.Query {
				root = string(op.Operation) + "_root"
			}
		}
		return identity{}, gwError(codeValidationFailed, fieldPath(field), "field '%s' not found in type: '%s'", field, root)
	}
	return id, nil
}

type mutationResolver struct{ *resolver }

func (m mutationResolver) store() *store { return m.srv.store }

func (m mutationResolver) NewPaymentSession(ctx context.Context, in model.PaymentSessionInput) (*model.PaymentSessionResult, error) {
	id, err := caller(ctx, "newPaymentSession", roleMerchant)
	if err != nil {
		return nil, err
	}
	return m.store().newPaymentSession(id, in)
}

func (m mutationResolver) NewPaymentSessionWithReferenceCheck(ctx context.Context, in model.PaymentSessionWithReferenceCheckInput) (*model.PaymentSessionWithReferenceCheckResult, error) {
	id, err := caller(ctx, "newPaymentSessionWithReferenceCheck", roleMerchant)
	if err != nil {
		return nil, err
	}
	return m.store().newPaymentSessionWithReferenceCheck(id, in)
}

func (m mutationResolver) NewSwishPayment(ctx context.Context, in model.SwishPaymentInput) (*model.SwishPaymentResult, error) {
	id, err := caller(ctx, "newSwishPayment", roleGateway)
	if err != nil {
		return nil, err
	}
	return m.store().newSwishPayment(id, in)
}

func (m mutationResolver) NewCreditCardPayment(ctx context.Context, in model.CreditCardPaymentInput) (*model.CreditCardPaymentResult, error) {
	id, err := caller(ctx, "newCreditCardPayment", roleGateway)
	if err != nil {
		return nil, err
	}
	return m.store().newCreditCardPayment(id, in)
}

func (m mutationResolver) NewMobilePayPayment(ctx context.Context, in model.MobilePayPaymentInput) (*model.MobilePayPaymentResult, error) {
	id, err := caller(ctx, "newMobilePayPayment", roleGateway)
	if err != nil {
		return nil, err
	}
	return m.store().newMobilePayPayment(id, in)
}

func (m mutationResolver) NewVippsPayment(ctx context.Context, in model.VippsPaymentInput) (*model.VippsPaymentResult, error) {
	id, err := caller(ctx, "newVippsPayment", roleGateway)
	if err != nil {
		return nil, err
	}
	return m.store().newVippsPayment(id, in)
}

func (m mutationResolver) NewP24Payment(ctx context.Context, in model.P24PaymentInput) (*model.P24PaymentResult, error) {
	id, err := caller(ctx, "newP24Payment", roleGateway)
	if err != nil {
		return nil, err
	}
	return m.store().newP24Payment(id, in)
}

func (m mutationResolver) NewBankTransferPayment(ctx context.Context, in model.BankTransferPaymentInput) (*model.BankTransferPaymentResult, error) {
	id, err := caller(ctx, "newBankTransferPayment", roleGateway)
	if err != nil {
		return nil, err
	}
	return m.store().newBankTransferPayment(id, in)
}

func (m mutationResolver) NewPayPalPayment(ctx context.Context, in model.PayPalPaymentInput) (*model.PayPalPaymentResult, error) {
	id, err := caller(ctx, "newPayPalPayment", roleGateway)
	if err != nil {
		return nil, err
	}
	return m.store().newPayPalPayment(id, in)
}

func (m mutationResolver) CapturePayPalPayment(ctx context.Context, in model.CapturePayPalPaymentInput) (*model.CapturePayPalPaymentResult, error) {
	id, err := caller(ctx, "capturePayPalPayment", roleBoth)
	if err != nil {
		return nil, err
	}
	return m.store().capturePayPalPayment(id, in)
}

func (m mutationResolver) CancelPayment(ctx context.Context, in model.PaymentCancelInput) (*model.PaymentCancelResult, error) {
	id, err := caller(ctx, "cancelPayment", roleGateway)
	if err != nil {
		return nil, err
	}
	return m.store().cancelPayment(id, in)
}

func (m mutationResolver) CancelSwishPayment(ctx context.Context, in model.SwishPaymentCancelInput) (*model.SwishPaymentCancelResult, error) {
	id, err := caller(ctx, "cancelSwishPayment", roleGateway)
	if err != nil {
		return nil, err
	}
	return m.store().cancelSwishPayment(id, in)
}

func (m mutationResolver) NewPaymentCapture(ctx context.Context, in model.PaymentCaptureInput) (*model.PaymentCaptureResult, error) {
	id, err := caller(ctx, "newPaymentCapture", roleMerchant)
	if err != nil {
		return nil, err
	}
	return m.store().newPaymentCapture(id, in)
}

func (m mutationResolver) ReleasePayment(ctx context.Context, in model.ReleasePaymentInput) (*model.ReleasePaymentResult, error) {
	id, err := caller(ctx, "releasePayment", roleMerchant)
	if err != nil {
		return nil, err
	}
	return m.store().releasePayment(id, in)
}

func (m mutationResolver) RefundPayment(ctx context.Context, in model.RefundPaymentInput) (*model.RefundPaymentResult, error) {
	id, err := caller(ctx, "refundPayment", roleMerchant)
	if err != nil {
		return nil, err
	}
	return m.store().refundPayment(id, in)
}

type queryResolver struct{ *resolver }

func (q queryResolver) PaymentRequests(ctx context.Context, limit *int32, offset *int32, orderBy []*model.PaymentRequestOrderBy, where *model.PaymentRequestBoolExp) ([]*model.PaymentRequest, error) {
	id, err := caller(ctx, "paymentRequests", roleBoth)
	if err != nil {
		return nil, err
	}
	if err := checkPage("paymentRequests", limit, offset); err != nil {
		return nil, err
	}
	omit := omitUnselected(ctx) // the query's own business: outside the store's lock
	s := q.srv.store
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queryRequests(id, requestArgs{limit: limit, offset: offset, orderBy: orderBy, where: where, omit: omit}), nil
}

// PaymentSessions answers a session token with its own session, as the
// payment-gateway role's paymentSessions does.
func (q queryResolver) PaymentSessions(ctx context.Context) ([]*model.PaymentSession, error) {
	id, err := caller(ctx, "paymentSessions", roleGateway)
	if err != nil {
		return nil, err
	}
	s := q.srv.store
	s.mu.Lock()
	defer s.mu.Unlock()
	if id.sess == nil {
		return []*model.PaymentSession{}, nil
	}
	return []*model.PaymentSession{{ID: id.sess.id, CreatedAt: id.sess.createdAt}}, nil
}

func (q queryResolver) Payments(ctx context.Context, limit *int32, offset *int32, orderBy []*model.PaymentOrderBy, where *model.PaymentBoolExp) ([]*model.Payment, error) {
	if _, err := caller(ctx, "payments", roleMerchant); err != nil {
		return nil, err
	}
	if err := checkPage("payments", limit, offset); err != nil {
		return nil, err
	}
	s := q.srv.store
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queryPayments(limit, offset, orderBy, where), nil
}

func (q queryResolver) PaymentCaptures(ctx context.Context, limit *int32, offset *int32, orderBy []*model.PaymentCaptureOrderBy, where *model.PaymentCaptureBoolExp) ([]*model.PaymentCapture, error) {
	if _, err := caller(ctx, "paymentCaptures", roleMerchant); err != nil {
		return nil, err
	}
	if err := checkPage("paymentCaptures", limit, offset); err != nil {
		return nil, err
	}
	s := q.srv.store
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queryCaptures(s.captureCandidates(where), limit, offset, orderBy, where), nil
}

func (q queryResolver) Refunds(ctx context.Context, limit *int32, offset *int32, orderBy []*model.RefundOrderBy, where *model.RefundBoolExp) ([]*model.Refund, error) {
	if _, err := caller(ctx, "refunds", roleMerchant); err != nil {
		return nil, err
	}
	if err := checkPage("refunds", limit, offset); err != nil {
		return nil, err
	}
	s := q.srv.store
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queryRefunds(s.refundCandidates(where), limit, offset, orderBy, where), nil
}

func (q queryResolver) TransactionReleases(ctx context.Context, limit *int32, offset *int32, orderBy []*model.TransactionReleaseOrderBy, where *model.TransactionReleaseBoolExp) ([]*model.TransactionRelease, error) {
	if _, err := caller(ctx, "transactionReleases", roleMerchant); err != nil {
		return nil, err
	}
	if err := checkPage("transactionReleases", limit, offset); err != nil {
		return nil, err
	}
	s := q.srv.store
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queryReleases(s.releaseCandidates(where), limit, offset, orderBy, where), nil
}

type paymentResolver struct{ *resolver }

func (p paymentResolver) Captures(_ context.Context, obj *model.Payment, orderBy []*model.PaymentCaptureOrderBy, where *model.PaymentCaptureBoolExp) ([]*model.PaymentCapture, error) {
	s := p.srv.store
	s.mu.Lock()
	defer s.mu.Unlock()
	pay := s.payments[int64(obj.ID)]
	if pay == nil {
		return []*model.PaymentCapture{}, nil
	}
	return s.queryCaptures(pay.captures, nil, nil, orderBy, where), nil
}

func (p paymentResolver) Refunds(_ context.Context, obj *model.Payment, orderBy []*model.RefundOrderBy, where *model.RefundBoolExp) ([]*model.Refund, error) {
	s := p.srv.store
	s.mu.Lock()
	defer s.mu.Unlock()
	pay := s.payments[int64(obj.ID)]
	if pay == nil {
		return []*model.Refund{}, nil
	}
	return s.queryRefunds(pay.refunds, nil, nil, orderBy, where), nil
}

func (p paymentResolver) TransactionReleases(_ context.Context, obj *model.Payment, orderBy []*model.TransactionReleaseOrderBy, where *model.TransactionReleaseBoolExp) ([]*model.TransactionRelease, error) {
	s := p.srv.store
	s.mu.Lock()
	defer s.mu.Unlock()
	pay := s.payments[int64(obj.ID)]
	if pay == nil {
		return []*model.TransactionRelease{}, nil
	}
	return s.queryReleases(pay.releases, nil, nil, orderBy, where), nil
}

type subscriptionResolver struct{ *resolver }

func (sr subscriptionResolver) PaymentRequests(ctx context.Context, limit *int32, offset *int32, orderBy []*model.PaymentRequestOrderBy, where *model.PaymentRequestBoolExp) (<-chan []*model.PaymentRequest, error) {
	id, err := caller(ctx, "paymentRequests", roleBoth)
	if err != nil {
		return nil, err
	}
	if err := checkPage("paymentRequests", limit, offset); err != nil {
		return nil, err
	}
	return sr.srv.subscribe(ctx, id, requestArgs{limit: limit, offset: offset, orderBy: orderBy, where: where}), nil
}

func (sr subscriptionResolver) PaymentCaptures(ctx context.Context, limit *int32, offset *int32, orderBy []*model.PaymentCaptureOrderBy, where *model.PaymentCaptureBoolExp) (<-chan []*model.PaymentCapture, error) {
	if _, err := caller(ctx, "paymentCaptures", roleMerchant); err != nil {
		return nil, err
	}
	if err := checkPage("paymentCaptures", limit, offset); err != nil {
		return nil, err
	}
	s := sr.srv.store
	keys, indexed := captureKeys(where)
	return subscribeRows(sr.srv, ctx, &s.captureSubs, &objSub[*capture, *model.PaymentCapture]{
		match: func(c *capture) bool { return matchCapture(where, c) },
		query: func() []*model.PaymentCapture {
			return s.queryCaptures(s.captureCandidates(where), limit, offset, orderBy, where)
		},
		key:  func(m *model.PaymentCapture) string { return itoa(int64(m.ID)) },
		keys: keys, indexed: indexed,
	}), nil
}

func (sr subscriptionResolver) TransactionReleases(ctx context.Context, limit *int32, offset *int32, orderBy []*model.TransactionReleaseOrderBy, where *model.TransactionReleaseBoolExp) (<-chan []*model.TransactionRelease, error) {
	if _, err := caller(ctx, "transactionReleases", roleMerchant); err != nil {
		return nil, err
	}
	if err := checkPage("transactionReleases", limit, offset); err != nil {
		return nil, err
	}
	s := sr.srv.store
	keys, indexed := releaseKeys(where)
	return subscribeRows(sr.srv, ctx, &s.releaseSubs, &objSub[*release, *model.TransactionRelease]{
		match: func(r *release) bool { return matchRelease(where, r) },
		query: func() []*model.TransactionRelease {
			return s.queryReleases(s.releaseCandidates(where), limit, offset, orderBy, where)
		},
		key:  func(m *model.TransactionRelease) string { return itoa(int64(m.ID)) },
		keys: keys, indexed: indexed,
	}), nil
}

func (sr subscriptionResolver) Refunds(ctx context.Context, limit *int32, offset *int32, orderBy []*model.RefundOrderBy, where *model.RefundBoolExp) (<-chan []*model.Refund, error) {
	if _, err := caller(ctx, "refunds", roleMerchant); err != nil {
		return nil, err
	}
	if err := checkPage("refunds", limit, offset); err != nil {
		return nil, err
	}
	s := sr.srv.store
	keys, indexed := refundKeys(where)
	return subscribeRows(sr.srv, ctx, &s.refundSubs, &objSub[*refund, *model.Refund]{
		match: func(r *refund) bool { return matchRefund(where, r) },
		query: func() []*model.Refund {
			return s.queryRefunds(s.refundCandidates(where), limit, offset, orderBy, where)
		},
		key:  func(m *model.Refund) string { return m.WaitToken },
		keys: keys, indexed: indexed,
	}), nil
}
