package ui

import (
	"strings"

	"charm.land/bubbles/v2/help"
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
func newPlaybookForm(choice, check *string, theme huh.Theme, accessible bool) *huh.Form {
	opts := append(playbookOptions(), huh.NewOption("Check an existing setup (the doctor's checks)", checkChoice))
	if accessible {
		opts = markDefault(opts, *choice)
	}
	groups := []*huh.Group{huh.NewGroup(playbookSelect("playbook", "What do you want to set up?", opts, choice))}
	if !accessible {
		groups = append(groups, checkGroup(check).WithHideFunc(func() bool { return *choice != checkChoice }))
	}
	return huh.NewForm(groups...).WithShowHelp(false).WithTheme(theme).WithAccessible(accessible)
}

// newCheckForm asks which playbook's setup to check (accessible mode).
func newCheckForm(check *string, theme huh.Theme) *huh.Form {
	return huh.NewForm(huh.NewGroup(playbookSelect("check", checkTitle, markDefault(playbookOptions(), *check), check))).
		WithShowHelp(false).WithTheme(theme).WithAccessible(true)
}

const checkTitle = "Check the setup of which playbook?"

func checkGroup(check *string) *huh.Group {
	return huh.NewGroup(playbookSelect("check", checkTitle, playbookOptions(), check))
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

func newPlaybookScreen(c *common, _ int) screen {
	sess := c.sess
	choice := string(sess.playbook.ID)
	if choice == "" {
		choice = string(steps.Playbooks()[0].ID)
	}
	if sess.doctor {
		choice = checkChoice
	}
	check := string(sess.playbook.ID)
	if check == "" {
		check = string(steps.Playbooks()[0].ID)
	}
	build := func() (*huh.Form, huh.Field) { return newPlaybookForm(&choice, &check, c.theme(), false), nil }
	return &playbookScreen{formScreen: newFormScreen(c, build), choice: &choice, check: &check}
}

func (s *playbookScreen) Update(msg tea.Msg) (screen, tea.Cmd) {
	if kp, ok := msg.(tea.KeyPressMsg); ok && key.Matches(kp, s.keys.Cancel) {
		if s.onCheck() {
			return s, s.rebuild()
		}
		return s, nil
	}
	m, cmd := s.form.Update(msg)
	if form, ok := m.(*huh.Form); ok {
		s.form = form
	}
	if s.form.State != huh.StateCompleted {
		return s, cmd
	}
	if *s.choice == checkChoice {
		return s, report(playbookChosenMsg{ID: steps.PlaybookID(*s.check), Doctor: true})
	}
	return s, report(playbookChosenMsg{ID: steps.PlaybookID(*s.choice)})
}

// onCheck says whether the second question (which setup to check) is up.
func (s *playbookScreen) onCheck() bool {
	f := s.form.GetFocusedField()
	return *s.choice == checkChoice && f != nil && f.GetKey() == "check"
}

func (s *playbookScreen) Frame() frame {
	var b strings.Builder
	b.WriteString("Each playbook follows a published guide, one screen per step; nothing changes in the tenant before you accept the review.\n\n")
	for _, p := range steps.Playbooks() {
		b.WriteString("• " + p.Title + ": " + p.Summary + "\n\n")
	}
	return frame{Title: "Choose a playbook", Explain: b.String()}
}

func (s *playbookScreen) Keys() help.KeyMap {
	if s.onCheck() {
		return s.keys.helpFor(s.keys.Up, s.keys.Next, s.keys.Cancel) // esc: back to the first question
	}
	return s.keys.helpFor(s.keys.Up, s.keys.Next)
}
