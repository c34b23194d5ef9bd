package ui

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// apimScreen asks for WSO2 API Manager's URL and, optionally, its admin's
// credentials. With the password, leaving the last field checks what can be
// checked before any change: the REST API versions the server speaks and
// that the credentials work (listing the key managers needs the admin
// scopes); a wrong password or an API version this tool does not know stays
// on this screen with the fix. Without the password there is nothing to
// check: WSO2's side is done by hand with the values the next screens show.
type apimScreen struct {
	checkedForm
	kms []steps.WSO2KeyManagerInfo
}

func newAPIMScreen(c *common, index int) screen {
	s := &apimScreen{checkedForm: newCheckedForm(c, index, "✗ ", "")}
	return s
}

func (s *apimScreen) Update(msg tea.Msg) (screen, tea.Cmd) {
	if msg, ok := msg.(wso2CheckedMsg); ok {
		if !s.checking {
			return s, nil // the check was left with esc
		}
		if msg.Err != nil {
			s.hint = apimHint(msg.Err)
			return s, s.failed(msg.Err)
		}
		s.checking, s.checked, s.err = false, true, nil
		s.kms = msg.KeyManagers
		return s, report(apimCheckedMsg{Client: msg.Client, Version: msg.Version})
	}
	completed, cmd := s.forward(msg)
	if !completed {
		return s, cmd
	}
	set := &s.sess.settings
	set.APIMURL = strings.TrimSpace(set.APIMURL) // the form's own field: what it checks
	if !connected(*set) {
		// WSO2's side by hand: nothing to check, and no client to keep.
		return s, tea.Batch(report(apimCheckedMsg{}), stepDone)
	}
	s.checking, s.err = true, nil
	return s, checkAPIM(s.opts.Context, s.opts.NewWSO2Client, *set)
}

// apimHint is what to do about a failed check of the API Manager.
func apimHint(err error) string {
	var verr *steps.WSO2VersionError
	switch {
	case errors.Is(err, errNoWSO2Client):
		return "Leave the admin password empty to do WSO2's side by hand: the next screens show every value to type."
	case errors.As(err, &verr):
		return "Or leave the admin password empty: WSO2's side is then done by hand, with the values the next screens show."
	}
	return "Fix the URL, user or password above and press enter on the last field to check again; or leave the password empty to do WSO2's side by hand."
}

func (s *apimScreen) View() string {
	st := s.styles
	set := s.sess.settings
	var b strings.Builder
	summary := func() {
		b.WriteString(valueLine(st, "API Manager", steps.Printable(set.APIMURL), s.width) + "\n")
		b.WriteString(valueLine(st, "Admin user", steps.Printable(set.WSO2AdminUser), s.width) + "\n")
		b.WriteString(valueLine(st, "Admin password", mask(set.WSO2AdminPassword), s.width) + "\n")
		if set.WSO2AppName != "" {
			b.WriteString(valueLine(st, "Application", steps.Printable(set.WSO2AppName), s.width) + "\n")
		}
		b.WriteString("\n")
	}
	switch {
	case s.checking:
		summary()
		b.WriteString(s.spinner + " " + wrap("asking the API Manager for its REST API versions, then for its key managers with these credentials …", max(s.width-2, 10)))
	case s.checked:
		summary()
		v := s.sess.wso2Ver
		b.WriteString(st.ok.Render(wrap(fmt.Sprintf("✓ WSO2 answers: Admin REST API %s, Developer Portal REST API %s%s; the credentials work",
			orDash(v.Admin), orDash(v.DevPortal), productOf(v)), s.width)) + "\n")
		names := make([]string, 0, len(s.kms))
		for _, km := range s.kms {
			names = append(names, steps.Printable(km.Name))
		}
		b.WriteString(st.muted.Render(wrap(fmt.Sprintf("Key managers registered now: %s. The review shows whether the Auth0 one is created, reused or updated.",
			orDash(strings.Join(names, ", "))), s.width)))
	default:
		b.WriteString(s.editView())
	}
	return b.String()
}

func productOf(v steps.WSO2Version) string {
	if v.Product == "" {
		return ""
	}
	return " (API Manager " + steps.Printable(v.Product) + ")"
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func (s *apimScreen) Keys() help.KeyMap {
	return s.keysFor(s.keys.Next, s.keys.Edit, s.keys.Back)
}
