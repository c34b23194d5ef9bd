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

// tenantScreen asks for the domain; leaving the field runs discovery, whose
// result (or failure, with the reason) shows on the same screen.
type tenantScreen struct {
	sess     *session
	step     steps.Step
	form     *huh.Form
	first    huh.Field
	checking bool
	checked  bool // discovery succeeded for the domain on screen
	err      error
	ctx      context.Context
	client   func(steps.Settings) (steps.Client, error)
	styles   styles
	keys     keyMap
	width    int
	height   int
}

func newTenantScreen(sess *session, step steps.Step, st styles, k keyMap, o Options) tenantScreen {
	s := tenantScreen{sess: sess, step: step, ctx: o.Context, client: o.NewClient, styles: st, keys: k}
	s.form, s.first = newStepForm(&sess.settings, step, st, false)
	return s
}

func (s tenantScreen) Init() tea.Cmd {
	if s.form == nil {
		return nil
	}
	return s.form.Init()
}

func (s *tenantScreen) SetSize(w, h int) {
	s.width, s.height = w, h
	if s.form != nil {
		sizeForm(s.form, w, h)
	}
}

func (s *tenantScreen) setStyles(st styles) {
	s.styles = st
	if s.form != nil {
		s.form.WithTheme(st.huhTheme())
	}
}

func (s tenantScreen) editing() bool { return !s.checking && !s.checked }

// discover is the Cmd that reads the tenant's discovery document.
func discover(ctx context.Context, newClient func(steps.Settings) (steps.Client, error), domain string) tea.Cmd {
	return func() tea.Msg {
		if newClient == nil {
			return discoveredMsg{Domain: domain, Err: fmt.Errorf("no tenant client configured")}
		}
		c, err := newClient(steps.Settings{Domain: domain})
		if err != nil {
			return discoveredMsg{Domain: domain, Err: err}
		}
		ep, err := c.Discover(ctx)
		return discoveredMsg{Domain: domain, Endpoints: ep, Err: err}
	}
}

func (s tenantScreen) Update(msg tea.Msg) (tenantScreen, tea.Cmd) {
	switch msg := msg.(type) {
	case discoveredMsg:
		if msg.Domain != s.sess.settings.Domain {
			return s, nil // an answer for a domain no longer on screen
		}
		s.checking = false
		if msg.Err != nil {
			s.err = msg.Err
			s.form, s.first = newStepForm(&s.sess.settings, s.step, s.styles, false)
			sizeForm(s.form, s.width, s.height)
			return s, s.form.Init()
		}
		s.err = nil
		s.checked = true
		s.sess.endpoints = msg.Endpoints
		return s, nil
	case tea.KeyPressMsg:
		if s.checking {
			if key.Matches(msg, s.keys.Back) {
				return s, func() tea.Msg { return wentBackMsg{} }
			}
			return s, nil
		}
		if s.checked {
			switch {
			case key.Matches(msg, s.keys.Next):
				return s, func() tea.Msg { return stepDoneMsg{} }
			case key.Matches(msg, s.keys.Back):
				return s, func() tea.Msg { return wentBackMsg{} }
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
		s.checking = true
		s.err = nil
		s.sess.settings.Domain = strings.TrimSpace(s.sess.settings.Domain)
		return s, discover(s.ctx, s.client, s.sess.settings.Domain)
	}
	return s, cmd
}

func (s tenantScreen) View(spin string) string {
	st := s.styles
	var b strings.Builder
	switch {
	case s.checking:
		b.WriteString(valueLine(st, "Tenant domain", s.sess.settings.Domain, s.width) + "\n\n")
		b.WriteString(spin + " reading " + discoveryURL(s.sess.settings.Domain) + " …")
	case s.checked:
		b.WriteString(valueLine(st, "Tenant domain", s.sess.settings.Domain, s.width) + "\n\n")
		b.WriteString(st.ok.Render("✓ the tenant answers") + "\n")
		ep := s.sess.endpoints
		b.WriteString(valueLine(st, "Issuer", ep.Issuer, s.width) + "\n")
		b.WriteString(valueLine(st, "Token endpoint", ep.TokenEndpoint, s.width) + "\n")
		b.WriteString(valueLine(st, "JWKS", ep.JWKSURI, s.width))
	default:
		if s.form != nil {
			b.WriteString(s.form.View())
		}
		if s.err != nil {
			b.WriteString("\n" + st.fail.Render(wrap("✗ discovery failed: "+s.err.Error(), s.width)) + "\n")
			b.WriteString(st.muted.Render(wrap("Check the domain (a host, e.g. my-tenant.us.auth0.com) and your network, then press enter to try again.", s.width)))
		}
	}
	return b.String()
}

func (s tenantScreen) Keys() bindings {
	k := s.keys
	switch {
	case s.checking:
		return k.helpFor(k.Back)
	case s.checked:
		return k.helpFor(k.Next, k.Edit, k.Back)
	}
	return k.helpFor(k.Next, k.Back)
}

// discoveryURL is what discovery reads, for the spinner line.
func discoveryURL(domain string) string {
	if strings.HasPrefix(domain, "http://") || strings.HasPrefix(domain, "https://") {
		return strings.TrimSuffix(domain, "/") + "/.well-known/openid-configuration"
	}
	return "https://" + domain + "/.well-known/openid-configuration"
}

// valueLine renders "label  value", the value on its own line when the two
// do not fit side by side.
func valueLine(st styles, label, value string, width int) string {
	const col = 16
	l := fmt.Sprintf("%-*s", col, label)
	if col+lipWidth(value) <= width {
		return st.label.Render(l) + st.value.Render(value)
	}
	return st.label.Render(label) + "\n  " + st.value.Render(wrap(value, width-2))
}
