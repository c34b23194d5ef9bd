package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/auth0-wizard/auth0-wizard/internal/hostname"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// TeardownOptions are what `teardown` was asked to do.
type TeardownOptions struct {
	Global globalFlags
}

// newTeardownCmd is `teardown`; runF replaces runTeardown when not nil.
func newTeardownCmd(f *Factory, g *globalFlags, runF func(context.Context, *Factory, *TeardownOptions) error) *cobra.Command {
	if runF == nil {
		runF = runTeardown
	}
	return &cobra.Command{
		Use:   "teardown [--journal FILE | --playbook wso2|azure]",
		Short: "Delete what a journal says this tool created (never what it only reused)",
		Long: `teardown reads a journal written by the wizard or by apply and deletes, in
reverse dependency order, only the resources the journal says this tool
created. Resources it reused are left alone. A resource already gone counts as
deleted, so teardown can be run again safely.

The journal is --journal FILE (or the config file's journal), else the
playbook's default, auth0-wizard-<playbook>.journal.json. The tenant and the
management application's client ID and audience come from the journal when
not given; the secret, as everywhere, from the environment, a file or the
prompt.`,
		Example: `  auth0-wizard teardown --journal auth0-wizard-wso2.journal.json
  AUTH0_CLIENT_SECRET=... auth0-wizard teardown --playbook azure`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runF(cmd.Context(), f, &TeardownOptions{Global: *g})
		},
	}
}

func runTeardown(ctx context.Context, f *Factory, o *TeardownOptions) error {
	g := o.Global
	rc, cleanup, err := resolve(f, g)
	if err != nil {
		return err
	}
	defer cleanup()
	s := rc.Settings
	path := rc.givenJournal()
	if path == "" && s.Playbook != "" {
		path = steps.DefaultJournalPath(s.Playbook)
	}
	if path == "" {
		return usagef("--journal FILE is required, the journal of the run to tear down (or --playbook wso2|azure for its default, auth0-wizard-<playbook>.journal.json)")
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return usagef("journal %s does not exist: give the journal the wizard or apply wrote (--journal FILE)", path)
	} else if err != nil {
		return usagef("journal %s: %v", path, err)
	}
	// With the secrets it keeps (a kits journal's passwords), so that a
	// teardown stopped halfway leaves them for the resources still there;
	// each leaves the file with its resource.
	j, err := openJournal(path, true)
	if err != nil {
		return err
	}
	if jd := j.Domain(); s.Domain != "" && jd != "" && !hostname.Same(jd, s.Domain) {
		return usagef("the journal is for %s, not %s: tear it down against the tenant it was made on", jd, s.Domain)
	}
	s.Playbook = "" // the journal says what to tear down
	s = resumeWSO2(steps.ResumeSettings(s, j), j)
	if err := requireTenant(f, &s); err != nil {
		return err
	}
	wso2Left, err := teardownWSO2Password(f, j, &s)
	if err != nil {
		return err
	}
	client, err := rc.tenantClient(s)
	if err != nil {
		return err
	}
	var deleted, disabled int
	events, stop := drain(func(ev steps.Event) {
		fmt.Fprintln(f.Err, steps.EventLine(ev))
		if ev.Kind == steps.EventDone && ev.Verb == steps.Delete {
			if strings.HasPrefix(ev.Action, string(steps.KindConnectionClient)) { // a kit's too (connection_client#07)
				disabled++
			} else {
				deleted++
			}
		}
	})
	eng, err := rc.withWSO2(steps.NewEngine(client), s)
	if err != nil {
		stop()
		return err
	}
	err = eng.Teardown(ctx, j, events)
	stop()
	if err != nil && ctx.Err() != nil {
		if deleted == 0 && disabled == 0 {
			fmt.Fprintf(f.Err, "stopped before any delete: nothing was changed; the journal %s still lists everything to tear down\n", j.Path())
		} else {
			fmt.Fprintf(f.Err, "stopped after deleting %d %s: the journal %s lists what is left; run the same command again to finish\n",
				deleted, plural(deleted, "resource"), j.Path())
		}
		return errAborted
	}
	if err != nil {
		again := "run the same command again to finish: what is already gone is skipped"
		if wso2Left != "" {
			again = wso2Left + " (what is already gone is skipped)"
		}
		return fmt.Errorf("teardown: %w\n%s", err, again)
	}
	fmt.Fprintln(f.Out, teardownSummary(j, deleted, disabled))
	return nil
}

// teardownSummary says what a teardown did: what it deleted, and what the
// journal still lists because this tool only reused or updated it.
func teardownSummary(j *steps.Journal, deleted, disabled int) string {
	left := map[string]int{}
	total := 0
	for _, r := range j.Resources() {
		if r.Kind != steps.KindConnectionClient {
			left[r.Action]++
			total++
		}
	}
	var counts []string
	for _, a := range []string{steps.Reuse.Past(), steps.Update.Past()} {
		if left[a] > 0 {
			counts = append(counts, fmt.Sprintf("%d %s", left[a], a))
		}
	}
	kept := strings.Join(counts, " and ") + " " + plural(total, "resource") // e.g. "3 reused resources"
	if deleted == 0 && disabled == 0 {
		if total == 0 {
			return fmt.Sprintf("nothing to delete: the journal %s records nothing this tool created (or it was torn down already)", j.Path())
		}
		return fmt.Sprintf("nothing to delete: %s left alone (this tool did not create them; journal %s)", kept, j.Path())
	}
	done := []string{fmt.Sprintf("deleted %d %s this tool created", deleted, plural(deleted, "resource"))}
	switch {
	case disabled == 1:
		done = append(done, "turned the connection off for the application")
	case disabled > 1:
		done = append(done, fmt.Sprintf("turned the connection off for %d applications", disabled)) // a class's kits
	}
	if total > 0 {
		done = append(done, "left "+kept+" alone")
	}
	return fmt.Sprintf("teardown of %s: %s", j.Path(), strings.Join(done, "; "))
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
