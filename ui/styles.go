package ui

import (
	"strings"

	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// styles is every style the wizard uses; the only place that builds one. It
// is rebuilt on tea.BackgroundColorMsg so the palette suits the terminal.
type styles struct {
	isDark bool

	app       lipgloss.Style // the whole screen's padding
	header    lipgloss.Style // "auth0-wizard · WSO2 API Manager"
	badge     lipgloss.Style // "sandbox"
	stepCount lipgloss.Style // "step 2 of 6"
	title     lipgloss.Style // the step title
	explain   lipgloss.Style // the step's explanation
	label     lipgloss.Style // a field or table label
	value     lipgloss.Style
	muted     lipgloss.Style
	selected  lipgloss.Style // the row under the cursor
	ok        lipgloss.Style // ✓ ...
	fail      lipgloss.Style // ✗ ...
	warn      lipgloss.Style // ! ...
	verb      map[string]lipgloss.Style
	errorBox  lipgloss.Style
	spinner   lipgloss.Style
	barFull   lipgloss.Style
	barEmpty  lipgloss.Style
	helpKey   lipgloss.Style
	helpDesc  lipgloss.Style
	helpSep   lipgloss.Style
	plain     lipgloss.Style // for wrapping only
	huhStyles *huh.Styles
}

// newStyles picks the palette for a dark or light background.
func newStyles(isDark bool) styles {
	ld := lipgloss.LightDark(isDark)
	accent := ld(lipgloss.Color("#5A3FC0"), lipgloss.Color("#B4A6FF"))
	green := ld(lipgloss.Color("#1B7F3A"), lipgloss.Color("#5FD787"))
	red := ld(lipgloss.Color("#B3261E"), lipgloss.Color("#FF6B6B"))
	yellow := ld(lipgloss.Color("#8A6100"), lipgloss.Color("#F5C542"))
	subtle := ld(lipgloss.Color("#6B6B6B"), lipgloss.Color("#9A9A9A"))
	text := ld(lipgloss.Color("#1A1A1A"), lipgloss.Color("#EDEDED"))
	blue := ld(lipgloss.Color("#1F5FAF"), lipgloss.Color("#7FB2FF"))

	s := styles{isDark: isDark}
	s.app = lipgloss.NewStyle().PaddingLeft(1).PaddingRight(1)
	s.header = lipgloss.NewStyle().Bold(true).Foreground(accent)
	s.badge = lipgloss.NewStyle().Foreground(yellow).Bold(true)
	s.stepCount = lipgloss.NewStyle().Foreground(subtle)
	s.title = lipgloss.NewStyle().Bold(true).Foreground(text)
	s.explain = lipgloss.NewStyle().Foreground(subtle)
	s.label = lipgloss.NewStyle().Foreground(subtle)
	s.value = lipgloss.NewStyle().Foreground(text)
	s.muted = lipgloss.NewStyle().Foreground(subtle)
	s.selected = lipgloss.NewStyle().Foreground(accent).Bold(true)
	s.ok = lipgloss.NewStyle().Foreground(green)
	s.fail = lipgloss.NewStyle().Foreground(red)
	s.warn = lipgloss.NewStyle().Foreground(yellow)
	s.verb = map[string]lipgloss.Style{
		"create": lipgloss.NewStyle().Foreground(green),
		"reuse":  lipgloss.NewStyle().Foreground(blue),
		"update": lipgloss.NewStyle().Foreground(yellow),
	}
	s.errorBox = lipgloss.NewStyle().Foreground(red)
	s.spinner = lipgloss.NewStyle().Foreground(accent)
	s.barFull = lipgloss.NewStyle().Foreground(green)
	s.barEmpty = lipgloss.NewStyle().Foreground(subtle)
	s.helpKey = lipgloss.NewStyle().Foreground(text).Bold(true)
	s.helpDesc = lipgloss.NewStyle().Foreground(subtle)
	s.helpSep = lipgloss.NewStyle().Foreground(subtle)
	s.plain = lipgloss.NewStyle()

	h := huh.ThemeBase(isDark)
	h.Focused.Title = h.Focused.Title.Foreground(accent).Bold(true)
	h.Focused.Description = h.Focused.Description.Foreground(subtle)
	h.Focused.ErrorIndicator = h.Focused.ErrorIndicator.Foreground(red)
	h.Focused.ErrorMessage = h.Focused.ErrorMessage.Foreground(red)
	h.Focused.SelectSelector = h.Focused.SelectSelector.Foreground(accent)
	h.Focused.SelectedOption = h.Focused.SelectedOption.Foreground(accent)
	h.Focused.TextInput.Prompt = h.Focused.TextInput.Prompt.Foreground(accent)
	h.Blurred.Title = h.Blurred.Title.Foreground(text)
	h.Blurred.Description = h.Blurred.Description.Foreground(subtle)
	s.huhStyles = h
	return s
}

// huhTheme hands the form the palette chosen for the terminal.
func (s styles) huhTheme() huh.Theme {
	h := s.huhStyles
	return huh.ThemeFunc(func(bool) *huh.Styles { return h })
}

// theme is the forms' theme: the palette the root holds when the form is
// drawn, so a new background colour reaches forms already built.
func (c *common) theme() huh.Theme {
	return huh.ThemeFunc(func(bool) *huh.Styles { return c.styles.huhStyles })
}

// wrap word-wraps text to width at spaces only, so a URL, a path or a
// hyphenated host that fits on a line moves to the next one whole (breaking
// at "/" and "-" split "https://" from its host). A word longer than the line
// is broken, after a "/" when one is far enough in. Leading spaces are kept.
// The text is plain: styles go on after wrapping.
func wrap(text string, width int) string {
	if width < 1 {
		return text
	}
	var out []string
	for _, line := range strings.Split(text, "\n") {
		out = append(out, wrapLine(line, width)...)
	}
	return strings.Join(out, "\n")
}

// wrapLine wraps one line: words are what single spaces separate, so runs
// of spaces (an indent) stay, except where the line breaks.
func wrapLine(line string, width int) []string {
	var lines []string
	cur, curW, empty := "", 0, true
	for _, w := range strings.Split(line, " ") {
		ww := ansi.StringWidth(w)
		switch {
		case empty:
			cur, curW, empty = w, ww, false
		case curW+1+ww <= width:
			cur, curW = cur+" "+w, curW+1+ww
		case w == "":
			lines = append(lines, cur) // a space at the break is dropped
			cur, curW, empty = "", 0, true
			continue
		default:
			lines = append(lines, cur)
			cur, curW = w, ww
		}
		for curW > width { // a word longer than the line
			head, rest := breakWord(cur, width)
			lines = append(lines, head)
			cur, curW = rest, ansi.StringWidth(rest)
		}
	}
	return append(lines, cur)
}

// breakWord splits a word wider than width: after the last "/" that leaves
// at least half the line used, else at the width.
func breakWord(word string, width int) (head, rest string) {
	head = ansi.Truncate(word, width, "")
	if i := strings.LastIndex(head, "/"); i+1 >= width/2 && i+1 < len(head) {
		head = head[:i+1]
	}
	return head, word[len(head):]
}
