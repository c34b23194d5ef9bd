// Package sandbox is an Auth0-compatible tenant server for demos, training,
// tests and benchmarks. It serves OpenID discovery, JWKS, the token, revoke
// and userinfo endpoints and the parts of the Management API the wizard uses,
// shaped on real Auth0 traffic (../shared/auth0-recordings) so that the Go SDK
// for Auth0 and other real clients work against it unmodified.
//
// A sandbox is not a real authorization server: it keeps everything in memory
// (optionally in a state file) and listens on loopback by default.
package sandbox

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/auth0-wizard/auth0-wizard/internal/atomicfile"
	"github.com/auth0-wizard/auth0-wizard/internal/hostname"
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
	// Script injects the faults a test names, on the requests they match
	// (in process only: there is no flag for it).
	Script *Script

	// signingKey, when set (by this package's tests), replaces the RSA key
	// a new tenant would generate: generating one costs a second under -race.
	signingKey *rsa.PrivateKey
	// checkIndexes (this package's tests) rebuilds the indexes after every
	// write and answers 500 when the kept ones differ.
	checkIndexes bool
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
	// Warnings says what the caller should tell a person: a non-loopback
	// address, or HTTPS unavailable and plain HTTP served instead.
	Warnings []string

	opts    Options
	scheme  string
	ln      net.Listener
	srv     *http.Server
	handler http.Handler
	client  *http.Client
	tmpDir  string

	ca        *sandboxCA   // the HTTPS certificate's CA, saved with the state
	inflight  atomic.Int64 // requests being served, for a graceful Close
	closeOnce sync.Once
	closeErr  error

	// mu guards everything below: requests that only read share it
	// (RLock), writes hold it alone. No answer is encoded under it.
	mu sync.RWMutex
	t  *tenant
	ix *tenantIndexes // the tenant's lookups, kept in step by every write
	// gen counts the writes: the encoded views in views are of one
	// generation (views has its own lock: readers fill it).
	gen   uint64
	views viewCache
	// gzips keeps the compressed bytes of recent big answers (gzip.go).
	gzips gzipCache
	rng   *mrand.Rand
	// chachaSeed is the generator's seed, kept to derive a fresh stream
	// for a loaded state (so a restarted tenant does not draw ids again).
	chachaSeed [32]byte
	key        *rsa.PrivateKey
	kid        string
	keyDER     []byte // self-signed certificate of the signing key (x5c)
}

// maxBody caps every request body, as Auth0's edge does.
const maxBody = 1 << 20

// New starts a sandbox: it listens on opts.Addr (loopback by default), loads
// opts.StateFile if it exists or seeds a new tenant, and serves until Close.
func New(opts Options) (*Server, error) {
	// A saved tenant keeps its address and CA, so that the domain, issuer
	// and CA file that clients hold stay right across restarts.
	saved, err := peekState(opts.StateFile)
	if err != nil {
		return nil, err
	}
	savedAddr := ""
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
		// Its port, on loopback (an address beyond this machine is only
		// ever used when asked for).
		if _, port, err := net.SplitHostPort(saved.Addr); err == nil && port != "0" {
			savedAddr = net.JoinHostPort("127.0.0.1", port)
		}
	}
	host, _, err := net.SplitHostPort(opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("sandbox: listen address %q is not HOST:PORT: %w", opts.Addr, err)
	}
	s := &Server{opts: opts}
	if !hostname.IsLoopback(host) {
		s.Warnings = append(s.Warnings, fmt.Sprintf("sandbox listens on %s, beyond this machine: it is a test double, not a real authorization server; anyone who can reach it can mint tokens", opts.Addr))
	}

	seed := opts.Seed
	if seed == 0 {
		var b [8]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, fmt.Errorf("sandbox: seeding the random generator: %w", err)
		}
		seed = int64(binary.LittleEndian.Uint64(b[:]))
	}
	var chachaSeed [32]byte
	binary.LittleEndian.PutUint64(chachaSeed[:], uint64(seed))
	s.chachaSeed = chachaSeed
	s.rng = mrand.New(mrand.NewChaCha8(chachaSeed))

	var ln net.Listener
	if savedAddr != "" {
		if ln, err = net.Listen("tcp", savedAddr); err != nil {
			s.Warnings = append(s.Warnings, fmt.Sprintf("the saved tenant's address %s is busy (%v): listening on a free port instead, so its domain and issuer change", savedAddr, err))
		}
	}
	if ln == nil {
		if ln, err = net.Listen("tcp", opts.Addr); err != nil {
			return nil, fmt.Errorf("sandbox: listening on %s: %w (choose another --addr, or port 0 for a free one)", opts.Addr, err)
		}
	}
	s.ln = ln
	s.Domain = domainOf(host, ln.Addr())

	var tlsCert tls.Certificate
	s.scheme = "http"
	if !opts.HTTP {
		hosts := []string{hostOnly(s.Domain)}
		for _, h := range []string{"127.0.0.1", "localhost", "::1"} {
			if hostname.IsLoopback(hostOnly(s.Domain)) && !slices.Contains(hosts, h) {
				hosts = append(hosts, h)
			}
		}
		caPEM, ca, cert, err := certificatesFrom(saved.ca(), hosts)
		s.ca = ca
		switch {
		case err != nil:
			ln.Close()
			return nil, fmt.Errorf("sandbox: making the TLS certificates: %w (use plain HTTP to skip TLS)", err)
		case len(cert.Certificate) == 0:
			s.Warnings = append(s.Warnings, "HTTPS certificates are not available in this build: serving plain HTTP")
		default:
			s.scheme = "https"
			tlsCert = cert
			s.CAPEM = caPEM
		}
	}
	s.BaseURL = s.scheme + "://" + s.Domain
	s.Audience = s.BaseURL + "/api/v2/"

	if err := s.loadOrSeed(); err != nil {
		ln.Close()
		return nil, err
	}

	if len(s.CAPEM) > 0 && opts.StateFile != "" {
		// Next to the state: the same file to trust after a restart.
		s.CAFile = strings.TrimSuffix(opts.StateFile, ".json") + ".ca.pem"
		if err := os.WriteFile(s.CAFile, s.CAPEM, 0o644); err != nil {
			ln.Close()
			return nil, fmt.Errorf("sandbox: writing the CA file: %w", err)
		}
	} else if len(s.CAPEM) > 0 {
		dir, err := os.MkdirTemp("", "auth0-wizard-sandbox-")
		if err != nil {
			ln.Close()
			return nil, fmt.Errorf("sandbox: making a folder for the CA file: %w", err)
		}
		s.tmpDir = dir
		s.CAFile = filepath.Join(dir, "ca.pem")
		if err := os.WriteFile(s.CAFile, s.CAPEM, 0o644); err != nil {
			ln.Close()
			os.RemoveAll(dir)
			return nil, fmt.Errorf("sandbox: writing the CA file: %w", err)
		}
	}
	s.client = s.newClient()

	s.handler = wrapTransport(opts, s.routes())
	counted := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.inflight.Add(1)
		defer s.inflight.Add(-1)
		s.handler.ServeHTTP(w, r)
	})
	s.srv = &http.Server{
		Handler:           counted,
		ReadHeaderTimeout: 10 * time.Second,
		// Never write to the process's stderr: the wizard's TUI runs a
		// sandbox in-process (TLS handshake noise would land on its screen).
		ErrorLog: log.New(io.Discard, "", 0),
	}
	if s.scheme == "https" {
		s.srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{tlsCert}, MinVersion: tls.VersionTLS12}
		// Serve returns only once Close stops it (http.ErrServerClosed).
		go func() { _ = s.srv.ServeTLS(ln, "", "") }()
	} else {
		go func() { _ = s.srv.Serve(ln) }()
	}
	return s, nil
}

// Handler returns the sandbox's whole HTTP handler (with the transport
// faults of Options), for callers that serve it themselves.
func (s *Server) Handler() http.Handler { return s.handler }

// Client returns an HTTP client that trusts the sandbox CA.
func (s *Server) Client() *http.Client { return s.client }

func (s *Server) newClient() *http.Client {
	tr, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		tr = &http.Transport{Proxy: http.ProxyFromEnvironment}
	}
	tr = tr.Clone()
	if len(s.CAPEM) > 0 {
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(s.CAPEM)
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{Transport: tr, Timeout: 60 * time.Second}
}

// Close stops the server and saves the state file.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		// Stop accepting, let the requests in flight finish (up to 5 s),
		// then close every connection. (http.Server.Shutdown would wait a
		// further second for each idle HTTP/2 client to act on its GOAWAY.)
		var err error
		if lerr := s.ln.Close(); lerr != nil && !errors.Is(lerr, net.ErrClosed) {
			err = lerr
		}
		deadline := time.Now().Add(5 * time.Second)
		for s.inflight.Load() > 0 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if cerr := s.srv.Close(); cerr != nil && !errors.Is(cerr, net.ErrClosed) {
			err = errors.Join(err, cerr)
		}
		if t, ok := s.client.Transport.(*http.Transport); ok {
			t.CloseIdleConnections()
		}
		if s.opts.StateFile != "" {
			if serr := s.saveState(); serr != nil {
				err = errors.Join(err, serr)
			}
		}
		if s.tmpDir != "" {
			os.RemoveAll(s.tmpDir)
		}
		s.closeErr = err
	})
	return s.closeErr
}

// SaveState writes the tenant to Options.StateFile now (Close does it too).
func (s *Server) SaveState() error { return s.saveState() }

// stateFile is what --state holds: the tenant and its signing key.
type stateFile struct {
	Version    int     `json:"version"`
	SigningKey string  `json:"signing_key"` // PKCS#8 PEM
	Tenant     *tenant `json:"tenant"`
	// Addr is where the tenant listened (HOST:PORT): it listens there again
	// unless told otherwise, so its domain and issuer stay.
	Addr string `json:"addr,omitempty"`
	// CA and CAKey (PEM) are the CA of its HTTPS certificate, kept while
	// valid so that the CA file a client trusts stays right.
	CA    string `json:"ca,omitempty"`
	CAKey string `json:"ca_key,omitempty"`
}

// ca returns the saved CA, or nil when there is none or it is unreadable
// (a new one is made then).
func (st stateFile) ca() *sandboxCA {
	cb, _ := pem.Decode([]byte(st.CA))
	kb, _ := pem.Decode([]byte(st.CAKey))
	if cb == nil || kb == nil {
		return nil
	}
	k, err := x509.ParseECPrivateKey(kb.Bytes)
	if err != nil {
		return nil
	}
	return &sandboxCA{der: cb.Bytes, key: k}
}

// peekState reads the address and CA of a saved tenant before the sandbox
// listens (the tenant itself is loaded after); no file is no saved tenant.
func peekState(path string) (stateFile, error) {
	if path == "" {
		return stateFile{}, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return stateFile{}, nil
	}
	if err != nil {
		return stateFile{}, fmt.Errorf("sandbox: reading the state file: %w", err)
	}
	var st struct {
		Addr  string `json:"addr"`
		CA    string `json:"ca"`
		CAKey string `json:"ca_key"`
	}
	_ = json.Unmarshal(data, &st) // a broken file is reported when the tenant is loaded
	return stateFile{Addr: st.Addr, CA: st.CA, CAKey: st.CAKey}, nil
}

func (s *Server) loadOrSeed() error {
	if s.opts.StateFile != "" {
		data, err := os.ReadFile(s.opts.StateFile)
		switch {
		case err == nil:
			return s.loadState(data)
		case errors.Is(err, fs.ErrNotExist):
		default:
			return fmt.Errorf("sandbox: reading the state file: %w", err)
		}
	}
	key := s.opts.signingKey
	if key == nil {
		var err error
		key, err = rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return fmt.Errorf("sandbox: making the signing key: %w", err)
		}
	}
	if err := s.setKey(key); err != nil {
		return err
	}
	s.t = s.seedTenant()
	s.buildIndexes()
	s.ClientID, s.ClientSecret = s.t.ManagementClientID, s.findClient(s.t.ManagementClientID).str("client_secret")
	return nil
}

func (s *Server) loadState(data []byte) error {
	var st stateFile
	dec := json.NewDecoder(bytesReader(data))
	dec.UseNumber()
	if err := dec.Decode(&st); err != nil || st.Tenant == nil {
		return fmt.Errorf("sandbox: the state file %s is not a sandbox state (%w): move it away to start a new tenant", s.opts.StateFile, stateError(err))
	}
	block, _ := pem.Decode([]byte(st.SigningKey))
	if block == nil {
		return fmt.Errorf("sandbox: the state file %s holds no signing key: move it away to start a new tenant", s.opts.StateFile)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return fmt.Errorf("sandbox: the signing key in %s is unreadable: %w", s.opts.StateFile, err)
	}
	key, ok := k.(*rsa.PrivateKey)
	if !ok {
		return fmt.Errorf("sandbox: the signing key in %s is not RSA", s.opts.StateFile)
	}
	if err := s.setKey(key); err != nil {
		return err
	}
	s.t = st.Tenant
	s.t.normalize()
	// The same seed over a saved tenant must not replay the draws that
	// made it: derive the stream from the seed and the state.
	s.rng = mrand.New(mrand.NewChaCha8(sha256.Sum256(append(s.chachaSeed[:], data...))))
	s.rebaseAudience()
	s.buildIndexes()
	// A state saved by an older sandbox may lack objects a fresh tenant
	// has: they are added (ids drawn through the indexes), then indexed.
	if len(s.completeTenant()) > 0 {
		s.buildIndexes()
	}
	c := s.findClient(s.t.ManagementClientID)
	if c == nil {
		return fmt.Errorf("sandbox: the state file %s has lost its management application: move it away to start a new tenant", s.opts.StateFile)
	}
	s.ClientID, s.ClientSecret = c.str("client_id"), c.str("client_secret")
	return nil
}

// rebaseAudience points the system API at this run's address: the port
// (and so the audience) changes between runs of a saved tenant.
func (s *Server) rebaseAudience() {
	for _, rs := range s.t.ResourceServers {
		// The Management API (not another system API, such as the My
		// Account API at /me/).
		if rs.bool("is_system") && strings.HasSuffix(rs.str("identifier"), "/api/v2/") {
			old := rs.str("identifier")
			if old == s.Audience {
				return
			}
			rs["identifier"] = s.Audience
			for _, g := range s.t.ClientGrants {
				if g.str("audience") == old {
					g["audience"] = s.Audience
				}
			}
			return
		}
	}
}

func (s *Server) saveState() error {
	s.mu.RLock()
	der, err := x509.MarshalPKCS8PrivateKey(s.key)
	if err != nil {
		s.mu.RUnlock()
		return fmt.Errorf("sandbox: encoding the signing key: %w", err)
	}
	st := stateFile{
		Version:    1,
		SigningKey: string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		Tenant:     s.t,
		Addr:       s.ln.Addr().String(),
	}
	if s.ca != nil {
		caKey, err := x509.MarshalECPrivateKey(s.ca.key)
		if err != nil {
			s.mu.RUnlock()
			return fmt.Errorf("sandbox: encoding the CA key: %w", err)
		}
		st.CA = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.ca.der}))
		st.CAKey = string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: caKey}))
	}
	data, err := json.MarshalIndent(st, "", "  ")
	s.mu.RUnlock()
	if err != nil {
		return fmt.Errorf("sandbox: encoding the state: %w", err)
	}
	// 0600: the state holds secrets and the signing key.
	if err := atomicfile.Write(s.opts.StateFile, data, 0o600); err != nil {
		return fmt.Errorf("sandbox: saving the state to %s: %w", s.opts.StateFile, err)
	}
	return nil
}

// domainOf is the host:port clients use: the listen host, or 127.0.0.1 when
// listening on every address.
func domainOf(host string, addr net.Addr) string {
	_, port, _ := net.SplitHostPort(addr.String())
	ip := net.ParseIP(host)
	if host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

func hostOnly(hostport string) string {
	h, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return hostport
	}
	return h
}

// stateError is why a state file is no sandbox state: its decoding error,
// or that it holds no tenant.
func stateError(err error) error {
	if err == nil {
		return errors.New("it holds no tenant")
	}
	return err
}
