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
	formScreen
	choice *string
	check  *string // the playbook whose setup to check
}

// newPlaybookForm is the playbook choice; the accessible mode runs it too.
// huh's accessible mode asks every group, hidden or not, so there the
// second question (which playbook's setup to check) is left to
// newCheckForm, asked only when it applies.
func newPlaybookForm(choice, check *string, st styles, accessible bool) *huh.Form {
	opts := append(playbookOptions(), huh.NewOption("Check an existing setup (the doctor's checks)", checkChoice))
	groups := []*huh.Group{huh.NewGroup(playbookSelect("playbook", "What do you want to set up?", opts, choice))}
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
	return huh.NewGroup(playbookSelect("check", "Check the setup of which playbook?", playbookOptions(), check))
}

// playbookOptions offers every playbook by its title.
func playbookOptions() []huh.Option[string] {
	var opts []huh.Option[string]
	for _, p := range steps.Playbooks() {
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
	build := func(st styles) (*huh.Form, huh.Field) { return newPlaybookForm(&choice, &check, st, false), nil }
	return playbookScreen{formScreen: newFormScreen(build, st, k), choice: &choice, check: &check}
}

func (s playbookScreen) Update(msg tea.Msg) (playbookScreen, tea.Cmd) {
	if kp, ok := msg.(tea.KeyPressMsg); ok && key.Matches(kp, s.keys.Cancel) {
		if *s.choice == checkChoice && s.form.GetFocusedField().GetKey() == "check" {
			return s, s.rebuild()
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

func (s playbookScreen) Keys() bindings {
	if *s.choice == checkChoice && s.form.GetFocusedField() != nil && s.form.GetFocusedField().GetKey() == "check" {
		return s.keys.helpFor(s.keys.Up, s.keys.Next, s.keys.Cancel) // esc: back to the first question
	}
	return s.keys.helpFor(s.keys.Up, s.keys.Next)
}
