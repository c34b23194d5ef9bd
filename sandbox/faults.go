package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// managementPrefix is the path prefix of the Management API: the only part
// of the tenant that --fail-rate and --rate-limit apply to.
const managementPrefix = "/api/v2/"

// scriptedBurst is the X-RateLimit-Limit of a scripted 429 where the
// sandbox has no rate limit of its own to report (no --rate-limit, or a
// path outside the Management API).
const scriptedBurst = 10

// preReadLimit is how much of a request body is read before a rate-limited
// request takes its turn, so a slow upload never holds up the requests
// queued behind it. It is one byte past the tenant's 1 MiB body cap: a
// bigger body is still refused by the tenant (413) without being read.
const preReadLimit = 1<<20 + 1

// wrapTransport adds what real networks and Auth0's edge do to the tenant
// handler: --latency on every response; --fail-rate and --rate-limit/--burst
// on /api/v2/ requests; Options.Script on the requests it matches. See
// newTransport.
func wrapTransport(opts Options, next http.Handler) http.Handler {
	if opts.Latency <= 0 && opts.LatencyMax <= 0 && !(opts.FailRate > 0) && !(opts.RateLimit > 0) && opts.Script == nil {
		return next // nothing to add
	}
	return newTransport(opts, next, time.Now)
}

// fault is what --fail-rate (or a Script) does to one request.
type fault int

const (
	faultNone        fault = iota
	faultUnavailable       // 503 before the tenant sees the request
	faultDropped           // connection closed before the tenant sees the request
	faultLost502           // a write is committed, then its answer is replaced by a 502
	faultLostDropped       // a write is committed, then the connection is closed unanswered
	faultRateLimited       // scripted only: 429 before the tenant sees the request
	faultAnswer            // scripted only: a given answer before the tenant sees the request
)

// String names the fault for test failures and logs.
func (f fault) String() string {
	switch f {
	case faultNone:
		return "none"
	case faultUnavailable:
		return "503 before"
	case faultDropped:
		return "dropped before"
	case faultLost502:
		return "committed, 502"
	case faultLostDropped:
		return "committed, dropped"
	case faultRateLimited:
		return "429"
	case faultAnswer:
		return "answered"
	}
	return "fault(" + strconv.Itoa(int(f)) + ")"
}

// transport is the middleware behind wrapTransport.
//
// Every Management API request is decided on arrival, under one mutex, in
// the order the requests arrive: its fault (drawn from a seeded generator,
// so a seed repeats the sequence), then its rate-limit token. A request
// that is refused takes no token, then or later. When a rate limit is set,
// admitted requests are also handed to the tenant one at a time in that
// same order (a chain of turns) and their answers buffered, so the latency
// added afterwards never reorders or serializes the tenant's work, and no
// request is served out of turn.
type transport struct {
	next       http.Handler
	now        func() time.Time
	latency    time.Duration
	latencyMax time.Duration
	failRate   float64
	limit      float64 // tokens per second; 0: no limit
	burst      int
	script     *Script // scripted faults, nil: none

	mu         sync.Mutex
	faults     *rand.Rand // guarded by mu
	delays     *rand.Rand // guarded by mu; separate so latency draws never shift the fault sequence
	limiter    *rate.Limiter
	lastTurn   chan struct{} // guarded by mu; closed once the last admitted request was served
	timeOrigin time.Time     // guarded by mu; the latest clock reading, so decisions never go back in time
}

// newTransport builds the middleware with a clock, so tests can hold time
// still and count tokens exactly.
func newTransport(opts Options, next http.Handler, now func() time.Time) *transport {
	t := &transport{
		next:       next,
		now:        now,
		latency:    max(opts.Latency, 0),
		latencyMax: opts.LatencyMax,
		failRate:   opts.FailRate,
		script:     opts.Script,
	}
	if !(t.failRate > 0) { // also NaN
		t.failRate = 0
	}
	t.failRate = min(t.failRate, 1)
	seed := uint64(opts.Seed)
	if opts.Seed == 0 {
		seed = rand.Uint64()
	}
	t.faults = rand.New(rand.NewPCG(seed, 0x6661756c7473)) // "faults"
	t.delays = rand.New(rand.NewPCG(seed, 0x64656c617973)) // "delays"
	if opts.RateLimit > 0 && !math.IsInf(opts.RateLimit, 0) {
		t.limit = opts.RateLimit
		t.burst = opts.Burst
		if t.burst <= 0 {
			t.burst = int(math.Ceil(opts.RateLimit))
		}
		t.limiter = rate.NewLimiter(rate.Limit(t.limit), t.burst)
		t.lastTurn = make(chan struct{})
		close(t.lastTurn)
	}
	return t
}

// decision is what the transport decided for one request on arrival.
type decision struct {
	fault   fault
	origin  string        // what injected the fault, for its message
	answer  *Fault        // the scripted answer of faultAnswer
	refused bool          // over the rate limit (or a scripted 429): 429
	delay   time.Duration // latency to add before answering
	headers rateHeaders
	prev    <-chan struct{} // closed when the request before this one was served
	mine    chan struct{}   // close once this one was served
}

// rateHeaders are Auth0's rate-limit headers for one answer.
type rateHeaders struct {
	set        bool
	limit      int
	remaining  int
	reset      int64 // UNIX seconds when the bucket is full again
	retryAfter int64 // seconds; only for a 429
}

func (h rateHeaders) apply(hdr http.Header) {
	if !h.set {
		return
	}
	hdr.Set("X-RateLimit-Limit", strconv.Itoa(h.limit))
	hdr.Set("X-RateLimit-Remaining", strconv.Itoa(h.remaining))
	hdr.Set("X-RateLimit-Reset", strconv.FormatInt(h.reset, 10))
	if h.retryAfter > 0 {
		hdr.Set("Retry-After", strconv.FormatInt(h.retryAfter, 10))
	}
}

// ServeHTTP implements http.Handler.
func (t *transport) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	mgmt := strings.HasPrefix(r.URL.Path, managementPrefix)
	scripted, _ := t.script.take(r)
	if !mgmt && scripted == nil {
		if sleep(r.Context(), t.drawDelay()) {
			t.next.ServeHTTP(w, r)
		}
		return
	}
	if mgmt && t.limiter != nil && r.Body != nil && r.Body != http.NoBody && r.ContentLength < preReadLimit {
		// (A body declared bigger than the cap is refused by the tenant
		// unread, so there is nothing to read ahead.)
		if !preRead(r) {
			return // the client went away while sending its body
		}
	}
	d := t.decide(r.Method, mgmt, scripted)
	d.headers.apply(w.Header())
	ctx := r.Context()

	switch {
	case d.fault == faultUnavailable:
		if sleep(ctx, d.delay) {
			writeAuth0Error(w, http.StatusServiceUnavailable, "The service is temporarily unavailable, please try again later (fault injected by the sandbox's "+d.origin+")", "")
		}
		return
	case d.fault == faultDropped:
		if sleep(ctx, d.delay) {
			dropConnection(w)
		}
		return
	case d.fault == faultAnswer:
		if sleep(ctx, d.delay) {
			writeScriptedAnswer(w, d.answer)
		}
		return
	case d.refused:
		if sleep(ctx, d.delay) {
			writeAuth0Error(w, http.StatusTooManyRequests, "Global limit has been reached", "too_many_requests")
		}
		return
	case d.fault == faultNone && d.mine == nil && d.delay == 0:
		t.next.ServeHTTP(w, r) // nothing to add: no buffering
		return
	}

	buf := newBufferedResponse()
	t.serveInTurn(buf, r, d)
	if !sleep(ctx, d.delay) {
		return
	}
	switch d.fault {
	case faultLost502:
		writeAuth0Error(w, http.StatusBadGateway, "Bad Gateway: the upstream answer was lost (fault injected by the sandbox's "+d.origin+")", "")
	case faultLostDropped:
		dropConnection(w)
	default:
		buf.flushTo(w)
	}
}

// serveInTurn runs the tenant handler into buf once every request admitted
// before this one was served, and then lets the next one go.
func (t *transport) serveInTurn(buf *bufferedResponse, r *http.Request, d decision) {
	if d.mine != nil {
		<-d.prev
		defer close(d.mine) // even if the handler panics, the queue moves on
	}
	t.next.ServeHTTP(buf, r)
}

// decide draws the fault, the rate-limit token and the latency of one
// Management API request (mgmt), or of a request a script matched (on any
// path), atomically and in arrival order. A scripted fault replaces the
// drawn one (which is still drawn, so a seed's sequence does not shift).
func (t *transport) decide(method string, mgmt bool, scripted *Fault) decision {
	t.mu.Lock()
	defer t.mu.Unlock()
	var d decision
	if mgmt {
		d.fault, d.origin = t.drawFaultLocked(isWrite(method)), "--fail-rate"
	}
	if scripted != nil {
		d.fault, d.origin, d.answer = scripted.Kind.fault(), "script", scripted
	}
	d.delay = t.drawDelayLocked()
	if t.limiter == nil || !mgmt {
		if d.fault == faultRateLimited {
			// No bucket to tell the state: an empty one, full again in a
			// second, as the limiter answers a 429.
			now := t.now()
			d.refused, d.fault = true, faultNone
			d.headers = rateHeaders{set: true, limit: scriptedBurst, reset: ceilUnix(now.Add(time.Second)), retryAfter: 1}
		}
		return d
	}
	now := t.now()
	if now.Before(t.timeOrigin) {
		now = t.timeOrigin
	}
	t.timeOrigin = now
	switch d.fault {
	case faultUnavailable, faultDropped, faultAnswer:
		// The failure happened before the tenant saw the request: no
		// token is taken, but the answer (if any) still tells the state.
		d.headers = t.headersLocked(now, false)
		return d
	case faultRateLimited:
		// Refused as if the bucket were empty; no token is taken.
		d.refused, d.fault = true, faultNone
		d.headers = t.headersLocked(now, true)
		d.headers.remaining = 0
		return d
	}
	if !t.limiter.AllowN(now, 1) {
		d.refused = true
		d.fault = faultNone // nothing reaches the tenant, so nothing is committed
		d.headers = t.headersLocked(now, true)
		return d
	}
	d.headers = t.headersLocked(now, false)
	d.prev = t.lastTurn
	d.mine = make(chan struct{})
	t.lastTurn = d.mine
	return d
}

// headersLocked computes the rate-limit headers at now, after any token of
// this request was taken.
func (t *transport) headersLocked(now time.Time, refused bool) rateHeaders {
	tokens := t.limiter.TokensAt(now)
	h := rateHeaders{set: true, limit: t.burst, remaining: max(0, min(t.burst, int(math.Floor(tokens))))}
	full := now.Add(secondsToDuration((float64(t.burst) - tokens) / t.limit))
	if refused {
		// A 429 always points to the future, at least a second away, and
		// says how long until a token is there again.
		full = later(full, now.Add(time.Second))
		h.retryAfter = max(1, int64(math.Ceil((1-tokens)/t.limit)))
	}
	h.reset = ceilUnix(full)
	return h
}

// drawFaultLocked draws the fault of one request: with probability
// failRate a fault, then its kind uniformly among those that fit: 503 or a
// dropped connection for any request, and, for writes, a committed change
// whose answer is lost (half as a 502, half as a dropped connection).
func (t *transport) drawFaultLocked(write bool) fault {
	if t.failRate == 0 || t.faults.Float64() >= t.failRate {
		return faultNone
	}
	kinds := 2
	if write {
		kinds = 3
	}
	switch t.faults.IntN(kinds) {
	case 0:
		return faultUnavailable
	case 1:
		return faultDropped
	}
	if t.faults.IntN(2) == 0 {
		return faultLost502
	}
	return faultLostDropped
}

func (t *transport) drawDelay() time.Duration {
	if t.latencyMax <= t.latency {
		return t.latency
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.drawDelayLocked()
}

func (t *transport) drawDelayLocked() time.Duration {
	if t.latencyMax <= t.latency {
		return t.latency
	}
	return t.latency + time.Duration(t.delays.Int64N(int64(t.latencyMax-t.latency)+1))
}

// isWrite reports whether a request with this method changes the tenant.
func isWrite(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// preRead reads up to preReadLimit bytes of the request body into memory
// and puts them back in front of the rest. It reports false when the body
// could not be read (the client went away).
func preRead(r *http.Request) bool {
	head, err := io.ReadAll(io.LimitReader(r.Body, preReadLimit))
	if err != nil {
		return false
	}
	rest := r.Body
	r.Body = readCloser{io.MultiReader(bytes.NewReader(head), rest), rest}
	return true
}

type readCloser struct {
	io.Reader
	io.Closer
}

// sleep waits d, or until ctx is done. It reports whether the wait ended
// with the request still wanted.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// dropConnection closes the client's connection without an answer. Over
// HTTP/1 it hijacks and closes the connection; where that is impossible
// (HTTP/2) it aborts the handler, which resets the stream.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		conn.Close()
		return
	}
	panic(http.ErrAbortHandler)
}

// writeAuth0Error writes a Management API error body in Auth0's shape.
func writeAuth0Error(w http.ResponseWriter, status int, message, errorCode string) {
	body, _ := json.Marshal(struct {
		StatusCode int    `json:"statusCode"`
		Error      string `json:"error"`
		Message    string `json:"message"`
		ErrorCode  string `json:"errorCode,omitempty"`
	}{status, http.StatusText(status), message, errorCode})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body) // a client gone mid-answer: nothing left to tell it
}

// bufferedResponse is a ResponseWriter that keeps the answer in memory
// until flushTo writes it (or it is thrown away).
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newBufferedResponse() *bufferedResponse {
	return &bufferedResponse{header: make(http.Header)}
}

// Header implements http.ResponseWriter.
func (b *bufferedResponse) Header() http.Header { return b.header }

// WriteHeader implements http.ResponseWriter. Informational (1xx) codes
// are not kept: only the final answer is replayed.
func (b *bufferedResponse) WriteHeader(code int) {
	if b.status == 0 && code >= 200 {
		b.status = code
	}
}

// Write implements http.ResponseWriter.
func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

// flushTo writes the kept answer to w.
func (b *bufferedResponse) flushTo(w http.ResponseWriter) {
	h := w.Header()
	for k, v := range b.header {
		h[k] = v
	}
	status := b.status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	if b.body.Len() > 0 {
		_, _ = w.Write(b.body.Bytes()) // as above
	}
}

// secondsToDuration converts seconds to a Duration, rounding up.
func secondsToDuration(s float64) time.Duration {
	if s <= 0 {
		return 0
	}
	return time.Duration(math.Ceil(s * float64(time.Second)))
}

// ceilUnix returns t in UNIX seconds, rounded up.
func ceilUnix(t time.Time) int64 {
	s := t.Unix()
	if t.Nanosecond() > 0 {
		s++
	}
	return s
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
