package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/term"

	"github.com/auth0-wizard/auth0-wizard/internal/atomicfile"
	"github.com/auth0-wizard/auth0-wizard/steps"
	"github.com/auth0-wizard/auth0-wizard/ui"
)

// runWizard is the bare command: the interactive wizard, or its accessible
// line mode. Without a terminal it points at `apply` instead of drawing a
// broken screen.
func runWizard(ctx context.Context, f *Factory, o *WizardOptions) error {
	g := o.Global
	if !isTerminal(f.In) || (!accessibleMode(f, g) && !isTerminal(f.Out)) {
		return usagef("the wizard needs a terminal (stdin and stdout); for scripts and CI use 'auth0-wizard apply --playbook wso2|azure' (add --dry-run to see the plan)")
	}
	rc, cleanup, err := resolve(f, g)
	if err != nil {
		return err
	}
	defer cleanup()

	set, err := wizardSettings(rc)
	if err != nil {
		return err
	}
	opts := ui.Options{
		Tmux:             rc.inTmux,
		ExistingJournals: existingJournals(rc),
		Columns:          rc.columns,
		Context:          ctx,
		Settings:         set,
		Playbook:         set.Playbook,
		NewClient:        rc.tenantClient,
		NewWSO2Client:    rc.wso2Client,
		JournalPath:      rc.JournalPath,
		Reveal:           g.revealSecrets,
		Sandbox:          rc.Sandbox != nil,
		CAFile:           rc.caFile,
		WriteFile:        atomicfile.Write,
	}

	var out ui.Outcome
	if rc.accessible {
		out, err = ui.RunAccessible(ctx, opts, f.In, f.Out)
	} else {
		out, err = runProgram(ctx, opts, f, rc.debugLog)
	}
	if err != nil {
		return err
	}
	if _, err := lipgloss.Fprintln(f.Out, ui.PlainSummary(out, g.revealSecrets)); err != nil {
		return err
	}
	if rc.Sandbox != nil && (out.Started || out.Applied) {
		if _, err := lipgloss.Fprintln(f.Out, "\nNote: "+sandboxNote(rc, out.JournalPath)+"."); err != nil {
			return err
		}
	}
	switch {
	case out.Aborted:
		return errAborted
	case out.Err != nil:
		return fmt.Errorf("apply %s: %w", out.Playbook, out.Err)
	case steps.DoctorFailed(out.Checks):
		return fmt.Errorf("a check of the %s setup failed: see FAIL above", out.Playbook)
	}
	return nil
}

// wizardSettings are the wizard's prefilled settings: flags, environment and
// config file, then, to resume a run, the settings of its journal (the one
// given, or the playbook's default when it exists) for every value not given.
func wizardSettings(rc *runConfig) (steps.Settings, error) {
	s := rc.Settings
	path := rc.givenJournal()
	if path == "" && s.Playbook != "" && rc.Sandbox == nil {
		path = steps.DefaultJournalPath(s.Playbook)
	}
	if path == "" {
		return s, nil
	}
	if _, err := os.Stat(path); err != nil {
		return s, nil // a new journal: nothing to resume
	}
	j, err := openJournal(path, false)
	if err != nil {
		return s, err
	}
	return resumeWSO2(steps.ResumeSettings(s, j), j), nil
}

// runProgram runs the Bubble Tea program and returns how the wizard ended.
// debugLog, when set, is the file of the program's debug log (WIZARD_DEBUG).
func runProgram(ctx context.Context, opts ui.Options, f *Factory, debugLog string) (ui.Outcome, error) {
	if debugLog != "" {
		log, err := tea.LogToFile(debugLog, "auth0-wizard")
		if err != nil {
			return ui.Outcome{}, fmt.Errorf("open the %s log: %w", envDebugLog, err)
		}
		defer log.Close()
	}
	p := tea.NewProgram(ui.New(opts),
		tea.WithContext(ctx),
		tea.WithInput(f.In),
		tea.WithOutput(f.Out),
	)
	final, err := p.Run()
	m, ok := final.(ui.Model)
	switch {
	case errors.Is(err, tea.ErrProgramKilled), errors.Is(err, tea.ErrInterrupted):
		o := ui.Outcome{Aborted: true}
		if ok {
			o = m.Outcome()
			o.Aborted = true
		}
		return o, nil
	case err != nil:
		return ui.Outcome{}, fmt.Errorf("run the wizard: %w", err)
	case !ok:
		return ui.Outcome{}, fmt.Errorf("run the wizard: unexpected final model %T", final)
	}
	return m.Outcome(), nil
}

// isTerminal says whether a stream is a terminal.
func isTerminal(v any) bool {
	f, ok := v.(interface{ Fd() uintptr })
	if !ok {
		return false
	}
	return term.IsTerminal(f.Fd())
}

// existingJournals are the journal files there at start: the given one, or
// each playbook's default ("check an existing setup" offers them).
func existingJournals(rc *runConfig) []string {
	paths := []string{rc.givenJournal()}
	if rc.givenJournal() == "" {
		paths = paths[:0]
		for _, p := range steps.Playbooks() {
			paths = append(paths, steps.DefaultJournalPath(p.ID))
		}
	}
	var out []string
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			out = append(out, p)
		}
	}
	return out
}
