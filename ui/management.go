package ui

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// managementScreen asks for the management application; leaving the last
// field obtains a token and compares its scopes with the playbook's. It
// cannot be left forward while a scope is missing.
type managementScreen struct {
	sess     *session
	step     steps.Step
	form     *huh.Form
	first    huh.Field
	checking bool
	checked  bool
	missing  []string
	err      error
	ctx      context.Context
	client   func(steps.Settings) (steps.Client, error)
	styles   styles
	keys     keyMap
	width    int
	height   int
}

func newManagementScreen(sess *session, step steps.Step, st styles, k keyMap, o Options) managementScreen {
	s := managementScreen{sess: sess, step: step, ctx: o.Context, client: o.NewClient, styles: st, keys: k}
	s.form, s.first = newStepForm(&sess.settings, step, st, false)
	return s
}

func (s managementScreen) Init() tea.Cmd {
	if s.form == nil {
		return nil
	}
	return s.form.Init()
}

func (s *managementScreen) SetSize(w, h int) {
	s.width, s.height = w, h
	if s.form != nil {
		sizeForm(s.form, w, h)
	}
}

func (s *managementScreen) setStyles(st styles) {
	s.styles = st
	if s.form != nil {
		s.form.WithTheme(st.huhTheme())
	}
}

func (s managementScreen) editing() bool { return !s.checking && !s.checked }

// checkScopes is the Cmd that obtains the management token and compares its
// scopes with what the playbook needs.
func checkScopes(ctx context.Context, newClient func(steps.Settings) (steps.Client, error), p steps.Playbook, set steps.Settings) tea.Cmd {
	return func() tea.Msg {
		if newClient == nil {
			return scopesCheckedMsg{Err: fmt.Errorf("no tenant client configured")}
		}
		c, err := newClient(set)
		if err != nil {
			return scopesCheckedMsg{Err: err}
		}
		granted, err := c.GrantedScopes(ctx)
		if err != nil {
			return scopesCheckedMsg{Err: err}
		}
		return scopesCheckedMsg{Granted: granted, Missing: steps.ScopeCheck(p, granted), Client: c}
	}
}

func (s managementScreen) startCheck() (managementScreen, tea.Cmd) {
	s.checking, s.checked, s.err, s.missing = true, false, nil, nil
	set := s.sess.settings
	set.ClientID = strings.TrimSpace(set.ClientID)
	s.sess.settings.ClientID = set.ClientID
	return s, checkScopes(s.ctx, s.client, s.sess.playbook, set)
}

func (s managementScreen) Update(msg tea.Msg) (managementScreen, tea.Cmd) {
	switch msg := msg.(type) {
	case scopesCheckedMsg:
		if !s.checking {
			return s, nil
		}
		s.checking = false
		if msg.Err != nil {
			s.err = msg.Err
			s.form, s.first = newStepForm(&s.sess.settings, s.step, s.styles, false)
			sizeForm(s.form, s.width, s.height)
			return s, s.form.Init()
		}
		s.checked = true
		s.missing = msg.Missing
		s.sess.granted = msg.Granted
		s.sess.client = msg.Client
		return s, nil
	case tea.KeyPressMsg:
		if s.checking {
			if key.Matches(msg, s.keys.Back) {
				s.checking = false
				return s, func() tea.Msg { return wentBackMsg{} }
			}
			return s, nil
		}
		if s.checked {
			switch {
			case key.Matches(msg, s.keys.Next):
				if len(s.missing) > 0 {
					return s, nil
				}
				return s, func() tea.Msg { return stepDoneMsg{} }
			case key.Matches(msg, s.keys.Back):
				return s, func() tea.Msg { return wentBackMsg{} }
			case key.Matches(msg, s.keys.Recheck):
				return s.startCheck()
			case key.Matches(msg, s.keys.Edit):
				s.checked = false
				s.form, s.first = newStepForm(&s.sess.settings, s.step, s.styles, false)
				sizeForm(s.form, s.width, s.height)
				return s, s.form.Init()
			}
			return s, nil
		}
	}
	if s.checking || s.checked {
		return s, nil
	}
	var out formOutcome
	var cmd tea.Cmd
	s.form, out, cmd = updateForm(s.form, s.first, s.keys, msg)
	switch out {
	case formBack:
		return s, func() tea.Msg { return wentBackMsg{} }
	case formCompleted:
		return s.startCheck()
	}
	return s, cmd
}

func (s managementScreen) View(spin string) string {
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
		b.WriteString(spin + " obtaining a Management API token and checking its scopes …")
	case s.checked && len(s.missing) == 0:
		summary()
		b.WriteString(st.ok.Render(fmt.Sprintf("✓ token obtained; all %d scopes the playbook needs are granted", len(s.sess.playbook.RequiredScopes))))
	case s.checked:
		summary()
		b.WriteString(st.fail.Render(fmt.Sprintf("✗ missing %d scope(s): %s", len(s.missing), strings.Join(s.missing, ", "))) + "\n")
		b.WriteString(wrap(steps.MissingScopesAdvice(s.missing), s.width) + "\n")
		b.WriteString(st.muted.Render("Fix it in the dashboard, then press r to check again."))
	default:
		if s.form != nil {
			b.WriteString(s.form.View())
		}
		if s.err != nil {
			b.WriteString("\n" + st.fail.Render(wrap("✗ "+s.err.Error(), s.width)) + "\n")
			b.WriteString(st.muted.Render(wrap("Check the client ID, secret and audience, then press enter on the last field to try again.", s.width)))
		}
	}
	return b.String()
}

func (s managementScreen) Keys() bindings {
	k := s.keys
	switch {
	case s.checking:
		return k.helpFor(k.Back)
	case s.checked && len(s.missing) > 0:
		return k.helpFor(k.Recheck, k.Edit, k.Back)
	case s.checked:
		return k.helpFor(k.Next, k.Recheck, k.Edit, k.Back)
	}
	return k.helpFor(k.Next, k.Back)
}

// mask hides a secret entirely: no length, no prefix.
func mask(secret string) string {
	if secret == "" {
		return "(not set)"
	}
	return "••••••••"
}
