// The QR decoder of cmd/kronor's tests (see main.go), a module of its own so
// that the SDK's go.mod does not require it.
module qrdecode

go 1.25.0

require github.com/makiuchi-d/gozxing v0.1.1

require (
	golang.org/x/text v0.3.7 // indirect
	golang.org/x/xerrors v0.0.0-20200804184101-5ec99f83aff1 // indirect
)
