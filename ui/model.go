// Package ui is the interactive wizard: a Bubble Tea v2 state machine over
// the chosen playbook's steps, one screen per kind of step. It drives the
// steps engine and never speaks to Auth0 itself: a steps.Client comes in
// through Options.NewClient.
package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// Options configure the wizard. cmd/ fills them from flags, env and the
// config file.
type Options struct {
	// Context is the parent of every call to the tenant; cancelling it stops
	// a run (the program gets the same one through tea.WithContext).
	Context context.Context
	// Settings prefill the screens.
	Settings steps.Settings
	// Playbook skips the playbook choice when set.
	Playbook steps.PlaybookID
	// NewClient builds a tenant client for the given settings (auth0client
	// in the binary). It must do no I/O.
	NewClient func(steps.Settings) (steps.Client, error)
	// JournalPath is the journal; "" means steps.DefaultJournalPath.
	JournalPath string
	// Reveal shows secrets and keeps them in the journal and exports.
	Reveal bool
	// Sandbox shows a "sandbox" badge (and a run on it cannot be resumed).
	Sandbox bool
	// CAFile is the --ca-file the tenant needs, for the resume command.
	CAFile string
	// WriteFile writes an export (steps.WriteFileAtomic when nil).
	WriteFile func(path string, data []byte, perm os.FileMode) error
	// ExportDir is where exports are written ("" means the current directory).
	ExportDir string
}

// stage is where the wizard is.
type stage int

const (
	stagePlaybook stage = iota // choose wso2, azure or a check
	stageStep                  // one of the playbook's input steps (Model.step)
	stageReview                // the plan: create / reuse / update
	stageProgress              // Apply runs
	stageSummary               // endpoints, keys, token, exports
	stageDoctor                // the checks of an existing setup
)

func (s stage) String() string {
	switch s {
	case stagePlaybook:
		return "playbook"
	case stageStep:
		return "step"
	case stageReview:
		return "review"
	case stageProgress:
		return "progress"
	case stageSummary:
		return "summary"
	case stageDoctor:
		return "doctor"
	}
	return fmt.Sprintf("stage(%d)", int(s))
}

// session is what the screens collect, held on the heap so huh fields can
// bind into it while Bubble Tea copies the Model.
type session struct {
	settings  steps.Settings
	playbook  steps.Playbook
	endpoints steps.Endpoints
	client    steps.Client // built on the management screen, used by the engine
	granted   []string
	plan      steps.Plan
	journal   *steps.Journal
	result    steps.Result
	applied   bool
	doctor    bool // checking an existing setup: tenant, management, checks
	checks    []steps.CheckResult
	exports   []string // files written from the summary
	sandbox   bool     // the in-process sandbox: gone at exit
	caFile    string   // --ca-file, for the resume command
}

// resumeHint is the command that picks a stopped run up again, from its
// journal ("" before a journal exists).
func (s *session) resumeHint() string {
	if s.journal == nil {
		return ""
	}
	return s.journal.ResumeHint(s.sandbox, s.caFile)
}

// Minimum usable terminal.
const (
	minWidth  = 60
	minHeight = 16
)

// Model is the wizard: the only tea.Model of the package.
type Model struct {
	opts    Options
	sess    *session
	stage   stage
	step    int // index in sess.playbook.Steps when stage == stageStep
	visit   int // goTo's count: facts from an earlier screen are dropped
	width   int
	height  int
	styles  styles
	keys    keyMap
	help    help.Model
	spinner spinner.Model

	fullHelp    bool
	showExplain bool // the whole explanation replaces the screen (ctrl+o)
	confirmQuit bool // "quit while work runs?" is showing
	confirmStop bool // "stop the run?" (esc during the run) is showing
	stopping    bool // the run was cancelled; waiting for the engine to stop
	aborted     bool // the person quit before the end
	quitting    bool

	choose   playbookScreen
	tenant   tenantScreen
	mgmt     managementScreen
	keyMgr   keyManagerScreen
	inputs   inputsScreen
	review   reviewScreen
	progress progressScreen
	summary  summaryScreen
	doctor   doctorScreen

	cancelRun context.CancelFunc // the running Apply's, nil otherwise
}

// New returns the wizard at its first screen.
func New(opts Options) Model {
	if opts.Context == nil {
		opts.Context = context.Background()
	}
	if opts.WriteFile == nil {
		opts.WriteFile = steps.WriteFileAtomic
	}
	m := Model{
		opts:    opts,
		sess:    &session{settings: opts.Settings, sandbox: opts.Sandbox, caFile: opts.CAFile},
		styles:  newStyles(true),
		keys:    newKeyMap(),
		help:    help.New(),
		spinner: spinner.New(spinner.WithSpinner(spinner.MiniDot)),
	}
	m.applyStyles()
	id := opts.Playbook
	if id == "" {
		id = opts.Settings.Playbook
	}
	if id != "" {
		if p, err := steps.PlaybookByID(id); err == nil {
			m.sess.playbook = p
			m.sess.settings.Playbook = p.ID
			m.opts.Playbook = p.ID
			m, _ = m.goTo(stageStep, 0)
			return m
		}
	}
	m, _ = m.goTo(stagePlaybook, 0)
	return m
}

// Init asks for the background colour and starts the first screen.
func (m Model) Init() tea.Cmd {
	return tea.Batch(tea.RequestBackgroundColor, m.screenInit())
}

func (m *Model) applyStyles() {
	m.help.Styles.ShortKey = m.styles.helpKey
	m.help.Styles.ShortDesc = m.styles.helpDesc
	m.help.Styles.ShortSeparator = m.styles.helpSep
	m.help.Styles.FullKey = m.styles.helpKey
	m.help.Styles.FullDesc = m.styles.helpDesc
	m.help.Styles.FullSeparator = m.styles.helpSep
	m.help.Styles.Ellipsis = m.styles.helpSep
	m.spinner.Style = m.styles.spinner
}

// currentStep is the playbook step on screen (zero Step outside stageStep).
func (m Model) currentStep() steps.Step {
	if m.stage == stageStep && m.step < len(m.sess.playbook.Steps) {
		return m.sess.playbook.Steps[m.step]
	}
	return steps.Step{}
}

// summaryStep is the playbook's summary step, if it has one.
func (m Model) summaryStep() (steps.Step, int) {
	for i, s := range m.sess.playbook.Steps {
		if s.Kind == steps.StepSummary {
			return s, i
		}
	}
	return steps.Step{Kind: steps.StepSummary, Title: "Summary"}, len(m.sess.playbook.Steps)
}

// lastInputStep is the index of the last step before the summary.
func (m Model) lastInputStep() int {
	_, i := m.summaryStep()
	return i - 1
}

// busy says whether something runs in the background (the spinner turns).
func (m Model) busy() bool {
	switch m.stage {
	case stageStep:
		return m.tenant.checking || m.mgmt.checking
	case stageReview:
		return m.review.planning
	case stageProgress:
		return m.progress.running
	case stageDoctor:
		return m.doctor.running
	}
	return false
}

// Update is the state machine. Order: global messages, background results
// whatever the stage, then the active screen.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.resize()
		return m, nil
	case tea.BackgroundColorMsg:
		m.styles = newStyles(msg.IsDark())
		m.applyStyles()
		m.restyle()
		return m, nil
	case spinner.TickMsg:
		if !m.busy() {
			return m, nil
		}
		var cmd tea.Cmd
		m.spinner, cmd = m.spinner.Update(msg)
		return m, cmd
	case tea.KeyPressMsg:
		if m.confirmQuit || m.confirmStop {
			return m.updateConfirmQuit(msg)
		}
		if m.showExplain {
			if key.Matches(msg, m.keys.More) || key.Matches(msg, m.keys.Cancel) || key.Matches(msg, m.keys.Next) {
				m.showExplain = false
			} else if key.Matches(msg, m.keys.Quit) {
				return m.requestQuit()
			}
			return m, nil
		}
		switch {
		case key.Matches(msg, m.keys.More) && m.explainTruncated():
			m.showExplain = true
			return m, nil
		case key.Matches(msg, m.keys.Quit):
			return m.requestQuit()
		case key.Matches(msg, m.keys.Help) && !m.textFocused():
			m.fullHelp = !m.fullHelp
			m.resize()
			return m, nil
		}

	case fromScreenMsg:
		if msg.visit != m.visit {
			return m, nil // from a screen already left
		}
		return m.Update(msg.msg)

	// Background results land whatever the stage.
	case provisionStartedMsg:
		m.cancelRun = msg.Cancel
		m.progress.start(msg)
		return m, tea.Batch(waitForEvent(msg.Events, msg.Done), m.spinner.Tick)
	case provisionEventMsg:
		m.progress.record(msg.Event)
		return m, waitForEvent(m.progress.events, m.progress.done)
	case provisionDoneMsg:
		return m.provisionDone(msg)

	// Facts from screens.
	case playbookChosenMsg:
		p, err := steps.PlaybookByID(msg.ID)
		if err != nil {
			return m, nil // the choices come from steps.Playbooks()
		}
		if m.sess.playbook.ID != p.ID {
			m.sess.playbook = p
		}
		m.sess.doctor = msg.Doctor
		m.sess.settings.Playbook = p.ID
		return m.goTo(stageStep, 0)
	case stepDoneMsg:
		return m.next()
	case wentBackMsg:
		return m.back()
	case applyConfirmedMsg:
		return m.goTo(stageProgress, 0)
	case summaryRequestedMsg:
		return m.goTo(stageSummary, 0)
	case quitRequestedMsg:
		return m.requestQuit()
	case stopRequestedMsg:
		if m.stage == stageProgress && m.progress.running {
			m.confirmStop = true
		}
		return m, nil
	case doctorRequestedMsg:
		return m.goTo(stageDoctor, 0)
	case doctorDoneMsg:
		m.sess.checks = msg.Results
	case exportWrittenMsg:
		// Recorded whatever the screen (the summary says so), once a file.
		if msg.Err == nil && !slices.Contains(m.sess.exports, msg.Path) {
			m.sess.exports = append(m.sess.exports, msg.Path)
		}
	}
	return m.updateScreen(msg)
}

// textFocused says whether a text input has the keyboard, so printable keys
// must reach it.
func (m Model) textFocused() bool {
	switch m.stage {
	case stageStep:
		switch m.currentStep().Kind {
		case steps.StepTenant:
			return m.tenant.editing()
		case steps.StepManagement:
			return m.mgmt.editing()
		case steps.StepKeyManager:
			return m.keyMgr.editing()
		default:
			return m.inputs.form != nil
		}
	}
	return false
}

// updateScreen forwards a message to the active screen only.
func (m Model) updateScreen(msg tea.Msg) (tea.Model, tea.Cmd) {
	hadError := m.screenHasError()
	var cmd tea.Cmd
	switch m.stage {
	case stagePlaybook:
		m.choose, cmd = m.choose.Update(msg)
	case stageStep:
		switch m.currentStep().Kind {
		case steps.StepTenant:
			m.tenant, cmd = m.tenant.Update(msg)
		case steps.StepManagement:
			m.mgmt, cmd = m.mgmt.Update(msg)
		case steps.StepKeyManager:
			m.keyMgr, cmd = m.keyMgr.Update(msg)
		default:
			m.inputs, cmd = m.inputs.Update(msg)
		}
	case stageReview:
		m.review, cmd = m.review.Update(msg)
	case stageProgress:
		m.progress, cmd = m.progress.Update(msg)
	case stageSummary:
		m.summary, cmd = m.summary.Update(msg)
	case stageDoctor:
		m.doctor, cmd = m.doctor.Update(msg)
	}
	if m.screenHasError() != hadError {
		m.resize() // an error came or went: the explanation yields or takes back room
	}
	cmd = tagVisit(cmd, m.visit)
	if m.busy() {
		cmd = tea.Batch(cmd, m.spinner.Tick)
	}
	return m, cmd
}

// screenHasError says whether the active step shows an error: a value its
// validator refused or why its check failed.
func (m Model) screenHasError() bool {
	if m.stage != stageStep {
		return false
	}
	switch m.currentStep().Kind {
	case steps.StepTenant:
		return m.tenant.hasError()
	case steps.StepManagement:
		return m.mgmt.hasError()
	case steps.StepKeyManager:
		return !m.keyMgr.showing && m.keyMgr.hasError()
	default:
		return m.inputs.hasError()
	}
}

// next moves past the current step.
func (m Model) next() (tea.Model, tea.Cmd) {
	switch m.stage {
	case stagePlaybook:
		return m.goTo(stageStep, 0)
	case stageStep:
		if m.sess.doctor && m.currentStep().Kind == steps.StepManagement {
			return m.goTo(stageDoctor, 0)
		}
		if m.step >= m.lastInputStep() {
			return m.goTo(stageReview, 0)
		}
		return m.goTo(stageStep, m.step+1)
	}
	return m, nil
}

// back returns to the screen before, values intact.
func (m Model) back() (tea.Model, tea.Cmd) {
	switch m.stage {
	case stageStep:
		if m.step > 0 {
			return m.goTo(stageStep, m.step-1)
		}
		if m.opts.Playbook == "" {
			return m.goTo(stagePlaybook, 0)
		}
	case stageReview:
		return m.goTo(stageStep, m.lastInputStep())
	case stageProgress:
		if !m.progress.running {
			return m.goTo(stageReview, 0)
		}
	case stageDoctor:
		if m.sess.applied {
			return m.goTo(stageSummary, 0)
		}
		for i, s := range m.sess.playbook.Steps {
			if s.Kind == steps.StepManagement {
				return m.goTo(stageStep, i)
			}
		}
	}
	return m, nil
}

// goTo is the one place that sets the stage. It builds the next screen from
// the session (so values typed earlier are still there), sizes it and
// returns its first command.
func (m Model) goTo(st stage, step int) (Model, tea.Cmd) {
	m.stage, m.step = st, step
	m.visit++
	m.fullHelp, m.showExplain = false, false
	s := &m.sess.settings
	switch st {
	case stagePlaybook:
		m.choose = newPlaybookScreen(m.sess, m.styles, m.keys)
	case stageStep:
		cur := m.currentStep()
		applyDefaults(s, cur)
		switch cur.Kind {
		case steps.StepTenant:
			m.tenant = newTenantScreen(m.sess, cur, m.styles, m.keys, m.opts)
		case steps.StepManagement:
			m.mgmt = newManagementScreen(m.sess, cur, m.styles, m.keys, m.opts)
		case steps.StepKeyManager:
			m.keyMgr = newKeyManagerScreen(m.sess, cur, m.styles, m.keys, m.opts.Reveal)
		default:
			m.inputs = newInputsScreen(m.sess, cur, m.styles, m.keys)
		}
	case stageReview:
		for _, stp := range m.sess.playbook.Steps {
			applyDefaults(s, stp)
		}
		m.review = newReviewScreen(m.sess, m.styles, m.keys, m.opts)
	case stageProgress:
		m.progress = newProgressScreen(m.sess, m.styles, m.keys)
	case stageSummary:
		m.summary = newSummaryScreen(m.sess, m.styles, m.keys, m.opts)
	case stageDoctor:
		m.doctor = newDoctorScreen(m.sess, m.styles, m.keys, m.opts)
	}
	m.resize()
	return m, tea.Batch(m.screenInit(), m.spinnerIfBusy())
}

func (m Model) spinnerIfBusy() tea.Cmd {
	if m.busy() {
		return m.spinner.Tick
	}
	return nil
}

// screenInit is the active screen's first command, its facts and results
// tagged with the visit.
func (m Model) screenInit() tea.Cmd {
	return tagVisit(m.screenInitUntagged(), m.visit)
}

func (m Model) screenInitUntagged() tea.Cmd {
	switch m.stage {
	case stagePlaybook:
		return m.choose.Init()
	case stageStep:
		switch m.currentStep().Kind {
		case steps.StepTenant:
			return m.tenant.Init()
		case steps.StepManagement:
			return m.mgmt.Init()
		case steps.StepKeyManager:
			return m.keyMgr.Init()
		default:
			return m.inputs.Init()
		}
	case stageReview:
		return m.review.Init()
	case stageProgress:
		return m.progress.Init(m.opts)
	case stageSummary:
		return m.summary.Init()
	case stageDoctor:
		return m.doctor.Init()
	}
	return nil
}

// requestQuit handles ctrl+c: at once, unless work that changes the tenant
// is running, in which case it asks first.
func (m Model) requestQuit() (tea.Model, tea.Cmd) {
	if m.stage == stageProgress && m.progress.running {
		m.confirmQuit = true
		return m, nil
	}
	m.quitting = true
	// A completed run is done wherever the person quits (the progress
	// screen, the summary, the checks): exit 0 with the done text.
	done := m.sess.applied || (m.stage == stageDoctor && !m.doctor.running && len(m.sess.checks) > 0)
	m.aborted = !done
	return m, tea.Quit
}

func (m Model) updateConfirmQuit(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch {
	case key.Matches(msg, m.keys.Yes) && m.confirmStop:
		m.confirmStop = false
		if m.progress.running && m.cancelRun != nil {
			m.progress.cancelling = true
			m.cancelRun()
		}
		return m, nil
	case key.Matches(msg, m.keys.Yes), key.Matches(msg, m.keys.Quit):
		m.confirmQuit, m.confirmStop = false, false
		if !m.progress.running {
			m.quitting, m.aborted = true, !m.sess.applied
			return m, tea.Quit
		}
		m.stopping, m.aborted = true, true
		if m.cancelRun != nil {
			m.cancelRun()
		}
		return m, nil
	case key.Matches(msg, m.keys.No):
		m.confirmQuit, m.confirmStop = false, false
	}
	return m, nil
}

// provisionDone records the end of a run. A cancelled run quits once the
// engine has stopped, so the journal is consistent. A question about
// stopping that is still up is moot once the run ended: it goes away and the
// wizard goes on as if it had not been asked.
func (m Model) provisionDone(msg provisionDoneMsg) (tea.Model, tea.Cmd) {
	m.progress.finish(msg)
	m.confirmQuit, m.confirmStop = false, false
	if m.cancelRun != nil {
		m.cancelRun()
		m.cancelRun = nil
	}
	if msg.Err == nil {
		m.sess.result = msg.Result
		m.sess.applied = true
	}
	if m.stopping {
		// y came before the end, yet the run completed: done, not aborted.
		m.quitting, m.aborted = true, !m.sess.applied
		return m, tea.Quit
	}
	return m, nil
}

// resize pushes the window size down to the active screens.
func (m *Model) resize() {
	if m.width == 0 {
		return // sized on the first WindowSizeMsg (a form shrunk now stays small)
	}
	w, h := m.bodySize()
	m.help.SetWidth(max(w, 0))
	m.choose.SetSize(w, h)
	m.tenant.SetSize(w, h)
	m.mgmt.SetSize(w, h)
	m.keyMgr.SetSize(w, h)
	m.inputs.SetSize(w, h)
	m.review.SetSize(w, h)
	m.progress.SetSize(w, h)
	m.summary.SetSize(w, h)
	m.doctor.SetSize(w, h)
}

// restyle hands new styles to the screens.
func (m *Model) restyle() {
	m.choose.setStyles(m.styles)
	m.tenant.setStyles(m.styles)
	m.mgmt.setStyles(m.styles)
	m.keyMgr.setStyles(m.styles)
	m.inputs.setStyles(m.styles)
	m.review.styles = m.styles
	m.progress.setStyles(m.styles)
	m.summary.setStyles(m.styles)
	m.doctor.setStyles(m.styles)
}

// Frame layout: header (2 lines), explanation, body, help (2 lines).
const (
	headerLines = 3
	footerLines = 2
	padX        = 2
)

// bodySize is the most room the active screen can get: the window less
// the header, the key hints and the fewest lines of explanation (and the
// line under it). The explanation takes whatever the screen leaves unused.
func (m Model) bodySize() (int, int) {
	w := m.contentWidth()
	h := m.height - headerLines - footerLines
	if m.explainText() != "" {
		h -= m.explainFloor() + 1
	}
	if m.fullHelp {
		h -= lipHeight(m.helpView()) - 1
	}
	return max(w, 1), max(h, 3)
}

// explainFloor is the fewest lines of explanation shown: three, or one
// while a step shows an error, which then gets the room (ctrl+o still shows
// the whole explanation).
func (m Model) explainFloor() int {
	if !m.heightDependent() && m.screenHasError() {
		return 1
	}
	return 3
}

// explainLines is the explanation, reflowed to the width and cut to the
// room the screen's own content leaves (at least explainFloor lines).
func (m Model) explainLines() []string {
	text := reflow(m.explainText())
	if text == "" || m.width == 0 {
		return nil
	}
	w := m.contentWidth()
	lines := strings.Split(wrap(text, w), "\n")
	limit := m.explainFloor()
	if !m.heightDependent() {
		avail := m.height - headerLines - footerLines - 1
		if m.fullHelp {
			avail -= lipHeight(m.helpView()) - 1
		}
		limit = max(limit, avail-lipHeight(m.screenView()))
	}
	if len(lines) > limit {
		lines = lines[:limit]
		last := lines[limit-1]
		lines[limit-1] = ansi.Truncate(last, max(w-1, 1), "") + "…"
	}
	return lines
}

// explainTruncated says whether the explanation on screen is cut.
func (m Model) explainTruncated() bool {
	text := reflow(m.explainText())
	if text == "" || m.width == 0 {
		return false
	}
	full := strings.Count(wrap(text, m.contentWidth()), "\n") + 1
	return full > len(m.explainLines())
}

// heightDependent says whether the active screen fills whatever height it
// gets (lists, the summary), so the explanation gets a fixed share.
func (m Model) heightDependent() bool {
	switch m.stage {
	case stageSummary, stageProgress, stageDoctor:
		return true
	case stageStep:
		return m.currentStep().Kind == steps.StepKeyManager && m.keyMgr.showing
	}
	return false
}

// reflow joins the hard-wrapped lines of an explanation into paragraphs.
func reflow(text string) string {
	paras := strings.Split(strings.TrimSpace(text), "\n\n")
	for i, p := range paras {
		paras[i] = strings.Join(strings.Fields(p), " ")
	}
	return strings.Join(paras, "\n")
}

func (m Model) explainHeight() int {
	n := len(m.explainLines())
	if n == 0 {
		return 0
	}
	return n + 1
}

// explainText is the explanation of what is on screen.
func (m Model) explainText() string {
	switch m.stage {
	case stagePlaybook:
		var b strings.Builder
		b.WriteString("Each playbook follows a published guide, one screen per step; nothing changes in the tenant before you accept the review.\n\n")
		for _, p := range steps.Playbooks() {
			b.WriteString("• " + p.Title + ": " + p.Summary + "\n\n")
		}
		return b.String()
	case stageStep:
		return m.currentStep().Explain
	case stageReview:
		return "What the wizard will do in the tenant. Nothing has changed yet: enter applies, esc goes back to change a value."
	case stageProgress:
		return ""
	case stageSummary:
		return ""
	case stageDoctor:
		return "The doctor's checks, in order: tenant, management credentials and scopes, then what the playbook made. A check that depends on a failed one is skipped rather than failed again. Nothing is changed."
	}
	return ""
}

// title is the header's second line: step n of m and the step's title.
func (m Model) titleLine() (count, title string) {
	p := m.sess.playbook
	n := len(p.Steps)
	switch m.stage {
	case stagePlaybook:
		return "", "Choose a playbook"
	case stageStep:
		if m.sess.doctor {
			return fmt.Sprintf("check · step %d of 3", m.step+1), m.currentStep().Title
		}
		return fmt.Sprintf("step %d of %d", m.step+1, n), m.currentStep().Title
	case stageDoctor:
		if m.sess.doctor {
			return "check · step 3 of 3", "Check the setup"
		}
		return "", "Check the setup"
	case stageReview:
		_, i := m.summaryStep()
		return fmt.Sprintf("before step %d of %d", i+1, n), "Review the plan"
	case stageProgress:
		_, i := m.summaryStep()
		return fmt.Sprintf("before step %d of %d", i+1, n), "Applying"
	case stageSummary:
		s, i := m.summaryStep()
		return fmt.Sprintf("step %d of %d", i+1, n), s.Title
	}
	return "", ""
}

// View lays the screen out from the window size. Alt screen is declared
// here and only here.
func (m Model) View() tea.View {
	var v tea.View
	v.AltScreen = true
	v.WindowTitle = "auth0-wizard"
	if m.quitting {
		return v
	}
	v.SetContent(m.render())
	return v
}

// render is the screen as text; tests read it through View().Content.
func (m Model) render() string {
	if m.width == 0 {
		return "auth0-wizard: starting…"
	}
	if m.width < minWidth || m.height < minHeight {
		msg := fmt.Sprintf("auth0-wizard needs at least %dx%d: enlarge the terminal (now %dx%d).", minWidth, minHeight, m.width, m.height)
		return clip(wrap(msg, m.width), m.width, m.height)
	}
	st := m.styles
	w := m.contentWidth()
	var b strings.Builder

	head := st.header.Render("auth0-wizard")
	if m.sess.playbook.Title != "" {
		head += st.muted.Render(" · ") + st.header.Render(m.sess.playbook.Title)
	}
	if m.opts.Sandbox {
		head += "  " + st.badge.Render("[sandbox]")
	}
	b.WriteString(head + "\n")
	count, title := m.titleLine()
	line := st.title.Render(title)
	if count != "" {
		line += st.stepCount.Render("  " + count)
	}
	b.WriteString(line + "\n\n")
	if m.showExplain {
		back := m.keys.More
		back.SetHelp("ctrl+o/esc", "back")
		helpView := m.help.ShortHelpView([]key.Binding{back, m.keys.Quit})
		b.WriteString(wrap(reflow(m.explainText()), w))
		out := clip(b.String(), w, m.height-2)
		pad := m.height - lipHeight(out) - 1
		return clip(st.app.Render(out+strings.Repeat("\n", max(pad, 1))+helpView), m.width, m.height)
	}
	if ex := m.explainLines(); len(ex) > 0 {
		b.WriteString(st.explain.Render(strings.Join(ex, "\n")) + "\n\n")
	}

	body := m.screenView()
	if m.confirmQuit || m.confirmStop {
		body = m.confirmView()
	}
	helpView := m.helpView()
	bh := m.height - strings.Count(b.String(), "\n") - lipHeight(helpView) - 1
	b.WriteString(clip(body, w, max(bh, 1)))

	used := strings.Count(b.String(), "\n") + 1
	pad := m.height - used - lipHeight(helpView)
	b.WriteString("\n" + strings.Repeat("\n", max(pad, 0)))
	b.WriteString(helpView)
	out := st.app.Render(b.String())
	return clip(out, m.width, m.height)
}

func lipHeight(s string) int { return strings.Count(s, "\n") + 1 }

func (m Model) confirmView() string {
	st := m.styles
	if m.confirmStop {
		return st.warn.Render("! Stop the run?") + "\n\n" +
			"It stops after the action in progress; the journal keeps what was done, and\n" +
			"esc then goes back to the review, which plans again from it.\n\n" +
			st.helpKey.Render("y") + st.helpDesc.Render(" stop   ") +
			st.helpKey.Render("n") + st.helpDesc.Render(" keep going")
	}
	return st.warn.Render("! Quit while the wizard is changing the tenant?") + "\n\n" +
		"The run stops after the action in progress; the journal keeps what was done\n" +
		"so you can resume later.\n\n" +
		st.helpKey.Render("y") + st.helpDesc.Render(" stop and quit   ") +
		st.helpKey.Render("n") + st.helpDesc.Render(" keep going")
}

// helpView is the key hints of the active screen.
func (m Model) helpView() string {
	k := m.screenKeys()
	if m.confirmQuit || m.confirmStop {
		k = bindings{short: []key.Binding{m.keys.Yes, m.keys.No}}
	}
	if m.fullHelp {
		return m.help.FullHelpView(k.FullHelp())
	}
	short := k.ShortHelp()
	if !m.confirmQuit && !m.confirmStop && m.explainTruncated() {
		// "ctrl+o more" before the global keys, when the line has room.
		n := max(len(short)-2, 0)
		with := append(append(append([]key.Binding{}, short[:n]...), m.keys.More), short[n:]...)
		if v := m.help.ShortHelpView(with); !strings.Contains(v, "…") {
			return v
		}
	}
	return m.help.ShortHelpView(short)
}

// screenKeys is the active screen's help; esc back is left out where there
// is nothing to go back to (the first screen).
func (m Model) screenKeys() bindings {
	k := m.screenKeysAll()
	if m.stage == stageStep && m.step == 0 && m.opts.Playbook != "" {
		k = k.without(m.keys.Back)
	}
	return k
}

func (m Model) screenKeysAll() bindings {
	switch m.stage {
	case stagePlaybook:
		return m.choose.Keys()
	case stageStep:
		switch m.currentStep().Kind {
		case steps.StepTenant:
			return m.tenant.Keys()
		case steps.StepManagement:
			return m.mgmt.Keys()
		case steps.StepKeyManager:
			return m.keyMgr.Keys()
		default:
			return m.inputs.Keys()
		}
	case stageReview:
		return m.review.Keys()
	case stageProgress:
		return m.progress.Keys()
	case stageSummary:
		return m.summary.Keys()
	case stageDoctor:
		return m.doctor.Keys()
	}
	return bindings{}
}

func (m Model) screenView() string {
	sp := m.spinner.View()
	switch m.stage {
	case stagePlaybook:
		return m.choose.View()
	case stageStep:
		switch m.currentStep().Kind {
		case steps.StepTenant:
			return m.tenant.View(sp)
		case steps.StepManagement:
			return m.mgmt.View(sp)
		case steps.StepKeyManager:
			return m.keyMgr.View()
		default:
			return m.inputs.View()
		}
	case stageReview:
		return m.review.View(sp)
	case stageProgress:
		return m.progress.View(sp, m.stopping)
	case stageSummary:
		return m.summary.View()
	case stageDoctor:
		return m.doctor.View(sp)
	}
	return ""
}

// clip cuts text to w columns and h lines, so nothing ever spills.
func clip(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if h > 0 && len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		if ansi.StringWidth(l) > w {
			lines[i] = ansi.Truncate(l, w, "")
		}
	}
	return strings.Join(lines, "\n")
}

// Outcome is how the wizard ended, for cmd/ to print after the program exits
// (the alt screen is wiped).
type Outcome struct {
	// Applied says whether Apply completed; Result is then set.
	Applied bool
	Result  steps.Result
	// Aborted says the person quit before the end (exit 130).
	Aborted bool
	// Started says Apply began (the journal may hold resources).
	Started bool
	// Err is the last run's error, if it failed.
	Err error
	// Playbook and JournalPath say how to resume.
	Playbook    steps.PlaybookID
	JournalPath string
	// Settings are the values collected (secrets included: print masked).
	Settings steps.Settings
	// Exports lists the files written from the summary.
	Exports []string
	// Checks are the doctor's verdicts, when the checks ran.
	Checks []steps.CheckResult
	// ResumeHint says how to pick a stopped run up again.
	ResumeHint string
}

// Outcome reports how the wizard ended.
func (m Model) Outcome() Outcome {
	// Quitting after a run that failed on its own is that failure (exit 1,
	// "failed: …"), not a stop at the person's request (130).
	failed := m.progress.err != nil && !errors.Is(m.progress.err, context.Canceled)
	o := Outcome{
		Applied:  m.sess.applied,
		Result:   m.sess.result,
		Aborted:  m.aborted && !failed,
		Started:  m.progress.started,
		Err:      m.progress.err,
		Playbook: m.sess.playbook.ID,
		Settings: m.sess.settings,
		Exports:  m.summary.written(),
		Checks:   m.sess.checks,

		ResumeHint: m.sess.resumeHint(),
	}
	if m.sess.journal != nil {
		o.JournalPath = m.sess.journal.Path()
	} else if m.sess.playbook.ID != "" {
		o.JournalPath = m.journalPath()
	}
	return o
}

func (m Model) journalPath() string {
	if m.opts.JournalPath != "" {
		return m.opts.JournalPath
	}
	return steps.DefaultJournalPath(m.sess.playbook.ID)
}

// lipWidth is the width of a rendered line, escape codes excluded.
func lipWidth(s string) int { return ansi.StringWidth(s) }

// maxContentWidth keeps lines readable on wide terminals.
const maxContentWidth = 110

// contentWidth is the width text is laid out to.
func (m Model) contentWidth() int { return min(m.width-padX, maxContentWidth) }
