package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/subscriptions"
)

// usageError is bad input found by the command itself: exit 2, nothing sent.
type usageError struct {
	msg     string
	printed bool // the flag package already printed it
}

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// flagError wraps an error of the flag package, which has printed it already.
func flagError(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	return &usageError{msg: err.Error(), printed: true}
}

// failedError is a payment, capture, release or refund that ended without
// success: exit 1.
type failedError struct{ msg string }

func (e *failedError) Error() string { return e.msg }

func failedf(format string, args ...any) error {
	return &failedError{msg: fmt.Sprintf(format, args...)}
}

// exitCode classifies err into the command's exit status.
func exitCode(ctx context.Context, err error) int {
	var (
		usage  *usageError
		failed *failedError
		status *subscriptions.StatusError
		valid  *client.ValidationError
	)
	switch {
	case err == nil:
		return exitOK
	case ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ctx.Err())):
		return exitInterrupted
	case errors.As(err, &usage), errors.As(err, &valid), errors.Is(err, client.ErrInvalidInput), errors.Is(err, client.ErrNotFound):
		return exitUsage
	case errors.As(err, &failed), errors.As(err, &status),
		errors.Is(err, subscriptions.ErrDeclined), errors.Is(err, subscriptions.ErrCancelled),
		errors.Is(err, subscriptions.ErrFailed), errors.Is(err, subscriptions.ErrCaptureDeclined),
		errors.Is(err, subscriptions.ErrReleased):
		return exitFailed
	default:
		// client.ErrTemporary, ErrRejected, ErrUnauthorized, a network error:
		// the gateway's side.
		return exitGateway
	}
}

// hintFor says what to do next after err, or "". rerun is how the command
// can be rerun safely, when it says, and note what that rerun needs besides
// (see app.rerunFlags). The rerun reads the token from $KRONOR_TOKEN, never
// from a flag: no hint shows it.
func hintFor(err error, rerun, note string) string {
	switch {
	case errors.Is(err, client.ErrUnauthorized):
		return "the gateway refused the token in $" + envToken + ": check it is this environment's merchant API token"
	case errors.Is(err, client.ErrIdempotencyConflict):
		return "that idempotency key was used with other parameters: rerun with the original ones, or give a new --idempotency-key for a new operation"
	case errors.Is(err, client.ErrTemporary) && rerun != "":
		hint := "the gateway could not be reached or did not answer in time, and the request may have been applied: rerun " + rerun +
			", which applies nothing twice (with the token in $" + envToken + ", as this run"
		if note != "" {
			hint += "; " + note
		}
		return hint + ")"
	case errors.Is(err, client.ErrTemporary):
		return "the gateway could not be reached or did not answer in time; try again"
	}
	return ""
}
