package wso2client

import (
	"testing"

	"github.com/auth0-wizard/auth0-wizard/auth0client"
	"github.com/auth0-wizard/auth0-wizard/internal/sandboxtest"
	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/wso2sandbox"
)

// world is an Auth0 sandbox, a WSO2 stand-in whose connector talks to it,
// and a client of each.
type world struct {
	a0    *sandbox.Server
	auth0 *auth0client.Client
	wso2  *wso2sandbox.Server
	c     *Client
}

func newWorld(t *testing.T, opts wso2sandbox.Options) *world {
	t.Helper()
	a0 := sandboxtest.Start(t, sandbox.Options{})
	w := sandboxtest.StartWSO2(t, a0, opts)
	return &world{a0: a0, auth0: sandboxtest.Client(t, a0, nil), wso2: w, c: newClient(t, w, nil)}
}

// newClient is a client of w as its admin; edit, when not nil, changes its
// configuration first.
func newClient(t *testing.T, w *wso2sandbox.Server, edit func(*Config)) *Client {
	t.Helper()
	cfg := Config{URL: w.URL, Username: w.AdminUser, Password: w.AdminPassword, CAPEM: w.CAPEM}
	if edit != nil {
		edit(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// syncBuffer is a trace sink safe for concurrent writes and reads.
type syncBuffer = sandboxtest.Buffer
