package main

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

func newTeardownCmd(g *globalFlags, ios streams) *cobra.Command {
	return &cobra.Command{
		Use:   "teardown --journal FILE",
		Short: "Delete what a journal says this tool created (never what it only reused)",
		Long: `teardown reads a journal written by the wizard or by apply and deletes, in
reverse dependency order, only the resources the journal says this tool
created. Resources it reused are left alone. A resource already gone counts as
deleted, so teardown can be run again safely.`,
		Example: `  auth0-wizard teardown --journal auth0-wizard-wso2.journal.json`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runTeardown(cmd.Context(), g, ios)
		},
	}
}

func runTeardown(ctx context.Context, g *globalFlags, ios streams) error {
	if g.journal == "" {
		return usagef("--journal FILE is required: the journal of the run to tear down")
	}
	if _, err := os.Stat(g.journal); err != nil {
		return usagef("journal %s: %v", g.journal, err)
	}
	rc, cleanup, err := resolve(ctx, g, ios)
	if err != nil {
		return err
	}
	defer cleanup()
	j, err := steps.OpenJournal(g.journal, g.revealSecrets)
	if err != nil {
		return err
	}
	s := rc.Settings
	if s.Domain == "" {
		s.Domain = j.Domain()
	} else if jd := j.Domain(); jd != "" && !sameTenant(jd, s.Domain) {
		return usagef("the journal is for %s, not %s: tear it down against the tenant it was made on", jd, s.Domain)
	}
	if err := requireTenant(ios, &s); err != nil {
		return err
	}
	client, err := rc.newClient(s)
	if err != nil {
		return err
	}
	events, stop := drain(newProgressPrinter(ios).event)
	err = steps.NewEngine(client).Teardown(ctx, j, events)
	stop()
	if err != nil {
		return fmt.Errorf("teardown: %w\nrun the same command again to finish: what is already gone is skipped", err)
	}
	fmt.Fprintf(ios.out, "teardown of %s complete: everything this tool created is deleted\n", j.Path())
	return nil
}

// sameTenant compares two domains as the journal and the flags may spell them.
func sameTenant(a, b string) bool { return normalizeDomain(a) == normalizeDomain(b) }

func normalizeDomain(d string) string {
	for _, p := range []string{"https://", "http://"} {
		if len(d) > len(p) && d[:len(p)] == p {
			d = d[len(p):]
		}
	}
	for len(d) > 0 && d[len(d)-1] == '/' {
		d = d[:len(d)-1]
	}
	return d
}
