package payments

import (
	"context"
	"errors"
	"testing"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/validate/validatetest"
)

func TestRequestFromTheWire(t *testing.T) {
	c := validatetest.NewRecorder(t, `{"data":{"paymentRequests":[{"waitToken":"6f1c1f4e-3d7e-4a4e-9a1a-2b5c8d0e1f22","amount":"10000",
		"currency":"SEK","createdAt":"2026-03-01T10:00:00Z","reference":"order-1","message":"Order 1","paymentProvider":"CREDIT_CARD",
		"resultingPaymentId":"99","transactionId":"tx","status":[
		{"status":"AUTHORIZED","enteredAt":"2026-03-01T10:03:00Z"},
		{"status":"WAITING_FOR_PAYMENT","enteredAt":"2026-03-01T10:01:00Z"}],
		"transactionCreditCardDetails":[{"sessionUrl":"https://pay.example/card"}],
		"transactionMobilePayDetails":[],"transactionVippsDetails":null,"transactionP24Details":[],
		"transactionPayPalDetails":[],"transactionSwishDetails":[],"transactionBankTransferDetails":[]}]}}`).Session(t)
	r, err := Latest(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if r.Amount != 10000 || r.ResultingPaymentID != 99 || r.Method != MethodCreditCard || r.Status != StatusAuthorized ||
		r.PaymentURL != "https://pay.example/card" || r.StatusEnteredAt.Format("15:04") != "10:03" {
		t.Fatalf("request = %+v", r)
	}
}

func TestPaymentFromTheWire(t *testing.T) {
	c := validatetest.NewRecorder(t, `{"data":{"payments":[{"id":99,"transactionId":"tx","amountAuthorized":null,"amountPaid":"5000",
		"currency":"SEK","currentStatus":"PAID","createdAt":"2026-03-01T10:00:00Z","merchantReference":"order-1",
		"merchantReference2":null,"paymentMethod":"SWISH","paymentRefundStatus":"PARTIALLY_REFUNDED",
		"status":[{"status":"PAID","enteredAt":"2026-03-01T10:03:00Z"}],
		"refunds":[{"waitToken":"6f1c1f4e-3d7e-4a4e-9a1a-2b5c8d0e1f22","transactionId":"rt","paymentId":99,"totalAmount":1000,
			"message":"Refund","createdAt":"2026-03-02T10:00:00Z","errorMessage":null,"status":[
			{"status":"WAITING_FOR_REFUND","enteredAt":"2026-03-02T10:01:00Z"},
			{"status":"INITIALIZING","enteredAt":"2026-03-02T10:00:00Z"}]}],
		"transactionCreditCardDetails":[],"transactionSwishDetails":[{"customerSwishNumber":"46701234567","bankPaymentReference":"B1",
			"dateCreated":"2026-03-01T10:00:00Z","datePaid":"2026-03-01T10:03:00Z","errorCode":null,"errorMessage":null}],
		"transactionMobilePayDetails":[],"transactionVippsDetails":[],"transactionP24Details":[],"transactionPayPalDetails":[]}]}}`).Client(t)
	p, err := Get(context.Background(), c, 99)
	if err != nil {
		t.Fatal(err)
	}
	if p.AmountAuthorized != 0 || p.AmountPaid != 5000 || p.RefundStatus != RefundStatusPartially || p.Card != nil ||
		p.Swish == nil || p.Swish.CustomerSwishNumber != "46701234567" || p.Swish.Paid.IsZero() {
		t.Fatalf("payment = %+v", p)
	}
	if len(p.Refunds) != 1 || p.Refunds[0].Amount != 1000 || p.Refunds[0].Status != "WAITING_FOR_REFUND" {
		t.Fatalf("refunds = %+v", p.Refunds)
	}
}

// TestStartedWhenTheDeviceIsRefused: the payment started, the device part
// of the same request failed: the start returns the payment and an error
// matching ErrDeviceNotRecorded, which keeps the gateway's error.
func TestStartedWhenTheDeviceIsRefused(t *testing.T) {
	c := validatetest.NewRecorder(t, `{"data":{"newSwishPayment":{"waitToken":"6f1c1f4e-3d7e-4a4e-9a1a-2b5c8d0e1f22"},
		"addSessionDeviceInformation":null},"errors":[{"message":"device rejected","path":["addSessionDeviceInformation"],
		"extensions":{"code":"validation-failed"}}]}`).Session(t)
	st, err := Swish(context.Background(), c, SwishParams{Redirect: Redirect{ReturnURL: "https://shop.example/r"}, Device: &Device{UserAgent: "ua"}})
	if st == nil || st.WaitToken != "6f1c1f4e-3d7e-4a4e-9a1a-2b5c8d0e1f22" || !errors.Is(err, ErrDeviceNotRecorded) ||
		!errors.Is(err, client.ErrRejected) {
		t.Fatalf("Swish = %+v, %v; want the payment and ErrDeviceNotRecorded", st, err)
	}
}
