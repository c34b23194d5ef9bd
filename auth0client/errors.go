package auth0client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/auth0/go-auth0/v3/management/core"

	"github.com/auth0-wizard/auth0-wizard/internal/httperr"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// APIError is an error answer from the tenant, Management API or
// Authentication API, with what to do about it.
//
// errors.Is(err, steps.ErrNotFound) holds for a 404, steps.ErrConflict for a
// 409, steps.ErrUncertain for a create whose outcome is unknown (a 5xx), and
// steps.ErrCredentials for a 401 or 403.
type APIError struct {
	Op            string   // what was attempted, e.g. "create client grant"
	Status        int      // HTTP status
	Code          string   // Management API errorCode, or the OAuth "error"
	Message       string   // Management API message, or the OAuth "error_description"
	MissingScopes []string // for 403 insufficient_scope: the scopes Auth0 expects (any of them)
	Advice        string   // what went wrong in plain words and what to do next
	Uncertain     bool     // a write that may have been committed
}

// Error says what was attempted, the advice when there is one, and what
// Auth0 answered.
func (e *APIError) Error() string {
	answer := fmt.Sprintf("HTTP %d", e.Status)
	if e.Code != "" {
		answer += " " + e.Code
	}
	if e.Message != "" {
		answer += ": " + e.Message
	}
	return httperr.Sentence(e.Op, "Auth0", "the tenant", answer, e.Advice, e.Uncertain)
}

// Is makes errors.Is match the steps sentinels (httperr.Is).
func (e *APIError) Is(target error) bool { return httperr.Is(e.Status, e.Uncertain, target) }

// Final reports that the answer is the last word on the request: the
// client's retry policy has run its course on it (or it is a 4xx, which no
// attempt changes). Only a create whose outcome is unknown (Uncertain) is
// not final: the caller looks the resource up before it sends it again.
func (e *APIError) Final() bool { return !e.Uncertain }

// TransportError is a tenant that could not be reached or did not answer:
// DNS, TLS, a refused connection, a timeout.
type TransportError struct {
	Op        string // what was attempted
	Domain    string // host[:port] of the tenant
	Kind      string // "dns", "tls", "refused", "timeout" or "network"
	Detail    string // plain words: what is wrong and what to do
	Err       error  // the underlying error
	Uncertain bool   // a write that may have reached the tenant before the failure
}

// Error says what was attempted, that the tenant could not be reached, why
// and what to do.
func (e *TransportError) Error() string {
	s := fmt.Sprintf("cannot reach tenant %s: %s", e.Domain, e.Detail)
	if e.Uncertain {
		s += " (the change may or may not have been made)"
	}
	if e.Op != "" {
		s = e.Op + ": " + s
	}
	return s
}

// Unwrap returns the underlying error.
func (e *TransportError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, steps.ErrUncertain) hold for a write that may
// have been committed.
func (e *TransportError) Is(target error) bool {
	return target == steps.ErrUncertain && e.Uncertain
}

// Final reports that the failure is the last word on the request: the
// client's retry policy has run its course on it. Only a write that may have
// reached the tenant (Uncertain) is not final: the caller looks it up.
func (e *TransportError) Final() bool { return !e.Uncertain }

// errorBody holds both error shapes: Management API
// {statusCode,error,message,errorCode} and OAuth {error,error_description}.
type errorBody struct {
	StatusCode       int    `json:"statusCode"`
	Error            string `json:"error"`
	Message          string `json:"message"`
	ErrorCode        string `json:"errorCode"`
	ErrorDescription string `json:"error_description"`
}

// newAPIError builds an APIError from a status and a raw body.
func newAPIError(op string, status int, body []byte) *APIError {
	e := &APIError{Op: op, Status: status}
	var b errorBody
	if json.Unmarshal(body, &b) == nil {
		switch {
		case b.Message != "" || b.ErrorCode != "" || b.StatusCode != 0:
			e.Code, e.Message = b.ErrorCode, b.Message
			if e.Code == "" && b.Message == "" {
				e.Message = b.Error
			}
		default:
			e.Code, e.Message = b.Error, b.ErrorDescription
		}
	} else if len(body) > 0 {
		e.Message = strings.TrimSpace(string(body[:min(len(body), 300)]))
	}
	if e.Message == "" && e.Code == "" {
		e.Message = http.StatusText(status)
	}
	return e
}

// scopePrefix is how Auth0 words a 403 insufficient_scope message.
const scopePrefix = "Insufficient scope, expected any of:"

// parseMissingScopes reads the scopes out of "Insufficient scope, expected
// any of: a, b".
func parseMissingScopes(msg string) []string {
	i := strings.Index(msg, scopePrefix)
	if i < 0 {
		return nil
	}
	var out []string
	for _, s := range strings.Split(msg[i+len(scopePrefix):], ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// ScopeAdvice says where in the dashboard to grant scopes to the management
// application clientID.
func ScopeAdvice(clientID string, scopes []string) string {
	app := "your application"
	if clientID != "" {
		app = fmt.Sprintf("your application (client ID %s)", clientID)
	}
	return fmt.Sprintf("in the Auth0 dashboard open Applications → APIs → Auth0 Management API → "+
		"Machine to Machine Applications, expand %s, tick %s and click Update", app, strings.Join(scopes, ", "))
}

// managementError turns an error from a Management API call into an
// *APIError or a *TransportError. create says the call was a POST that
// makes a resource, so a 5xx or a lost answer is uncertain.
func (c *Client) managementError(ctx context.Context, op string, create bool, err error) error {
	if err == nil {
		return nil
	}
	var (
		status int
		body   []byte
		ae     *core.APIError
		fa     *finalAnswer
	)
	switch {
	case errors.As(err, &fa):
		status, body = fa.status, fa.body
	case errors.As(err, &ae):
		status = ae.StatusCode
		if inner := ae.Unwrap(); inner != nil {
			body = []byte(inner.Error())
		}
	}
	if status != 0 {
		e := newAPIError(op, status, body)
		c.adviseManagement(e)
		if create && (e.Status >= 500 || e.Status == http.StatusRequestTimeout) {
			e.Uncertain = true
		}
		return e
	}
	var ue *url.Error
	if !errors.As(err, &ue) && ctx.Err() == nil {
		// Not a transport failure: an answer go-auth0 could not decode.
		if create {
			return fmt.Errorf("%s: the tenant's answer could not be read, so the change may or may not have been made: %w (%w)",
				op, err, steps.ErrUncertain)
		}
		return fmt.Errorf("%s: the tenant's answer could not be read: %w", op, err)
	}
	return c.transportError(ctx, op, create, err)
}

// adviseManagement fills Advice for the Management API answers a person can act on.
func (c *Client) adviseManagement(e *APIError) {
	switch {
	case e.Status == http.StatusForbidden && (e.Code == "insufficient_scope" || strings.Contains(e.Message, scopePrefix)):
		e.MissingScopes = parseMissingScopes(e.Message)
		scopes := e.MissingScopes
		what := "the scope " + strings.Join(scopes, ", ")
		if len(scopes) > 1 {
			what = "one of the scopes " + strings.Join(scopes, ", ")
		}
		if len(scopes) == 0 {
			what, scopes = "a scope this call needs", []string{"the scope named below"}
		}
		e.Advice = fmt.Sprintf("the management application lacks %s: %s", what, ScopeAdvice(c.clientID, scopes))
	case e.Status == http.StatusUnauthorized:
		e.Advice = "the management token was refused (expired, revoked or for another audience): run again; " +
			"if it persists, check that the audience is the tenant's Management API (https://DOMAIN/api/v2/)"
	case e.Status == http.StatusTooManyRequests:
		e.Advice = "the tenant's rate limit held after several waits: try again in a minute"
	}
}

// transportError classifies a transport failure in plain words.
func (c *Client) transportError(ctx context.Context, op string, write bool, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		if write {
			return fmt.Errorf("%s: %w (the change may or may not have been made: %w)", op, ctxErr, steps.ErrUncertain)
		}
		return fmt.Errorf("%s: %w", op, ctxErr)
	}
	te := &TransportError{Op: op, Domain: c.base.Host, Err: err, Uncertain: write && !notSent(err)}
	host := c.base.Hostname()
	switch f := httperr.Classify(err); f.Cause {
	case httperr.DNS:
		te.Kind = "dns"
		if f.DNS.IsNotFound {
			te.Detail = fmt.Sprintf("no such host %s: check the spelling of the domain "+
				"(a tenant domain looks like my-tenant.eu.auth0.com; see Settings → Domain in the dashboard)", host)
		} else {
			te.Detail = fmt.Sprintf("the DNS lookup of %s failed (%v): check the network and DNS settings", host, f.DNS.Err)
		}
	case httperr.UnknownAuthority:
		te.Kind = "tls"
		te.Detail = "its TLS certificate is signed by an authority this machine does not trust: " +
			"if this is the sandbox or a TLS-inspecting proxy, pass --ca-file with that CA certificate (PEM)"
	case httperr.WrongHost:
		te.Kind = "tls"
		te.Detail = fmt.Sprintf("its TLS certificate is not valid for %s (%v): check the domain", host, f.Hostname)
	case httperr.InvalidCertificate:
		te.Kind = "tls"
		te.Detail = fmt.Sprintf("its TLS certificate is invalid (%v): check the domain and the machine's clock", f.Certificate)
	case httperr.NotTLS:
		te.Kind = "tls"
		te.Detail = "it did not answer in TLS: if it is a plain-HTTP sandbox, give the domain as http://127.0.0.1:PORT"
	case httperr.Refused:
		te.Kind = "refused"
		te.Detail = "connection refused: nothing is listening at that address; check the host and port " +
			"(and that the sandbox is running, if it is one)"
	case httperr.Timeout:
		te.Kind = "timeout"
		te.Detail = "it did not answer in time: check the network, proxy and firewall, then try again"
	default:
		te.Kind = "network"
		te.Detail = err.Error()
	}
	return te
}
