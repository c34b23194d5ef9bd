package ui

import (
	"slices"
	"strings"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// authorizeKey is the key of the application screen's step 3.3 field.
const authorizeKey = "authorize_clients"

// applicationScreen is the application step. In a playbook that can
// authorize applications WSO2's connector made (Playbook.Expand) and when
// WSO2's side is done by hand, it also offers the guide's step 3.3: the
// tenant's applications the connector made, listed when the screen opens,
// those not yet authorized for the API in a multi-select whose picks go to
// Settings.AuthorizeClients (the run creates their grants), those already
// authorized shown as such.
type applicationScreen struct {
	formScreen
	step    steps.Step
	index   int
	apps    []steps.ConnectorApp // the connector's applications, as last listed
	listing bool
	listed  bool
	err     error
}

func newApplicationScreen(c *common, index int) screen {
	step := c.sess.playbook.Steps[index]
	s := &applicationScreen{step: step, index: index, apps: c.sess.connector, listed: c.sess.connector != nil}
	s.formScreen = formScreen{common: c, build: s.buildForm}
	s.form, s.first = s.buildForm()
	s.asked = s.askedNow
	s.shape = s.asked()
	s.listing = s.offersAuthorize()
	return s
}

// offersAuthorize says whether the screen offers step 3.3.
func (s *applicationScreen) offersAuthorize() bool {
	return s.sess.playbook.Expand != nil && !connected(s.sess.settings)
}

// unauthorized are the connector's applications not yet authorized.
func (s *applicationScreen) unauthorized() []steps.ConnectorApp {
	var out []steps.ConnectorApp
	for _, a := range s.apps {
		if !a.Authorized {
			out = append(out, a)
		}
	}
	return out
}

func (s *applicationScreen) askedNow() []string {
	keys := askedInputs(s.step, s.sess.settings)
	if s.listed && s.offersAuthorize() && len(s.unauthorized()) > 0 {
		keys = append(keys, authorizeKey)
	}
	return keys
}

// buildForm is the step's inputs and, once the connector's applications
// are listed, the multi-select of those to authorize.
func (s *applicationScreen) buildForm() (*huh.Form, huh.Field) {
	fields := stepFields(&s.sess.settings, s.step, false)
	if slices.Contains(s.askedNow(), authorizeKey) {
		fields = append(fields, authorizeField(&s.sess.settings, s.unauthorized(), s.width))
	}
	return stepForm(fields, s.theme(), false)
}

// authorizeField is step 3.3's multi-select of the connector's applications
// not yet authorized (unauthorized), its picks bound to
// set.AuthorizeClients; the screen and accessible mode both ask it.
func authorizeField(set *steps.Settings, unauthorized []steps.ConnectorApp, width int) huh.Field {
	var opts []huh.Option[string]
	for _, a := range unauthorized {
		opts = append(opts, huh.NewOption(optionLabel(a.App, width-2-6), a.App.ClientID)) // less the bar and "> [•] "
	}
	// Only the applications listed: a pick of an earlier visit that is
	// now authorized is not asked again.
	set.AuthorizeClients = slices.DeleteFunc(set.AuthorizeClients, func(id string) bool {
		return !slices.ContainsFunc(unauthorized, func(a steps.ConnectorApp) bool { return a.App.ClientID == id })
	})
	desc := "applications WSO2's connector made, not yet authorized for " + steps.Printable(set.APIIdentifier) + ": space picks, enter goes on"
	// huh's height counts the title and the description as wrapped
	// (and without one it leaves the options no line at all): up to
	// five options in sight, the rest scrolled.
	w := max(width-2, 20) // less the field's bar
	descLines := (lipWidth(desc) + w - 1) / w
	return huh.NewMultiSelect[string]().
		Key(authorizeKey).
		Title("Authorize for the API (step 3.3)").
		Description(desc).
		Options(opts...).
		Height(min(len(opts), 5) + 1 + descLines).
		Value(&set.AuthorizeClients)
}

func (s *applicationScreen) Init() tea.Cmd {
	cmd := s.formScreen.Init()
	if s.listing {
		set := steps.WithDefaults(s.sess.settings)
		cmd = tea.Batch(cmd, connectorApps(s.opts.Context, s.sess.client, s.opts.NewClient, set))
	}
	return cmd
}

func (s *applicationScreen) Update(msg tea.Msg) (screen, tea.Cmd) {
	if msg, ok := msg.(connectorAppsMsg); ok {
		s.listing, s.listed, s.err = false, true, msg.Err
		if msg.Err != nil {
			return s, nil
		}
		s.apps = msg.Apps
		if msg.Apps == nil {
			s.apps = []steps.ConnectorApp{}
		}
		return s, tea.Batch(report(connectorListedMsg{Apps: s.apps}), s.reshape())
	}
	completed, cmd := s.forward(msg)
	if completed {
		return s, stepDone
	}
	return s, cmd
}

func (s *applicationScreen) Frame() frame {
	f := stepFrame(s.sess, s.index)
	f.Typing, f.Error = s.typing(), s.hasError()
	return f
}

func (s *applicationScreen) View() string {
	st := s.styles
	v := s.formScreen.View()
	var notes []string
	switch {
	case s.listing:
		notes = append(notes, s.spinner+" listing the applications WSO2's connector made (step 3.3) …")
	case s.err != nil:
		notes = append(notes, st.warn.Render(wrap("! step 3.3: "+s.err.Error(), s.width)))
	case s.listed && s.offersAuthorize():
		var done []string
		for _, a := range s.apps {
			if a.Authorized {
				done = append(done, steps.Printable(a.App.Name))
			}
		}
		if len(done) > 0 {
			notes = append(notes, st.ok.Render(wrap("✓ already authorized for the API: "+strings.Join(done, ", "), s.width)))
		}
		if len(s.apps) == 0 {
			notes = append(notes, st.muted.Render(wrap("Step 3.3: WSO2's connector has made no application in this tenant yet; once keys are generated in the developer portal, run the wizard again to authorize it.", s.width)))
		}
	}
	if len(s.step.Actions) > 0 {
		var kinds []string
		for _, a := range s.step.Actions {
			kinds = append(kinds, kindLabel(a))
		}
		notes = append(notes, st.muted.Render(wrap("In the tenant: "+strings.Join(kinds, ", ")+", created when missing, reused when present.", s.width)))
	}
	for _, n := range notes {
		if s.height > 0 && lipHeight(v)+1+lipHeight(n) > s.height {
			break // the form and its errors come first
		}
		v += "\n\n" + n
	}
	return v
}

func (s *applicationScreen) Keys() help.KeyMap {
	return s.keys.helpFor(s.keys.Next, s.keys.Back)
}

// optionLabel is how step 3.3 lists an application, "name (client ID)",
// in w columns: huh wraps a wider option and the screen then cut it in the
// middle of the ID, so the ID is shortened with "…" (or left out, and the
// name cut at a word, when there is no room for a useful part of it).
func optionLabel(app steps.App, w int) string {
	name, id := steps.Printable(app.Name), steps.Printable(app.ClientID)
	label := name + " (" + id + ")"
	if w <= 0 || lipWidth(label) <= w {
		return label
	}
	if room := w - lipWidth(name) - 3; room >= 7 {
		return name + " (" + ansi.Truncate(id, room-1, "") + "…)"
	}
	return cutAtWord(name, w)
}

// kindLabel is how a person names a resource kind (steps.KindLabel, and a
// kind it has no label for in words).
func kindLabel(k steps.ResourceKind) string {
	l := steps.KindLabel(k)
	if l == string(k) {
		l = strings.ReplaceAll(l, "_", " ")
		l = strings.Replace(l, "wso2", "WSO2", 1)
	}
	return l
}
