package payments

// NextStep is what the merchant shows the customer to pay a started
// payment, as the gateway has it: where to send the customer, or what to
// show. At most a few fields are set, according to the method and flow:
//
//   - card, MobilePay, Vipps, Przelewy24, bank transfer: PaymentURL, the
//     hosted page (redirect the customer's browser, or open it in the app);
//     PayPal: PaymentURL, the payer's approval page;
//   - Swish (mcom flow): SwishQRCode, to render as a QR code for a customer
//     paying with Swish on another device, and SwishAppLink, the swish://
//     link that opens Swish on the customer's own device;
//   - MobilePay with the QR user flow: MobilePayQRCodeURL too.
//
// A Swish payment started with the customer's number (the ecom flow) and a
// MobilePay or Vipps push message have nothing to show: the customer is
// asked in their app.
type NextStep struct {
	// PaymentURL is the hosted page where the customer pays (or approves,
	// for PayPal).
	PaymentURL string
	// SwishQRCode is the data of the Swish QR code, to render as a QR code.
	SwishQRCode string
	// SwishAppLink is the swish:// link that opens the Swish app on the
	// customer's device (Kronor's own iOS SDK opens it).
	SwishAppLink string
	// MobilePayQRCodeURL is the image URL of MobilePay's QR code.
	MobilePayQRCodeURL string
	// Request is the payment request as read when the step was known (or
	// when it ended).
	Request Request
}

// Ready reports whether there is something to show the customer.
func (s NextStep) Ready() bool {
	return s.PaymentURL != "" || s.SwishQRCode != "" || s.SwishAppLink != "" || s.MobilePayQRCodeURL != ""
}

// Ended reports whether the payment request has reached its end
// (Request.Status is final): it was paid, authorized, declined, cancelled
// or failed before, or without, the customer being shown anything.
func (s NextStep) Ended() bool { return s.Request.Status.Final() }

// NextStep returns what the request says the customer is to be shown. Only
// a request read with the session token (List, Latest, and the session
// watcher of package subscriptions) carries it.
func (r Request) NextStep() NextStep {
	return NextStep{
		PaymentURL:         r.PaymentURL,
		SwishQRCode:        r.SwishQRCode,
		SwishAppLink:       r.SwishAppLink,
		MobilePayQRCodeURL: r.QRCodeURL,
		Request:            r,
	}
}
