// Command auth0-wizard sets Auth0 up as the OAuth 2.0 authorization server
// behind an API gateway (WSO2 API Manager, Azure API Management).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
