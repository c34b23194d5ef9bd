package sandbox

import (
	"encoding/json"
	"sync"
)

// Answers are encoded after the tenant lock is released (handleManagement).
// A client's view in a list is the costly part of a big page, so the bytes
// of each view are kept, per tenant generation: every write (anything that
// holds s.mu alone) starts a new generation, and a view encoded in an older
// one is never served again.

// viewKey names one encoded view of one client.
type viewKey struct {
	id                  string
	secret, readClients bool
}

// viewCache holds the encoded views of one generation.
type viewCache struct {
	mu  sync.Mutex
	gen uint64
	m   map[viewKey][]byte
}

// maxCachedViews bounds the cache (about 3 kB a view).
const maxCachedViews = 20000

func (c *viewCache) get(gen uint64, k viewKey) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return nil, false
	}
	b, ok := c.m[k]
	return b, ok
}

func (c *viewCache) put(gen uint64, k viewKey, b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case gen < c.gen:
		return
	case gen > c.gen || c.m == nil:
		c.gen, c.m = gen, map[viewKey][]byte{}
	}
	if len(c.m) < maxCachedViews {
		c.m[k] = b
	}
}

// cachedView is a view built afresh under the lock whose bytes, once
// encoded (after the lock), are kept for its generation.
type cachedView struct {
	v     obj
	key   viewKey
	gen   uint64
	cache *viewCache
}

// encodeAnswer encodes an answer as json.Marshal does, byte for byte,
// except that kept views (json.RawMessage, made by json.Marshal) are
// written as they are rather than checked and compacted again.
//
// The bytes are in a buffer of answerBuffers: the caller puts it back with
// releaseAnswer once they are written.
func encodeAnswer(v any) ([]byte, error) {
	n := answerSize(v)
	var buf []byte
	if p, ok := answerBuffers.Get().(*[]byte); ok && cap(*p) >= n {
		buf = (*p)[:0]
	} else {
		buf = make([]byte, 0, n)
	}
	return appendAnswer(buf, v)
}

// answerBuffers are the buffers of encoded answers, reused: a big page is
// some 150 kB a request.
var answerBuffers sync.Pool

// releaseAnswer gives the buffer of a written answer back (not one over
// 1 MB: the pool keeps no outsized buffers alive).
func releaseAnswer(b []byte) {
	if cap(b) > 0 && cap(b) <= 1<<20 {
		b = b[:0]
		answerBuffers.Put(&b)
	}
}

// answerSize is about the size of an answer's encoding: the kept views'
// bytes (the bulk of a big page) and a little for the rest.
func answerSize(v any) int {
	switch x := v.(type) {
	case json.RawMessage:
		return len(x)
	case []any:
		n := 2
		for _, e := range x {
			n += answerSize(e) + 1
		}
		return n
	case orderedObject:
		n := 2
		for _, f := range x {
			n += len(f.k) + 4 + answerSize(f.v)
		}
		return n
	}
	return 512
}

func appendAnswer(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case json.RawMessage:
		return append(b, x...), nil
	case cachedView:
		data, err := json.Marshal(x.v)
		if err != nil {
			return nil, err
		}
		x.cache.put(x.gen, x.key, data)
		return append(b, data...), nil
	case []any:
		if x == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendAnswer(b, e); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case orderedObject:
		b = append(b, '{')
		for i, f := range x {
			if i > 0 {
				b = append(b, ',')
			}
			k, err := json.Marshal(f.k)
			if err != nil {
				return nil, err
			}
			b = append(append(b, k...), ':')
			if b, err = appendAnswer(b, f.v); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, data...), nil
}
