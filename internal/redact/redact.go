// Package redact writes the HTTP traces of this tool's clients (auth0client
// for Auth0, wso2client for WSO2 API Manager) with every secret replaced by
// [REDACTED]: the credentials of a request's headers, the secret fields of a
// JSON or form body and of a URL's query, anything that looks like a JWT,
// and every secret value the client has handled (Secrets), wherever it
// appears. The one place a trace is redacted.
package redact

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Mark replaces every secret value in a trace.
const Mark = "[REDACTED]"

// maxTraceBody is how much of a body a trace shows, after redaction.
const maxTraceBody = 64 << 10

// maxRedactBody is the largest body the trace reads to redact; a longer one
// is not shown at all (a cut JSON document cannot be redacted field by field).
const maxRedactBody = 8 << 20

// sensitiveKeys are form, query and JSON field names whose values never
// appear in a trace (compared case-insensitively): OAuth's, Auth0's and
// WSO2's own spellings.
var sensitiveKeys = []string{
	"client_secret", "password", "access_token", "id_token", "refresh_token", "token",
	"client_assertion", "signing_secret", "code_verifier", "subject_token", "secret",
	"clientsecret", "consumersecret", "accesstoken", "revoketoken",
}

// sensitiveHeaders never appear in a trace (their scheme does).
var sensitiveHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie"}

// jwtPattern matches anything that looks like a JWT (or a JWE's first parts).
var jwtPattern = regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]*)?`)

func isSensitiveKey(k string) bool {
	return slices.Contains(sensitiveKeys, strings.ToLower(k))
}

// Secrets holds secret values a client has handled (its own credentials,
// the secrets of what it read or made, passwords it sent, tokens it got), so
// that a trace can scrub them wherever they appear, whatever the field. The
// zero value is ready; it is safe for concurrent use.
type Secrets struct {
	mu     sync.Mutex
	values []string
}

// Add keeps v to be scrubbed (a value under 4 characters is not: it would
// mangle the trace).
func (s *Secrets) Add(v string) {
	if len(v) < 4 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !slices.Contains(s.values, v) {
		s.values = append(s.values, v)
	}
}

// Scrub replaces every kept value in text, as it is and as a query or a
// JSON string spells it.
func (s *Secrets) Scrub(text string) string {
	s.mu.Lock()
	vals := slices.Clone(s.values)
	s.mu.Unlock()
	// Longest first, so a secret containing another is scrubbed whole.
	sort.Slice(vals, func(i, j int) bool { return len(vals[i]) > len(vals[j]) })
	for _, v := range vals {
		text = strings.ReplaceAll(text, v, Mark)
		if q := url.QueryEscape(v); q != v {
			text = strings.ReplaceAll(text, q, Mark)
		}
		if b, err := json.Marshal(v); err == nil {
			if inner := string(b[1 : len(b)-1]); inner != v {
				text = strings.ReplaceAll(text, inner, Mark)
			}
		}
	}
	return text
}

// Transport is an http.RoundTripper that writes each exchange through Next,
// redacted, to W: the request line, headers and body, then the status,
// headers and body of the answer (or the error). The caller reads the
// bodies whole as if there were no trace.
type Transport struct {
	Next    http.RoundTripper
	W       io.Writer
	Secrets *Secrets // nil: only what the fields and the JWT pattern show
	// TextBodies shows a body that is neither JSON nor a form as text
	// (scrubbed of JWTs and Secrets); when false such a body is shown only
	// by its size.
	TextBodies bool

	mu sync.Mutex
}

// RoundTrip sends req through Next and traces the exchange.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("trace: read request body: %w", err)
		}
		reqBody = b
		req.Body = io.NopCloser(bytes.NewReader(b))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	}
	start := time.Now()
	resp, err := t.Next.RoundTrip(req)
	took := time.Since(start).Round(10 * time.Microsecond)

	var out strings.Builder
	fmt.Fprintf(&out, "--> %s %s\n", req.Method, URL(req.URL))
	writeHeaders(&out, req.Header)
	t.writeBody(&out, req.Header.Get("Content-Type"), reqBody)
	if err != nil {
		fmt.Fprintf(&out, "<-- error after %s: %v\n", took, err)
	} else {
		var respBody []byte
		if resp.Body != nil {
			// Read what the trace shows; the caller still reads the whole
			// body (and any read error) through the original.
			orig := resp.Body
			b, rerr := io.ReadAll(io.LimitReader(orig, maxRedactBody+1))
			respBody = b
			rest := io.Reader(orig)
			if rerr != nil {
				rest = errReader{rerr}
			}
			resp.Body = readCloser{io.MultiReader(bytes.NewReader(b), rest), orig}
		}
		fmt.Fprintf(&out, "<-- %s (%s)\n", resp.Status, took)
		writeHeaders(&out, resp.Header)
		t.writeBody(&out, resp.Header.Get("Content-Type"), respBody)
	}
	out.WriteString("\n")
	text := jwtPattern.ReplaceAllString(out.String(), Mark)
	if t.Secrets != nil {
		text = t.Secrets.Scrub(text)
	}
	t.mu.Lock()
	_, _ = io.WriteString(t.W, text)
	t.mu.Unlock()
	return resp, err
}

type readCloser struct {
	io.Reader
	io.Closer
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// URL is u as a trace shows it: no user-info, the secret fields of its
// query replaced.
func URL(u *url.URL) string {
	c := *u
	c.User = nil
	if c.RawQuery != "" {
		q := c.Query()
		for k := range q {
			if isSensitiveKey(k) {
				q[k] = []string{Mark}
			}
		}
		c.RawQuery = q.Encode()
	}
	return c.String()
}

func writeHeaders(out *strings.Builder, h http.Header) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			if slices.ContainsFunc(sensitiveHeaders, func(s string) bool { return strings.EqualFold(s, k) }) {
				v = authHeader(v)
			}
			fmt.Fprintf(out, "%s: %s\n", k, v)
		}
	}
}

// authHeader keeps the scheme ("Bearer", "Basic") and drops the value.
func authHeader(v string) string {
	if scheme, _, ok := strings.Cut(v, " "); ok && !strings.Contains(scheme, "=") {
		return scheme + " " + Mark
	}
	return Mark
}

func (t *Transport) writeBody(out *strings.Builder, contentType string, body []byte) {
	if len(body) == 0 {
		return
	}
	out.WriteString("\n")
	out.WriteString(Body(contentType, body, t.TextBodies))
	out.WriteString("\n")
}

// Body renders a body with its sensitive fields replaced: JSON and form
// bodies field by field; anything else as text when text is true (the
// Transport still scrubs it of JWTs and Secrets), else only by its size.
func Body(contentType string, body []byte, text bool) string {
	if len(body) > maxRedactBody {
		return fmt.Sprintf("[body of more than %d bytes not shown]", maxRedactBody)
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	trimmed := bytes.TrimSpace(body)
	if strings.Contains(mt, "json") || len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			return fmt.Sprintf("[JSON body of %d bytes not shown: it does not parse, so it cannot be redacted]", len(body))
		}
		b, err := json.Marshal(JSON(v))
		if err != nil {
			return fmt.Sprintf("[JSON body of %d bytes not shown]", len(body))
		}
		return truncate(string(b))
	}
	if mt == "application/x-www-form-urlencoded" {
		q, err := url.ParseQuery(string(body))
		if err != nil {
			return fmt.Sprintf("[form body of %d bytes not shown: it does not parse, so it cannot be redacted]", len(body))
		}
		for k := range q {
			if isSensitiveKey(k) {
				q[k] = []string{Mark}
			}
		}
		return truncate(q.Encode())
	}
	if !text {
		return fmt.Sprintf("[body of %d bytes not shown]", len(body))
	}
	return truncate(string(body))
}

// JSON replaces, in a decoded JSON value, the value of every secret field,
// at any depth.
func JSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if isSensitiveKey(k) {
				x[k] = Mark
				continue
			}
			x[k] = JSON(val)
		}
		return x
	case []any:
		for i := range x {
			x[i] = JSON(x[i])
		}
		return x
	}
	return v
}

func truncate(s string) string {
	if len(s) > maxTraceBody {
		return s[:maxTraceBody] + fmt.Sprintf("... (%d bytes in all)", len(s))
	}
	return s
}
