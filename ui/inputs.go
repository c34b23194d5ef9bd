package ui

import (
	"strings"

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
	step steps.Step
}

func newInputsScreen(sess *session, step steps.Step, st styles, k keyMap) inputsScreen {
	return inputsScreen{formScreen: newFormScreen(stepFields(sess, step), st, k), step: step}
}

func (s inputsScreen) Update(msg tea.Msg) (inputsScreen, tea.Cmd) {
	completed, cmd := s.forward(msg)
	if completed {
		return s, stepDone
	}
	return s, cmd
}

func (s inputsScreen) View() string {
	var b strings.Builder
	b.WriteString(s.formScreen.View())
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
