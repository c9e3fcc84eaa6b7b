package gql_test

import (
	"encoding/json"
	"testing"

	"github.com/google/uuid"
	"github.com/kronor-io/kronor-go/internal/api"
	"github.com/kronor-io/kronor-go/internal/gql"
)

// A request is sent in the shape genqlient's run-time package sends it:
// query, operationName, and variables only when there are some.
func TestRequestJSON(t *testing.T) {
	for _, tc := range []struct {
		req  gql.Request
		want string
	}{
		{gql.Request{Query: "query Ping { __typename }", OpName: "Ping"},
			`{"query":"query Ping { __typename }","operationName":"Ping"}`},
		{gql.Request{Query: "query Q($a: Int!) { f(a: $a) }", Variables: map[string]int{"a": 1}, OpName: "Q"},
			`{"query":"query Q($a: Int!) { f(a: $a) }","variables":{"a":1},"operationName":"Q"}`},
	} {
		got, err := json.Marshal(&tc.req)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tc.want {
			t.Errorf("json.Marshal(%+v) = %s, want %s", tc.req, got, tc.want)
		}
	}
}

// The generated subscription decoder runs on gql's response types: data
// when there are no errors, the errors (message, path, extensions) when
// there are.
func TestGeneratedSubscriptionDecoder(t *testing.T) {
	ch := make(chan api.WatchPaymentRequestWsResponse, 1)
	wt := uuid.New()
	data := `{"data":{"paymentRequests":[{"waitToken":"` + wt.String() + `"}]}}`
	if err := api.WatchPaymentRequestForwardData(ch, json.RawMessage(data)); err != nil {
		t.Fatalf("decoding %s: %v", data, err)
	}
	got := <-ch
	if len(got.Errors) != 0 || got.Data == nil || len(got.Data.PaymentRequests) != 1 || got.Data.PaymentRequests[0].WaitToken != wt {
		t.Errorf("decoding %s: got %+v", data, got)
	}

	errs := `{"errors":[{"message":"denied","path":["paymentRequests",0],"extensions":{"code":"access-denied"}}]}`
	if err := api.WatchPaymentRequestForwardData(ch, json.RawMessage(errs)); err != nil {
		t.Fatalf("decoding %s: %v", errs, err)
	}
	got = <-ch
	if len(got.Errors) != 1 {
		t.Fatalf("decoding %s: errors %+v, want one", errs, got.Errors)
	}
	e := got.Errors[0]
	if e.Error() != "denied" || len(e.Path) != 2 || e.Path[0] != "paymentRequests" || e.Extensions["code"] != "access-denied" {
		t.Errorf("decoding %s: error %+v", errs, e)
	}
}
