package scalars_test

import (
	"bytes"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/kronor-io/kronor-go/internal/scalars"
)

// FuzzBigInt checks the bigint scalar against an independent reading of the
// same JSON: UnmarshalJSON never panics; whatever it accepts encodes as a JSON
// number and decodes again to the same value; and through encoding/json a JSON
// number, or a JSON string, decodes exactly when strconv.ParseInt accepts its
// text, to the same value. Anything else (null, booleans, objects, fractions,
// exponents, values beyond int64, malformed JSON) is an error.
func FuzzBigInt(f *testing.F) {
	for _, s := range []string{
		`0`, `-0`, `42`, `-7`, `"42"`, `"-7"`, ` 12 `, "\t\"12\"\n",
		`9223372036854775807`, `-9223372036854775808`, `"9223372036854775807"`,
		`9223372036854775808`, `-9223372036854775809`, `"18446744073709551616"`,
		`1.0`, `1e3`, `1E3`, `-0.0`, `"1e3"`, `"0x10"`, `"+5"`, `+5`, `"  5"`, `"5 "`,
		`null`, `"null"`, `true`, `[]`, `{}`, `""`, `"`, `"\u0031\u0032"`, `"\u00312"`,
		`012`, `"012"`, `--1`, `"١٢"`, "\"\xff\"", `99999999999999999999999999999999999999`,
	} {
		f.Add([]byte(s), int64(0))
	}
	for _, n := range []int64{1, -1, 9007199254740993, -9223372036854775808, 9223372036854775807} {
		f.Add([]byte(nil), n)
	}
	f.Fuzz(func(t *testing.T, data []byte, n int64) {
		// Any value encodes as a JSON number and comes back, from a number or a string.
		enc, err := json.Marshal(scalars.BigInt(n))
		if err != nil || string(enc) != strconv.FormatInt(n, 10) {
			t.Fatalf("Marshal(%d) = %s, %v", n, enc, err)
		}
		for _, in := range [][]byte{enc, []byte(strconv.Quote(string(enc)))} {
			var b scalars.BigInt
			if err := json.Unmarshal(in, &b); err != nil || int64(b) != n {
				t.Fatalf("Unmarshal(%s) = %d, %v; want %d", in, b, err, n)
			}
		}
		if got := scalars.BigInt(n).String(); got != strconv.FormatInt(n, 10) {
			t.Fatalf("String() = %q", got)
		}

		// The method itself, on raw bytes: no panic; what it accepts round-trips.
		var direct scalars.BigInt
		if err := direct.UnmarshalJSON(data); err == nil {
			out, err := direct.MarshalJSON()
			if err != nil {
				t.Fatalf("MarshalJSON(%d): %v", direct, err)
			}
			var again scalars.BigInt
			if err := again.UnmarshalJSON(out); err != nil || again != direct {
				t.Fatalf("%q decoded to %d, encoded as %s, decoded again to %d, %v", data, direct, out, again, err)
			}
		}

		// Through encoding/json, against an independent reference.
		var got scalars.BigInt
		gotErr := json.Unmarshal(data, &got)
		want, ok := referenceBigInt(data)
		switch {
		case ok && gotErr != nil:
			t.Fatalf("Unmarshal(%q): %v; want %d", data, gotErr, want)
		case ok && int64(got) != want:
			t.Fatalf("Unmarshal(%q) = %d; want %d", data, got, want)
		case !ok && gotErr == nil:
			t.Fatalf("Unmarshal(%q) = %d; want an error", data, got)
		}
	})
}

// referenceBigInt is what a bigint holding data must decode to: the integer
// of a JSON number or a JSON string, as strconv.ParseInt reads the text.
func referenceBigInt(data []byte) (int64, bool) {
	if !json.Valid(data) {
		return 0, false
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return 0, false
	}
	var text string
	switch x := v.(type) {
	case json.Number:
		text = x.String()
	case string:
		text = x
	default:
		return 0, false
	}
	n, err := strconv.ParseInt(text, 10, 64)
	return n, err == nil
}
