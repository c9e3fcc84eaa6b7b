// Package validatetest helps the domain packages' tests prove their input
// validation: that every string field of their parameters passes through a
// validate.Collector check, that refused input sends nothing (a counting
// endpoint), and, for fuzz targets, a recording endpoint and rules written
// out independently of internal/validate.
package validatetest

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"github.com/kronor-io/kronor-go/client"
	"github.com/kronor-io/kronor-go/internal/validate"
)

// StringField is one string field reachable from a parameters value.
type StringField struct {
	// Path is the Go path of the field, e.g.
	// "AdditionalData.ShippingAddress.City" or "AdditionalData.OrderLines[1].Name".
	Path string
	// Plain reports whether the field's type is string itself rather than a
	// named string type (an enum such as sessions.Currency).
	Plain bool
}

// StringFields lists every string field (of type string or of a named string
// type) reachable from the struct p points to: through embedded and nested
// structs, non-nil pointers to structs and the elements of slices of structs.
// The order is that of the declarations.
func StringFields(p any) []StringField {
	var out []StringField
	walk(reflect.ValueOf(p).Elem(), "", func(path string, v reflect.Value) {
		out = append(out, StringField{Path: path, Plain: v.Type() == reflect.TypeFor[string]()})
	})
	return out
}

// Set sets the string field at path (as listed by StringFields) in the struct
// p points to. It panics when path names no such field.
func Set(p any, path, s string) {
	found := false
	walk(reflect.ValueOf(p).Elem(), "", func(fp string, v reflect.Value) {
		if fp == path {
			v.SetString(s)
			found = true
		}
	})
	if !found {
		panic("validatetest: no string field " + path)
	}
}

func walk(v reflect.Value, path string, visit func(string, reflect.Value)) {
	switch v.Kind() {
	case reflect.String:
		visit(path, v)
	case reflect.Pointer:
		if !v.IsNil() {
			walk(v.Elem(), path, visit)
		}
	case reflect.Slice:
		for i := range v.Len() {
			walk(v.Index(i), path+"["+strconv.Itoa(i)+"]", visit)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			p := f.Name
			if path != "" {
				p = path + "." + f.Name
			}
			if f.Anonymous {
				p = path // an embedded struct's fields read as the outer's
			}
			walk(v.Field(i), p, visit)
		}
	}
}

// Invalid is a string that is not valid UTF-8.
const Invalid = "ok\xff"

// CheckRefused checks the outcome of a call whose field f was set to Invalid:
// a *client.ValidationError (errors.Is ErrInvalidInput), nothing sent, and,
// for a plain string field, a violation of validate.RuleUTF8 (a named string
// type may be refused by its own rule instead, e.g. "must be one of").
func CheckRefused(t testing.TB, f StringField, err error, sent int64) {
	t.Helper()
	var ve *client.ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, client.ErrInvalidInput) {
		t.Errorf("%s = %q: err = %v, want a *client.ValidationError", f.Path, Invalid, err)
		return
	}
	if sent != 0 {
		t.Errorf("%s = %q: %d requests sent, want none", f.Path, Invalid, sent)
	}
	if !f.Plain {
		return
	}
	for _, v := range ve.Violations {
		if strings.HasPrefix(v.Rule, validate.RuleUTF8) {
			return
		}
	}
	t.Errorf("%s = %q: violations %v, want one of %q", f.Path, Invalid, ve.Violations, validate.RuleUTF8)
}

// CheckPasses checks that a call with the unmodified parameters passed
// validation (it may fail later, at a test server that refuses everything),
// so the refusals CheckRefused sees come from the field set to Invalid.
func CheckPasses(t testing.TB, err error) {
	t.Helper()
	var ve *client.ValidationError
	if errors.As(err, &ve) {
		t.Fatalf("the valid parameters were refused: %v", err)
	}
}

// CountingClient returns a client with token whose endpoint counts the
// requests it gets and answers none usefully (418, one attempt): validation
// tests prove nothing was sent. The endpoint closes when the test ends.
func CountingClient(t testing.TB, token string) (*client.Client, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		http.Error(w, "unexpected request", http.StatusTeapot)
	}))
	t.Cleanup(srv.Close)
	c, err := client.New(token, client.WithEndpoint(srv.URL+"/v1/graphql"), client.WithMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	return c, &n
}

// CountingSession is CountingClient for a session token: the session client
// of a counting merchant client.
func CountingSession(t testing.TB, token string) (*client.Session, *atomic.Int64) {
	t.Helper()
	c, n := CountingClient(t, "merchant-token")
	return c.Session(token), n
}

// CheckViolation checks the outcome of a call with one invalid input: a
// *client.ValidationError (errors.Is ErrInvalidInput) with exactly one
// violation, of field, whose rule contains rule; and sent, the number of
// requests the server got, is 0.
func CheckViolation(t testing.TB, err error, field, rule string, sent int64) {
	t.Helper()
	var ve *client.ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, client.ErrInvalidInput) {
		t.Fatalf("error = %v, want a *client.ValidationError", err)
	}
	if len(ve.Violations) != 1 || ve.Violations[0].Field != field || !strings.Contains(ve.Violations[0].Rule, rule) {
		t.Fatalf("violations = %v, want %s: …%s…", ve.Violations, field, rule)
	}
	if sent != 0 {
		t.Fatalf("%d requests reached the server", sent)
	}
}

// Recorder is a stub gateway for fuzz targets: an httptest server that
// answers every request with one fixed body and keeps the bodies it got.
type Recorder struct {
	srv    *httptest.Server
	mu     sync.Mutex
	bodies [][]byte
}

// NewRecorder starts a Recorder answering answer (JSON); it closes when tb
// ends.
func NewRecorder(tb testing.TB, answer string) *Recorder {
	r := &Recorder{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.bodies = append(r.bodies, body)
		r.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, answer)
	}))
	tb.Cleanup(r.srv.Close)
	return r
}

// Session returns a session client for the recorder (see Client).
func (r *Recorder) Session(tb testing.TB) *client.Session {
	tb.Helper()
	return r.Client(tb).Session("session-token")
}

// Client returns a merchant client for the recorder, on its HTTP client, that
// makes one attempt per call.
func (r *Recorder) Client(tb testing.TB) *client.Client {
	tb.Helper()
	c, err := client.New("merchant-token", client.WithEndpoint(r.srv.URL+"/v1/graphql"),
		client.WithHTTPClient(r.srv.Client()), client.WithMaxAttempts(1))
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// Seen returns the number of requests so far and the last body.
func (r *Recorder) Seen() (int, []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.bodies) == 0 {
		return 0, nil
	}
	return len(r.bodies), r.bodies[len(r.bodies)-1]
}

// Body returns the body of request i (0 is the first).
func (r *Recorder) Body(i int) []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.bodies[i]
}

// Rules the fuzz targets check the packages against, written out again
// independently of internal/validate, so that a mistake in one is caught by
// the other.

// KeyRule is an idempotency key: 1 to 64 characters of A-Z a-z 0-9 - _ . , [ ] +.
var KeyRule = regexp.MustCompile(`^[A-Za-z0-9\-_.,\[\]+]{1,64}$`)

// MessageOK reports whether s is a valid session or refund message: 1 to 50
// characters of A-Z a-z 0-9 å ä ö é Å Ä Ö É : ; . , ? ! ( ) ” " and space, not
// only spaces (and valid UTF-8).
func MessageOK(s string) bool {
	if strings.TrimSpace(s) == "" || !utf8.ValidString(s) || utf8.RuneCountInString(s) > 50 {
		return false
	}
	for _, r := range s {
		ok := ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9') ||
			strings.ContainsRune("åäöéÅÄÖÉ:;.,?!()”\" ", r)
		if !ok {
			return false
		}
	}
	return true
}
