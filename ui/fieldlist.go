package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// fieldList shows a gateway form's fields in order, one under the cursor,
// each copyable on its own (OSC 52).
type fieldList struct {
	fields []steps.Field // as shown (secrets masked unless revealed)
	copies []steps.Field // the values copy puts on the clipboard
	cursor int
	status string
	*common
	width  int
	height int
}

func newFieldList(shown, copies []steps.Field, c *common) fieldList {
	return fieldList{fields: shown, copies: copies, common: c}
}

func (l *fieldList) SetSize(w, h int) { l.width, l.height = w, h }

func (l fieldList) Update(msg tea.Msg) (fieldList, tea.Cmd) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok || len(l.fields) == 0 {
		return l, nil
	}
	switch {
	case key.Matches(kp, l.keys.Up):
		l.cursor = max(0, l.cursor-1)
		l.status = ""
	case key.Matches(kp, l.keys.Down):
		l.cursor = min(len(l.fields)-1, l.cursor+1)
		l.status = ""
	case key.Matches(kp, l.keys.Copy):
		// A masked secret is copied as itself: pasted into the gateway's
		// form, the mask would be saved as the secret. The mask guards the
		// screen; the status says plainly what is on the clipboard.
		f := l.fields[l.cursor]
		val := f.Value
		if l.cursor < len(l.copies) {
			val = l.copies[l.cursor].Value
		}
		what := f.Label
		if f.Secret && val != f.Value {
			what = f.Label + " (the secret itself, masked on screen)"
		}
		l.status = copyStatus(what, "type it from the screen instead (s shows a secret)", l.opts.Tmux)
		return l, tea.SetClipboard(val)
	}
	return l, nil
}

// rows renders every field; a row is one line when label and value fit
// side by side, else two.
func (l fieldList) rows() [][]string {
	st := l.styles
	labelW := 0
	for _, f := range l.fields {
		labelW = max(labelW, len([]rune(f.Label)))
	}
	wide := l.width >= 100
	out := make([][]string, len(l.fields))
	for i, f := range l.fields {
		mark := "  "
		lab := st.label
		if i == l.cursor {
			mark = st.selected.Render("> ")
			lab = st.selected
		}
		val := steps.Printable(f.Value)
		if val == "" {
			val = "(empty)"
		}
		var row []string
		if wide && labelW+4+lipWidth(val) <= l.width {
			row = []string{mark + lab.Render(fmt.Sprintf("%-*s", labelW, f.Label)) + "  " + st.value.Render(val)}
		} else {
			row = []string{mark + lab.Render(f.Label)}
			for _, vl := range strings.Split(wrap(val, max(l.width-4, 10)), "\n") {
				row = append(row, "    "+st.value.Render(vl))
			}
		}
		// The field's help, where it goes or why, under the field the
		// cursor is on (every field's, as the cursor moves).
		if i == l.cursor && f.Help != "" {
			for _, hl := range strings.Split(wrap(f.Help, max(l.width-4, 10)), "\n") {
				row = append(row, "    "+st.muted.Render(hl))
			}
		}
		out[i] = row
	}
	return out
}

// View shows the rows that fit, keeping the cursor in sight, with a line
// saying how many fields are below.
func (l fieldList) View() string {
	rows := l.rows()
	h := l.height
	status := ""
	if l.status != "" {
		status = statusView(l.styles, l.status, l.width)
		h -= lipHeight(status)
	}
	h = max(h, 3)
	fill := func(start, room int) ([]string, int) {
		var lines []string
		next := start
		for i := start; i < len(rows); i++ {
			if len(lines)+len(rows[i]) > room {
				break
			}
			lines = append(lines, rows[i]...)
			next = i + 1
		}
		return lines, next
	}
	// The first row shown is the smallest that keeps the cursor's row in
	// room (leaving a line for the "more" hint).
	start := 0
	for start < l.cursor {
		_, next := fill(start, h-1)
		if next > l.cursor {
			break
		}
		start++
	}
	lines, next := fill(start, h)
	if next < len(rows) {
		lines, next = fill(start, h-1)
		lines = append(lines, l.styles.muted.Render(fmt.Sprintf("  ↓ %d more", len(rows)-next)))
	}
	if status != "" {
		lines = append(lines, status)
	}
	return strings.Join(lines, "\n")
}
