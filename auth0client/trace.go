package auth0client

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

// redacted replaces every secret value in a trace.
const redacted = "[REDACTED]"

// maxTraceBody is how much of a body a trace shows, after redaction.
const maxTraceBody = 64 << 10

// maxRedactBody is the largest body the trace reads to redact; a longer one
// is not shown at all (a cut JSON document cannot be redacted field by field).
const maxRedactBody = 8 << 20

// sensitiveKeys are form and JSON field names whose values never appear in a
// trace (compared case-insensitively).
var sensitiveKeys = []string{
	"client_secret", "password", "access_token", "id_token", "refresh_token", "token",
	"client_assertion", "signing_secret", "code_verifier", "subject_token", "secret",
}

// sensitiveHeaders never appear in a trace.
var sensitiveHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie"}

// jwtPattern matches anything that looks like a JWT (or a JWE's first parts).
var jwtPattern = regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]*)?`)

func isSensitiveKey(k string) bool {
	return slices.Contains(sensitiveKeys, strings.ToLower(k))
}

// secretSet holds secret values this client has handled (its own client
// secret, the secrets of applications it read, passwords it sent), so a trace
// can scrub them wherever they appear, whatever the field.
type secretSet struct {
	mu     sync.Mutex
	values []string
}

func (s *secretSet) add(v string) {
	if len(v) < 4 {
		return // too short to scrub without mangling the trace
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !slices.Contains(s.values, v) {
		s.values = append(s.values, v)
	}
}

func (s *secretSet) scrub(text string) string {
	s.mu.Lock()
	vals := slices.Clone(s.values)
	s.mu.Unlock()
	// Longest first, so a secret containing another is scrubbed whole.
	sort.Slice(vals, func(i, j int) bool { return len(vals[i]) > len(vals[j]) })
	for _, v := range vals {
		text = strings.ReplaceAll(text, v, redacted)
		if q := url.QueryEscape(v); q != v {
			text = strings.ReplaceAll(text, q, redacted)
		}
		if b, err := json.Marshal(v); err == nil {
			if inner := string(b[1 : len(b)-1]); inner != v {
				text = strings.ReplaceAll(text, inner, redacted)
			}
		}
	}
	return text
}

// traceTransport writes each exchange, redacted, to w.
type traceTransport struct {
	next    http.RoundTripper
	w       io.Writer
	mu      *sync.Mutex
	secrets *secretSet
}

func (t *traceTransport) RoundTrip(req *http.Request) (*http.Response, error) {
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
	resp, err := t.next.RoundTrip(req)
	took := time.Since(start)

	var out strings.Builder
	fmt.Fprintf(&out, "--> %s %s\n", req.Method, redactURL(req.URL))
	writeHeaders(&out, req.Header)
	writeBody(&out, req.Header.Get("Content-Type"), reqBody)
	if err != nil {
		fmt.Fprintf(&out, "<-- error after %s: %v\n\n", took.Round(10*time.Microsecond), err)
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
		fmt.Fprintf(&out, "<-- %s (%s)\n", resp.Status, took.Round(10*time.Microsecond))
		writeHeaders(&out, resp.Header)
		writeBody(&out, resp.Header.Get("Content-Type"), respBody)
	}
	out.WriteString("\n")
	text := t.secrets.scrub(jwtPattern.ReplaceAllString(out.String(), redacted))
	t.mu.Lock()
	_, _ = io.WriteString(t.w, text)
	t.mu.Unlock()
	return resp, err
}

type readCloser struct {
	io.Reader
	io.Closer
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func redactURL(u *url.URL) string {
	c := *u
	c.User = nil
	if c.RawQuery != "" {
		q := c.Query()
		for k := range q {
			if isSensitiveKey(k) {
				q[k] = []string{redacted}
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
				v = redactAuthHeader(v)
			}
			fmt.Fprintf(out, "%s: %s\n", k, v)
		}
	}
}

// redactAuthHeader keeps the scheme ("Bearer", "Basic") and drops the value.
func redactAuthHeader(v string) string {
	if scheme, _, ok := strings.Cut(v, " "); ok && !strings.Contains(scheme, "=") {
		return scheme + " " + redacted
	}
	return redacted
}

func writeBody(out *strings.Builder, contentType string, body []byte) {
	if len(body) == 0 {
		return
	}
	out.WriteString("\n")
	out.WriteString(redactBody(contentType, body))
	out.WriteString("\n")
}

// redactBody renders a body with sensitive fields replaced: JSON and form
// bodies field by field; anything else as text, still scrubbed of JWTs and
// known secrets by the caller.
func redactBody(contentType string, body []byte) string {
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
		b, err := json.Marshal(redactJSON(v))
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
				q[k] = []string{redacted}
			}
		}
		return truncate(q.Encode())
	}
	return truncate(string(body))
}

func redactJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if isSensitiveKey(k) {
				x[k] = redacted
				continue
			}
			x[k] = redactJSON(val)
		}
		return x
	case []any:
		for i := range x {
			x[i] = redactJSON(x[i])
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
