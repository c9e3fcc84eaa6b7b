package sessions

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kronor-io/kronor-go/internal/validate"
)

// Message turns any text, such as an order's title or number, into a message
// the gateway accepts for [Params.Message] (and for a refund's message): at
// most 50 characters of A-Z a-z 0-9 å ä ö é Å Ä Ö É, space and
// : ; . , ? ! ( ) ” ". "Order ORD-4001", which the gateway refuses, becomes
// "Order ORD 4001".
//
// It keeps what is allowed and maps what it can:
//   - Danish, Norwegian and German letters to their Swedish equivalents
//     (æ to ä, ø to ö, ü to u, ß to ss), other accented Latin letters to
//     the letter without its accent (à to a, è to e, ł to l, ñ to n), é is
//     kept;
//   - a letter followed by a combining accent, as å ä ö é are spelled in
//     decomposed text, to the letter it spells;
//   - brackets to ( ), quotation marks to ", and other punctuation and
//     white space (- # / _ & + tab, line break, ...) to a space.
//
// It drops what it cannot map (apostrophes, letters of other scripts, emoji,
// invalid UTF-8), collapses runs of spaces, trims the ends and cuts the result
// to 50 characters. The result is "" when nothing of text is left, which the
// gateway refuses like an empty Message. Message(Message(s)) == Message(s).
func Message(text string) string {
	var b strings.Builder
	b.Grow(min(len(text), 4*validate.MaxMessageLen))
	n := 0         // runes written
	space := false // a space is due before the next rune written
	var last rune  // the rune just written, 0 after anything else
	put := func(r rune) bool {
		if space && n > 0 {
			if n+1 >= validate.MaxMessageLen {
				return false
			}
			b.WriteByte(' ')
			n++
		}
		space = false
		if n >= validate.MaxMessageLen {
			return false
		}
		b.WriteRune(r)
		n++
		last = r
		return true
	}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		if !unicode.Is(unicode.Mn, r) {
			last = 0 // an accent composes only with the letter just written
		}
		switch {
		case r == utf8.RuneError && size <= 1:
			continue // invalid UTF-8: dropped
		case r == ' ':
			space = true
			continue
		case validate.MessageChar(r):
			if !put(r) {
				return b.String()
			}
			continue
		case unicode.Is(unicode.Mn, r):
			// A combining accent: compose the Swedish letters, drop the others.
			if c, ok := composed[[2]rune{last, r}]; ok {
				s := b.String()
				_, lastSize := utf8.DecodeLastRuneInString(s)
				b.Reset()
				b.WriteString(s[:len(s)-lastSize])
				b.WriteRune(c)
				last = c
			}
			continue
		}
		if m, ok := transliterations[r]; ok {
			for _, c := range m {
				if !put(c) {
					return b.String()
				}
			}
			continue
		}
		switch {
		case quotes[r]:
			if !put('"') {
				return b.String()
			}
		case r == '[' || r == '{' || r == '⟨':
			if !put('(') {
				return b.String()
			}
		case r == ']' || r == '}' || r == '⟩':
			if !put(')') {
				return b.String()
			}
		case apostrophes[r]:
			// "Anna's" reads better as "Annas" than as "Anna s".
		case unicode.IsSpace(r), unicode.IsPunct(r), unicode.IsSymbol(r):
			space = true
		}
		// Anything else (letters of other scripts, digits other than
		// ASCII's, control and format characters) is dropped.
	}
	return b.String()
}

// composed are the allowed letters that decomposed text spells as a letter
// and a combining accent.
var composed = map[[2]rune]rune{
	{'a', '\u030a'}: 'å', {'A', '\u030a'}: 'Å',
	{'a', '\u0308'}: 'ä', {'A', '\u0308'}: 'Ä',
	{'o', '\u0308'}: 'ö', {'O', '\u0308'}: 'Ö',
	{'e', '\u0301'}: 'é', {'E', '\u0301'}: 'É',
}

// quotes become the allowed ".
var quotes = map[rune]bool{'“': true, '„': true, '‟': true, '«': true, '»': true, '″': true}

// apostrophes are dropped.
var apostrophes = map[rune]bool{'\'': true, '’': true, '‘': true, '‚': true, '`': true, '´': true, 'ʼ': true}

// transliterations map letters outside the allowed set to allowed text.
var transliterations = func() map[rune]string {
	m := map[rune]string{
		'æ': "ä", 'Æ': "Ä", 'ø': "ö", 'Ø': "Ö", 'ü': "u", 'Ü': "U",
		'ß': "ss", 'ẞ': "SS", 'œ': "oe", 'Œ': "OE", 'þ': "th", 'Þ': "Th",
		'ð': "d", 'Ð': "D", 'đ': "d", 'Đ': "D", 'ł': "l", 'Ł': "L", 'ı': "i",
		'ŀ': "l", 'Ŀ': "L", 'ħ': "h", 'Ħ': "H", 'ŧ': "t", 'Ŧ': "T", 'ĸ': "k",
		'ŉ': "n", 'ŋ': "n", 'Ŋ': "N", 'ſ': "s", 'ĳ': "ij", 'Ĳ': "IJ",
	}
	// Accented Latin letters (Latin-1 Supplement and Latin Extended-A) lose
	// their accent, e.g. "àáâãāăą" → a.
	for base, letters := range map[rune]string{
		'a': "àáâãāăą", 'A': "ÀÁÂÃĀĂĄ", 'c': "çćĉċč", 'C': "ÇĆĈĊČ", 'd': "ď", 'D': "Ď",
		'e': "èêëēĕėęě", 'E': "ÈÊËĒĔĖĘĚ", 'g': "ĝğġģ", 'G': "ĜĞĠĢ", 'h': "ĥ", 'H': "Ĥ",
		'i': "ìíîïĩīĭį", 'I': "ÌÍÎÏĨĪĬĮİ", 'j': "ĵ", 'J': "Ĵ", 'k': "ķ", 'K': "Ķ",
		'l': "ĺļľ", 'L': "ĹĻĽ", 'n': "ñńņň", 'N': "ÑŃŅŇ", 'o': "òóôõōŏő", 'O': "ÒÓÔÕŌŎŐ",
		'r': "ŕŗř", 'R': "ŔŖŘ", 's': "śŝşš", 'S': "ŚŜŞŠ", 't': "ţť", 'T': "ŢŤ",
		'u': "ùúûũūŭůűų", 'U': "ÙÚÛŨŪŬŮŰŲ", 'w': "ŵ", 'W': "Ŵ", 'y': "ýÿŷ", 'Y': "ÝŶŸ",
		'z': "źżž", 'Z': "ŹŻŽ",
	} {
		for _, r := range letters {
			m[r] = string(base)
		}
	}
	return m
}()
