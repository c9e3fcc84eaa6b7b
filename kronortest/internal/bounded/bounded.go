// Package bounded is the fake gateway's cache: a map, safe for concurrent
// use, that forgets everything when it holds its limit of entries. The
// fake's caches are keyed by what clients send (query texts, parsed
// documents' selection sets), so each must stay bounded whatever they send;
// forgetting all at once costs a few misses and needs no bookkeeping per
// entry.
package bounded

import "sync"

// Cache maps K to V, holding at most Limit entries. The zero value, with
// Limit set, is ready to use; Limit must not change once it is in use.
type Cache[K comparable, V any] struct {
	// Limit is the most entries the cache holds: adding one more forgets
	// all the others.
	Limit int

	mu sync.RWMutex
	m  map[K]V
}

// Get returns the value cached for k, if any.
func (c *Cache[K, V]) Get(k K) (V, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	v, ok := c.m[k]
	return v, ok
}

// Add caches v for k.
func (c *Cache[K, V]) Add(k K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.addLocked(k, v)
}

func (c *Cache[K, V]) addLocked(k K, v V) {
	if c.m == nil || len(c.m) >= c.Limit {
		c.m = make(map[K]V)
	}
	c.m[k] = v
}

// Len returns the number of entries cached.
func (c *Cache[K, V]) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}

// Intern returns a string equal to b: the one c holds, or a new copy, which
// c then holds. It looks b up without copying it, so that a text seen
// before costs no allocation.
func Intern(c *Cache[string, string], b []byte) string {
	c.mu.RLock()
	s, ok := c.m[string(b)] // the compiler does not copy b for the lookup
	c.mu.RUnlock()
	if ok {
		return s
	}
	s = string(b)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.addLocked(s, s)
	return s
}
