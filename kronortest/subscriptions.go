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

// subscriber is one live paymentRequests subscription.
type subscriber struct {
	feed[*model.PaymentRequest]
	id   identity
	args requestArgs
	last map[string]struct{} // waitTokens of the last result queued
	// tokens are the wait tokens the filter restricts the subscription
	// to, when indexed (see waitTokens): it is registered under each.
	tokens  []string
	indexed bool
}

func (sub *subscriber) push(res []*model.PaymentRequest) {
	sub.last = make(map[string]struct{}, len(res))
	for _, r := range res {
		sub.last[r.WaitToken] = struct{}{}
	}
	sub.feed.push(res)
}

// notify queues a new result for every subscriber that can see r and whose
// result it is, or was, part of. A subscription filtered on other wait
// tokens can never include r, so only those on r's are looked at. Callers
// hold s.mu.
func (s *store) notify(r *paymentRequest) {
	for sub := range s.subs {
		s.notifyOne(sub, r)
	}
	for sub := range s.subsByToken[r.waitToken] {
		s.notifyOne(sub, r)
	}
}

func (s *store) notifyOne(sub *subscriber, r *paymentRequest) {
	if sub.id.role == roleGateway && sub.id.sess != r.sess {
		return
	}
	_, was := sub.last[r.waitToken]
	if !was && !matchRequest(sub.args.where, r) {
		return
	}
	sub.push(s.queryRequests(sub.id, sub.args))
}

// addSub registers sub: under each of its wait tokens when its filter
// restricts them, else among those every change is offered to. Callers hold
// s.mu.
func (s *store) addSub(sub *subscriber) {
	sub.tokens, sub.indexed = waitTokens(sub.args.where)
	if !sub.indexed {
		s.subs[sub] = struct{}{}
		return
	}
	for _, tok := range sub.tokens {
		set := s.subsByToken[tok]
		if set == nil {
			set = map[*subscriber]struct{}{}
			s.subsByToken[tok] = set
		}
		set[sub] = struct{}{}
	}
}

// removeSub unregisters sub. Callers hold s.mu.
func (s *store) removeSub(sub *subscriber) {
	if !sub.indexed {
		delete(s.subs, sub)
		return
	}
	for _, tok := range sub.tokens {
		delete(s.subsByToken[tok], sub)
		if len(s.subsByToken[tok]) == 0 {
			delete(s.subsByToken, tok)
		}
	}
}

// subscribe registers a paymentRequests subscription and returns the channel
// gqlgen reads its results from: the current result first, then one per
// change. The channel is closed when ctx ends.
func (s *Server) subscribe(ctx context.Context, id identity, a requestArgs) <-chan []*model.PaymentRequest {
	sub := &subscriber{id: id, args: a}
	sub.signal = make(chan struct{}, 1)
	s.store.mu.Lock()
	s.store.addSub(sub)
	sub.push(s.store.queryRequests(id, a))
	s.store.mu.Unlock()
	return pump(s, ctx, &sub.feed, func() {
		s.store.mu.Lock()
		s.store.removeSub(sub)
		s.store.mu.Unlock()
	})
}

// objSub is one live subscription of the merchant role to captures
// (paymentCaptures), releases (transactionReleases) or refunds (refunds): O
// is the store's row, M its model. Like a paymentRequests subscription, it is
// pushed its whole result on subscribe and again at every change of a row
// its filter matches or its last result held.
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
