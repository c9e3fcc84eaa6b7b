// Package scalars holds the Go types bound to the gateway's custom GraphQL
// scalars that need more than a standard library type.
package scalars

import (
	"bytes"
	"encoding/json"
	"fmt"
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

// String returns b in base 10.
func (b BigInt) String() string { return strconv.FormatInt(int64(b), 10) }
