// Package scalars holds the Go types bound to the gateway's custom GraphQL
// scalars that need more than a standard library type.
package scalars

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
)

// BigInt is the gateway's bigint scalar: a signed 64-bit integer. Hasura sends it
// as a JSON number, or as a JSON string when it stringifies numeric types (and
// Kronor's own iOS SDK treats it as a string), so BigInt decodes both. It always
// encodes as a JSON number.
type BigInt int64

// MarshalJSON encodes b as a JSON number.
func (b BigInt) MarshalJSON() ([]byte, error) {
	return strconv.AppendInt(nil, int64(b), 10), nil
}

// UnmarshalJSON decodes a JSON number or a JSON string holding a base-10 integer.
// A fraction, an exponent, or a value outside the int64 range is an error.
func (b *BigInt) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return fmt.Errorf("bigint: %w", err)
		}
		data = []byte(s)
	}
	if bytes.Equal(data, []byte("null")) {
		return fmt.Errorf("bigint: null is not an integer")
	}
	n, err := strconv.ParseInt(string(data), 10, 64)
	if err != nil {
		return fmt.Errorf("bigint: %q is not a 64-bit integer", data)
	}
	*b = BigInt(n)
	return nil
}

// MarshalGQL writes b as a JSON number. With UnmarshalGQL it lets the fake
// gateway (kronortest, through gqlgen) serve the same type the client decodes,
// so the two agree on what a bigint is.
func (b BigInt) MarshalGQL(w io.Writer) {
	_, _ = io.WriteString(w, strconv.FormatInt(int64(b), 10))
}

// UnmarshalGQL reads a bigint from a query literal or a decoded JSON variable:
// a number, or a string holding a base-10 integer, as Hasura accepts.
func (b *BigInt) UnmarshalGQL(v any) error {
	switch x := v.(type) {
	case json.Number:
		return b.parseGQL(string(x))
	case string:
		return b.parseGQL(x)
	case int:
		*b = BigInt(x)
	case int32:
		*b = BigInt(x)
	case int64:
		*b = BigInt(x)
	case float64:
		if x != math.Trunc(x) || x < math.MinInt64 || x >= math.MaxInt64 {
			return fmt.Errorf("expected a 64-bit integer for type 'bigint', but found %v", x)
		}
		*b = BigInt(x)
	default:
		return fmt.Errorf("expected a 64-bit integer for type 'bigint', but found %T", v)
	}
	return nil
}

func (b *BigInt) parseGQL(s string) error {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("expected a 64-bit integer for type 'bigint', but found %q", s)
	}
	*b = BigInt(n)
	return nil
}

// String returns b in base 10.
func (b BigInt) String() string { return strconv.FormatInt(int64(b), 10) }
