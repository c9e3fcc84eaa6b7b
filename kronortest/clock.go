package kronortest

import (
	"sync"
	"time"
)

// Clock tells the fake gateway the time. Session expiry, status timestamps and
// automatic approval all read it, so a test that injects a [ManualClock] with
// [WithClock] can expire a session or approve a payment without sleeping.
type Clock interface {
	Now() time.Time
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// ManualClock is a [Clock] that moves only when told to. It is safe for
// concurrent use. A server using it runs due automatic approvals (see
// [WithAutoApprove]) whenever the clock is moved.
type ManualClock struct {
	mu        sync.Mutex
	now       time.Time
	nextID    int
	listeners map[int]func()
}

// NewManualClock returns a ManualClock showing t.
func NewManualClock(t time.Time) *ManualClock {
	return &ManualClock{now: t}
}

// Now returns the clock's current time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t (backwards too).
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
	c.notify()
}

// Advance moves the clock forward by d and returns the new time.
func (c *ManualClock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	c.now = c.now.Add(d)
	now := c.now
	c.mu.Unlock()
	c.notify()
	return now
}

func (c *ManualClock) notify() {
	c.mu.Lock()
	fs := make([]func(), 0, len(c.listeners))
	for _, f := range c.listeners {
		fs = append(fs, f)
	}
	c.mu.Unlock()
	for _, f := range fs {
		f()
	}
}

// onChange registers f to run after every Set and Advance; the returned
// function unregisters it.
func (c *ManualClock) onChange(f func()) (remove func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.listeners == nil {
		c.listeners = map[int]func(){}
	}
	id := c.nextID
	c.nextID++
	c.listeners[id] = f
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		delete(c.listeners, id)
	}
}
