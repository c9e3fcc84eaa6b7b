package demo

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/kronor-io/kronor-go/kronortest"
)

// RunOnFake runs an example against a fresh fake gateway that approves every
// payment after a few milliseconds, and returns the fake (closed when the test
// ends), the example's output and its error.
func RunOnFake(t testing.TB, run func(context.Context, Config) error, opts ...kronortest.Option) (*kronortest.Server, string, error) {
	t.Helper()
	srv := kronortest.NewServer(append([]kronortest.Option{kronortest.WithAutoApprove(5 * time.Millisecond)}, opts...)...)
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out bytes.Buffer
	err := run(ctx, Config{Getenv: func(string) string { return "" }, Out: &out, Fake: srv})
	return srv, out.String(), err
}
