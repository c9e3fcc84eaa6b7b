package benchmarks

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

// BinarySizeResult is what importing the SDK adds to a merchant's binary.
type BinarySizeResult struct {
	// SDK is the size in bytes of testdata/binsize/sdk: a checkout (session,
	// Swish payment, wait until paid) with client, sessions, payments and
	// subscriptions.
	SDK int64
	// NetHTTP is the baseline, the size of testdata/binsize/nethttp: the
	// same checkout on net/http and encoding/json alone.
	NetHTTP int64
	// Ratio is SDK / NetHTTP.
	Ratio float64
}

// BinaryPrograms returns the directories of the two programs BinarySizes
// builds: the SDK's and its net/http baseline.
func BinaryPrograms() (sdk, nethttp string, err error) {
	_, file, _, ok := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "testdata", "binsize")
	if !ok || !filepath.IsAbs(file) {
		return "", "", errors.New("the source of internal/benchmarks is not at hand (built with -trimpath?): cannot find testdata/binsize")
	}
	return filepath.Join(dir, "sdk"), filepath.Join(dir, "nethttp"), nil
}

// BuildProgram builds the main package in dir with go build (the default
// flags, as a merchant would) into out.
func BuildProgram(ctx context.Context, dir, out string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, ".")
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build in %s: %v\n%s", dir, err, b)
	}
	return nil
}

// BinarySizes builds the two programs of BinaryPrograms in a temporary
// directory and returns their sizes.
func BinarySizes(ctx context.Context) (BinarySizeResult, error) {
	sdk, nethttp, err := BinaryPrograms()
	if err != nil {
		return BinarySizeResult{}, err
	}
	tmp, err := os.MkdirTemp("", "kronor-binsize-")
	if err != nil {
		return BinarySizeResult{}, err
	}
	defer os.RemoveAll(tmp)
	size := func(dir, name string) (int64, error) {
		out := filepath.Join(tmp, name)
		if err := BuildProgram(ctx, dir, out); err != nil {
			return 0, err
		}
		fi, err := os.Stat(out)
		if err != nil {
			return 0, err
		}
		return fi.Size(), nil
	}
	var r BinarySizeResult
	if r.SDK, err = size(sdk, "sdk"); err != nil {
		return BinarySizeResult{}, err
	}
	if r.NetHTTP, err = size(nethttp, "nethttp"); err != nil {
		return BinarySizeResult{}, err
	}
	r.Ratio = float64(r.SDK) / float64(r.NetHTTP)
	return r, nil
}
