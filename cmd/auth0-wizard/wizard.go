package main

import (
	"context"
	"errors"
)

// STUB: replaced by the wizard work (issue 4).
func runWizard(ctx context.Context, g *globalFlags, io streams) error {
	return errors.New("the interactive wizard is not built yet: use 'auth0-wizard apply'")
}
