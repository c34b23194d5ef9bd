package auth0client

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// RetryPolicy is the client's one retry policy: how often and how long one
// request is tried again. It is built in one place (DefaultRetryPolicy) and
// given to New through Config.Retry; tests shrink it there. The client is
// the only layer that retries a request: an error it returns has been
// retried as far as the policy allows (see Final), and a caller that sends
// the same request again multiplies the budgets.
//
// What is retried: a 429 always (the tenant did not process the request),
// 5xx, 408 and transport errors only for requests that are safe to repeat
// (GET, PATCH, DELETE, and POST to the token endpoint). A POST that creates
// something is never re-sent after a 5xx or a lost answer: its error is
// steps.ErrUncertain and the engine looks the resource up before it sends
// the create again.
type RetryPolicy struct {
	// MaxAttempts is how many failed attempts (5xx, 408, a lost answer) end a
	// request, the first included.
	MaxAttempts int
	// MaxTimeouts is how many attempts that end in a timeout end a request:
	// a tenant that does not answer in time rarely answers the next time.
	MaxTimeouts int
	// MaxRateLimited is how many 429 answers end a request. They are counted
	// apart from the failures, as the tenant did not process the request.
	MaxRateLimited int
	// Floor is the least wait before the second attempt; it doubles each
	// attempt, up to MaxWait.
	Floor time.Duration
	// MaxWait is the most one wait may be, whatever the tenant asks for.
	MaxWait time.Duration
	// Jitter is the fraction (0 to 1) of each wait added at random, so that
	// clients a 429's X-RateLimit-Reset lines up do not all come back in the
	// same instant. A wait is never shorter than the tenant asked for.
	Jitter float64
	// Budget bounds the time one request may take, its attempts and waits
	// together: a wait that would end past it is not made and the last
	// answer goes back. 0: only the counts bound it.
	Budget time.Duration
}

// DefaultRetryPolicy is the policy of a client whose Config.Retry is zero:
// 6 failed attempts or 2 timeouts end a request; waits from 250ms,
// doubling, to 30s at most, with up to 20% jitter. A tenant's rate limit is
// shared with everyone else on it, so 429s are waited out for as long as the
// budget allows (5 minutes a request, 1,000 answers at most) rather than
// counted to a small number.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{
		MaxAttempts:    6,
		MaxTimeouts:    2,
		MaxRateLimited: 1000,
		Floor:          250 * time.Millisecond,
		MaxWait:        30 * time.Second,
		Jitter:         0.2,
		Budget:         5 * time.Minute,
	}
}

// validate says what is wrong with a policy given in Config.Retry.
func (p RetryPolicy) validate() error {
	switch {
	case p.MaxAttempts < 1 || p.MaxTimeouts < 1 || p.MaxRateLimited < 1:
		return fmt.Errorf("retry policy: MaxAttempts, MaxTimeouts and MaxRateLimited must be 1 or more (got %d, %d, %d)",
			p.MaxAttempts, p.MaxTimeouts, p.MaxRateLimited)
	case p.Floor < 0 || p.MaxWait < p.Floor:
		return fmt.Errorf("retry policy: want 0 <= Floor <= MaxWait (got %s, %s)", p.Floor, p.MaxWait)
	case !(p.Jitter >= 0 && p.Jitter <= 1): // also NaN
		return fmt.Errorf("retry policy: Jitter must be from 0 to 1 (got %v)", p.Jitter)
	case p.Budget < 0:
		return fmt.Errorf("retry policy: Budget must be 0 (none) or more (got %s)", p.Budget)
	}
	return nil
}

// Backoff is the floor of the wait before attempt+1: Floor, 2×Floor,
// 4×Floor, ..., at most MaxWait (no jitter).
func (p RetryPolicy) Backoff(attempt int) time.Duration {
	d := p.Floor
	for i := 1; i < attempt && d < p.MaxWait; i++ {
		d *= 2
	}
	return min(d, p.MaxWait)
}

// jittered adds up to Jitter×d at random to d, capped at MaxWait (a wait
// that the tenant asked for beyond MaxWait is cut to MaxWait before).
func (p RetryPolicy) jittered(d time.Duration, random func() float64) time.Duration {
	if p.Jitter > 0 && d > 0 {
		d += time.Duration(p.Jitter * random() * float64(d))
	}
	return min(d, p.MaxWait)
}

// Final reports whether err is an error of this client that the policy has
// already retried as far as it allows, or that another attempt would not
// fix (a 4xx, an unknown host, a refused connection, a certificate the
// machine does not trust): sending the same request again is of no use.
// steps.ErrUncertain is a different matter: a create whose outcome is
// unknown was sent once, and it is for the caller to look it up and decide.
func Final(err error) bool {
	var f interface{ Final() bool }
	return errors.As(err, &f) && f.Final()
}

// retryTransport is the one place requests are retried, by its policy. It
// also paces requests to the tenant's rate limit. Auth0's bucket holds
// X-RateLimit-Limit tokens and is full again at X-RateLimit-Reset (UNIX
// seconds), refilling at a steady rate: once an answer says it is empty
// (X-RateLimit-Remaining 0), a token comes back every (Reset − now) ÷ Limit,
// and until Reset this client's requests are sent one such interval apart,
// the first one interval on. An answer that says tokens are left lets
// that many requests go at once (fewer, if others went meanwhile), the
// rest still one interval apart. (Holding every request until Reset, as this client did, left the
// bucket full and unused for up to two seconds each time it emptied: with
// a 10/s limit, 0.86 of it was used by 30 kits at 4 actions at once.)
type retryTransport struct {
	next   http.RoundTripper
	policy RetryPolicy
	now    func() time.Time
	sleep  func(context.Context, time.Duration) error
	random func() float64 // in [0, 1)

	mu       sync.Mutex
	paceTill time.Time     // guarded by mu: the bucket is empty, refilling, until then
	interval time.Duration // guarded by mu: a token comes back that often meanwhile
	nextSlot time.Time     // guarded by mu: the next paced request goes then
	tokens   int           // guarded by mu: requests that may go at once meanwhile (the last answer's Remaining, less those sent since)
}

// bucket is what an answer says of the tenant's bucket: empty says it
// holds no token now; interval is how often one comes back (0: unknown),
// full when it is full again (zero: unknown).
type bucket struct {
	empty, known bool
	remaining    int
	interval     time.Duration
	full         time.Time
}

// bucketOf reads Auth0's rate-limit headers at now.
func bucketOf(h http.Header, now time.Time) bucket {
	rem, err := strconv.Atoi(strings.TrimSpace(h.Get("X-RateLimit-Remaining")))
	if err != nil || rem < 0 {
		return bucket{}
	}
	b := bucket{known: true, empty: rem == 0, remaining: rem}
	epoch, err := strconv.ParseInt(strings.TrimSpace(h.Get("X-RateLimit-Reset")), 10, 64)
	if err != nil {
		return b
	}
	b.full = time.Unix(epoch, 0)
	limit, err := strconv.Atoi(strings.TrimSpace(h.Get("X-RateLimit-Limit")))
	if err == nil && limit > rem && b.full.After(now) {
		b.interval = b.full.Sub(now) / time.Duration(limit-rem)
	}
	return b
}

// learn keeps what an answer says of the tenant's bucket.
func (t *retryTransport) learn(h http.Header) {
	now := t.now()
	b := bucketOf(h, now)
	if !b.known {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if !b.empty {
		t.tokens = b.remaining // that many may go without waiting for a token
		return
	}
	t.tokens = 0
	if b.full.IsZero() || !b.full.After(now) {
		return
	}
	till := b.full
	if till.Sub(now) > t.policy.MaxWait {
		till = now.Add(t.policy.MaxWait)
	}
	iv := min(b.interval, t.policy.MaxWait)
	if iv <= 0 {
		iv = till.Sub(now) // no bucket size: until it is full
	}
	if !now.Before(t.paceTill) {
		t.nextSlot = now.Add(iv) // the bucket just emptied: the first token one interval on
	}
	t.paceTill, t.interval = later(t.paceTill, till), iv
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// pace waits, while the bucket is known to be empty, for this request's
// turn: one token's interval after the request paced before it.
func (t *retryTransport) pace(ctx context.Context, attempt int) error {
	now := t.now()
	t.mu.Lock()
	if !now.Before(t.paceTill) {
		t.mu.Unlock()
		return nil
	}
	if t.tokens > 0 {
		t.tokens--
		t.mu.Unlock()
		return nil
	}
	slot := later(now, t.nextSlot)
	t.nextSlot = slot.Add(t.interval)
	t.mu.Unlock()
	wait := slot.Sub(now)
	if wait <= 0 {
		return nil
	}
	steps.Notify(ctx, steps.RetryNotice{Attempt: attempt, Wait: wait, RateLimited: true,
		Reason: "pacing to the tenant's rate limit (its bucket is empty: one request each time a token comes back)"})
	return t.sleep(ctx, wait)
}

func newRetryTransport(next http.RoundTripper, p RetryPolicy) *retryTransport {
	return &retryTransport{next: next, policy: p, now: time.Now, sleep: sleepCtx, random: rand.Float64}
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	repeatable := req.Method != http.MethodPost || strings.HasSuffix(req.URL.Path, "/oauth/token")
	timeouts, failures, limited := 0, 0, 0
	var deadline time.Time
	if t.policy.Budget > 0 {
		deadline = t.now().Add(t.policy.Budget)
	}
	for attempt := 1; ; attempt++ {
		r := req
		if attempt > 1 {
			r = req.Clone(ctx)
			if req.Body != nil && req.Body != http.NoBody {
				if req.GetBody == nil {
					return nil, errors.New("retry: request body cannot be re-read")
				}
				body, err := req.GetBody()
				if err != nil {
					return nil, fmt.Errorf("retry: re-read request body: %w", err)
				}
				r.Body = body
			}
		}
		if err := t.pace(ctx, attempt); err != nil {
			return nil, err
		}
		resp, err := t.next.RoundTrip(r)
		if resp != nil {
			t.learn(resp.Header)
		}
		var (
			wait        time.Duration
			reason      string
			rateLimited bool
		)
		switch {
		case err != nil:
			if ctx.Err() != nil || permanentTransportError(err) {
				return nil, err
			}
			if !repeatable && !notSent(err) {
				return nil, err
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				// A tenant that does not answer in time rarely answers the
				// next time: one more try, not minutes of them.
				if timeouts++; timeouts >= t.policy.MaxTimeouts {
					return nil, err
				}
			}
			wait = t.policy.Backoff(attempt)
			reason = "connection problem: " + err.Error()
		case resp.StatusCode == http.StatusTooManyRequests:
			rateLimited = true
			wait = max(t.rateLimitWait(resp.Header), t.policy.Backoff(attempt))
			reason = "rate limited by the tenant (429)"
		case resp.StatusCode >= 500 || resp.StatusCode == http.StatusRequestTimeout:
			if !repeatable {
				return resp, nil
			}
			// Only Retry-After: X-RateLimit-Reset on a 5xx says when the
			// bucket is full, not when the tenant recovers.
			wait = max(t.retryAfter(resp.Header), t.policy.Backoff(attempt))
			reason = fmt.Sprintf("server error %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
		default:
			if !repeatable {
				return resp, nil
			}
			// A read's answer is read here, whole, so that one cut off
			// midway is tried again like a lost one: no caller needs to
			// send a read again.
			if err = bufferBody(resp); err == nil {
				return resp, nil
			}
			if ctx.Err() != nil {
				return nil, err
			}
			resp = nil
			wait = t.policy.Backoff(attempt)
			reason = "the answer was cut off: " + err.Error()
		}
		// A 429 says the tenant did not process the request, and how long
		// to wait: it does not use up the budget of failures (a tight rate
		// limit mixed with failures would otherwise end a request early).
		if rateLimited {
			limited++
		} else {
			failures++
		}
		if failures >= t.policy.MaxAttempts || limited >= t.policy.MaxRateLimited {
			return resp, err
		}
		wait = t.policy.jittered(min(wait, t.policy.MaxWait), t.random)
		if !deadline.IsZero() && t.now().Add(wait).After(deadline) {
			// The wait would take the request past its budget: the last
			// answer goes back now rather than after a wait for nothing.
			return resp, err
		}
		if resp != nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
			_ = resp.Body.Close()
		}
		steps.Notify(ctx, steps.RetryNotice{Attempt: attempt + 1, Wait: wait, RateLimited: rateLimited, Reason: reason})
		if err := t.sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// maxBufferedBody is the most of an answer bufferBody holds in memory; the
// rest of a longer one is read from the connection as it comes.
const maxBufferedBody = 32 << 20

// bufferBody reads resp's body into memory and puts it back, readable
// again. It returns the error of a body cut off before its end.
func bufferBody(resp *http.Response) error {
	if resp.Body == nil || resp.Body == http.NoBody {
		return nil
	}
	orig := resp.Body
	body, err := io.ReadAll(io.LimitReader(orig, maxBufferedBody+1))
	if err != nil {
		_ = orig.Close()
		return err
	}
	if len(body) > maxBufferedBody {
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(body), orig), orig}
		return nil
	}
	_ = orig.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return nil
}

// rateLimitWait says how long a 429 asks to wait: Retry-After (seconds or
// HTTP date) when the answer has one, as it names when a request may be
// sent again; otherwise X-RateLimit-Reset (UNIX epoch seconds), when the
// bucket is full again. 0 when they ask for none or name a time already past.
func (t *retryTransport) rateLimitWait(h http.Header) time.Duration {
	if strings.TrimSpace(h.Get("Retry-After")) != "" {
		if d := t.retryAfter(h); d > 0 {
			return d
		}
	}
	if v := strings.TrimSpace(h.Get("X-RateLimit-Reset")); v != "" {
		if epoch, err := strconv.ParseInt(v, 10, 64); err == nil {
			return max(time.Unix(epoch, 0).Sub(t.now()), 0)
		}
	}
	return 0
}

// retryAfter reads Retry-After (seconds or HTTP date); 0 when absent or past.
func (t *retryTransport) retryAfter(h http.Header) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	var wait time.Duration
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if !(secs >= 0 && secs < 86400) { // also NaN
			return 0
		}
		wait = time.Duration(secs * float64(time.Second))
	} else if at, err := http.ParseTime(v); err == nil {
		wait = at.Sub(t.now())
	}
	return max(wait, 0)
}

// notSent reports whether a transport error happened before the request
// could reach the server (so even a create may be sent again).
func notSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// permanentTransportError reports errors that another attempt will not fix:
// an unknown host, a refused connection, a certificate problem.
func permanentTransportError(err error) bool {
	var dns *net.DNSError
	if errors.As(err, &dns) && dns.IsNotFound {
		return true
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	var recordHeader tls.RecordHeaderError
	return errors.As(err, &unknownAuthority) || errors.As(err, &hostname) || errors.As(err, &invalid) ||
		errors.As(err, &verify) || errors.As(err, &recordHeader) || plainHTTPAnswer(err)
}

// plainHTTPAnswer says whether an HTTPS request met a plain-HTTP server
// (net/http turns the TLS record header error into this text, with no type).
func plainHTTPAnswer(err error) bool {
	return strings.Contains(err.Error(), "server gave HTTP response to HTTPS client")
}

// sleepCtx waits d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// finalAnswer is a 408, 429 or 5xx answer after our retries, handed to
// go-auth0 as an error rather than as a response.
type finalAnswer struct {
	status int
	body   []byte
}

func (e *finalAnswer) Error() string {
	return fmt.Sprintf("%d %s", e.status, http.StatusText(e.status))
}

// finalAnswerTransport sits between go-auth0's management client and
// retryTransport. go-auth0 v3.0.0 sleeps after a 408, 429 or 5xx answer
// before it returns it, even with its retries off: about a second, or until
// Retry-After / X-RateLimit-Reset (up to a minute), in a sleep that no
// context cancels. Such an answer has already been retried here, so it goes
// back as an error (managementError reads it), which go-auth0 returns at once.
type finalAnswerTransport struct{ next http.RoundTripper }

func (t finalAnswerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil || (resp.StatusCode < 500 && resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusRequestTimeout) {
		return resp, err
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	return nil, &finalAnswer{status: resp.StatusCode, body: body}
}
