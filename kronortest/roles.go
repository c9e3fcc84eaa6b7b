package kronortest

import (
	"context"
	"github.com/kronor-io/kronor-go/kronortest/internal/bounded"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Which role may select which field. schema.graphql holds both roles' fields
// in one schema; the real gateway serves each role its own schema, so a field
// of the other role's is "not found" there. role_test.go proves this matrix
// against Kronor's published role schemas for every field of schema.graphql.

// typeRoles gives the roles of every field of a type that only one role can
// reach at all.
var typeRoles = map[string]role{
	// Merchant-only roots lead here.
	"Payment":                                roleMerchant,
	"PaymentCapture":                         roleMerchant,
	"Refund":                                 roleMerchant,
	"TransactionRelease":                     roleMerchant,
	"CurrentCaptureStatus":                   roleMerchant,
	"CurrentRefundStatus":                    roleMerchant,
	"CurrentTransactionReleaseStatus":        roleMerchant,
	"PaymentSessionResult":                   roleMerchant,
	"PaymentSessionWithReferenceCheckResult": roleMerchant,
	"PaymentCaptureResult":                   roleMerchant,
	"ReleasePaymentResult":                   roleMerchant,
	"RefundPaymentResult":                    roleMerchant,
	// Gateway-only roots lead here.
	"SwishPaymentResult":        roleGateway,
	"CreditCardPaymentResult":   roleGateway,
	"MobilePayPaymentResult":    roleGateway,
	"VippsPaymentResult":        roleGateway,
	"P24PaymentResult":          roleGateway,
	"BankTransferPaymentResult": roleGateway,
	"PayPalPaymentResult":       roleGateway,
	"PaymentSession":            roleGateway,
	"PaymentCancelResult":       roleGateway,
	"SwishPaymentCancelResult":  roleGateway,
	// Kronor's mobile SDKs' gateway-only roots lead here (mobile.go).
	"GooglePayPaymentResult":            roleGateway,
	"ApplePayPaymentResult":             roleGateway,
	"AddSessionDeviceInformationResult": roleGateway,
	"RefreshPaymentStatusResult":        roleGateway,
}

// fieldRoles gives the roles of single fields, overriding typeRoles; fields
// in neither map are open to both roles.
var fieldRoles = map[string]role{
	"query_root.payments":            roleMerchant,
	"query_root.paymentSessions":     roleGateway,
	"query_root.paymentCaptures":     roleMerchant,
	"query_root.refunds":             roleMerchant,
	"query_root.transactionReleases": roleMerchant,

	"subscription_root.paymentCaptures":     roleMerchant,
	"subscription_root.refunds":             roleMerchant,
	"subscription_root.transactionReleases": roleMerchant,

	"mutation_root.newPaymentSession":                   roleMerchant,
	"mutation_root.newPaymentSessionWithReferenceCheck": roleMerchant,
	"mutation_root.newPaymentCapture":                   roleMerchant,
	"mutation_root.releasePayment":                      roleMerchant,
	"mutation_root.refundPayment":                       roleMerchant,
	// These exist for the merchant too, with other input types: with the
	// merchant token the payment-gateway input fails validation.
	"mutation_root.newSwishPayment":        roleGateway,
	"mutation_root.newCreditCardPayment":   roleGateway,
	"mutation_root.newMobilePayPayment":    roleGateway,
	"mutation_root.newVippsPayment":        roleGateway,
	"mutation_root.newP24Payment":          roleGateway,
	"mutation_root.newBankTransferPayment": roleGateway,
	"mutation_root.newPayPalPayment":       roleGateway,
	"mutation_root.cancelPayment":          roleGateway,
	"mutation_root.cancelSwishPayment":     roleGateway,

	"mutation_root.newGooglePayPayment":         roleGateway,
	"mutation_root.newApplePayPayment":          roleGateway,
	"mutation_root.addSessionDeviceInformation": roleGateway,
	"mutation_root.refreshPaymentStatus":        roleGateway,

	"PaymentRequest.merchantReference2": roleMerchant,

	"CreditCardDetails.cardCountry":        roleMerchant,
	"CreditCardDetails.cardExpiryDate":     roleMerchant,
	"CreditCardDetails.cardNumber":         roleMerchant,
	"CreditCardDetails.cardType":           roleMerchant,
	"CreditCardDetails.errorMessage":       roleMerchant,
	"CreditCardDetails.threeDSecureStatus": roleMerchant,
	"CreditCardDetails.sessionId":          roleGateway,
	"CreditCardDetails.sessionUrl":         roleGateway,

	"SwishDetails.qrCode":    roleGateway,
	"SwishDetails.amount":    roleGateway,
	"SwishDetails.returnUrl": roleGateway,

	"FinsharkDetails.paymentFlowsUrl": roleGateway,

	"MobilePayDetails.cardNumber": roleMerchant,
	"MobilePayDetails.cardType":   roleMerchant,
	"MobilePayDetails.sessionUrl": roleGateway,
	"MobilePayDetails.sessionId":  roleGateway,

	"VippsDetails.cardNumber": roleMerchant,
	"VippsDetails.cardType":   roleMerchant,
	"VippsDetails.sessionUrl": roleGateway,
	"VippsDetails.sessionId":  roleGateway,

	"P24Details.errorMessage": roleMerchant,
	"P24Details.p24Statement": roleMerchant,
	"P24Details.verified":     roleMerchant,
	"P24Details.sessionUrl":   roleGateway,

	"PayPalDetails.payerCountryCode": roleMerchant,
	"PayPalDetails.payerGivenName":   roleMerchant,
	"PayPalDetails.payerSurname":     roleMerchant,
	"PayPalDetails.paymentUrl":       roleGateway,
	"PayPalDetails.orderId":          roleGateway,
}

// fieldAllowed reports whether role r may select typ.field.
func fieldAllowed(r role, typ, field string) bool {
	if strings.HasPrefix(field, "__") {
		return true // __typename; introspection
	}
	if fr, ok := fieldRoles[typ+"."+field]; ok {
		return fr&r != 0
	}
	if tr, ok := typeRoles[typ]; ok {
		return tr&r != 0
	}
	return true
}

// roleChecker refuses, before gqlgen validates an operation, every field the
// caller's role does not have, the way Hasura refuses a field its role schema
// lacks. Results are cached per query text and role. Since it parses the
// query first, it also applies the size and depth limits of limits.go
// (checkLimits, cached with the result; the variables' depth on every
// request).
type roleChecker struct {
	schema *ast.Schema
	cache  bounded.Cache[roleCacheKey, *gqlerror.Error]
	docs   bounded.Cache[string, *ast.QueryDocument] // see document
}

func newRoleChecker(schema *ast.Schema) *roleChecker {
	c := &roleChecker{schema: schema}
	c.cache.Limit, c.docs.Limit = roleCacheLimit, roleCacheLimit
	return c
}

type roleCacheKey struct {
	query, op string
	role      role
}

// roleCacheLimit bounds the cached results (role checks, parsed documents);
// roleCacheMaxQuery keeps large query texts (a query under the token limit can
// still be padded to the body limit with whitespace) out of the caches, so
// each holds at most about roleCacheLimit*roleCacheMaxQuery bytes of query
// text (64 MiB).
const (
	roleCacheLimit    = 4096
	roleCacheMaxQuery = 16 << 10
)

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = (*roleChecker)(nil)

func (c *roleChecker) ExtensionName() string { return "KronortestRoles" }

func (c *roleChecker) Validate(graphql.ExecutableSchema) error { return nil }

func (c *roleChecker) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	id, ok := identityFrom(ctx)
	if !ok {
		return errNoToken.gql()
	}
	if err := checkVariablesDepth(p.Variables); err != nil {
		return err
	}
	k := roleCacheKey{query: p.Query, op: p.OperationName, role: id.role}
	if err, hit := c.cache.Get(k); hit {
		return err
	}
	err := c.check(p.Query, p.OperationName, id.role)
	if len(p.Query) <= roleCacheMaxQuery {
		c.cache.Add(k, err)
	}
	return err
}

// check refuses a document beyond the limits of limits.go, then walks the
// operation's selections; it leaves every other error than these and a field
// the role lacks to gqlgen's validation (a parse error included).
func (c *roleChecker) check(query, opName string, r role) *gqlerror.Error {
	doc := c.document(query)
	if doc == nil {
		return nil
	}
	if err := checkLimits(doc); err != nil {
		return err
	}
	op := selectOperation(doc, opName)
	if op == nil {
		return nil
	}
	var root *ast.Definition
	switch op.Operation {
	case ast.Query:
		root = c.schema.Query
	case ast.Mutation:
		root = c.schema.Mutation
	case ast.Subscription:
		root = c.schema.Subscription
	}
	if root == nil {
		return nil
	}
	w := &roleWalk{schema: c.schema, doc: doc, role: r, inFragment: map[string]bool{}}
	return w.selections(op.SelectionSet, root.Name, "$")
}

type roleWalk struct {
	schema     *ast.Schema
	doc        *ast.QueryDocument
	role       role
	inFragment map[string]bool
}

func (w *roleWalk) selections(set ast.SelectionSet, typ, path string) *gqlerror.Error {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if strings.HasPrefix(s.Name, "__") {
				continue
			}
			def := w.schema.Types[typ]
			if def == nil {
				return nil
			}
			fd := def.Fields.ForName(s.Name)
			p := path + ".selectionSet." + s.Name
			if fd == nil || !fieldAllowed(w.role, typ, s.Name) {
				return gwError(codeValidationFailed, p, "field '%s' not found in type: '%s'", s.Name, typ)
			}
			if len(s.SelectionSet) > 0 {
				if err := w.selections(s.SelectionSet, fd.Type.Name(), p); err != nil {
					return err
				}
			}
		case *ast.InlineFragment:
			t := typ
			if s.TypeCondition != "" {
				t = s.TypeCondition
			}
			if err := w.selections(s.SelectionSet, t, path); err != nil {
				return err
			}
		case *ast.FragmentSpread:
			f := w.doc.Fragments.ForName(s.Name)
			if f == nil || w.inFragment[s.Name] {
				continue
			}
			w.inFragment[s.Name] = true
			err := w.selections(f.SelectionSet, f.TypeCondition, path)
			delete(w.inFragment, s.Name)
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// document parses query within maxQueryTokens, once per query text short
// enough to cache (the role check, the variables check and the faults'
// operation kind share it); nil when it does not parse. The document is
// shared: its readers do not change it.
func (c *roleChecker) document(query string) *ast.QueryDocument {
	cacheable := len(query) <= roleCacheMaxQuery
	if cacheable {
		if doc, ok := c.docs.Get(query); ok {
			return doc
		}
	}
	doc, err := parseQuery(query)
	if err != nil {
		doc = nil
	}
	if cacheable {
		c.docs.Add(query, doc)
	}
	return doc
}

// selectOperation returns the operation of doc a request runs: the one named
// opName, or the only one; nil when there is no such operation.
func selectOperation(doc *ast.QueryDocument, opName string) *ast.OperationDefinition {
	switch {
	case opName != "":
		return doc.Operations.ForName(opName)
	case len(doc.Operations) == 1:
		return doc.Operations[0]
	}
	return nil
}

// opKind returns which kind of operation a request runs, "" when it cannot
// tell, for faults that apply to mutations only.
func (c *roleChecker) opKind(query, opName string) ast.Operation {
	if op := c.operation(query, opName); op != nil {
		return op.Operation
	}
	return ""
}
