package ui

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// checkChoice is the first screen's option after the playbooks.
const checkChoice = "check"

// playbookScreen is the first screen: one of the playbooks, check an existing
// setup (then: of which playbook), or prepare a class (then: of which
// playbook, how many attendees, their names, the handouts' folder).
type playbookScreen struct {
	formScreen
	choice *string
	check  *string       // the playbook whose setup to check
	class  *classAnswers // the class to prepare
}

// playbookForm is the first screen's form; with class, "prepare a class"
// too. huh's accessible mode asks every group, hidden or not, so there the
// follow-up questions (which playbook's setup to check; the class's) are
// left to newCheckForm and newClassForm, asked only when they apply.
func playbookForm(playbooks []steps.Playbook, choice, check *string, class *classAnswers, theme huh.Theme, accessible bool) *huh.Form {
	opts := append(playbookOptions(playbooks), huh.NewOption("Check an existing setup (the doctor's checks)", checkChoice))
	if class != nil {
		opts = append(opts, huh.NewOption("Prepare a class (one kit per attendee)", classChoice))
	}
	if accessible {
		opts = markDefault(opts, *choice)
	}
	groups := []*huh.Group{huh.NewGroup(playbookSelect("playbook", "What do you want to set up?", opts, choice))}
	if !accessible {
		groups = append(groups, checkGroup(playbooks, check).WithHideFunc(func() bool { return *choice != checkChoice }))
		if class != nil {
			groups = append(groups, classGroups(playbooks, class, choice, false)...)
		}
	}
	return huh.NewForm(groups...).WithShowHelp(false).WithTheme(theme).WithAccessible(accessible)
}

// newCheckForm asks which playbook's setup to check (accessible mode).
func newCheckForm(playbooks []steps.Playbook, check *string, theme huh.Theme) *huh.Form {
	return huh.NewForm(huh.NewGroup(playbookSelect("check", checkTitle, markDefault(playbookOptions(playbooks), *check), check))).
		WithShowHelp(false).WithTheme(theme).WithAccessible(true)
}

const checkTitle = "Check the setup of which playbook?"

func checkGroup(playbooks []steps.Playbook, check *string) *huh.Group {
	return huh.NewGroup(playbookSelect("check", checkTitle, playbookOptions(playbooks), check))
}

// markDefault says "(default)" after the option an empty answer picks:
// line mode lists the options by number, with nothing else to show it.
func markDefault(opts []huh.Option[string], value string) []huh.Option[string] {
	for i, o := range opts {
		if o.Value == value {
			opts[i].Key += " (default)"
		}
	}
	return opts
}

// resolvePlaybooks is the playbooks the wizard offers: those given, or
// none given, steps.Playbooks(). New and accessible mode resolve
// Options.Playbooks once with it; the rest reads them from the options.
func resolvePlaybooks(given []steps.Playbook) []steps.Playbook {
	if len(given) == 0 {
		return steps.Playbooks()
	}
	return given
}

// playbookByID is the playbook of that id among the wizard's (its
// resolved Options.Playbooks).
func (o Options) playbookByID(id steps.PlaybookID) (steps.Playbook, error) {
	ids := make([]string, 0, len(o.Playbooks))
	for _, p := range o.Playbooks {
		if p.ID == id {
			return p, nil
		}
		ids = append(ids, string(p.ID))
	}
	return steps.Playbook{}, fmt.Errorf("unknown playbook %q: choose %s", id, orList(ids))
}

// orList is "a", "a or b", "a, b or c".
func orList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

// playbookOptions offers every playbook by its title.
func playbookOptions(playbooks []steps.Playbook) []huh.Option[string] {
	var opts []huh.Option[string]
	for _, p := range playbooks {
		opts = append(opts, huh.NewOption(p.Title, string(p.ID)))
	}
	return opts
}

// playbookSelect asks for one of opts, all of them in sight.
func playbookSelect(fieldKey, title string, opts []huh.Option[string], value *string) *huh.Select[string] {
	return huh.NewSelect[string]().
		Key(fieldKey).
		Title(title).
		Options(opts...).
		Height(len(opts) + 1).
		Value(value)
}

func newPlaybookScreen(c *common, _ int) screen {
	sess := c.sess
	first := string(c.opts.Playbooks[0].ID)
	choice := string(sess.playbook.ID)
	if choice == "" {
		choice = first
	}
	if sess.doctor {
		choice = checkChoice
	}
	check := string(sess.playbook.ID)
	if check == "" {
		check = first
	}
	class := newClassAnswers(c.opts.Playbooks)
	if k := sess.kits; k != nil {
		choice = classChoice
		class.playbook, class.count, class.prefix, class.out = string(sess.playbook.ID), strconv.Itoa(k.kits.Count), k.kits.Prefix, k.out
	}
	build := func() (*huh.Form, huh.Field) {
		return playbookForm(c.opts.Playbooks, &choice, &check, class, c.theme(), false), nil
	}
	return &playbookScreen{formScreen: newFormScreen(c, build), choice: &choice, check: &check, class: class}
}

func (s *playbookScreen) Update(msg tea.Msg) (screen, tea.Cmd) {
	if kp, ok := msg.(tea.KeyPressMsg); ok && key.Matches(kp, s.keys.Cancel) {
		if s.onCheck() {
			return s, s.rebuild()
		}
		return s, nil
	}
	if done, cmd := updateForm(&s.form, msg); !done {
		return s, cmd
	}
	switch *s.choice {
	case checkChoice:
		return s, report(playbookChosenMsg{ID: steps.PlaybookID(*s.check), Doctor: true})
	case classChoice:
		plan := s.class.plan()
		return s, report(playbookChosenMsg{ID: steps.PlaybookID(s.class.playbook), Kits: &plan})
	}
	return s, report(playbookChosenMsg{ID: steps.PlaybookID(*s.choice)})
}

// onCheck says whether a question after the first (which setup to check,
// the class's) is up.
func (s *playbookScreen) onCheck() bool {
	f := s.form.GetFocusedField()
	return *s.choice != "" && f != nil && f.GetKey() != "playbook"
}

func (s *playbookScreen) Frame() frame {
	var b strings.Builder
	b.WriteString("Each playbook follows a published guide, one screen per step; nothing changes in the tenant before you accept the review.\n\n")
	for _, p := range s.opts.Playbooks {
		b.WriteString("• " + p.Title + ": " + p.Summary + "\n\n")
	}
	b.WriteString("• Prepare a class: one setup of a playbook per attendee on one tenant, and a handout for each (the kits command).\n\n")
	f := frame{Title: "Choose a playbook", Explain: b.String()}
	f.Typing = s.typing() && s.onCheck() && *s.choice == classChoice
	f.Error = s.hasError()
	return f
}

func (s *playbookScreen) Keys() help.KeyMap {
	var own []key.Binding
	if _, typed := s.form.GetFocusedField().(*huh.Input); !typed {
		own = append(own, s.keys.Up) // ↑/↓ move through a choice, not a number typed
	}
	own = append(own, s.keys.Next)
	if s.onCheck() {
		own = append(own, s.keys.Cancel) // esc: back to the first question
	}
	return s.keys.helpFor(own...)
}

// The tenant coming up beside the first screen (Options.Tenant): the first
// screen needs no tenant, so the wizard shows it at once; a screen that
// needs the tenant waits for tenantUpMsg on startingScreen.

// tenantUpMsg: the tenant came up (or did not, Err); Settings reach it.
type tenantUpMsg struct {
	Settings steps.Settings
	Err      error
}

// waitTenant waits, in a command, for the tenant to come up (nil when
// there is nothing to wait for).
func waitTenant(ctx context.Context, tenant func(context.Context) (steps.Settings, error)) tea.Cmd {
	if tenant == nil {
		return nil
	}
	return func() tea.Msg {
		set, err := tenant(ctx)
		return tenantUpMsg{Settings: set, Err: err}
	}
}

// needsTenant says whether a screen of that stage reads the tenant's
// settings or reaches it: every one but the first.
func needsTenant(st stage) bool { return st != stagePlaybook }

// startingScreen stands in for a screen that needs the tenant while the
// in-process sandbox is still starting; the root builds the real one once
// the tenant is up. If it does not come up, it says why.
type startingScreen struct {
	*common
	width int
}

func newStartingScreen(c *common, _ int) screen { return &startingScreen{common: c} }

func (s *startingScreen) Init() tea.Cmd { return nil }

func (s *startingScreen) SetSize(w, _ int) { s.width = w }

func (s *startingScreen) Update(msg tea.Msg) (screen, tea.Cmd) {
	if kp, ok := msg.(tea.KeyPressMsg); ok && key.Matches(kp, s.keys.Back) {
		return s, wentBack
	}
	return s, nil
}

func (s *startingScreen) View() string {
	if err := s.sess.tenantErr; err != nil {
		return s.styles.fail.Render(wrap("✗ the sandbox tenant did not start: "+err.Error(), s.width)) + "\n\n" +
			s.styles.muted.Render(wrap("ctrl+c quits; run the wizard again, or without --sandbox against a tenant of yours.", s.width))
	}
	return s.spinner + " starting the sandbox tenant (its signing key and CA, and the WSO2 stand-in) …"
}

func (s *startingScreen) Frame() frame {
	return frame{Title: "Starting the sandbox", Busy: s.sess.tenantErr == nil, Error: s.sess.tenantErr != nil}
}

func (s *startingScreen) Keys() help.KeyMap { return s.keys.helpFor(s.keys.Back) }
