package sandbox

import "net/http"

// STUB (owned by the sandbox-transport helper): wrapTransport adds what real
// networks and Auth0's edge do to the tenant handler: --latency on every
// response; --fail-rate and --rate-limit/--burst on /api/v2/ requests.
func wrapTransport(opts Options, next http.Handler) http.Handler {
	return next
}
