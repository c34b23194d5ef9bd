package sandbox

import (
	"bytes"
	"compress/gzip"
	"hash/maphash"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Real Auth0 sends its JSON gzip-compressed to a client that asks for it
// (Go's http.Transport does by default, and decodes it transparently). A
// big page is some 150 kB of JSON that compresses to a tenth: fewer bytes
// through TLS, which is most of what a big page costs. Compressing is
// dearer than sending, so the compressed bytes of an answer are kept and
// served again for the same answer, found by its bytes (a hash, then a
// comparison): an answer is never served from anything but its own
// encoding, whatever the tenant did in between.

// minGzip is the smallest answer worth compressing: below it the saving
// is less than a TLS record.
const minGzip = 1400

// gzipCache holds the compressed bytes of recent answers.
type gzipCache struct {
	mu    sync.Mutex
	seed  maphash.Seed
	m     map[uint64]gzipped
	bytes int
}

type gzipped struct {
	plain, packed []byte
}

// maxGzipCache bounds the plain and compressed bytes kept; when full the
// cache starts afresh (the answers a client repeats are the recent ones).
const maxGzipCache = 32 << 20

// compressed returns data gzip-compressed, from the cache when the same
// bytes were compressed before. The result is the cache's: not to be
// changed.
func (c *gzipCache) compressed(data []byte) []byte {
	c.mu.Lock()
	if c.m == nil {
		c.seed = maphash.MakeSeed()
		c.m = map[uint64]gzipped{}
	}
	seed := c.seed
	c.mu.Unlock()
	h := maphash.Bytes(seed, data)
	c.mu.Lock()
	g, ok := c.m[h]
	c.mu.Unlock()
	if ok && bytes.Equal(g.plain, data) {
		return g.packed
	}
	var buf bytes.Buffer
	buf.Grow(len(data)/4 + 64)
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed) // a valid level: no error
	_, _ = zw.Write(data)                              // a bytes.Buffer: no error
	_ = zw.Close()
	g = gzipped{plain: bytes.Clone(data), packed: buf.Bytes()}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.bytes+len(g.plain)+len(g.packed) > maxGzipCache {
		c.m, c.bytes = map[uint64]gzipped{}, 0
	}
	if old, ok := c.m[h]; ok {
		c.bytes -= len(old.plain) + len(old.packed)
	}
	c.m[h] = g
	c.bytes += len(g.plain) + len(g.packed)
	return g.packed
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip
// (a "gzip" or "*" coding whose q is not 0).
func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for _, part := range strings.Split(v, ",") {
			coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			if coding != "gzip" && coding != "x-gzip" && coding != "*" {
				continue
			}
			q := 1.0
			for _, p := range strings.Split(params, ";") {
				k, val, _ := strings.Cut(strings.TrimSpace(p), "=")
				if strings.EqualFold(strings.TrimSpace(k), "q") {
					if f, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil {
						q = f
					}
				}
			}
			if q > 0 {
				return true
			}
		}
	}
	return false
}

// writeAnswer writes a Management API answer, gzip-compressed when the
// client accepts it and the answer is big enough for it to matter.
func (s *Server) writeAnswer(w http.ResponseWriter, r *http.Request, status int, data []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	if len(data) >= minGzip {
		h.Add("Vary", "Accept-Encoding")
		if r.Method != http.MethodHead && acceptsGzip(r) {
			data = s.gzips.compressed(data)
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	_, _ = w.Write(data) // a client gone mid-answer: nothing left to tell it
}
