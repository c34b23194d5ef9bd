package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// The window: a header (the app and playbook, the title line, a blank
// line), the explanation (and a blank line), the body (the active screen,
// or the overlay), then the key line at the bottom.
const (
	headerLines = 3
	footerLines = 2 // the blank line above the key line, and the key line
	padX        = 2
)

// layout is the room the window leaves the body, computed by relayout on
// every resize (and when the help panel opens or an error takes the
// explanation's room) and handed to the active screen with SetSize.
type layout struct {
	content int // the width text is laid out to
	bodyH   int // the most lines the screen gets
}

// maxContentWidth keeps lines readable on wide terminals.
const maxContentWidth = 110

// contentWidth is the width text is laid out to.
func (m Model) contentWidth() int { return min(m.width-padX, maxContentWidth) }

// relayout computes the layout and sizes the active screen and the help.
func (m *Model) relayout() {
	if m.width == 0 {
		return // sized on the first WindowSizeMsg (a form shrunk now stays small)
	}
	f := m.screen.Frame()
	h := m.height - headerLines - footerLines
	if f.Explain != "" {
		h -= m.fillsShare(f) + 1
	}
	if m.help.ShowAll {
		h -= lipgloss.Height(m.helpView()) - 1
	}
	m.layout = layout{content: max(m.contentWidth(), 1), bodyH: max(h, 3)}
	m.help.SetWidth(max(m.contentWidth(), 0))
	m.screen.SetSize(m.layout.content, m.layout.bodyH)
}

// explainFloor is the fewest lines of explanation shown: three, or one
// while a step shows an error, which then gets the room (ctrl+o still shows
// the whole explanation).
func explainFloor(f frame) int {
	if !f.Fills && f.Error {
		return 1
	}
	return 3
}

// fillsShare is the explanation's lines on a screen whose body fills any
// height (lists): what it needs, up to a third of the window's room, at
// least explainFloor; on other screens the floor (the body's own height
// decides the rest).
func (m Model) fillsShare(f frame) int {
	floor := explainFloor(f)
	if !f.Fills || m.width == 0 {
		return floor
	}
	need := lipgloss.Height(wrap(reflow(f.Explain), max(m.contentWidth(), 1)))
	room := (m.height - headerLines - footerLines) / 3
	return max(floor, min(need, room))
}

// explainLines is the explanation, reflowed to the width and cut to the
// room the screen's own content leaves (at least explainFloor lines).
func (m Model) explainLines() []string {
	f := m.screen.Frame()
	text := reflow(f.Explain)
	if text == "" || m.width == 0 {
		return nil
	}
	w := m.layout.content
	lines := strings.Split(wrap(text, w), "\n")
	limit := m.fillsShare(f)
	if !f.Fills {
		avail := m.height - headerLines - footerLines - 1
		if m.help.ShowAll {
			avail -= lipgloss.Height(m.helpView()) - 1
		}
		limit = max(limit, avail-lipgloss.Height(m.screen.View()))
	}
	if len(lines) > limit {
		lines = lines[:limit]
		if last := lines[limit-1]; lipWidth(last)+2 <= w {
			lines[limit-1] = last + " …"
		} else {
			lines[limit-1] = cutAtWord(last+" x", w) // the text goes on: always cut
		}
	}
	return lines
}

// explainTruncated says whether the explanation on screen is cut.
func (m Model) explainTruncated() bool {
	text := reflow(m.screen.Frame().Explain)
	if text == "" || m.width == 0 {
		return false
	}
	return lipgloss.Height(wrap(text, m.layout.content)) > len(m.explainLines())
}

// reflow joins the hard-wrapped lines of an explanation into paragraphs.
func reflow(text string) string {
	paras := strings.Split(strings.TrimSpace(text), "\n\n")
	for i, p := range paras {
		paras[i] = strings.Join(strings.Fields(p), " ")
	}
	return strings.Join(paras, "\n")
}

// View lays the screen out from the window size. Alt screen is declared
// here and only here.
func (m Model) View() tea.View {
	var v tea.View
	v.AltScreen = true
	v.WindowTitle = "auth0-wizard"
	if m.quitting {
		return v
	}
	v.SetContent(m.render())
	return v
}

// render is the screen as text; tests read it through View().Content.
func (m Model) render() string {
	if m.width == 0 {
		return "auth0-wizard: starting…"
	}
	st := m.c.styles
	whole := st.plain.MaxWidth(m.width).MaxHeight(m.height)
	if m.width < minWidth || m.height < minHeight {
		msg := fmt.Sprintf("auth0-wizard needs at least %dx%d: enlarge the terminal (now %dx%d).", minWidth, minHeight, m.width, m.height)
		return whole.Render(wrap(msg, m.width))
	}
	w := m.layout.content
	f := m.screen.Frame()

	head := st.header.Render("auth0-wizard")
	if m.sess.playbook.Title != "" {
		head += st.muted.Render(" · ") + st.header.Render(m.sess.playbook.Title)
	}
	if m.opts.Sandbox {
		head += "  " + st.badge.Render("[sandbox]")
	}
	title := st.title.Render(f.Title)
	if f.Count != "" {
		title += st.stepCount.Render("  " + f.Count)
	}
	parts := []string{head, title, ""}
	helpView := m.helpView()
	room := m.height - headerLines - lipgloss.Height(helpView)

	body := m.screen.View()
	if m.dialog != nil {
		body = m.dialog.View(st, w, max(room-1, 1))
	} else if ex := m.explainLines(); len(ex) > 0 {
		parts = append(parts, st.explain.Render(strings.Join(ex, "\n")), "")
		room -= len(ex) + 1
	}
	// The body gets the room left, less the blank line above the keys; a
	// line wider than the room is cut at a word, with "…".
	body = st.plain.MaxHeight(max(room-1, 1)).Render(fitWidth(body, w))
	parts = append(parts, st.plain.Height(max(room, 1)).Render(body), helpView)
	return whole.Render(st.app.Render(lipgloss.JoinVertical(lipgloss.Left, parts...)))
}

// helpView is the key hints of the active screen (or the overlay).
func (m Model) helpView() string {
	k := m.screenKeys()
	if m.dialog != nil {
		k = m.dialog.Keys(m.c.keys)
	}
	if m.help.ShowAll {
		return m.help.FullHelpView(k.FullHelp())
	}
	short := k.ShortHelp()
	if m.dialog == nil && m.explainTruncated() {
		// "ctrl+o more" before the global keys, when the line has room.
		n := max(len(short)-2, 0)
		with := append(append(append([]key.Binding{}, short[:n]...), m.c.keys.More), short[n:]...)
		if v := m.help.ShortHelpView(with); !strings.Contains(v, "…") {
			return v
		}
	}
	return m.help.ShortHelpView(fitKeys(short, m.contentWidth()))
}

// fitKeys drops, when the key line is too wide, the screen's own keys from
// the end (its first, the main one, stays) and keeps the global ones (?
// lists everything, ctrl+c quits), so no key is cut in half.
func fitKeys(short []key.Binding, width int) []key.Binding {
	out := append([]key.Binding{}, short...)
	for helpWidth(out) > width && len(out) > 1 {
		drop := -1
		for i := len(out) - 1; i > 0; i-- {
			if k := out[i].Help().Key; k != "?" && k != "ctrl+c" {
				drop = i
				break
			}
		}
		if drop < 0 {
			drop = len(out) - 1
		}
		out = append(out[:drop], out[drop+1:]...)
	}
	return out
}

// screenKeys is the active screen's help; esc back is left out where there
// is nothing to go back to (the first screen).
func (m Model) screenKeys() bindings {
	k := m.screen.Keys()
	b := bindings{short: k.ShortHelp(), full: k.FullHelp()}
	if m.at == 0 && m.stage == stageStep {
		b = b.without(m.c.keys.Back)
	}
	if m.screen.Frame().Typing {
		// A text field takes ? as a letter: the key line does not offer it.
		b = b.without(m.c.keys.Help)
	}
	return b
}

// fitWidth cuts every line of s wider than w at a word, with "…".
func fitWidth(s string, w int) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if lipWidth(l) > w {
			lines[i] = cutAtWord(l, w)
		}
	}
	return strings.Join(lines, "\n")
}

// cutAtWord cuts a (styled) line to at most w columns at the last space
// that leaves room for "…" (mid-word only for a single word wider than w).
func cutAtWord(line string, w int) string {
	if lipWidth(line) <= w {
		return line
	}
	plain := ansi.Strip(line)
	cut := max(w-1, 1)
	head := ansi.Truncate(plain, cut, "")
	if i := strings.LastIndex(head, " "); i > 0 && strings.TrimSpace(head[:i]) != "" {
		cut = ansi.StringWidth(strings.TrimRight(head[:i], " "))
		return ansi.Truncate(line, cut, "") + " …"[boolIdx(cut+2 > w):]
	}
	return ansi.Truncate(line, cut, "") + "…"
}

// boolIdx is 1 for true: " …"[1:] drops the space when there is no room.
func boolIdx(b bool) int {
	if b {
		return 1
	}
	return 0
}

func lipHeight(s string) int { return lipgloss.Height(s) }

// lipWidth is the width of a rendered line, escape codes excluded.
func lipWidth(s string) int { return ansi.StringWidth(s) }
