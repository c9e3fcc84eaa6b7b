package main

import (
	"io"
	"strings"

	"rsc.io/qr"
)

// quietZone is the light margin around a QR code, in modules: the standard's
// four, which readers need to find the code.
const quietZone = 4

// drawQR draws the QR code of data with Unicode half blocks, one character
// for two rows of modules, so that a phone's camera can read it off the
// terminal. A terminal shows a block in its text colour: by default the
// blocks are the light modules and the quiet zone (the text of most
// developers' terminals is light on dark), and with darkText the dark
// modules (for dark text on a light background). Either way the code reads
// dark on light, as readers expect.
func drawQR(w io.Writer, data string, darkText bool) error {
	code, err := qr.Encode(data, qr.M)
	if err != nil {
		return err
	}
	// inked reports whether the module at (x, y) is drawn in the text colour;
	// outside the code (the quiet zone) is light.
	inked := func(x, y int) bool {
		dark := code.Black(x, y)
		if darkText {
			return dark
		}
		return !dark
	}
	var b strings.Builder
	for y := -quietZone; y < code.Size+quietZone; y += 2 {
		for x := -quietZone; x < code.Size+quietZone; x++ {
			top := inked(x, y)
			bottom := y+1 < code.Size+quietZone && inked(x, y+1)
			switch {
			case top && bottom:
				b.WriteRune('█')
			case top:
				b.WriteRune('▀')
			case bottom:
				b.WriteRune('▄')
			default:
				b.WriteRune(' ')
			}
		}
		b.WriteByte('\n')
	}
	_, err = io.WriteString(w, b.String())
	return err
}
