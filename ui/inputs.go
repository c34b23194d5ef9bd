package ui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// inputsScreen renders the steps that only ask for values: the resource
// server (wso2) or API (azure), the application, the connection and the
// user. What each implies in the tenant is listed under its fields; the
// review screen shows it again as create / reuse / update before anything
// changes.
type inputsScreen struct {
	sess   *session
	step   steps.Step
	form   *huh.Form
	first  huh.Field
	styles styles
	keys   keyMap
	width  int
	height int
}

func newInputsScreen(sess *session, step steps.Step, st styles, k keyMap) inputsScreen {
	s := inputsScreen{sess: sess, step: step, styles: st, keys: k}
	s.form, s.first = newStepForm(&sess.settings, step, st, false)
	return s
}

func (s inputsScreen) Init() tea.Cmd {
	if s.form == nil {
		return nil
	}
	return s.form.Init()
}

func (s *inputsScreen) SetSize(w, h int) {
	s.width, s.height = w, h
	if s.form != nil {
		sizeForm(s.form, w, h)
	}
}

func (s *inputsScreen) setStyles(st styles) {
	s.styles = st
	if s.form != nil {
		s.form.WithTheme(st.huhTheme())
	}
}

func (s inputsScreen) Update(msg tea.Msg) (inputsScreen, tea.Cmd) {
	var out formOutcome
	var cmd tea.Cmd
	s.form, out, cmd = updateForm(s.form, s.first, s.keys, msg)
	switch out {
	case formBack:
		return s, func() tea.Msg { return wentBackMsg{} }
	case formCompleted:
		return s, func() tea.Msg { return stepDoneMsg{} }
	}
	return s, cmd
}

func (s inputsScreen) View() string {
	var b strings.Builder
	if s.form != nil {
		b.WriteString(s.form.View())
	}
	if len(s.step.Actions) > 0 {
		var kinds []string
		for _, a := range s.step.Actions {
			kinds = append(kinds, strings.ReplaceAll(string(a), "_", " "))
		}
		b.WriteString("\n\n" + s.styles.muted.Render(wrap("In the tenant: "+strings.Join(kinds, ", ")+", created when missing, reused when present.", s.width)))
	}
	return b.String()
}

func (s inputsScreen) Keys() bindings {
	return s.keys.helpFor(s.keys.Next, s.keys.Back)
}
