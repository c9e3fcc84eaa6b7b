package paging

import (
	"testing"
	"time"
)

// The cursor text round-trips, the empty text is the zero cursor, and every
// other text that is not <RFC 3339 time>/<valid key> is refused.
func TestCursorText(t *testing.T) {
	at := time.Date(2024, 5, 1, 10, 0, 0, 123456000, time.UTC)
	b := FormatCursor(false, at, "42")
	if string(b) != "2024-05-01T10:00:00.123456Z/42" {
		t.Fatalf("FormatCursor = %q", b)
	}
	got, key, empty, ok := ParseCursor(b, PositiveID)
	if !ok || empty || key != "42" || !got.Equal(at) {
		t.Errorf("ParseCursor(%q) = %v %q %v %v", b, got, key, empty, ok)
	}
	if b := FormatCursor(true, at, "42"); len(b) != 0 {
		t.Errorf("the zero cursor formats as %q", b)
	}
	if _, _, empty, ok := ParseCursor(nil, PositiveID); !empty || !ok {
		t.Error("the empty text is not the zero cursor")
	}
	for _, bad := range []string{"42", "yesterday/42", "2024-05-01T10:00:00Z/0", "2024-05-01T10:00:00Z/-1", "2024-05-01T10:00:00Z/x", "2024-05-01T10:00:00Z/"} {
		if _, _, _, ok := ParseCursor([]byte(bad), PositiveID); ok {
			t.Errorf("ParseCursor(%q) accepted", bad)
		}
	}
}
