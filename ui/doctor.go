package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// doctorScreen runs the doctor's checks of an existing setup (the same ones
// as `auth0-wizard doctor`) and lists each verdict with why and the fix.
type doctorScreen struct {
	*common
	running bool
	results []steps.CheckResult
	err     error
	cmd     tea.Cmd
	vp      viewport.Model
	width   int
	height  int
}

func newDoctorScreen(c *common, _ int) screen {
	vp := viewport.New()
	vp.KeyMap.Left.SetEnabled(false)
	vp.KeyMap.Right.SetEnabled(false)
	s := &doctorScreen{common: c, vp: vp, running: true}
	sess := c.sess
	// Checking an existing setup: what the check screen named (the
	// journal's settings fill what was left empty); after a run: the run's
	// journal and settings.
	target, set := sess.doctorOpt, sess.settings
	if !sess.doctor {
		target, set = afterRunTarget(c.opts, sess), steps.WithDefaults(set)
	}
	s.cmd = runDoctor(c.opts.Context, c.opts.NewClient, sess.client, sess.wso2, sess.journal, target, sess.playbook, set)
	return s
}

func (s *doctorScreen) Init() tea.Cmd { return s.cmd }

func (s *doctorScreen) SetSize(w, h int) {
	s.width, s.height = w, h
	s.vp.SetWidth(w)
	s.vp.SetHeight(max(h-2, 1))
	s.refresh()
}

func (s *doctorScreen) Frame() frame {
	f := frame{
		Title:   "Check the setup",
		Explain: "The doctor's checks, in order: tenant, management credentials and scopes, then what the playbook made. A check that depends on a failed one is skipped rather than failed again. Nothing is changed.",
		Busy:    s.running, Fills: true,
	}
	if s.sess.doctor {
		f.Count = fmt.Sprintf("check · step %d of %d", doctorSteps, doctorSteps)
	}
	return f
}

func (s *doctorScreen) refresh() {
	if s.width == 0 || s.common == nil {
		return
	}
	s.vp.SetContent(s.content())
}

func (s *doctorScreen) Update(msg tea.Msg) (screen, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.BackgroundColorMsg:
		s.refresh() // the scrolled part is rendered ahead: in the new palette
		return s, nil
	case doctorDoneMsg:
		s.running = false
		s.results, s.err = msg.Results, msg.Err
		s.refresh()
		s.vp.GotoTop()
		return s, report(checksDoneMsg{Results: msg.Results})
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, s.keys.Back):
			return s, wentBack
		case key.Matches(msg, s.keys.Recheck) && !s.running:
			s.running, s.results, s.err = true, nil, nil
			s.refresh()
			return s, s.cmd
		case key.Matches(msg, s.keys.QuitDone) && !s.running:
			return s, report(quitRequestedMsg{})
		}
	}
	var cmd tea.Cmd
	s.vp, cmd = s.vp.Update(msg)
	return s, cmd
}

// checkGlyph is a verdict as a glyph and a word, never colour alone.
func (s *doctorScreen) checkGlyph(st steps.CheckStatus) string {
	switch st {
	case steps.CheckPass:
		return s.styles.ok.Render("✓ PASS")
	case steps.CheckWarn:
		return s.styles.warn.Render("! WARN")
	case steps.CheckFail:
		return s.styles.fail.Render("✗ FAIL")
	}
	return s.styles.muted.Render("- SKIP")
}

func (s *doctorScreen) content() string {
	var b strings.Builder
	for _, r := range s.results {
		// The title wraps under itself: a long identifier is not cut.
		for i, l := range strings.Split(wrap(r.Title, s.width-8), "\n") {
			lead := "        "
			if i == 0 {
				lead = s.checkGlyph(r.Status) + "  "
			}
			b.WriteString(lead + s.styles.value.Render(l) + "\n")
		}
		if r.Why != "" {
			b.WriteString(s.styles.muted.Render(indent(wrap(r.Why, s.width-8), "        ")) + "\n")
		}
		// The fix in the wizard's words: what its screens offer, never a
		// flag, an environment variable or a config key.
		if fix := r.FixFor(steps.FrontWizard); fix != "" && (r.Status == steps.CheckFail || r.Status == steps.CheckWarn) {
			b.WriteString(indent(wrap("fix: "+fix, s.width-8), "        ") + "\n")
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

func (s *doctorScreen) View() string {
	switch {
	case s.running:
		return s.spinner + " checking the tenant, the application, its grant and a token …"
	case s.err != nil:
		return s.styles.fail.Render(wrap("✗ "+s.err.Error(), s.width))
	}
	var pass, warn, fail int
	for _, r := range s.results {
		switch r.Status {
		case steps.CheckPass:
			pass++
		case steps.CheckWarn:
			warn++
		case steps.CheckFail:
			fail++
		}
	}
	warnings := fmt.Sprintf("%d warning%s", warn, plural(warn, "", "s"))
	verdict := s.styles.ok.Render(fmt.Sprintf("✓ no check failed (%d passed, %s)", pass, warnings))
	if fail > 0 {
		verdict = s.styles.fail.Render(fmt.Sprintf("✗ %d check%s failed, %d passed, %s", fail, plural(fail, "", "s"), pass, warnings))
	}
	// How much is below: beside the verdict, else on the line under it
	// (at 60 columns it did not fit beside and was left out, so what the
	// screen cut looked like the end).
	gap := "\n\n"
	if more := moreHint(s.styles, s.vp); more != "" {
		if lipgloss.Width(verdict+more) <= s.width {
			verdict += more
		} else {
			gap = "\n" + s.styles.muted.Render(strings.TrimSpace(ansi.Strip(more))) + "\n"
		}
	}
	return verdict + gap + s.vp.View()
}

// moreHint says how many lines of a scrolled view are below it ("" when
// none), so that what the screen cuts is not taken for the end.
func moreHint(st styles, vp viewport.Model) string {
	below := vp.TotalLineCount() - vp.YOffset() - vp.VisibleLineCount()
	if below <= 0 {
		return ""
	}
	return st.muted.Render(fmt.Sprintf("  ↓ %d more (↑/↓ scroll)", below))
}

func (s *doctorScreen) Keys() help.KeyMap {
	k := s.keys
	if s.running {
		return k.helpFor(k.Back)
	}
	sc := key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "scroll"))
	again := k.Recheck
	again.SetHelp("r", "run again")
	return k.helpFor(sc, again, k.Back, k.QuitDone)
}

// indent prefixes every line.
func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}
