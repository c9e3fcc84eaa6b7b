package payments_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"testing"

	"github.com/kronor-io/kronor-go/captures"
	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/api"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/refunds"
)

// The statuses the gateway documents (spec and schema), listed independently
// of the packages' constants.
var (
	fuzzPaymentStatuses = []string{
		"PRE_FLIGHT_CHECK", "INITIALIZING", "WAITING_FOR_PAYMENT", "PROCESSING",
		"PROCESSING_REDIRECTED_APP", "PROCESSING_REDIRECTED_WEB", "WAITING_FOR_PROMOTION",
		"FLOW_COMPLETED", "ACCEPTED", "AUTHORIZED", "PARTIALLY_CAPTURED", "PAID",
		"CAPTURE_DECLINED", "DECLINED", "CANCELLING", "CANCELLED", "ERROR", "RELEASED",
	}
	fuzzCaptureStatuses = []string{"WAITING_FOR_CAPTURE", "CAPTURING", "CAPTURE_DONE", "CAPTURE_COOLDOWN", "CAPTURE_DECLINED", "ERROR"}
	fuzzReleaseStatuses = []string{"IN_PROGRESS", "DONE", "ERROR", "RELEASE_AMBIGUOUS"}
	fuzzRefundStatuses  = []string{
		"INITIALIZING", "CREATED", "DEBITED", "WAITING_FOR_REFUND", "AWAITING_ACCOUNT_SELECTION",
		"PAID", "ERROR", "REFUND_AMBIGUOUS",
	}
)

// statusTransport answers every request with one fixed body, in memory.
type statusTransport struct{ body []byte }

func (s statusTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_ = r.Body.Close()
	}
	return &http.Response{
		StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(s.body)),
		ContentLength: int64(len(s.body)),
		Request:       r,
	}, nil
}

func fuzzStatusClient(t *testing.T, body string) *client.Client {
	t.Helper()
	c, err := client.New("merchant-token",
		client.WithEndpoint("https://gateway.kronor.test/v1/graphql"),
		client.WithHTTPClient(&http.Client{Transport: statusTransport{[]byte(body)}}),
		client.WithMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// FuzzStatus decodes any string as each of the gateway's status enums. The
// value is kept verbatim: by the generated enum types, by payments.Get,
// captures.Get and refunds.Get reading it from a response; and the
// predicates never panic and stay consistent: never both Succeeded and Failed,
// Final exactly when Succeeded or Failed (or RELEASED, for a payment), nothing
// true for an unknown status, and Known exactly for the documented statuses.
func FuzzStatus(f *testing.F) {
	for _, list := range [][]string{fuzzPaymentStatuses, fuzzCaptureStatuses, fuzzReleaseStatuses, fuzzRefundStatuses} {
		for _, s := range list {
			f.Add(s)
		}
	}
	for _, s := range []string{"", "paid", "PAID ", " PAID", "PAID\x00", "CAPTURE_SOMETHING_NEW", "Ünïcödé", "\xff\xfe", `"quoted"`, `\`, "\u2028", "NO_REFUND", "FULLY_REFUNDED"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ps := payments.Status(s)
		if ps.String() != s {
			t.Fatalf("payments.Status(%q).String() = %q", s, ps.String())
		}
		checkPredicates(t, "payments.Status", s, slices.Contains(fuzzPaymentStatuses, s),
			ps.Known(), ps.Succeeded(), ps.Failed(), ps.Final(), false, s == "RELEASED")

		cs := captures.Status(s)
		checkPredicates(t, "captures.Status", s, slices.Contains(fuzzCaptureStatuses, s),
			cs.Known(), cs.Succeeded(), cs.Failed(), cs.Final(), false, false)
		rs := captures.ReleaseStatus(s)
		checkPredicates(t, "captures.ReleaseStatus", s, slices.Contains(fuzzReleaseStatuses, s),
			rs.Known(), rs.Succeeded(), rs.Failed(), rs.Final(), rs.Ambiguous(), false)
		fs := refunds.Status(s)
		checkPredicates(t, "refunds.Status", s, slices.Contains(fuzzRefundStatuses, s),
			fs.Known(), fs.Succeeded(), fs.Failed(), fs.Final(), fs.Ambiguous(), false)
		if cs.String() != s || rs.String() != s || fs.String() != s {
			t.Fatalf("String() changed %q", s)
		}

		// What the wire carries: s as a JSON string. encoding/json replaces
		// invalid UTF-8, so "verbatim" means what a plain string decodes to.
		lit, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var want string
		if err := json.Unmarshal(lit, &want); err != nil {
			t.Fatal(err)
		}
		var (
			e1 api.PaymentStatusEnum
			e2 api.PaymentCaptureStatusEnum
			e3 api.RefundStatusEnum
			e4 api.TransactionReleaseStatusEnum
			e5 api.PaymentRefundStatusEnum
		)
		for _, e := range []any{&e1, &e2, &e3, &e4, &e5} {
			if err := json.Unmarshal(lit, e); err != nil {
				t.Fatalf("decoding %s into %T: %v", lit, e, err)
			}
		}
		for _, got := range []string{string(e1), string(e2), string(e3), string(e4), string(e5)} {
			if got != want {
				t.Fatalf("an enum decoded %s as %q, want %q", lit, got, want)
			}
		}

		// Through the domain packages' readers.
		ctx := context.Background()
		st := `[{"status":` + string(lit) + `,"enteredAt":"2024-05-01T10:00:01Z"}]`
		p, err := payments.Get(ctx, fuzzStatusClient(t, `{"data":{"payments":[{"id":1,"transactionId":"t","amountPaid":100,"currency":"SEK",`+
			`"currentStatus":`+string(lit)+`,"createdAt":"2024-05-01T10:00:00Z","merchantReference":"r","paymentMethod":"SWISH",`+
			`"paymentRefundStatus":`+string(lit)+`,"status":`+st+`,`+
			`"refunds":[{"waitToken":"0b6f0d3c-36a3-4a4f-9a57-5b0c9f7b1e21","transactionId":"rt","paymentId":1,"totalAmount":1,"message":"m","createdAt":"2024-05-02T10:00:00Z","status":`+st+`}]}]}}`), 1)
		if err != nil {
			t.Fatalf("payments.Get with status %s: %v", lit, err)
		}
		if string(p.Status) != want || string(p.RefundStatus) != want || len(p.Refunds) != 1 || string(p.Refunds[0].Status) != want {
			t.Fatalf("payments.Get: status %q, refund status %q, refunds %+v; want %q", p.Status, p.RefundStatus, p.Refunds, want)
		}
		c, err := captures.Get(ctx, fuzzStatusClient(t, `{"data":{"paymentCaptures":[{"id":7,"transactionId":"c","paymentId":1,"amount":1,"createdAt":"2024-05-01T10:00:00Z","status":`+st+`}]}}`), 7)
		if err != nil || string(c.Status) != want {
			t.Fatalf("captures.Get with status %s: %+v, %v; want %q", lit, c, err, want)
		}
		r, err := refunds.Get(ctx, fuzzStatusClient(t, `{"data":{"refunds":[{"waitToken":"0b6f0d3c-36a3-4a4f-9a57-5b0c9f7b1e21","transactionId":"rt","paymentId":1,"totalAmount":1,"message":"m","createdAt":"2024-05-02T10:00:00Z","status":`+st+`}]}}`),
			"0b6f0d3c-36a3-4a4f-9a57-5b0c9f7b1e21")
		if err != nil || string(r.Status) != want {
			t.Fatalf("refunds.Get with status %s: %+v, %v; want %q", lit, r, err, want)
		}
	})
}

// checkPredicates checks one status type's predicates for s.
func checkPredicates(t *testing.T, typ, s string, documented, known, succeeded, failed, final, ambiguous, released bool) {
	t.Helper()
	if known != documented {
		t.Errorf("%s(%q).Known() = %v, want %v", typ, s, known, documented)
	}
	if succeeded && failed {
		t.Errorf("%s(%q) is both Succeeded and Failed", typ, s)
	}
	if final != (succeeded || failed || released) {
		t.Errorf("%s(%q): Final() = %v, Succeeded() = %v, Failed() = %v", typ, s, final, succeeded, failed)
	}
	if ambiguous && final {
		t.Errorf("%s(%q) is both Ambiguous and Final", typ, s)
	}
	if !known && (succeeded || failed || final || ambiguous) {
		t.Errorf("%s(%q) is unknown but a predicate reports true", typ, s)
	}
}
