package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"github.com/auth0-wizard/auth0-wizard/internal/hostname"
)

// tenantScreen asks for the domain; leaving the field runs discovery, whose
// result (or failure, with the reason) shows on the same screen.
type tenantScreen struct {
	checkedForm
}

func newTenantScreen(c *common, index int) screen {
	return &tenantScreen{checkedForm: newCheckedForm(c, index, "✗ discovery failed: ",
		"Check the domain (a host, e.g. my-tenant.us.auth0.com) and your network, then press enter to try again.")}
}

func (s *tenantScreen) Update(msg tea.Msg) (screen, tea.Cmd) {
	if msg, ok := msg.(discoveredMsg); ok {
		if msg.Domain != s.sess.settings.Domain {
			return s, nil // an answer for a domain no longer on screen
		}
		if msg.Err != nil {
			return s, s.failed(msg.Err)
		}
		s.checking, s.checked, s.err = false, true, nil
		return s, report(tenantCheckedMsg{Endpoints: msg.Endpoints})
	}
	completed, cmd := s.forward(msg)
	if !completed {
		return s, cmd
	}
	s.checking = true
	s.err = nil
	domain := domainHost(s.sess.settings.Domain)
	s.sess.settings.Domain = domain // the form's own field: what it checks, shows and keeps
	return s, discover(s.opts.Context, s.opts.NewClient, domain)
}

func (s *tenantScreen) View() string {
	st := s.styles
	var b strings.Builder
	switch {
	case s.checking:
		b.WriteString(valueLine(st, "Tenant domain", s.sess.settings.Domain, s.width) + "\n\n")
		b.WriteString(s.spinner + " reading " + discoveryURL(s.sess.settings.Domain) + " …")
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

func (s *tenantScreen) Keys() help.KeyMap {
	return s.keysFor(s.keys.Next, s.keys.Edit, s.keys.Back)
}

// domainHost is a domain as the wizard keeps, shows and uses it: the host
// (and port) hostname.ParseDomain makes of what was typed, lower case,
// without a scheme or a trailing slash; a loopback sandbox given as an
// http:// URL keeps its http://, the one thing the host alone cannot say.
// A domain ParseDomain refuses is kept as typed (less the spaces around
// it): the field's validation says what is wrong with it.
func domainHost(domain string) string {
	d := strings.TrimSpace(domain)
	u, err := hostname.ParseDomain(d)
	switch {
	case err != nil:
		return d
	case u.Scheme == "http":
		return "http://" + u.Host
	}
	return u.Host
}

// discoveryURL is what discovery reads, for the spinner line.
// The scheme in any case (HTTP:// too), HTTPS for a bare host, as the
// client is made (hostname.Scheme, hostname.Of).
func discoveryURL(domain string) string {
	return hostname.Scheme(domain) + "://" + hostname.Of(domain) + "/.well-known/openid-configuration"
}

// valueColumn is where valueLine puts a value beside its label.
const valueColumn = 16

// valueLine renders "label  value", the value on its own line when the two
// do not fit side by side.
func valueLine(st styles, label, value string, width int) string {
	l := fmt.Sprintf("%-*s", valueColumn, label)
	if valueColumn+lipWidth(value) <= width {
		return st.label.Render(l) + st.value.Render(value)
	}
	// On its own line, each line of it indented (a secret or a URL wider
	// than the screen is cut into lines that stay under the label).
	lines := strings.Split(wrap(value, width-2), "\n")
	for i, v := range lines {
		lines[i] = "  " + st.value.Render(v)
	}
	return st.label.Render(label) + "\n" + strings.Join(lines, "\n")
}
