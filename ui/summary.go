package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// summaryScreen is the end: endpoints, keys (secret masked until asked),
// the token check, the journal and the exports.
type summaryScreen struct {
	*common
	vp       viewport.Model
	revealed bool
	reveal   bool // --reveal-secrets
	formats  []string
	format   int
	status   string
	gateway  bool
	list     fieldList
	width    int
	height   int
}

func newSummaryScreen(c *common, _ int) screen {
	vp := viewport.New()
	vp.KeyMap.Left.SetEnabled(false)
	vp.KeyMap.Right.SetEnabled(false)
	vp.KeyMap.PageDown.SetKeys("pgdown", "space")
	vp.KeyMap.PageUp.SetKeys("pgup")
	vp.KeyMap.HalfPageDown.SetKeys("pgdown")
	vp.KeyMap.HalfPageUp.SetKeys("ctrl+u")
	vp.KeyMap.Up.SetKeys("up")
	vp.KeyMap.Down.SetKeys("down")
	s := &summaryScreen{
		common: c, vp: vp, reveal: c.opts.Reveal, revealed: c.opts.Reveal,
		formats: slices.Clone(c.sess.playbook.Gateway.Exports),
	}
	s.refresh()
	return s
}

func (s *summaryScreen) Init() tea.Cmd { return nil }

func (s *summaryScreen) Frame() frame {
	st, i := summaryStep(s.sess.playbook)
	return frame{Count: fmt.Sprintf("step %d of %d", i+1, len(s.sess.playbook.Steps)), Title: st.Title, Fills: true}
}

func (s *summaryScreen) SetSize(w, h int) {
	s.width, s.height = w, h
	s.vp.SetWidth(w)
	s.fitViewport()
	s.refresh()
}

// statusView is the status line(s) under the exports, wrapped; "" when none.
func (s *summaryScreen) statusView() string { return statusView(s.styles, s.status, s.width) }

// statusView is a status of one or more lines, each wrapped and styled by
// its glyph (✓, ✗, !; a line without one is muted).
func statusView(st styles, status string, width int) string {
	if status == "" {
		return ""
	}
	var lines []string
	for _, l := range strings.Split(status, "\n") {
		style := st.muted
		switch {
		case strings.HasPrefix(l, "✓"):
			style = st.ok
		case strings.HasPrefix(l, "✗"):
			style = st.fail
		case strings.HasPrefix(l, "!"):
			style = st.warn
		}
		lines = append(lines, style.Render(wrap(l, width)))
	}
	return strings.Join(lines, "\n")
}

// summaryNotes are what the person must know after the run: how reused
// resources differ from what was asked and other warnings of the plan
// (an HS256 API, say), and a callback the gateway needs that is missing.
func summaryNotes(sess *session) []string {
	var out []string
	for _, a := range sess.plan.Actions {
		for _, w := range a.Warnings {
			out = append(out, kindLabel(a.Kind)+" "+steps.Printable(a.Name)+": "+steps.Printable(w))
		}
	}
	if alg := sess.result.APISigningAlg; alg == "HS256" && !slices.ContainsFunc(out, func(n string) bool { return strings.Contains(n, "HS256") }) {
		out = append(out, "the API signs its tokens with HS256 (a secret of the API): the gateway cannot check them against the tenant's JWKS; the azure-policy export carries the secret when revealed")
	}
	set := sess.settings
	if sess.playbook.Has(steps.KindConnection) && set.APIMInstance == "" && sess.applied {
		out = append(out, "no APIM instance name was given, so the application allows no callback and the developer portal's login fails until you add its redirect URI "+
			steps.APIMRedirectURI("INSTANCE", set.APIMServer)+" (INSTANCE: your API Management service's name) under Applications → "+steps.Printable(set.AppName)+" → Settings → Allowed Callback URLs")
	}
	return out
}

// copyStatus says what a copy did (the terminal was sent the text: OSC 52
// has no answer), how to check it, and, under tmux, that it may not arrive
// and what to do instead.
func copyStatus(what, instead string, tmux bool) string {
	// Short: it shares the screen with what was copied (at 80x24 the key
	// manager's list kept one field beside five lines of it).
	s := "✓ sent " + what + " to the terminal's clipboard (OSC 52): paste to check (a terminal without OSC 52 ignores it)"
	if tmux {
		s += "\n! under tmux it may not arrive (only with `set -g set-clipboard on`): " + instead
	}
	return s
}

// fitViewport gives the scrolled part (and the gateway's list) what the
// exports row and the status under it leave.
func (s *summaryScreen) fitViewport() {
	h := s.height - 3
	if st := s.statusView(); st != "" {
		h -= lipHeight(st) - 1
	}
	s.vp.SetHeight(max(h, 1))
	s.list.SetSize(s.width, max(h, 1))
}

// exportPath is where a format is written.
func exportPath(dir string, id steps.PlaybookID, format string) string {
	ext := "." + format
	if f, err := steps.ExportFormatByName(format); err == nil && f.FileSuffix != "" {
		ext = f.FileSuffix
	}
	return filepath.Join(dir, "auth0-wizard-"+string(id)+ext)
}

// writeExport renders a format and writes it, 0600 when it carries a secret.
func writeExport(write func(string, []byte, os.FileMode) error, path, format string, r steps.Result, set steps.Settings, reveal bool) tea.Cmd {
	return func() tea.Msg {
		data, secret, err := steps.Export(format, r, set, reveal)
		if err != nil {
			return exportWrittenMsg{Format: format, Err: err}
		}
		perm := os.FileMode(0o644)
		if secret {
			perm = 0o600
		}
		if err := write(path, data, perm); err != nil {
			return exportWrittenMsg{Format: format, Err: fmt.Errorf("write %s export to %s: %w", format, path, err)}
		}
		masked := false
		if !reveal { // would the format carry a secret, were it shown?
			_, masked, _ = steps.Export(format, r, set, true)
		}
		return exportWrittenMsg{Format: format, Path: path, Secret: secret, Masked: masked}
	}
}

// maskedNote says what a format written with the secret hidden lacks, and
// how to have it.
func maskedNote(format string) string {
	const again = "press s, then export again to include it"
	switch format {
	case steps.FormatWSO2:
		return `! its "client_secret" is masked (********): ` + again + ", or fill it in the admin portal"
	case steps.FormatDotenv:
		return "! AUTH0_CLIENT_SECRET is left out: " + again
	case steps.FormatAzurePolicy:
		return "! the API's signing secret is left out: " + again
	}
	return `! its "client_secret" is masked (********): ` + again
}

func (s *summaryScreen) Update(msg tea.Msg) (screen, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.BackgroundColorMsg:
		s.refresh() // the scrolled part is rendered ahead: in the new palette
		return s, nil
	case exportWrittenMsg:
		if msg.Err != nil {
			s.status = "✗ " + msg.Err.Error()
			s.fitViewport()
			return s, nil
		}
		mode := "0644"
		if msg.Secret {
			mode = "0600, holds the secret"
		}
		s.status = fmt.Sprintf("✓ wrote %s (%s)", msg.Path, mode)
		if msg.Masked {
			s.status += "\n" + maskedNote(msg.Format)
		}
		s.fitViewport()
		s.refresh()
		return s, nil
	case tea.KeyPressMsg:
		r, set := s.sess.result, s.sess.settings
		switch {
		case key.Matches(msg, s.keys.QuitDone):
			return s, report(quitRequestedMsg{})
		case key.Matches(msg, s.keys.Doctor):
			return s, report(doctorRequestedMsg{})
		case key.Matches(msg, s.keys.Gateway):
			s.gateway = !s.gateway
			if s.gateway {
				shown, copies := gatewayFields(s.sess, s.sess.result, s.revealed)
				s.list = newFieldList(shown, copies, s.common)
				s.fitViewport()
			}
			return s, nil
		case key.Matches(msg, s.keys.Back) && s.gateway:
			s.gateway = false
			return s, nil
		case key.Matches(msg, s.keys.Reveal):
			s.revealed = !s.revealed
			if s.gateway {
				s.list.fields, _ = gatewayFields(s.sess, s.sess.result, s.revealed)
			}
			s.refresh()
			return s, nil
		case key.Matches(msg, s.keys.Left):
			s.format = (s.format + len(s.formats) - 1) % max(len(s.formats), 1)
			s.status = ""
			s.fitViewport()
			return s, nil
		case key.Matches(msg, s.keys.Right):
			s.format = (s.format + 1) % max(len(s.formats), 1)
			s.status = ""
			s.fitViewport()
			return s, nil
		case key.Matches(msg, s.keys.Export) && len(s.formats) > 0:
			f := s.formats[s.format]
			return s, writeExport(s.opts.WriteFile, exportPath(s.opts.ExportDir, s.sess.playbook.ID, f), f, r, set, s.revealed)
		case key.Matches(msg, s.keys.Copy) && !s.gateway && len(s.formats) > 0:
			f := s.formats[s.format]
			data, _, err := steps.Export(f, r, set, s.revealed)
			if err != nil {
				s.status = "✗ " + err.Error()
				s.fitViewport()
				return s, nil
			}
			s.status = copyStatus("the "+f+" export", "press enter to write it to "+exportPath(s.opts.ExportDir, s.sess.playbook.ID, f)+" instead", s.opts.Tmux)
			if _, masked, _ := steps.Export(f, r, set, true); masked && !s.revealed {
				s.status += "\n" + maskedNote(f)
			}
			s.fitViewport()
			return s, tea.SetClipboard(string(data))
		}
		if s.gateway {
			var cmd tea.Cmd
			s.list, cmd = s.list.Update(msg)
			return s, cmd
		}
	}
	var cmd tea.Cmd
	s.vp, cmd = s.vp.Update(msg)
	return s, cmd
}

// refresh re-renders the scrolled part.
func (s *summaryScreen) refresh() {
	if s.width == 0 || s.sess == nil {
		return
	}
	off := s.vp.YOffset()
	s.vp.SetContent(s.content())
	s.vp.SetYOffset(off)
}

func (s *summaryScreen) content() string {
	st := s.styles
	r := s.sess.result
	w := s.width
	width := w
	var b strings.Builder
	line := func(label, value string) { b.WriteString(valueLine(st, label, value, w) + "\n") }

	b.WriteString(st.ok.Render("✓ "+s.sess.playbook.Title+": done") + "\n")
	line("Client ID", r.ClientID)
	secret := mask(r.ClientSecret)
	if s.revealed {
		secret = r.ClientSecret
	}
	line("Client secret", secret)
	line("Audience", r.Audience)
	b.WriteString(tokenLine(st, "Token", r.Token, w) + "\n")
	if r.UserToken != nil {
		b.WriteString(tokenLine(st, "User token", *r.UserToken, w) + "\n")
	}
	if set := s.sess.settings; set.UserEmail != "" && s.sess.playbook.Gateway.ShowsUser {
		line("User", steps.Printable(set.UserEmail))
		if set.UserPassword != "" {
			pw := mask(set.UserPassword)
			if s.revealed {
				pw = steps.Printable(set.UserPassword)
			}
			line("User password", pw)
		}
	}
	if w := r.WSO2; w != nil {
		b.WriteString("\n" + st.title.Render("WSO2 API Manager") + "\n")
		line("URL", steps.Printable(w.URL))
		line("Key manager", steps.Printable(s.sess.settings.KeyManagerName)+"  "+st.muted.Render(steps.Printable(w.KeyManagerID)))
		line("Application", steps.Printable(s.sess.settings.WSO2AppName)+"  "+st.muted.Render(steps.Printable(w.ApplicationID)))
		line("Consumer key", steps.Printable(r.ClientID))
		line("Consumer secret", secret)
		b.WriteString(tokenLine(st, "WSO2 token", w.Token, width) + "\n")
	}
	if notes := summaryNotes(s.sess); len(notes) > 0 {
		b.WriteString("\n" + st.title.Render("Notes") + "\n")
		for _, n := range notes {
			b.WriteString(st.warn.Render(wrap("! "+n, w)) + "\n")
		}
	}

	ep := r.Endpoints
	b.WriteString("\n" + st.title.Render("Endpoints") + "\n")
	line("Issuer", ep.Issuer)
	line("Authorize", ep.AuthorizationEndpoint)
	line("Token", ep.TokenEndpoint)
	line("Userinfo", ep.UserinfoEndpoint)
	line("JWKS", ep.JWKSURI)
	line("Revoke", ep.RevocationEndpoint)
	line("Discovery", ep.OpenIDConfiguration)

	if len(r.Token.Claims) > 0 {
		b.WriteString("\n" + st.title.Render("Token claims") + "\n")
		for _, c := range steps.ClaimRows(r.Token.Claims) {
			line(c.Key, c.Value)
		}
	}
	if len(r.Resources) > 0 {
		b.WriteString("\n" + st.title.Render("Resources") + "\n" + resourceLines(st, r.Resources, w))
	}
	b.WriteString("\n")
	line("Journal", r.JournalPath)
	for _, f := range s.sess.exports {
		line("Exported", f)
	}
	b.WriteString(st.muted.Render(wrap("Next, in the gateway: press g for its form, ready to paste field by field; d runs the doctor's checks on what was made.", w)))
	return b.String()
}

func (s *summaryScreen) View() string {
	st := s.styles
	var top string
	if s.gateway {
		top = st.title.Render(s.sess.playbook.Gateway.Title) + "\n" + s.list.View()
	} else {
		top = s.vp.View()
	}
	var ex []string
	for i, f := range s.formats {
		if i == s.format {
			ex = append(ex, st.selected.Render("["+f+"]"))
		} else {
			ex = append(ex, st.muted.Render(" "+f+" "))
		}
	}
	bottom := st.label.Render("Export ") + strings.Join(ex, " ")
	status := s.statusView()
	if status != "" {
		bottom += "\n" + status
	}
	// Keep the exports line in place (the first status line takes the
	// spare last line; more push it up): the scrolled part gets the height
	// the rows under it leave.
	below := 1
	if status != "" {
		below = lipHeight(status)
	}
	more := ""
	if !s.gateway {
		more = moreHint(st, s.vp)
	}
	top = st.plain.Height(max(s.height-2-below, 1)).Render(top)
	return lipgloss.JoinVertical(lipgloss.Left, top, more, bottom)
}

func (s *summaryScreen) Keys() help.KeyMap {
	k := s.keys
	sc := key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "scroll"))
	ex := key.NewBinding(key.WithKeys("left", "right"), key.WithHelp("←/→/enter", "export"))
	// d and ? are offered too; ↑/↓ only where it fits, as the line above the
	// exports says "↓ N more (↑/↓ scroll)" whenever there is more.
	// s shows (or hides) every secret on the screen: the client secret
	// and, where the playbook made one, the test user's password.
	reveal, what := k.Reveal, "secret"
	if s.sess.playbook.Has(steps.KindUser) && s.sess.settings.UserPassword != "" {
		what = "secrets"
	}
	if s.revealed {
		what = "hide"
	}
	reveal.SetHelp("s", what)
	own := []key.Binding{reveal, ex, k.Copy, k.Gateway, k.Doctor, k.QuitDone, k.Help}
	if with := append([]key.Binding{sc}, own...); helpWidth(with) <= s.width {
		own = with
	}
	if s.gateway {
		back := k.Back
		back.SetHelp("esc", "summary")
		own = []key.Binding{k.Up, k.Copy, reveal, back, k.QuitDone}
	}
	if s.gateway {
		return bindings{short: own, full: [][]key.Binding{own, {k.Help, k.Quit}}}
	}
	return bindings{short: own, full: [][]key.Binding{{sc, reveal, k.Copy, k.Gateway, k.Doctor}, {k.Left, k.Right, k.Export}, {k.QuitDone, k.Help, k.Quit}}}
}

// tokenLine says whether the token verified, in a glyph and words: the
// verdict whole when it fits beside the label, else the word alone (the
// token claims below say the rest).
func tokenLine(st styles, label string, t steps.TokenCheck, width int) string {
	if !t.Verified {
		if t.Reason == "" {
			t.Reason = "no token"
		}
		return valueLine(st, label, st.fail.Render(steps.TokenVerdict(t)), width)
	}
	verdict := steps.TokenVerdict(t)
	if valueColumn+lipWidth(verdict) > width {
		verdict = steps.TokenVerdict(steps.TokenCheck{Verified: true})
	}
	return valueLine(st, label, st.ok.Render(verdict), width)
}

// resourceLines lists resources in columns: glyph and action, kind, then
// the name and its id. An id that does not fit beside its name goes under
// it, and a long name wraps in its own column, so the columns hold at 80.
func resourceLines(st styles, resources []steps.Resource, width int) string {
	kindW := 0
	for _, res := range resources {
		kindW = max(kindW, len(kindLabel(res.Kind)))
	}
	var b strings.Builder
	for _, res := range resources {
		head := fmt.Sprintf("%s %-7s %-*s  ", resourceGlyph(res.Action), res.Action, kindW, kindLabel(res.Kind))
		pad := strings.Repeat(" ", len(head))
		room := max(width-len(head), 10)
		name := strings.Split(wrap(res.Name, room), "\n")
		id := st.muted.Render(res.ID)
		last := len(name) - 1
		if res.ID != "" && lipWidth(name[last])+2+lipWidth(res.ID) <= room {
			name[last] += "  " + id
		} else if res.ID != "" {
			name = append(name, id)
		}
		b.WriteString(head + strings.Join(name, "\n"+pad) + "\n")
	}
	return b.String()
}

func resourceGlyph(action string) string {
	switch action {
	case "created":
		return "+"
	case "reused":
		return "="
	case "updated":
		return "~"
	}
	return "·"
}
