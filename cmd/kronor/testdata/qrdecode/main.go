// Command qrdecode is the QR decoder of cmd/kronor's tests: it reads a PNG
// image from standard input, decodes the QR code in it with gozxing (a port of
// ZXing, the decoder of many phones' camera apps), and prints the decoded text.
// It is its own module, beside the tests in testdata, so that the decoder and
// its requirements stay out of the SDK's go.mod, whose requirements every
// importer's module graph inherits.
package main

import (
	"fmt"
	"image/png"
	"os"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

func main() {
	img, err := png.Decode(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "qrdecode: reading the PNG:", err)
		os.Exit(1)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		fmt.Fprintln(os.Stderr, "qrdecode:", err)
		os.Exit(1)
	}
	// No hints: no TRY_HARDER, no PURE_BARCODE, no inversion; the code must
	// be found as a camera app finds it, dark modules on a light background.
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "qrdecode: no QR code:", err)
		os.Exit(1)
	}
	fmt.Print(res.GetText())
}
