// Package httperr is what this tool's HTTP clients (auth0client for Auth0,
// wso2client for WSO2 API Manager) share about a failed exchange: which of
// steps' sentinel errors an answer is (Is), and why a server could not be
// reached (Classify). Each client words its own advice for a Cause.
package httperr

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"strings"
	"syscall"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// Is reports whether an error answer of status matches target:
// steps.ErrNotFound for a 404, steps.ErrConflict for a 409, and
// steps.ErrUncertain when uncertain (a change that may have been made),
// steps.ErrCredentials for a 401 or 403 (teardown stops at the first).
// An APIError's Is method is this.
func Is(status int, uncertain bool, target error) bool {
	switch {
	case errors.Is(target, steps.ErrNotFound):
		return status == http.StatusNotFound
	case errors.Is(target, steps.ErrConflict):
		return status == http.StatusConflict
	case errors.Is(target, steps.ErrUncertain):
		return uncertain
	case errors.Is(target, steps.ErrCredentials):
		return status == http.StatusUnauthorized || status == http.StatusForbidden
	}
	return false
}

// Cause is why a server could not be reached.
type Cause int

// The causes Classify tells apart.
const (
	Network            Cause = iota // none of the below: the error says it
	DNS                             // the name does not resolve (Failure.DNS.IsNotFound), or the lookup failed
	UnknownAuthority                // its TLS certificate is signed by a CA this machine does not trust
	WrongHost                       // its TLS certificate is for another name
	InvalidCertificate              // its TLS certificate is not valid otherwise (expired, ...)
	NotTLS                          // it answered, but not in TLS (a plain-HTTP server)
	Refused                         // nothing listens there
	Timeout                         // it did not answer in time
)

// Failure is a transport error classified: its Cause and, for the causes
// that have one, the error that says more.
type Failure struct {
	Cause       Cause
	DNS         *net.DNSError      // DNS
	Hostname    x509.HostnameError // WrongHost
	Certificate error              // InvalidCertificate: what is wrong with it
}

// Classify says why err, a failed round trip, did not reach the server.
func Classify(err error) Failure {
	var (
		dns          *net.DNSError
		unknown      x509.UnknownAuthorityError
		hostErr      x509.HostnameError
		invalid      x509.CertificateInvalidError
		verify       *tls.CertificateVerificationError
		recordHeader tls.RecordHeaderError
		netErr       net.Error
	)
	switch {
	case errors.As(err, &dns):
		return Failure{Cause: DNS, DNS: dns}
	case errors.As(err, &unknown):
		return Failure{Cause: UnknownAuthority}
	case errors.As(err, &hostErr):
		return Failure{Cause: WrongHost, Hostname: hostErr}
	case errors.As(err, &invalid):
		return Failure{Cause: InvalidCertificate, Certificate: invalid}
	case errors.As(err, &verify):
		return Failure{Cause: InvalidCertificate, Certificate: verify.Err}
	case errors.As(err, &recordHeader) || strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return Failure{Cause: NotTLS}
	case errors.Is(err, syscall.ECONNREFUSED) || strings.Contains(err.Error(), "connection refused"):
		return Failure{Cause: Refused}
	case errors.As(err, &netErr) && netErr.Timeout() || errors.Is(err, context.DeadlineExceeded):
		return Failure{Cause: Timeout}
	}
	return Failure{Cause: Network}
}

// Sentence is an API error as a person reads it: what was attempted (op),
// then the advice when there is some, else that the change may or may not
// have been made (uncertain), else what the server answered. who names the
// server ("Auth0", "WSO2"); uncertainWho the subject of the uncertain
// sentence ("the tenant", "WSO2").
func Sentence(op, who, uncertainWho, answer, advice string, uncertain bool) string {
	var b strings.Builder
	if op != "" {
		b.WriteString(op + ": ")
	}
	switch {
	case advice != "":
		b.WriteString(advice + " (" + who + " answered " + answer + ")")
	case uncertain:
		b.WriteString(uncertainWho + " answered " + answer + ", so the change may or may not have been made")
	default:
		b.WriteString(who + " answered " + answer)
	}
	return b.String()
}
