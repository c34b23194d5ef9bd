package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// reviewScreen shows Engine.Plan's actions as create / reuse / update before
// anything changes in the tenant.
type reviewScreen struct {
	*common
	planning bool
	planned  bool
	err      error
	cmd      tea.Cmd // the planning command, run by Init
	width    int
	height   int
	// conflict is the journal conflict the plan met (nil for none): the
	// screen says it in the wizard's words, the journal dialog offers
	// the ways out.
	conflict *journalConflict
	tearing  bool   // the journal's earlier run is being torn down
	torn     string // the journal whose earlier run was torn down
	teardown tea.Cmd
}

func newReviewScreen(c *common, _ int) screen {
	s := &reviewScreen{common: c}
	sess := c.sess
	set := steps.WithDefaults(sess.settings)
	if err := sess.playbook.Validate(set); err != nil {
		s.err = err
		return s
	}
	s.planning = true
	path := journalPath(c.opts, sess.playbook.ID)
	s.cmd = plan(c.opts.Context, c.opts.NewClient, sess.client, sess.wso2, sess.playbook, set, path, c.opts.Reveal)
	s.teardown = tearDown(c.opts.Context, c.opts.NewClient, sess.client, sess.wso2, set, path)
	return s
}

func (s *reviewScreen) Init() tea.Cmd { return s.cmd }

func (s *reviewScreen) SetSize(w, h int) { s.width, s.height = w, h }

func (s *reviewScreen) Frame() frame {
	_, i := summaryStep(s.sess.playbook)
	return frame{
		Count: fmt.Sprintf("before step %d of %d", i+1, len(s.sess.playbook.Steps)), Title: "Review the plan",
		Explain: "What the wizard will do in the tenant. Nothing has changed yet: enter applies, esc goes back to change a value.",
		Busy:    s.planning || s.tearing,
	}
}

func (s *reviewScreen) Update(msg tea.Msg) (screen, tea.Cmd) {
	switch msg := msg.(type) {
	case plannedMsg:
		s.planning = false
		if msg.Conflict != nil {
			s.err, s.conflict = msg.Err, msg.Conflict
			return s, report(journalConflictMsg{Conflict: *msg.Conflict})
		}
		if msg.Err != nil {
			s.err = msg.Err
			return s, nil
		}
		s.planned = true
		return s, report(planMadeMsg{Plan: msg.Plan, Journal: msg.Journal})
	case teardownRequestedMsg:
		if s.conflict == nil || !s.conflict.sameTenant || s.planning || s.tearing {
			return s, nil
		}
		s.tearing, s.err = true, nil
		return s, s.teardown
	case tornDownMsg:
		s.tearing = false
		if msg.Err != nil {
			s.err = fmt.Errorf("tear the earlier run down: %w", msg.Err)
			return s, nil
		}
		s.torn, s.conflict, s.planning = s.conflict.path, nil, true
		return s, s.cmd
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, s.keys.Back) && !s.tearing:
			return s, wentBack
		case key.Matches(msg, s.keys.Next) && s.planned:
			return s, report(applyConfirmedMsg{})
		case key.Matches(msg, s.keys.Recheck) && s.err != nil && !s.planning && !s.tearing && s.cmd != nil:
			s.err, s.conflict = nil, nil
			s.planning = true
			return s, s.cmd
		}
	}
	return s, nil
}

func (s *reviewScreen) View() string {
	st := s.styles
	switch {
	case s.tearing:
		return s.spinner + " " + wrap("tearing down what the earlier run recorded in "+steps.Printable(s.conflict.path)+" created …", max(s.width-2, 10))
	case s.planning:
		return s.spinner + " reading the tenant to see what exists already …"
	case s.conflict != nil:
		return st.warn.Render(wrap("! "+s.conflict.text(s.sess.playbook), s.width)) + "\n\n" +
			st.muted.Render(wrap("Press r for the choices again (continue that run, a new journal, or tear that run down), or esc to go back and change a value.", s.width))
	case s.err != nil:
		return st.fail.Render(wrap("✗ "+s.err.Error(), s.width)) + "\n\n" +
			st.muted.Render(wrap("Press esc to go back and change a value, or r to try again.", s.width))
	}
	var b strings.Builder
	var create, reuse, update int
	nameW := 0
	for _, a := range s.sess.plan.Actions {
		nameW = max(nameW, len(kindLabel(a.Kind)))
	}
	for _, a := range s.sess.plan.Actions {
		switch a.Verb {
		case steps.Create:
			create++
		case steps.Reuse:
			reuse++
		case steps.Update:
			update++
		}
		vs, ok := st.verb[string(a.Verb)]
		if !ok {
			vs = st.value
		}
		line := verbGlyph(a.Verb) + " " + vs.Render(fmt.Sprintf("%-6s", a.Verb)) + " " +
			st.label.Render(fmt.Sprintf("%-*s", nameW, kindLabel(a.Kind))) + "  " + st.value.Render(steps.Printable(s.actionName(a)))
		b.WriteString(line + "\n")
		if a.Verb == steps.Update && len(a.Changes) > 0 {
			b.WriteString(st.muted.Render(wrap("    changes: "+strings.Join(a.Changes, "; "), s.width)) + "\n")
		}
		if a.Found != "" {
			b.WriteString(st.muted.Render(wrap("    found: "+steps.Printable(a.Found), s.width)) + "\n")
		}
		for _, w := range a.Warnings {
			b.WriteString(st.warn.Render(wrap("    ! "+steps.Printable(w), s.width)) + "\n")
		}
		if w := s.hs256Warning(a); w != "" {
			b.WriteString(st.warn.Render(wrap("    ! "+w, s.width)) + "\n")
		}
	}
	then := "then a test token is minted and verified."
	if s.sess.wso2 != nil && connected(s.sess.settings) {
		then = "then WSO2 generates a token, verified against the tenant."
	}
	b.WriteString("\n" + wrap(fmt.Sprintf("%d to create, %d to reuse, %d to update; %s", create, reuse, update, then), s.width))
	if s.sess.journal != nil {
		b.WriteString("\n" + st.muted.Render(wrap("Journal: "+s.sess.journal.Path(), s.width)))
	}
	if s.torn != "" {
		b.WriteString("\n" + st.ok.Render(wrap("✓ the earlier run "+steps.Printable(s.torn)+" recorded was torn down", s.width)))
	}
	return b.String()
}

func (s *reviewScreen) Keys() help.KeyMap {
	k := s.keys
	switch {
	case s.planned:
		apply := k.Next
		apply.SetHelp("enter", "apply")
		return k.helpFor(apply, k.Back)
	case s.conflict != nil:
		choices := k.Recheck
		choices.SetHelp("r", "choices")
		return k.helpFor(choices, k.Back)
	case s.err != nil:
		return k.helpFor(k.Recheck, k.Back)
	case s.tearing:
		return k.helpFor()
	}
	return k.helpFor(k.Back)
}

// hs256Warning is what the review says of an API it creates with HS256,
// as the summary and the doctor do ("" for any other action, or when the
// plan warns of it already).
func (s *reviewScreen) hs256Warning(a steps.Action) string {
	if a.Kind != steps.KindResourceServer || a.Verb != steps.Create || steps.WithDefaults(s.sess.settings).SigningAlg != "HS256" {
		return ""
	}
	for _, w := range a.Warnings {
		if strings.Contains(w, "HS256") {
			return ""
		}
	}
	return "signs its tokens with HS256 (a secret of the API): a gateway cannot check them against the tenant's JWKS, as it can with RS256 (the API screen, esc back)"
}

// actionName is how the review names an action: a grant for an
// application WSO2's connector made (step 3.3), which the plan names by its
// client ID, also by the application's name, as the screen before listed it.
func (s *reviewScreen) actionName(a steps.Action) string {
	if a.Kind != steps.KindClientGrant {
		return a.Name
	}
	for _, c := range s.sess.connector {
		if id := c.App.ClientID; id != "" && strings.HasPrefix(a.Name, id+" ") {
			return c.App.Name + " (" + id + ")" + strings.TrimPrefix(a.Name, id)
		}
	}
	return a.Name
}

// verbGlyph marks a verb so it never relies on colour alone.
func verbGlyph(v steps.Verb) string {
	switch v {
	case steps.Create:
		return "+"
	case steps.Reuse:
		return "="
	case steps.Update:
		return "~"
	}
	return "·"
}
