package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// checkChoice is the third option of the first screen.
const checkChoice = "check"

// playbookScreen is the first screen: wso2, azure, or check an existing
// setup (then: of which playbook).
type playbookScreen struct {
	form   *huh.Form
	choice *string
	check  *string // the playbook whose setup to check
	styles styles
	keys   keyMap
	width  int
	height int
}

// newPlaybookForm is the playbook choice; the accessible mode runs it too.
// huh's accessible mode asks every group, hidden or not, so there the
// second question (which playbook's setup to check) is left to
// newCheckForm, asked only when it applies.
func newPlaybookForm(choice, check *string, st styles, accessible bool) *huh.Form {
	var opts []huh.Option[string]
	for _, p := range steps.Playbooks() {
		opts = append(opts, huh.NewOption(p.Title, string(p.ID)))
	}
	opts = append(opts, huh.NewOption("Check an existing setup (the doctor's checks)", checkChoice))
	groups := []*huh.Group{huh.NewGroup(
		huh.NewSelect[string]().
			Key("playbook").
			Title("What do you want to set up?").
			Options(opts...).
			Height(len(opts) + 1).
			Value(choice),
	)}
	if !accessible {
		groups = append(groups, checkGroup(check).WithHideFunc(func() bool { return *choice != checkChoice }))
	}
	return huh.NewForm(groups...).WithShowHelp(false).WithTheme(st.huhTheme()).WithAccessible(accessible)
}

// newCheckForm asks which playbook's setup to check (accessible mode).
func newCheckForm(check *string, st styles) *huh.Form {
	return huh.NewForm(checkGroup(check)).WithShowHelp(false).WithTheme(st.huhTheme()).WithAccessible(true)
}

func checkGroup(check *string) *huh.Group {
	var opts []huh.Option[string]
	for _, p := range steps.Playbooks() {
		opts = append(opts, huh.NewOption(p.Title, string(p.ID)))
	}
	return huh.NewGroup(
		huh.NewSelect[string]().
			Key("check").
			Title("Check the setup of which playbook?").
			Options(opts...).
			Height(len(opts) + 1).
			Value(check),
	)
}

func newPlaybookScreen(sess *session, st styles, k keyMap) playbookScreen {
	choice := string(sess.playbook.ID)
	if choice == "" {
		choice = string(steps.WSO2)
	}
	if sess.doctor {
		choice = checkChoice
	}
	check := string(sess.playbook.ID)
	if check == "" {
		check = string(steps.WSO2)
	}
	s := playbookScreen{choice: &choice, check: &check, styles: st, keys: k}
	s.form = newPlaybookForm(s.choice, s.check, st, false)
	return s
}

func (s playbookScreen) Init() tea.Cmd { return s.form.Init() }

func (s *playbookScreen) SetSize(w, h int) {
	s.width, s.height = w, h
	if s.form != nil {
		sizeForm(s.form, w, h)
	}
}

func (s *playbookScreen) setStyles(st styles) {
	s.styles = st
	if s.form != nil {
		s.form.WithTheme(st.huhTheme())
	}
}

func (s playbookScreen) Update(msg tea.Msg) (playbookScreen, tea.Cmd) {
	if kp, ok := msg.(tea.KeyPressMsg); ok && key.Matches(kp, s.keys.Cancel) {
		if *s.choice == checkChoice && s.form.GetFocusedField().GetKey() == "check" {
			s.form = newPlaybookForm(s.choice, s.check, s.styles, false)
			sizeForm(s.form, s.width, s.height)
			return s, s.form.Init()
		}
		return s, nil
	}
	m, cmd := s.form.Update(msg)
	s.form = m.(*huh.Form)
	if s.form.State != huh.StateCompleted {
		return s, cmd
	}
	if *s.choice == checkChoice {
		id := steps.PlaybookID(*s.check)
		return s, func() tea.Msg { return playbookChosenMsg{ID: id, Doctor: true} }
	}
	id := steps.PlaybookID(*s.choice)
	return s, func() tea.Msg { return playbookChosenMsg{ID: id} }
}

func (s playbookScreen) View() string { return s.form.View() }

func (s playbookScreen) Keys() bindings {
	return s.keys.helpFor(s.keys.Up, s.keys.Next)
}
