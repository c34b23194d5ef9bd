package ui

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// reviewScreen shows Engine.Plan's actions as create / reuse / update before
// anything changes in the tenant.
type reviewScreen struct {
	sess     *session
	planning bool
	planned  bool
	err      error
	cmd      tea.Cmd // the planning command, run by Init
	styles   styles
	keys     keyMap
	width    int
	height   int
}

func newReviewScreen(sess *session, st styles, k keyMap, o Options) reviewScreen {
	s := reviewScreen{sess: sess, styles: st, keys: k}
	set := steps.WithDefaults(sess.settings)
	if err := sess.playbook.Validate(set); err != nil {
		s.err = err
		return s
	}
	sess.settings = set
	path := o.JournalPath
	if path == "" {
		path = steps.DefaultJournalPath(sess.playbook.ID)
	}
	s.planning = true
	s.cmd = plan(o.Context, o.NewClient, sess.client, sess.playbook, set, path, o.Reveal)
	return s
}

// plan is the Cmd that opens the journal (an earlier run's, to resume) and
// asks the engine for the plan. It changes nothing in the tenant.
func plan(ctx context.Context, newClient func(steps.Settings) (steps.Client, error), c steps.Client, p steps.Playbook, set steps.Settings, journalPath string, reveal bool) tea.Cmd {
	return func() tea.Msg {
		var err error // c is kept for the next run of this Cmd
		if c, err = tenantClient(c, newClient, set); err != nil {
			return plannedMsg{Err: err}
		}
		j, err := steps.OpenJournal(journalPath, reveal)
		if err != nil {
			return plannedMsg{Err: fmt.Errorf("open the journal %s: %w", journalPath, err)}
		}
		pl, err := steps.NewEngine(c).Plan(ctx, p, set, j)
		return plannedMsg{Plan: pl, Journal: j, Err: err}
	}
}

func (s reviewScreen) Init() tea.Cmd { return s.cmd }

func (s *reviewScreen) SetSize(w, h int) { s.width, s.height = w, h }

func (s reviewScreen) Update(msg tea.Msg) (reviewScreen, tea.Cmd) {
	switch msg := msg.(type) {
	case plannedMsg:
		s.planning = false
		if msg.Err != nil {
			s.err = msg.Err
			return s, nil
		}
		s.planned = true
		s.sess.plan = msg.Plan
		s.sess.journal = msg.Journal
		if msg.Plan.Endpoints.TokenEndpoint != "" {
			s.sess.endpoints = msg.Plan.Endpoints
		}
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, s.keys.Back):
			return s, wentBack
		case key.Matches(msg, s.keys.Next) && s.planned:
			return s, func() tea.Msg { return applyConfirmedMsg{} }
		case key.Matches(msg, s.keys.Recheck) && s.err != nil && !s.planning && s.cmd != nil:
			s.err = nil
			s.planning = true
			return s, s.cmd
		}
	}
	return s, nil
}

func (s reviewScreen) View(spin string) string {
	st := s.styles
	switch {
	case s.planning:
		return spin + " reading the tenant to see what exists already …"
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
			st.label.Render(fmt.Sprintf("%-*s", nameW, kindLabel(a.Kind))) + "  " + st.value.Render(a.Name)
		b.WriteString(line + "\n")
		if a.Verb == steps.Update && len(a.Changes) > 0 {
			b.WriteString(st.muted.Render(wrap("    changes: "+strings.Join(a.Changes, "; "), s.width)) + "\n")
		}
	}
	b.WriteString("\n" + wrap(fmt.Sprintf("%d to create, %d to reuse, %d to update; then a test token is minted and verified.", create, reuse, update), s.width))
	if s.sess.journal != nil {
		b.WriteString("\n" + st.muted.Render(wrap("Journal: "+s.sess.journal.Path(), s.width)))
	}
	return b.String()
}

func (s reviewScreen) Keys() bindings {
	k := s.keys
	switch {
	case s.planned:
		apply := k.Next
		apply.SetHelp("enter", "apply")
		return k.helpFor(apply, k.Back)
	case s.err != nil:
		return k.helpFor(k.Recheck, k.Back)
	}
	return k.helpFor(k.Back)
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

// kindLabel is a resource kind in words.
func kindLabel(k steps.ResourceKind) string {
	switch k {
	case steps.KindResourceServer:
		return "API"
	case steps.KindClient:
		return "application"
	case steps.KindClientGrant:
		return "client grant"
	case steps.KindConnection:
		return "connection"
	case steps.KindUser:
		return "user"
	}
	return strings.ReplaceAll(string(k), "_", " ")
}
