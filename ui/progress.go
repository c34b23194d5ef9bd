package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// progressScreen runs Apply and shows one line per action: a spinner, then
// a tick or a cross with a word, the time it took, retries and waits; and an
// overall bar.
type progressScreen struct {
	sess       *session
	lines      []actionLine
	events     <-chan steps.Event
	done       <-chan provisionDoneMsg
	running    bool
	started    bool
	cancelling bool // esc → y: the run was asked to stop
	err        error
	barW       int
	styles     styles
	keys       keyMap
	width      int
	height     int
}

// actionLine is the state of one action on screen.
type actionLine struct {
	id       string
	label    string
	name     string
	state    steps.EventKind // "" = waiting its turn
	verb     steps.Verb
	duration time.Duration
	retries  int
	waited   time.Duration
	message  string
}

// tokenAction is the id of the token check's events.
const tokenAction = "token"

func newProgressScreen(sess *session, st styles, k keyMap) progressScreen {
	s := progressScreen{sess: sess, styles: st, keys: k}
	for _, a := range sess.plan.Actions {
		s.lines = append(s.lines, actionLine{id: a.ID, label: kindLabel(a.Kind), name: a.Name, verb: a.Verb})
	}
	s.lines = append(s.lines, actionLine{id: tokenAction, label: "token", name: "mint and verify a test token"})
	s.barW = 40
	return s
}

// Init starts Apply exactly as STYLE §3 says: a buffered channel, the
// engine in a goroutine, the result on its own channel once the events end.
func (s progressScreen) Init(o Options) tea.Cmd {
	sess := s.sess
	c := sess.client
	p, set, pl, j := sess.playbook, sess.settings, sess.plan, sess.journal
	parent := o.Context
	newClient := o.NewClient
	return func() tea.Msg {
		ctx, cancel := context.WithCancel(parent)
		events := make(chan steps.Event, 64)
		done := make(chan provisionDoneMsg, 1)
		go func() {
			defer close(events)
			cl := c
			if cl == nil {
				var err error
				if newClient == nil {
					done <- provisionDoneMsg{Err: errors.New("no tenant client configured")}
					return
				}
				if cl, err = newClient(set); err != nil {
					done <- provisionDoneMsg{Err: err}
					return
				}
			}
			res, err := steps.NewEngine(cl).Apply(ctx, p, set, pl, j, events)
			done <- provisionDoneMsg{Result: res, Err: err}
		}()
		return provisionStartedMsg{Events: events, Done: done, Cancel: cancel}
	}
}

func (s *progressScreen) SetSize(w, h int) {
	s.width, s.height = w, h
	s.barW = min(max(w-16, 10), 60)
}

func (s *progressScreen) setStyles(st styles) {
	s.styles = st
}

// start records the channels of the run that began.
func (s *progressScreen) start(msg provisionStartedMsg) {
	s.events, s.done = msg.Events, msg.Done
	s.running, s.started = true, true
}

// record applies one event to its line.
func (s *progressScreen) record(ev steps.Event) {
	i := -1
	for k, l := range s.lines {
		if l.id == ev.Action {
			i = k
			break
		}
	}
	if i < 0 {
		s.lines = append(s.lines, actionLine{id: ev.Action, label: ev.Action})
		i = len(s.lines) - 1
	}
	l := &s.lines[i]
	switch ev.Kind {
	case steps.EventStarted:
		l.state = ev.Kind
	case steps.EventWaiting:
		l.state = ev.Kind
		l.waited += ev.Wait
		l.message = ev.Message
	case steps.EventRetrying:
		l.state = ev.Kind
		l.retries++
		l.message = ev.Message
	case steps.EventDone:
		l.state = ev.Kind
		l.duration = ev.Duration
		if ev.Verb != "" {
			l.verb = ev.Verb
		}
		l.message = ""
	case steps.EventFailed:
		l.state = ev.Kind
		l.duration = ev.Duration
		l.message = ev.Message
	}
}

// finish records the end of the run.
func (s *progressScreen) finish(msg provisionDoneMsg) {
	s.running = false
	s.err = msg.Err
}

func (s progressScreen) Update(msg tea.Msg) (progressScreen, tea.Cmd) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return s, nil
	}
	if s.running {
		if key.Matches(kp, s.keys.Back) {
			return s, func() tea.Msg { return stopRequestedMsg{} }
		}
		return s, nil
	}
	switch {
	case key.Matches(kp, s.keys.Next) && s.err == nil && s.started:
		return s, func() tea.Msg { return summaryRequestedMsg{} }
	case key.Matches(kp, s.keys.Back) && s.err != nil:
		return s, wentBack
	}
	return s, nil
}

func (s progressScreen) percent() float64 {
	if len(s.lines) == 0 {
		return 0
	}
	n := 0
	for _, l := range s.lines {
		if l.state == steps.EventDone {
			n++
		}
	}
	return float64(n) / float64(len(s.lines))
}

func (s progressScreen) View(spin string, stopping bool) string {
	st := s.styles
	var b strings.Builder
	labelW := 0
	for _, l := range s.lines {
		labelW = max(labelW, len(l.label))
	}
	for _, l := range s.lines {
		var status string
		switch l.state {
		case "":
			status = st.muted.Render("· waiting")
		case steps.EventStarted:
			status = spin + " working"
		case steps.EventWaiting:
			status = spin + st.warn.Render(" rate limited")
		case steps.EventRetrying:
			status = spin + st.warn.Render(" retrying")
		case steps.EventDone:
			word := "done"
			if l.verb != "" {
				word = l.verb.Past()
			}
			if l.id == tokenAction {
				word = "verified"
				if s.sess.applied && !s.sess.result.Token.Verified {
					word = "minted"
				}
			}
			status = st.ok.Render("✓ " + word)
		case steps.EventFailed:
			status = st.fail.Render("✗ failed")
		}
		// One width for every verdict and every time, so the columns line
		// up and what fits on the line does not depend on how long it took.
		status += strings.Repeat(" ", max(verdictWidth-lipWidth(status), 0))
		line := fmt.Sprintf("%-*s  %s  ", labelW, l.label, status)
		dur := ""
		if l.duration > 0 {
			dur = shortDuration(l.duration)
		}
		line += st.muted.Render(fmt.Sprintf("%*s", durationWidth, dur))
		if l.retries > 0 {
			line += st.warn.Render(fmt.Sprintf("  %d retr%s", l.retries, plural(l.retries, "y", "ies")))
		}
		if l.waited > 0 {
			line += st.warn.Render("  waited " + l.waited.Round(time.Millisecond).String())
		}
		if room := s.width - lipWidth(line) - 2; l.name != "" && room >= 12 {
			name := l.name
			if lipWidth(name) > room {
				name = ansi.Truncate(name, room-1, "") + "…"
			}
			line += st.muted.Render("  " + name)
		}
		b.WriteString(line + "\n")
		if l.message != "" && (l.state == steps.EventFailed || l.state == steps.EventWaiting || l.state == steps.EventRetrying) {
			b.WriteString(st.muted.Render(wrap("    "+l.message, s.width)) + "\n")
		}
	}
	b.WriteString("\n" + s.barView() + "\n\n")
	switch {
	case (stopping || s.cancelling) && s.running:
		b.WriteString(st.warn.Render(spin+" stopping after the action in progress; the journal stays consistent …") + "\n")
		if s.sess.journal != nil {
			b.WriteString(st.muted.Render(wrap(s.sess.resumeHint(), s.width)))
		}
	case s.running:
		b.WriteString(st.muted.Render("Working. ctrl+c asks before stopping."))
	case s.err != nil && errors.Is(s.err, context.Canceled):
		b.WriteString(st.warn.Render("■ stopped at your request") + "\n")
		if s.sess.journal != nil {
			b.WriteString(st.muted.Render(wrap(s.sess.resumeHint(), s.width)))
		}
	case s.err != nil:
		b.WriteString(st.fail.Render(wrap("✗ "+s.err.Error(), s.width)) + "\n")
		if s.sess.journal != nil {
			b.WriteString(st.muted.Render(wrap(s.sess.resumeHint(), s.width)))
		}
	case s.started:
		b.WriteString(st.ok.Render("✓ done") + st.muted.Render(" · press enter for the summary"))
	}
	return b.String()
}

func (s progressScreen) Keys() bindings {
	k := s.keys
	switch {
	case s.running:
		stop := k.Cancel
		stop.SetHelp("esc", "stop")
		return k.helpFor(stop)
	case s.err != nil:
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

// barView is the overall progress: a bar and a count, so it reads without
// colour too.
func (s progressScreen) barView() string {
	done := 0
	for _, l := range s.lines {
		if l.state == steps.EventDone {
			done++
		}
	}
	filled := int(s.percent()*float64(s.barW) + 0.5)
	return s.styles.barFull.Render(strings.Repeat("█", filled)) +
		s.styles.barEmpty.Render(strings.Repeat("░", s.barW-filled)) +
		fmt.Sprintf(" %d/%d", done, len(s.lines))
}
