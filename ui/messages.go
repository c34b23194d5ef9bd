package ui

import (
	"context"
	"reflect"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// Facts a screen reports to the root (through report, handled before the
// next message). Screens never change the active screen nor write the
// session beyond the form fields bound into it: they report one of these and
// the root stores what it carries and calls goTo.
type (
	// playbookChosenMsg: the person picked a playbook.
	playbookChosenMsg struct {
		ID     steps.PlaybookID
		Doctor bool      // check an existing setup instead of making one
		Kits   *kitsPlan // prepare a class (kits) instead of one setup
	}
	// stepDoneMsg: the active screen is done; on to the next.
	stepDoneMsg struct{}
	// wentBackMsg: the person asked for the previous screen.
	wentBackMsg struct{}
	// applyConfirmedMsg: the review was accepted.
	applyConfirmedMsg struct{}
	// summaryRequestedMsg: progress finished and the person moved on.
	summaryRequestedMsg struct{}
	// doctorRequestedMsg: run the checks from the summary.
	doctorRequestedMsg struct{}
	// quitRequestedMsg: the person is done (q on the summary).
	quitRequestedMsg struct{}
	// stopRequestedMsg: esc while the run changes the tenant.
	stopRequestedMsg struct{}

	// tenantCheckedMsg: discovery of the domain on screen passed.
	tenantCheckedMsg struct{ Endpoints steps.Endpoints }
	// managementCheckedMsg: the management token was obtained and its
	// scopes compared (Missing may be non-empty).
	managementCheckedMsg struct {
		Granted []string
		Client  steps.Client
	}
	// planMadeMsg: the review has the engine's plan.
	planMadeMsg struct {
		Plan    steps.Plan
		Journal *steps.Journal
	}
	// checksDoneMsg: the doctor's checks finished.
	checksDoneMsg struct{ Results []steps.CheckResult }
	// apimCheckedMsg: the API Manager answered with a version this tool
	// speaks and took the credentials (Client nil: no password, WSO2's
	// side by hand).
	apimCheckedMsg struct {
		Client  steps.WSO2Client
		Version steps.WSO2Version
	}
	// connectorListedMsg: the applications WSO2's connector made were listed.
	connectorListedMsg struct{ Apps []steps.ConnectorApp }
	// checkTargetMsg: what "check an existing setup" is to check.
	checkTargetMsg struct{ Target doctorTarget }
	// journalConflictMsg: the plan was refused because the journal
	// records another run; the root asks what to do (the journal dialog).
	journalConflictMsg struct{ Conflict journalConflict }
	// teardownRequestedMsg: the person chose to tear the journal's run
	// down (root → the review, which does it and plans again).
	teardownRequestedMsg struct{}
)

// Background results. Each carries copied data and its error.
type (
	// discoveredMsg: discovery of Domain finished.
	discoveredMsg struct {
		Domain    string
		Endpoints steps.Endpoints
		Err       error
	}
	// scopesCheckedMsg: the management token was obtained (or not) and its
	// scopes compared with the playbook's.
	scopesCheckedMsg struct {
		Granted []string
		Missing []string
		Client  steps.Client
		Err     error
	}
	// plannedMsg: Engine.Plan finished.
	plannedMsg struct {
		Plan    steps.Plan
		Journal *steps.Journal
		Err     error
		// Conflict is set when Err is a journal conflict.
		Conflict *journalConflict
	}
	// tornDownMsg: the journal's earlier run was torn down (or not).
	tornDownMsg struct{ Err error }
	// wso2CheckedMsg: the API Manager's version and credentials were checked.
	wso2CheckedMsg struct {
		Client      steps.WSO2Client
		Version     steps.WSO2Version
		KeyManagers []steps.WSO2KeyManagerInfo
		Err         error
	}
	// connectorAppsMsg: the applications WSO2's connector made, listed.
	connectorAppsMsg struct {
		Apps []steps.ConnectorApp
		Err  error
	}
	// doctorDoneMsg: the checks finished.
	doctorDoneMsg struct {
		Results []steps.CheckResult
		Err     error
	}
	// provisionStartedMsg: Apply runs; events arrive on Events, the result
	// on Done once Events is closed.
	provisionStartedMsg struct {
		Events <-chan steps.Event
		Done   <-chan provisionDoneMsg
		Cancel context.CancelFunc
	}
	// provisionEventMsg: one progress event.
	provisionEventMsg struct{ Event steps.Event }
	// provisionDoneMsg: Apply returned.
	provisionDoneMsg struct {
		Result steps.Result
		Err    error
		Kits   *KitsOutcome // a class's run (Result is then empty)
	}
	// exportWrittenMsg: an export was written (or not).
	exportWrittenMsg struct {
		Format string
		Path   string
		Secret bool // the file holds the secret (written 0600)
		Masked bool // a secret the format carries was masked or left out
		Err    error
	}
)

// fromScreenMsg is a background result of a screen (or a message of its
// form), tagged with the visit of the screen whose command reported it
// (goTo counts visits). The root drops it once that screen is left: the
// late answer of a check the person walked away from must not land on the
// screen built on the way back.
type fromScreenMsg struct {
	visit int
	msg   tea.Msg
}

// tagVisit wraps the commands a screen left to run later so that the
// results they report carry visit, and so do huh's own messages. Batches
// are tagged command by command; everything else (Bubble Tea's own requests
// such as quit or the clipboard, cursor blinks, spinner ticks, the run's
// channel, a written export) passes unchanged.
func tagVisit(cmd tea.Cmd, visit int) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() tea.Msg {
		switch msg := cmd().(type) {
		case tea.BatchMsg:
			out := make(tea.BatchMsg, 0, len(msg))
			for _, c := range msg {
				out = append(out, tagVisit(c, visit))
			}
			return out
		case discoveredMsg, scopesCheckedMsg, plannedMsg, doctorDoneMsg, wso2CheckedMsg, connectorAppsMsg, tornDownMsg:
			return fromScreenMsg{visit: visit, msg: msg}
		default:
			if t := reflect.TypeOf(msg); t != nil && t.PkgPath() == huhPackage {
				return fromScreenMsg{visit: visit, msg: msg}
			}
			return msg
		}
	}
}

// huhPackage is the import path of huh's message types.
var huhPackage = reflect.TypeFor[huh.Form]().PkgPath()

// waitForEvent reads one progress event; Update re-arms it after each one.
// Once the engine's channel is closed it returns the run's result.
func waitForEvent(events <-chan steps.Event, done <-chan provisionDoneMsg) tea.Cmd {
	return func() tea.Msg {
		if ev, ok := <-events; ok {
			return provisionEventMsg{ev}
		}
		return <-done
	}
}
