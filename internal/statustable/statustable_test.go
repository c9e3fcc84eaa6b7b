package statustable

import (
	"slices"
	"sort"
	"testing"

	"github.com/kronor-io/kronor-go/internal/refschema"
)

// TestTablesMatchTheSchema: each table has exactly the values of its enum in
// schema.graphql, so a status added to the schema without its meaning here
// fails.
func TestTablesMatchTheSchema(t *testing.T) {
	own := refschema.LoadOwn(t)
	for enum, table := range map[string]map[string]Info{
		"PaymentStatusEnum":            Payment,
		"PaymentCaptureStatusEnum":     Capture,
		"TransactionReleaseStatusEnum": Release,
		"RefundStatusEnum":             Refund,
	} {
		def := own.Types[enum]
		if def == nil {
			t.Fatalf("schema.graphql has no enum %s", enum)
		}
		var want, got []string
		for _, v := range def.EnumValues {
			want = append(want, v.Name)
		}
		for s := range table {
			got = append(got, s)
		}
		sort.Strings(want)
		sort.Strings(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: the table has %v, the schema %v", enum, got, want)
		}
	}
}

// TestMeaning spot-checks the tables against the spec's words.
func TestMeaning(t *testing.T) {
	for _, tc := range []struct {
		table         map[string]Info
		status        string
		final, failed bool
		outcome       Outcome
	}{
		{Payment, "WAITING_FOR_PAYMENT", false, false, Progress},
		{Payment, "FLOW_COMPLETED", false, false, Progress},
		{Payment, "AUTHORIZED", true, false, Succeeded},
		{Payment, "CAPTURE_DECLINED", true, true, CaptureDeclined},
		{Payment, "RELEASED", true, false, Released},
		{Capture, "CAPTURE_COOLDOWN", true, true, Cooldown},
		{Release, "RELEASE_AMBIGUOUS", false, false, Ambiguous},
		{Refund, "DEBITED", false, false, Progress},
		{Refund, "PAID", true, false, Succeeded},
	} {
		i, ok := Of(tc.table, tc.status)
		if !ok || i.Final() != tc.final || i.Failed() != tc.failed || i.Outcome != tc.outcome {
			t.Errorf("%s: %+v final %v failed %v", tc.status, i, i.Final(), i.Failed())
		}
	}
	if i, ok := Of(Payment, "SOMETHING_NEW"); ok || i.Final() || i.Rank != unknownRank {
		t.Errorf("an unknown status: %+v, %v; want progress in the middle of the flow", i, ok)
	}
	if Payment["PAID"].Rank <= Payment["WAITING_FOR_PAYMENT"].Rank || Payment["RELEASED"].Rank <= Payment["AUTHORIZED"].Rank {
		t.Error("the flow's order is wrong")
	}
}
