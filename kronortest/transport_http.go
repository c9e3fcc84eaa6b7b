package kronortest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// maxRequestBytes bounds a GraphQL request body.
const maxRequestBytes = 1 << 20

// gqlResponse is a GraphQL response as Hasura writes it: no "data" key when a
// request fails as a whole.
type gqlResponse struct {
	Data       json.RawMessage `json:"data,omitempty"`
	Errors     gqlerror.List   `json:"errors,omitempty"`
	Extensions map[string]any  `json:"extensions,omitempty"`
}

func errList(errs ...*gqlerror.Error) gqlerror.List { return errs }

func writeJSON(w http.ResponseWriter, status int, v any) {
	writeEncoded(w, status, func(buf *bytes.Buffer) error { return encodeResponse(buf, v) })
}

// writeResponse writes r as writeJSON(w, status, r) does, without boxing r
// in an interface for the usual answer, data alone (see encodeResponse).
func writeResponse(w http.ResponseWriter, status int, r gqlResponse) {
	data, ok := r.dataOnly()
	if !ok {
		writeJSON(w, status, r)
		return
	}
	writeEncoded(w, status, func(buf *bytes.Buffer) error { writeData(buf, data); return nil })
}

// writeEncoded writes with status the answer that encode writes into a
// pooled buffer; one that it cannot encode is an internal error.
func writeEncoded(w http.ResponseWriter, status int, encode func(*bytes.Buffer) error) {
	buf := responseBuffers.Get().(*bytes.Buffer)
	defer putResponseBuffer(buf)
	buf.Reset()
	if err := encode(buf); err != nil {
		buf.Reset()
		buf.WriteString(`{"errors":[{"message":"internal error: cannot encode the response","extensions":{"code":"unexpected","path":"$"}}]}`)
		status = http.StatusInternalServerError
	}
	writeBuffer(w, status, buf)
}

// jsonContentType is the Content-Type of every answer, shared: net/http
// copies the header when the handler writes it, and a value of it is
// replaced, never changed in place.
var jsonContentType = []string{"application/json; charset=utf-8"}

// writeBuffer writes the JSON answer in buf with status.
func writeBuffer(w http.ResponseWriter, status int, buf *bytes.Buffer) {
	h := w.Header()
	h["Content-Type"] = jsonContentType // h.Set, without a new slice per answer
	// Hasura names every answer with an x-request-id (one of the
	// client's own, or a new one).
	if h.Get("X-Request-Id") == "" {
		h.Set("X-Request-Id", newUUID())
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// responseBuffers holds the buffers writeJSON encodes responses into, and
// bodyBuffers those postTransport reads request bodies into.
var responseBuffers, bodyBuffers = newBufferPool(), newBufferPool()

func newBufferPool() *sync.Pool {
	return &sync.Pool{New: func() any { return new(bytes.Buffer) }}
}

// maxPooledBuffer is the largest buffer a pool keeps: one that a large
// request or response grew is left to the garbage collector.
const maxPooledBuffer = 64 << 10

// putResponseBuffer returns buf to responseBuffers.
func putResponseBuffer(buf *bytes.Buffer) {
	if buf.Cap() <= maxPooledBuffer {
		responseBuffers.Put(buf)
	}
}

// putBodyBuffer returns buf to bodyBuffers.
func putBodyBuffer(buf *bytes.Buffer) {
	if buf.Cap() <= maxPooledBuffer {
		bodyBuffers.Put(buf)
	}
}

// encodeResponse appends to buf what json.Marshal(v) returns, or fails as it
// does. The usual answer, a response with data and neither errors nor
// extensions, is written directly: {"data":<data>}, data being the JSON that
// gqlgen wrote, which json.Marshal would check, compact and HTML-escape; when
// data is valid, compact and has nothing to escape (plainJSON), those change
// nothing. Anything else goes through json.Marshal.
func encodeResponse(buf *bytes.Buffer, v any) error {
	if data, ok := dataOnly(v); ok {
		writeData(buf, data)
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	buf.Write(b)
	return nil
}

// dataOnly returns the data of a response that json.Marshal writes as
// {"data":<data>}: a gqlResponse with plainJSON data and no errors or
// extensions (gqlgen gives every response an empty map of them, which
// omitempty leaves out).
func dataOnly(v any) (json.RawMessage, bool) {
	r, ok := v.(gqlResponse)
	if !ok {
		return nil, false
	}
	return r.dataOnly()
}

// dataOnly is the function dataOnly for a gqlResponse.
func (r gqlResponse) dataOnly() (json.RawMessage, bool) {
	if len(r.Errors) > 0 || len(r.Extensions) > 0 || len(r.Data) == 0 || !plainJSON(r.Data) {
		return nil, false
	}
	return r.Data, true
}

// writeData writes {"data":<data>}.
func writeData(buf *bytes.Buffer, data json.RawMessage) {
	buf.WriteString(`{"data":`)
	buf.Write(data)
	buf.WriteByte('}')
}

// plainJSON reports whether b is one valid JSON value that json.Marshal
// copies unchanged when it is a json.RawMessage: no whitespace outside
// strings (which it would take out), and none of the characters it escapes
// (<, > and &, and U+2028 and U+2029, whose UTF-8 encodings start with
// 0xE2, so any 0xE2 byte counts).
func plainJSON(b []byte) bool {
	inString, escaped := false, false
	for _, c := range b {
		switch {
		case c == '<' || c == '>' || c == '&' || c == 0xE2:
			return false
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			return false
		}
	}
	return json.Valid(b)
}

// postTransport serves queries and mutations over HTTP POST, with the fake's
// faults, its authentication and Hasura's response shapes.
type postTransport struct{ s *Server }

var _ graphql.Transport = postTransport{}

func (postTransport) Supports(r *http.Request) bool {
	return r.Method == http.MethodPost && r.Header.Get("Upgrade") == ""
}

func (t postTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	s := t.s
	s.requests.Add(1)
	start := graphql.Now()
	// The body is read into a pooled buffer: what is decoded from it is
	// copied out of it (strings, json.Number), so nothing refers to it
	// once the request is answered.
	bodyBuf := bodyBuffers.Get().(*bytes.Buffer)
	defer putBodyBuffer(bodyBuf)
	bodyBuf.Reset()
	_, err := bodyBuf.ReadFrom(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	body := bodyBuf.Bytes()
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeJSON(w, http.StatusRequestEntityTooLarge, gqlResponse{Errors: errList(gwError("request-too-large", "$", "the request body is larger than %d bytes", maxRequestBytes))})
			return
		}
		writeJSON(w, http.StatusBadRequest, gqlResponse{Errors: errList(gwError("invalid-json", "$", "cannot read the request body: %v", err))})
		return
	}
	// A JSON array is a batch, as Hasura takes it: every request of it is
	// run, in order, and answered in an array.
	batch := bytes.HasPrefix(bytes.TrimLeft(body, " \t\r\n"), []byte("["))
	var batchParams []*graphql.RawParams
	var err2 error
	if params, ok := decodeParams(body, &s.texts); ok && !batch {
		batchParams = []*graphql.RawParams{params}
	} else {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if batch {
			// Decoded into a variable of its own: &batchParams would move
			// batchParams to the heap on every request.
			var batchDecoded []*graphql.RawParams
			err2 = dec.Decode(&batchDecoded)
			batchParams = batchDecoded
		} else {
			params := &graphql.RawParams{}
			err2 = dec.Decode(params)
			batchParams = []*graphql.RawParams{params}
		}
	}
	if err2 == nil && slices.Contains(batchParams, nil) {
		err2 = errors.New("null is not a request")
	}
	if err2 != nil {
		writeJSON(w, http.StatusBadRequest, gqlResponse{Errors: errList(gwError("invalid-json", "$", "the request body is not a GraphQL request: %v", err2))})
		return
	}
	read := graphql.TraceTiming{Start: start, End: graphql.Now()}
	for _, p := range batchParams {
		p.Headers, p.ReadTime = r.Header, read
	}
	opName := ""
	if len(batchParams) > 0 {
		opName = batchParams[0].OperationName
	}

	f, faulted := s.faults.pick(func() ast.Operation {
		// A batch holding a mutation is subject to the mutations' faults.
		var kind ast.Operation
		for _, p := range batchParams {
			if k := s.roles.opKind(p.Query, p.OperationName); k != "" && kind != ast.Mutation {
				kind = k
			}
		}
		return kind
	})
	if faulted {
		s.log.Info("kronortest: fault", "fault", f.String(), "operation", opName)
		switch f.kind {
		case faultLatency:
			tm := time.NewTimer(f.latency)
			select {
			case <-tm.C:
			case <-r.Context().Done():
				tm.Stop()
				return
			case <-s.done:
				tm.Stop()
				return
			}
		case faultHTTP503:
			writeJSON(w, http.StatusServiceUnavailable, gqlResponse{Errors: errList(&gqlerror.Error{
				Message:    "service unavailable",
				Extensions: map[string]any{"code": codeUnexpected, "type": "TEMPORARY_FAILURE"},
			})})
			return
		case faultTemporary:
			writeJSON(w, http.StatusOK, gqlResponse{Errors: errList(&gqlerror.Error{
				Message:    "temporary failure, please retry",
				Extensions: map[string]any{"type": "TEMPORARY_FAILURE", "code": codeUnexpected},
			})})
			return
		}
	}

	// Hasura in JWT mode answers a missing or refused token with HTTP 200 and
	// one error: invalid-headers or invalid-jwt, at $.
	id, err := s.store.authenticate(r.Header.Get("Authorization"))
	if err != nil {
		writeJSON(w, http.StatusOK, gqlResponse{Errors: errList(err.(*authError).gql())})
		return
	}
	ctx := withIdentity(r.Context(), id)
	var one gqlResponse // the response of a request that is not a batch
	var outs []gqlResponse
	if batch {
		outs = make([]gqlResponse, len(batchParams))
		for i, params := range batchParams {
			outs[i] = runOne(ctx, exec, params)
		}
	} else {
		one = runOne(ctx, exec, batchParams[0])
	}
	if faulted && f.kind == faultDropAfterCommit {
		// The mutation is committed; the response is lost with the connection.
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			_ = conn.Close()
		}
		return
	}
	if batch {
		writeJSON(w, http.StatusOK, outs)
		return
	}
	writeResponse(w, http.StatusOK, one)
}

// runOne runs one request of a POST (a batch holds several) and returns its
// response in Hasura's shape.
func runOne(ctx context.Context, exec graphql.GraphExecutor, params *graphql.RawParams) gqlResponse {
	ctx = graphql.StartOperationTrace(ctx)
	rc, errs := exec.CreateOperationContext(ctx, params)
	var resp *graphql.Response
	switch {
	case errs != nil:
		resp = exec.DispatchError(graphql.WithOperationContext(ctx, rc), errs)
	case rc.Operation.Operation == ast.Subscription:
		resp = exec.DispatchError(graphql.WithOperationContext(ctx, rc), errList(
			gwError(codeValidationFailed, "$", "subscriptions are served over a websocket at this path, not over HTTP")))
	default:
		handle, rctx := exec.DispatchOperation(ctx, rc)
		resp = handle(rctx)
	}
	out := gqlResponse{Errors: resp.Errors, Extensions: resp.Extensions}
	if len(resp.Data) > 0 && !bytes.Equal(resp.Data, []byte("null")) {
		out.Data = resp.Data
	} else if len(resp.Errors) == 0 {
		out.Data = json.RawMessage("null")
	}
	return out
}

// presentError gives every error Hasura's shape: a message and extensions with
// code and path; no locations. gqlgen's own validation errors become
// validation-failed errors with the path of the offending argument when it can
// be found.
func presentError(ctx context.Context, err error) *gqlerror.Error {
	var gerr *gqlerror.Error
	if !errors.As(err, &gerr) {
		gerr = &gqlerror.Error{Message: err.Error()}
	} else {
		cp := *gerr
		gerr = &cp
	}
	ext := map[string]any{}
	for k, v := range gerr.Extensions {
		ext[k] = v
	}
	code, _ := ext["code"].(string)
	if code == "" || code == "GRAPHQL_VALIDATION_FAILED" || code == "GRAPHQL_PARSE_FAILED" {
		ext["code"] = codeValidationFailed
	}
	if code == "GRAPHQL_PARSE_FAILED" {
		// Hasura: a query that does not parse is invalid at $.query.
		ext["path"] = "$.query"
		if !strings.Contains(gerr.Message, "token limit") {
			gerr.Message = notAValidQuery
		}
	}
	if _, ok := ext["path"]; !ok {
		ext["path"] = hasuraPath(ctx, gerr.Path)
	}
	gerr.Extensions = ext
	gerr.Path = nil
	gerr.Locations = nil
	gerr.Rule = ""
	gerr.Err = nil
	return gerr
}

// hasuraPath turns a gqlgen error path into Hasura's JSON path. A variable's
// path ("variable", "payment", "amount") becomes the path of the argument that
// takes the variable: $.selectionSet.newPaymentSession.args.payment.amount.
func hasuraPath(ctx context.Context, p ast.Path) string {
	if len(p) == 0 {
		return "$"
	}
	if n, ok := p[0].(ast.PathName); ok && n == "variable" && len(p) > 1 {
		if v, ok := p[1].(ast.PathName); ok {
			rest := pathString(p[2:])
			if graphql.HasOperationContext(ctx) {
				if op := graphql.GetOperationContext(ctx).Operation; op != nil {
					for _, sel := range op.SelectionSet {
						f, ok := sel.(*ast.Field)
						if !ok {
							continue
						}
						for _, a := range f.Arguments {
							if a.Value != nil && a.Value.Kind == ast.Variable && a.Value.Raw == string(v) {
								return "$.selectionSet." + f.Name + ".args." + a.Name + rest
							}
						}
					}
				}
			}
			return "$.variableValues." + string(v) + rest
		}
	}
	// An argument's path (field, argument, input fields…) becomes
	// $.selectionSet.field.args.argument….
	if n, ok := p[0].(ast.PathName); ok && len(p) > 1 && graphql.HasOperationContext(ctx) {
		if a, ok := p[1].(ast.PathName); ok {
			if op := graphql.GetOperationContext(ctx).Operation; op != nil {
				for _, sel := range op.SelectionSet {
					if f, ok := sel.(*ast.Field); ok && (f.Alias == string(n) || f.Name == string(n)) && f.Arguments.ForName(string(a)) != nil {
						return "$.selectionSet." + f.Name + ".args" + pathString(p[1:])
					}
				}
			}
		}
	}
	return "$.selectionSet" + pathString(p)
}

func pathString(p ast.Path) string {
	var b strings.Builder
	for _, e := range p {
		switch e := e.(type) {
		case ast.PathName:
			b.WriteByte('.')
			b.WriteString(string(e))
		case ast.PathIndex:
			b.WriteByte('[')
			b.WriteString(itoa(int64(e)))
			b.WriteByte(']')
		}
	}
	return b.String()
}
