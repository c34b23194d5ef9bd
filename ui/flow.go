package ui

import (
	"context"
	"errors"
	"fmt"
	"os"

	tea "charm.land/bubbletea/v2"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// The run flow as the wizard uses it: plain functions over the steps engine
// (discover, check the management scopes, plan, check a setup, start the
// run). The screens wrap each in a Cmd; accessible mode calls them directly.

// newClientFunc builds a tenant client for settings (Options.NewClient).
type newClientFunc func(steps.Settings) (steps.Client, error)

// tenantClient is c when the management screen already built one, else a new
// client for set.
func tenantClient(c steps.Client, newClient newClientFunc, set steps.Settings) (steps.Client, error) {
	if c != nil {
		return c, nil
	}
	if newClient == nil {
		return nil, errors.New("no tenant client configured")
	}
	return newClient(set)
}

// discoverTenant reads the tenant's discovery document.
func discoverTenant(ctx context.Context, newClient newClientFunc, domain string) (steps.Endpoints, error) {
	c, err := tenantClient(nil, newClient, steps.Settings{Domain: domain})
	if err != nil {
		return steps.Endpoints{}, err
	}
	return c.Discover(ctx)
}

// checkManagement obtains the management token and compares its scopes
// with what the playbook needs.
func checkManagement(ctx context.Context, newClient newClientFunc, p steps.Playbook, set steps.Settings) scopesCheckedMsg {
	c, err := tenantClient(nil, newClient, set)
	if err != nil {
		return scopesCheckedMsg{Err: err}
	}
	granted, err := c.GrantedScopes(ctx)
	if err != nil {
		return scopesCheckedMsg{Err: err}
	}
	return scopesCheckedMsg{Granted: granted, Missing: steps.ScopeCheck(p, granted), Client: c}
}

// makePlan opens the journal (an earlier run's, to resume) and asks the
// engine for the plan. It changes nothing in the tenant.
func makePlan(ctx context.Context, c steps.Client, p steps.Playbook, set steps.Settings, journalPath string, reveal bool) (steps.Plan, *steps.Journal, error) {
	j, err := steps.OpenJournal(journalPath, reveal)
	if err != nil {
		return steps.Plan{}, nil, fmt.Errorf("open the journal %s: %w", journalPath, err)
	}
	pl, err := steps.NewEngine(c).Plan(ctx, p, set, j)
	return pl, j, err
}

// checkSetup runs the doctor's checks. It uses the run's journal when there
// is one, else the journal file if it exists (never creating one).
func checkSetup(ctx context.Context, c steps.Client, j *steps.Journal, path string, p steps.Playbook, set steps.Settings) ([]steps.CheckResult, error) {
	if j == nil {
		if _, err := os.Stat(path); err == nil {
			if j, err = steps.OpenJournal(path, false); err != nil {
				return nil, fmt.Errorf("open the journal %s: %w", path, err)
			}
		}
	}
	return steps.NewEngine(c).Doctor(ctx, p, set, steps.DoctorOptions{Journal: j}), nil
}

// journalPath is the journal the options name, or the playbook's default.
func journalPath(o Options, id steps.PlaybookID) string {
	if o.JournalPath != "" {
		return o.JournalPath
	}
	return steps.DefaultJournalPath(id)
}

// The Cmds the screens return.

func discover(ctx context.Context, newClient newClientFunc, domain string) tea.Cmd {
	return func() tea.Msg {
		ep, err := discoverTenant(ctx, newClient, domain)
		return discoveredMsg{Domain: domain, Endpoints: ep, Err: err}
	}
}

func checkScopes(ctx context.Context, newClient newClientFunc, p steps.Playbook, set steps.Settings) tea.Cmd {
	return func() tea.Msg { return checkManagement(ctx, newClient, p, set) }
}

func plan(ctx context.Context, newClient newClientFunc, c steps.Client, p steps.Playbook, set steps.Settings, path string, reveal bool) tea.Cmd {
	return func() tea.Msg {
		cl, err := tenantClient(c, newClient, set)
		if err != nil {
			return plannedMsg{Err: err}
		}
		pl, j, err := makePlan(ctx, cl, p, set, path, reveal)
		return plannedMsg{Plan: pl, Journal: j, Err: err}
	}
}

func runDoctor(ctx context.Context, newClient newClientFunc, c steps.Client, j *steps.Journal, path string, p steps.Playbook, set steps.Settings) tea.Cmd {
	return func() tea.Msg {
		cl, err := tenantClient(c, newClient, set)
		if err != nil {
			return doctorDoneMsg{Err: err}
		}
		res, err := checkSetup(ctx, cl, j, path, p, set)
		return doctorDoneMsg{Results: res, Err: err}
	}
}

// startRun starts Apply through Engine.Start: the events come on the run's
// channel, the result once it is closed.
func startRun(ctx context.Context, newClient newClientFunc, c steps.Client, p steps.Playbook, set steps.Settings, pl steps.Plan, j *steps.Journal) tea.Cmd {
	return func() tea.Msg {
		cl, err := tenantClient(c, newClient, set)
		if err != nil {
			return provisionDoneMsg{Err: err}
		}
		run := steps.NewEngine(cl).Start(ctx, p, set, pl, j)
		done := make(chan provisionDoneMsg, 1)
		go func() {
			res, err := run.Wait()
			done <- provisionDoneMsg{Result: res, Err: err}
		}()
		return provisionStartedMsg{Events: run.Events, Done: done, Cancel: run.Cancel}
	}
}
