package captures

import (
	"context"
	"strings"
	"testing"

	"github.com/kronor-io/kronor-go/internal/validate/validatetest"
)

func TestCaptureStatusIsTheLatestEntry(t *testing.T) {
	// Status entries in no particular order, bigints as strings, and a status
	// this package does not know yet.
	c := validatetest.NewRecorder(t, `{"data":{"paymentCaptures":[{"id":"7","transactionId":"tx7","paymentId":"3","amount":"4000",
		"message":null,"createdAt":"2026-03-01T10:00:00Z","errorMessage":null,"status":[
		{"status":"CAPTURING","enteredAt":"2026-03-01T10:00:01Z"},
		{"status":"SETTLED_LATER","enteredAt":"2026-03-01T10:05:00Z"},
		{"status":"WAITING_FOR_CAPTURE","enteredAt":"2026-03-01T10:00:00Z"}]}]}}`).Client(t)
	got, err := Get(context.Background(), c, 7)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != 7 || got.PaymentID != 3 || got.Amount != 4000 || got.Status != "SETTLED_LATER" || got.Status.Known() || got.Status.Final() {
		t.Fatalf("capture = %+v", got)
	}
	if got.StatusEnteredAt.Format("15:04") != "10:05" {
		t.Fatalf("entered at %v", got.StatusEnteredAt)
	}
}

func TestNonNumericReleaseID(t *testing.T) {
	c := validatetest.NewRecorder(t, `{"data":{"releasePayment":{"releaseId":"rel-abc"}}}`).Client(t)
	_, err := Release(context.Background(), c, ReleaseParams{Amount: 100, PaymentID: 1})
	if err == nil || !strings.Contains(err.Error(), `releaseId "rel-abc", which is not a 64-bit integer`) {
		t.Fatalf("error = %v", err)
	}
	c = validatetest.NewRecorder(t, `{"data":{"releasePayment":{"releaseId":"42"}}}`).Client(t)
	r, err := Release(context.Background(), c, ReleaseParams{Amount: 100, PaymentID: 1, IdempotencyKey: "k1"})
	if err != nil || r.ID != 42 || r.IdempotencyKey != "k1" {
		t.Fatalf("receipt = %+v, %v", r, err)
	}
}

func TestReleaseHistoryIsSorted(t *testing.T) {
	c := validatetest.NewRecorder(t, `{"data":{"transactionReleases":[{"id":5,"paymentId":3,"amount":100,"createdAt":"2026-03-01T10:00:00Z",
		"currentStatus":"DONE","statusHistory":[
		{"status":"DONE","enteredAt":"2026-03-01T10:02:00Z"},
		{"status":"IN_PROGRESS","enteredAt":"2026-03-01T10:00:00Z"}]}]}}`).Client(t)
	r, err := GetRelease(context.Background(), c, 5)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != ReleaseDone || len(r.StatusHistory) != 2 || r.StatusHistory[0].Status != ReleaseInProgress {
		t.Fatalf("release = %+v", r)
	}
}
