package refunds

import (
	"context"
	"strings"
	"testing"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/validate/validatetest"
)

func TestValidation(t *testing.T) {
	ctx := context.Background()
	long := strings.Repeat("x", 101)
	refund := func(mut func(*Params)) func(*client.Client) error {
		return func(c *client.Client) error {
			p := Params{Amount: 100, PaymentID: 1, Message: "Refund for order 1"}
			mut(&p)
			_, err := Create(ctx, c, p)
			return err
		}
	}
	cases := []struct {
		name  string
		call  func(*client.Client) error
		field string
		rule  string
	}{
		{"amount zero", refund(func(p *Params) { p.Amount = 0 }), "refund.amount", "between 1 and"},
		{"amount over 32 bits", refund(func(p *Params) { p.Amount = 3_000_000_000 }), "refund.amount", "32-bit"},
		{"no payment", refund(func(p *Params) { p.PaymentID = 0 }), "refund.paymentId", "exactly one"},
		{"both ids", refund(func(p *Params) { p.PaymentTransactionID = "tx" }), "refund.paymentId", "exactly one"},
		{"message missing", refund(func(p *Params) { p.Message = "" }), "refund.message", "is required"},
		{"message too long", refund(func(p *Params) { p.Message = long[:51] }), "refund.message", "at most 50"},
		{"message charset", refund(func(p *Params) { p.Message = "Refund #1" }), "refund.message", "may contain only"},
		{"merchantReference too long", refund(func(p *Params) { p.MerchantReference = long }), "refund.merchantReference", "at most 100"},
		{"createdBy too long", refund(func(p *Params) { p.CreatedBy = long }), "refund.createdBy", "at most 100"},
		{"generatedFrom too long", refund(func(p *Params) { p.GeneratedFrom = long }), "refund.generatedFrom", "at most 100"},
		{"bad key", refund(func(p *Params) { p.IdempotencyKey = "key with spaces" }), "refund.idempotencyKey", "A-Za-z0-9"},
		{"get bad wait token", func(c *client.Client) error { _, err := Get(ctx, c, "123"); return err }, "waitToken", "UUID"},
		{"list zero payment", func(c *client.Client) error { _, err := List(ctx, c, 0); return err }, "paymentId", "positive"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, sent := validatetest.CountingClient(t, "merchant-token")
			err := tc.call(c)
			validatetest.CheckViolation(t, err, tc.field, tc.rule, sent.Load())
		})
	}
}

func TestStatuses(t *testing.T) {
	for s, want := range map[Status][4]bool{ // final, succeeded, failed, ambiguous
		StatusInitializing:             {false, false, false, false},
		StatusCreated:                  {false, false, false, false},
		StatusDebited:                  {false, false, false, false},
		StatusWaitingForRefund:         {false, false, false, false},
		StatusAwaitingAccountSelection: {false, false, false, false},
		StatusPaid:                     {true, true, false, false},
		StatusError:                    {true, false, true, false},
		StatusAmbiguous:                {false, false, false, true},
		"NEW":                          {false, false, false, false},
	} {
		if got := [4]bool{s.Final(), s.Succeeded(), s.Failed(), s.Ambiguous()}; got != want {
			t.Errorf("%s: final/succeeded/failed/ambiguous = %v, want %v", s, got, want)
		}
		if s.Known() == (s == "NEW") || s.String() != string(s) {
			t.Errorf("%s: Known/String", s)
		}
	}
}
