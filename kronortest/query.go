package kronortest

import (
	"cmp"
	"context"
	neturl "net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/kronor-io/kronor-go/internal/scalars"
	"github.com/kronor-io/kronor-go/kronortest/internal/graph"
	"github.com/kronor-io/kronor-go/kronortest/internal/graph/model"
)

func bigint(n int64) scalars.BigInt { return scalars.BigInt(n) }

func ptr[T any](v T) *T { return &v }

// ---------------------------------------------------------------------------
// Comparison expressions, with Hasura's semantics: an operator left out (or
// null) does not constrain; all given operators must hold.

// matchOps applies the operators every comparison expression has to v (nil
// for SQL NULL): _isNull, and _eq, _neq, _in and _nin, which a NULL never
// satisfies. key gives what is compared of a value (a uuid in lower case).
func matchOps[T any, K comparable](isNull *bool, eq, neq *T, in, nin []T, v *T, key func(T) K) bool {
	if isNull != nil && *isNull != (v == nil) {
		return false
	}
	if v == nil {
		return eq == nil && neq == nil && in == nil && nin == nil
	}
	k := key(*v)
	has := func(list []T) bool { return slices.ContainsFunc(list, func(x T) bool { return key(x) == k }) }
	switch {
	case eq != nil && key(*eq) != k,
		neq != nil && key(*neq) == k,
		in != nil && !has(in),
		nin != nil && has(nin):
		return false
	}
	return true
}

func itself[T any](v T) T { return v }

func matchString(e *model.StringComparisonExp, v *string) bool {
	return e == nil || matchOps(e.IsNull, e.Eq, e.Neq, e.In, e.Nin, v, itself[string])
}

func matchUUID(e *model.UUIDComparisonExp, v string) bool {
	return e == nil || matchOps(e.IsNull, e.Eq, e.Neq, e.In, e.Nin, &v, strings.ToLower)
}

func matchStatus(e *model.PaymentStatusEnumComparisonExp, v model.PaymentStatusEnum) bool {
	return e == nil || matchOps(e.IsNull, e.Eq, e.Neq, e.In, e.Nin, &v, itself[model.PaymentStatusEnum])
}

func matchBigint(e *model.BigintComparisonExp, v *int64) bool {
	if e == nil {
		return true
	}
	var n *scalars.BigInt
	if v != nil {
		b := scalars.BigInt(*v)
		n = &b
	}
	if !matchOps(e.IsNull, e.Eq, e.Neq, e.In, e.Nin, n, itself[scalars.BigInt]) {
		return false
	}
	if n == nil {
		return e.Gt == nil && e.Gte == nil && e.Lt == nil && e.Lte == nil
	}
	switch {
	case e.Gt != nil && !(*n > *e.Gt),
		e.Gte != nil && !(*n >= *e.Gte),
		e.Lt != nil && !(*n < *e.Lt),
		e.Lte != nil && !(*n <= *e.Lte):
		return false
	}
	return true
}

// boolExp evaluates Hasura's _and/_or/_not combinators of e (not nil) around
// leaf, the test of e's own columns; self evaluates a nested expression.
func boolExp[E any](e *E, and, or []*E, not *E, leaf func(*E) bool, self func(*E) bool) bool {
	for _, a := range and {
		if !self(a) {
			return false
		}
	}
	if or != nil {
		found := false
		for _, o := range or {
			if self(o) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	if not != nil && self(not) {
		return false
	}
	return leaf(e)
}

func matchCurrentStatus(e *model.CurrentPaymentStatusBoolExp, st model.PaymentStatusEnum) bool {
	if e == nil {
		return true
	}
	return boolExp(e, e.And, e.Or, e.Not,
		func(e *model.CurrentPaymentStatusBoolExp) bool { return matchStatus(e.Status, st) },
		func(x *model.CurrentPaymentStatusBoolExp) bool { return matchCurrentStatus(x, st) })
}

func matchRequest(e *model.PaymentRequestBoolExp, r *paymentRequest) bool {
	if e == nil {
		return true
	}
	return boolExp(e, e.And, e.Or, e.Not, func(e *model.PaymentRequestBoolExp) bool {
		var rp *int64
		if r.payment != nil {
			rp = &r.payment.id
		}
		ref := r.sess.merchantReference
		tx := r.transactionID
		return matchUUID(e.WaitToken, r.waitToken) &&
			matchString(e.Reference, &ref) &&
			matchString(e.TransactionID, &tx) &&
			matchBigint(e.ResultingPaymentID, rp) &&
			matchCurrentStatus(e.Status, r.status())
	}, func(x *model.PaymentRequestBoolExp) bool { return matchRequest(x, r) })
}

func matchPayment(e *model.PaymentBoolExp, p *payment) bool {
	if e == nil {
		return true
	}
	return boolExp(e, e.And, e.Or, e.Not, func(e *model.PaymentBoolExp) bool {
		ref, tx := p.req.sess.merchantReference, p.req.transactionID
		return matchStatus(e.CurrentStatus, p.status()) &&
			matchBigint(e.ID, &p.id) &&
			matchString(e.MerchantReference, &ref) &&
			matchString(e.TransactionID, &tx) &&
			listedPayment(e, p)
	}, func(x *model.PaymentBoolExp) bool { return matchPayment(x, p) })
}

func matchCapture(e *model.PaymentCaptureBoolExp, c *capture) bool {
	if e == nil {
		return true
	}
	return boolExp(e, e.And, e.Or, e.Not, func(e *model.PaymentCaptureBoolExp) bool {
		tx := c.transactionID
		return matchBigint(e.ID, &c.id) && matchBigint(e.PaymentID, &c.pay.id) && matchString(e.TransactionID, &tx) &&
			listedCapture(e, c)
	}, func(x *model.PaymentCaptureBoolExp) bool { return matchCapture(x, c) })
}

func matchRefund(e *model.RefundBoolExp, r *refund) bool {
	if e == nil {
		return true
	}
	return boolExp(e, e.And, e.Or, e.Not, func(e *model.RefundBoolExp) bool {
		tx := r.transactionID
		return matchBigint(e.PaymentID, &r.pay.id) && matchString(e.TransactionID, &tx) && matchUUID(e.WaitToken, r.waitToken) &&
			listedRefund(e, r)
	}, func(x *model.RefundBoolExp) bool { return matchRefund(x, r) })
}

func matchRelease(e *model.TransactionReleaseBoolExp, r *release) bool {
	if e == nil {
		return true
	}
	return boolExp(e, e.And, e.Or, e.Not, func(e *model.TransactionReleaseBoolExp) bool {
		return matchBigint(e.ID, &r.id) && matchBigint(e.PaymentID, &r.pay.id) && listedRelease(e, r)
	}, func(x *model.TransactionReleaseBoolExp) bool { return matchRelease(x, r) })
}

// ---------------------------------------------------------------------------
// Ordering.

// orderKey is one column of an orderBy: a comparison of two rows, ascending.
type orderKey[T any] struct {
	dir model.OrderBy
	cmp func(a, b T) int
}

func desc(o model.OrderBy) bool {
	return o == model.OrderByDesc || o == model.OrderByDescNullsFirst || o == model.OrderByDescNullsLast
}

// sortRows orders rows by keys, then by creation order (seq) as Hasura's
// primary key would.
func sortRows[T any](rows []T, keys []orderKey[T], seq func(T) uint64) {
	if len(keys) == 0 {
		return
	}
	slices.SortStableFunc(rows, func(a, b T) int {
		for _, k := range keys {
			c := k.cmp(a, b)
			if desc(k.dir) {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return cmp.Compare(seq(a), seq(b))
	})
}

func page[T any](rows []T, limit, offset *int32) []T {
	if offset != nil {
		if int(*offset) >= len(rows) {
			return rows[:0]
		}
		rows = rows[*offset:]
	}
	if limit != nil && int(*limit) < len(rows) {
		rows = rows[:*limit]
	}
	return rows
}

func checkPage(field string, limit, offset *int32) error {
	if limit != nil && *limit < 0 {
		return gwError(codeValidationFailed, argPath(field, "limit"), "unexpected negative value")
	}
	if offset != nil && *offset < 0 {
		return gwError(codeValidationFailed, argPath(field, "offset"), "unexpected negative value")
	}
	return nil
}

func timeCmp(a, b time.Time) int { return a.Compare(b) }

// requestArgs are the arguments of paymentRequests (query and subscription).
type requestArgs struct {
	limit, offset *int32
	orderBy       []*model.PaymentRequestOrderBy
	where         *model.PaymentRequestBoolExp
	omit          requestOmit // parts of the models nobody reads
}

// requestOmit names the parts of a payment request's model that cost the
// most to build and that a query may not select: its models are built
// without them (their fields left nil), since gqlgen reads only the fields
// selected. The zero value builds whole models.
type requestOmit struct {
	details bool // the transaction…Details lists (fillDetails)
	history bool // statusHistory: status and latestStatus are built all the same
	gateway bool // merchant, paymentMethodUsed, transactionFinsharkDetails (fillGatewayFields)
}

// omitUnselected returns the parts of PaymentRequest models that the field
// being resolved (one whose type is a list of PaymentRequest) does not
// select: the fields the generated marshaler will read, collected as it
// collects them (the operation's fragments, @skip and @include). Outside
// an operation it omits nothing.
func omitUnselected(ctx context.Context) requestOmit {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !graphql.HasOperationContext(ctx) {
		return requestOmit{}
	}
	omit := requestOmit{details: true, history: true, gateway: true}
	for _, f := range graph.PaymentRequestFields(graphql.GetOperationContext(ctx), fc.Field.Selections) {
		switch f.Name {
		case "transactionCreditCardDetails", "transactionSwishDetails", "transactionMobilePayDetails",
			"transactionVippsDetails", "transactionP24Details", "transactionPayPalDetails",
			"transactionBankTransferDetails":
			omit.details = false
		case "statusHistory":
			omit.history = false
		case "merchant", "paymentMethodUsed", "transactionFinsharkDetails":
			omit.gateway = false
		}
	}
	return omit
}

// visibleRequests is every request the identity may see, in creation order.
func (s *store) visibleRequests(id identity) []*paymentRequest {
	if id.role == roleGateway {
		return id.sess.requests
	}
	return s.requestList
}

// waitTokens returns the wait tokens, in lower case and without duplicates,
// one of which a request must have to match e, when e restricts waitToken
// (see restrictedKeys).
func waitTokens(e *model.PaymentRequestBoolExp) (toks []string, ok bool) {
	return restrictedKeys(e, func(e *model.PaymentRequestBoolExp) [][]string { return uuidKeys(e.WaitToken) },
		func(e *model.PaymentRequestBoolExp) ([]*model.PaymentRequestBoolExp, []*model.PaymentRequestBoolExp) {
			return e.And, e.Or
		})
}

// captureKeys returns the ids (in decimal) one of which a capture must have
// to match e, when e restricts id (see restrictedKeys).
func captureKeys(e *model.PaymentCaptureBoolExp) ([]string, bool) {
	return restrictedKeys(e, func(e *model.PaymentCaptureBoolExp) [][]string { return bigintKeys(e.ID) },
		func(e *model.PaymentCaptureBoolExp) ([]*model.PaymentCaptureBoolExp, []*model.PaymentCaptureBoolExp) {
			return e.And, e.Or
		})
}

// releaseKeys returns the ids one of which a release must have to match e.
func releaseKeys(e *model.TransactionReleaseBoolExp) ([]string, bool) {
	return restrictedKeys(e, func(e *model.TransactionReleaseBoolExp) [][]string { return bigintKeys(e.ID) },
		func(e *model.TransactionReleaseBoolExp) ([]*model.TransactionReleaseBoolExp, []*model.TransactionReleaseBoolExp) {
			return e.And, e.Or
		})
}

// refundKeys returns the wait tokens one of which a refund must have to match e.
func refundKeys(e *model.RefundBoolExp) ([]string, bool) {
	return restrictedKeys(e, func(e *model.RefundBoolExp) [][]string { return uuidKeys(e.WaitToken) },
		func(e *model.RefundBoolExp) ([]*model.RefundBoolExp, []*model.RefundBoolExp) { return e.And, e.Or })
}

// restrictedKeys returns the keys (wait tokens in lower case, ids in
// decimal), without duplicates, one of which a row must have to match e,
// when e restricts its key column: with _eq, _in or _isNull: true (no key)
// at its top level (own gives those restrictions), in a conjunct of its
// _and, or in every branch of its _or (their union; sub gives _and and
// _or). ok is false when e does not restrict it so. Of several restrictions
// the narrowest is kept: the set only spares a scan, and the whole filter
// still decides.
func restrictedKeys[E any](e *E, own func(*E) [][]string, sub func(*E) (and, or []*E)) (keys []string, ok bool) {
	if e == nil {
		return nil, false
	}
	narrow := func(t []string) {
		if !ok || len(t) < len(keys) {
			keys, ok = t, true
		}
	}
	for _, t := range own(e) {
		narrow(t)
	}
	and, or := sub(e)
	for _, a := range and {
		if t, aok := restrictedKeys(a, own, sub); aok {
			narrow(t)
		}
	}
	if or != nil {
		var union []string
		all := true
		for _, o := range or {
			t, ook := restrictedKeys(o, own, sub)
			if !ook {
				all = false
				break
			}
			union = append(union, t...)
		}
		if all {
			narrow(lowerUnique(union))
		}
	}
	return keys, ok
}

// uuidKeys are the restrictions of a uuid comparison: _isNull: true (none),
// _eq, _in.
func uuidKeys(c *model.UUIDComparisonExp) [][]string {
	if c == nil {
		return nil
	}
	var out [][]string
	if c.IsNull != nil && *c.IsNull {
		out = append(out, []string{})
	}
	if c.Eq != nil {
		out = append(out, []string{strings.ToLower(*c.Eq)})
	}
	if c.In != nil {
		out = append(out, lowerUnique(c.In))
	}
	return out
}

// bigintKeys are the restrictions of a bigint comparison, in decimal.
func bigintKeys(c *model.BigintComparisonExp) [][]string {
	if c == nil {
		return nil
	}
	var out [][]string
	if c.IsNull != nil && *c.IsNull {
		out = append(out, []string{})
	}
	if c.Eq != nil {
		out = append(out, []string{itoa(int64(*c.Eq))})
	}
	if c.In != nil {
		in := make([]string, len(c.In))
		for i, n := range c.In {
			in[i] = itoa(int64(n))
		}
		out = append(out, lowerUnique(in))
	}
	return out
}

// captureCandidates is the captures where can match, in creation order: only
// those with the ids it requires, if it requires some (the watcher's
// subscriptions and polls: map lookups instead of a scan), else all.
func (s *store) captureCandidates(where *model.PaymentCaptureBoolExp) []*capture {
	keys, ok := captureKeys(where)
	if !ok {
		return s.captureList
	}
	return lookupRows(keys, byID(s.captures), func(c *capture) uint64 { return c.seq })
}

// byID looks a row up in m by the decimal id k (nil for no such row).
func byID[T any](m map[int64]*T) func(k string) *T {
	return func(k string) *T {
		id, err := strconv.ParseInt(k, 10, 64)
		if err != nil {
			return nil
		}
		return m[id]
	}
}

// releaseCandidates is the releases where can match (see captureCandidates).
func (s *store) releaseCandidates(where *model.TransactionReleaseBoolExp) []*release {
	keys, ok := releaseKeys(where)
	if !ok {
		return s.releaseList
	}
	return lookupRows(keys, byID(s.releases), func(r *release) uint64 { return r.seq })
}

// refundCandidates is the refunds where can match (see captureCandidates).
func (s *store) refundCandidates(where *model.RefundBoolExp) []*refund {
	keys, ok := refundKeys(where)
	if !ok {
		return s.refundList
	}
	return lookupRows(keys, func(k string) *refund { return s.refunds[k] }, func(r *refund) uint64 { return r.seq })
}

// lookupRows finds the rows of keys, skipping unknown keys, in creation order.
func lookupRows[T comparable](keys []string, find func(string) T, seq func(T) uint64) []T {
	var zero T
	rows := make([]T, 0, len(keys))
	for _, k := range keys {
		if r := find(k); r != zero {
			rows = append(rows, r)
		}
	}
	slices.SortFunc(rows, func(a, b T) int { return cmp.Compare(seq(a), seq(b)) })
	return rows
}

// lowerUnique returns the strings of in, in lower case, without duplicates.
func lowerUnique(in []string) []string {
	out := make([]string, 0, len(in))
	seen := make(map[string]struct{}, len(in))
	for _, s := range in {
		s = strings.ToLower(s)
		if _, dup := seen[s]; !dup {
			seen[s] = struct{}{}
			out = append(out, s)
		}
	}
	return out
}

// candidateRequests is the requests the identity may see that where can
// match, in creation order: only those with the wait tokens it requires, if
// it requires some (the watcher's queries and polls: map lookups instead of
// a scan), else all of them.
func (s *store) candidateRequests(id identity, where *model.PaymentRequestBoolExp) []*paymentRequest {
	toks, ok := waitTokens(where)
	if !ok {
		return s.visibleRequests(id)
	}
	rows := make([]*paymentRequest, 0, len(toks))
	for _, tok := range toks {
		if r := s.visibleRequest(id, tok); r != nil {
			rows = append(rows, r)
		}
	}
	slices.SortFunc(rows, func(a, b *paymentRequest) int { return cmp.Compare(a.seq, b.seq) })
	return rows
}

// queryRequests answers paymentRequests. Callers hold s.mu.
func (s *store) queryRequests(id identity, a requestArgs) []*model.PaymentRequest {
	var keys []orderKey[*paymentRequest]
	for _, o := range a.orderBy {
		if o == nil {
			continue
		}
		if o.CreatedAt != nil {
			keys = append(keys, orderKey[*paymentRequest]{*o.CreatedAt, func(a, b *paymentRequest) int { return timeCmp(a.createdAt, b.createdAt) }})
		}
		if o.Amount != nil {
			keys = append(keys, orderKey[*paymentRequest]{*o.Amount, func(a, b *paymentRequest) int { return cmp.Compare(a.sess.amount, b.sess.amount) }})
		}
		if o.WaitToken != nil {
			keys = append(keys, orderKey[*paymentRequest]{*o.WaitToken, func(a, b *paymentRequest) int { return strings.Compare(a.waitToken, b.waitToken) }})
		}
	}
	return selectRows(s.candidateRequests(id, a.where), func(r *paymentRequest) bool { return matchRequest(a.where, r) }, keys,
		func(r *paymentRequest) uint64 { return r.seq }, a.limit, a.offset,
		func(r *paymentRequest) *model.PaymentRequest { return s.requestModel(r, a.omit) })
}

func (s *store) queryPayments(limit, offset *int32, orderBy []*model.PaymentOrderBy, where *model.PaymentBoolExp) []*model.Payment {
	if rows, ok := s.listPayments(limit, offset, orderBy, where); ok {
		return rows
	}
	var keys []orderKey[*payment]
	for _, o := range orderBy {
		if o != nil {
			keys = append(keys, createdAndID(o.CreatedAt, o.ID,
				func(p *payment) time.Time { return p.history[0].at }, func(p *payment) int64 { return p.id })...)
		}
	}
	return selectRows(s.paymentList, func(p *payment) bool { return matchPayment(where, p) }, keys,
		func(p *payment) uint64 { return uint64(p.id) }, limit, offset, s.paymentModel)
}

func (s *store) queryCaptures(list []*capture, limit, offset *int32, orderBy []*model.PaymentCaptureOrderBy, where *model.PaymentCaptureBoolExp) []*model.PaymentCapture {
	var keys []orderKey[*capture]
	for _, o := range orderBy {
		if o != nil {
			keys = append(keys, createdAndID(o.CreatedAt, o.ID,
				func(c *capture) time.Time { return c.createdAt }, func(c *capture) int64 { return c.id })...)
		}
	}
	return selectRows(list, func(c *capture) bool { return matchCapture(where, c) }, keys,
		func(c *capture) uint64 { return c.seq }, limit, offset, captureModel)
}

func (s *store) queryRefunds(list []*refund, limit, offset *int32, orderBy []*model.RefundOrderBy, where *model.RefundBoolExp) []*model.Refund {
	var keys []orderKey[*refund]
	for _, o := range orderBy {
		if o != nil {
			keys = append(keys, refundOrder(o)...)
		}
	}
	return selectRows(list, func(r *refund) bool { return matchRefund(where, r) }, keys,
		func(r *refund) uint64 { return r.seq }, limit, offset, refundModel)
}

func (s *store) queryReleases(list []*release, limit, offset *int32, orderBy []*model.TransactionReleaseOrderBy, where *model.TransactionReleaseBoolExp) []*model.TransactionRelease {
	var keys []orderKey[*release]
	for _, o := range orderBy {
		if o != nil {
			keys = append(keys, createdAndID(o.CreatedAt, o.ID,
				func(r *release) time.Time { return r.createdAt }, func(r *release) int64 { return r.id })...)
		}
	}
	return selectRows(list, func(r *release) bool { return matchRelease(where, r) }, keys,
		func(r *release) uint64 { return r.seq }, limit, offset, releaseModel)
}

// selectRows is what every query does: keep the rows that match,
// order them by keys (then by creation, seq), cut the page, and snapshot each
// as its model.
func selectRows[T, M any](list []T, match func(T) bool, keys []orderKey[T], seq func(T) uint64, limit, offset *int32, model func(T) M) []M {
	var rows []T
	for _, r := range list {
		if match(r) {
			rows = append(rows, r)
		}
	}
	sortRows(rows, keys, seq)
	rows = page(rows, limit, offset)
	out := make([]M, len(rows))
	for i, r := range rows {
		out[i] = model(r)
	}
	return out
}

// createdAndID orders rows by the createdAt and id columns an order-by asks for.
func createdAndID[T any](createdAt, id *model.OrderBy, at func(T) time.Time, ident func(T) int64) []orderKey[T] {
	var keys []orderKey[T]
	if createdAt != nil {
		keys = append(keys, orderKey[T]{*createdAt, func(a, b T) int { return timeCmp(at(a), at(b)) }})
	}
	if id != nil {
		keys = append(keys, orderKey[T]{*id, func(a, b T) int { return cmp.Compare(ident(a), ident(b)) }})
	}
	return keys
}

// ---------------------------------------------------------------------------
// Models: immutable snapshots of the state, built under s.mu.

func statusModels(h []statusEntry) (current, history []*model.CurrentPaymentStatus) {
	history = make([]*model.CurrentPaymentStatus, len(h))
	for i, e := range h {
		history[i] = &model.CurrentPaymentStatus{Status: e.status, EnteredAt: e.at}
	}
	return history[len(h)-1:], history
}

func (s *store) payerURL(kind string, r *paymentRequest) *string {
	return ptr(s.base + "/pay/" + kind + "/" + r.waitToken)
}

// requestModel snapshots r, without the parts omit names.
func (s *store) requestModel(r *paymentRequest, omit requestOmit) *model.PaymentRequest {
	var cur, hist []*model.CurrentPaymentStatus
	if omit.history {
		cur, _ = statusModels(r.history[len(r.history)-1:]) // the current status alone
	} else {
		cur, hist = statusModels(r.history)
	}
	m := &model.PaymentRequest{
		Amount:             bigint(r.sess.amount),
		CreatedAt:          r.createdAt,
		Currency:           r.sess.currency,
		LatestStatus:       cur,
		Status:             cur,
		StatusHistory:      hist,
		MerchantReference2: r.sess.merchantReference2,
		MerchantReturnURL:  r.merchantRet,
		Message:            r.sess.message,
		PaymentFlow:        r.flow,
		PaymentProvider:    ptr(r.method),
		Reference:          r.sess.merchantReference,
		TransactionID:      r.transactionID,
		WaitToken:          r.waitToken,
	}
	if r.payment != nil {
		m.ResultingPaymentID = ptr(bigint(r.payment.id))
	}
	if !omit.details {
		m.TransactionCreditCardDetails = []*model.CreditCardDetails{}
		m.TransactionSwishDetails = []*model.SwishDetails{}
		m.TransactionMobilePayDetails = []*model.MobilePayDetails{}
		m.TransactionVippsDetails = []*model.VippsDetails{}
		m.TransactionP24Details = []*model.P24Details{}
		m.TransactionPayPalDetails = []*model.PayPalDetails{}
		m.TransactionBankTransferDetails = []*model.BankTransferDetails{}
		s.fillDetails(r, &m.TransactionCreditCardDetails, &m.TransactionSwishDetails, &m.TransactionMobilePayDetails,
			&m.TransactionVippsDetails, &m.TransactionP24Details, &m.TransactionPayPalDetails, &m.TransactionBankTransferDetails)
	}
	if !omit.gateway {
		s.fillGatewayFields(r, m)
	}
	return m
}

// fillDetails sets the one detail list that matches the request's method.
func (s *store) fillDetails(r *paymentRequest, card *[]*model.CreditCardDetails, swish *[]*model.SwishDetails,
	mp *[]*model.MobilePayDetails, vipps *[]*model.VippsDetails, p24 *[]*model.P24Details,
	pp *[]*model.PayPalDetails, bank *[]*model.BankTransferDetails) {
	paidAt := r.paidAt()
	paid := !paidAt.IsZero()
	var errMsg *string
	if st := r.status(); st == model.PaymentStatusEnumError || st == model.PaymentStatusEnumDeclined {
		errMsg = ptr(r.errorText())
	}
	// The customer's next step, once the gateway has it (WithPayerDataDelay).
	ready := r.payerReady
	url := func(kind string) *string {
		if !ready {
			return nil
		}
		return s.payerURL(kind, r)
	}
	when := func(v string) *string {
		if !ready {
			return nil
		}
		return &v
	}
	switch r.method {
	case model.PaymentMethodEnumCreditCard:
		d := &model.CreditCardDetails{SessionID: when(r.transactionID), SessionURL: url("card"), ErrorMessage: errMsg}
		if paid {
			d.CardNumber, d.CardType, d.CardCountry = ptr("411111******1111"), ptr("visa"), ptr("SE")
			d.CardExpiryDate, d.ThreeDSecureStatus = ptr("2030-12-31"), ptr(true)
		}
		*card = append(*card, d)
	case model.PaymentMethodEnumSwish:
		d := &model.SwishDetails{Amount: ptr(bigint(r.sess.amount)), CustomerSwishNumber: r.swishNumber,
			DateCreated: ptr(r.createdAt), ErrorMessage: errMsg}
		if r.flow != nil && *r.flow == "mcom" {
			// The m-commerce flow: the Swish payment request's token, as the
			// QR code a desktop checkout shows (Swish's "D" + token) and
			// as the app link a phone opens (Kronor's iOS SDK opens it).
			d.QRCode = when("D" + r.swishToken())
			d.ReturnURL = when("swish://paymentrequest?token=" + r.swishToken() + "&callbackurl=" + neturl.QueryEscape(r.returnURL))
		}
		if errMsg != nil {
			d.ErrorCode = ptr("RF07")
		}
		if paid {
			d.DatePaid = ptr(paidAt)
			d.BankPaymentReference = ptr(strings.ToUpper(strings.ReplaceAll(r.transactionID, "-", "")))
		}
		*swish = append(*swish, d)
	case model.PaymentMethodEnumMobilepay:
		d := &model.MobilePayDetails{
			Gateway: ptr(string(r.gateway())), SessionID: when(r.transactionID), SessionURL: url("mobilepay"),
			RedirectURL: url("mobilepay"), QRCodeURL: when(s.base + "/pay/mobilepay/" + r.waitToken + "/qr"),
		}
		if r.userFlow != nil {
			d.UserFlow = ptr(string(*r.userFlow))
		}
		if paid {
			d.CardNumber, d.CardType = ptr("545454******5454"), ptr("mastercard")
		}
		*mp = append(*mp, d)
	case model.PaymentMethodEnumVipps:
		d := &model.VippsDetails{SessionID: when(r.transactionID), SessionURL: url("vipps")}
		if paid {
			d.CardNumber, d.CardType = ptr("545454******5454"), ptr("mastercard")
		}
		*vipps = append(*vipps, d)
	case model.PaymentMethodEnumP24:
		d := &model.P24Details{SessionID: when(r.transactionID), SessionURL: url("p24"), ErrorMessage: errMsg, Verified: ptr(paid)}
		if paid {
			d.P24Statement = ptr("p24-" + r.transactionID[:8])
		}
		*p24 = append(*p24, d)
	case model.PaymentMethodEnumPaypal:
		d := &model.PayPalDetails{PaymentURL: url("paypal"), OrderID: when(r.paypalOrderID()), ErrorMessage: errMsg}
		if paid && r.sess.additional != nil && r.sess.additional.ShippingAddress != nil {
			a := r.sess.additional.ShippingAddress
			d.PayerGivenName, d.PayerSurname, d.PayerCountryCode = ptr(a.FirstName), ptr(a.LastName), ptr(string(a.Country))
		}
		*pp = append(*pp, d)
	case model.PaymentMethodEnumBankTransfer:
		d := &model.BankTransferDetails{PayURL: url("bank"), AuthorizationURL: url("bank-authorization")}
		if r.aspspID != nil {
			d.AspspID = ptr(bigint(*r.aspspID))
		}
		if st := r.status(); st != model.PaymentStatusEnumWaitingForPayment && pendingStatuses[st] || paid {
			d.BankName, d.MaskedBankAccount = ptr("Kronortest Bank"), ptr("SE** **** **** **** 1234")
		}
		*bank = append(*bank, d)
	}
}

// swishToken is the token of the request's Swish payment request (m-commerce
// flow): 32 hexadecimal digits, as Swish's are.
func (r *paymentRequest) swishToken() string {
	return strings.ReplaceAll(r.transactionID, "-", "")
}

// paypalOrderID is the id of the request's PayPal order, in PayPal's form
// (17 characters, digits and capitals).
func (r *paymentRequest) paypalOrderID() string {
	return strings.ToUpper(strings.ReplaceAll(r.waitToken, "-", ""))[:17]
}

// paidAt is when the request became PAID or AUTHORIZED, zero if it has not.
func (r *paymentRequest) paidAt() time.Time {
	if r.payment == nil {
		return time.Time{}
	}
	return r.payment.history[0].at
}

func (r *paymentRequest) errorText() string {
	if r.errorMessage != "" {
		return r.errorMessage
	}
	if r.status() == model.PaymentStatusEnumDeclined {
		return "the payment was declined"
	}
	return "the payment failed"
}

func (s *store) paymentModel(p *payment) *model.Payment {
	r := p.req
	cur, _ := statusModels(p.history[len(p.history)-1:]) // the current status alone
	m := &model.Payment{
		AmountPaid:          bigint(p.paid),
		CreatedAt:           p.history[0].at,
		Currency:            r.sess.currency,
		CurrentStatus:       p.status(),
		ID:                  bigint(p.id),
		MerchantReference:   r.sess.merchantReference,
		MerchantReference2:  r.sess.merchantReference2,
		PaymentMethod:       r.method,
		PaymentRefundStatus: ptr(p.refundStatus()),
		Status:              cur,
		TransactionID:       r.transactionID,
	}
	if p.authorized > 0 {
		m.AmountAuthorized = ptr(bigint(p.authorized))
	}
	m.TransactionCreditCardDetails = []*model.CreditCardDetails{}
	m.TransactionSwishDetails = []*model.SwishDetails{}
	m.TransactionMobilePayDetails = []*model.MobilePayDetails{}
	m.TransactionVippsDetails = []*model.VippsDetails{}
	m.TransactionP24Details = []*model.P24Details{}
	m.TransactionPayPalDetails = []*model.PayPalDetails{}
	var bank []*model.BankTransferDetails
	s.fillDetails(r, &m.TransactionCreditCardDetails, &m.TransactionSwishDetails, &m.TransactionMobilePayDetails,
		&m.TransactionVippsDetails, &m.TransactionP24Details, &m.TransactionPayPalDetails, &bank)
	return m
}

func captureModel(c *capture) *model.PaymentCapture {
	hist := make([]*model.CurrentCaptureStatus, len(c.history))
	for i, e := range c.history {
		hist[i] = &model.CurrentCaptureStatus{Status: e.status, EnteredAt: e.at}
	}
	m := &model.PaymentCapture{
		Amount:        bigint(c.amount),
		CaptureType:   model.PaymentCaptureTypeEnumMerchant,
		CreatedAt:     c.createdAt,
		CreatedBy:     c.createdBy,
		GeneratedFrom: c.generatedFrom,
		ID:            bigint(c.id),
		Message:       c.message,
		PaymentID:     bigint(c.pay.id),
		Status:        hist[len(hist)-1:],
		StatusHistory: hist,
		TransactionID: c.transactionID,
	}
	if c.errorMessage != "" {
		m.ErrorMessage = ptr(c.errorMessage)
	}
	return m
}

func refundModel(r *refund) *model.Refund {
	hist := make([]*model.CurrentRefundStatus, len(r.history))
	for i, e := range r.history {
		hist[i] = &model.CurrentRefundStatus{Status: e.status, EnteredAt: e.at}
	}
	m := &model.Refund{
		CreatedAt:     r.createdAt,
		CreatedBy:     r.createdBy,
		GeneratedFrom: r.generatedFrom,
		Message:       r.message,
		PaymentID:     bigint(r.pay.id),
		Status:        hist[len(hist)-1:],
		StatusHistory: hist,
		TotalAmount:   bigint(r.amount),
		TransactionID: r.transactionID,
		WaitToken:     r.waitToken,
	}
	if r.errorMessage != "" {
		m.ErrorMessage = ptr(r.errorMessage)
	}
	return m
}

func releaseModel(r *release) *model.TransactionRelease {
	hist := make([]*model.CurrentTransactionReleaseStatus, len(r.history))
	for i, e := range r.history {
		hist[i] = &model.CurrentTransactionReleaseStatus{Status: e.status, EnteredAt: e.at}
	}
	return &model.TransactionRelease{
		Amount:        bigint(r.amount),
		CreatedAt:     r.createdAt,
		CreatedBy:     r.createdBy,
		CurrentStatus: r.status(),
		GeneratedFrom: r.generatedFrom,
		ID:            bigint(r.id),
		PaymentID:     bigint(r.pay.id),
		StatusHistory: hist,
	}
}
