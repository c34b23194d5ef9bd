package sandbox

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"testing"
)

// TestBigAnswersAreGzippedOnlyWhenAsked: a client that accepts gzip gets a
// big answer compressed (Content-Encoding, Vary, the right length) whose
// bytes decode to what a client that does not accept it gets plain; a
// repeated answer (served from the cache) is the same, and one changed by
// a write is the new one, not the kept one.
func TestBigAnswersAreGzippedOnlyWhenAsked(t *testing.T) {
	s := start(t, Options{Seed: 1})
	tok := mgmtToken(t, s)
	tr, ok := s.Client().Transport.(*http.Transport)
	if !ok {
		t.Fatalf("sandbox client transport is %T", s.Client().Transport)
	}
	raw := &http.Client{Transport: func() *http.Transport { c := tr.Clone(); c.DisableCompression = true; return c }()}
	get := func(acceptEncoding string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest("GET", s.BaseURL+"/api/v2/clients?per_page=50", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		if acceptEncoding != "" {
			req.Header.Set("Accept-Encoding", acceptEncoding)
		}
		resp, err := raw.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d: %s", resp.StatusCode, data)
		}
		return resp, data
	}
	gunzip := func(data []byte) []byte {
		t.Helper()
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("not gzip: %v", err)
		}
		out, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("bad gzip: %v", err)
		}
		return out
	}
	check := func() {
		t.Helper()
		resp, plain := get("")
		if ce := resp.Header.Get("Content-Encoding"); ce != "" {
			t.Fatalf("no Accept-Encoding, answered Content-Encoding %q", ce)
		}
		if len(plain) < minGzip {
			t.Fatalf("page of %d bytes: too small for the test", len(plain))
		}
		for _, ae := range []string{"gzip", "br;q=1, gzip;q=0.5", "*"} {
			resp, packed := get(ae)
			if ce := resp.Header.Get("Content-Encoding"); ce != "gzip" {
				t.Fatalf("Accept-Encoding %q: Content-Encoding %q", ae, ce)
			}
			if resp.Header.Get("Vary") != "Accept-Encoding" {
				t.Fatalf("Vary %q", resp.Header.Get("Vary"))
			}
			if resp.ContentLength != int64(len(packed)) || len(packed) >= len(plain) {
				t.Fatalf("Content-Length %d, %d bytes read, %d plain", resp.ContentLength, len(packed), len(plain))
			}
			if got := gunzip(packed); !bytes.Equal(got, plain) {
				t.Fatalf("Accept-Encoding %q: decoded answer differs from the plain one:\n%s\n%s", ae, got, plain)
			}
		}
		for _, ae := range []string{"gzip;q=0", "identity", "br"} {
			if resp, _ := get(ae); resp.Header.Get("Content-Encoding") != "" {
				t.Fatalf("Accept-Encoding %q: Content-Encoding %q", ae, resp.Header.Get("Content-Encoding"))
			}
		}
	}
	for i := range 4 {
		call(t, s, "POST", "/api/v2/clients", tok, map[string]any{"name": "gz-" + string(rune('a'+i)), "app_type": "non_interactive"})
	}
	check()
	// A write changes the page: the kept compression is not served for it.
	call(t, s, "POST", "/api/v2/clients", tok, map[string]any{"name": "gz-after", "app_type": "non_interactive"})
	_, packed := get("gzip")
	if !bytes.Contains(gunzip(packed), []byte(`"gz-after"`)) {
		t.Fatal("the page after a create does not hold the new client")
	}
	check()
}
