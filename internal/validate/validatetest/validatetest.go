// Package validatetest helps the domain packages' tests prove that every
// string field of their parameters passes through a validate.Collector check.
package validatetest

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

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
