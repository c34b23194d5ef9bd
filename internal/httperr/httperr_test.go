package httperr_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/auth0-wizard/auth0-wizard/internal/httperr"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

func TestIs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status    int
		uncertain bool
		target    error
		want      bool
	}{
		{404, false, steps.ErrNotFound, true}, {409, false, steps.ErrConflict, true}, {500, true, steps.ErrUncertain, true},
		{500, false, steps.ErrUncertain, false}, {404, false, steps.ErrConflict, false}, {400, false, steps.ErrNotFound, false},
		{404, false, fmt.Errorf("another"), false},
	} {
		if got := httperr.Is(tc.status, tc.uncertain, tc.target); got != tc.want {
			t.Errorf("Is(%d, %v, %v) = %v, want %v", tc.status, tc.uncertain, tc.target, got, tc.want)
		}
	}
}

// TestClassify: real failed round trips, each told apart.
func TestClassify(t *testing.T) {
	t.Parallel()
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(tlsSrv.Close)
	plain := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(plain.Close)
	hang := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-hang }))
	t.Cleanup(func() { close(hang); slow.Close() })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	_ = ln.Close() // nothing listens there now

	// Only the server that never answers meets the deadline: the others
	// fail at once, whatever the load.
	get := func(url string, c *http.Client) error {
		wait := time.Minute
		if url == slow.URL {
			wait = 300 * time.Millisecond
		}
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := c.Do(req)
		if err == nil {
			_ = resp.Body.Close()
			t.Fatalf("GET %s answered", url)
		}
		return err
	}
	for name, tc := range map[string]struct {
		err  error
		want httperr.Cause
	}{
		"unknown authority": {get(tlsSrv.URL, &http.Client{}), httperr.UnknownAuthority},
		"wrong host":        {get(strings.Replace(tlsSrv.URL, "127.0.0.1", "localhost", 1), tlsSrv.Client()), httperr.WrongHost},
		"not TLS":           {get(strings.Replace(plain.URL, "http://", "https://", 1), &http.Client{}), httperr.NotTLS},
		"refused":           {get("http://"+closed, &http.Client{}), httperr.Refused},
		"timeout":           {get(slow.URL, &http.Client{}), httperr.Timeout},
		"dns":               {get("https://no-such-host.invalid", &http.Client{}), httperr.DNS},
	} {
		if got := httperr.Classify(tc.err); got.Cause != tc.want {
			t.Errorf("%s: Classify(%v) = %v, want %v", name, tc.err, got.Cause, tc.want)
		}
	}
}

func TestSentence(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		advice    string
		uncertain bool
		want      string
	}{
		{"", false, "create the API: Auth0 answered HTTP 409"},
		{"", true, "create the API: the tenant answered HTTP 409, so the change may or may not have been made"},
		{"pick another identifier", true, "create the API: pick another identifier (Auth0 answered HTTP 409)"},
	} {
		if got := httperr.Sentence("create the API", "Auth0", "the tenant", "HTTP 409", tc.advice, tc.uncertain); got != tc.want {
			t.Errorf("Sentence(advice %q, uncertain %v) = %q, want %q", tc.advice, tc.uncertain, got, tc.want)
		}
	}
}
