package auth0client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// retryPolicy bounds the retries of one request.
type retryPolicy struct {
	MaxAttempts    int           // failed attempts (5xx, lost answers) that end the request, the first included
	MaxRateLimited int           // 429 answers that end the request: counted apart, as the tenant did not process them
	Floor          time.Duration // least wait between attempts (doubles each attempt)
	MaxWait        time.Duration // most wait before one attempt
}

// defaultRetryPolicy: 6 failed attempts or 10 rate-limited ones, waits from
// 250ms (doubling) to 30s at most.
func defaultRetryPolicy() retryPolicy {
	return retryPolicy{MaxAttempts: 6, MaxRateLimited: 10, Floor: 250 * time.Millisecond, MaxWait: 30 * time.Second}
}

// maxTimeoutAttempts bounds the attempts that end in a timeout.
const maxTimeoutAttempts = 2

// retryTransport is the one place requests are retried: 429 always (the
// request was not processed), 5xx and transport errors only for requests
// that are safe to repeat (GET, PATCH, DELETE, and POST to the token
// endpoint). A POST that creates something is never re-sent after a 5xx or a
// lost answer: the response or error goes back to the caller, which reports
// steps.ErrUncertain so the engine looks the resource up first.
type retryTransport struct {
	next   http.RoundTripper
	policy retryPolicy
	now    func() time.Time
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	repeatable := req.Method != http.MethodPost || strings.HasSuffix(req.URL.Path, "/oauth/token")
	timeouts, failures, limited := 0, 0, 0
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
		resp, err := t.next.RoundTrip(r)
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
				if timeouts++; timeouts >= maxTimeoutAttempts {
					return nil, err
				}
			}
			wait = t.backoff(attempt)
			reason = "connection problem: " + err.Error()
		case resp.StatusCode == http.StatusTooManyRequests:
			rateLimited = true
			wait = max(t.rateLimitWait(resp.Header), t.backoff(attempt))
			reason = "rate limited by the tenant (429)"
		case resp.StatusCode >= 500 || resp.StatusCode == http.StatusRequestTimeout:
			if !repeatable {
				return resp, nil
			}
			// Only Retry-After: X-RateLimit-Reset on a 5xx says when the
			// bucket is full, not when the tenant recovers.
			wait = max(t.retryAfter(resp.Header), t.backoff(attempt))
			reason = fmt.Sprintf("server error %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
		default:
			return resp, nil
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
		wait = min(wait, t.policy.MaxWait)
		if resp != nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
			_ = resp.Body.Close()
		}
		steps.Notify(ctx, steps.RetryNotice{Attempt: attempt + 1, Wait: wait, RateLimited: rateLimited, Reason: reason})
		if err := sleepCtx(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// backoff is the floor before attempt+1: Floor, 2×Floor, 4×Floor, ...
func (t *retryTransport) backoff(attempt int) time.Duration {
	d := t.policy.Floor
	for i := 1; i < attempt && d < t.policy.MaxWait; i++ {
		d *= 2
	}
	return min(d, t.policy.MaxWait)
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
