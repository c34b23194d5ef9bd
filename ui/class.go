package ui

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// "Prepare a class": the first screen's last choice makes a training
// class's kits (steps.ApplyKits, as the `kits` command does) after the
// playbook's tenant and management screens: the kits screen shows what it
// will make, asks (the dialog overlay) before it changes the tenant, then
// shows the run (the bar, done/total, the request rate and the time left,
// one row a kit), and the class summary says where the handouts and the
// CSV went.

// classChoice is the first screen's "prepare a class".
const classChoice = "class"

// classSteps is a class's steps: the tenant, the management application,
// the kits (then the class summary).
const classSteps = 3

// Defaults of the class questions.
const (
	defaultKitsCount = "10"
	defaultKitsOut   = "auth0-wizard-kits"
)

// classAnswers are the class questions as typed, bound to the first
// screen's form (so held on the heap).
type classAnswers struct {
	playbook, count, prefix, out string
}

func newClassAnswers(playbooks []steps.Playbook) *classAnswers {
	return &classAnswers{playbook: string(playbooks[0].ID), count: defaultKitsCount, prefix: steps.DefaultKitsPrefix, out: defaultKitsOut}
}

// kitsPlan is what the class questions came to.
type kitsPlan struct {
	kits steps.Kits
	out  string // the handouts' folder
}

func (a *classAnswers) plan() kitsPlan {
	n, _ := strconv.Atoi(strings.TrimSpace(a.count))
	return kitsPlan{kits: steps.Kits{Count: n, Prefix: strings.TrimSpace(a.prefix)}, out: strings.TrimSpace(a.out)}
}

// classGroups are the class questions: of which playbook, then how many
// attendees, their names' prefix and the handouts' folder; shown only when
// the class is chosen. In line mode (accessible) an empty answer keeps
// the value in brackets, as every input there does.
func classGroups(playbooks []steps.Playbook, a *classAnswers, choice *string, accessible bool) []*huh.Group {
	hide := func() bool { return *choice != classChoice }
	count := steps.Input{Key: "count", Label: fmt.Sprintf("How many attendees? (one kit each, 1 to %d)", steps.MaxKits),
		Validate: func(v string) error {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				return fmt.Errorf("type a number of attendees, 1 to %d", steps.MaxKits)
			}
			return steps.Kits{Count: n}.Validate()
		}}
	prefix := steps.Input{Key: "prefix", Label: "The attendees' names: PREFIX-01, PREFIX-02, …",
		Validate: func(v string) error { return steps.Kits{Count: 1, Prefix: strings.TrimSpace(v)}.Validate() }}
	out := steps.Input{Key: "out", Label: "Folder for the handouts (.md and .html each, kits.csv)",
		Validate: func(v string) error {
			if strings.TrimSpace(v) == "" {
				return errors.New("name a folder for the handouts")
			}
			return nil
		}}
	opts := playbookOptions(playbooks)
	if accessible {
		opts = markDefault(opts, a.playbook)
	}
	return []*huh.Group{
		huh.NewGroup(playbookSelect("class_playbook", "Kits of which playbook?", opts, &a.playbook)).WithHideFunc(hide),
		// One question a group: the first screen keeps its height.
		huh.NewGroup(newInputField(count, &a.count, accessible)).WithHideFunc(hide),
		huh.NewGroup(newInputField(prefix, &a.prefix, accessible)).WithHideFunc(hide),
		huh.NewGroup(newInputField(out, &a.out, accessible)).WithHideFunc(hide),
	}
}

// newClassForm is the class questions in line mode, asked once the first
// question chose the class.
func newClassForm(playbooks []steps.Playbook, a *classAnswers, theme huh.Theme) *huh.Form {
	choice := classChoice
	return huh.NewForm(classGroups(playbooks, a, &choice, true)...).WithShowHelp(false).WithTheme(theme).WithAccessible(true)
}

// KitsOutcome is a class's kits made in the wizard ("prepare a class").
type KitsOutcome struct {
	Result steps.KitsResult
	// Dir is the handouts' folder, Files the handouts and kits.csv written
	// there, WriteErr why some were not.
	Dir      string
	Files    []string
	WriteErr error
	// Elapsed is the run's time, the handouts included; Requests the
	// Management API requests it sent (-1: not counted).
	Elapsed  time.Duration
	Requests int64
}

// kitsJournalPath is the class's journal: the one the options name, or
// the playbook's kits journal.
func kitsJournalPath(o Options, id steps.PlaybookID) string {
	if o.JournalPath != "" {
		return o.JournalPath
	}
	return steps.DefaultKitsJournalPath(id)
}

// Messages of the kits screen.
type (
	// confirmRequestedMsg: a screen asks the person to confirm (the
	// dialog overlay); yes comes back to it as confirmedMsg.
	confirmRequestedMsg struct{ Title, Text, Yes, No string }
	// confirmedMsg: the person said yes to the screen's question.
	confirmedMsg struct{}
	// kitsStartedMsg: ApplyKits runs (see startKits).
	kitsStartedMsg struct {
		run   provisionStartedMsg
		total int
		at    time.Time
		base  int64 // the requests sent before it (-1: not counted)
	}
	// kitsTickedMsg: the clock and the requests sent, for the rate and
	// the time left.
	kitsTickedMsg struct {
		at   time.Time
		sent int64
	}
)

// kitsTick is how often the rate and the time left are brought up to date.
const kitsTick = 500 * time.Millisecond

// startKits opens the class's journal (with its secrets: it keeps every
// attendee's) and runs ApplyKits in a goroutine, then writes the handouts;
// the events come on the run's channel, the outcome once it is closed.
func startKits(ctx context.Context, newClient newClientFunc, c steps.Client, p steps.Playbook, set steps.Settings, plan kitsPlan, journal string, total int,
	write func(string, steps.KitsResult) ([]string, error), requests func() int64) tea.Cmd {
	return func() tea.Msg {
		start, base := time.Now(), count(requests)
		cl, err := tenantClient(c, newClient, set)
		if err != nil {
			return provisionDoneMsg{Err: err}
		}
		j, err := steps.OpenJournal(journal, true)
		if err != nil {
			return provisionDoneMsg{Err: fmt.Errorf("open the kits journal %s: %w", journal, err)}
		}
		ctx, cancel := context.WithCancel(ctx)
		events := make(chan steps.Event, 64)
		done := make(chan provisionDoneMsg, 1)
		go func() {
			res, err := steps.NewEngine(cl).ApplyKits(ctx, p, set, plan.kits, j, events)
			close(events)
			out := &KitsOutcome{Result: res, Dir: plan.out}
			if len(res.Kits) > 0 {
				if write == nil {
					out.WriteErr = errors.New("this wizard was started without a way to write handouts")
				} else {
					out.Files, out.WriteErr = write(plan.out, res)
				}
			}
			out.Elapsed, out.Requests = time.Since(start), count(requests)
			if base >= 0 {
				out.Requests -= base
			}
			if out.WriteErr != nil {
				err = errors.Join(err, fmt.Errorf("write the handouts to %s: %w", plan.out, out.WriteErr))
			}
			done <- provisionDoneMsg{Err: err, Kits: out}
		}()
		return kitsStartedMsg{run: provisionStartedMsg{Events: events, Done: done, Cancel: cancel}, total: total, at: start, base: base}
	}
}

// count is the requests sent so far (-1 when not counted).
func count(requests func() int64) int64 {
	if requests == nil {
		return -1
	}
	return requests()
}

// tickKits reads the clock and the requests count (-1 when not counted).
func tickKits(requests func() int64) tea.Cmd {
	return tea.Tick(kitsTick, func(at time.Time) tea.Msg { return kitsTickedMsg{at: at, sent: count(requests)} })
}

// kitsScreen makes the class's kits: what it will make, then the run.
type kitsScreen struct {
	*common
	plan     kitsPlan
	set      steps.Settings
	journal  string
	total    int            // actions and test tokens the run finishes
	shared   int            // of which shared by every kit
	perKit   map[string]int // of which each kit's, by suffix
	starting bool           // yes was said; the run is starting (its Cmd runs): no key leaves
	start    time.Time      // the run's start (kitsStartedMsg)
	base     int64          // the requests sent before it
	now      time.Time      // the last tick's
	sent     int64          // the requests sent since (-1: not counted)
	// ask is the question the class needs answered first (a test user's
	// email, when the playbook makes users and none is given); invalid why
	// the kits cannot be made as they stand (steps.ValidateKits).
	ask     *huh.Form
	invalid error
	width   int
	height  int
}

func newKitsScreen(c *common, _ int) screen {
	sess := c.sess
	plan := *sess.kits
	set := sess.playbook.WithDefaults(sess.settings)
	set.UserPassword = "" // every attendee gets their own
	s := &kitsScreen{common: c, plan: plan, set: set, journal: kitsJournalPath(c.opts, sess.playbook.ID), sent: -1}
	s.shared, s.perKit = kitsShape(sess.playbook, set, plan.kits)
	s.total = steps.KitsTotal(sess.playbook, set, plan.kits)
	if in, need := sess.playbook.KitsEmailQuestion(set); need {
		s.ask = huh.NewForm(huh.NewGroup(newInputField(in, &s.set.UserEmail, false))).WithShowHelp(false).WithTheme(c.theme())
	} else {
		s.invalid = sess.playbook.ValidateKits(set, plan.kits)
	}
	return s
}

// kitsShape is a class's actions: how many are shared, and how many each
// kit has (by its suffix), its test token included.
func kitsShape(p steps.Playbook, set steps.Settings, k steps.Kits) (shared int, perKit map[string]int) {
	perKit = map[string]int{}
	for _, a := range steps.KitsPlaybook(p, k).ActionsFor(set) {
		if sfx, ok := steps.KitOf(a.ID); ok {
			perKit[sfx]++
		} else {
			shared++
		}
	}
	for n := 1; n <= k.Count; n++ {
		perKit[k.Suffix(n)]++ // its test token
	}
	return shared, perKit
}

func (s *kitsScreen) Init() tea.Cmd {
	if s.ask != nil {
		return s.ask.Init()
	}
	return nil
}

func (s *kitsScreen) SetSize(w, h int) {
	s.width, s.height = w, h
	if s.ask != nil {
		sizeForm(s.ask, w, h)
	}
}

// answer passes msg to the class's question; once it is answered, the
// email is the session's (kept when the person comes back) and the kits
// are checked as they now stand.
func (s *kitsScreen) answer(msg tea.Msg) (screen, tea.Cmd) {
	if kp, ok := msg.(tea.KeyPressMsg); ok && key.Matches(kp, s.keys.Back) {
		return s, wentBack
	}
	if done, cmd := updateForm(&s.ask, msg); !done {
		return s, cmd
	}
	s.ask = nil
	s.sess.settings.UserEmail = s.set.UserEmail
	s.invalid = s.sess.playbook.ValidateKits(s.set, s.plan.kits)
	return s, nil
}

func (s *kitsScreen) Frame() frame {
	return frame{
		Count: fmt.Sprintf("class · step %d of %d", classSteps, classSteps), Title: "Prepare a class", Busy: s.sess.run.running || s.starting && s.sess.run.err == nil, Fills: true,
		Explain: kitsExplain(s.sess.playbook), Typing: s.ask != nil,
	}
}

// kitsQuestion is the question before a class changes the tenant (the
// kits screen's dialog, line mode's y/N) and what it says under it.
func kitsQuestion(p steps.Playbook, set steps.Settings, k steps.Kits, journal string) (title, text string) {
	return fmt.Sprintf("Make %d %s kits on %s?", k.Count, p.ID, steps.Printable(set.Domain)),
		"This changes the tenant. The journal " + journal + " records every kit (and keeps their secrets, 0600): running it again resumes the class, and teardown with it removes every kit."
}

// kitsExplain is what the kits screen (and line mode) says a class is.
func kitsExplain(p steps.Playbook) string {
	return "One kit per attendee on this tenant, in one journal: the pieces every attendee shares once, and for each an application with its grant" +
		kitUser(p) + ", each kit's test token verified, paced to the tenant's rate limit. Then a handout per attendee and kits.csv for the trainer."
}

// kitUser is what a kit holds besides its application, when the
// playbook makes a test user (azure's does).
func kitUser(p steps.Playbook) string {
	if slices.ContainsFunc(p.Actions, func(a steps.ActionSpec) bool { return a.Kind == steps.KindUser }) {
		return " and a test user with a strong password of its own"
	}
	return ""
}

func (s *kitsScreen) Update(msg tea.Msg) (screen, tea.Cmd) {
	run := &s.sess.run
	if s.ask != nil {
		return s.answer(msg)
	}
	switch msg := msg.(type) {
	case confirmedMsg:
		if run.running || run.started || s.starting {
			return s, nil
		}
		s.starting = true
		return s, startKits(s.opts.Context, s.opts.NewClient, s.sess.client, s.sess.playbook, s.set, s.plan, s.journal, s.total, s.opts.WriteHandouts, s.opts.Requests)
	case kitsStartedMsg:
		s.starting = false
		s.start, s.now, s.base = msg.at, msg.at, msg.base
		if msg.base >= 0 {
			s.sent = 0 // counted, none yet
		}
		return s, tea.Batch(report(msg.run), tickKits(s.opts.Requests))
	case kitsTickedMsg:
		s.now, s.sent = msg.at, msg.sent
		if s.sent >= 0 && s.base >= 0 {
			s.sent -= s.base
		}
		if run.running {
			return s, tickKits(s.opts.Requests)
		}
		return s, nil
	case tea.KeyPressMsg:
		switch {
		case s.starting && run.err == nil: // (a start that failed is done with)
			return s, nil
		case run.running:
			if key.Matches(msg, s.keys.Back) {
				return s, report(stopRequestedMsg{})
			}
		case !run.started && run.err == nil:
			switch {
			case key.Matches(msg, s.keys.Next) && s.invalid == nil:
				title, text := kitsQuestion(s.sess.playbook, s.set, s.plan.kits, s.journal)
				return s, report(confirmRequestedMsg{Title: title, Text: text, Yes: "make them", No: "not now"})
			case key.Matches(msg, s.keys.Back):
				return s, wentBack
			}
		case s.sess.kitsDone != nil && key.Matches(msg, s.keys.Next):
			return s, report(summaryRequestedMsg{})
		case key.Matches(msg, s.keys.Back):
			return s, wentBack
		}
	}
	return s, nil
}

func (s *kitsScreen) View() string {
	st := s.styles
	run := s.sess.run
	k := s.plan.kits
	var b strings.Builder
	if !run.started && run.err == nil {
		fmt.Fprintf(&b, "%s %d kits of the %s playbook on %s\n\n", st.value.Render("▸"), k.Count, s.sess.playbook.Title, steps.Printable(s.set.Domain))
		fmt.Fprintf(&b, "  attendees   %s … %s\n", k.Label(1), k.Label(k.Count))
		fmt.Fprintf(&b, "  actions     %d shared, %d a kit (its test token included), %d in all\n", s.shared, s.perKit[k.Suffix(1)], s.total)
		b.WriteString("  journal     " + s.journal + "\n")
		b.WriteString("  handouts    " + s.plan.out + "\n\n")
		switch {
		case s.ask != nil:
			b.WriteString(s.ask.View())
		case s.invalid != nil:
			b.WriteString(st.fail.Render(wrap("✗ these kits cannot be made: "+steps.Printable(s.invalid.Error()), s.width)) + "\n" +
				st.muted.Render(wrap("esc: back to change the class; the other values come from the flags, the environment or --config FILE", s.width)))
		default:
			b.WriteString(st.muted.Render("Nothing changes before you say yes. enter: make the kits"))
		}
		return b.String()
	}
	rows := s.rowsByKit()
	finished, failed := 0, 0
	for _, g := range rows {
		finished += g.done + g.failed
		failed += g.failed
	}
	elapsed := time.Duration(0)
	if !s.start.IsZero() {
		elapsed = s.now.Sub(s.start)
	}
	sent := s.sent
	if d := s.sess.kitsDone; d != nil {
		elapsed, sent = d.Elapsed, d.Requests
	}
	barW := min(max(s.width-2, 10), 40)
	b.WriteString(s.bar(finished, barW) + "  " + steps.KitsStatus(finished, failed, s.total, elapsed, sent) + "\n\n")
	// One row for the shared pieces and one a kit, as many as fit.
	room := max(s.height-6, 3)
	lines := []string{s.kitRow("shared", rows[""], s.shared)}
	for n := 1; n <= k.Count; n++ {
		sfx := k.Suffix(n)
		lines = append(lines, s.kitRow(k.Label(n), rows[sfx], s.perKit[sfx]))
	}
	if len(lines) > room {
		// The rows at work first: the ones done or waiting are counted.
		lines = s.busiest(lines, rows, room)
	}
	b.WriteString(strings.Join(lines, "\n") + "\n\n")
	switch {
	case run.cancelling && run.running:
		b.WriteString(st.warn.Render(s.spinner + " stopping after the actions in progress; the journal stays consistent …"))
	case run.running:
		b.WriteString(st.muted.Render("Working. esc or ctrl+c asks before stopping."))
	case run.err != nil && errors.Is(run.err, context.Canceled):
		b.WriteString(st.warn.Render("■ stopped at your request") + st.muted.Render(wrap(" · the same class again (same journal) resumes it", s.width)))
	case run.err != nil:
		b.WriteString(st.fail.Render(wrap("✗ "+firstLine(run.err.Error()), s.width)))
		if s.sess.kitsDone != nil {
			b.WriteString("\n" + st.muted.Render("press enter for the summary (which kits, where the handouts went)"))
		}
	default:
		b.WriteString(st.ok.Render("✓ every kit complete") + st.muted.Render(" · press enter for the summary"))
	}
	return b.String()
}

// kitRows is one kit's actions as the run's rows say.
type kitRows struct{ done, failed, working, waiting int }

func (s *kitsScreen) rowsByKit() map[string]kitRows {
	out := map[string]kitRows{}
	if s.sess.run.progress == nil {
		return out
	}
	for _, r := range s.sess.run.progress.Rows() {
		sfx, _ := steps.KitOf(r.Action)
		g := out[sfx]
		switch r.State {
		case steps.RowDone:
			g.done++
		case steps.RowFailed:
			g.failed++
		case steps.RowRunning, steps.RowRetrying:
			g.working++
		case steps.RowWaiting:
			g.waiting++
		}
		out[sfx] = g
	}
	return out
}

// kitRow is one kit's line: a glyph and a word, and how far it is.
func (s *kitsScreen) kitRow(label string, g kitRows, of int) string {
	st := s.styles
	var status string
	switch {
	case g.failed > 0:
		status = st.fail.Render("✗ failed")
	case g.done >= of:
		status = st.ok.Render("✓ done")
	case g.waiting > 0:
		status = s.spinner + st.warn.Render(" rate limited")
	case g.working > 0 || g.done > 0:
		status = s.spinner + " working"
	default:
		status = st.muted.Render("· waiting")
	}
	status += strings.Repeat(" ", max(16-lipWidth(status), 0))
	return fmt.Sprintf("  %-*s  %s %s", max(len(s.plan.kits.Label(s.plan.kits.Count)), len("shared")), label, status, st.muted.Render(fmt.Sprintf("%d/%d", g.done, of)))
}

// busiest keeps room lines: the shared row, the kits at work or failed,
// then the others in order, and a line counting what is left out.
func (s *kitsScreen) busiest(lines []string, rows map[string]kitRows, room int) []string {
	k := s.plan.kits
	keep := []string{lines[0]}
	var rest []string
	for n := 1; n <= k.Count; n++ {
		g, line := rows[k.Suffix(n)], lines[n]
		if (g.working > 0 || g.waiting > 0 || g.failed > 0) && len(keep) < room-1 {
			keep = append(keep, line)
			continue
		}
		rest = append(rest, line)
	}
	var done, waiting int
	for n := 1; n <= k.Count; n++ {
		g := rows[k.Suffix(n)]
		switch {
		case g.done >= s.perKit[k.Suffix(n)]:
			done++
		case g.working == 0 && g.waiting == 0 && g.failed == 0:
			waiting++
		}
	}
	for _, line := range rest {
		if len(keep) >= room-1 {
			break
		}
		keep = append(keep, line)
	}
	return append(keep, s.styles.muted.Render(fmt.Sprintf("  … %d more kits not shown (%d done, %d waiting in all)", k.Count+1-len(keep), done, waiting)))
}

// bar is the overall progress bar: filled for the finished share.
func (s *kitsScreen) bar(finished, width int) string {
	filled := 0
	if s.total > 0 {
		filled = min(width, finished*width/s.total)
	}
	return s.styles.barFull.Render(strings.Repeat("█", filled)) + s.styles.barEmpty.Render(strings.Repeat("░", width-filled))
}

func (s *kitsScreen) Keys() help.KeyMap {
	k := s.keys
	run := s.sess.run
	switch {
	case run.running:
		stop := k.Cancel
		stop.SetHelp("esc", "stop")
		return k.helpFor(stop)
	case s.ask != nil:
		return k.helpFor(k.Next, k.Back)
	case !run.started && run.err == nil && s.invalid != nil:
		return k.helpFor(k.Back)
	case !run.started && run.err == nil:
		make := k.Next
		make.SetHelp("enter", "make the kits")
		return k.helpFor(make, k.Back)
	case s.sess.kitsDone != nil:
		sum := k.Next
		sum.SetHelp("enter", "summary")
		return k.helpFor(sum, k.Back)
	}
	return k.helpFor(k.Back)
}

// firstLine is the first line of a message of many (ApplyKits lists every
// kit that is not complete: the summary shows them).
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// kitsSummaryScreen is the class's end: how many kits are complete, where
// the handouts and the CSV went, and what to run next.
type kitsSummaryScreen struct {
	*common
	width int
}

func newKitsSummaryScreen(c *common, _ int) screen { return &kitsSummaryScreen{common: c} }

func (s *kitsSummaryScreen) Init() tea.Cmd { return nil }

func (s *kitsSummaryScreen) SetSize(w, _ int) { s.width = w }

func (s *kitsSummaryScreen) Frame() frame {
	return frame{Title: "Class summary", Fills: true}
}

func (s *kitsSummaryScreen) Update(msg tea.Msg) (screen, tea.Cmd) {
	if kp, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(kp, s.keys.QuitDone):
			return s, report(quitRequestedMsg{})
		case key.Matches(kp, s.keys.Back):
			return s, wentBack
		}
	}
	return s, nil
}

func (s *kitsSummaryScreen) View() string {
	st := s.styles
	d := s.sess.kitsDone
	if d == nil {
		return st.muted.Render("no kits were made")
	}
	res := d.Result
	var b strings.Builder
	verdict := st.ok.Render(fmt.Sprintf("✓ %d of %d kits complete", res.Complete(), len(res.Kits)))
	if res.Complete() < len(res.Kits) {
		verdict = st.warn.Render(fmt.Sprintf("! %d of %d kits complete", res.Complete(), len(res.Kits)))
	}
	b.WriteString(verdict + st.muted.Render(fmt.Sprintf(" · %s on %s in %s", res.Playbook, steps.Printable(res.Domain), d.Elapsed.Round(100*time.Millisecond))) + "\n\n")
	handouts := 0
	csv := ""
	for _, f := range d.Files {
		if filepath.Base(f) == "kits.csv" {
			csv = f
		} else {
			handouts++
		}
	}
	b.WriteString("  handouts   " + d.Dir + "\n")
	b.WriteString(st.muted.Render(fmt.Sprintf("             %d files: one .md and one .html per attendee", handouts)) + "\n")
	if csv != "" {
		b.WriteString("  CSV        " + csv + "\n")
	}
	b.WriteString("  journal    " + res.JournalPath + "\n")
	if d.WriteErr != nil {
		b.WriteString("\n" + st.fail.Render(wrap("✗ the handouts were not all written: "+d.WriteErr.Error(), s.width)) + "\n")
	}
	var broken []string
	for _, k := range res.Kits {
		if !k.Complete() {
			broken = append(broken, k.Label)
		}
	}
	if len(broken) > 0 {
		b.WriteString("\n" + st.warn.Render(wrap("not complete: "+strings.Join(broken, ", "), s.width)) + "\n" +
			st.muted.Render(wrap("Their handouts say so; the same class again (same journal) finishes them.", s.width)) + "\n")
	}
	if s.sess.sandbox {
		b.WriteString("\n" + st.muted.Render(wrap("The sandbox tenant and its journal go when the wizard quits: these kits (and their handouts) are for this session.", s.width)))
		return b.String()
	}
	j := steps.ShellQuote(res.JournalPath)
	b.WriteString("\n" + st.muted.Render("check every kit:") + "\n" + indent(wrap("auth0-wizard doctor --kits --journal "+j, s.width-2), "  ") + "\n")
	b.WriteString(st.muted.Render("remove them all:") + "\n" + indent(wrap("auth0-wizard teardown --journal "+j, s.width-2), "  ") + "\n")
	return b.String()
}

func (s *kitsSummaryScreen) Keys() help.KeyMap { return s.keys.helpFor(s.keys.Back, s.keys.QuitDone) }
