package client

import (
	"strconv"

	"github.com/google/uuid"
)

// IdempotencyNamespace is the UUID namespace of [DeriveIdempotencyKey]. It is
// fixed forever: changing it would change every derived key, and a service
// retrying after an upgrade would no longer reuse its keys.
const IdempotencyNamespace = "62d240fe-aa44-4129-8a01-f47a45a3f438"

var idempotencyNamespace = uuid.MustParse(IdempotencyNamespace)

// MaxIdempotencyKeyLength is the gateway's limit on an idempotency key.
const MaxIdempotencyKeyLength = 64

// NewIdempotencyKey returns a new random idempotency key (a version 4 UUID).
// Make one per logical operation, keep it, and reuse it for every retry of
// that operation; a new key asks the gateway for a new operation.
func NewIdempotencyKey() string { return uuid.NewString() }

// DeriveIdempotencyKey returns a key computed from parts, such as the
// operation and the merchant's own references: the same parts always give
// the same key (a version 5 UUID in the [IdempotencyNamespace]), so a service
// that crashes and retries the same refund for the same order sends the same
// key and the gateway does not refund twice. Include everything that makes
// the operation distinct, e.g. DeriveIdempotencyKey("refund", orderID, "1")
// for an order's first refund. Parts are length-prefixed before hashing, so
// ("ab", "c") and ("a", "bc") give different keys.
//
// A reused key returns the original result only when the rerun sends the
// same parameters byte for byte: every field of the mutation's input,
// amounts, ids, messages, references and times included. A rerun that
// computes a parameter afresh (an expiry from the clock, a message from
// data that changed) gets [ErrIdempotencyConflict]: store such values with
// the order, or let the SDK choose a fresh key where a rerun is safe without
// one (sessions.CreateWithReferenceCheck, a payment start in the same
// session).
func DeriveIdempotencyKey(parts ...string) string {
	n := 0
	for _, p := range parts {
		n += len(p) + 21
	}
	data := make([]byte, 0, n)
	for _, p := range parts {
		data = strconv.AppendInt(data, int64(len(p)), 10)
		data = append(data, ':')
		data = append(data, p...)
	}
	return uuid.NewSHA1(idempotencyNamespace, data).String()
}

// idempotencyKeyRule is the gateway's rule for idempotency keys.
const idempotencyKeyRule = "must be 1 to 64 characters of A-Za-z0-9-_.,[]+"

// keyError is the error of CheckIdempotencyKey; its text is the rule.
type keyError struct{ detail string }

func (e *keyError) Error() string        { return idempotencyKeyRule + " (" + e.detail + ")" }
func (e *keyError) Is(target error) bool { return target == ErrInvalidInput }

// CheckIdempotencyKey returns nil if key is acceptable to the gateway:
// 1 to 64 characters of A-Za-z0-9-_.,[]+. Otherwise the error's text states
// that rule and what is wrong, and errors.Is(err, ErrInvalidInput) is true.
// Keys made by [NewIdempotencyKey] and [DeriveIdempotencyKey] always pass.
func CheckIdempotencyKey(key string) error {
	if key == "" {
		return &keyError{"is empty"}
	}
	if len(key) > MaxIdempotencyKeyLength {
		return &keyError{"has " + strconv.Itoa(len(key)) + " bytes"}
	}
	for i := 0; i < len(key); i++ {
		if !keyByte(key[i]) {
			return &keyError{"has " + strconv.QuoteRuneToASCII(rune(key[i])) + " at byte " + strconv.Itoa(i)}
		}
	}
	return nil
}

func keyByte(b byte) bool {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		return true
	}
	switch b {
	case '-', '_', '.', ',', '[', ']', '+':
		return true
	}
	return false
}
