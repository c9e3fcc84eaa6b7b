package subscriptions

import (
	"encoding"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/kronor-io/kronor-go/captures"
	"github.com/kronor-io/kronor-go/internal/api"
	"github.com/kronor-io/kronor-go/payments"
	"github.com/kronor-io/kronor-go/refunds"
)

// wireCase is a kind's decoder beside the generated response type its wire
// type stands for, decoded the generated way (genqlient's UnmarshalJSON)
// and converted with the same row function.
type wireCase struct {
	name      string
	wire      reflect.Type // the wire type
	generated reflect.Type // the generated response type
	decode    func([]byte) (any, error)
	reference func([]byte) (any, error)
	samples   []string
}

func rowsOf[T any](rows []row[T], err error) (any, error) { return rows, err }

func wireCases() []wireCase {
	return []wireCase{
		{
			name:      "payment request",
			wire:      reflect.TypeFor[wirePaymentRequests](),
			generated: reflect.TypeFor[api.WatchPaymentRequestResponse](),
			decode:    func(b []byte) (any, error) { return rowsOf(requestKind.decode(b)) },
			reference: func(b []byte) (any, error) {
				var resp api.WatchPaymentRequestResponse
				if err := json.Unmarshal(b, &resp); err != nil {
					return nil, err
				}
				rows := make([]row[payments.Request], len(resp.PaymentRequests))
				for i := range resp.PaymentRequests {
					p := &resp.PaymentRequests[i]
					rows[i] = requestRow(&p.PaymentRequestCore, p.StatusHistory)
				}
				return rows, nil
			},
			samples: []string{
				`{"paymentRequests":[{"waitToken":"1067fdbb-4fbf-447b-b606-e0a9da806d41","amount":10000,"currency":"SEK",` +
					`"createdAt":"2026-12-01T11:48:18.132280695Z","reference":"order-1","paymentProvider":"SWISH","resultingPaymentId":1,` +
					`"transactionId":"81656752-bdb9-47b6-8c2c-ee9cd81601fb","status":[{"status":"PAID","enteredAt":"2026-12-01T11:48:18.135797115Z"}],` +
					`"statusHistory":[{"status":"PRE_FLIGHT_CHECK","enteredAt":"2026-12-01T11:48:18.132285762Z"},` +
					`{"status":"WAITING_FOR_PAYMENT","enteredAt":"2026-12-01T12:48:18.132287035+01:00"},{"status":"PAID","enteredAt":"2026-12-01T11:48:18.135797115Z"}]}]}`,
				`{"paymentRequests":[{"waitToken":"289c7e50-709e-4269-8018-e7922b9a9940","amount":"99","currency":"EUR","createdAt":"2026-12-01T11:48:18Z",` +
					`"reference":"","paymentProvider":null,"resultingPaymentId":null,"transactionId":"t","status":[],"statusHistory":null,"extra":{"a":[1,2]}},` +
					`{"waitToken":"1067fdbb-4fbf-447b-b606-e0a9da806d41","status":[{"status":"DECLINED","enteredAt":"2026-12-01T11:48:18Z"}]},null]}`,
				`{"paymentRequests":[]}`,
				`{"paymentRequests":null}`,
				`{}`,
			},
		},
		{
			name:      "session payment request",
			wire:      reflect.TypeFor[wireSessionPaymentRequests](),
			generated: reflect.TypeFor[api.WatchSessionPaymentRequestResponse](),
			decode:    func(b []byte) (any, error) { return rowsOf(sessionRequestKind.decode(b)) },
			reference: func(b []byte) (any, error) {
				var resp api.WatchSessionPaymentRequestResponse
				if err := json.Unmarshal(b, &resp); err != nil {
					return nil, err
				}
				rows := make([]row[payments.Request], len(resp.PaymentRequests))
				for i := range resp.PaymentRequests {
					p := &resp.PaymentRequests[i]
					rows[i] = sessionRequestRow(&p.SessionPaymentRequest, p.StatusHistory)
				}
				return rows, nil
			},
			samples: []string{
				`{"paymentRequests":[{"waitToken":"1067fdbb-4fbf-447b-b606-e0a9da806d41","amount":10000,"currency":"SEK",` +
					`"createdAt":"2026-12-01T11:48:18.132280695Z","reference":"order-1","paymentProvider":"SWISH","resultingPaymentId":null,` +
					`"transactionId":"tx-1","status":[{"status":"WAITING_FOR_PAYMENT","enteredAt":"2026-12-01T11:48:18.135797115Z"}],` +
					`"message":"Order 1","transactionCreditCardDetails":[{"sessionUrl":"https://card.example/s"}],` +
					`"transactionMobilePayDetails":[{"sessionUrl":"https://mp.example/s","redirectUrl":"https://mp.example/r","qrCodeUrl":"https://mp.example/q"}],` +
					`"transactionVippsDetails":[{"sessionUrl":"https://vipps.example/s"}],"transactionP24Details":[{"sessionUrl":"https://p24.example/s"}],` +
					`"transactionPayPalDetails":[{"paymentUrl":"https://paypal.example/p"}],` +
					`"transactionSwishDetails":[{"qrCode":"D6f1c2","returnUrl":"https://shop.example/return"}],` +
					`"transactionBankTransferDetails":[{"payUrl":"https://bank.example/p","authorizationUrl":null}],` +
					`"statusHistory":[{"status":"INITIALIZING","enteredAt":"2026-12-01T11:48:18.132286775Z"},{"status":"WAITING_FOR_PAYMENT","enteredAt":"2026-12-01T11:48:18.135797115Z"}]}]}`,
				`{"paymentRequests":[{"waitToken":"289c7e50-709e-4269-8018-e7922b9a9940","message":"","transactionSwishDetails":[],"transactionCreditCardDetails":null}]}`,
				`{"paymentRequests":[]}`,
			},
		},
		{
			name:      "capture",
			wire:      reflect.TypeFor[wireCaptures](),
			generated: reflect.TypeFor[api.WatchCaptureResponse](),
			decode:    func(b []byte) (any, error) { return rowsOf(captureKind.decode(b)) },
			reference: func(b []byte) (any, error) {
				var resp api.WatchCaptureResponse
				if err := json.Unmarshal(b, &resp); err != nil {
					return nil, err
				}
				rows := make([]row[captures.Capture], len(resp.PaymentCaptures))
				for i := range resp.PaymentCaptures {
					p := &resp.PaymentCaptures[i]
					rows[i] = captureRow(&p.CaptureFields, p.StatusHistory)
				}
				return rows, nil
			},
			samples: []string{
				`{"paymentCaptures":[{"id":7,"transactionId":"tx-7","paymentId":3,"amount":5000,"message":"part","createdAt":"2026-12-01T11:48:18Z",` +
					`"errorMessage":null,"status":[{"status":"CAPTURE_DONE","enteredAt":"2026-12-01T11:48:19Z"}],` +
					`"statusHistory":[{"status":"CAPTURING","enteredAt":"2026-12-01T11:48:18Z"},{"status":"CAPTURE_DONE","enteredAt":"2026-12-01T11:48:19Z"}]}]}`,
				`{"paymentCaptures":[{"id":"8","transactionId":"tx-8","paymentId":"3","amount":1,"message":null,"createdAt":"2026-12-01T11:48:18Z",` +
					`"errorMessage":"declined","status":[{"status":"CAPTURE_DECLINED","enteredAt":"2026-12-01T11:48:19Z"}],"statusHistory":[]}]}`,
				`{"paymentCaptures":[]}`,
			},
		},
		{
			name:      "release",
			wire:      reflect.TypeFor[wireReleases](),
			generated: reflect.TypeFor[api.WatchReleaseResponse](),
			decode:    func(b []byte) (any, error) { return rowsOf(releaseKind.decode(b)) },
			reference: func(b []byte) (any, error) {
				var resp api.WatchReleaseResponse
				if err := json.Unmarshal(b, &resp); err != nil {
					return nil, err
				}
				rows := make([]row[captures.TransactionRelease], len(resp.TransactionReleases))
				for i := range resp.TransactionReleases {
					rows[i] = releaseRow(&resp.TransactionReleases[i].ReleaseFields)
				}
				return rows, nil
			},
			samples: []string{
				`{"transactionReleases":[{"id":9,"paymentId":4,"amount":10000,"createdAt":"2026-12-01T11:48:18Z","currentStatus":"DONE",` +
					`"statusHistory":[{"status":"IN_PROGRESS","enteredAt":"2026-12-01T11:48:18Z"},{"status":"DONE","enteredAt":"2026-12-01T11:48:19Z"}]}]}`,
				`{"transactionReleases":[{"id":10,"paymentId":4,"amount":10000,"createdAt":"2026-12-01T11:48:18Z","currentStatus":"IN_PROGRESS","statusHistory":null}]}`,
				`{"transactionReleases":[]}`,
			},
		},
		{
			name:      "refund",
			wire:      reflect.TypeFor[wireRefunds](),
			generated: reflect.TypeFor[api.WatchRefundResponse](),
			decode:    func(b []byte) (any, error) { return rowsOf(refundKind.decode(b)) },
			reference: func(b []byte) (any, error) {
				var resp api.WatchRefundResponse
				if err := json.Unmarshal(b, &resp); err != nil {
					return nil, err
				}
				rows := make([]row[refunds.Refund], len(resp.Refunds))
				for i := range resp.Refunds {
					p := &resp.Refunds[i]
					rows[i] = refundRow(&p.RefundFields, p.StatusHistory)
				}
				return rows, nil
			},
			samples: []string{
				`{"refunds":[{"waitToken":"289c7e50-709e-4269-8018-e7922b9a9940","transactionId":"tx-r","paymentId":5,"totalAmount":10000,` +
					`"message":"Benchmark","createdAt":"2026-12-01T11:48:18Z","errorMessage":null,"status":[{"status":"PAID","enteredAt":"2026-12-01T11:48:20Z"}],` +
					`"statusHistory":[{"status":"CREATED","enteredAt":"2026-12-01T11:48:18Z"},{"status":"DEBITED","enteredAt":"2026-12-01T11:48:19Z"},{"status":"PAID","enteredAt":"2026-12-01T11:48:20Z"}]}]}`,
				`{"refunds":[{"waitToken":"289c7e50-709e-4269-8018-e7922b9a9940","errorMessage":"no","status":[{"status":"ERROR","enteredAt":"2026-12-01T11:48:20Z"}]}]}`,
				`{"refunds":[]}`,
			},
		},
	}
}

// TestWireTypesHaveTheGeneratedFields: each wire type has exactly the JSON
// fields of the generated response type it stands for, at every level, with
// the same types where they are not wire types themselves: a field added to
// a fragment or a document, and not to its wire type, fails here.
func TestWireTypesHaveTheGeneratedFields(t *testing.T) {
	for _, c := range wireCases() {
		t.Run(c.name, func(t *testing.T) {
			sameFields(t, c.name, c.wire, c.generated)
		})
	}
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// sameFields compares the JSON fields of the wire type w (as encoding/json
// reads it: embedded untagged structs promote their fields) with those of
// the generated type g (as genqlient reads it: embedded fragments, tagged
// json:"-", are decoded into as well).
func sameFields(t *testing.T, path string, w, g reflect.Type) {
	t.Helper()
	if w == g {
		return
	}
	if w.Kind() == reflect.Slice && g.Kind() == reflect.Slice {
		sameFields(t, path+"[]", w.Elem(), g.Elem())
		return
	}
	if w.Kind() != reflect.Struct || g.Kind() != reflect.Struct {
		t.Errorf("%s: wire type %v, generated %v", path, w, g)
		return
	}
	if p := reflect.PointerTo(w); p.Implements(jsonUnmarshaler) || p.Implements(textUnmarshaler) {
		// A promoted UnmarshalJSON would decode the whole object into
		// one fragment.
		t.Errorf("%s: wire type %v has an unmarshal method of its own", path, w)
	}
	wf, gf := map[string]reflect.Type{}, map[string]reflect.Type{}
	fields(w, wf, false)
	fields(g, gf, true)
	for name, wt := range wf {
		gt, ok := gf[name]
		if !ok {
			t.Errorf("%s: wire field %q is not in %v", path, name, g)
			continue
		}
		sameFields(t, path+"."+name, wt, gt)
	}
	for name := range gf {
		if _, ok := wf[name]; !ok {
			t.Errorf("%s: field %q of %v is missing from the wire type %v", path, name, g, w)
		}
	}
}

// fields collects the JSON fields of struct type s into out. Embedded
// structs are followed when untagged (encoding/json promotes their fields)
// and, for a generated type (fragments), when tagged json:"-".
func fields(s reflect.Type, out map[string]reflect.Type, generated bool) {
	for i := range s.NumField() {
		f := s.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && f.Type.Kind() == reflect.Struct && (tag == "" || (generated && tag == "-")) {
			fields(f.Type, out, generated)
			continue
		}
		if tag == "-" || !f.IsExported() {
			continue
		}
		if tag == "" {
			tag = f.Name
		}
		out[tag] = f.Type
	}
}

// TestWireDecodesAsGenerated: every kind decodes its messages in one pass
// into the rows that the generated types' decoding makes of them.
func TestWireDecodesAsGenerated(t *testing.T) {
	for _, c := range wireCases() {
		t.Run(c.name, func(t *testing.T) {
			for _, s := range c.samples {
				got, err := c.decode([]byte(s))
				if err != nil {
					t.Fatalf("decode(%s): %v", s, err)
				}
				want, err := c.reference([]byte(s))
				if err != nil {
					t.Fatalf("reference decode(%s): %v", s, err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("decode(%s)\n got %+v\nwant %+v", s, got, want)
				}
				if reflect.ValueOf(got).Len() == 0 && strings.Contains(s, "waitToken") {
					t.Errorf("decode(%s) found no rows", s)
				}
			}
		})
	}
}

// TestWireDecodeErrors: what the generated decoding refuses, the wire
// decoding refuses too.
func TestWireDecodeErrors(t *testing.T) {
	bad := []string{
		``, `{`, `[]`, `{"paymentRequests":{}}`, `{"paymentRequests":[{"amount":"x"}]}`,
		`{"paymentRequests":[{"waitToken":"not-a-uuid"}]}`, `{"paymentRequests":[{"createdAt":"yesterday"}]}`,
		`{"paymentRequests":[{"statusHistory":[{"enteredAt":1}]}]}`, `{"paymentCaptures":[{"id":true}]}`,
		`{"refunds":[{"status":{}}]}`, `{"transactionReleases":[{"statusHistory":"DONE"}]}`, `{} {}`,
	}
	for _, c := range wireCases() {
		for _, s := range bad {
			_, werr := c.decode([]byte(s))
			_, gerr := c.reference([]byte(s))
			if (werr == nil) != (gerr == nil) {
				t.Errorf("%s: %s: wire decoding error %v, generated %v", c.name, s, werr, gerr)
			}
		}
	}
}

// FuzzWireDecode: on any input, each kind's one-pass decoding fails exactly
// when the generated types' decoding does, and otherwise makes the same rows.
func FuzzWireDecode(f *testing.F) {
	cases := wireCases()
	for _, c := range cases {
		for _, s := range c.samples {
			f.Add(s)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, c := range cases {
			got, werr := c.decode([]byte(s))
			want, gerr := c.reference([]byte(s))
			if (werr == nil) != (gerr == nil) {
				t.Fatalf("%s: %q: wire decoding error %v, generated %v", c.name, s, werr, gerr)
			}
			if werr == nil && !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: %q:\n got %+v\nwant %+v", c.name, s, got, want)
			}
		}
	})
}
