package wso2client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/auth0-wizard/auth0-wizard/internal/httperr"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// APIError is an error answer from WSO2: a REST API's Error object
// {code, message, description}, or the token endpoint's OAuth error
// {error, error_description}, with what to do about it.
//
// errors.Is(err, steps.ErrNotFound) holds for a 404, steps.ErrConflict for a
// 409, and steps.ErrUncertain for a change WSO2 answered with a 5xx (WSO2 or
// its connector may have made part of it: the v1 Auth0 connector, say,
// leaves the Auth0 application behind when its client grant fails).
type APIError struct {
	Op          string // what was attempted
	Status      int    // HTTP status
	Code        string // the Error object's code, or the OAuth "error"
	Message     string // the Error object's message, or the OAuth "error_description"
	Description string // the Error object's description
	Advice      string // what went wrong in plain words and what to do next
	Uncertain   bool   // a change that may have been made
}

// Error says what was attempted, the advice when there is one, and what WSO2
// answered.
func (e *APIError) Error() string {
	answer := fmt.Sprintf("HTTP %d", e.Status)
	if e.Message != "" {
		answer += ": " + e.Message
	}
	if e.Description != "" && e.Description != e.Message {
		answer += " (" + e.Description + ")"
	}
	return httperr.Sentence(e.Op, "WSO2", "WSO2", answer, e.Advice, e.Uncertain)
}

// Is makes errors.Is match the steps sentinels (httperr.Is).
func (e *APIError) Is(target error) bool { return httperr.Is(e.Status, e.Uncertain, target) }

// errorBody holds both error shapes.
type errorBody struct {
	Code             json.RawMessage `json:"code"` // an integer in the REST APIs
	Message          string          `json:"message"`
	Description      string          `json:"description"`
	Error            json.RawMessage `json:"error"` // the OAuth error code, or the REST APIs' list of errors
	ErrorDescription string          `json:"error_description"`
}

func newAPIError(op string, status int, body []byte) *APIError {
	e := &APIError{Op: op, Status: status}
	var b errorBody
	if json.Unmarshal(body, &b) == nil {
		e.Message, e.Description = b.Message, b.Description
		e.Code = strings.Trim(string(b.Code), `"`)
		var oauthCode string
		if json.Unmarshal(b.Error, &oauthCode) == nil && oauthCode != "" {
			e.Code, e.Message = oauthCode, b.ErrorDescription
		}
	}
	if e.Message == "" {
		e.Message = http.StatusText(status)
	}
	return e
}

// TransportError is a WSO2 server that could not be reached or did not
// answer.
type TransportError struct {
	Op        string
	Host      string // host[:port]
	Detail    string // plain words: what is wrong and what to do
	Err       error
	Uncertain bool // a change that may have reached WSO2 before the failure
}

// Error says what was attempted, that WSO2 could not be reached, why and
// what to do.
func (e *TransportError) Error() string {
	s := fmt.Sprintf("cannot reach WSO2 at %s: %s", e.Host, e.Detail)
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

// Is makes errors.Is(err, steps.ErrUncertain) hold for a change that may
// have been made.
func (e *TransportError) Is(target error) bool { return target == steps.ErrUncertain && e.Uncertain }

func (c *Client) transportError(ctx context.Context, op string, err error, uncertain bool) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %w", op, ctx.Err())
	}
	host := c.base.Host
	detail := "the connection failed (" + err.Error() + "): check the URL and that the API Manager is running"
	switch f := httperr.Classify(err); f.Cause {
	case httperr.DNS:
		detail = fmt.Sprintf("the name %s does not resolve: check the API Manager URL", f.DNS.Name)
	case httperr.UnknownAuthority:
		detail = "its TLS certificate is signed by an authority this machine does not trust (a default install uses a self-signed one): give its CA with --ca-file"
	case httperr.WrongHost:
		detail = fmt.Sprintf("its TLS certificate is not for %s: use the host name the certificate names", host)
	case httperr.InvalidCertificate:
		detail = "its TLS certificate is not valid (" + f.Certificate.Error() + ")"
	case httperr.NotTLS:
		detail = "it did not answer in TLS: check the URL's scheme and port (9443 on a default install speaks HTTPS)"
	case httperr.Refused:
		detail = "nothing listens there (connection refused): check the URL's port (9443 on a default install) and that the API Manager is running"
	case httperr.Timeout:
		detail = "it did not answer in time: check the URL, a firewall, or try again"
	}
	return &TransportError{Op: op, Host: host, Detail: detail, Err: err, Uncertain: uncertain}
}
