package bounded

import (
	"testing"
	"unsafe"
)

// A full cache forgets everything and keeps the entry added.
func TestCacheForgetsWhenFull(t *testing.T) {
	c := Cache[int, string]{Limit: 2}
	c.Add(1, "a")
	c.Add(2, "b")
	if v, ok := c.Get(2); !ok || v != "b" || c.Len() != 2 {
		t.Fatalf("Get(2) = %q, %v with %d entries", v, ok, c.Len())
	}
	c.Add(3, "c")
	if _, ok := c.Get(1); ok || c.Len() != 1 {
		t.Errorf("after the limit: 1 is still there, or %d entries, want 1", c.Len())
	}
	if v, ok := c.Get(3); !ok || v != "c" {
		t.Errorf("the entry added at the limit: %q, %v", v, ok)
	}
}

// Intern hands out one shared copy of a text, never b itself.
func TestIntern(t *testing.T) {
	c := Cache[string, string]{Limit: 4}
	b := []byte("abcd")
	s := Intern(&c, b)
	b[0] = 'X'
	if s != "abcd" || Intern(&c, []byte("abcd")) != "abcd" {
		t.Fatalf("interned %q: it shares memory with its bytes", s)
	}
	if got := Intern(&c, []byte("abcd")); unsafe.StringData(got) != unsafe.StringData(s) {
		t.Error("a text seen before is a new copy")
	}
	for i := range 10 {
		Intern(&c, []byte{byte('a' + i)})
	}
	if c.Len() > c.Limit {
		t.Errorf("%d texts, limit %d", c.Len(), c.Limit)
	}
}
