package kronortest

import (
	"container/list"
	"crypto/sha256"
	"encoding/json"
)

// DefaultIdempotencyLimit is how many idempotency keys a server remembers
// unless [WithIdempotencyLimit] says otherwise. Beyond it the least recently
// used key is forgotten, so memory stays bounded; a forgotten key is treated
// as new.
const DefaultIdempotencyLimit = 100_000

// validIdempotencyKey applies the gateway's rule for idempotency keys: 1 to
// 64 characters of A-Z a-z 0-9 and - _ . , [ ] + (the regular expression
// ^[A-Za-z0-9\-_.,\[\]+]{1,64}$, checked byte by byte: every allowed
// character is one byte).
func validIdempotencyKey(key string) bool {
	if len(key) < 1 || len(key) > 64 {
		return false
	}
	for i := 0; i < len(key); i++ {
		switch c := key[i]; {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-', c == '_', c == '.', c == ',', c == '[', c == ']', c == '+':
		default:
			return false
		}
	}
	return true
}

// idemKey scopes an idempotency key to the caller's identity (the merchant, or
// one session) and to the mutation field.
type idemKey struct {
	scope string
	field string
	key   string
}

type idemEntry struct {
	key         idemKey
	fingerprint [16]byte
	result      any
}

// idemCache remembers the results of mutations by idempotency key, least
// recently used first out. It is guarded by the store's mutex.
type idemCache struct {
	limit int
	order *list.List // of *idemEntry, most recent at the front
	byKey map[idemKey]*list.Element
}

func newIdemCache(limit int) *idemCache {
	if limit <= 0 {
		limit = DefaultIdempotencyLimit
	}
	return &idemCache{limit: limit, order: list.New(), byKey: map[idemKey]*list.Element{}}
}

func (c *idemCache) get(k idemKey) *idemEntry {
	el := c.byKey[k]
	if el == nil {
		return nil
	}
	c.order.MoveToFront(el)
	return el.Value.(*idemEntry)
}

func (c *idemCache) put(k idemKey, fp [16]byte, result any) {
	if el := c.byKey[k]; el != nil {
		e := el.Value.(*idemEntry)
		e.fingerprint, e.result = fp, result
		c.order.MoveToFront(el)
		return
	}
	c.byKey[k] = c.order.PushFront(&idemEntry{key: k, fingerprint: fp, result: result})
	for c.order.Len() > c.limit {
		el := c.order.Back()
		c.order.Remove(el)
		delete(c.byKey, el.Value.(*idemEntry).key)
	}
}

// fingerprint identifies a mutation's input: two inputs with the same
// fingerprint are the same request.
func fingerprint(input any) [16]byte {
	b, err := json.Marshal(input)
	if err != nil {
		panic(err) // generated input models always marshal
	}
	sum := sha256.Sum256(b)
	var fp [16]byte
	copy(fp[:], sum[:16])
	return fp
}

// mutate runs one mutation idempotently, atomically under the store's mutex:
// the first call with a key runs apply and remembers its result; a later call
// with the same key and the same input answers that result without running
// apply again; the same key with another input is an error. Failed calls are
// not remembered: nothing was stored, so a retry is evaluated afresh.
func mutate[T any](s *store, id identity, field, arg, key string, input any, apply func() (T, error)) (T, error) {
	var zero T
	if !validIdempotencyKey(key) {
		return zero, gwError(codeValidationFailed, argPath(field, arg, "idempotencyKey"),
			"invalid value for idempotencyKey: 1 to 64 characters of A-Z a-z 0-9 and - _ . , [ ] +")
	}
	fp := fingerprint(input)
	k := idemKey{scope: id.scope(), field: field, key: key}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.idem.get(k); e != nil {
		if e.fingerprint != fp {
			return zero, gwError(codeIdempotencyConflict, argPath(field, arg, "idempotencyKey"),
				"idempotencyKey %q was already used with a different input", key)
		}
		return e.result.(T), nil
	}
	res, err := apply()
	if err != nil {
		return zero, err
	}
	s.idem.put(k, fp, res)
	return res, nil
}
