package ui

import (
	"strings"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// inputsScreen renders the steps that only ask for values: the resource
// server (wso2) or API (azure), the application, the connection and the
// user. What each implies in the tenant is listed under its fields; the
// review screen shows it again as create / reuse / update before anything
// changes.
type inputsScreen struct {
	formScreen
	step  steps.Step
	index int
}

func newInputsScreen(c *common, index int) screen {
	step := c.sess.playbook.Steps[index]
	return &inputsScreen{formScreen: newStepFormScreen(c, step), step: step, index: index}
}

func (s *inputsScreen) Update(msg tea.Msg) (screen, tea.Cmd) {
	completed, cmd := s.forward(msg)
	if completed {
		return s, stepDone
	}
	return s, cmd
}

func (s *inputsScreen) Frame() frame {
	f := stepFrame(s.sess, s.index)
	f.Typing, f.Error = s.form != nil, s.hasError()
	return f
}

func (s *inputsScreen) View() string {
	form := s.formScreen.View()
	if len(s.step.Actions) == 0 {
		return form
	}
	var kinds []string
	for _, a := range s.step.Actions {
		kinds = append(kinds, strings.ReplaceAll(string(a), "_", " "))
	}
	note := s.styles.muted.Render(wrap("In the tenant: "+strings.Join(kinds, ", ")+", created when missing, reused when present.", s.width))
	if s.height > 0 && lipHeight(form)+1+lipHeight(note) > s.height {
		return form // the form and its errors come first; the review lists the same
	}
	return form + "\n\n" + note
}

func (s *inputsScreen) Keys() help.KeyMap {
	return s.keys.helpFor(s.keys.Next, s.keys.Back)
}
