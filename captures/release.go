package captures

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/api"
	"github.com/kronor-io/kronor-go/internal/convert"
	"github.com/kronor-io/kronor-go/internal/scalars"
	"github.com/kronor-io/kronor-go/internal/validate"
)

// ReleaseParams describes the release of an authorized payment's reservation.
type ReleaseParams struct {
	// Amount to release, in minor units: the full authorized amount (partial
	// releases are not possible).
	Amount int64
	// PaymentID is the id of the authorized payment. Give exactly one of
	// PaymentID and PaymentTransactionID.
	PaymentID int64
	// PaymentTransactionID is the transaction id of the authorized payment.
	PaymentTransactionID string
	// MerchantReference is optional, at most 100 characters, and must be unique
	// among the merchant's releases that did not fail.
	MerchantReference string
	// CreatedBy says who creates the release; optional, at most 100 characters.
	CreatedBy string
	// GeneratedFrom says where the release is created; optional, at most 100
	// characters.
	GeneratedFrom string
	// IdempotencyKey makes a retried release return the same release.
	// Optional: when empty a random key is made for this call and reused by
	// the client's retries.
	IdempotencyKey string
}

// ReleaseReceipt is the gateway's answer to a release: the release is
// registered and proceeds asynchronously. Wait for its end with
// subscriptions.MerchantWatcher.WaitRelease(ID), or read it with
// GetRelease(ID).
type ReleaseReceipt struct {
	// ID of the release. The gateway returns it as a String; it is the
	// release's bigint id.
	ID int64
	// IdempotencyKey is the key the release was made with.
	IdempotencyKey string
}

// Release releases the reservation of an authorized payment that has not been
// captured (releasePayment) with the merchant client: such a payment cannot be
// refunded. Only the full amount can be released, and not after any capture.
// It validates p first and sends nothing when p breaks a rule (a
// *client.ValidationError).
func Release(ctx context.Context, c *client.Client, p ReleaseParams) (*ReleaseReceipt, error) {
	var v validate.Collector
	v.Amount("release.amount", p.Amount)
	v.PaymentRef("release", p.PaymentID, p.PaymentTransactionID)
	v.MaxLen("release.merchantReference", p.MerchantReference, 100)
	v.MaxLen("release.createdBy", p.CreatedBy, 100)
	v.MaxLen("release.generatedFrom", p.GeneratedFrom, 100)
	v.IdempotencyKey("release.idempotencyKey", p.IdempotencyKey)
	if err := v.Err(); err != nil {
		return nil, err
	}
	in := api.ReleasePaymentInput{
		Amount:               int(p.Amount),
		IdempotencyKey:       convert.IdempotencyKey(p.IdempotencyKey),
		PaymentId:            convert.OptBigInt(p.PaymentID),
		PaymentTransactionId: convert.OptString(p.PaymentTransactionID),
		MerchantReference:    convert.OptString(p.MerchantReference),
		CreatedBy:            convert.OptString(p.CreatedBy),
		GeneratedFrom:        convert.OptString(p.GeneratedFrom),
	}
	resp, err := api.ReleasePayment(ctx, c, in)
	if err != nil {
		return nil, fmt.Errorf("captures: releasePayment: %w", err)
	}
	id, err := convert.ParseID("releaseId", resp.ReleasePayment.ReleaseId)
	if err != nil {
		return nil, fmt.Errorf("captures: releasePayment: %w", err)
	}
	return &ReleaseReceipt{ID: id, IdempotencyKey: in.IdempotencyKey}, nil
}

// ReleaseChange is one entry of a release's status history.
type ReleaseChange struct {
	// Status entered.
	Status ReleaseStatus
	// EnteredAt is when.
	EnteredAt time.Time
}

// TransactionRelease is a release as the gateway reports it (the schema's
// TransactionRelease).
type TransactionRelease struct {
	// ID of the release.
	ID int64
	// PaymentID is the id of the released payment.
	PaymentID int64
	// Amount released, in minor units.
	Amount int64
	// CreatedAt is when the release was registered.
	CreatedAt time.Time
	// Status is the release's current status (the gateway's currentStatus).
	Status ReleaseStatus
	// StatusHistory lists the statuses the release went through, oldest first.
	StatusHistory []ReleaseChange
}

// GetRelease reads a release by its id (transactionReleases, merchant token).
// The error wraps ErrNotFound when there is no such release.
func GetRelease(ctx context.Context, c *client.Client, releaseID int64) (*TransactionRelease, error) {
	var v validate.Collector
	v.ID("id", "release", releaseID)
	if err := v.Err(); err != nil {
		return nil, err
	}
	resp, err := api.ReleaseByID(ctx, c, scalars.BigInt(releaseID))
	if err != nil {
		return nil, fmt.Errorf("captures: release %d: %w", releaseID, err)
	}
	if len(resp.TransactionReleases) == 0 {
		return nil, fmt.Errorf("captures: release %d: %w", releaseID, ErrNotFound)
	}
	return releaseFrom(&resp.TransactionReleases[0].ReleaseFields), nil
}

// releaseFrom is the one mapper of a release read from the gateway
// (GetRelease and the listing read the ReleaseFields fragment).
func releaseFrom(f *api.ReleaseFields) *TransactionRelease {
	r := &TransactionRelease{
		ID:        int64(f.Id),
		PaymentID: int64(f.PaymentId),
		Amount:    int64(f.Amount),
		CreatedAt: f.CreatedAt,
		Status:    ReleaseStatus(f.CurrentStatus),
	}
	for _, h := range f.StatusHistory {
		r.StatusHistory = append(r.StatusHistory, ReleaseChange{Status: ReleaseStatus(h.Status), EnteredAt: h.EnteredAt})
	}
	slices.SortStableFunc(r.StatusHistory, func(a, b ReleaseChange) int { return a.EnteredAt.Compare(b.EnteredAt) })
	if r.Status == "" && len(r.StatusHistory) > 0 {
		r.Status = r.StatusHistory[len(r.StatusHistory)-1].Status
	}
	return r
}
