package wso2client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// redacted replaces every secret value in a trace.
const redacted = "[REDACTED]"

// sensitiveKeys are JSON and form field names whose values never appear in a
// trace (compared case-insensitively): OAuth's and WSO2's own spellings.
var sensitiveKeys = []string{
	"password", "client_secret", "clientsecret", "consumersecret", "access_token", "accesstoken",
	"refresh_token", "id_token", "token", "revoketoken", "secret",
}

func isSensitiveKey(k string) bool { return slices.Contains(sensitiveKeys, strings.ToLower(k)) }

// secretSet holds secret values this client has handled (the admin
// password, the registered client's secret, tokens, consumer secrets), so a
// trace can scrub them wherever they appear.
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
	sort.Slice(vals, func(i, j int) bool { return len(vals[i]) > len(vals[j]) })
	for _, v := range vals {
		text = strings.ReplaceAll(text, v, redacted)
		if q := url.QueryEscape(v); q != v {
			text = strings.ReplaceAll(text, q, redacted)
		}
	}
	return text
}

// traceTransport writes each exchange, redacted, to w.
type traceTransport struct {
	next    http.RoundTripper
	w       io.Writer
	mu      sync.Mutex
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
	}
	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	took := time.Since(start).Round(10 * time.Microsecond)

	var out strings.Builder
	fmt.Fprintf(&out, "--> %s %s\n", req.Method, req.URL.Redacted())
	writeHeaders(&out, req.Header)
	writeBody(&out, reqBody)
	if err != nil {
		fmt.Fprintf(&out, "<-- error after %s: %v\n\n", took, err)
	} else {
		b, rerr := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if rerr != nil {
			resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(b), errReader{rerr}))
		} else {
			resp.Body = io.NopCloser(bytes.NewReader(b))
		}
		fmt.Fprintf(&out, "<-- %s (%s)\n", resp.Status, took)
		writeHeaders(&out, resp.Header)
		writeBody(&out, b)
		out.WriteString("\n")
	}
	text := t.secrets.scrub(out.String())
	t.mu.Lock()
	_, _ = io.WriteString(t.w, text)
	t.mu.Unlock()
	return resp, err
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func writeHeaders(out *strings.Builder, h http.Header) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			switch http.CanonicalHeaderKey(k) {
			case "Authorization", "Cookie", "Set-Cookie", "Proxy-Authorization":
				if scheme, _, ok := strings.Cut(v, " "); ok {
					v = scheme + " " + redacted
				} else {
					v = redacted
				}
			}
			fmt.Fprintf(out, "%s: %s\n", k, v)
		}
	}
}

// writeBody shows a JSON or form body with its sensitive fields replaced;
// anything else only by its size (it cannot be redacted field by field).
func writeBody(out *strings.Builder, body []byte) {
	if len(body) == 0 {
		return
	}
	out.WriteString("\n")
	trimmed := bytes.TrimSpace(body)
	var v any
	switch {
	case len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') && json.Unmarshal(body, &v) == nil:
		b, _ := json.Marshal(redactJSON(v))
		out.Write(b)
	default:
		if q, err := url.ParseQuery(string(body)); err == nil && strings.Contains(string(body), "=") && !bytes.ContainsAny(trimmed, " <\n") {
			for k := range q {
				if isSensitiveKey(k) {
					q[k] = []string{redacted}
				}
			}
			out.WriteString(q.Encode())
		} else {
			fmt.Fprintf(out, "[body of %d bytes not shown]", len(body))
		}
	}
	out.WriteString("\n")
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
	case []any:
		for i := range x {
			x[i] = redactJSON(x[i])
		}
	}
	return v
}
