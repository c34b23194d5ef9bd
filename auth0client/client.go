// Package auth0client is the only package that speaks HTTP to Auth0 or imports
// go-auth0. STUB: replaced by the engine work (issue 3).
package auth0client

import (
	"context"
	"errors"
	"io"
)

// Config says which tenant and which management application to use.
type Config struct {
	Domain       string // host[:port], or http://127.0.0.1:PORT for a plain-HTTP sandbox
	ClientID     string
	ClientSecret string
	Audience     string    // default https://DOMAIN/api/v2/
	CAFile       string    // extra CA to trust
	CAPEM        []byte    // extra CA to trust, in memory
	Trace        io.Writer // redacted HTTP trace, if set
}

// Client implements steps.Client.
type Client struct{}

// New returns a client for the tenant; it does no I/O.
func New(cfg Config) (*Client, error) { return nil, errors.New("auth0client: not built yet") }

func (c *Client) stub() error { return errors.New("not built") }

var _ = context.Background
