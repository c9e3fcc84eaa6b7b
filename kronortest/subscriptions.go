package kronortest

import (
	"context"
	"sync"

	"github.com/kronor-io/kronor-go/kronortest/internal/graph/model"
)

// feed is what one live subscription has yet to send: its latest result.
// As with Hasura's live queries, a subscriber is sent the result as it is
// now; a result superseded before it was sent is not sent (a client reading
// slowly sees the latest state, not a backlog). pump feeds it to gqlgen, so a
// slow client never blocks the store.
type feed[M any] struct {
	mu     sync.Mutex
	latest []M
	has    bool
	signal chan struct{}
}

func (f *feed[M]) push(res []M) {
	f.mu.Lock()
	f.latest, f.has = res, true
	f.mu.Unlock()
	select {
	case f.signal <- struct{}{}:
	default:
	}
}

// take returns the latest result not yet taken, if there is one.
func (f *feed[M]) take() ([]M, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	res, ok := f.latest, f.has
	f.latest, f.has = nil, false
	return res, ok
}

// pump returns the channel gqlgen reads a subscription's results from, fed
// from f until ctx ends or the server closes; then it calls stop (which
// unregisters the subscription) and closes the channel. The subscription
// counts in [Server.Live] meanwhile.
func pump[M any](s *Server, ctx context.Context, f *feed[M], stop func()) <-chan []M {
	out := make(chan []M)
	s.live.add(0, 1)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer s.live.add(0, -1)
		defer close(out)
		defer stop()
		for {
			if res, ok := f.take(); ok {
				select {
				case out <- res:
				case <-ctx.Done():
					return
				case <-s.done:
					return
				}
				continue // a newer result may have come meanwhile
			}
			select {
			case <-f.signal:
			case <-ctx.Done():
				return
			case <-s.done:
				return
			}
		}
	}()
	return out
}

// notify queues a new result for every paymentRequests subscription that
// can see r and whose result it is, or was, part of. Callers hold s.mu.
func (s *store) notify(r *paymentRequest) { s.requestSubs.notify(r, r.waitToken) }

// subscribe registers a paymentRequests subscription and returns the channel
// gqlgen reads its results from: the current result first, then one per
// change. The channel is closed when ctx ends. A subscription filtered on
// wait tokens is registered under each (see waitTokens), so that a change
// is offered only to those that can include it.
func (s *Server) subscribe(ctx context.Context, id identity, a requestArgs) <-chan []*model.PaymentRequest {
	st := s.store
	keys, indexed := waitTokens(a.where)
	return subscribeRows(s, ctx, &st.requestSubs, &objSub[*paymentRequest, *model.PaymentRequest]{
		match: func(r *paymentRequest) bool {
			return (id.role != roleGateway || id.sess == r.sess) && matchRequest(a.where, r)
		},
		query: func() []*model.PaymentRequest { return st.queryRequests(id, a) },
		key:   func(m *model.PaymentRequest) string { return m.WaitToken },
		keys:  keys, indexed: indexed,
	})
}

// objSub is one live subscription to payment requests (paymentRequests) or,
// of the merchant role, to captures (paymentCaptures), releases
// (transactionReleases) or refunds (refunds): O is the store's row, M its
// model. It is pushed its whole result on subscribe and again at every
// change of a row its filter matches or its last result held.
type objSub[O, M any] struct {
	feed[M]
	match func(O) bool   // the subscription's where
	query func() []M     // its result now; callers hold s.mu
	key   func(M) string // a row's key (id or wait token) in a result
	last  map[string]struct{}
	// keys are the ids or wait tokens the filter restricts the
	// subscription to, when indexed: it is registered under each.
	keys    []string
	indexed bool
}

func (sub *objSub[O, M]) push(res []M) {
	sub.last = make(map[string]struct{}, len(res))
	for _, m := range res {
		sub.last[sub.key(m)] = struct{}{}
	}
	sub.feed.push(res)
}

// offer queues a new result if the row o, whose key is key, is or was part
// of it. Callers hold s.mu.
func (sub *objSub[O, M]) offer(o O, key string) {
	if _, was := sub.last[key]; !was && !sub.match(o) {
		return
	}
	sub.push(sub.query())
}

// objSubs are the live subscriptions to one kind of row: those whose filter
// restricts the rows' keys under each key, the others in all. The zero
// value is empty and ready to use. Its methods' callers hold s.mu.
type objSubs[O, M any] struct {
	all   map[*objSub[O, M]]struct{}
	byKey map[string]map[*objSub[O, M]]struct{}
}

func (r *objSubs[O, M]) add(sub *objSub[O, M]) {
	if !sub.indexed {
		if r.all == nil {
			r.all = map[*objSub[O, M]]struct{}{}
		}
		r.all[sub] = struct{}{}
		return
	}
	if r.byKey == nil {
		r.byKey = map[string]map[*objSub[O, M]]struct{}{}
	}
	for _, k := range sub.keys {
		set := r.byKey[k]
		if set == nil {
			set = map[*objSub[O, M]]struct{}{}
			r.byKey[k] = set
		}
		set[sub] = struct{}{}
	}
}

func (r *objSubs[O, M]) remove(sub *objSub[O, M]) {
	if !sub.indexed {
		delete(r.all, sub)
		return
	}
	for _, k := range sub.keys {
		delete(r.byKey[k], sub)
		if len(r.byKey[k]) == 0 {
			delete(r.byKey, k)
		}
	}
}

// notify offers the changed row o, whose key is key, to the subscriptions
// that can include it.
func (r *objSubs[O, M]) notify(o O, key string) {
	for sub := range r.all {
		sub.offer(o, key)
	}
	for sub := range r.byKey[key] {
		sub.offer(o, key)
	}
}

// subscribeRows registers sub in reg and returns the channel gqlgen reads its
// results from: the current result first, then one per change. The channel
// is closed when ctx ends.
func subscribeRows[O, M any](s *Server, ctx context.Context, reg *objSubs[O, M], sub *objSub[O, M]) <-chan []M {
	sub.signal = make(chan struct{}, 1)
	s.store.mu.Lock()
	reg.add(sub)
	sub.push(sub.query())
	s.store.mu.Unlock()
	return pump(s, ctx, &sub.feed, func() {
		s.store.mu.Lock()
		reg.remove(sub)
		s.store.mu.Unlock()
	})
}

// changedCapture pushes a new or changed capture to the subscriptions that
// can include it. Callers hold s.mu.
func (s *store) changedCapture(c *capture) { s.captureSubs.notify(c, itoa(c.id)) }

// changedRelease pushes a new or changed release. Callers hold s.mu.
func (s *store) changedRelease(r *release) { s.releaseSubs.notify(r, itoa(r.id)) }

// changedRefund pushes a new or changed refund. Callers hold s.mu.
func (s *store) changedRefund(r *refund) { s.refundSubs.notify(r, r.waitToken) }
