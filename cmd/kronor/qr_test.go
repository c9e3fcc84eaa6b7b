package main

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The decoder is testdata/qrdecode, a module of its own (gozxing, a port of
// ZXing), built once per test run, so that the SDK's go.mod does not require
// a QR decoder for every importer's module graph.
var decoder struct {
	once sync.Once
	path string
	err  error
	out  []byte
}

func qrdecoder(t *testing.T) string {
	t.Helper()
	decoder.once.Do(func() {
		dir, err := os.MkdirTemp("", "kronor-qrdecode-")
		if err != nil {
			decoder.err = err
			return
		}
		decoder.path = filepath.Join(dir, "qrdecode")
		cmd := exec.Command("go", "build", "-o", decoder.path, ".")
		cmd.Dir = filepath.Join("testdata", "qrdecode")
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly")
		decoder.out, decoder.err = cmd.CombinedOutput()
	})
	if decoder.err != nil {
		t.Fatalf("building testdata/qrdecode: %v\n%s", decoder.err, decoder.out)
	}
	return decoder.path
}

// terminalImage renders text drawn with half blocks as a terminal shows it:
// each character a cell one module wide and two tall, its blocks in the text
// colour fg, the rest in the background colour bg, scale pixels a module.
func terminalImage(t *testing.T, text string, fg, bg color.Gray, scale int) image.Image {
	t.Helper()
	rows := strings.Split(strings.TrimRight(text, "\n"), "\n")
	width := 0
	for _, r := range rows {
		width = max(width, len([]rune(r)))
	}
	img := image.NewGray(image.Rect(0, 0, width*scale, len(rows)*2*scale))
	for i := range img.Pix {
		img.Pix[i] = bg.Y
	}
	paint := func(cx, my int) {
		for y := my * scale; y < (my+1)*scale; y++ {
			for x := cx * scale; x < (cx+1)*scale; x++ {
				img.SetGray(x, y, fg)
			}
		}
	}
	for ry, row := range rows {
		for cx, r := range []rune(row) {
			switch r {
			case '█':
				paint(cx, 2*ry)
				paint(cx, 2*ry+1)
			case '▀':
				paint(cx, 2*ry)
			case '▄':
				paint(cx, 2*ry+1)
			case ' ':
			default:
				t.Fatalf("the QR drawing has %q at row %d, column %d", r, ry, cx)
			}
		}
	}
	return img
}

// decodeQR decodes the QR code in img with the test-only decoder.
func decodeQR(t *testing.T, img image.Image) (string, error) {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(qrdecoder(t))
	cmd.Stdin = &b
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", &decodeError{err: err, stderr: stderr.String()}
	}
	return string(out), nil
}

type decodeError struct {
	err    error
	stderr string
}

func (e *decodeError) Error() string { return e.err.Error() + ": " + e.stderr }

var (
	light = color.Gray{Y: 0xee}
	dark  = color.Gray{Y: 0x22}
)

// TestQRCodeReadsBack draws codes for a terminal with light text on a dark
// background (the default) and for dark text on a light one, renders each as
// that terminal shows it, and decodes it with a decoder that reads codes as a
// camera app does (dark on light, no inversion): the data comes back. Drawn
// for the wrong terminal, the same code shows inverted, and the decoder does
// not read it: the test can tell a right drawing from a wrong one.
func TestQRCodeReadsBack(t *testing.T) {
	for _, data := range []string{
		"D6a0cd5e0-4b3e-4c5f-9b8e-2f1f2d9c0e11", // a Swish token's shape
		"D" + strings.Repeat("0123456789abcdef", 8),
		"https://kronor.io/pay?x=1&y=åäö",
	} {
		for _, tc := range []struct {
			name     string
			darkText bool
			fg, bg   color.Gray
		}{
			{"light text on dark", false, light, dark},
			{"dark text on light", true, dark, light},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var b strings.Builder
				if err := drawQR(&b, data, tc.darkText); err != nil {
					t.Fatal(err)
				}
				got, err := decodeQR(t, terminalImage(t, b.String(), tc.fg, tc.bg, 4))
				if err != nil || got != data {
					t.Fatalf("decoded %q (%v), want %q; drawing:\n%s", got, err, data, b.String())
				}
				// The wrong terminal's colours invert the code.
				if got, err := decodeQR(t, terminalImage(t, b.String(), tc.bg, tc.fg, 4)); err == nil {
					t.Fatalf("the inverted drawing decoded too (%q): the check cannot fail", got)
				}
			})
		}
	}
}
