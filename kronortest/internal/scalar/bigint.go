// Package scalar holds the Go types the fake gateway binds to the schema's
// custom scalars.
package scalar

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
)

// BigInt is the gateway's bigint scalar, a signed 64-bit integer. As an input it
// accepts a JSON number or a JSON string holding a base-10 integer (Hasura sends
// and accepts both); as an output it is always a JSON number.
type BigInt int64

// MarshalGQL writes b as a JSON number.
func (b BigInt) MarshalGQL(w io.Writer) {
	_, _ = io.WriteString(w, strconv.FormatInt(int64(b), 10))
}

// UnmarshalGQL reads a bigint from a query literal or a decoded JSON variable.
func (b *BigInt) UnmarshalGQL(v any) error {
	switch x := v.(type) {
	case json.Number:
		return b.parse(string(x))
	case string:
		return b.parse(x)
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

func (b *BigInt) parse(s string) error {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("expected a 64-bit integer for type 'bigint', but found %q", s)
	}
	*b = BigInt(n)
	return nil
}
