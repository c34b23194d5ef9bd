package main

import (
	"io"
	"os"

	"github.com/auth0-wizard/auth0-wizard/auth0client"
	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/wso2client"
	"github.com/auth0-wizard/auth0-wizard/wso2sandbox"
)

// Factory is what the commands take from the world outside them: the
// streams, the environment, and how to reach a tenant or start a sandbox.
// main fills it with the real ones (newFactory); a test swaps any of them.
// Each command's constructor reads its flags into an Options struct and
// hands it, with the factory, to its run function, which a test may swap
// too (cli/cli's NewCmdX(f, runF)).
type Factory struct {
	In  io.Reader
	Out io.Writer // results
	Err io.Writer // progress, warnings and errors

	// LookupEnv reads the environment. Only settings resolution
	// (settings.go) calls it: every other part of a command reads the
	// resolved runConfig.
	LookupEnv func(string) (string, bool)
	// NewClient builds the client of a tenant (auth0client.New).
	NewClient func(auth0client.Config) (*auth0client.Client, error)
	// StartSandbox starts an in-process sandbox tenant (sandbox.New).
	StartSandbox func(sandbox.Options) (*sandbox.Server, error)
	// NewWSO2Client builds the client of a WSO2 API Manager (wso2client.New).
	NewWSO2Client func(wso2client.Config) (*wso2client.Client, error)
	// StartWSO2 starts an in-process WSO2 stand-in (wso2sandbox.New).
	StartWSO2 func(wso2sandbox.Options) (*wso2sandbox.Server, error)
}

// newFactory is the factory of the binary: the process's streams and
// environment, auth0client and the sandbox.
func newFactory(stdin io.Reader, stdout, stderr io.Writer) *Factory {
	return &Factory{
		In:            stdin,
		Out:           stdout,
		Err:           stderr,
		LookupEnv:     os.LookupEnv,
		NewClient:     auth0client.New,
		StartSandbox:  sandbox.New,
		NewWSO2Client: wso2client.New,
		StartWSO2:     wso2sandbox.New,
	}
}
