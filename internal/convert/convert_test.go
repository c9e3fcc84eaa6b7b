package convert

import (
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/client"
)

type entry struct {
	s string
	t time.Time
}

func at(sec int) time.Time { return time.Unix(int64(sec), 0) }

func TestLatest(t *testing.T) {
	get := func(e entry) time.Time { return e.t }
	if _, ok := Latest(nil, get); ok {
		t.Fatal("Latest(nil) reported ok")
	}
	cases := []struct {
		name string
		list []entry
		want string
	}{
		{"one", []entry{{"A", at(1)}}, "A"},
		{"ascending", []entry{{"A", at(1)}, {"B", at(2)}, {"C", at(3)}}, "C"},
		{"descending", []entry{{"C", at(3)}, {"B", at(2)}, {"A", at(1)}}, "C"},
		{"unordered", []entry{{"B", at(2)}, {"C", at(3)}, {"A", at(1)}}, "C"},
		{"tie goes to the later entry", []entry{{"A", at(2)}, {"B", at(2)}}, "B"},
	}
	for _, c := range cases {
		got, ok := Latest(c.list, get)
		if !ok || got.s != c.want {
			t.Errorf("%s: Latest = %q, %v; want %q", c.name, got.s, ok, c.want)
		}
	}
}

func TestParseID(t *testing.T) {
	if n, err := ParseID("releaseId", "42"); err != nil || n != 42 {
		t.Fatalf("ParseID(42) = %d, %v", n, err)
	}
	for _, s := range []string{"", "x1", "1.5", "99999999999999999999"} {
		if _, err := ParseID("releaseId", s); err == nil {
			t.Errorf("ParseID(%q) succeeded", s)
		}
	}
	_, err := ParseID("releaseId", "abc")
	if err == nil || err.Error() != `the gateway returned releaseId "abc", which is not a 64-bit integer` {
		t.Fatalf("error text = %v", err)
	}
}

func TestOptionalHelpers(t *testing.T) {
	if OptString("") != nil || *OptString("a") != "a" {
		t.Error("OptString")
	}
	type E string
	if OptEnum(E("")) != nil || *OptEnum(E("X")) != "X" {
		t.Error("OptEnum")
	}
	if OptInt(0) != nil || *OptInt(7) != 7 {
		t.Error("OptInt")
	}
	if OptBool(false) != nil || !*OptBool(true) {
		t.Error("OptBool")
	}
	if OptBigInt(0) != nil || *OptBigInt(-3) != -3 || *OptBigInt(1 << 40) != 1<<40 {
		t.Error("OptBigInt")
	}
	s, b, tm := "x", true, at(5)
	if Str(nil) != "" || Str(&s) != "x" || Bool(nil) || !Bool(&b) || !Time(nil).IsZero() || !Time(&tm).Equal(tm) {
		t.Error("dereferencing helpers")
	}
	n := int64(9)
	if Int64[int64](nil) != 0 || Int64(&n) != 9 {
		t.Error("Int64")
	}
	if First([]int(nil), func(i int) int { return i }) != nil {
		t.Error("First of empty list is not nil")
	}
	if got := First([]int{3, 4}, func(i int) int { return i * 2 }); got == nil || *got != 6 {
		t.Errorf("First = %v", got)
	}
	if ErrNotFound != client.ErrNotFound || ErrNotFound.Error() != "kronor: not found" {
		t.Errorf("ErrNotFound = %q, want client.ErrNotFound, \"kronor: not found\"", ErrNotFound)
	}
}

func TestIdempotencyKey(t *testing.T) {
	if got := IdempotencyKey("order-42"); got != "order-42" {
		t.Errorf("IdempotencyKey(order-42) = %q, want the caller's key", got)
	}
	a, b := IdempotencyKey(""), IdempotencyKey("")
	if a == "" || a == b {
		t.Errorf("IdempotencyKey(\"\") = %q, then %q: want a new random key each time", a, b)
	}
	if err := client.CheckIdempotencyKey(a); err != nil {
		t.Errorf("the key made is refused: %v", err)
	}
}
