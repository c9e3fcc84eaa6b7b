package subscriptions

import "github.com/kronor-io/kronor-go/internal/api"

// The subscription messages' data, decoded in one pass.
//
// genqlient decodes a type that spreads a fragment in several passes: its
// UnmarshalJSON decodes the object once for its own fields and once more for
// each fragment, and every json.Unmarshal first validates its whole input.
// A WatchPaymentRequest row went so through encoding/json about ten times,
// on the hasura client's read loop, which handles one message at a time: when
// thousands of waits end together, that was most of the watcher's work. The
// wire types below embed the fragments' generated types without a json tag
// (none of them has an UnmarshalJSON of its own), so encoding/json promotes
// their fields and reads a message once, into the same generated types the
// HTTP reads produce. wire_test.go checks that each wire type has exactly the
// JSON fields of the generated response type it stands for, with the same
// types, and decodes every message as that type does.
//
// A wire type of a new subscription document follows the same pattern: the
// response's list field, and an element that embeds the element's fragments
// untagged beside its own fields.

// wirePaymentRequests stands for api.WatchPaymentRequestResponse.
type wirePaymentRequests struct {
	PaymentRequests []wirePaymentRequest `json:"paymentRequests"`
}

type wirePaymentRequest struct {
	api.PaymentRequestCore
	StatusHistory []api.WatchedPaymentRequestStatusHistoryCurrentPaymentStatus `json:"statusHistory"`
}

// wireSessionPaymentRequests stands for
// api.WatchSessionPaymentRequestResponse.
type wireSessionPaymentRequests struct {
	PaymentRequests []wireSessionPaymentRequest `json:"paymentRequests"`
}

type wireSessionPaymentRequest struct {
	api.PaymentRequestCore
	// The fields of api.SessionPaymentRequest besides its fragment.
	Message                        string                                                    `json:"message"`
	TransactionCreditCardDetails   []api.SessionPaymentRequestTransactionCreditCardDetails   `json:"transactionCreditCardDetails"`
	TransactionMobilePayDetails    []api.SessionPaymentRequestTransactionMobilePayDetails    `json:"transactionMobilePayDetails"`
	TransactionVippsDetails        []api.SessionPaymentRequestTransactionVippsDetails        `json:"transactionVippsDetails"`
	TransactionP24Details          []api.SessionPaymentRequestTransactionP24Details          `json:"transactionP24Details"`
	TransactionPayPalDetails       []api.SessionPaymentRequestTransactionPayPalDetails       `json:"transactionPayPalDetails"`
	TransactionSwishDetails        []api.SessionPaymentRequestTransactionSwishDetails        `json:"transactionSwishDetails"`
	TransactionBankTransferDetails []api.SessionPaymentRequestTransactionBankTransferDetails `json:"transactionBankTransferDetails"`

	StatusHistory []api.WatchedSessionPaymentRequestStatusHistoryCurrentPaymentStatus `json:"statusHistory"`
}

// session returns the row's api.SessionPaymentRequest.
func (w *wireSessionPaymentRequest) session() api.SessionPaymentRequest {
	return api.SessionPaymentRequest{
		PaymentRequestCore:             w.PaymentRequestCore,
		Message:                        w.Message,
		TransactionCreditCardDetails:   w.TransactionCreditCardDetails,
		TransactionMobilePayDetails:    w.TransactionMobilePayDetails,
		TransactionVippsDetails:        w.TransactionVippsDetails,
		TransactionP24Details:          w.TransactionP24Details,
		TransactionPayPalDetails:       w.TransactionPayPalDetails,
		TransactionSwishDetails:        w.TransactionSwishDetails,
		TransactionBankTransferDetails: w.TransactionBankTransferDetails,
	}
}

// wireCaptures stands for api.WatchCaptureResponse.
type wireCaptures struct {
	PaymentCaptures []wireCapture `json:"paymentCaptures"`
}

type wireCapture struct {
	api.CaptureFields
	StatusHistory []api.WatchedCaptureStatusHistoryCurrentCaptureStatus `json:"statusHistory"`
}

// wireReleases stands for api.WatchReleaseResponse, whose rows are the
// ReleaseFields fragment alone.
type wireReleases struct {
	TransactionReleases []api.ReleaseFields `json:"transactionReleases"`
}

// wireRefunds stands for api.WatchRefundResponse.
type wireRefunds struct {
	Refunds []wireRefund `json:"refunds"`
}

type wireRefund struct {
	api.RefundFields
	StatusHistory []api.WatchedRefundStatusHistoryCurrentRefundStatus `json:"statusHistory"`
}
