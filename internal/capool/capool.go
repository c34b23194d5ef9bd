// Package capool builds the certificate pool this tool's HTTP clients trust:
// the system's, and the extra CA the person gave (--ca-file, or the
// sandbox's own CA in PEM).
package capool

import (
	"crypto/x509"
	"errors"
	"fmt"
	"os"
)

// Load returns the system's pool (an empty one where the system has none)
// with the certificates of caFile and caPEM added, each when given. A file
// that cannot be read or holds no PEM certificate is an error, as is caPEM
// holding none.
func Load(caFile string, caPEM []byte) (*x509.CertPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("read CA file: %w", err)
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("read CA file %s: no PEM certificate in it", caFile)
		}
	}
	if len(caPEM) > 0 && !pool.AppendCertsFromPEM(caPEM) {
		return nil, errors.New("read CA certificate: no PEM certificate in it")
	}
	return pool, nil
}
