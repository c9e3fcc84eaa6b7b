package scalars_test

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/kronor-io/kronor-go/internal/scalars"
)

func TestBigIntDecodes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
	}{
		{`0`, 0},
		{`42`, 42},
		{`-7`, -7},
		{`"42"`, 42},
		{`"-7"`, -7},
		{` 12 `, 12},
		{`9007199254740993`, 9007199254740993}, // beyond float64's exact range
		{`"9223372036854775807"`, math.MaxInt64},
		{`-9223372036854775808`, math.MinInt64},
	} {
		var b scalars.BigInt
		if err := json.Unmarshal([]byte(tc.in), &b); err != nil {
			t.Errorf("Unmarshal(%s): %v", tc.in, err)
			continue
		}
		if int64(b) != tc.want {
			t.Errorf("Unmarshal(%s) = %d, want %d", tc.in, b, tc.want)
		}
	}
}

func TestBigIntRejects(t *testing.T) {
	for _, in := range []string{
		`1.5`, `1e3`, `"1.5"`, `""`, `"abc"`, `"12 "`, `true`, `{}`, `[]`,
		`9223372036854775808`, `"-9223372036854775809"`,
	} {
		var b scalars.BigInt
		if err := json.Unmarshal([]byte(in), &b); err == nil {
			t.Errorf("Unmarshal(%s) = %d, want an error", in, b)
		}
	}
	// null is not an integer: a non-null bigint field receiving null is an
	// error (a nullable one is a *BigInt and decodes to nil, tested below).
	b := scalars.BigInt(5)
	if err := json.Unmarshal([]byte(`null`), &b); err == nil {
		t.Errorf("Unmarshal(null) = %d, want an error", b)
	}
}

func TestBigIntEncodesAsNumber(t *testing.T) {
	for _, v := range []int64{0, 1, -1, 9007199254740993, math.MaxInt64, math.MinInt64} {
		out, err := json.Marshal(scalars.BigInt(v))
		if err != nil {
			t.Fatal(err)
		}
		if want := strconv.FormatInt(v, 10); string(out) != want {
			t.Errorf("Marshal(%d) = %s, want %s", v, out, want)
		}
		if scalars.BigInt(v).String() != strconv.FormatInt(v, 10) {
			t.Errorf("String(%d) = %s", v, scalars.BigInt(v))
		}
	}
	type wrap struct {
		ID  scalars.BigInt  `json:"id"`
		Opt *scalars.BigInt `json:"opt,omitempty"`
	}
	out, _ := json.Marshal(wrap{ID: 3})
	if string(out) != `{"id":3}` {
		t.Errorf("Marshal(wrap) = %s", out)
	}
	var w wrap
	if err := json.Unmarshal([]byte(`{"id":"8","opt":"9"}`), &w); err != nil || w.ID != 8 || w.Opt == nil || *w.Opt != 9 {
		t.Errorf("round trip: %+v, %v", w, err)
	}
	w = wrap{}
	if err := json.Unmarshal([]byte(`{"id":1,"opt":null}`), &w); err != nil || w.Opt != nil {
		t.Errorf("null optional: %+v, %v", w, err)
	}
}

func TestBigIntGQL(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want scalars.BigInt
		ok   bool
	}{
		{json.Number("9007199254740993"), 9007199254740993, true},
		{"-42", -42, true},
		{int(7), 7, true},
		{int32(8), 8, true},
		{int64(9), 9, true},
		{float64(12), 12, true},
		{float64(1.5), 0, false},
		{"1e3", 0, false},
		{true, 0, false},
	} {
		var b scalars.BigInt
		err := b.UnmarshalGQL(tc.in)
		if (err == nil) != tc.ok || (tc.ok && b != tc.want) {
			t.Errorf("UnmarshalGQL(%#v) = %d, %v; want %d, ok %v", tc.in, b, err, tc.want, tc.ok)
		}
	}
	var sb strings.Builder
	scalars.BigInt(-9007199254740993).MarshalGQL(&sb)
	if sb.String() != "-9007199254740993" {
		t.Errorf("MarshalGQL wrote %q", sb.String())
	}
}
