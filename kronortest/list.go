package kronortest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kronor-io/kronor-go/kronortest/internal/graph/model"
	"github.com/kronor-io/kronor-go/payments"
)

// Listing and totals: the filter columns, orderings and aggregates the SDK's
// reconciliation uses (payments.All, payments.Totals, refunds.All,
// captures.All, captures.Releases), with Hasura's semantics, and a control to
// store many payments at once.

func init() {
	// The aggregates are the merchant's, like the payments they count.
	for _, t := range []string{"PaymentAggregate", "PaymentAggregateFields", "PaymentSumFields",
		"RefundAggregate", "RefundAggregateFields", "RefundSumFields"} {
		typeRoles[t] = roleMerchant
	}
	fieldRoles["query_root.paymentsAggregate"] = roleMerchant
}

// ---------------------------------------------------------------------------
// Comparisons of the listing's columns.

// deref returns the values of a list gqlgen decodes as pointers; nil stays
// nil (the operator left out).
func deref[T any](ps []*T) []T {
	if ps == nil {
		return nil
	}
	out := make([]T, 0, len(ps))
	for _, p := range ps {
		if p != nil {
			out = append(out, *p)
		}
	}
	return out
}

func matchTime(e *model.TimestamptzComparisonExp, v time.Time) bool {
	if e == nil {
		return true
	}
	if !matchOps(e.IsNull, e.Eq, e.Neq, deref(e.In), deref(e.Nin), &v, func(t time.Time) int64 { return t.UnixNano() }) {
		return false
	}
	switch {
	case e.Gt != nil && !v.After(*e.Gt),
		e.Gte != nil && v.Before(*e.Gte),
		e.Lt != nil && !v.Before(*e.Lt),
		e.Lte != nil && v.After(*e.Lte):
		return false
	}
	return true
}

// matchUUIDOrder applies the ordering operators of a uuid comparison; Postgres
// orders uuids as their bytes, which is the order of their lower-case text.
func matchUUIDOrder(e *model.UUIDComparisonExp, v string) bool {
	if e == nil {
		return true
	}
	v = strings.ToLower(v)
	c := func(x *string) int { return strings.Compare(v, strings.ToLower(*x)) }
	switch {
	case e.Gt != nil && c(e.Gt) <= 0,
		e.Gte != nil && c(e.Gte) < 0,
		e.Lt != nil && c(e.Lt) >= 0,
		e.Lte != nil && c(e.Lte) > 0:
		return false
	}
	return true
}

func matchEnum[T comparable](isNull *bool, eq, neq *T, in, nin []T, v T) bool {
	return matchOps(isNull, eq, neq, in, nin, &v, itself[T])
}

func matchCurrency(e *model.SupportedCurrencyEnumComparisonExp, v model.SupportedCurrencyEnum) bool {
	return e == nil || matchEnum(e.IsNull, e.Eq, e.Neq, e.In, e.Nin, v)
}

func matchMethod(e *model.PaymentMethodEnumComparisonExp, v model.PaymentMethodEnum) bool {
	return e == nil || matchEnum(e.IsNull, e.Eq, e.Neq, e.In, e.Nin, v)
}

func matchRefundStatus(e *model.CurrentRefundStatusBoolExp, st model.RefundStatusEnum) bool {
	if e == nil {
		return true
	}
	return boolExp(e, e.And, e.Or, e.Not, func(e *model.CurrentRefundStatusBoolExp) bool {
		return e.Status == nil || matchEnum(e.Status.IsNull, e.Status.Eq, e.Status.Neq, e.Status.In, e.Status.Nin, st)
	}, func(x *model.CurrentRefundStatusBoolExp) bool { return matchRefundStatus(x, st) })
}

func matchCaptureStatus(e *model.CurrentCaptureStatusBoolExp, st model.PaymentCaptureStatusEnum) bool {
	if e == nil {
		return true
	}
	return boolExp(e, e.And, e.Or, e.Not, func(e *model.CurrentCaptureStatusBoolExp) bool {
		return e.Status == nil || matchEnum(e.Status.IsNull, e.Status.Eq, e.Status.Neq, e.Status.In, e.Status.Nin, st)
	}, func(x *model.CurrentCaptureStatusBoolExp) bool { return matchCaptureStatus(x, st) })
}

// listedPayment tests the listing's columns of a payment; matchPayment calls
// it with the other columns. A relationship (refunds) holds when one of the
// related rows matches, as Hasura's EXISTS does: {refunds: {}} is "has a
// refund".
func listedPayment(e *model.PaymentBoolExp, p *payment) bool {
	if !matchTime(e.CreatedAt, p.history[0].at) ||
		!matchCurrency(e.Currency, p.req.sess.currency) ||
		!matchMethod(e.PaymentMethod, p.req.method) {
		return false
	}
	if e.Refunds != nil {
		return slices.ContainsFunc(p.refunds, func(r *refund) bool { return matchRefund(e.Refunds, r) })
	}
	return true
}

func listedRefund(e *model.RefundBoolExp, r *refund) bool {
	return matchTime(e.CreatedAt, r.createdAt) && matchUUIDOrder(e.WaitToken, r.waitToken) &&
		matchRefundStatus(e.Status, r.status())
}

func listedCapture(e *model.PaymentCaptureBoolExp, c *capture) bool {
	return matchTime(e.CreatedAt, c.createdAt) && matchCaptureStatus(e.Status, c.status())
}

func listedRelease(e *model.TransactionReleaseBoolExp, r *release) bool {
	if !matchTime(e.CreatedAt, r.createdAt) {
		return false
	}
	c := e.CurrentStatus
	return c == nil || matchEnum(c.IsNull, c.Eq, c.Neq, c.In, c.Nin, r.status())
}

// refundOrder orders refunds by the createdAt and waitToken an order-by asks
// for.
func refundOrder(o *model.RefundOrderBy) []orderKey[*refund] {
	keys := createdAndID(o.CreatedAt, nil, func(r *refund) time.Time { return r.createdAt }, func(*refund) int64 { return 0 })
	if o.WaitToken != nil {
		keys = append(keys, orderKey[*refund]{*o.WaitToken, func(a, b *refund) int {
			return strings.Compare(strings.ToLower(a.waitToken), strings.ToLower(b.waitToken))
		}})
	}
	return keys
}

// ---------------------------------------------------------------------------
// Payments by creation: an index, and the range of it a filter can match.

// createdIndex holds the payments ordered by (createdAt, id): the order the
// listing asks for, so a page is a scan from the first row the filter's
// createdAt bounds allow, stopped once the page is full, instead of a sort
// of every payment per page.
type createdIndex struct {
	rows []*payment
}

func createdOf(p *payment) time.Time { return p.history[0].at }

func comparePayments(a, b *payment) int {
	if c := createdOf(a).Compare(createdOf(b)); c != 0 {
		return c
	}
	return cmp.Compare(a.id, b.id)
}

// add inserts p in order: an append, unless the clock went back.
func (x *createdIndex) add(p *payment) {
	if n := len(x.rows); n == 0 || comparePayments(x.rows[n-1], p) <= 0 {
		x.rows = append(x.rows, p)
		return
	}
	i, _ := slices.BinarySearchFunc(x.rows, p, comparePayments)
	x.rows = slices.Insert(x.rows, i, p)
}

// span returns the rows whose createdAt lies within b.
func (x *createdIndex) span(b timeBounds) []*payment {
	rows := x.rows
	if b.hasLo {
		i, _ := slices.BinarySearchFunc(rows, b.lo, func(p *payment, t time.Time) int {
			if createdOf(p).Before(t) {
				return -1
			}
			return 1
		})
		rows = rows[i:]
	}
	if b.hasHi {
		i, _ := slices.BinarySearchFunc(rows, b.hi, func(p *payment, t time.Time) int {
			if createdOf(p).After(t) {
				return 1
			}
			return -1
		})
		rows = rows[:i]
	}
	return rows
}

// timeBounds are bounds every row matching an expression has its createdAt
// within: lo <= createdAt <= hi, where set.
type timeBounds struct {
	lo, hi       time.Time
	hasLo, hasHi bool
}

func (b *timeBounds) atLeast(t time.Time) {
	if !b.hasLo || t.After(b.lo) {
		b.lo, b.hasLo = t, true
	}
}

func (b *timeBounds) atMost(t time.Time) {
	if !b.hasHi || t.Before(b.hi) {
		b.hi, b.hasHi = t, true
	}
}

// createdBounds reads the bounds of createdAt that e implies: its own
// comparison, those of every conjunct of _and, and, of _or, the loosest
// bound all branches share. _not and the other columns only narrow the rows
// further; the whole filter still decides each row.
func createdBounds(e *model.PaymentBoolExp) timeBounds {
	var b timeBounds
	if e == nil {
		return b
	}
	if c := e.CreatedAt; c != nil {
		for _, t := range []*time.Time{c.Eq, c.Gt, c.Gte} {
			if t != nil {
				b.atLeast(*t)
			}
		}
		for _, t := range []*time.Time{c.Eq, c.Lt, c.Lte} {
			if t != nil {
				b.atMost(*t)
			}
		}
		if in := deref(c.In); len(in) > 0 {
			b.atLeast(slices.MinFunc(in, time.Time.Compare))
			b.atMost(slices.MaxFunc(in, time.Time.Compare))
		}
	}
	for _, a := range e.And {
		ab := createdBounds(a)
		if ab.hasLo {
			b.atLeast(ab.lo)
		}
		if ab.hasHi {
			b.atMost(ab.hi)
		}
	}
	if len(e.Or) > 0 {
		var ob timeBounds
		allLo, allHi := true, true
		for i, o := range e.Or {
			x := createdBounds(o)
			allLo, allHi = allLo && x.hasLo, allHi && x.hasHi
			if x.hasLo && (i == 0 || x.lo.Before(ob.lo)) {
				ob.lo = x.lo
			}
			if x.hasHi && (i == 0 || x.hi.After(ob.hi)) {
				ob.hi = x.hi
			}
		}
		if allLo {
			b.atLeast(ob.lo)
		}
		if allHi {
			b.atMost(ob.hi)
		}
	}
	return b
}

// inCreationOrder reports whether orderBy asks for createdAt ascending,
// optionally then id ascending: the index's own order.
func inCreationOrder(orderBy []*model.PaymentOrderBy) bool {
	var cols []string
	for _, o := range orderBy {
		if o == nil {
			continue
		}
		if o.CreatedAt != nil {
			if desc(*o.CreatedAt) {
				return false
			}
			cols = append(cols, "createdAt")
		}
		if o.ID != nil {
			if desc(*o.ID) {
				return false
			}
			cols = append(cols, "id")
		}
	}
	return slices.Equal(cols, []string{"createdAt"}) || slices.Equal(cols, []string{"createdAt", "id"})
}

// listPayments answers a payments query in creation order from the index:
// the rows of the filter's createdAt span that match, after offset, up to
// limit. ok is false for another order, which queryPayments sorts. Callers
// hold s.mu.
func (s *store) listPayments(limit, offset *int32, orderBy []*model.PaymentOrderBy, where *model.PaymentBoolExp) (out []*model.Payment, ok bool) {
	if !inCreationOrder(orderBy) {
		return nil, false
	}
	skip := 0
	if offset != nil {
		skip = int(*offset)
	}
	out = []*model.Payment{}
	for _, p := range s.created.span(createdBounds(where)) {
		if limit != nil && len(out) == int(*limit) {
			break
		}
		if !matchPayment(where, p) {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		out = append(out, s.paymentModel(p))
	}
	return out, true
}

// ---------------------------------------------------------------------------
// Aggregates.

// PaymentsAggregate answers paymentsAggregate: the count of the payments where
// matches and the sums of their amounts; a sum over no non-null value is
// null, as SQL's SUM is.
func (q queryResolver) PaymentsAggregate(ctx context.Context, where *model.PaymentBoolExp) (*model.PaymentAggregate, error) {
	if _, err := caller(ctx, "paymentsAggregate", roleMerchant); err != nil {
		return nil, err
	}
	s := q.srv.store
	s.mu.Lock()
	defer s.mu.Unlock()
	var n int32
	var paid, authorized int64
	var anyAuthorized bool
	for _, p := range s.created.span(createdBounds(where)) {
		if !matchPayment(where, p) {
			continue
		}
		n++
		paid += p.paid
		if p.authorized > 0 {
			authorized += p.authorized
			anyAuthorized = true
		}
	}
	sum := &model.PaymentSumFields{}
	if n > 0 {
		sum.AmountPaid = ptr(bigint(paid))
	}
	if anyAuthorized {
		sum.AmountAuthorized = ptr(bigint(authorized))
	}
	return &model.PaymentAggregate{Aggregate: &model.PaymentAggregateFields{Count: n, Sum: sum}}, nil
}

// RefundsAggregate answers Payment.refundsAggregate: the count and total of
// the payment's refunds where matches.
func (p paymentResolver) RefundsAggregate(_ context.Context, obj *model.Payment, where *model.RefundBoolExp) (*model.RefundAggregate, error) {
	s := p.srv.store
	s.mu.Lock()
	defer s.mu.Unlock()
	var n int32
	var total int64
	if pay := s.payments[int64(obj.ID)]; pay != nil {
		for _, r := range pay.refunds {
			if matchRefund(where, r) {
				n++
				total += r.amount
			}
		}
	}
	sum := &model.RefundSumFields{}
	if n > 0 {
		sum.TotalAmount = ptr(bigint(total))
	}
	return &model.RefundAggregate{Aggregate: &model.RefundAggregateFields{Count: n, Sum: sum}}, nil
}

// ---------------------------------------------------------------------------
// Storing many payments at once.

// StoredPayment describes a payment for [Server.AddPayments] to store as if a
// customer had paid it: a session, its payment request and the payment.
type StoredPayment struct {
	// CreatedAt is when the payment was made (default: the server's clock).
	CreatedAt time.Time
	// Amount in minor units (default 10000).
	Amount int64
	// Currency, e.g. "SEK" (default SEK).
	Currency string
	// Method, e.g. [payments.MethodSwish] (the default) or
	// [payments.MethodCreditCard].
	Method payments.Method
	// Status is [payments.StatusPaid] (the default) or
	// [payments.StatusAuthorized].
	Status payments.Status
	// MerchantReference is the session's reference (default: "stored-<id>").
	MerchantReference string
	// Refunded, when positive, adds one refund of that amount, already PAID,
	// an hour after CreatedAt; it must not exceed Amount, and needs a PAID
	// payment.
	Refunded int64
}

// AddPayments stores payments directly, without a GraphQL call each, in one
// step under the server's lock, and returns their ids. Benchmarks and
// examples use it to fill the fake with days of payments; subscribers are not
// notified of them. Nothing is stored if one of them is invalid.
func (s *Server) AddPayments(ps ...StoredPayment) ([]int64, error) {
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	type checked struct {
		StoredPayment
		cur    model.SupportedCurrencyEnum
		method model.PaymentMethodEnum
		status model.PaymentStatusEnum
	}
	now := st.now()
	in := make([]checked, len(ps))
	for i, p := range ps {
		c := checked{StoredPayment: p, cur: defaultCurrency, method: model.PaymentMethodEnumSwish, status: model.PaymentStatusEnumPaid}
		if c.CreatedAt.IsZero() {
			c.CreatedAt = now
		}
		if c.Amount == 0 {
			c.Amount = 10000
		}
		if p.Currency != "" {
			c.cur = model.SupportedCurrencyEnum(p.Currency)
		}
		if p.Method != "" {
			c.method = model.PaymentMethodEnum(p.Method)
		}
		if p.Status != "" {
			c.status = model.PaymentStatusEnum(p.Status)
		}
		switch {
		case c.Amount < 0:
			return nil, fmt.Errorf("kronortest: payment %d: negative amount %d", i, c.Amount)
		case !c.cur.IsValid():
			return nil, fmt.Errorf("kronortest: payment %d: unknown currency %q", i, p.Currency)
		case !c.method.IsValid():
			return nil, fmt.Errorf("kronortest: payment %d: unknown method %q", i, string(p.Method))
		case c.status != model.PaymentStatusEnumPaid && c.status != model.PaymentStatusEnumAuthorized:
			return nil, fmt.Errorf("kronortest: payment %d: status %q is neither PAID nor AUTHORIZED", i, string(p.Status))
		case c.Refunded < 0 || c.Refunded > c.Amount || c.Refunded > 0 && c.status != model.PaymentStatusEnumPaid:
			return nil, fmt.Errorf("kronortest: payment %d: cannot refund %d of a %s payment of %d", i, c.Refunded, c.status, c.Amount)
		}
		in[i] = c
	}
	ids := make([]int64, len(in))
	for i, c := range in {
		at := c.CreatedAt
		id := st.nextPaymentID
		st.nextPaymentID++
		ref := c.MerchantReference
		if ref == "" {
			ref = "stored-" + itoa(id)
		}
		sess := &session{
			token: randomToken("kronortest-session-"), merchantReference: ref, amount: c.Amount,
			currency: c.cur, message: "Order " + ref, createdAt: at, expiresAt: at.Add(time.Hour),
		}
		sess.setIdentity()
		r := &paymentRequest{
			seq: st.nextSeq(), waitToken: newUUID(), transactionID: newUUID(), sess: sess,
			method: c.method, createdAt: at,
			history: []statusEntry{
				{status: model.PaymentStatusEnumPreFlightCheck, at: at},
				{status: model.PaymentStatusEnumInitializing, at: at},
				{status: model.PaymentStatusEnumWaitingForPayment, at: at},
				{status: c.status, at: at},
			},
		}
		sess.requests = []*paymentRequest{r}
		p := &payment{id: id, req: r, history: []statusEntry{{status: c.status, at: at}}}
		if c.status == model.PaymentStatusEnumAuthorized {
			p.authorized = c.Amount
		} else {
			p.paid = c.Amount
		}
		r.payment = p
		st.sessions[sess.token] = sess
		st.byReference[ref] = append(st.byReference[ref], sess)
		st.requests[r.waitToken] = r
		st.requestList = append(st.requestList, r)
		st.payments[id] = p
		st.paymentsByTx[r.transactionID] = p
		st.paymentList = append(st.paymentList, p)
		st.created.add(p)
		st.count(ref, func(n *Counts) { n.Sessions++; n.PaymentRequests++; n.Payments++ })
		if c.Refunded > 0 {
			rat := at.Add(time.Hour)
			rf := &refund{
				seq: st.nextSeq(), waitToken: newUUID(), transactionID: newUUID(), pay: p,
				amount: c.Refunded, message: "Refund " + ref, createdAt: rat,
				history: []refundEntry{
					{status: model.RefundStatusEnumInitializing, at: rat},
					{status: model.RefundStatusEnumPaid, at: rat},
				},
			}
			p.refunds = append(p.refunds, rf)
			st.refunds[rf.waitToken] = rf
			st.refundList = append(st.refundList, rf)
			st.count(ref, func(n *Counts) { n.Refunds++ })
		}
		ids[i] = id
	}
	return ids, nil
}
