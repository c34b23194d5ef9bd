// Package sandbox is an Auth0-compatible tenant server for demos, training,
// tests and benchmarks. STUB: replaced by the sandbox work (issue 2).
package sandbox

import (
	"errors"
	"net/http"
	"time"
)

// Options configure a sandbox.
type Options struct {
	Addr       string        // listen address, default 127.0.0.1:0
	HTTP       bool          // plain HTTP instead of HTTPS
	Latency    time.Duration // added to every response
	LatencyMax time.Duration // if > Latency, a random delay in [Latency, LatencyMax]
	FailRate   float64       // fraction of Management API requests that fail
	RateLimit  float64       // Management API requests per second (0: unlimited)
	Burst      int           // token bucket size
	StateFile  string        // load at start, save on Close
	Seed       int64         // repeatable ids, secrets and faults (0: random)
}

// Server is a running sandbox tenant.
type Server struct {
	BaseURL      string // https://127.0.0.1:PORT
	Domain       string // 127.0.0.1:PORT
	Audience     string // https://DOMAIN/api/v2/
	ClientID     string // the seeded management application
	ClientSecret string
	CAFile       string // PEM of the CA to trust ("" with HTTP)
	CAPEM        []byte
}

// New starts a sandbox.
func New(opts Options) (*Server, error) { return nil, errors.New("sandbox: not built yet") }

// Client returns an HTTP client that trusts the sandbox CA.
func (s *Server) Client() *http.Client { return http.DefaultClient }

// Close stops the server and saves the state file.
func (s *Server) Close() error { return nil }
