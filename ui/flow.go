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

// engineFor is the engine over the tenant client, working through WSO2 too
// when the settings carry its admin password and a WSO2 client was built.
func engineFor(c steps.Client, w steps.WSO2Client, set steps.Settings) *steps.Engine {
	e := steps.NewEngine(c)
	if w != nil && connected(set) {
		e = e.WithWSO2(w)
	}
	return e
}

// connected says whether the run does WSO2's side itself: the API
// Manager's admin password was given (the engine's own test, through the
// inputs it asks only then).
func connected(set steps.Settings) bool { return set.WSO2AdminPassword != "" }

// newWSO2 builds the WSO2 client for the settings (Options.NewWSO2Client).
type newWSO2Func func(steps.Settings) (steps.WSO2Client, error)

// errNoWSO2Client is the API Manager screen's answer when the binary was
// built without a WSO2 client.
var errNoWSO2Client = errors.New("this wizard was started without a WSO2 client, so it cannot talk to the API Manager")

// checkWSO2 builds the WSO2 client and checks what it can before any
// change: the REST API versions (Version) and that the credentials work
// (ListKeyManagers, which needs the admin scopes).
func checkWSO2(ctx context.Context, newWSO2 newWSO2Func, set steps.Settings) wso2CheckedMsg {
	if newWSO2 == nil {
		return wso2CheckedMsg{Err: errNoWSO2Client}
	}
	w, err := newWSO2(set)
	if err != nil {
		return wso2CheckedMsg{Err: err}
	}
	v, err := w.Version(ctx)
	if err != nil {
		return wso2CheckedMsg{Err: err}
	}
	kms, err := w.ListKeyManagers(ctx)
	if err != nil {
		return wso2CheckedMsg{Err: err, Version: v}
	}
	return wso2CheckedMsg{Client: w, Version: v, KeyManagers: kms}
}

// listConnectorApps lists the applications WSO2's connector made (step 3.3).
func listConnectorApps(ctx context.Context, c steps.Client, newClient newClientFunc, set steps.Settings) connectorAppsMsg {
	cl, err := tenantClient(c, newClient, set)
	if err != nil {
		return connectorAppsMsg{Err: err}
	}
	apps, err := steps.NewEngine(cl).ConnectorApplications(ctx, set)
	return connectorAppsMsg{Apps: apps, Err: err}
}

// makePlan opens the journal (an earlier run's, to resume) and asks the
// engine for the plan. It changes nothing in the tenant.
func makePlan(ctx context.Context, e *steps.Engine, p steps.Playbook, set steps.Settings, journalPath string, reveal bool) (steps.Plan, *steps.Journal, error) {
	j, err := steps.OpenJournal(journalPath, reveal)
	if err != nil {
		return steps.Plan{}, nil, fmt.Errorf("open the journal %s: %w", journalPath, err)
	}
	pl, err := e.Plan(ctx, p, set, j)
	return pl, j, err
}

// doctorTarget is what "check an existing setup" was told to check: a
// journal, or the names and the application's client ID (and secret).
type doctorTarget struct {
	journal      string // the journal file ("" for none)
	clientID     string
	clientSecret string
}

// afterRunTarget is what the doctor checks after a run: the run's journal
// and, when WSO2 made the application (its connector did, with the keys
// WSO2 generated), that application by its client ID and secret, since it
// does not have the name the playbook gives its own.
func afterRunTarget(o Options, sess *session) doctorTarget {
	t := doctorTarget{journal: journalPath(o, sess.playbook.ID)}
	if sess.applied && sess.result.WSO2 != nil {
		t.clientID, t.clientSecret = sess.result.ClientID, sess.result.ClientSecret
	}
	return t
}

// checkSetup runs the doctor's checks. It uses the run's journal when there
// is one, else the journal file the target names if it exists (never
// creating one).
func checkSetup(ctx context.Context, e *steps.Engine, j *steps.Journal, t doctorTarget, p steps.Playbook, set steps.Settings) ([]steps.CheckResult, error) {
	if j == nil && t.journal != "" {
		if _, err := os.Stat(t.journal); err != nil {
			return nil, fmt.Errorf("the journal %s cannot be read: %w", t.journal, err)
		}
		var err error
		if j, err = steps.OpenJournal(t.journal, false); err != nil {
			return nil, fmt.Errorf("open the journal %s: %w", t.journal, err)
		}
	}
	return e.Doctor(ctx, p, set, steps.DoctorOptions{Journal: j, AppClientID: t.clientID, AppClientSecret: t.clientSecret}), nil
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

func plan(ctx context.Context, newClient newClientFunc, c steps.Client, w steps.WSO2Client, p steps.Playbook, set steps.Settings, path string, reveal bool) tea.Cmd {
	return func() tea.Msg {
		cl, err := tenantClient(c, newClient, set)
		if err != nil {
			return plannedMsg{Err: err}
		}
		pl, j, err := makePlan(ctx, engineFor(cl, w, set), p, set, path, reveal)
		if c, ok := conflictOf(err, set.Domain); ok {
			c.newPath = freeJournalPath(path)
			return plannedMsg{Err: err, Conflict: &c}
		}
		return plannedMsg{Plan: pl, Journal: j, Err: err}
	}
}

func runDoctor(ctx context.Context, newClient newClientFunc, c steps.Client, w steps.WSO2Client, j *steps.Journal, t doctorTarget, p steps.Playbook, set steps.Settings) tea.Cmd {
	return func() tea.Msg {
		cl, err := tenantClient(c, newClient, set)
		if err != nil {
			return doctorDoneMsg{Err: err}
		}
		res, err := checkSetup(ctx, engineFor(cl, w, set), j, t, p, set)
		return doctorDoneMsg{Results: res, Err: err}
	}
}

func checkAPIM(ctx context.Context, newWSO2 newWSO2Func, set steps.Settings) tea.Cmd {
	return func() tea.Msg { return checkWSO2(ctx, newWSO2, set) }
}

func connectorApps(ctx context.Context, c steps.Client, newClient newClientFunc, set steps.Settings) tea.Cmd {
	return func() tea.Msg { return listConnectorApps(ctx, c, newClient, set) }
}

// startRun starts Apply through Engine.Start: the events come on the run's
// channel, the result once it is closed.
func startRun(ctx context.Context, newClient newClientFunc, c steps.Client, w steps.WSO2Client, p steps.Playbook, set steps.Settings, pl steps.Plan, j *steps.Journal) tea.Cmd {
	return func() tea.Msg {
		cl, err := tenantClient(c, newClient, set)
		if err != nil {
			return provisionDoneMsg{Err: err}
		}
		run := engineFor(cl, w, set).Start(ctx, p, set, pl, j)
		done := make(chan provisionDoneMsg, 1)
		go func() {
			res, err := run.Wait()
			done <- provisionDoneMsg{Result: res, Err: err}
		}()
		return provisionStartedMsg{Events: run.Events, Done: done, Cancel: run.Cancel}
	}
}
