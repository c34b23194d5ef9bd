package ui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// doctorSteps is how many screens "check an existing setup" has: the
// tenant, the management application, what to check, the checks.
const doctorSteps = 4

// checkTargetScreen asks what "check an existing setup" checks: the
// journal of the run that made it (prefilled with the playbook's default
// journal when that file exists), or the names the setup was made with and
// the application's client ID (and, to mint its token, its secret). What is
// left empty comes from the journal, else the playbook's defaults. These
// are what the doctor's fixes ask for ("give the client ID of the
// application to check, or its name, or the journal").
type checkTargetScreen struct {
	formScreen
	target *doctorTarget
}

// checkInput is one field of the screen.
type checkInput struct {
	key, label, help string
	secret           bool
	value            *string
	placeholder      string
}

func newCheckTargetScreen(c *common, _ int) screen {
	sess := c.sess
	t := initialCheckTarget(c.opts, sess)
	s := &checkTargetScreen{target: &t}
	s.formScreen = newFormScreen(c, func() (*huh.Form, huh.Field) {
		return newCheckTargetForm(sess, &t, c.theme(), false)
	})
	return s
}

// initialCheckTarget is what the screen starts from: what was given
// before, else the playbook's default journal when that file exists.
func initialCheckTarget(o Options, sess *session) doctorTarget {
	t := sess.doctorOpt
	if t.journal == "" && t.clientID == "" {
		if p := journalPath(o, sess.playbook.ID); slices.Contains(o.ExistingJournals, p) {
			t.journal = p
		}
	}
	return t
}

// newCheckTargetForm is the form of what to check, bound to t and the
// settings; the screen and accessible mode both run it. In accessible mode
// a prefilled value is shown in brackets, as the step forms show theirs
// (an empty answer keeps it, a "-" clears it: see clearedInput).
func newCheckTargetForm(sess *session, t *doctorTarget, theme huh.Theme, accessible bool) (*huh.Form, huh.Field) {
	var fields []huh.Field
	for _, in := range checkInputs(sess, t) {
		title := in.label
		if accessible && !in.secret && *in.value != "" {
			title += " [" + steps.Printable(*in.value) + "] (- clears it)"
		}
		f := huh.NewInput().Key(in.key).Title(title).Description(in.help).Placeholder(in.placeholder).Value(in.value)
		if in.secret {
			f = f.EchoMode(huh.EchoModePassword)
		}
		if in.key == "journal" {
			f = f.Validate(validateJournal)
		}
		fields = append(fields, f)
	}
	return stepForm(fields, theme, accessible)
}

// clearedInput is what line mode types to clear a prefilled value (huh's
// line prompt keeps it on an empty answer).
const clearedInput = "-"

// checkTargetExplain is what the what-to-check step says first.
const checkTargetExplain = "The doctor checks the setup a run made: give its journal, or the names it was made with (and the application's client ID when its name is not unique). " +
	"A field left empty comes from the journal, else the playbook's default. Nothing is changed."

// checkInputs are the screen's fields, bound to the target and the
// settings; the names' placeholders are the playbook's defaults.
func checkInputs(sess *session, t *doctorTarget) []checkInput {
	p := sess.playbook
	def := func(key string) string {
		for _, in := range p.Inputs() {
			if in.Key == key && in.Default != nil {
				return in.Default(steps.WithDefaults(sess.settings))
			}
		}
		return ""
	}
	empty := "empty: from the journal, else "
	ins := []checkInput{
		{key: "journal", label: "Journal of the run that made it", value: &t.journal,
			help: "its settings and resource ids say what to check; clear it to name what to check below", placeholder: "none: the fields below say what to check"},
		{key: "api_identifier", label: "API identifier (audience)", value: &sess.settings.APIIdentifier,
			help: empty + "the playbook's default", placeholder: def("api_identifier")},
	}
	if _, ok := p.Step("application"); ok && p.Has(steps.KindClient) {
		ins = append(ins,
			checkInput{key: "app_name", label: "Application name", value: &sess.settings.AppName,
				help: empty + "the playbook's default", placeholder: def("app_name")},
			checkInput{key: "app_client_id", label: "Application client ID (optional)", value: &t.clientID,
				help: "the application to check, instead of finding it by name"},
			checkInput{key: "app_client_secret", label: "Application secret (optional)", secret: true, value: &t.clientSecret,
				help: "the one the gateway holds, to mint its token; empty: read from the tenant (read:client_keys)"})
	}
	if p.Has(steps.KindConnection) {
		ins = append(ins, checkInput{key: "connection_name", label: "Database connection name", value: &sess.settings.ConnectionName,
			help: empty + "the playbook's default", placeholder: def("connection_name")})
	}
	if p.Has(steps.KindUser) {
		ins = append(ins,
			checkInput{key: "user_email", label: "Test user's email", value: &sess.settings.UserEmail,
				help: "empty: from the journal; without it the user is not checked"},
			checkInput{key: "user_password", label: "Test user's password (optional)", secret: true, value: &sess.settings.UserPassword,
				help: "to try a login of the user"})
	}
	return ins
}

// validateJournal accepts any path: whether the journal is there is
// checked when the checks run (in a Cmd, never in Update), and said there.
func validateJournal(v string) error {
	return rejectControlIn("the journal path", v)
}

// rejectControlIn refuses a path holding control characters.
func rejectControlIn(what, v string) error {
	if p := steps.Printable(v); p != v {
		return fmt.Errorf("%s %s contains a control character", what, p)
	}
	return nil
}

func (s *checkTargetScreen) Update(msg tea.Msg) (screen, tea.Cmd) {
	completed, cmd := s.forward(msg)
	if completed {
		t := *s.target
		t.journal, t.clientID = strings.TrimSpace(t.journal), strings.TrimSpace(t.clientID)
		return s, report(checkTargetMsg{Target: t})
	}
	return s, cmd
}

func (s *checkTargetScreen) Frame() frame {
	return frame{
		Count: "check · step 3 of 4", Title: "What to check",
		Explain: checkTargetExplain,
		Typing:  s.typing(), Error: s.hasError(),
	}
}

func (s *checkTargetScreen) Keys() help.KeyMap {
	return s.keys.helpFor(s.keys.Next, s.keys.Back)
}
