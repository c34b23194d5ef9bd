package auth0client

import (
	"context"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// stubTenant is a tiny tenant for the fault paths the sandbox cannot make
// on demand. It answers /oauth/token itself and hands /api/v2/ to mgmt; any
// other path fails the test.
func stubTenant(t *testing.T, mgmt http.HandlerFunc) (*Client, *atomic.Int64) {
	t.Helper()
	var calls atomic.Int64
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/oauth/token":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"access_token":"opaque-test-token","token_type":"Bearer","expires_in":86400,"scope":"read:resource_servers create:resource_servers"}`))
		case strings.HasPrefix(r.URL.Path, "/api/v2/"):
			calls.Add(1)
			mgmt(w, r)
		default:
			t.Errorf("unexpected request %s %s", r.Method, r.URL)
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	c, err := New(Config{
		Domain:       strings.TrimPrefix(srv.URL, "https://"),
		ClientID:     "mgmt-client",
		ClientSecret: "mgmt-secret-value",
		CAPEM:        caPEM,
		// The default's counts, with short waits and no jitter.
		Retry: RetryPolicy{MaxAttempts: 6, MaxTimeouts: 2, MaxRateLimited: 10, Floor: 5 * time.Millisecond, MaxWait: 50 * time.Millisecond},
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c, &calls
}

// noticeRecorder collects the retry notices a call reports.
type noticeRecorder struct {
	mu      sync.Mutex
	notices []steps.RetryNotice
}

func (n *noticeRecorder) ctx(parent context.Context) context.Context {
	return steps.WithNotifier(parent, func(rn steps.RetryNotice) {
		n.mu.Lock()
		n.notices = append(n.notices, rn)
		n.mu.Unlock()
	})
}

func (n *noticeRecorder) all() []steps.RetryNotice {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]steps.RetryNotice(nil), n.notices...)
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

const tooMany = `{"statusCode":429,"error":"Too Many Requests","message":"Global limit has been reached","errorCode":"too_many_requests"}`

func TestRateLimitResetInThePastDoesNotSpin(t *testing.T) {
	t.Parallel()
	c, calls := stubTenant(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-RateLimit-Limit", "2")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(-time.Hour).Unix(), 10))
		writeJSON(w, http.StatusTooManyRequests, tooMany)
	})
	// Enough attempts that only the waits bound the requests in the window.
	c.retry.policy = RetryPolicy{MaxAttempts: 1000, MaxTimeouts: 2, MaxRateLimited: 1000, Floor: 50 * time.Millisecond, MaxWait: 200 * time.Millisecond}
	var rec noticeRecorder
	ctx, cancel := context.WithTimeout(rec.ctx(t.Context()), 600*time.Millisecond)
	defer cancel()
	_, err := c.FindResourceServer(ctx, "basic-calculator")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("FindResourceServer under a permanent 429 = %v, want the deadline", err)
	}
	// Waits of 50, 100, 200, 200 ms fit at most 5 requests in 600 ms; a
	// tight loop would make thousands.
	if n := calls.Load(); n < 2 || n > 6 {
		t.Fatalf("%d requests in 600ms under a 429 whose reset is past, want 2..6", n)
	}
	notices := rec.all()
	if len(notices) == 0 {
		t.Fatal("no retry notice reported")
	}
	for i, n := range notices {
		if !n.RateLimited || n.Wait < 50*time.Millisecond || n.Attempt != i+2 {
			t.Errorf("notice %d = %+v, want rate limited, wait >= 50ms, attempt %d", i, n, i+2)
		}
	}
}

func TestRateLimitWait(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	rt := &retryTransport{now: func() time.Time { return now }}
	tests := []struct {
		name   string
		header map[string]string
		want   time.Duration
	}{
		{"nothing", nil, 0},
		{"retry-after seconds", map[string]string{"Retry-After": "3"}, 3 * time.Second},
		{"retry-after date", map[string]string{"Retry-After": now.Add(4 * time.Second).UTC().Format(http.TimeFormat)}, 4 * time.Second},
		{"reset epoch", map[string]string{"X-RateLimit-Reset": strconv.FormatInt(now.Unix()+5, 10)}, 5 * time.Second},
		{"reset in the past", map[string]string{"X-RateLimit-Reset": strconv.FormatInt(now.Unix()-5, 10)}, 0},
		{"retry-after before reset", map[string]string{"Retry-After": "2", "X-RateLimit-Reset": strconv.FormatInt(now.Unix()+7, 10)}, 2 * time.Second},
		{"retry-after zero falls back to reset", map[string]string{"Retry-After": "0", "X-RateLimit-Reset": strconv.FormatInt(now.Unix()+7, 10)}, 7 * time.Second},
		{"garbage", map[string]string{"Retry-After": "soon", "X-RateLimit-Reset": "later"}, 0},
		{"not a number", map[string]string{"Retry-After": "NaN"}, 0},
		{"negative", map[string]string{"Retry-After": "-3"}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			for k, v := range tc.header {
				h.Set(k, v)
			}
			if got := rt.rateLimitWait(h); got != tc.want {
				t.Fatalf("rateLimitWait(%v) = %v, want %v", tc.header, got, tc.want)
			}
		})
	}
}

func TestRetryAfterIsHonouredAndCapped(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	c, _ := stubTenant(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "120")
			writeJSON(w, http.StatusTooManyRequests, tooMany)
			return
		}
		writeJSON(w, http.StatusOK, `{"resource_servers":[],"start":0,"limit":100,"total":0}`)
	})
	var rec noticeRecorder
	_, err := c.FindResourceServer(rec.ctx(t.Context()), "basic-calculator")
	if !errors.Is(err, steps.ErrNotFound) {
		t.Fatalf("FindResourceServer = %v, want not found after one retry", err)
	}
	notices := rec.all()
	// Retry-After 120 s is capped at the policy's MaxWait (50 ms here).
	if len(notices) != 1 || notices[0].Wait != 50*time.Millisecond || !notices[0].RateLimited {
		t.Fatalf("notices = %+v, want one rate-limited wait of 50ms", notices)
	}
}

const rsBody = `{"id":"rs_1","name":"Basic Calculator","identifier":"basic-calculator","signing_alg":"RS256","token_lifetime":86400}`

func TestCreateIsNotResentAfter5xx(t *testing.T) {
	t.Parallel()
	c, calls := stubTenant(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusBadGateway, `{"statusCode":502,"error":"Bad Gateway","message":"upstream"}`)
	})
	var rec noticeRecorder
	_, err := c.CreateResourceServer(rec.ctx(t.Context()), steps.ResourceServer{Name: "Basic Calculator", Identifier: "basic-calculator"})
	if !errors.Is(err, steps.ErrUncertain) {
		t.Fatalf("create after a 502 = %v, want ErrUncertain", err)
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("a create was sent %d times after a 502, want once", n)
	}
	if len(rec.all()) != 0 {
		t.Fatalf("notices %+v for a create that must not be retried", rec.all())
	}
	if !strings.Contains(err.Error(), "may or may not") {
		t.Errorf("error %q does not say the outcome is unknown", err)
	}
	if Final(err) {
		t.Errorf("Final(%v) = true for a create whose outcome is unknown: the engine must be free to look it up", err)
	}
}

func TestCreateIsNotResentAfterLostAnswer(t *testing.T) {
	t.Parallel()
	c, calls := stubTenant(t, func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		_ = conn.Close() // the request was read; the answer is lost
	})
	_, err := c.CreateResourceServer(t.Context(), steps.ResourceServer{Name: "Basic Calculator", Identifier: "basic-calculator"})
	if !errors.Is(err, steps.ErrUncertain) {
		t.Fatalf("create with its answer lost = %v, want ErrUncertain", err)
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("a create was sent %d times after a lost answer, want once", n)
	}
}

func TestCreateIsRetriedAfter429(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	c, calls := stubTenant(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= 2 {
			w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Unix(), 10))
			writeJSON(w, http.StatusTooManyRequests, tooMany)
			return
		}
		writeJSON(w, http.StatusCreated, rsBody)
	})
	var rec noticeRecorder
	rs, err := c.CreateResourceServer(rec.ctx(t.Context()), steps.ResourceServer{Name: "Basic Calculator", Identifier: "basic-calculator"})
	if err != nil {
		t.Fatalf("create after two 429s: %v", err)
	}
	if rs.ID != "rs_1" || calls.Load() != 3 || len(rec.all()) != 2 {
		t.Fatalf("got %+v after %d requests and notices %+v; want rs_1 after 3 requests and 2 notices", rs, calls.Load(), rec.all())
	}
}

func TestReadsAreRetriedAfter5xxAndLostAnswers(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	c, calls := stubTenant(t, func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) {
		case 1:
			writeJSON(w, http.StatusServiceUnavailable, `{"statusCode":503,"error":"Service Unavailable","message":"try later"}`)
		case 2:
			conn, _, _ := http.NewResponseController(w).Hijack()
			_ = conn.Close()
		default:
			writeJSON(w, http.StatusOK, `{"resource_servers":[`+rsBody+`],"start":0,"limit":100,"total":1}`)
		}
	})
	var rec noticeRecorder
	rs, err := c.FindResourceServer(rec.ctx(t.Context()), "basic-calculator")
	if err != nil {
		t.Fatalf("find after a 503 and a dropped connection: %v", err)
	}
	// net/http itself replays a GET whose reused connection closed
	// unanswered, so the dropped connection may cost no notice of ours.
	notices := rec.all()
	if rs.ID != "rs_1" || calls.Load() != 3 || len(notices) < 1 || notices[0].RateLimited {
		t.Fatalf("got %+v after %d requests, notices %+v; want rs_1 after 3 requests, non-rate-limit notices", rs, calls.Load(), notices)
	}
}

func TestRetriesStopAtTheCeiling(t *testing.T) {
	t.Parallel()
	c, calls := stubTenant(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusServiceUnavailable, `{"statusCode":503,"error":"Service Unavailable","message":"down"}`)
	})
	err := c.DeleteResourceServer(t.Context(), "rs_1")
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusServiceUnavailable || errors.Is(err, steps.ErrUncertain) {
		t.Fatalf("delete under a permanent 503 = %v, want a 503 APIError that is not uncertain", err)
	}
	if n := calls.Load(); n != 6 {
		t.Fatalf("%d attempts, want the ceiling of 6", n)
	}
	if !Final(err) {
		t.Errorf("Final(%v) = false after the policy's 6 attempts: a caller would send them all again", err)
	}
}

// TestRateLimitsDoNotUseUpTheFailureBudget: under a tight rate limit a read
// meets 429s between its failures; the 429s (not processed) are counted
// apart, so five failures and five 429s still end in the answer.
func TestRateLimitsDoNotUseUpTheFailureBudget(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	c, calls := stubTenant(t, func(w http.ResponseWriter, r *http.Request) {
		switch i := n.Add(1); {
		case i <= 10 && i%2 == 1:
			w.Header().Set("Retry-After", "0")
			writeJSON(w, http.StatusTooManyRequests, tooMany)
		case i <= 10:
			writeJSON(w, http.StatusServiceUnavailable, `{"statusCode":503,"error":"Service Unavailable","message":"try later"}`)
		default:
			writeJSON(w, http.StatusOK, `{"resource_servers":[`+rsBody+`],"start":0,"limit":100,"total":1}`)
		}
	})
	rs, err := c.FindResourceServer(t.Context(), "basic-calculator")
	if err != nil || rs.ID != "rs_1" || calls.Load() != 11 {
		t.Fatalf("find through five 429s and five 503s = %+v, %v after %d requests; want rs_1 after 11", rs, err, calls.Load())
	}
}

func TestRateLimitCeiling(t *testing.T) {
	t.Parallel()
	c, calls := stubTenant(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusTooManyRequests, tooMany)
	})
	_, err := c.FindResourceServer(t.Context(), "basic-calculator")
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusTooManyRequests || !strings.Contains(ae.Advice, "rate limit") {
		t.Fatalf("find under a permanent 429 = %v, want a 429 APIError with advice", err)
	}
	if n := calls.Load(); n != 10 {
		t.Fatalf("%d attempts under a permanent 429, want the ceiling of 10", n)
	}
}

func TestCancelStopsTheWait(t *testing.T) {
	t.Parallel()
	c, calls := stubTenant(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		writeJSON(w, http.StatusTooManyRequests, tooMany)
	})
	c.retry.policy.MaxWait = time.Hour
	ctx, cancel := context.WithCancel(t.Context())
	ctx = steps.WithNotifier(ctx, func(steps.RetryNotice) { cancel() })
	_, err := c.FindClient(ctx, "anything")
	if !errors.Is(err, context.Canceled) || calls.Load() != 1 {
		t.Fatalf("cancel during a 30s wait = %v after %d requests, want context.Canceled after 1", err, calls.Load())
	}
}

func TestTimeoutIsSaidPlainlyAndTriedTwice(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var calls atomic.Int64
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/.well-known/openid-configuration" {
			calls.Add(1)
		}
		select { // never answers in time
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	c, err := New(Config{Domain: srv.URL, CAPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})})
	if err != nil {
		t.Fatal(err)
	}
	c.retry.policy.Floor = time.Millisecond
	tr, ok := c.retry.next.(*http.Transport)
	if !ok {
		t.Fatalf("the retries wrap %T, not the *http.Transport", c.retry.next)
	}
	tr.ResponseHeaderTimeout = 100 * time.Millisecond
	_, err = c.Discover(t.Context())
	var te *TransportError
	if !errors.As(err, &te) || te.Kind != "timeout" || !strings.Contains(err.Error(), "did not answer in time") ||
		!strings.Contains(err.Error(), strings.TrimPrefix(srv.URL, "https://")) {
		t.Fatalf("Discover of a silent tenant = %v, want a plain timeout naming the domain", err)
	}
	if n := calls.Load(); n != int64(DefaultRetryPolicy().MaxTimeouts) {
		t.Fatalf("%d attempts at a silent tenant, want %d", n, DefaultRetryPolicy().MaxTimeouts)
	}
}

// TestBudgetEndsTheRetries: a wait that would take the request past the
// policy's Budget is not made. The clock is the transport's own (it moves
// only by the waits), so the count is exact on a loaded machine.
func TestBudgetEndsTheRetries(t *testing.T) {
	t.Parallel()
	c, calls := stubTenant(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusServiceUnavailable, `{"statusCode":503,"error":"Service Unavailable","message":"down"}`)
	})
	c.retry.policy = RetryPolicy{MaxAttempts: 100, MaxTimeouts: 2, MaxRateLimited: 100, Floor: 10 * time.Millisecond, MaxWait: time.Second, Budget: 100 * time.Millisecond}
	var mu sync.Mutex
	clock := time.Unix(1_800_000_000, 0)
	var waits []time.Duration
	c.retry.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	c.retry.sleep = func(_ context.Context, d time.Duration) error {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(d)
		waits = append(waits, d)
		return nil
	}
	_, err := c.FindResourceServer(t.Context(), "basic-calculator")
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusServiceUnavailable || !Final(err) {
		t.Fatalf("find under a permanent 503 = %v, want the final 503", err)
	}
	// Waits of 10, 20 and 40 ms fit in 100 ms; the next, 80, would not.
	want := []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond}
	mu.Lock()
	defer mu.Unlock()
	if n := calls.Load(); n != 4 || len(waits) != len(want) || waits[0] != want[0] || waits[1] != want[1] || waits[2] != want[2] {
		t.Fatalf("%d attempts with waits %v, want 4 attempts with waits %v", n, waits, want)
	}
}

// TestJitterNeverShortensTheAskedWait: a 429 asks to wait until its reset;
// the jitter only adds to that, and MaxWait still caps it.
func TestJitterNeverShortensTheAskedWait(t *testing.T) {
	t.Parallel()
	p := RetryPolicy{MaxAttempts: 1, MaxTimeouts: 1, MaxRateLimited: 1, Floor: 0, MaxWait: 10 * time.Second, Jitter: 0.5}
	for _, tc := range []struct {
		asked  time.Duration
		random float64
		want   time.Duration
	}{
		{2 * time.Second, 0, 2 * time.Second},
		{2 * time.Second, 0.5, 2500 * time.Millisecond},
		{2 * time.Second, 0.999999, 2999999 * time.Microsecond},
		{8 * time.Second, 0.9, 10 * time.Second}, // capped
		{0, 0.9, 0},
	} {
		if got := p.jittered(tc.asked, func() float64 { return tc.random }); got.Round(time.Microsecond) != tc.want {
			t.Errorf("jittered(%s) with random %v = %s, want %s", tc.asked, tc.random, got, tc.want)
		}
	}
	// Through the transport: the wait reported is the reset's, plus jitter.
	var n atomic.Int64
	reset := time.Unix(1_800_000_003, 0)
	c, _ := stubTenant(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
			writeJSON(w, http.StatusTooManyRequests, tooMany)
			return
		}
		writeJSON(w, http.StatusOK, `{"resource_servers":[`+rsBody+`],"start":0,"limit":100,"total":1}`)
	})
	c.retry.policy.Jitter, c.retry.policy.MaxWait = 0.5, time.Minute
	c.retry.now = func() time.Time { return reset.Add(-2 * time.Second) }
	c.retry.random = func() float64 { return 0.5 }
	c.retry.sleep = func(context.Context, time.Duration) error { return nil }
	var rec noticeRecorder
	if _, err := c.FindResourceServer(rec.ctx(t.Context()), "basic-calculator"); err != nil {
		t.Fatal(err)
	}
	if got := rec.all(); len(got) != 1 || got[0].Wait != 2500*time.Millisecond || !got[0].RateLimited {
		t.Fatalf("notices %+v, want one rate-limited wait of 2.5s (2s to the reset + 25%%)", got)
	}
}

func TestRetryPolicyIsChecked(t *testing.T) {
	t.Parallel()
	if err := DefaultRetryPolicy().validate(); err != nil {
		t.Fatalf("the default policy: %v", err)
	}
	for _, p := range []RetryPolicy{
		{MaxAttempts: 0, MaxTimeouts: 1, MaxRateLimited: 1},
		{MaxAttempts: 1, MaxTimeouts: 1, MaxRateLimited: 1, Floor: time.Second, MaxWait: time.Millisecond},
		{MaxAttempts: 1, MaxTimeouts: 1, MaxRateLimited: 1, Jitter: 2},
		{MaxAttempts: 1, MaxTimeouts: 1, MaxRateLimited: 1, Budget: -time.Second},
	} {
		if _, err := New(Config{Domain: "tenant.example.com", Retry: p}); err == nil || !strings.Contains(err.Error(), "retry policy") {
			t.Errorf("New with %+v = %v, want a retry policy error", p, err)
		}
	}
	c, err := New(Config{Domain: "tenant.example.com"})
	if err != nil || c.RetryPolicy() != DefaultRetryPolicy() {
		t.Fatalf("New without Retry: policy %+v, %v; want the default", c.RetryPolicy(), err)
	}
}

// TestCutOffReadIsRetried: an answer whose body ends before its
// Content-Length is tried again by the client, like a lost answer, so no
// caller has to send a read again; the second answer is used whole.
func TestCutOffReadIsRetried(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	page := `{"resource_servers":[` + rsBody + `],"start":0,"limit":100,"total":1}`
	c, calls := stubTenant(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", strconv.Itoa(len(page)))
			_, _ = w.Write([]byte(page[:20])) // the server closes the connection short of the length
			return
		}
		writeJSON(w, http.StatusOK, page)
	})
	var rec noticeRecorder
	rs, err := c.FindResourceServer(rec.ctx(t.Context()), "basic-calculator")
	if err != nil || rs.ID != "rs_1" || calls.Load() != 2 {
		t.Fatalf("find through a cut-off answer = %+v, %v after %d requests; want rs_1 after 2", rs, err, calls.Load())
	}
	if got := rec.all(); len(got) != 1 || got[0].RateLimited || !strings.Contains(got[0].Reason, "cut off") {
		t.Fatalf("notices %+v, want one saying the answer was cut off", got)
	}
}

// TestCutOffReadsEndFinal: answers that are always cut off end after the
// policy's attempts, in an error the caller must not retry.
func TestCutOffReadsEndFinal(t *testing.T) {
	t.Parallel()
	c, calls := stubTenant(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		_, _ = w.Write([]byte(`{"resource_servers":[`))
	})
	_, err := c.FindResourceServer(t.Context(), "basic-calculator")
	if err == nil || !Final(err) || errors.Is(err, steps.ErrUncertain) || calls.Load() != 6 {
		t.Fatalf("find under cut-off answers = %v (final %v) after %d requests; want a final error after 6", err, Final(err), calls.Load())
	}
}

// TestPacingWaitsForAnEmptyBucket: once an answer says the tenant's bucket
// is empty, the requests are sent one token's refill apart ((Reset − now)
// ÷ Limit), the first one interval on, and say so; an answer that says
// tokens are left ends the pacing.
func TestPacingWaitsForAnEmptyBucket(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	clock := time.Unix(1_800_000_000, 0)
	reset := clock.Add(4 * time.Second)
	remaining := "0"
	var sentAt []time.Time
	c, _ := stubTenant(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		sentAt = append(sentAt, clock)
		w.Header().Set("X-RateLimit-Limit", "4")
		w.Header().Set("X-RateLimit-Remaining", remaining)
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
		mu.Unlock()
		writeJSON(w, http.StatusOK, `{"resource_servers":[`+rsBody+`],"start":0,"limit":100,"total":1}`)
	})
	c.retry.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	c.retry.policy.MaxWait = time.Minute
	c.retry.sleep = func(_ context.Context, d time.Duration) error {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(d)
		return nil
	}
	var rec noticeRecorder
	find := func() {
		t.Helper()
		if _, err := c.FindResourceServer(rec.ctx(t.Context()), "basic-calculator"); err != nil {
			t.Fatal(err)
		}
	}
	find()
	find() // 4 s to refill 4 tokens: one a second
	mu.Lock()
	mgmt := sentAt[len(sentAt)-2:] // the two reads (a token request may come first)
	if got, want := mgmt[1].Sub(mgmt[0]), time.Second; got != want {
		t.Errorf("the second read was sent %s after the first, want %s (a token's refill: 4 s to the reset ÷ 4)", got, want)
	}
	remaining = "2"
	mu.Unlock()
	notes := rec.all()
	if len(notes) == 0 || !notes[len(notes)-1].RateLimited || !strings.HasPrefix(notes[len(notes)-1].Reason, "pacing") {
		t.Errorf("notices %+v, want a pacing one", notes)
	}
	find() // paced still (the last answer said empty), and says tokens are left
	find() // not paced
	mu.Lock()
	defer mu.Unlock()
	n := len(sentAt)
	if got := sentAt[n-1].Sub(sentAt[n-2]); got != 0 {
		t.Errorf("a read after an answer with tokens left waited %s, want none", got)
	}
}
