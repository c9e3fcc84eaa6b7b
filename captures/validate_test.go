package captures

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
	capture := func(mut func(*Params)) func(*client.Client) error {
		return func(c *client.Client) error {
			p := Params{Amount: 100, PaymentID: 1}
			mut(&p)
			_, err := Create(ctx, c, p)
			return err
		}
	}
	release := func(mut func(*ReleaseParams)) func(*client.Client) error {
		return func(c *client.Client) error {
			p := ReleaseParams{Amount: 100, PaymentTransactionID: "tx"}
			mut(&p)
			_, err := Release(ctx, c, p)
			return err
		}
	}
	cases := []struct {
		name  string
		call  func(*client.Client) error
		field string
		rule  string
	}{
		{"capture amount zero", capture(func(p *Params) { p.Amount = 0 }), "capture.amount", "between 1 and"},
		{"capture amount over 32 bits", capture(func(p *Params) { p.Amount = 1 << 31 }), "capture.amount", "32-bit"},
		{"capture no payment", capture(func(p *Params) { p.PaymentID = 0 }), "capture.paymentId", "exactly one"},
		{"capture both ids", capture(func(p *Params) { p.PaymentTransactionID = "tx" }), "capture.paymentId", "exactly one"},
		{"capture negative id", capture(func(p *Params) { p.PaymentID = -4 }), "capture.paymentId", "positive"},
		{"capture message too long", capture(func(p *Params) { p.Message = long[:51] }), "capture.message", "at most 50"},
		{"capture createdBy too long", capture(func(p *Params) { p.CreatedBy = long }), "capture.createdBy", "at most 100"},
		{"capture generatedFrom too long", capture(func(p *Params) { p.GeneratedFrom = long }), "capture.generatedFrom", "at most 100"},
		{"capture bad key", capture(func(p *Params) { p.IdempotencyKey = "a b" }), "capture.idempotencyKey", "A-Za-z0-9"},
		{"release amount negative", release(func(p *ReleaseParams) { p.Amount = -1 }), "release.amount", "between 1 and"},
		{"release no payment", release(func(p *ReleaseParams) { p.PaymentTransactionID = "" }), "release.paymentId", "exactly one"},
		{"release both ids", release(func(p *ReleaseParams) { p.PaymentID = 3 }), "release.paymentId", "exactly one"},
		{"release merchantReference too long", release(func(p *ReleaseParams) { p.MerchantReference = long }), "release.merchantReference", "at most 100"},
		{"release createdBy too long", release(func(p *ReleaseParams) { p.CreatedBy = long }), "release.createdBy", "at most 100"},
		{"release generatedFrom too long", release(func(p *ReleaseParams) { p.GeneratedFrom = long }), "release.generatedFrom", "at most 100"},
		{"release bad key", release(func(p *ReleaseParams) { p.IdempotencyKey = "ä" }), "release.idempotencyKey", "A-Za-z0-9"},
		{"get zero id", func(c *client.Client) error { _, err := Get(ctx, c, 0); return err }, "id", "positive"},
		{"get empty transaction id", func(c *client.Client) error { _, err := GetByTransactionID(ctx, c, ""); return err }, "transactionId", "is required"},
		{"get release zero id", func(c *client.Client) error { _, err := GetRelease(ctx, c, -1); return err }, "id", "positive"},
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
	for s, want := range map[Status][3]bool{ // final, succeeded, failed
		StatusWaitingForCapture: {false, false, false},
		StatusCapturing:         {false, false, false},
		StatusDone:              {true, true, false},
		StatusCooldown:          {true, false, true},
		StatusDeclined:          {true, false, true},
		StatusError:             {true, false, true},
		"SOMETHING_NEW":         {false, false, false},
	} {
		if got := [3]bool{s.Final(), s.Succeeded(), s.Failed()}; got != want {
			t.Errorf("%s: final/succeeded/failed = %v, want %v", s, got, want)
		}
		if s.Known() == (s == "SOMETHING_NEW") {
			t.Errorf("%s: Known = %v", s, s.Known())
		}
	}
	for s, want := range map[ReleaseStatus][4]bool{ // final, succeeded, failed, ambiguous
		ReleaseInProgress: {false, false, false, false},
		ReleaseDone:       {true, true, false, false},
		ReleaseError:      {true, false, true, false},
		ReleaseAmbiguous:  {false, false, false, true},
		"NEW":             {false, false, false, false},
	} {
		if got := [4]bool{s.Final(), s.Succeeded(), s.Failed(), s.Ambiguous()}; got != want {
			t.Errorf("%s: final/succeeded/failed/ambiguous = %v, want %v", s, got, want)
		}
		if s.Known() == (s == "NEW") || s.String() != string(s) {
			t.Errorf("%s: Known/String", s)
		}
	}
}
