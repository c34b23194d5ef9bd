package ui

import (
	"errors"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// checkChoice is the third option of the first screen.
const checkChoice = "check"

// playbookScreen is the first screen: wso2, azure, or check a setup.
type playbookScreen struct {
	form     *huh.Form
	choice   *string
	doctor   bool
	err      error
	styles   styles
	keys     keyMap
	width    int
	height   int
	accessib bool
}

// newPlaybookForm is the playbook choice; the accessible mode runs it too.
func newPlaybookForm(choice *string, st styles, doctor, accessible bool) *huh.Form {
	var opts []huh.Option[string]
	for _, p := range steps.Playbooks() {
		opts = append(opts, huh.NewOption(p.Title, string(p.ID)))
	}
	check := "Check an existing setup (coming soon: `auth0-wizard doctor`)"
	if doctor {
		check = "Check an existing setup: run `auth0-wizard doctor`"
	}
	opts = append(opts, huh.NewOption(check, checkChoice))
	return huh.NewForm(huh.NewGroup(
		huh.NewSelect[string]().
			Key("playbook").
			Title("What do you want to set up?").
			Options(opts...).
			Value(choice),
	)).WithShowHelp(false).WithTheme(st.huhTheme()).WithAccessible(accessible)
}

func newPlaybookScreen(sess *session, st styles, k keyMap, doctor bool) playbookScreen {
	choice := string(sess.playbook.ID)
	if choice == "" {
		choice = string(steps.WSO2)
	}
	s := playbookScreen{choice: &choice, doctor: doctor, styles: st, keys: k}
	s.form = newPlaybookForm(s.choice, st, doctor, false)
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
	if kp, ok := msg.(tea.KeyPressMsg); ok && kp.String() == "esc" {
		return s, nil
	}
	m, cmd := s.form.Update(msg)
	s.form = m.(*huh.Form)
	if s.form.State != huh.StateCompleted {
		return s, cmd
	}
	if *s.choice == checkChoice {
		// Let the person choose again.
		if s.doctor {
			s.err = errors.New("quit (ctrl+c) and run `auth0-wizard doctor` to check an existing setup")
		} else {
			s.err = errors.New("checking an existing setup is coming soon as `auth0-wizard doctor`; choose a playbook for now")
		}
		s.form = newPlaybookForm(s.choice, s.styles, s.doctor, false)
		sizeForm(s.form, s.width, s.height)
		return s, s.form.Init()
	}
	id := steps.PlaybookID(*s.choice)
	return s, func() tea.Msg { return playbookChosenMsg{ID: id} }
}

func (s playbookScreen) View() string {
	v := s.form.View()
	if s.err != nil {
		v += "\n" + s.styles.warn.Render(wrap("! "+s.err.Error(), s.width))
	}
	return v
}

func (s playbookScreen) Keys() bindings {
	return s.keys.helpFor(s.keys.Up, s.keys.Next)
}
