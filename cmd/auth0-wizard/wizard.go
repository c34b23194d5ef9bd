package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

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
	rc, start, cleanup, err := resolveDeferred(f, g)
	if err != nil {
		return err
	}
	// The sandbox (its keys, its CA, the WSO2 stand-in) comes up beside the
	// first screen, which needs no tenant: the wizard waits for it only on
	// the first screen that does (ui.Options.Tenant), and the accessible
	// line mode, which asks for the tenant at once, before it starts. It
	// starts once the first screen is on the terminal (or after
	// firstScreenWait): started with the program, the key generation took
	// the CPU the first frame needed (1.4-1.8× its time without --sandbox on
	// a loaded two-core machine).
	playbook := rc.Settings.Playbook            // before start writes rc.Settings
	requests := &requestCounter{next: rc.trace} // a class's request rate
	rc.trace = requests
	screen := watchOutput(f.Out)
	var after <-chan struct{} // nil: at once
	if g.sandbox && !rc.accessible {
		after = screen.shown // (line mode asks for the tenant first)
	}
	up := startTenant(after, start, func() (steps.Settings, error) { return wizardSettings(rc) })
	defer func() {
		<-up.done // what cleanup stops is known once start has returned
		cleanup()
	}()
	opts := ui.Options{
		Tmux:             rc.inTmux,
		ExistingJournals: existingJournals(rc),
		Columns:          rc.columns,
		Context:          ctx,
		Tenant:           up.wait,
		NewClient:        up.client(rc.tenantClient),
		NewWSO2Client:    up.wso2Client(rc.wso2Client),
		JournalPath:      rc.JournalPath,
		Reveal:           g.revealSecrets,
		Sandbox:          g.sandbox,
		CAFile:           rc.caFile,
		WriteFile:        atomicfile.Write,
		WriteHandouts: func(dir string, res steps.KitsResult) ([]string, error) {
			if abs, err := filepath.Abs(dir); err == nil {
				dir = abs // the summary says where they went
			}
			return writeHandouts(dir, res, rc)
		},
		Requests: func() int64 { sent, _ := requests.counts(); return sent },
	}
	if !g.sandbox || rc.accessible {
		// Nothing to wait for (no sandbox), or line mode: the settings now.
		set, err := up.wait(ctx)
		if err != nil {
			return err
		}
		opts.Tenant, opts.Settings, opts.Playbook = nil, set, set.Playbook
	} else {
		// Known before the sandbox is: the playbook choice is skipped.
		opts.Settings.Playbook, opts.Playbook = playbook, playbook
	}

	var out ui.Outcome
	if rc.accessible {
		out, err = ui.RunAccessible(ctx, opts, f.In, f.Out)
	} else {
		out, err = runProgram(ctx, opts, f.In, screen.writer(), rc.debugLog)
	}
	if err != nil {
		return err
	}
	if _, err := up.wait(ctx); err != nil && !out.Aborted {
		return err // the sandbox did not start: the wizard said so and was quit
	}
	if out.Kits != nil {
		return classDone(f, rc, out)
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
func runProgram(ctx context.Context, opts ui.Options, in io.Reader, out io.Writer, debugLog string) (ui.Outcome, error) {
	if debugLog != "" {
		log, err := tea.LogToFile(debugLog, "auth0-wizard")
		if err != nil {
			return ui.Outcome{}, fmt.Errorf("open the %s log: %w", envDebugLog, err)
		}
		defer log.Close()
	}
	p := tea.NewProgram(ui.New(opts),
		tea.WithContext(ctx),
		tea.WithInput(in),
		tea.WithOutput(out),
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

// tenantStart is the tenant coming up beside the wizard's first screen:
// start (the sandbox of --sandbox, or nothing) runs in a goroutine, then
// settings (the wizard's settings, which hold the sandbox's domain and
// credentials); done is closed once both have returned.
type tenantStart struct {
	done chan struct{}
	set  steps.Settings
	err  error
}

// startTenant runs start, once after is closed (at once when nil, at the
// latest after firstScreenWait), then settings.
func startTenant(after <-chan struct{}, start func() error, settings func() (steps.Settings, error)) *tenantStart {
	t := &tenantStart{done: make(chan struct{})}
	go func() {
		defer close(t.done)
		if after != nil {
			timer := time.NewTimer(firstScreenWait)
			select {
			case <-after:
			case <-timer.C:
			}
			timer.Stop()
		}
		if t.err = start(); t.err == nil {
			t.set, t.err = settings()
		}
	}()
	return t
}

// wait returns the settings once the tenant is up (ui.Options.Tenant: the
// wizard calls it in a command, never in Update or View).
func (t *tenantStart) wait(ctx context.Context) (steps.Settings, error) {
	select {
	case <-t.done:
		return t.set, t.err
	case <-ctx.Done():
		return steps.Settings{}, ctx.Err()
	}
}

// client is newClient once the tenant is up: the runConfig it reads (the
// CA) is complete only then. The wizard builds clients in commands only,
// after the tenant came up, so this does not wait in practice.
func (t *tenantStart) client(newClient func(steps.Settings) (steps.Client, error)) func(steps.Settings) (steps.Client, error) {
	return func(s steps.Settings) (steps.Client, error) {
		<-t.done
		if t.err != nil {
			return nil, t.err
		}
		return newClient(s)
	}
}

// wso2Client is client's counterpart for WSO2's client.
func (t *tenantStart) wso2Client(newClient func(steps.Settings) (steps.WSO2Client, error)) func(steps.Settings) (steps.WSO2Client, error) {
	return func(s steps.Settings) (steps.WSO2Client, error) {
		<-t.done
		if t.err != nil {
			return nil, t.err
		}
		return newClient(s)
	}
}

// firstScreenWait is the longest the sandbox waits for the first screen to
// be written before it starts anyway.
const firstScreenWait = 300 * time.Millisecond

// outputWatch is the program's output, watched for the first screen: its
// first write holding a line break (Bubble Tea's terminal queries and the
// one-line placeholder drawn before the window's size is known hold none;
// every screen of the wizard has several lines).
type outputWatch struct {
	w     io.Writer
	once  sync.Once
	shown chan struct{}
}

func watchOutput(w io.Writer) *outputWatch {
	return &outputWatch{w: w, shown: make(chan struct{})}
}

func (o *outputWatch) Write(p []byte) (int, error) {
	n, err := o.w.Write(p)
	if bytes.IndexByte(p[:n], '\n') >= 0 {
		o.once.Do(func() { close(o.shown) })
	}
	return n, err
}

// writer is the output to give the program: a terminal stays one to Bubble
// Tea (its size, raw mode, colours), its writes watched.
func (o *outputWatch) writer() io.Writer {
	if f, ok := o.w.(*os.File); ok {
		return watchedFile{o: o, f: f}
	}
	return o
}

// watchedFile is a terminal (term.File: read, write, close, its Fd) whose
// writes go through the watch.
type watchedFile struct {
	o *outputWatch
	f *os.File
}

func (w watchedFile) Read(p []byte) (int, error)  { return w.f.Read(p) }
func (w watchedFile) Write(p []byte) (int, error) { return w.o.Write(p) }
func (w watchedFile) Close() error                { return w.f.Close() }
func (w watchedFile) Fd() uintptr                 { return w.f.Fd() }

// classDone prints, after the wizard prepared a class, what the kits
// command prints: how many kits are complete and where the handouts went
// (nothing of them when none was made: the class could not start); it
// fails unless every kit is complete.
func classDone(f *Factory, rc *runConfig, out ui.Outcome) error {
	k := out.Kits
	if res := k.Result; len(res.Kits) > 0 {
		fmt.Fprintf(f.Out, "%d of %d kits complete; handouts in %s (one .md and one .html per attendee, kits.csv for the trainer)\n",
			res.Complete(), len(res.Kits), k.Dir)
		for _, kit := range res.Kits {
			if !kit.Complete() {
				fmt.Fprintf(f.Out, "  not complete: %s\n", kit.Label)
			}
		}
		if rc.Sandbox == nil {
			fmt.Fprintf(f.Out, "journal %s: auth0-wizard doctor --kits --journal %s checks them, auth0-wizard teardown --journal %s removes them\n",
				res.JournalPath, steps.ShellQuote(res.JournalPath), steps.ShellQuote(res.JournalPath))
		}
		if note := sandboxNote(rc, res.JournalPath); note != "" {
			fmt.Fprintf(f.Err, "note: %s\n", note)
		}
	}
	switch {
	case out.Aborted:
		return errAborted
	case out.Err != nil:
		return fmt.Errorf("prepare a class: %w", out.Err)
	}
	return nil
}
