package subscriptions

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/kronor-io/kronor-go/captures"
	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/api"
	"github.com/kronor-io/kronor-go/internal/mapping"
	"github.com/kronor-io/kronor-go/internal/scalars"
	"github.com/kronor-io/kronor-go/internal/statustable"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/refunds"
)

// What the watcher follows, kind by kind. Every kind goes through the same
// machinery (one subscription per watch on the watcher's one websocket,
// polls while it is down, a catch-up read after it is back, the same
// ordering of statuses); a kind only says which documents to send and how
// to read their rows.

// key identifies a watched object: a wait token (payment requests,
// refunds) or an id (captures, releases).
type key struct {
	token uuid.UUID
	id    int64
}

func tokenKey(t uuid.UUID) key { return key{token: t} }
func idKey(id int64) key       { return key{id: id} }

// String returns the id or the wait token, for messages.
func (k key) String() string {
	if k.id != 0 {
		return strconv.FormatInt(k.id, 10)
	}
	return k.token.String()
}

// progress is what ordering needs of one status step.
type progress struct {
	status    string
	enteredAt time.Time
}

// row is one object as one read (a subscription message or an HTTP read)
// reports it: the object now, and the statuses it went through.
type row[T any] struct {
	key   key
	value T
	// cur is the current status; history the status history, in any order.
	cur     progress
	history []progress
}

// kind is what the watcher needs to know of one kind of object.
type kind[T any] struct {
	noun   string // "payment request", "capture", ... in messages
	table  map[string]statustable.Info
	opName string // the subscription's operation name, in its errors
	op     string // the subscription document
	// vars are the subscription's variables for the object k.
	vars func(k key) map[string]any
	// decode reads the rows of a subscription message.
	decode func(data []byte) ([]row[T], error)
	// read reads objects over HTTP, many in one request.
	read func(ctx context.Context, c client.Caller, keys []key) ([]row[T], error)
	// stamp returns v in step p (its Status and, where it has one, the time
	// it entered it).
	stamp func(v T, p progress) T
	// ready, when set, reports whether v holds what a wait of this kind
	// looks for besides statuses: the first report holding it is
	// delivered even without a new status.
	ready func(v T) bool
}

// kindOps is a kind, whatever its type: what the watcher's machinery calls.
type kindOps interface {
	operation() (name, doc string)
	name() string
	// poll reads the watches of batch (all of this kind) over HTTP and
	// applies what it read.
	poll(ctx context.Context, c client.Caller, batch []entry) error
}

func (k *kind[T]) operation() (string, string) { return k.opName, k.op }
func (k *kind[T]) name() string                { return k.noun }

func (k *kind[T]) poll(ctx context.Context, c client.Caller, batch []entry) error {
	keys := make([]key, 0, len(batch))
	for _, e := range batch {
		if !e.ended() {
			keys = append(keys, e.base().key)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	rows, err := k.read(ctx, c, keys)
	if err != nil {
		return err
	}
	byKey := make(map[key]int, len(rows))
	for i := range rows {
		byKey[rows[i].key] = i
	}
	for _, e := range batch {
		if i, ok := byKey[e.base().key]; ok {
			e.(*watch[T]).apply(&rows[i])
		}
	}
	return nil
}

// rank orders statuses along the flow, for steps with equal times.
func (k *kind[T]) rank(s string) int {
	i, _ := statustable.Of(k.table, s)
	return i.Rank
}

// ends reports whether status s ends a watch: an end of the object, or an
// ambiguous outcome (Kronor resolves it by hand; the wait reports it rather
// than waiting for a person).
func (k *kind[T]) ends(s string) bool {
	i, _ := statustable.Of(k.table, s)
	return i.Outcome != statustable.Progress
}

// steps returns the statuses of r in the order they happened, ending with
// the current one.
func (k *kind[T]) steps(r *row[T]) []progress {
	steps := make([]progress, 0, len(r.history)+1)
	steps = append(steps, r.history...)
	slices.SortStableFunc(steps, func(a, b progress) int {
		if c := a.enteredAt.Compare(b.enteredAt); c != 0 {
			return c
		}
		return k.rank(a.status) - k.rank(b.status)
	})
	if r.cur.status == "" {
		return steps
	}
	if n := len(steps); n == 0 || steps[n-1] != r.cur {
		steps = append(steps, r.cur)
	}
	return steps
}

// history converts a status history of any of the schema's status types.
func history[H any](list []H, f func(H) (string, time.Time)) []progress {
	if len(list) == 0 {
		return nil
	}
	out := make([]progress, len(list))
	for i, h := range list {
		out[i].status, out[i].enteredAt = f(h)
	}
	return out
}

// decodeRows decodes a subscription message's data into R, a wire type of
// the subscription's response (see wire.go), and converts each of its rows.
func decodeRows[R, E, T any](data []byte, list func(*R) []E, conv func(*E) row[T]) ([]row[T], error) {
	var resp R
	if err := json.Unmarshal(data, &resp); err != nil {
		return nil, err
	}
	return convertRows(list(&resp), conv), nil
}

// convertRows converts each element of a response's list into a row.
func convertRows[E, T any](list []E, conv func(*E) row[T]) []row[T] {
	rows := make([]row[T], len(list))
	for i := range list {
		rows[i] = conv(&list[i])
	}
	return rows
}

// watchedRow converts the WatchedPaymentRequest fragment, which the
// payment request polls select.
func watchedRow(p *api.WatchedPaymentRequest) row[payments.Request] {
	return requestRow(&p.PaymentRequestCore, p.StatusHistory)
}

func tokens(keys []key) []uuid.UUID {
	out := make([]uuid.UUID, len(keys))
	for i, k := range keys {
		out[i] = k.token
	}
	return out
}

func ids(keys []key) []scalars.BigInt {
	out := make([]scalars.BigInt, len(keys))
	for i, k := range keys {
		out[i] = scalars.BigInt(k.id)
	}
	return out
}

// requestRow converts the watched selection of a payment request: its
// PaymentRequestCore and status history.
func requestRow(p *api.PaymentRequestCore, statusHistory []api.WatchedPaymentRequestStatusHistoryCurrentPaymentStatus) row[payments.Request] {
	r := mapping.PaymentRequest(p).(payments.Request)
	return row[payments.Request]{
		key:   tokenKey(p.WaitToken),
		value: r,
		cur:   progress{string(r.Status), r.StatusEnteredAt},
		history: history(statusHistory, func(h api.WatchedPaymentRequestStatusHistoryCurrentPaymentStatus) (string, time.Time) {
			return string(h.Status), h.EnteredAt
		}),
	}
}

func stampRequest(r payments.Request, p progress) payments.Request {
	r.Status, r.StatusEnteredAt = payments.Status(p.status), p.enteredAt
	return r
}

// requestKind: payment requests, with either token (Watcher.Wait and
// Watcher.Watch).
var requestKind = &kind[payments.Request]{
	noun:   "payment request",
	table:  statustable.Payment,
	opName: "WatchPaymentRequest",
	op:     api.WatchPaymentRequest_Operation,
	vars:   func(k key) map[string]any { return map[string]any{"waitToken": k.token.String()} },
	decode: func(data []byte) ([]row[payments.Request], error) {
		return decodeRows(data,
			func(r *wirePaymentRequests) []wirePaymentRequest { return r.PaymentRequests },
			func(p *wirePaymentRequest) row[payments.Request] {
				return requestRow(&p.PaymentRequestCore, p.StatusHistory)
			})
	},
	read: func(ctx context.Context, c client.Caller, keys []key) ([]row[payments.Request], error) {
		if len(keys) == 1 {
			// The first read of a wait: the query of one request.
			resp, err := api.PollPaymentRequest(ctx, c, keys[0].token)
			if err != nil {
				return nil, err
			}
			return convertRows(resp.PaymentRequests, func(p *api.PollPaymentRequestPaymentRequestsPaymentRequest) row[payments.Request] {
				return watchedRow(&p.WatchedPaymentRequest)
			}), nil
		}
		resp, err := api.PollPaymentRequests(ctx, c, tokens(keys))
		if err != nil {
			return nil, err
		}
		return convertRows(resp.PaymentRequests, func(p *api.PollPaymentRequestsPaymentRequestsPaymentRequest) row[payments.Request] {
			return watchedRow(&p.WatchedPaymentRequest)
		}), nil
	},
	stamp: stampRequest,
}

// sessionRequestRow converts the session's watched selection: the request
// with where the customer pays, and its status history.
func sessionRequestRow(p *api.SessionPaymentRequest, statusHistory []api.WatchedSessionPaymentRequestStatusHistoryCurrentPaymentStatus) row[payments.Request] {
	r := mapping.SessionPaymentRequest(p).(payments.Request)
	return row[payments.Request]{
		key:   tokenKey(p.WaitToken),
		value: r,
		cur:   progress{string(r.Status), r.StatusEnteredAt},
		history: history(statusHistory, func(h api.WatchedSessionPaymentRequestStatusHistoryCurrentPaymentStatus) (string, time.Time) {
			return string(h.Status), h.EnteredAt
		}),
	}
}

// sessionRequestKind: payment requests with their next step, with a
// session token (SessionWatcher.NextStep).
var sessionRequestKind = &kind[payments.Request]{
	noun:   "payment request",
	table:  statustable.Payment,
	opName: "WatchSessionPaymentRequest",
	op:     api.WatchSessionPaymentRequest_Operation,
	vars:   func(k key) map[string]any { return map[string]any{"waitToken": k.token.String()} },
	decode: func(data []byte) ([]row[payments.Request], error) {
		return decodeRows(data,
			func(r *wireSessionPaymentRequests) []wireSessionPaymentRequest { return r.PaymentRequests },
			func(p *wireSessionPaymentRequest) row[payments.Request] {
				s := p.session()
				return sessionRequestRow(&s, p.StatusHistory)
			})
	},
	read: func(ctx context.Context, c client.Caller, keys []key) ([]row[payments.Request], error) {
		resp, err := api.PollSessionPaymentRequests(ctx, c, tokens(keys))
		if err != nil {
			return nil, err
		}
		return convertRows(resp.PaymentRequests, func(p *api.PollSessionPaymentRequestsPaymentRequestsPaymentRequest) row[payments.Request] {
			return sessionRequestRow(&p.SessionPaymentRequest, p.StatusHistory)
		}), nil
	},
	stamp: stampRequest,
	ready: func(r payments.Request) bool { return r.NextStep().Ready() },
}

// captureRow converts the watched selection of a capture: its CaptureFields
// and status history.
func captureRow(p *api.CaptureFields, statusHistory []api.WatchedCaptureStatusHistoryCurrentCaptureStatus) row[captures.Capture] {
	c := mapping.Capture(p).(captures.Capture)
	return row[captures.Capture]{
		key:   idKey(c.ID),
		value: c,
		cur:   progress{string(c.Status), c.StatusEnteredAt},
		history: history(statusHistory, func(h api.WatchedCaptureStatusHistoryCurrentCaptureStatus) (string, time.Time) {
			return string(h.Status), h.EnteredAt
		}),
	}
}

// captureKind: captures, with the merchant token.
var captureKind = &kind[captures.Capture]{
	noun:   "capture",
	table:  statustable.Capture,
	opName: "WatchCapture",
	op:     api.WatchCapture_Operation,
	vars:   func(k key) map[string]any { return map[string]any{"id": k.id} },
	decode: func(data []byte) ([]row[captures.Capture], error) {
		return decodeRows(data,
			func(r *wireCaptures) []wireCapture { return r.PaymentCaptures },
			func(p *wireCapture) row[captures.Capture] { return captureRow(&p.CaptureFields, p.StatusHistory) })
	},
	read: func(ctx context.Context, c client.Caller, keys []key) ([]row[captures.Capture], error) {
		resp, err := api.PollCaptures(ctx, c, ids(keys))
		if err != nil {
			return nil, err
		}
		return convertRows(resp.PaymentCaptures, func(p *api.PollCapturesPaymentCapturesPaymentCapture) row[captures.Capture] {
			return captureRow(&p.CaptureFields, p.StatusHistory)
		}), nil
	},
	stamp: func(c captures.Capture, p progress) captures.Capture {
		c.Status, c.StatusEnteredAt = captures.Status(p.status), p.enteredAt
		return c
	},
}

func releaseRow(f *api.ReleaseFields) row[captures.TransactionRelease] {
	r := mapping.Release(f).(captures.TransactionRelease)
	h := history(r.StatusHistory, func(c captures.ReleaseChange) (string, time.Time) {
		return string(c.Status), c.EnteredAt
	})
	// A release's current status has no time of its own: the time it was
	// entered, from the history, or else the latest time known, so that it
	// comes after the steps before it.
	cur := progress{status: string(r.Status), enteredAt: r.CreatedAt}
	entered := false
	for _, c := range r.StatusHistory {
		switch {
		case c.Status == r.Status && (!entered || c.EnteredAt.After(cur.enteredAt)):
			cur.enteredAt, entered = c.EnteredAt, true
		case !entered && c.EnteredAt.After(cur.enteredAt):
			cur.enteredAt = c.EnteredAt
		}
	}
	return row[captures.TransactionRelease]{key: idKey(r.ID), value: r, cur: cur, history: h}
}

// releaseKind: releases, with the merchant token.
var releaseKind = &kind[captures.TransactionRelease]{
	noun:   "release",
	table:  statustable.Release,
	opName: "WatchRelease",
	op:     api.WatchRelease_Operation,
	vars:   func(k key) map[string]any { return map[string]any{"id": k.id} },
	decode: func(data []byte) ([]row[captures.TransactionRelease], error) {
		return decodeRows(data,
			func(r *wireReleases) []api.ReleaseFields { return r.TransactionReleases },
			releaseRow)
	},
	read: func(ctx context.Context, c client.Caller, keys []key) ([]row[captures.TransactionRelease], error) {
		resp, err := api.PollReleases(ctx, c, ids(keys))
		if err != nil {
			return nil, err
		}
		return convertRows(resp.TransactionReleases, func(p *api.PollReleasesTransactionReleasesTransactionRelease) row[captures.TransactionRelease] {
			return releaseRow(&p.ReleaseFields)
		}), nil
	},
	stamp: func(r captures.TransactionRelease, p progress) captures.TransactionRelease {
		r.Status = captures.ReleaseStatus(p.status)
		return r
	},
}

// refundRow converts the watched selection of a refund: its RefundFields and
// status history.
func refundRow(p *api.RefundFields, statusHistory []api.WatchedRefundStatusHistoryCurrentRefundStatus) row[refunds.Refund] {
	r := mapping.Refund(p).(refunds.Refund)
	return row[refunds.Refund]{
		key:   tokenKey(p.WaitToken),
		value: r,
		cur:   progress{string(r.Status), r.StatusEnteredAt},
		history: history(statusHistory, func(h api.WatchedRefundStatusHistoryCurrentRefundStatus) (string, time.Time) {
			return string(h.Status), h.EnteredAt
		}),
	}
}

// refundKind: refunds, with the merchant token.
var refundKind = &kind[refunds.Refund]{
	noun:   "refund",
	table:  statustable.Refund,
	opName: "WatchRefund",
	op:     api.WatchRefund_Operation,
	vars:   func(k key) map[string]any { return map[string]any{"waitToken": k.token.String()} },
	decode: func(data []byte) ([]row[refunds.Refund], error) {
		return decodeRows(data,
			func(r *wireRefunds) []wireRefund { return r.Refunds },
			func(p *wireRefund) row[refunds.Refund] { return refundRow(&p.RefundFields, p.StatusHistory) })
	},
	read: func(ctx context.Context, c client.Caller, keys []key) ([]row[refunds.Refund], error) {
		resp, err := api.PollRefunds(ctx, c, tokens(keys))
		if err != nil {
			return nil, err
		}
		return convertRows(resp.Refunds, func(p *api.PollRefundsRefundsRefund) row[refunds.Refund] {
			return refundRow(&p.RefundFields, p.StatusHistory)
		}), nil
	},
	stamp: func(r refunds.Refund, p progress) refunds.Refund {
		r.Status, r.StatusEnteredAt = refunds.Status(p.status), p.enteredAt
		return r
	},
}
