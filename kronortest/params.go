package kronortest

import (
	"encoding/json"
	"github.com/kronor-io/kronor-go/kronortest/internal/bounded"

	"github.com/99designs/gqlgen/graphql"
)

// decodeParams decodes the usual request body, one GraphQL request, to what
// a json.Decoder with UseNumber decodes into a graphql.RawParams, without
// encoding/json's reflection and second pass over the input: the query,
// operationName, variables and extensions members, each at most once, and
// nothing that needs more care to decode the same way (another member, a
// string with a \u escape or a byte outside printable ASCII, a member of
// another type than its field's, nesting deeper than maxQueryDepth+1). For
// any other body it reports false, and the caller decodes it with
// encoding/json, which then also gives its errors. What follows the object
// is ignored, as json.Decoder.Decode ignores what follows the first value.
//
// The query and every object key are taken from in (when not nil), which
// hands out one copy of each text it has seen, instead of a new copy per
// request: clients send the same few queries and variable names again and
// again.
func decodeParams(body []byte, in *interner) (*graphql.RawParams, bool) {
	d := paramsDecoder{b: body, in: in}
	d.space()
	if !d.consume('{') {
		return nil, false
	}
	p := &graphql.RawParams{}
	var seen [4]bool
	ok := d.members(func(key string) bool {
		i := -1
		switch key {
		case "query":
			i = 0
		case "operationName":
			i = 1
		case "variables":
			i = 2
		case "extensions":
			i = 3
		}
		if i < 0 || seen[i] {
			return false
		}
		seen[i] = true
		if d.literal("null") {
			// null leaves the field as it is, as encoding/json does.
		} else if i == 0 {
			var ok bool
			if p.Query, ok = d.key(); !ok { // interned, as keys are
				return false
			}
		} else if i == 1 {
			var ok bool
			if p.OperationName, ok = d.string(); !ok {
				return false
			}
		} else {
			if d.peek() != '{' {
				return false
			}
			v, ok := d.value(1)
			if !ok {
				return false
			}
			if i == 2 {
				p.Variables = v.(map[string]any)
			} else {
				p.Extensions = v.(map[string]any)
			}
		}
		return true
	})
	if !ok {
		return nil, false
	}
	return p, true
}

// paramsDecoder reads a JSON text from b at i.
type paramsDecoder struct {
	b  []byte
	i  int
	in *interner // of keys and queries; nil: none
}

// interner hands out one shared copy of each text it is given, so that a
// text that comes again and again (a query, a variable's name) is not
// copied again. It is safe for concurrent use, holds at most texts.Limit
// texts, and keeps none longer than maxLen.
type interner struct {
	texts  bounded.Cache[string, string]
	maxLen int
}

// intern returns a string equal to b: the shared copy, or a new one.
func (in *interner) intern(b []byte) string {
	if in == nil || len(b) > in.maxLen {
		return string(b)
	}
	return bounded.Intern(&in.texts, b)
}

// key reads an object key (or a query) as string does, and interns it
// (d.in) when it has no escapes.
func (d *paramsDecoder) key() (string, bool) { return d.scan(d.in) }

// maxParamsDepth bounds the nesting decodeParams decodes itself; deeper
// variables are refused anyway (checkVariablesDepth).
const maxParamsDepth = maxQueryDepth + 1

func (d *paramsDecoder) peek() byte {
	if d.i < len(d.b) {
		return d.b[d.i]
	}
	return 0
}

func (d *paramsDecoder) space() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *paramsDecoder) consume(c byte) bool {
	if d.peek() == c {
		d.i++
		return true
	}
	return false
}

// literal consumes lit (true, false or null) if it is next.
func (d *paramsDecoder) literal(lit string) bool {
	if len(d.b)-d.i >= len(lit) && string(d.b[d.i:d.i+len(lit)]) == lit {
		d.i += len(lit)
		return true
	}
	return false
}

// string reads a string of printable ASCII whose escapes are all of one
// character (\" \\ \/ \b \f \n \r \t).
func (d *paramsDecoder) string() (string, bool) { return d.scan(nil) }

// scan reads a string as string does, interned by in (nil: a new copy)
// when it has no escapes.
func (d *paramsDecoder) scan(in *interner) (string, bool) {
	if !d.consume('"') {
		return "", false
	}
	start := d.i
	for d.i < len(d.b) {
		switch c := d.b[d.i]; {
		case c == '"':
			s := in.intern(d.b[start:d.i])
			d.i++
			return s, true
		case c == '\\':
			return d.escapedString(start)
		case c < 0x20 || c >= 0x7f:
			return "", false
		default:
			d.i++
		}
	}
	return "", false
}

// escapedString reads the rest of a string that started at start and has an
// escape at d.i.
func (d *paramsDecoder) escapedString(start int) (string, bool) {
	out := append(make([]byte, 0, d.i-start+16), d.b[start:d.i]...)
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			d.i++
			return string(out), true
		case c == '\\':
			if d.i+1 >= len(d.b) {
				return "", false
			}
			var r byte
			switch d.b[d.i+1] {
			case '"', '\\', '/':
				r = d.b[d.i+1]
			case 'b':
				r = '\b'
			case 'f':
				r = '\f'
			case 'n':
				r = '\n'
			case 'r':
				r = '\r'
			case 't':
				r = '\t'
			default: // \u, or not an escape
				return "", false
			}
			out = append(out, r)
			d.i += 2
		case c < 0x20 || c >= 0x7f:
			return "", false
		default:
			out = append(out, c)
			d.i++
		}
	}
	return "", false
}

// members reads the rest of an object whose '{' has been consumed: for each
// member it reads the key and the colon, then calls member, which reads the
// value and reports whether it could.
func (d *paramsDecoder) members(member func(key string) bool) bool {
	d.space()
	if d.consume('}') {
		return true
	}
	for {
		d.space()
		key, ok := d.key()
		if !ok {
			return false
		}
		d.space()
		if !d.consume(':') {
			return false
		}
		d.space()
		if !member(key) {
			return false
		}
		d.space()
		if d.consume('}') {
			return true
		}
		if !d.consume(',') {
			return false
		}
	}
}

// value reads any JSON value as encoding/json decodes it into an any with
// UseNumber: objects as map[string]any, arrays as []any, numbers as
// json.Number.
func (d *paramsDecoder) value(depth int) (any, bool) {
	if depth > maxParamsDepth {
		return nil, false
	}
	switch c := d.peek(); {
	case c == '{':
		d.i++
		m := map[string]any{}
		ok := d.members(func(k string) bool {
			v, ok := d.value(depth + 1)
			m[k] = v
			return ok
		})
		if !ok {
			return nil, false
		}
		return m, true
	case c == '[':
		d.i++
		a := make([]any, 0)
		d.space()
		if d.consume(']') {
			return a, true
		}
		for {
			d.space()
			v, ok := d.value(depth + 1)
			if !ok {
				return nil, false
			}
			a = append(a, v)
			d.space()
			if d.consume(']') {
				return a, true
			}
			if !d.consume(',') {
				return nil, false
			}
		}
	case c == '"':
		return d.string()
	case c == '-' || c >= '0' && c <= '9':
		return d.number()
	case d.literal("true"):
		return true, true
	case d.literal("false"):
		return false, true
	case d.literal("null"):
		return nil, true
	}
	return nil, false
}

// number reads a number by JSON's grammar:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (d *paramsDecoder) number() (json.Number, bool) {
	start := d.i
	d.consume('-')
	switch c := d.peek(); {
	case c == '0':
		d.i++
	case c >= '1' && c <= '9':
		d.digits()
	default:
		return "", false
	}
	if d.consume('.') && !d.digits() {
		return "", false
	}
	if c := d.peek(); c == 'e' || c == 'E' {
		d.i++
		if c := d.peek(); c == '+' || c == '-' {
			d.i++
		}
		if !d.digits() {
			return "", false
		}
	}
	return json.Number(d.b[start:d.i]), true
}

// digits consumes [0-9]* and reports whether there was one.
func (d *paramsDecoder) digits() bool {
	start := d.i
	for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
		d.i++
	}
	return d.i > start
}
