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

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/auth0-wizard/auth0-wizard/internal/atomicfile"
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
	// Playbooks are the playbooks the wizard offers, in the first screen's
	// order, and the only ones it looks an id up in (nil: steps.Playbooks()).
	// A playbook is data: one defined elsewhere (a test's) runs as these do.
	Playbooks []steps.Playbook
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
	// WriteFile writes an export (atomicfile.Write when nil).
	WriteFile func(path string, data []byte, perm os.FileMode) error
	// ExportDir is where exports are written ("" means the current directory).
	ExportDir string
	// NewWSO2Client builds a WSO2 API Manager client for the settings (the
	// API Manager URL, admin user and password; wso2client in the binary).
	// It must do no I/O. nil: no WSO2 client, WSO2's side is shown as
	// values to type.
	NewWSO2Client func(steps.Settings) (steps.WSO2Client, error)
	// Width is the terminal's width for accessible mode (0: the output's,
	// when it is a terminal, else Columns, else 80).
	Width int
	// ExistingJournals are the journal files cmd found at start (the given
	// one, or each playbook's default): "check an existing setup" offers
	// them. ui looks at no file itself.
	ExistingJournals []string
	// Columns is $COLUMNS as cmd read it (0 when unset).
	Columns int
	// Tmux says the wizard runs inside tmux (cmd reads TMUX): a copy to the
	// clipboard by OSC 52 may not arrive.
	Tmux bool
	// Tenant, when set, is the tenant still coming up (the in-process
	// sandbox starting beside the first screen): it returns, once the
	// tenant is up, the settings that reach it (which replace Settings,
	// the playbook chosen meanwhile kept). The wizard calls it in a
	// command; the first screen that needs the tenant waits for it
	// (startingScreen). nil: Settings are complete.
	Tenant func(context.Context) (steps.Settings, error)
	// WriteHandouts writes a class's handouts under dir (one .md and one
	// .html per attendee, and kits.csv, all 0600; cmd's, as the `kits`
	// command writes them) and returns the files written.
	WriteHandouts func(dir string, res steps.KitsResult) ([]string, error)
	// Requests is how many Management API requests the tenant client has
	// sent so far (nil: not counted), for a class's request rate.
	Requests func() int64
}

// stage is which kind of screen a route shows.
type stage int

const (
	stagePlaybook    stage = iota // choose a playbook, a check or a class
	stageStep                     // one of the playbook's input steps
	stageReview                   // the plan: create / reuse / update
	stageProgress                 // Apply runs
	stageSummary                  // endpoints, keys, token, exports
	stageDoctor                   // the checks of an existing setup
	stageCheckTarget              // what to check: a journal, or the names / client ID
	stageKits                     // prepare a class: the kits, then their run
	stageKitsSummary              // the class's handouts and what next
)

var stageNames = [...]string{"playbook", "step", "review", "progress", "summary", "doctor", "check-target", "kits", "kits-summary"}

func (s stage) String() string {
	if int(s) < len(stageNames) {
		return stageNames[s]
	}
	return fmt.Sprintf("stage(%d)", int(s))
}

// session is what the screens collect, held on the heap so huh fields can
// bind into it while Bubble Tea copies the Model. Only the root writes it
// (and the form fields bound into its settings).
type session struct {
	settings  steps.Settings
	playbook  steps.Playbook
	endpoints steps.Endpoints
	client    steps.Client     // built on the management screen, used by the engine
	wso2      steps.WSO2Client // built on the API Manager screen when its password is given
	wso2Ver   steps.WSO2Version
	connector []steps.ConnectorApp // WSO2's connector's applications (step 3.3), once listed
	doctorOpt doctorTarget         // what "check an existing setup" checks
	granted   []string
	plan      steps.Plan
	journal   *steps.Journal
	run       runState
	result    steps.Result
	applied   bool
	doctor    bool // checking an existing setup: tenant, management, checks
	checks    []steps.CheckResult
	exports   []string     // files written from the summary
	sandbox   bool         // the in-process sandbox: gone at exit
	caFile    string       // --ca-file, for the resume command
	kits      *kitsPlan    // preparing a class: tenant, management, the kits
	kitsDone  *KitsOutcome // the class's run ended
	tenantUp  bool         // the settings reach the tenant (Options.Tenant returned, or none)
	tenantErr error        // why the tenant did not come up
}

// runState is the run (Apply) as the root follows it.
type runState struct {
	progress   *steps.Progress // the rows, fed by the run's events
	events     <-chan steps.Event
	done       <-chan provisionDoneMsg
	cancel     context.CancelFunc
	running    bool
	started    bool
	cancelling bool // the person asked it to stop
	err        error
}

// resumeHint is the command that picks a stopped run up again, from its
// journal ("" before a journal exists).
func (s *session) resumeHint() string {
	if s.journal == nil {
		return ""
	}
	return s.journal.ResumeHint(s.sandbox, s.caFile)
}

// route is one screen of the wizard's list: which kind, the playbook step
// it shows, how to build it and what the session needs before it is built.
type route struct {
	stage stage
	step  int // index in the playbook's steps (stageStep)
	build func(c *common, step int) screen
	enter func(s *session, step int) // nil: nothing
}

// stepScreens builds the screen of each kind of step; any other kind only
// asks for its inputs.
var stepScreens = map[steps.StepKind]func(*common, int) screen{
	steps.StepTenant:      newTenantScreen,
	steps.StepManagement:  newManagementScreen,
	steps.StepKeyManager:  newKeyManagerScreen,
	steps.StepAPIM:        newAPIMScreen,
	steps.StepApplication: newApplicationScreen,
}

// routes is the list of screens for the session: the playbook choice
// (unless the playbook was given), the playbook's input steps, then the
// review, the run, the summary and the checks; or, checking an existing
// setup, the steps up to the management application and the checks. Next
// and back are the neighbours in this list.
func routes(o Options, sess *session) []route {
	var rs []route
	if o.Playbook == "" {
		rs = append(rs, route{stage: stagePlaybook, build: newPlaybookScreen})
	}
	doctor := route{stage: stageDoctor, build: newDoctorScreen}
	for i, stp := range sess.playbook.Steps {
		if stp.Kind == steps.StepSummary {
			break
		}
		build, ok := stepScreens[stp.Kind]
		if !ok {
			build = newInputsScreen
		}
		rs = append(rs, route{stage: stageStep, step: i, build: build, enter: func(s *session, i int) {
			applyDefaults(&s.settings, s.playbook.Steps[i])
		}})
		if sess.doctor && stp.Kind == steps.StepManagement {
			return append(rs, route{stage: stageCheckTarget, build: newCheckTargetScreen}, doctor)
		}
		if sess.kits != nil && stp.Kind == steps.StepManagement {
			return append(rs,
				route{stage: stageKits, build: newKitsScreen, enter: func(s *session, _ int) {
					for _, stp := range s.playbook.Steps {
						applyDefaults(&s.settings, stp)
					}
					if !s.run.running && !s.applied {
						// A new run (one that did not complete all its kits
						// is run again: the journal resumes it).
						s.run, s.kitsDone = runState{progress: steps.NewProgress(steps.Plan{})}, nil
					}
				}},
				route{stage: stageKitsSummary, build: newKitsSummaryScreen})
		}
	}
	if sess.playbook.ID == "" {
		return rs
	}
	return append(rs,
		route{stage: stageReview, build: newReviewScreen, enter: func(s *session, _ int) {
			for _, stp := range s.playbook.Steps {
				applyDefaults(&s.settings, stp)
			}
			if set := steps.WithDefaults(s.settings); s.playbook.Validate(set) == nil {
				s.settings = set
			}
		}},
		route{stage: stageProgress, build: newProgressScreen, enter: func(s *session, _ int) {
			s.run = runState{progress: steps.NewProgress(s.plan)}
		}},
		route{stage: stageSummary, build: newSummaryScreen},
		doctor,
	)
}

// summaryStep is the playbook's summary step and its index.
func summaryStep(p steps.Playbook) (steps.Step, int) {
	for i, s := range p.Steps {
		if s.Kind == steps.StepSummary {
			return s, i
		}
	}
	return steps.Step{Kind: steps.StepSummary, Title: "Summary"}, len(p.Steps)
}

// Minimum usable terminal.
const (
	minWidth  = 60
	minHeight = 16
)

// Model is the wizard: the root, and the only tea.Model of the package. It
// keeps the list of screens (routes), the active one, the layout, the help
// and the one overlay.
type Model struct {
	opts    Options
	sess    *session
	c       *common
	routes  []route
	at      int    // the active route
	stage   stage  // routes[at].stage
	step    int    // routes[at].step
	screen  screen // the active screen, built by goTo
	visit   int    // goTo's count: late results of a screen left are dropped
	width   int
	height  int
	layout  layout
	help    help.Model
	spinner spinner.Model
	dialog  *dialog // the overlay, when one is open

	waiting  bool // the active route needs the tenant, which is not up yet: startingScreen stands in
	stopping bool // quit was confirmed during the run: quit once it stopped
	aborted  bool // the person quit before the end
	quitting bool
}

// New returns the wizard at its first screen.
func New(opts Options) Model {
	if opts.Context == nil {
		opts.Context = context.Background()
	}
	if opts.WriteFile == nil {
		opts.WriteFile = atomicfile.Write
	}
	opts.Playbooks = resolvePlaybooks(opts.Playbooks)

	sess := &session{settings: opts.Settings, sandbox: opts.Sandbox, caFile: opts.CAFile, tenantUp: opts.Tenant == nil}
	if sess.settings.Domain != "" {
		sess.settings.Domain = domainHost(sess.settings.Domain) // a flag's https://HOST/ is shown as the host
	}
	id := opts.Playbook
	if id == "" {
		id = opts.Settings.Playbook
	}
	opts.Playbook = ""
	if p, err := opts.playbookByID(id); id != "" && err == nil {
		sess.playbook, sess.settings.Playbook, opts.Playbook = p, p.ID, p.ID
	}
	m := Model{
		opts:    opts,
		sess:    sess,
		c:       &common{sess: sess, styles: newStyles(true), keys: newKeyMap(), opts: opts},
		help:    help.New(),
		spinner: spinner.New(spinner.WithSpinner(spinner.MiniDot)),
	}
	m.applyStyles()
	m.routes = routes(opts, sess)
	m, _ = m.goTo(m.routes[0].stage, m.routes[0].step)
	return m
}

// Init asks for the background colour and starts the first screen.
func (m Model) Init() tea.Cmd {
	return tea.Batch(tea.RequestBackgroundColor, tagVisit(m.screen.Init(), m.visit), waitTenant(m.opts.Context, m.opts.Tenant))
}

func (m *Model) applyStyles() {
	st := m.c.styles
	m.help.Styles.ShortKey = st.helpKey
	m.help.Styles.ShortDesc = st.helpDesc
	m.help.Styles.ShortSeparator = st.helpSep
	m.help.Styles.FullKey = st.helpKey
	m.help.Styles.FullDesc = st.helpDesc
	m.help.Styles.FullSeparator = st.helpSep
	m.help.Styles.Ellipsis = st.helpSep
	m.spinner.Style = st.spinner
	m.c.spinner = m.spinner.View()
}

// currentStep is the playbook step on screen (zero Step outside stageStep).
func (m Model) currentStep() steps.Step {
	if m.stage == stageStep && m.step < len(m.sess.playbook.Steps) {
		return m.sess.playbook.Steps[m.step]
	}
	return steps.Step{}
}

// lastInputStep is the index of the last step before the summary.
func (m Model) lastInputStep() int {
	_, i := summaryStep(m.sess.playbook)
	return i - 1
}

// maxSettle bounds how many immediate messages one message may lead to
// (a form's moves, a screen's fact, the next screen's start).
const maxSettle = 64

// pending is an immediate message and the visit of the screen it is for.
type pending struct {
	visit int
	msg   tea.Msg
}

// Update is the state machine: update handles the message, then settle
// what it leads to at once.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m, cmd := m.update(msg)
	return m.settle(cmd)
}

// settle handles, before anything else, the messages cmd hands back at
// once (huh's field moves, the screens' facts, and what those lead to), so
// the next key finds the focus where the last one put it; a message for a
// screen that was left meanwhile is dropped. The rest runs as the program
// runs commands, tagged with the visit of the screen that asked.
func (m Model) settle(cmd tea.Cmd) (Model, tea.Cmd) {
	var later []tea.Cmd
	var queue []pending
	take := func(cmd tea.Cmd) {
		now, rest := split(cmd)
		for _, msg := range now {
			queue = append(queue, pending{m.visit, msg})
		}
		later = append(later, tagVisit(tea.Batch(rest...), m.visit))
	}
	take(cmd)
	for n := 0; len(queue) > 0; n++ {
		p := queue[0]
		queue = queue[1:]
		if n >= maxSettle {
			later = append(later, report(fromScreenMsg(p)))
			continue
		}
		if p.visit != m.visit {
			continue // for a screen the message before it left
		}
		m, cmd = m.update(p.msg)
		take(cmd)
	}
	return m, tea.Batch(later...)
}

// update handles one message. Order: global messages, background results
// and facts whatever the screen, then the active screen (dispatch).
func (m Model) update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.relayout()
		return m, nil
	case tea.BackgroundColorMsg:
		m.c.styles = newStyles(msg.IsDark())
		m.applyStyles()
		return m.dispatch(msg) // the screen rebuilds what it pre-rendered
	case spinner.TickMsg:
		if !m.screen.Frame().Busy {
			return m, nil // the spinner stops; it starts again with the next work
		}
		var cmd tea.Cmd
		m.spinner, cmd = m.spinner.Update(msg)
		m.c.spinner = m.spinner.View()
		return m, cmd
	case tea.KeyPressMsg:
		if m.dialog != nil {
			return m.answer(m.dialog.Update(msg, m.c.keys))
		}
		k := m.c.keys
		switch {
		case key.Matches(msg, k.More) && m.explainTruncated():
			m.dialog = &dialog{kind: dialogExplain, text: m.screen.Frame().Explain}
			return m, nil
		case key.Matches(msg, k.Quit):
			return m.requestQuit()
		case key.Matches(msg, k.Help) && !m.screen.Frame().Typing:
			m.help.ShowAll = !m.help.ShowAll
			m.relayout()
			return m, nil
		}

	case fromScreenMsg:
		if msg.visit != m.visit {
			return m, nil // from a screen already left
		}
		return m.update(msg.msg)

	// The run's messages land whatever the screen.
	case provisionStartedMsg:
		r := &m.sess.run
		r.events, r.done, r.cancel = msg.Events, msg.Done, msg.Cancel
		r.running, r.started = true, true
		return m, tea.Batch(waitForEvent(msg.Events, msg.Done), m.spinner.Tick)
	case provisionEventMsg:
		if m.sess.run.progress == nil {
			m.sess.run.progress = steps.NewProgress(m.sess.plan)
		}
		m.sess.run.progress.Add(msg.Event)
		return m, waitForEvent(m.sess.run.events, m.sess.run.done)
	case provisionDoneMsg:
		return m.provisionDone(msg)
	case tenantUpMsg:
		return m.tenantUp(msg)

	// Facts: the root stores what they carry and moves.
	case playbookChosenMsg:
		p, err := m.opts.playbookByID(msg.ID)
		if err != nil {
			return m, nil // the choices come from Options.Playbooks
		}
		m.sess.playbook, m.sess.doctor, m.sess.kits, m.sess.settings.Playbook = p, msg.Doctor, msg.Kits, p.ID
		m.routes = routes(m.opts, m.sess)
		return m.move(+1)
	case stepDoneMsg, applyConfirmedMsg, summaryRequestedMsg, doctorRequestedMsg:
		return m.move(+1)
	case wentBackMsg:
		return m.move(-1)
	case quitRequestedMsg:
		return m.requestQuit()
	case confirmRequestedMsg:
		m.dialog = &dialog{kind: dialogConfirm, title: msg.Title, text: msg.Text, yes: msg.Yes, no: msg.No}
		return m, nil
	case stopRequestedMsg:
		if m.sess.run.running {
			m.dialog = &dialog{kind: dialogStop}
		}
		return m, nil
	case tenantCheckedMsg:
		m.sess.endpoints = msg.Endpoints
		return m, nil
	case managementCheckedMsg:
		m.sess.granted, m.sess.client = msg.Granted, msg.Client
		return m, nil
	case planMadeMsg:
		m.sess.plan, m.sess.journal = msg.Plan, msg.Journal
		if msg.Plan.Endpoints.TokenEndpoint != "" {
			m.sess.endpoints = msg.Plan.Endpoints
		}
		return m, nil
	case checksDoneMsg:
		m.sess.checks = msg.Results
		return m, nil
	case apimCheckedMsg:
		m.sess.wso2, m.sess.wso2Ver = msg.Client, msg.Version
		return m, nil
	case connectorListedMsg:
		m.sess.connector = msg.Apps
		return m, nil
	case checkTargetMsg:
		m.sess.doctorOpt = msg.Target
		return m.move(+1)
	case journalConflictMsg:
		m.dialog = &dialog{kind: dialogJournal, conflict: msg.Conflict, playbook: m.sess.playbook}
		return m, nil
	case exportWrittenMsg:
		// Recorded whatever the screen, once a file; the summary says so.
		if msg.Err == nil && !slices.Contains(m.sess.exports, msg.Path) {
			m.sess.exports = append(m.sess.exports, msg.Path)
		}
	}
	return m.dispatch(msg)
}

// dispatch is the one place a message reaches a screen: the active one.
func (m Model) dispatch(msg tea.Msg) (Model, tea.Cmd) {
	before := m.screen.Frame()
	var cmd tea.Cmd
	m.screen, cmd = m.screen.Update(msg)
	after := m.screen.Frame()
	if after.Error != before.Error {
		m.relayout() // an error came or went: the explanation yields or takes back room
	}
	if after.Busy && !before.Busy {
		cmd = tea.Batch(cmd, m.spinner.Tick)
	}
	return m, cmd
}

// move goes to the neighbour route (+1 next, -1 back), if there is one.
func (m Model) move(by int) (Model, tea.Cmd) {
	i := m.at + by
	if i < 0 || i >= len(m.routes) {
		return m, nil
	}
	return m.goTo(m.routes[i].stage, m.routes[i].step)
}

// goTo is the one place that sets the active screen. It builds it from the
// session (so values typed earlier are still there), sizes it and returns
// its first command.
func (m Model) goTo(st stage, step int) (Model, tea.Cmd) {
	i := slices.IndexFunc(m.routes, func(r route) bool { return r.stage == st && (st != stageStep || r.step == step) })
	if i < 0 {
		return m, nil
	}
	r := m.routes[i]
	m.at, m.stage, m.step = i, r.stage, r.step
	m.visit++
	m.help.ShowAll, m.dialog = false, nil
	if m.waiting = !m.sess.tenantUp && needsTenant(r.stage); m.waiting {
		m.screen = newStartingScreen(m.c, r.step)
		m.relayout()
		return m, m.spinner.Tick
	}
	if r.enter != nil {
		r.enter(m.sess, r.step)
	}
	m.screen = r.build(m.c, r.step)
	m.relayout()
	cmd := m.screen.Init()
	if m.screen.Frame().Busy {
		cmd = tea.Batch(cmd, m.spinner.Tick)
	}
	return m, cmd
}

// requestQuit handles ctrl+c: at once, unless work that changes the tenant
// is running, in which case it asks first.
func (m Model) requestQuit() (Model, tea.Cmd) {
	if m.sess.run.running {
		m.dialog = &dialog{kind: dialogQuit}
		return m, nil
	}
	m.quitting = true
	// A completed run is done wherever the person quits (the progress
	// screen, the summary, the checks): exit 0 with the done text.
	done := m.sess.applied || (m.stage == stageDoctor && !m.screen.Frame().Busy && len(m.sess.checks) > 0)
	m.aborted = !done
	return m, tea.Quit
}

// answer acts on what a key did to the overlay.
func (m Model) answer(a answer) (Model, tea.Cmd) {
	kind := m.dialog.kind
	switch a {
	case answerNone:
		return m, nil
	case answerQuit:
		m.dialog = nil
		return m.requestQuit()
	case answerContinue, answerNewJournal, answerTeardown:
		c := m.dialog.conflict
		m.dialog = nil
		return m.resolveConflict(a, c)
	case answerYes:
		m.dialog = nil
		if kind == dialogConfirm {
			return m.dispatch(confirmedMsg{}) // the screen that asked acts
		}
		run := &m.sess.run
		if !run.running {
			if kind == dialogQuit {
				m.quitting, m.aborted = true, !m.sess.applied
				return m, tea.Quit
			}
			return m, nil
		}
		if kind == dialogQuit {
			m.stopping, m.aborted = true, true
		}
		run.cancelling = true
		if run.cancel != nil {
			run.cancel()
		}
		return m, nil
	}
	m.dialog = nil // no, or read
	return m, nil
}

// resolveConflict does what the person chose on the journal dialog:
// continue the journal's run (its values for the inputs that differ), a new
// journal (the free path the dialog showed), each planned again on a new
// review; or tearing that run down, which the review does, then plans again.
func (m Model) resolveConflict(a answer, c journalConflict) (Model, tea.Cmd) {
	switch a {
	case answerContinue:
		for _, sc := range c.settings {
			setInput(&m.sess.settings, m.sess.playbook, sc.Key, sc.Journal)
		}
	case answerNewJournal:
		m.opts.JournalPath, m.c.opts.JournalPath = c.newPath, c.newPath
	case answerTeardown:
		return m.dispatch(teardownRequestedMsg{})
	}
	return m.goTo(stageReview, 0)
}

// provisionDone records the end of a run. A cancelled run quits once the
// engine has stopped, so the journal is consistent. A question about
// stopping that is still up is moot once the run ended: it goes away and the
// wizard goes on as if it had not been asked.
func (m Model) provisionDone(msg provisionDoneMsg) (Model, tea.Cmd) {
	run := &m.sess.run
	run.running, run.err = false, msg.Err
	if m.dialog != nil && m.dialog.kind != dialogExplain {
		m.dialog = nil
	}
	if run.cancel != nil {
		run.cancel()
		run.cancel = nil
	}
	if msg.Kits != nil {
		m.sess.kitsDone = msg.Kits
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

// tenantUp records the tenant that came up beside the first screen: its
// settings (the playbook chosen meanwhile kept), then the screen that
// waited for it, built now. If it did not come up, the waiting screen says
// why (and so does any screen that needs it, reached later).
func (m Model) tenantUp(msg tenantUpMsg) (Model, tea.Cmd) {
	if msg.Err != nil {
		m.sess.tenantErr = msg.Err
		return m, nil
	}
	set := msg.Settings
	set.Playbook = m.sess.settings.Playbook
	m.sess.settings, m.sess.tenantUp = set, true
	if m.waiting {
		return m.goTo(m.stage, m.step)
	}
	return m, nil
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
	// Plan is the plan the run was given (empty before one was made), and
	// Rows its actions as the run left them (steps.Progress): what the
	// review and the progress screen showed, for cmd/ and tests to compare
	// with `apply`.
	Plan steps.Plan
	Rows []steps.Row
	// Width is the terminal's width PlainSummary wraps the checks to (0:
	// not known, no wrap).
	Width int
	// Kits is the class's kits, when a class was prepared and its run
	// ended (Applied: every kit complete).
	Kits *KitsOutcome
}

// Outcome reports how the wizard ended.
func (m Model) Outcome() Outcome {
	run := m.sess.run
	// Quitting after a run that failed on its own is that failure (exit 1,
	// "failed: …"), not a stop at the person's request (130).
	failed := run.err != nil && !errors.Is(run.err, context.Canceled)
	o := Outcome{
		Applied:  m.sess.applied,
		Result:   m.sess.result,
		Aborted:  m.aborted && !failed,
		Started:  run.started,
		Err:      run.err,
		Playbook: m.sess.playbook.ID,
		Settings: m.sess.settings,
		Exports:  slices.Clone(m.sess.exports),
		Checks:   m.sess.checks,

		ResumeHint: m.sess.resumeHint(),
		Plan:       m.sess.plan,
		Kits:       m.sess.kitsDone,
	}
	if m.sess.run.progress != nil {
		o.Rows = m.sess.run.progress.Rows()
	}
	if m.sess.journal != nil {
		o.JournalPath = m.sess.journal.Path()
	} else if m.sess.playbook.ID != "" {
		o.JournalPath = journalPath(m.opts, m.sess.playbook.ID)
	}
	return o
}
