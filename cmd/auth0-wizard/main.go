// Command auth0-wizard sets Auth0 up as the OAuth 2.0 authorization server
// behind an API gateway (WSO2 API Manager, Azure API Management).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// stopSignals end a run as Ctrl+C does: what is in flight finishes and is
// journaled, and the temporary directories and the in-process sandbox are
// removed. SIGHUP (the terminal closed, the SSH session dropped) is one:
// by default it would kill the process before any of that.
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), stopSignals...)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
