// Package wso2sandbox is a WSO2 API Manager 3.2.0 stand-in for tests,
// training and offline demos, as package sandbox is for Auth0. It serves, on
// one HTTPS loopback listener, what the wizard uses of API Manager:
//
//   - dynamic client registration: POST /client-registration/v0.17/register;
//   - the token endpoint: POST /oauth2/token (and the gateway's /token), with
//     the password grant and WSO2's scopes;
//   - the Admin REST API v1 key managers: /api/am/admin/v1/key-managers,
//     /key-managers/{keyManagerId}, /key-managers/discover;
//   - the Developer Portal REST API v1 applications, keys and tokens:
//     /api/am/store/v1/applications, /applications/{applicationId},
//     .../generate-keys, .../oauth-keys, .../oauth-keys/{keyMappingId}/generate-token.
//
// Request and response shapes, required fields, scopes and status codes are
// those of WSO2's published OpenAPI documents for 3.2.0 (wso2/docs-apim,
// en/docs/develop/product-apis/admin-apis/admin-v1/admin-v1.yaml, info.version
// v1.2, and devportal-apis/devportal-v1/devportal-v1.yaml, info.version v1.1).
// It refuses what WSO2 refuses: unknown or missing required fields (400),
// bad credentials (401), a token without the operation's scope (403), unknown
// ids (404) and names in use (409). Where the documents say nothing (the
// exact error texts, the 409 of a key manager name in use), it answers as
// WSO2's implementation does as far as known, and says so in a comment.
//
// Generating keys with a key manager of type Auth0 does against the Auth0
// tenant what WSO2's Auth0 connector does (../shared/AUTH0-FACTS.md §6), in
// one of its two generations (Options.Generation). To play the connector,
// which is Java inside WSO2, this package talks to Auth0 with plain net/http:
// it is the one exception to "only auth0client speaks HTTP to Auth0".
//
// It keeps everything in memory and listens on loopback by default. It is a
// test double, not an API Manager: anyone who can reach it can use it.
package wso2sandbox

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// The connector generations Options.Generation names.
const (
	// GenerationGuide is the connector of the guide's era: it makes the
	// "WSO2 resource server API" (identifier: the API Manager's server URL),
	// creates applications without a client grant and asks for tokens with
	// the server URL as audience.
	GenerationGuide = "guide"
	// GenerationV1 is wso2-extensions/apim-km-auth0 v1.0.0–v1.1.0: each
	// application gets a client grant for its audience_of_api with scope
	// "default", and tokens are asked for that audience.
	GenerationV1 = "v1"
)

// Options configure a stand-in.
type Options struct {
	Addr string // listen address, default 127.0.0.1:0
	// Certificate, when set, is served instead of one made by the stand-in
	// (e.g. one signed by the Auth0 sandbox's CA, so one CA file trusts
	// both); CAPEM is then the CA that signed it, reported as Server.CAPEM.
	Certificate *tls.Certificate
	CAPEM       []byte

	AdminUser     string // default "admin"
	AdminPassword string // default: random
	// AdminAPIVersion is the Admin REST API version served: "v1" (3.2.0,
	// the default). Any other ("v4", …) makes a server that only answers
	// under that version, to test version detection.
	AdminAPIVersion string
	// Generation is the Auth0 connector's: GenerationGuide (default) or GenerationV1.
	Generation string
	// ServerURL is what the connector takes as the API Manager's server URL
	// (APIUtil.getServerURL()); default the stand-in's own URL.
	ServerURL string

	// Auth0Client talks to the Auth0 tenant (give it the tenant's CA);
	// default: an HTTP client with the system's roots.
	Auth0Client *http.Client
	// Auth0TokenEndpoint and Auth0Audience are used for a key manager that
	// names no token endpoint or no audience of its own.
	Auth0TokenEndpoint string
	Auth0Audience      string
}

// Server is a running stand-in.
type Server struct {
	URL           string // https://127.0.0.1:PORT
	Domain        string // 127.0.0.1:PORT
	AdminUser     string
	AdminPassword string
	CAPEM         []byte // the CA to trust
	ServerURL     string // the connector's APIUtil.getServerURL()
	Generation    string

	opts      Options
	ln        net.Listener
	srv       *http.Server
	auth0     *http.Client
	adminBase string
	closeOnce sync.Once
	closeErr  error

	mu          sync.Mutex // guards everything below
	users       map[string]*user
	dcr         map[string]*dcrApp // by client id
	tokens      map[string]*token  // by access token
	keyManagers []*keyManager
	apps        []*application
	mgmtTokens  map[string]mgmtToken // Auth0 management tokens, by key manager id
}

// maxBody caps every request body.
const maxBody = 1 << 20

// New starts a stand-in on opts.Addr (loopback by default).
func New(opts Options) (*Server, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	switch opts.Generation {
	case "":
		opts.Generation = GenerationGuide
	case GenerationGuide, GenerationV1:
	default:
		return nil, fmt.Errorf("wso2sandbox: connector generation %q is neither %q nor %q", opts.Generation, GenerationGuide, GenerationV1)
	}
	if opts.AdminAPIVersion == "" {
		opts.AdminAPIVersion = "v1"
	}
	if opts.AdminUser == "" {
		opts.AdminUser = "admin"
	}
	if opts.AdminPassword == "" {
		opts.AdminPassword = randomString(20)
	}
	host, _, err := net.SplitHostPort(opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("wso2sandbox: listen address %q is not HOST:PORT: %w", opts.Addr, err)
	}
	cert, caPEM := opts.Certificate, opts.CAPEM
	if cert == nil {
		pem, c, err := newCertificates()
		if err != nil {
			return nil, fmt.Errorf("wso2sandbox: making the TLS certificates: %w", err)
		}
		cert, caPEM = &c, pem
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("wso2sandbox: listening on %s: %w (choose another address, or port 0 for a free one)", opts.Addr, err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	if host == "" || net.ParseIP(host) != nil && net.ParseIP(host).IsUnspecified() {
		host = "127.0.0.1"
	}
	s := &Server{
		Domain:        net.JoinHostPort(host, port),
		AdminUser:     opts.AdminUser,
		AdminPassword: opts.AdminPassword,
		CAPEM:         caPEM,
		Generation:    opts.Generation,
		opts:          opts,
		ln:            ln,
		auth0:         opts.Auth0Client,
		adminBase:     "/api/am/admin/" + opts.AdminAPIVersion,
		users:         map[string]*user{},
		dcr:           map[string]*dcrApp{},
		tokens:        map[string]*token{},
		mgmtTokens:    map[string]mgmtToken{},
	}
	s.URL = "https://" + s.Domain
	s.ServerURL = opts.ServerURL
	if s.ServerURL == "" {
		s.ServerURL = s.URL
	}
	if s.auth0 == nil {
		s.auth0 = &http.Client{Timeout: time.Minute}
	}
	s.users[opts.AdminUser] = &user{password: opts.AdminPassword, scopes: allScopes}
	s.keyManagers = append(s.keyManagers, residentKeyManager())

	s.srv = &http.Server{
		Handler:           http.MaxBytesHandler(s.routes(), maxBody),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0), // never write to the process's stderr (a TUI may run in-process)
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{*cert}, MinVersion: tls.VersionTLS12},
	}
	go func() { _ = s.srv.ServeTLS(ln, "", "") }() // ends with Close: http.ErrServerClosed
	return s, nil
}

// Close stops the server.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err := s.srv.Shutdown(ctx)
		if err != nil {
			err = s.srv.Close()
		}
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.closeErr = err
		}
	})
	return s.closeErr
}

// AddUser adds a WSO2 user whose tokens may carry only the given scopes (a
// user without the admin role, say).
func (s *Server) AddUser(name, password string, scopes ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[name] = &user{password: password, scopes: scopes}
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /client-registration/v0.17/register", s.handleRegister)
	mux.HandleFunc("POST /oauth2/token", s.handleToken)
	mux.HandleFunc("POST /token", s.handleToken) // the gateway's token API (port 8243 on a real install)

	a := s.adminBase
	mux.HandleFunc("GET "+a+"/key-managers", s.scoped(adminScopes, s.listKeyManagers))
	mux.HandleFunc("POST "+a+"/key-managers", s.scoped(adminScopes, s.createKeyManager))
	mux.HandleFunc("GET "+a+"/key-managers/{keyManagerId}", s.scoped(adminScopes, s.getKeyManager))
	mux.HandleFunc("PUT "+a+"/key-managers/{keyManagerId}", s.scoped(adminScopes, s.updateKeyManager))
	mux.HandleFunc("DELETE "+a+"/key-managers/{keyManagerId}", s.scoped(adminScopes, s.deleteKeyManager))
	mux.HandleFunc("POST "+a+"/key-managers/discover", s.scoped(adminScopes, s.discoverKeyManager))

	if s.opts.AdminAPIVersion == "v1" {
		d := "/api/am/store/v1"
		mux.HandleFunc("GET "+d+"/applications", s.scoped(appListScopes, s.listApplications))
		mux.HandleFunc("POST "+d+"/applications", s.scoped(appScopes, s.createApplication))
		mux.HandleFunc("GET "+d+"/applications/{applicationId}", s.scoped(appScopes, s.getApplication))
		mux.HandleFunc("DELETE "+d+"/applications/{applicationId}", s.scoped(appListScopes, s.deleteApplication))
		mux.HandleFunc("POST "+d+"/applications/{applicationId}/generate-keys", s.scoped(appScopes, s.generateKeys))
		mux.HandleFunc("GET "+d+"/applications/{applicationId}/oauth-keys", s.scoped(appScopes, s.listKeys))
		mux.HandleFunc("GET "+d+"/applications/{applicationId}/oauth-keys/{keyMappingId}", s.scoped(appScopes, s.getKey))
		mux.HandleFunc("POST "+d+"/applications/{applicationId}/oauth-keys/{keyMappingId}/generate-token", s.scoped(appScopes, s.generateToken))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "Not Found", "The requested resource "+r.URL.Path+" is not available")
	})
	return mux
}

// errorDTO is the REST APIs' Error object.
type errorDTO struct {
	Code        int64  `json:"code"`
	Message     string `json:"message"`
	Description string `json:"description,omitempty"`
	MoreInfo    string `json:"moreInfo"`
	Error       []any  `json:"error"`
}

func writeError(w http.ResponseWriter, status int, message, description string) {
	writeCodedError(w, status, int64(status), message, description)
}

// writeCodedError answers one of carbon-apimgt's ExceptionCodes: its own
// error code, message and status (ExceptionCodes.java of the 3.2 era,
// components/apimgt/org.wso2.carbon.apimgt.api).
func writeCodedError(w http.ResponseWriter, status int, code int64, message, description string) {
	writeJSON(w, status, errorDTO{Code: code, Message: message, Description: description, Error: []any{}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encoding the answer failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// decodeStrict reads a JSON body into v, refusing unknown fields as WSO2's
// REST APIs refuse them (400).
func decodeStrict(w http.ResponseWriter, r *http.Request, v any) bool {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		writeError(w, http.StatusUnsupportedMediaType, "Unsupported media type", "The entity of the request was not in a supported format: send application/json")
		return false
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "Bad Request", "Invalid request body: "+strings.TrimPrefix(err.Error(), "json: "))
		return false
	}
	return true
}

func randomString(n int) string {
	b := make([]byte, (n+1)/2)
	if _, err := rand.Read(b); err != nil {
		panic("wso2sandbox: no randomness: " + err.Error())
	}
	return hex.EncodeToString(b)[:n]
}

// newUUID returns a random (version 4) UUID, as WSO2's ids are.
func newUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("wso2sandbox: no randomness: " + err.Error())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
