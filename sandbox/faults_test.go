package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// tenantStub stands in for the tenant handler: it records which requests
// reached it, in which order, and which writes it committed.
type tenantStub struct {
	mu          sync.Mutex
	commits     map[string]int // X-Test-Id → writes committed
	entered     []string       // X-Test-Id in the order the handler was entered
	inFlight    int
	maxInFlight int
	firstGate   chan struct{} // if set, the first request waits in the tenant until it is closed
}

func newTenantStub() *tenantStub { return &tenantStub{commits: map[string]int{}} }

func (s *tenantStub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := r.Header.Get("X-Test-Id")
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.entered = append(s.entered, id)
	s.inFlight++
	s.maxInFlight = max(s.maxInFlight, s.inFlight)
	if isWrite(r.Method) {
		s.commits[id]++
	}
	first := len(s.entered) == 1
	s.mu.Unlock()
	if first && s.firstGate != nil {
		<-s.firstGate
	}
	defer func() {
		s.mu.Lock()
		s.inFlight--
		s.mu.Unlock()
	}()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Stub", "yes")
	if r.Method == http.MethodPost {
		w.Header().Set("Location", "/api/v2/things/"+id)
		w.WriteHeader(http.StatusCreated)
	}
	fmt.Fprintf(w, `{"id":%q,"body_len":%d}`, id, len(body))
}

func (s *tenantStub) committed(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.commits[id]
}

// serve starts h on a real loopback HTTP server.
func serve(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// newClient returns a client that opens a fresh connection per request, so
// that Go's transport never silently retries a request on a dropped reused
// connection: the test sees every fault.
func newClient(t *testing.T) *http.Client {
	t.Helper()
	tr := &http.Transport{DisableKeepAlives: true, MaxConnsPerHost: 0}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 20 * time.Second}
}

// outcome is what a client saw for one request.
type outcome struct {
	status int // 0: transport error (dropped connection)
	err    error
	header http.Header
	body   string
}

func do(t *testing.T, c *http.Client, method, url, id string) outcome {
	t.Helper()
	var body io.Reader
	if isWrite(method) && method != http.MethodDelete {
		body = strings.NewReader(`{"name":"` + id + `"}`)
	}
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Test-Id", id)
	return roundTrip(c, req)
}

// roundTrip sends req over c and reads the whole answer.
func roundTrip(c *http.Client, req *http.Request) outcome {
	resp, err := c.Do(req)
	if err != nil {
		return outcome{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return outcome{err: err}
	}
	return outcome{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// classify names the fault a client outcome shows, using what the tenant
// committed to tell a drop before from a drop after the change.
func classify(o outcome, committed int) fault {
	switch {
	case o.err != nil && committed > 0:
		return faultLostDropped
	case o.err != nil:
		return faultDropped
	case o.status == http.StatusServiceUnavailable:
		return faultUnavailable
	case o.status == http.StatusBadGateway:
		return faultLost502
	}
	return faultNone
}

func TestFailRateKinds(t *testing.T) {
	t.Parallel()
	stub := newTenantStub()
	srv := serve(t, wrapTransport(Options{FailRate: 0.5, Seed: 42}, stub))
	c := newClient(t)

	const writes, reads = 600, 200
	counts := map[fault]int{}
	for i := range writes {
		id := "w" + strconv.Itoa(i)
		o := do(t, c, http.MethodPost, srv.URL+"/api/v2/things", id)
		n := stub.committed(id)
		k := classify(o, n)
		counts[k]++
		switch k {
		case faultNone:
			if o.status != http.StatusCreated || n != 1 {
				t.Errorf("%s: status %d, committed %d; want 201 committed once", id, o.status, n)
			}
		case faultUnavailable, faultDropped:
			if n != 0 {
				t.Errorf("%s: %v but the tenant committed it %d times; want it untouched", id, k, n)
			}
		case faultLost502, faultLostDropped:
			if n != 1 {
				t.Errorf("%s: %v committed %d times; want exactly once", id, k, n)
			}
		}
		if k == faultUnavailable || k == faultLost502 {
			var e map[string]any
			if err := json.Unmarshal([]byte(o.body), &e); err != nil || e["statusCode"] != float64(o.status) || e["error"] != http.StatusText(o.status) || e["message"] == "" {
				t.Errorf("%s: %d body %q; want Auth0's error shape", id, o.status, o.body)
			}
		}
	}
	// Binomial bounds, ±5 standard deviations: wide enough never to trip on
	// a fair draw, narrow enough to catch a wrong rate or a missing kind.
	within := func(name string, got, n int, p float64) {
		t.Helper()
		mean := float64(n) * p
		sd := 5 * math.Sqrt(mean*(1-p))
		if float64(got) < mean-sd || float64(got) > mean+sd {
			t.Errorf("%s: %d of %d; want about %.0f (±%.0f)", name, got, n, mean, sd)
		}
	}
	within("writes answered", counts[faultNone], writes, 0.5)
	within("503 before", counts[faultUnavailable], writes, 0.5/3)
	within("dropped before", counts[faultDropped], writes, 0.5/3)
	within("committed, then 502", counts[faultLost502], writes, 0.5/6)
	within("committed, then dropped", counts[faultLostDropped], writes, 0.5/6)

	readCounts := map[fault]int{}
	for i := range reads {
		id := "r" + strconv.Itoa(i)
		o := do(t, c, http.MethodGet, srv.URL+"/api/v2/things", id)
		readCounts[classify(o, stub.committed(id))]++
		if o.status == http.StatusBadGateway {
			t.Errorf("%s: a read got the lost-answer 502, which is for writes only", id)
		}
	}
	within("reads answered", readCounts[faultNone], reads, 0.5)
	within("reads 503", readCounts[faultUnavailable], reads, 0.25)
	within("reads dropped", readCounts[faultDropped], reads, 0.25)
}

// faultSequence sends the same mixed sequence of requests to a fresh
// transport with the seed and returns what each one met.
func faultSequence(t *testing.T, seed int64) []fault {
	t.Helper()
	stub := newTenantStub()
	srv := serve(t, wrapTransport(Options{FailRate: 0.4, Seed: seed}, stub))
	c := newClient(t)
	methods := []string{http.MethodPost, http.MethodGet, http.MethodPatch, http.MethodDelete, http.MethodGet, http.MethodPut}
	var seq []fault
	for i := range 120 {
		id := "q" + strconv.Itoa(i)
		m := methods[i%len(methods)]
		o := do(t, c, m, srv.URL+"/api/v2/things/"+id, id)
		seq = append(seq, classify(o, stub.committed(id)))
	}
	return seq
}

func TestFailRateSeedRepeats(t *testing.T) {
	t.Parallel()
	first := faultSequence(t, 7)
	again := faultSequence(t, 7)
	if !slices.Equal(first, again) {
		t.Errorf("seed 7 gave two different fault sequences:\n%v\n%v", first, again)
	}
	if other := faultSequence(t, 8); slices.Equal(first, other) {
		t.Errorf("seeds 7 and 8 gave the same fault sequence: the seed is not used\n%v", first)
	}
	kinds := map[fault]bool{}
	for _, f := range first {
		kinds[f] = true
	}
	if len(kinds) != 5 {
		t.Errorf("120 requests at 40%% met only %v; want all five outcomes", kinds)
	}
}

func TestFailRateOnlyManagementAPI(t *testing.T) {
	t.Parallel()
	stub := newTenantStub()
	srv := serve(t, wrapTransport(Options{FailRate: 1, RateLimit: 1, Burst: 1, Seed: 3}, stub))
	c := newClient(t)
	for i := range 20 {
		for _, path := range []string{"/oauth/token", "/.well-known/openid-configuration", "/.well-known/jwks.json"} {
			method := http.MethodGet
			if path == "/oauth/token" {
				method = http.MethodPost
			}
			o := do(t, c, method, srv.URL+path, "a"+strconv.Itoa(i))
			if o.err != nil || o.status >= 300 {
				t.Fatalf("%s %s: status %d, error %v; want it untouched by --fail-rate and --rate-limit", method, path, o.status, o.err)
			}
			if o.header.Get("X-RateLimit-Limit") != "" {
				t.Errorf("%s carries X-RateLimit-Limit; the Management API limit does not apply to it", path)
			}
		}
	}
	// And no Management API request is answered by the tenant: each fails
	// in one of the ways, or meets the rate limit.
	for i := range 20 {
		id := "m" + strconv.Itoa(i)
		o := do(t, c, http.MethodPost, srv.URL+"/api/v2/things", id)
		if o.err == nil && o.status < 300 {
			t.Errorf("%s: answered %d at --fail-rate 1", id, o.status)
		}
	}
}

func TestFailRateDropOverHTTP2(t *testing.T) {
	t.Parallel()
	stub := newTenantStub()
	srv := httptest.NewUnstartedServer(wrapTransport(Options{FailRate: 1, Seed: 1}, stub))
	srv.EnableHTTP2 = true
	srv.Config.ErrorLog = discardLog()
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c := srv.Client()
	sawDrop := false
	for i := range 20 {
		id := "h" + strconv.Itoa(i)
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/v2/things", nil)
		req.Header.Set("X-Test-Id", id)
		resp, err := c.Do(req)
		if err != nil {
			sawDrop = true
			continue
		}
		if resp.ProtoMajor != 2 {
			t.Fatalf("protocol %s; want HTTP/2", resp.Proto)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("%s: status %d; want 503 or a dropped stream", id, resp.StatusCode)
		}
	}
	if !sawDrop {
		t.Error("no dropped stream in 20 HTTP/2 requests at --fail-rate 1")
	}
}

func TestLatency(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		min, max time.Duration
		limit    float64
		method   string
		path     string
	}{
		{"fixed, management API", 40 * time.Millisecond, 0, 0, http.MethodGet, "/api/v2/things"},
		{"fixed, rate-limited write", 40 * time.Millisecond, 0, 100, http.MethodPost, "/api/v2/things"},
		{"fixed, token", 40 * time.Millisecond, 0, 0, http.MethodPost, "/oauth/token"},
		{"range, discovery", 30 * time.Millisecond, 60 * time.Millisecond, 0, http.MethodGet, "/.well-known/openid-configuration"},
		{"range, rate-limited management API", 30 * time.Millisecond, 60 * time.Millisecond, 100, http.MethodGet, "/api/v2/things"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := serve(t, wrapTransport(Options{Latency: tc.min, LatencyMax: tc.max, RateLimit: tc.limit}, newTenantStub()))
			c := newClient(t)
			for i := range 3 {
				start := time.Now()
				o := do(t, c, tc.method, srv.URL+tc.path, "l"+strconv.Itoa(i))
				if took := time.Since(start); took < tc.min {
					t.Errorf("answered in %v; want at least %v", took, tc.min)
				}
				if o.err != nil || o.status >= 300 || o.header.Get("X-Stub") != "yes" {
					t.Errorf("status %d, error %v, headers %v; want the tenant's answer intact", o.status, o.err, o.header)
				}
				if tc.method == http.MethodPost && tc.path != "/oauth/token" && (o.status != http.StatusCreated || o.header.Get("Location") == "") {
					t.Errorf("status %d, Location %q; want the tenant's 201 and Location through the buffer", o.status, o.header.Get("Location"))
				}
			}
		})
	}
}

func TestLatencyRangeDraws(t *testing.T) {
	t.Parallel()
	tr := newTransport(Options{Latency: 20 * time.Millisecond, LatencyMax: 200 * time.Millisecond, Seed: 5}, newTenantStub(), time.Now)
	seen := map[time.Duration]bool{}
	for range 1000 {
		d := tr.drawDelay()
		if d < 20*time.Millisecond || d > 200*time.Millisecond {
			t.Fatalf("delay %v outside 20ms-200ms", d)
		}
		seen[d] = true
	}
	if len(seen) < 900 {
		t.Errorf("only %d distinct delays in 1000 draws; want a spread over the range", len(seen))
	}
}

// TestLatencyHonoursCancellation checks that a client that gives up frees
// the server at once instead of after the whole delay, and that the tenant
// never sees the abandoned request.
func TestLatencyHonoursCancellation(t *testing.T) {
	t.Parallel()
	for _, path := range []string{"/api/v2/things", "/oauth/token"} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			stub := newTenantStub()
			returned := make(chan struct{}, 1)
			inner := wrapTransport(Options{Latency: time.Hour, FailRate: 0}, stub)
			srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				defer func() { returned <- struct{}{} }()
				inner.ServeHTTP(w, r)
			}))
			ctx, cancel := context.WithCancel(context.Background())
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+path, nil)
			time.AfterFunc(20*time.Millisecond, cancel)
			if resp, err := newClient(t).Do(req); err == nil {
				resp.Body.Close()
				t.Fatal("request with an hour of latency answered")
			}
			select {
			case <-returned:
			case <-time.After(10 * time.Second):
				t.Fatal("handler still sleeping 10s after the client gave up")
			}
			stub.mu.Lock()
			defer stub.mu.Unlock()
			if path == "/oauth/token" && len(stub.entered) != 0 {
				t.Errorf("tenant served %v after the client gave up", stub.entered)
			}
		})
	}
}

// fakeClock is a clock that moves only when told to.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// rateHeadersOf parses the three rate-limit headers, failing the test when
// one is missing.
func rateHeadersOf(t *testing.T, o outcome) (limit, remaining int, reset int64) {
	t.Helper()
	var err error
	if limit, err = strconv.Atoi(o.header.Get("X-RateLimit-Limit")); err != nil {
		t.Errorf("X-RateLimit-Limit %q: %v", o.header.Get("X-RateLimit-Limit"), err)
	}
	if remaining, err = strconv.Atoi(o.header.Get("X-RateLimit-Remaining")); err != nil {
		t.Errorf("X-RateLimit-Remaining %q: %v", o.header.Get("X-RateLimit-Remaining"), err)
	}
	if reset, err = strconv.ParseInt(o.header.Get("X-RateLimit-Reset"), 10, 64); err != nil {
		t.Errorf("X-RateLimit-Reset %q: %v", o.header.Get("X-RateLimit-Reset"), err)
	}
	return limit, remaining, reset
}

const tooManyBody = `{"statusCode":429,"error":"Too Many Requests","message":"Global limit has been reached","errorCode":"too_many_requests"}`

// check429 checks a refusal's body and headers; sent is when the request
// left the client, so the reset must lie at least a second after it.
func check429(t *testing.T, o outcome, sent time.Time, burst int) {
	t.Helper()
	if o.body != tooManyBody {
		t.Errorf("429 body %s; want %s", o.body, tooManyBody)
	}
	if ct := o.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("429 Content-Type %q", ct)
	}
	limit, remaining, reset := rateHeadersOf(t, o)
	if limit != burst || remaining != 0 {
		t.Errorf("429 with limit %d, remaining %d; want %d and 0", limit, remaining, burst)
	}
	if reset < sent.Add(time.Second).Unix() {
		t.Errorf("429 X-RateLimit-Reset %d is not in the future (sent at %d)", reset, sent.Unix())
	}
	if ra, err := strconv.Atoi(o.header.Get("Retry-After")); err != nil || ra < 1 {
		t.Errorf("429 Retry-After %q; want whole seconds, at least 1", o.header.Get("Retry-After"))
	}
}

// burst sends n concurrent GETs and returns their outcomes by id. Each
// outcome is also passed to seen (if not nil) as it arrives.
func burst(t *testing.T, c *http.Client, url string, n int, seen func(outcome)) map[string]outcome {
	t.Helper()
	var mu sync.Mutex
	out := map[string]outcome{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		id := "b" + strconv.Itoa(i)
		wg.Go(func() {
			<-start
			o := do(t, c, http.MethodGet, url, id)
			if seen != nil {
				seen(o)
			}
			mu.Lock()
			out[id] = o
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	return out
}

// TestRateLimitBurstInTurn is the acceptance check with the clock held
// still, so the counts are exact: 5 of 20 concurrent requests are served,
// their Remaining counts 4..0 in the order the tenant served them, one at a
// time, and the 15 others get Auth0's 429 with all three headers.
//
// The first request served is held in the tenant until every refusal came
// back, which means all 20 were decided: the 4 admitted after it must wait
// their turn instead of overtaking it.
func TestRateLimitBurstInTurn(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{now: time.Now()}
	stub := newTenantStub()
	stub.firstGate = make(chan struct{})
	var release sync.Once
	open := func() { release.Do(func() { close(stub.firstGate) }) }
	defer time.AfterFunc(15*time.Second, open).Stop() // a broken limiter must fail, not hang
	srv := serve(t, newTransport(Options{RateLimit: 5, Burst: 5}, stub, clock.Now))
	c := newClient(t)

	var mu sync.Mutex
	refusals := 0
	sent := time.Now()
	out := burst(t, c, srv.URL+"/api/v2/clients", 20, func(o outcome) {
		mu.Lock()
		defer mu.Unlock()
		if o.status == http.StatusTooManyRequests {
			if refusals++; refusals == 15 {
				open()
			}
		}
	})
	remainingOf := map[string]int{}
	var ok, refused int
	for id, o := range out {
		if o.err != nil {
			t.Fatalf("%s: %v", id, o.err)
		}
		switch o.status {
		case http.StatusOK:
			ok++
			limit, remaining, reset := rateHeadersOf(t, o)
			if limit != 5 || reset < clock.Now().Unix() {
				t.Errorf("%s: limit %d, reset %d; want 5 and not in the past", id, limit, reset)
			}
			remainingOf[id] = remaining
		case http.StatusTooManyRequests:
			refused++
			check429(t, o, sent, 5)
		default:
			t.Errorf("%s: status %d", id, o.status)
		}
	}
	if ok != 5 || refused != 15 {
		t.Fatalf("%d served and %d refused; want 5 and 15", ok, refused)
	}
	stub.mu.Lock()
	entered := slices.Clone(stub.entered)
	maxInFlight := stub.maxInFlight
	stub.mu.Unlock()
	var order []int
	for _, id := range entered {
		order = append(order, remainingOf[id])
	}
	if !slices.Equal(order, []int{4, 3, 2, 1, 0}) {
		t.Errorf("the tenant served the admitted requests with Remaining %v; want 4 3 2 1 0: requests served out of turn", order)
	}
	if maxInFlight != 1 {
		t.Errorf("%d admitted requests in the tenant at once; want one at a time, in turn", maxInFlight)
	}
}

// TestRateLimitRefusalTakesNoToken checks that refused requests never take
// a token, then or later: after refusals, a refill serves exactly as many
// requests as it brought tokens.
func TestRateLimitRefusalTakesNoToken(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{now: time.Now()}
	srv := serve(t, newTransport(Options{RateLimit: 5, Burst: 5}, newTenantStub(), clock.Now))
	c := newClient(t)
	statuses := func(n int) (got []int) {
		for i := range n {
			o := do(t, c, http.MethodDelete, srv.URL+"/api/v2/clients/x", "s"+strconv.Itoa(i))
			if o.err != nil {
				t.Fatal(o.err)
			}
			got = append(got, o.status)
		}
		return got
	}
	want := func(ok, refused int) []int {
		return append(slices.Repeat([]int{200}, ok), slices.Repeat([]int{429}, refused)...)
	}
	if got := statuses(12); !slices.Equal(got, want(5, 7)) {
		t.Fatalf("first 12: %v", got)
	}
	clock.Advance(200 * time.Millisecond) // one token
	if got := statuses(4); !slices.Equal(got, want(1, 3)) {
		t.Errorf("after 200ms: %v; want one served: refusals must not take tokens", got)
	}
	clock.Advance(10 * time.Second) // the bucket is full again, not fuller
	if got := statuses(7); !slices.Equal(got, want(5, 2)) {
		t.Errorf("after 10s: %v; want the bucket (5) served", got)
	}
}

// TestRateLimitBurstRealClock is the acceptance check on the real clock:
// with --rate-limit 5 --burst 5, 20 concurrent requests are served at most
// the bucket plus what refilled while they ran, and every 429 carries the
// three headers with a reset in the future.
func TestRateLimitBurstRealClock(t *testing.T) {
	t.Parallel()
	srv := serve(t, wrapTransport(Options{RateLimit: 5}, newTenantStub())) // burst defaults to 5
	c := newClient(t)
	sent := time.Now()
	out := burst(t, c, srv.URL+"/api/v2/clients", 20, nil)
	elapsed := time.Since(sent)
	var ok, refused int
	for id, o := range out {
		switch {
		case o.err != nil:
			t.Errorf("%s: %v", id, o.err)
		case o.status == http.StatusOK:
			ok++
		case o.status == http.StatusTooManyRequests:
			refused++
			check429(t, o, sent, 5)
		default:
			t.Errorf("%s: status %d", id, o.status)
		}
	}
	maxOK := 5 + int(elapsed.Seconds()*5) + 1
	if ok < 5 || ok > maxOK || ok+refused != 20 {
		t.Errorf("%d served, %d refused in %v; want 5 to %d served and the rest refused", ok, refused, elapsed, maxOK)
	}
}

func TestRateHeadersOnEveryManagementAnswer(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{now: time.Now()}
	stub := newTenantStub()
	srv := serve(t, newTransport(Options{RateLimit: 2, Burst: 3, FailRate: 0.5, Seed: 11}, stub, clock.Now))
	c := newClient(t)
	for i := range 40 {
		clock.Advance(time.Second) // keep the bucket from running dry
		id := "h" + strconv.Itoa(i)
		o := do(t, c, http.MethodPost, srv.URL+"/api/v2/things", id)
		if o.err != nil {
			continue // a dropped connection has no headers to carry
		}
		limit, _, _ := rateHeadersOf(t, o)
		if limit != 3 {
			t.Errorf("%s (%d): X-RateLimit-Limit %d; want 3", id, o.status, limit)
		}
	}
}

func TestDefaultBurst(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		rps   float64
		burst int
		want  int
	}{{5, 0, 5}, {2.5, 0, 3}, {0.2, 0, 1}, {5, 9, 9}} {
		tr := newTransport(Options{RateLimit: tc.rps, Burst: tc.burst}, newTenantStub(), time.Now)
		if tr.burst != tc.want || tr.limiter.Burst() != tc.want {
			t.Errorf("rate %v burst %d: bucket %d (limiter %d); want %d", tc.rps, tc.burst, tr.burst, tr.limiter.Burst(), tc.want)
		}
	}
}

// BenchmarkWrapTransport measures what the middleware adds to a request
// that it lets through, against calling the tenant handler directly.
func BenchmarkWrapTransport(b *testing.B) {
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = io.WriteString(w, `{"client_id":"abc","name":"bench"}`)
	})
	cases := []struct {
		name string
		h    http.Handler
		path string
	}{
		{"direct", next, "/api/v2/clients"},
		{"no options", wrapTransport(Options{}, next), "/api/v2/clients"},
		{"fail rate 0.01", wrapTransport(Options{FailRate: 0.01, Seed: 1}, next), "/api/v2/clients"},
		{"rate limited", wrapTransport(Options{RateLimit: 1e9, Burst: 1 << 30}, next), "/api/v2/clients"},
		{"rate limited, token endpoint", wrapTransport(Options{RateLimit: 1e9, Burst: 1 << 30}, next), "/oauth/token"},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if code := serveOnce(tc.h, tc.path); code != http.StatusOK && code != http.StatusServiceUnavailable && code != 0 {
					b.Fatalf("status %d", code)
				}
			}
		})
		b.Run(tc.name+", parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if code := serveOnce(tc.h, tc.path); code != http.StatusOK && code != http.StatusServiceUnavailable && code != 0 {
						b.Errorf("status %d", code)
						return
					}
				}
			})
		})
	}
}

// serveOnce serves one GET of path in memory and returns the status, or 0
// when the middleware dropped the connection (which a recorder cannot be
// hijacked for, so it aborts the handler instead).
func serveOnce(h http.Handler, path string) (code int) {
	defer func() {
		if r := recover(); r != nil {
			if err, ok := r.(error); !ok || !errors.Is(err, http.ErrAbortHandler) {
				panic(r)
			}
			code = 0
		}
	}()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
	return w.Code
}

// TestLostAnswerMeetsItsOwnSuccess drives the real tenant over HTTPS with
// --fail-rate: a create whose answer was lost was committed, so re-sending
// it meets the tenant's 409; a create refused with a 503 was not, so
// re-sending it creates the resource. This is what the fault is for.
func TestLostAnswerMeetsItsOwnSuccess(t *testing.T) {
	t.Parallel()
	s, err := New(Options{FailRate: 0.5, Seed: 99})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	c := s.Client()

	tokenBody, _ := json.Marshal(map[string]string{
		"grant_type": "client_credentials", "client_id": s.ClientID, "client_secret": s.ClientSecret, "audience": s.Audience,
	})
	resp, err := c.Post(s.BaseURL+"/oauth/token", "application/json", strings.NewReader(string(tokenBody)))
	if err != nil {
		t.Fatalf("token: %v", err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil {
		t.Fatalf("token answer: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || tok.AccessToken == "" {
		t.Fatalf("token: status %d; --fail-rate must not touch /oauth/token", resp.StatusCode)
	}

	create := func(identifier string) (int, error) {
		body := `{"name":"` + identifier + `","identifier":"` + identifier + `"}`
		req, _ := http.NewRequest(http.MethodPost, s.BaseURL+"/api/v2/resource-servers", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.Do(req)
		if err != nil {
			return 0, err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, err
	}
	// resend re-sends until the tenant itself answers (201 or 409). clean
	// says whether every earlier try was refused before the tenant saw it
	// (503): a lost answer on the way could have committed the create.
	resend := func(identifier string) (status int, clean bool) {
		clean = true
		for range 50 {
			status, err := create(identifier)
			if err == nil && (status == http.StatusCreated || status == http.StatusConflict) {
				return status, clean
			}
			clean = clean && err == nil && status == http.StatusServiceUnavailable
		}
		t.Fatalf("%s: no answer from the tenant in 50 tries at --fail-rate 0.5", identifier)
		return 0, false
	}

	var lost, refused int
	for i := 0; i < 200 && (lost < 3 || refused < 3); i++ {
		id := "https://api.example.com/fault-" + strconv.Itoa(i)
		status, err := create(id)
		switch {
		case err == nil && status == http.StatusBadGateway:
			lost++
			if again, _ := resend(id); again != http.StatusConflict {
				t.Errorf("%s: the 502 lost a committed create, but re-sending it got %d; want 409", id, again)
			}
		case err == nil && status == http.StatusServiceUnavailable:
			again, clean := resend(id)
			if !clean {
				continue // a lost answer on the way may have created it
			}
			refused++
			if again != http.StatusCreated {
				t.Errorf("%s: the 503 came before the tenant saw the create, but re-sending it got %d; want 201", id, again)
			}
		}
	}
	if lost < 3 || refused < 3 {
		t.Errorf("saw %d lost answers and %d refusals in 200 creates at --fail-rate 0.5; want both", lost, refused)
	}
}
