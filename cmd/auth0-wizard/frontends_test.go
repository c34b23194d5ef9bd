package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/auth0-wizard/auth0-wizard/internal/atomicfile"
	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
	"github.com/auth0-wizard/auth0-wizard/ui"
	"github.com/auth0-wizard/auth0-wizard/wso2sandbox"
)

// TestFrontEndsAgree: the TUI, accessible mode and `apply`, each on a
// sandbox of its own (the one --sandbox starts) with the same inputs (the
// prefilled ones, Enter on every screen and prompt), produce the same plan
// (action ids, verbs, kinds, names) and the same result rows (label, name,
// state, verb, detail: durations and tenant ids aside), and report the same
// resources. Each front end is run as the binary runs it: the TUI's model
// and accessible mode with the options runWizard gives them, `apply` by its
// run function, whose plan and rows are read from what it prints (the dry
// run's JSON, the progress lines on stderr). Each sandbox's own addresses
// (a name holds the API Manager's URL) are written as AUTH0 and WSO2.
func TestFrontEndsAgree(t *testing.T) {
	t.Parallel()
	for _, id := range []steps.PlaybookID{steps.WSO2, steps.Azure} {
		t.Run(string(id), func(t *testing.T) {
			t.Parallel()
			tui := runTUI(t, id)
			acc := runAccessibleMode(t, id)
			app := runApplyHeadless(t, id)

			if len(tui.plan) == 0 {
				t.Fatal("the TUI made no plan")
			}
			if len(tui.rows) != len(tui.plan)+1 {
				t.Fatalf("the TUI's rows are not one per action and the token:\n  %s", strings.Join(tui.rows, "\n  "))
			}
			for _, r := range tui.rows {
				if !strings.Contains(r, " "+string(steps.RowDone)+" ") {
					t.Errorf("the TUI's run did not finish a row: %s", r)
				}
			}
			same := func(what string, got, want []string, by string) {
				t.Helper()
				if !slices.Equal(got, want) {
					t.Errorf("%s %s\n  %s\nthe TUI's\n  %s", by, what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
				}
			}
			for _, fe := range []frontEnd{acc, app} {
				same("plan", fe.plan, tui.plan, fe.name)
				same("result rows", fe.rows, tui.rows, fe.name)
				same("reported resources", fe.resources, tui.resources, fe.name)
				if fe.verified != tui.verified || !fe.verified {
					t.Errorf("%s: test token verified %v, the TUI's %v", fe.name, fe.verified, tui.verified)
				}
			}
			same("plan as it ran (stderr)", app.printedPlan, printedPlan(tui.plan), "apply")
		})
	}
}

// frontEnd is what one front end produced, each line without what differs
// from sandbox to sandbox: its plan, its result rows, the resources it
// reports and whether its token verified.
type frontEnd struct {
	name        string
	plan        []string
	printedPlan []string // apply: the plan lines of the run itself
	rows        []string
	resources   []string
	verified    bool
}

// sandboxAddrs records the addresses of the sandboxes a factory starts, to
// write them as AUTH0 and WSO2.
type sandboxAddrs struct{ pairs []string }

func (a *sandboxAddrs) replacer() *strings.Replacer { return strings.NewReplacer(a.pairs...) }

// recording makes f start its sandboxes as the binary does, noting their
// addresses.
func (a *sandboxAddrs) recording(f *Factory) *Factory {
	startSandbox, startWSO2 := f.StartSandbox, f.StartWSO2
	f.StartSandbox = func(o sandbox.Options) (*sandbox.Server, error) {
		sb, err := startSandbox(o)
		if err == nil {
			a.pairs = append(a.pairs, sb.BaseURL, "AUTH0", sb.Domain, "AUTH0")
		}
		return sb, err
	}
	f.StartWSO2 = func(o wso2sandbox.Options) (*wso2sandbox.Server, error) {
		w, err := startWSO2(o)
		if err == nil {
			a.pairs = append(a.pairs, w.URL, "WSO2", w.Domain, "WSO2")
		}
		return w, err
	}
	f.LookupEnv = func(string) (string, bool) { return "", false }
	return f
}

func normalised(r *strings.Replacer, lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = r.Replace(l)
	}
	return out
}

// planLines are a plan's actions without the tenant's ids.
func planLines(p steps.Plan) []string {
	var out []string
	for _, a := range p.Actions {
		out = append(out, fmt.Sprintf("%s %s %s %q changes=%q", a.ID, a.Verb, a.Kind, a.Name, a.Changes))
	}
	return out
}

// printedPlan is how `apply` prints a plan's lines before it runs, as the
// test reads them back.
func printedPlan(plan []string) []string {
	var out []string
	for _, l := range plan {
		f := strings.SplitN(l, " ", 4)
		name, _, _ := strings.Cut(f[3], " changes=")
		out = append(out, f[1]+" "+f[2]+" "+name)
	}
	return out
}

// rowLines are the rows without what differs from run to run: durations,
// tenant ids, the waits and retries of a loaded machine.
func rowLines(rows []steps.Row) []string {
	var out []string
	for _, r := range rows {
		out = append(out, fmt.Sprintf("%s label=%q name=%q %s verb=%q detail=%q", r.Action, r.Label, r.Name, r.State, r.Verb, r.Detail))
	}
	return out
}

func resourceLines(rs []steps.OutputResource) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Action+" "+string(r.Kind)+" "+r.Name)
	}
	return out
}

// outcome is what the wizard's Outcome says, normalised.
func outcome(name string, o ui.Outcome, r *strings.Replacer) frontEnd {
	doc := steps.Output(o.Result, false)
	return frontEnd{name: name, plan: normalised(r, planLines(o.Plan)), rows: normalised(r, rowLines(o.Rows)),
		resources: normalised(r, resourceLines(doc.Resources)), verified: doc.Token.Verified}
}

// sandboxConfig resolves the settings of a run on --sandbox, as the binary
// does for --sandbox --playbook id with an empty environment: a tenant and
// a WSO2 stand-in of its own, every value prefilled.
func sandboxConfig(t *testing.T, id steps.PlaybookID, addrs *sandboxAddrs) *runConfig {
	t.Helper()
	f := addrs.recording(newFactory(strings.NewReader(""), io.Discard, io.Discard))
	rc, cleanup, err := resolve(f, globalFlags{sandbox: true, playbook: string(id)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cleanup)
	return rc
}

// wizardOptions are the options runWizard gives the TUI and accessible mode.
func wizardOptions(t *testing.T, ctx context.Context, rc *runConfig) ui.Options {
	t.Helper()
	set, err := wizardSettings(rc)
	if err != nil {
		t.Fatal(err)
	}
	return ui.Options{
		Context: ctx, Settings: set, Playbook: set.Playbook,
		NewClient: rc.tenantClient, NewWSO2Client: rc.wso2Client,
		JournalPath: rc.JournalPath, Sandbox: rc.Sandbox != nil, CAFile: rc.caFile,
		WriteFile: atomicfile.Write, ExportDir: t.TempDir(), Width: 100,
	}
}

// runTUI drives the TUI's model with Enter until its run is over.
func runTUI(t *testing.T, id steps.PlaybookID) frontEnd {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	var addrs sandboxAddrs
	rc := sandboxConfig(t, id, &addrs)
	d := newTUIDriver(t, ui.New(wizardOptions(t, ctx, rc)), 120, 50)
	for range 60 {
		if o := d.m.Outcome(); o.Applied || o.Err != nil {
			break
		}
		d.press(tea.KeyPressMsg{Code: tea.KeyEnter})
	}
	o := d.m.Outcome()
	if !o.Applied {
		t.Fatalf("the TUI did not apply (err %v):\n%s", o.Err, ansi.Strip(d.m.View().Content))
	}
	return outcome("the TUI", o, addrs.replacer())
}

// runAccessibleMode answers every prompt of accessible mode with Enter
// (each prefilled value kept, the plan applied, no export).
func runAccessibleMode(t *testing.T, id steps.PlaybookID) frontEnd {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	var addrs sandboxAddrs
	rc := sandboxConfig(t, id, &addrs)
	var out bytes.Buffer
	o, err := ui.RunAccessible(ctx, wizardOptions(t, ctx, rc), &enterReader{left: 80}, &out)
	if err != nil || !o.Applied {
		t.Fatalf("accessible mode did not apply (err %v, outcome err %v):\n%s", err, o.Err, out.String())
	}
	return outcome("accessible mode", o, addrs.replacer())
}

// runApplyHeadless runs `apply --sandbox --playbook id`: once with
// --dry-run --output json for its plan, once to apply with --output json,
// its rows read from the event lines it prints on stderr.
func runApplyHeadless(t *testing.T, id steps.PlaybookID) frontEnd {
	t.Helper()
	run := func(dry bool) (stdout, stderr string, r *strings.Replacer) {
		var out, errb bytes.Buffer
		var addrs sandboxAddrs
		f := addrs.recording(newFactory(strings.NewReader(""), &out, &errb))
		g := globalFlags{sandbox: true, playbook: string(id)}
		if err := runApply(context.Background(), f, &ApplyOptions{Global: g, DryRun: dry, Output: "json"}); err != nil {
			t.Fatalf("apply (dry run %v): %v\n%s", dry, err, errb.String())
		}
		return out.String(), errb.String(), addrs.replacer()
	}
	stdout, _, dryAddrs := run(true)
	var plan steps.Plan
	if err := json.Unmarshal([]byte(stdout), &plan); err != nil {
		t.Fatalf("the dry run's plan: %v\n%s", err, stdout)
	}
	stdout, stderr, addrs := run(false)
	var doc steps.OutputDocument
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("apply's output: %v\n%s", err, stdout)
	}
	fe := frontEnd{name: "apply", plan: normalised(dryAddrs, planLines(plan)),
		resources: normalised(addrs, resourceLines(doc.Resources)), verified: doc.Token.Verified}
	// The run's own plan is the dry run's with this sandbox's names (as
	// printed): its rows are folded from the events it printed.
	ran := steps.Plan{Actions: slices.Clone(plan.Actions)}
	var events []steps.Event
	for _, line := range strings.Split(stderr, "\n") {
		if rest, ok := strings.CutPrefix(line, "plan: "); ok {
			fe.printedPlan = append(fe.printedPlan, addrs.Replace(rest))
			if i := len(fe.printedPlan) - 1; i < len(ran.Actions) {
				f := strings.SplitN(rest, " ", 3)
				if name, err := strconv.Unquote(f[len(f)-1]); err == nil {
					ran.Actions[i].Name = name
				}
			}
		} else if ev, ok := parseEventLine(line); ok {
			events = append(events, ev)
		}
	}
	progress := steps.NewProgress(ran)
	for _, ev := range events {
		progress.Add(ev)
	}
	fe.rows = normalised(addrs, rowLines(progress.Rows()))
	return fe
}

// The lines steps.EventLine prints, read back into events.
var (
	doneLine     = regexp.MustCompile(`^✓ (\S+) (\S+)(?: (\S+))? \([^)]*\)(?:: (.*))?$`)
	failedLine   = regexp.MustCompile(`^✗ failed (\S+): (.*)$`)
	startedLine  = regexp.MustCompile(`^… (\S+)(?:: (.*))?$`)
	waitingLine  = regexp.MustCompile(`^⏳ (\S+): rate limited, waiting \S+(?:: (.*))?$`)
	retryingLine = regexp.MustCompile(`^↻ (\S+): retry \d+(?:: (.*))?$`)
)

// parseEventLine reads one line of steps.EventLine back into its event
// (durations, waits and attempts aside).
func parseEventLine(line string) (steps.Event, bool) {
	if m := doneLine.FindStringSubmatch(line); m != nil {
		ev := steps.Event{Kind: steps.EventDone, Action: m[2], ID: m[3], Message: m[4]}
		for _, v := range []steps.Verb{steps.Create, steps.Reuse, steps.Update, steps.Delete} {
			if v.Past() == m[1] {
				ev.Verb = v
			}
		}
		return ev, true
	}
	if m := failedLine.FindStringSubmatch(line); m != nil {
		return steps.Event{Kind: steps.EventFailed, Action: m[1], Message: m[2]}, true
	}
	if m := waitingLine.FindStringSubmatch(line); m != nil {
		return steps.Event{Kind: steps.EventWaiting, Action: m[1], Message: m[2]}, true
	}
	if m := retryingLine.FindStringSubmatch(line); m != nil {
		return steps.Event{Kind: steps.EventRetrying, Action: m[1], Message: m[2]}, true
	}
	if m := startedLine.FindStringSubmatch(line); m != nil {
		return steps.Event{Kind: steps.EventStarted, Action: m[1], Message: m[2]}, true
	}
	return steps.Event{}, false
}

// enterReader answers each of accessible mode's line prompts with Enter,
// one line per Read as a terminal hands them out, then ends (so a prompt
// that keeps asking cannot loop for ever).
type enterReader struct{ left int }

func (r *enterReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	r.left--
	return copy(p, "\n"), nil
}

// tuiDriver runs the TUI's model as the program does, without a terminal:
// each command on its own goroutine, a batch's each on theirs, a
// sequence's in order, their messages handed to Update. press sends a key
// and then handles every message that key leads to, until no command is
// left running: the next key comes only when the model is idle, so no
// timer decides anything (the deadline only fails the test). Ticks,
// cursor blinks and terminal queries are dropped.
type tuiDriver struct {
	t       *testing.T
	m       ui.Model
	msgs    chan []tea.Msg
	running int // commands started whose messages have not come back
}

func newTUIDriver(t *testing.T, m ui.Model, w, h int) *tuiDriver {
	t.Helper()
	d := &tuiDriver{t: t, m: m, msgs: make(chan []tea.Msg, 64)}
	d.exec(d.m.Init())
	d.update(tea.WindowSizeMsg{Width: w, Height: h})
	d.settle()
	return d
}

func (d *tuiDriver) press(k tea.KeyPressMsg) {
	d.t.Helper()
	d.update(k)
	d.settle()
}

func (d *tuiDriver) update(msg tea.Msg) {
	nm, cmd := d.m.Update(msg)
	d.m = nm.(ui.Model)
	d.exec(cmd)
}

// exec starts a command; its messages come back on msgs, together.
func (d *tuiDriver) exec(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	d.running++
	go func() { d.msgs <- runCmdMsgs(cmd) }()
}

// runCmdMsgs runs a command and, for a sequence, its commands in order.
func runCmdMsgs(cmd tea.Cmd) []tea.Msg {
	msg := cmd()
	v := reflect.ValueOf(msg)
	if msg == nil || v.Kind() != reflect.Slice || v.Type().Elem() != reflect.TypeFor[tea.Cmd]() {
		return []tea.Msg{msg}
	}
	var out []tea.Msg
	for i := range v.Len() {
		if c, _ := v.Index(i).Interface().(tea.Cmd); c != nil {
			out = append(out, runCmdMsgs(c)...)
		}
	}
	return out
}

// settle handles messages until no command is running.
func (d *tuiDriver) settle() {
	d.t.Helper()
	deadline := time.After(2 * time.Minute)
	for d.running > 0 {
		select {
		case msgs := <-d.msgs:
			d.running--
			for _, msg := range msgs {
				d.handle(msg)
			}
		case <-deadline:
			d.t.Fatalf("the TUI is still busy after 2 minutes:\n%s", ansi.Strip(d.m.View().Content))
		}
	}
}

func (d *tuiDriver) handle(msg tea.Msg) {
	switch m := msg.(type) {
	case nil, tea.QuitMsg, spinner.TickMsg:
		return
	case tea.BatchMsg:
		for _, c := range m {
			d.exec(c)
		}
		return
	}
	if pkg := reflect.TypeOf(msg).PkgPath(); strings.HasPrefix(pkg, "charm.land/bubbletea") || strings.HasPrefix(pkg, "charm.land/bubbles/v2/cursor") {
		return // terminal queries, clipboard, cursor blinks
	}
	d.update(msg)
}
