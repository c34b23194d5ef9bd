package sandbox

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"time"
)

// certLifetime is how long the sandbox certificates are valid. A sandbox is
// short-lived; a week covers a long-running demo without looking permanent.
const certLifetime = 7 * 24 * time.Hour

// newCertificates makes a CA ("auth0-wizard sandbox CA") and a server
// certificate signed by it for hosts (IP addresses become IP SANs, anything
// else DNS SANs; 127.0.0.1, ::1 and localhost are always included). It
// returns the CA in PEM and the server certificate with its key.
//
// The keys are always fresh, whatever the seed: a key derived from a seed
// that is printed in scripts would be a known private key, and Go's crypto
// ignores caller-supplied randomness for key generation anyway. The seed
// makes ids, secrets and faults repeatable, never key material.
func newCertificates(_ int64, hosts []string) (caPEM []byte, cert tls.Certificate, err error) {
	caPEM, _, cert, err = certificatesFrom(nil, hosts)
	return caPEM, cert, err
}

// sandboxCA is the CA a saved tenant keeps across restarts, so that the CA
// file a client trusts stays valid.
type sandboxCA struct {
	der []byte
	key *ecdsa.PrivateKey
}

// usable says whether the CA can sign a server certificate for a while
// more (a day at least).
func (ca *sandboxCA) usable() bool {
	if ca == nil {
		return false
	}
	c, err := x509.ParseCertificate(ca.der)
	return err == nil && c.IsCA && time.Now().Add(24*time.Hour).Before(c.NotAfter)
}

// certificatesFrom is newCertificates with the CA given (when usable) or
// made; it returns the CA too, for the state file.
func certificatesFrom(ca *sandboxCA, hosts []string) (caPEM []byte, used *sandboxCA, cert tls.Certificate, err error) {
	notBefore := time.Now().Add(-time.Hour) // tolerate a client clock a little behind
	notAfter := notBefore.Add(certLifetime + time.Hour)
	if !ca.usable() {
		if ca, err = newCA(notBefore, notAfter); err != nil {
			return nil, nil, tls.Certificate{}, err
		}
	}
	cert, err = ca.issue(hosts, notBefore, notAfter)
	if err != nil {
		return nil, nil, tls.Certificate{}, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.der}), ca, cert, nil
}

// issue signs a server certificate for hosts (and the loopback names),
// valid from notBefore to notAfter or the CA's own end if sooner.
func (ca *sandboxCA) issue(hosts []string, notBefore, notAfter time.Time) (tls.Certificate, error) {
	caCert, err := x509.ParseCertificate(ca.der)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("parse sandbox CA certificate: %w", err)
	}
	if caCert.NotAfter.Before(notAfter) {
		notAfter = caCert.NotAfter
	}
	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("generate sandbox server key: %w", err)
	}
	leafSerial, err := randomSerial()
	if err != nil {
		return tls.Certificate{}, err
	}
	ips, names := certificateSANs(hosts)
	leafTemplate := &x509.Certificate{
		SerialNumber:          leafSerial,
		Subject:               pkix.Name{CommonName: names[0], Organization: []string{"auth0-wizard sandbox"}},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IPAddresses:           ips,
		DNSNames:              names,
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTemplate, caCert, &leafKey.PublicKey, ca.key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("sign sandbox server certificate: %w", err)
	}
	leafCert, err := x509.ParseCertificate(leafDER)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("parse sandbox server certificate: %w", err)
	}
	return tls.Certificate{
		// The chain carries the CA too, so clients that only pin the CA
		// still verify when the CA is sent along.
		Certificate: [][]byte{leafDER, ca.der},
		PrivateKey:  leafKey,
		Leaf:        leafCert,
	}, nil
}

// IssueCertificate signs a TLS server certificate with the sandbox's CA
// for other hosts (names or IP addresses; a port is ignored; the loopback
// names are always included), so that a server started beside the sandbox
// (a WSO2 stand-in, say) is trusted by the same CA file (CAFile, CAPEM).
// It is valid as long as the sandbox's own certificate. A sandbox serving
// plain HTTP has no CA and answers an error.
func (s *Server) IssueCertificate(hosts ...string) (tls.Certificate, error) {
	if s.ca == nil || s.scheme != "https" {
		return tls.Certificate{}, fmt.Errorf("sandbox: serving plain HTTP, there is no CA to issue a certificate from")
	}
	notBefore := time.Now().Add(-time.Hour)
	return s.ca.issue(hosts, notBefore, notBefore.Add(certLifetime+time.Hour))
}

// newCA makes the sandbox CA, valid from notBefore to notAfter.
func newCA(notBefore, notAfter time.Time) (*sandboxCA, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate sandbox CA key: %w", err)
	}
	caSerial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	caTemplate := &x509.Certificate{
		SerialNumber:          caSerial,
		Subject:               pkix.Name{CommonName: "auth0-wizard sandbox CA", Organization: []string{"auth0-wizard sandbox"}},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true, // it signs the server certificate only
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTemplate, caTemplate, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("sign sandbox CA certificate: %w", err)
	}
	return &sandboxCA{der: caDER, key: caKey}, nil
}

// certificateSANs splits hosts into IP and DNS subject alternative names,
// adds the loopback names, and drops duplicates and empty entries. A host
// may carry a port or IPv6 brackets ("[::1]:8443"); both are stripped. The
// first DNS name is always "localhost".
func certificateSANs(hosts []string) ([]net.IP, []string) {
	ips := []net.IP{net.IPv4(127, 0, 0, 1).To4(), net.IPv6loopback}
	names := []string{"localhost"}
	seenIP := map[string]bool{"127.0.0.1": true, "::1": true}
	seenName := map[string]bool{"localhost": true}
	for _, h := range hosts {
		if host, _, err := net.SplitHostPort(h); err == nil {
			h = host
		}
		if len(h) > 1 && h[0] == '[' && h[len(h)-1] == ']' {
			h = h[1 : len(h)-1]
		}
		if h == "" {
			continue
		}
		if ip := net.ParseIP(h); ip != nil {
			if ip.IsUnspecified() {
				continue // 0.0.0.0 or ::: no client dials it; the loopback SANs cover local use
			}
			if v4 := ip.To4(); v4 != nil {
				ip = v4
			}
			if !seenIP[ip.String()] {
				seenIP[ip.String()] = true
				ips = append(ips, ip)
			}
			continue
		}
		if !seenName[h] {
			seenName[h] = true
			names = append(names, h)
		}
	}
	return ips, names
}

// randomSerial returns a random positive 128-bit certificate serial number.
func randomSerial() (*big.Int, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, fmt.Errorf("generate certificate serial number: %w", err)
	}
	return serial.Add(serial, big.NewInt(1)), nil
}
