package kronortest

import (
	"context"
	"strings"

	"github.com/vektah/gqlparser/v2/gqlerror"
)

// role is the role a token carries.
type role uint8

const (
	roleMerchant role = 1 << iota // the merchant token: merchant-backend
	roleGateway                   // a session token: payment-gateway
)

const roleBoth = roleMerchant | roleGateway

func (r role) String() string {
	switch r {
	case roleMerchant:
		return "merchant"
	case roleGateway:
		return "payment-gateway"
	}
	return "merchant+payment-gateway"
}

// identity is who is calling: the merchant, or one payment session.
type identity struct {
	role role
	sess *session // for roleGateway
}

// scope names the identity for idempotency keys.
func (id identity) scope() string {
	if id.role == roleGateway {
		return sessionScope(id.sess.token)
	}
	return "merchant"
}

func sessionScope(token string) string { return "session:" + token }

type identityKey struct{}

// merchantIdentity is the merchant's identity as a context value, boxed once.
var merchantIdentity any = identity{role: roleMerchant}

func withIdentity(ctx context.Context, id identity) context.Context {
	var v any
	switch {
	case id == identity{role: roleMerchant}:
		v = merchantIdentity
	case id.role == roleGateway && id.sess != nil && id.sess.identity != nil:
		v = id.sess.identity
	default:
		v = id
	}
	return context.WithValue(ctx, identityKey{}, v)
}

func identityFrom(ctx context.Context) (identity, bool) {
	id, ok := ctx.Value(identityKey{}).(identity)
	return id, ok
}

// authError is a refused token, with Hasura's code and message (JWT mode):
// invalid-headers when there is no bearer token, invalid-jwt when there is
// one the gateway does not accept. Hasura answers them with HTTP 200.
type authError struct{ code, msg string }

func (e *authError) Error() string { return e.msg }

// gql is the error as the gateway sends it: extensions.code, and path "$".
func (e *authError) gql() *gqlerror.Error { return gwError(e.code, "$", "%s", e.msg) }

var (
	errNoToken      = &authError{codeInvalidHeaders, "Missing 'Authorization' or 'Cookie' header in JWT authentication mode"}
	errMalformed    = &authError{codeInvalidHeaders, "Malformed Authorization header"}
	errBadToken     = &authError{codeInvalidJWT, "Could not verify JWT: JWSError JWSInvalidSignature"}
	errExpiredToken = &authError{codeInvalidJWT, "Could not verify JWT: JWTExpired"}
)

// bearer extracts the token of an Authorization header value ("Bearer <t>").
func bearer(h string) string {
	h = strings.TrimSpace(h)
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// authenticate maps an Authorization header value to an identity.
func (s *store) authenticate(header string) (identity, error) {
	if strings.TrimSpace(header) == "" {
		return identity{}, errNoToken
	}
	tok := bearer(header)
	if tok == "" {
		return identity{}, errMalformed
	}
	if tok == s.merchantToken {
		return identity{role: roleMerchant}, nil
	}
	s.mu.Lock()
	sess := s.sessions[tok]
	s.mu.Unlock()
	if sess == nil {
		return identity{}, errBadToken
	}
	if s.now().After(sess.expiresAt.Add(sessionTokenGrace)) {
		return identity{}, errExpiredToken
	}
	return identity{role: roleGateway, sess: sess}, nil
}
