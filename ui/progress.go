package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// progressScreen shows the run: one line per action (a spinner, then a
// tick or a cross with a word, the time it took, retries and waits) and an
// overall bar. Its Init starts the run; the root keeps the run's state and
// its rows (a steps.Progress) in the session, so events land whatever the
// screen.
type progressScreen struct {
	*common
	barW   int
	width  int
	height int
}

func newProgressScreen(c *common, _ int) screen {
	return &progressScreen{common: c, barW: 40}
}

// Init starts Apply (steps.Engine.Start).
func (s *progressScreen) Init() tea.Cmd {
	sess := s.sess
	return startRun(s.opts.Context, s.opts.NewClient, sess.client, sess.wso2, sess.playbook, sess.settings, sess.plan, sess.journal)
}

func (s *progressScreen) SetSize(w, h int) {
	s.width, s.height = w, h
	s.barW = min(max(w-16, 10), 60)
}

func (s *progressScreen) Frame() frame {
	_, i := summaryStep(s.sess.playbook)
	return frame{Count: fmt.Sprintf("before step %d of %d", i+1, len(s.sess.playbook.Steps)), Title: "Applying", Busy: s.sess.run.running, Fills: true}
}

func (s *progressScreen) Update(msg tea.Msg) (screen, tea.Cmd) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return s, nil
	}
	run := &s.sess.run
	if run.running {
		if key.Matches(kp, s.keys.Back) {
			return s, report(stopRequestedMsg{})
		}
		return s, nil
	}
	switch {
	case key.Matches(kp, s.keys.Next) && run.err == nil && run.started:
		return s, report(summaryRequestedMsg{})
	case key.Matches(kp, s.keys.Back) && run.err != nil:
		return s, wentBack
	}
	return s, nil
}

// rows are the run's rows, or the plan's before it started.
func (s *progressScreen) rows() []steps.Row {
	if s.sess.run.progress == nil {
		return steps.NewProgress(s.sess.plan).Rows()
	}
	return s.sess.run.progress.Rows()
}

func (s *progressScreen) View() string {
	st := s.styles
	run := s.sess.run
	rows := s.rows()
	spin := s.spinner
	var b strings.Builder
	labelW := 0
	for _, r := range rows {
		labelW = max(labelW, len(r.Label))
	}
	for _, r := range rows {
		var status string
		switch r.State {
		case steps.RowPending:
			status = st.muted.Render("· waiting")
		case steps.RowRunning:
			status = spin + " working"
		case steps.RowWaiting:
			status = spin + st.warn.Render(" rate limited")
		case steps.RowRetrying:
			status = spin + st.warn.Render(" retrying")
		case steps.RowDone:
			word := "done"
			if r.Verb != "" {
				word = r.Verb.Past()
			}
			if r.Action == steps.TokenAction {
				word = "verified"
				if s.sess.applied && !s.sess.result.Token.Verified {
					word = "minted"
				}
			}
			status = st.ok.Render("✓ " + word)
		case steps.RowFailed:
			status = st.fail.Render("✗ failed")
		}
		// One width for every verdict and every time, so the columns line
		// up and what fits on the line does not depend on how long it took.
		status += strings.Repeat(" ", max(verdictWidth-lipWidth(status), 0))
		line := fmt.Sprintf("%-*s  %s  ", labelW, r.Label, status)
		dur := ""
		if r.Duration > 0 {
			dur = shortDuration(r.Duration)
		}
		line += st.muted.Render(fmt.Sprintf("%*s", durationWidth, dur))
		if r.Retries > 0 {
			line += st.warn.Render(fmt.Sprintf("  %d retr%s", r.Retries, plural(r.Retries, "y", "ies")))
		}
		if r.Waited > 0 {
			line += st.warn.Render("  waited " + r.Waited.Round(time.Millisecond).String())
		}
		if room := s.width - lipWidth(line) - 2; r.Name != "" && room >= 12 {
			line += st.muted.Render("  " + cutAtWord(r.Name, room)) // at a word, with …
		}
		b.WriteString(line + "\n")
		if r.Detail != "" && (r.State == steps.RowFailed || r.State == steps.RowWaiting || r.State == steps.RowRetrying) {
			b.WriteString(st.muted.Render(wrap("    "+r.Detail, s.width)) + "\n")
		}
	}
	b.WriteString("\n" + s.barView(rows) + "\n\n")
	switch {
	case run.cancelling && run.running:
		b.WriteString(st.warn.Render(spin+" stopping after the action in progress; the journal stays consistent …") + "\n")
		if s.sess.journal != nil {
			b.WriteString(st.muted.Render(wrap(s.sess.resumeHint(), s.width)))
		}
	case run.running:
		b.WriteString(st.muted.Render("Working. ctrl+c asks before stopping."))
	case run.err != nil && errors.Is(run.err, context.Canceled):
		b.WriteString(st.warn.Render("■ stopped at your request") + "\n")
		if s.sess.journal != nil {
			b.WriteString(st.muted.Render(wrap(s.sess.resumeHint(), s.width)))
		}
	case run.err != nil:
		b.WriteString(st.fail.Render(wrap("✗ "+run.err.Error(), s.width)) + "\n")
		if s.sess.journal != nil {
			b.WriteString(st.muted.Render(wrap(s.sess.resumeHint(), s.width)))
		}
	case run.started:
		b.WriteString(st.ok.Render("✓ done") + st.muted.Render(" · press enter for the summary"))
	}
	return b.String()
}

func (s *progressScreen) Keys() help.KeyMap {
	k := s.keys
	switch {
	case s.sess.run.running:
		stop := k.Cancel
		stop.SetHelp("esc", "stop")
		return k.helpFor(stop)
	case s.sess.run.err != nil:
		return k.helpFor(k.Back)
	}
	sum := k.Next
	sum.SetHelp("enter", "summary")
	return k.helpFor(sum)
}

// Column widths: the widest verdict ("✓ verified") and the widest time.
const (
	verdictWidth  = 10
	durationWidth = 5
)

// shortDuration is a time in at most durationWidth columns: 7ms, 345ms,
// 2.9s, 59.9s, 1m15s, 12m.
func shortDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%dms", max(d.Milliseconds(), 0))
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < 10*time.Minute:
		d = d.Round(time.Second)
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dm", int(d.Minutes()))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// barView is the overall progress: a bar and a count of the actions done,
// so it reads without colour too.
func (s *progressScreen) barView(rows []steps.Row) string {
	done := 0
	for _, r := range rows {
		if r.State == steps.RowDone {
			done++
		}
	}
	filled := 0
	if len(rows) > 0 {
		filled = int(float64(done)/float64(len(rows))*float64(s.barW) + 0.5)
	}
	return s.styles.barFull.Render(strings.Repeat("█", filled)) +
		s.styles.barEmpty.Render(strings.Repeat("░", s.barW-filled)) +
		fmt.Sprintf(" %d/%d", done, len(rows))
}
