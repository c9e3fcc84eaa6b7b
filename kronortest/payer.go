package kronortest

import (
	"html/template"
	"net/http"
	"strings"
)

var payerPage = template.Must(template.New("pay").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>kronortest payment</title></head>
<body style="font-family: sans-serif; max-width: 32em; margin: 2em auto">
<h1>kronortest {{.Kind}} payment</h1>
<p>Payment request <code>{{.WaitToken}}</code> is <strong>{{.Status}}</strong>.</p>
{{if .Message}}<p>{{.Message}}</p>{{end}}
<form method="post"><button name="action" value="approve">Pay</button>
<button name="action" value="decline">Decline</button></form>
</body></html>`))

// servePayerPage is the customer's side of a payment (the sessionUrl, payUrl,
// paymentUrl of the details): a page that shows the request's status and lets a
// person pay or decline it.
func (s *Server) servePayerPage(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, "/pay/"), "/"), "/")
	if len(parts) < 2 {
		http.NotFound(w, r)
		return
	}
	kind, waitToken := parts[0], parts[1]
	var msg string
	if r.Method == http.MethodPost {
		var err error
		switch r.FormValue("action") {
		case "approve":
			err = s.Approve(waitToken)
		case "decline":
			err = s.Decline(waitToken)
		default:
			http.Error(w, "unknown action", http.StatusBadRequest)
			return
		}
		if err != nil {
			msg = err.Error()
		}
	}
	st, err := s.PaymentRequestStatus(waitToken)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = payerPage.Execute(w, struct{ Kind, WaitToken, Status, Message string }{kind, waitToken, string(st), msg})
}
