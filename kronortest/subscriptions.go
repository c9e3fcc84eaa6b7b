package kronortest

import (
	"context"
	"sync"

	"github.com/kronor-io/kronor-go/kronortest/internal/graph/model"
)

// subscriber is one live paymentRequests subscription. Every change it can see
// is queued as a whole new result, in order; a goroutine feeds the queue to
// gqlgen, so a slow client never blocks the store and never loses a status.
type subscriber struct {
	id   identity
	args requestArgs
	last map[string]struct{} // waitTokens of the last result queued
	// tokens are the wait tokens the filter restricts the subscription
	// to, when indexed (see waitTokens): it is registered under each.
	tokens  []string
	indexed bool

	mu     sync.Mutex
	queue  [][]*model.PaymentRequest
	signal chan struct{}
}

func (sub *subscriber) push(res []*model.PaymentRequest) {
	sub.last = make(map[string]struct{}, len(res))
	for _, r := range res {
		sub.last[r.WaitToken] = struct{}{}
	}
	sub.mu.Lock()
	sub.queue = append(sub.queue, res)
	sub.mu.Unlock()
	select {
	case sub.signal <- struct{}{}:
	default:
	}
}

func (sub *subscriber) take() [][]*model.PaymentRequest {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	q := sub.queue
	sub.queue = nil
	return q
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

// subscribe registers a subscription and returns the channel gqlgen reads its
// results from: the current result first, then one per change. The channel is
// closed when ctx ends.
func (s *Server) subscribe(ctx context.Context, id identity, a requestArgs) <-chan []*model.PaymentRequest {
	sub := &subscriber{id: id, args: a, signal: make(chan struct{}, 1)}
	out := make(chan []*model.PaymentRequest)
	s.store.mu.Lock()
	s.store.addSub(sub)
	sub.push(s.store.queryRequests(id, a))
	s.store.mu.Unlock()
	s.live.add(0, 1)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer s.live.add(0, -1)
		defer close(out)
		defer func() {
			s.store.mu.Lock()
			s.store.removeSub(sub)
			s.store.mu.Unlock()
		}()
		for {
			for _, res := range sub.take() {
				select {
				case out <- res:
				case <-ctx.Done():
					return
				case <-s.done:
					return
				}
			}
			select {
			case <-sub.signal:
			case <-ctx.Done():
				return
			case <-s.done:
				return
			}
		}
	}()
	return out
}
