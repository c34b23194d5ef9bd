package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// managementScreen asks for the management application; leaving the last
// field obtains a token and compares its scopes with the playbook's. It
// cannot be left forward while a scope is missing.
type managementScreen struct {
	checkedForm
	missing []string
}

func newManagementScreen(c *common, index int) screen {
	return &managementScreen{checkedForm: newCheckedForm(c, index, "✗ ", "Fix the values above, then press enter on the last field to check again.")}
}

func (s *managementScreen) startCheck() (screen, tea.Cmd) {
	s.checking, s.checked, s.err, s.missing = true, false, nil, nil
	s.sess.settings.ClientID = strings.TrimSpace(s.sess.settings.ClientID) // the form's own field
	return s, checkScopes(s.opts.Context, s.opts.NewClient, s.sess.playbook, s.sess.settings)
}

func (s *managementScreen) Update(msg tea.Msg) (screen, tea.Cmd) {
	switch msg := msg.(type) {
	case scopesCheckedMsg:
		if !s.checking {
			return s, nil // the check was left with esc
		}
		if msg.Err != nil {
			return s, s.failed(msg.Err)
		}
		s.checking, s.checked = false, true
		s.missing = msg.Missing
		return s, report(managementCheckedMsg{Granted: msg.Granted, Client: msg.Client})
	case tea.KeyPressMsg:
		switch {
		case s.checking && key.Matches(msg, s.keys.Back):
			s.checking = false // drop the answer when it comes
			return s, wentBack
		case s.checked && key.Matches(msg, s.keys.Next) && len(s.missing) > 0:
			return s, nil
		case s.checked && key.Matches(msg, s.keys.Recheck):
			return s.startCheck()
		}
	}
	completed, cmd := s.forward(msg)
	if completed {
		return s.startCheck()
	}
	return s, cmd
}

func (s *managementScreen) View() string {
	st := s.styles
	set := s.sess.settings
	var b strings.Builder
	summary := func() {
		b.WriteString(valueLine(st, "Client ID", set.ClientID, s.width) + "\n")
		b.WriteString(valueLine(st, "Client secret", mask(set.ClientSecret), s.width) + "\n")
		b.WriteString(valueLine(st, "Audience", set.Audience, s.width) + "\n\n")
	}
	switch {
	case s.checking:
		summary()
		b.WriteString(s.spinner + " obtaining a Management API token and checking its scopes …")
	case s.checked && len(s.missing) == 0:
		summary()
		need := s.sess.playbook.RequiredScopes
		b.WriteString(st.ok.Render(wrap(fmt.Sprintf("✓ token obtained; all %d scopes the playbook needs are granted", len(need)), s.width)))
		// Which they are, where there is room for them beside the whole
		// explanation (which comes first: it yields lines to the body).
		f := s.Frame()
		explain := max(lipHeight(wrap(reflow(f.Explain), max(s.width, 1)))-explainFloor(f), 0)
		if list := st.muted.Render(wrap(strings.Join(need, ", "), s.width)); s.height <= 0 || lipHeight(b.String())+lipHeight(list)+explain <= s.height {
			b.WriteString("\n" + list)
		}
	case s.checked:
		summary()
		// The missing ones are named once, in the advice that says where
		// to grant them.
		b.WriteString(st.fail.Render(wrap(fmt.Sprintf("✗ missing %d of the %d scopes the playbook needs", len(s.missing), len(s.sess.playbook.RequiredScopes)), s.width)) + "\n")
		b.WriteString(wrap(steps.MissingScopesAdvice(s.missing), s.width) + "\n")
		b.WriteString(st.muted.Render("Fix it in the dashboard, then press r to check again."))
	default:
		b.WriteString(s.editView())
	}
	return b.String()
}

func (s *managementScreen) Keys() help.KeyMap {
	k := s.keys
	if len(s.missing) > 0 {
		return s.keysFor(k.Recheck, k.Edit, k.Back)
	}
	return s.keysFor(k.Next, k.Recheck, k.Edit, k.Back)
}

// mask hides a secret entirely: no length, no prefix.
func mask(secret string) string {
	if secret == "" {
		return "(not set)"
	}
	return "••••••••"
}
