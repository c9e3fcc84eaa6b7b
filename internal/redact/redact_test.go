package redact

import (
	"reflect"
	"testing"
)

const token = "tok_SENTINEL_secret"

func TestString(t *testing.T) {
	r := New(token)
	for in, want := range map[string]string{
		"":                               "",
		"no token here":                  "no token here",
		"Bearer " + token:                "Bearer [REDACTED]",
		token + " and again " + token:    "[REDACTED] and again [REDACTED]",
		"tok_SENTINEL_secre (truncated)": "tok_SENTINEL_secre (truncated)",
	} {
		if got := r.String(in); got != want {
			t.Errorf("String(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestShortOrNoTokenRedactsNothing(t *testing.T) {
	for _, r := range []Redactor{{}, New(""), New("abc")} {
		if got := r.String("abc def"); got != "abc def" {
			t.Errorf("%+v: String = %q, want the text unchanged", r, got)
		}
		m := map[string]any{"abc": "abc"}
		if got := r.Map(m); !reflect.DeepEqual(got, map[string]any{"abc": "abc"}) {
			t.Errorf("%+v: Map = %v, want it unchanged", r, got)
		}
	}
	if got := New("abcd").String("xabcdx"); got != "x[REDACTED]x" {
		t.Errorf("a 4-byte token: String = %q, want it redacted", got)
	}
}

// TestValueNestedPath: a path as decoded from JSON, with the token in a
// field name, inside a nested list and inside an object; numbers and other
// values are kept.
func TestValueNestedPath(t *testing.T) {
	path := []any{"ping", 2.0, "Bearer " + token, []any{"x", token, []any{token}}, map[string]any{token: token}, true, nil}
	got := New(token).Value(path)
	want := []any{"ping", 2.0, "Bearer [REDACTED]", []any{"x", "[REDACTED]", []any{"[REDACTED]"}}, map[string]any{"[REDACTED]": "[REDACTED]"}, true, nil}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Value = %#v, want %#v", got, want)
	}
	if !reflect.DeepEqual(path, want) {
		t.Errorf("the list was not redacted in place: %#v", path)
	}
}

// TestMapExtensions: extensions with the token in keys and values, at the
// top and nested; a key renamed by the redaction keeps its (redacted) value.
func TestMapExtensions(t *testing.T) {
	ext := map[string]any{
		"code":            "invalid-jwt",
		"header":          []any{"Bearer " + token},
		"Bearer " + token: "echoed as a key",
		token:             token,
		"internal": map[string]any{
			"request": map[string]any{"headers": map[string]any{"Authorization": "Bearer " + token, token + "-key": 1.5}},
		},
	}
	got := New(token).Map(ext)
	want := map[string]any{
		"code":              "invalid-jwt",
		"header":            []any{"Bearer [REDACTED]"},
		"Bearer [REDACTED]": "echoed as a key",
		"[REDACTED]":        "[REDACTED]",
		"internal": map[string]any{
			"request": map[string]any{"headers": map[string]any{"Authorization": "Bearer [REDACTED]", "[REDACTED]-key": 1.5}},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Map = %#v, want %#v", got, want)
	}
	if !reflect.DeepEqual(ext, want) {
		t.Errorf("the map was not redacted in place: %#v", ext)
	}
	if New(token).Map(nil) != nil {
		t.Error("Map(nil) is not nil")
	}
}
