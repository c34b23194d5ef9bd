package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// tenantScreen asks for the domain; leaving the field runs discovery, whose
// result (or failure, with the reason) shows on the same screen.
type tenantScreen struct {
	checkedForm
	sess *session
}

func newTenantScreen(sess *session, step steps.Step, st styles, k keyMap, o Options) tenantScreen {
	c := newCheckedForm(sess, step, st, k, o, "✗ discovery failed: ",
		"Check the domain (a host, e.g. my-tenant.us.auth0.com) and your network, then press enter to try again.")
	return tenantScreen{checkedForm: c, sess: sess}
}

// tenantClient is c when the management screen already built one, else a new
// client for set.
func tenantClient(c steps.Client, newClient func(steps.Settings) (steps.Client, error), set steps.Settings) (steps.Client, error) {
	if c != nil {
		return c, nil
	}
	if newClient == nil {
		return nil, errors.New("no tenant client configured")
	}
	return newClient(set)
}

// discover is the Cmd that reads the tenant's discovery document.
func discover(ctx context.Context, newClient func(steps.Settings) (steps.Client, error), domain string) tea.Cmd {
	return func() tea.Msg {
		c, err := tenantClient(nil, newClient, steps.Settings{Domain: domain})
		if err != nil {
			return discoveredMsg{Domain: domain, Err: err}
		}
		ep, err := c.Discover(ctx)
		return discoveredMsg{Domain: domain, Endpoints: ep, Err: err}
	}
}

func (s tenantScreen) Update(msg tea.Msg) (tenantScreen, tea.Cmd) {
	if msg, ok := msg.(discoveredMsg); ok {
		if msg.Domain != s.sess.settings.Domain {
			return s, nil // an answer for a domain no longer on screen
		}
		if msg.Err != nil {
			return s, s.failed(msg.Err)
		}
		s.checking, s.checked, s.err = false, true, nil
		s.sess.endpoints = msg.Endpoints
		return s, nil
	}
	completed, cmd := s.forward(msg)
	if !completed {
		return s, cmd
	}
	s.checking = true
	s.err = nil
	s.sess.settings.Domain = strings.TrimSpace(s.sess.settings.Domain)
	return s, discover(s.ctx, s.client, s.sess.settings.Domain)
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
		b.WriteString(s.editView())
	}
	return b.String()
}

func (s tenantScreen) Keys() bindings {
	return s.keysFor(s.keys.Next, s.keys.Edit, s.keys.Back)
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
