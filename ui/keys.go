package ui

import "charm.land/bubbles/v2/key"

// keyMap is every binding of the wizard. Screens enable the ones that apply
// and return their own help.KeyMap built from these bindings.
type keyMap struct {
	Next      key.Binding // enter, tab
	Back      key.Binding // esc, shift+tab
	Cancel    key.Binding // esc alone: back from anywhere in a form
	PrevField key.Binding // shift+tab alone: back only from a form's first field
	Help      key.Binding // ?
	More      key.Binding // ctrl+o: the whole explanation, when it is cut
	Quit      key.Binding // ctrl+c
	QuitDone  key.Binding // q on the summary
	Up        key.Binding
	Down      key.Binding
	Left      key.Binding
	Right     key.Binding
	Edit      key.Binding // e: edit the values of a checked screen
	Recheck   key.Binding // r: run the check again
	Copy      key.Binding // c: copy (OSC 52)
	Reveal    key.Binding // s: show or hide the secret
	Export    key.Binding // enter on the summary: write the selected export
	Gateway   key.Binding // g: the gateway's form values
	Doctor    key.Binding // d: the doctor's checks
	Yes       key.Binding // y: confirm quitting
	No        key.Binding // n: keep going
	// The journal dialog's choices.
	Continue   key.Binding // c: continue the journal's run
	NewJournal key.Binding // n: a new journal
	TearDown   key.Binding // t: tear the journal's run down
}

func newKeyMap() keyMap {
	return keyMap{
		Next:      key.NewBinding(key.WithKeys("enter", "tab"), key.WithHelp("enter", "next")),
		Back:      key.NewBinding(key.WithKeys("esc", "shift+tab"), key.WithHelp("esc", "back")),
		Cancel:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		PrevField: key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous field")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "keys")),
		More:      key.NewBinding(key.WithKeys("ctrl+o"), key.WithHelp("ctrl+o", "more")),
		Quit:      key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		QuitDone:  key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		Up:        key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "move")),
		Down:      key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓", "down")),
		Left:      key.NewBinding(key.WithKeys("left"), key.WithHelp("←", "prev export")),
		Right:     key.NewBinding(key.WithKeys("right"), key.WithHelp("→", "next export")),
		Edit:      key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit")),
		Recheck:   key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "check again")),
		Copy:      key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy")),
		Reveal:    key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "secret")),
		Export:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "export")),
		Gateway:   key.NewBinding(key.WithKeys("g"), key.WithHelp("g", "gateway")),
		Doctor:    key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "check")),
		Yes:       key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "quit")),
		No:        key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n", "keep going")),

		Continue:   key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "continue that run")),
		NewJournal: key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new journal")),
		TearDown:   key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "tear it down")),
	}
}

// bindings is a help.KeyMap made of a short list and full groups.
type bindings struct {
	short []key.Binding
	full  [][]key.Binding
}

// ShortHelp implements help.KeyMap.
func (b bindings) ShortHelp() []key.Binding { return b.short }

// FullHelp implements help.KeyMap.
func (b bindings) FullHelp() [][]key.Binding {
	if len(b.full) == 0 {
		return [][]key.Binding{b.short}
	}
	return b.full
}

// helpFor builds a screen's help: its own bindings, then the global ones.
// The ? panel lists the same, in two columns: a screen lists every key it
// answers to, so nothing is added (a fixed enter/esc column repeated them,
// and offered esc where it goes nowhere).
func (k keyMap) helpFor(own ...key.Binding) bindings {
	global := []key.Binding{k.Help, k.Quit}
	short := append(append([]key.Binding{}, own...), global...)
	return bindings{short: short, full: [][]key.Binding{own, global}}
}

// without is b less the bindings whose help reads "key desc" as drop's.
func (b bindings) without(drop key.Binding) bindings {
	keep := func(in []key.Binding) []key.Binding {
		var out []key.Binding
		for _, x := range in {
			if x.Help() != drop.Help() {
				out = append(out, x)
			}
		}
		return out
	}
	out := bindings{short: keep(b.short)}
	for _, g := range b.full {
		if g = keep(g); len(g) > 0 {
			out.full = append(out.full, g)
		}
	}
	return out
}

// helpWidth is how wide help.ShortHelpView draws bindings (" • " between).
func helpWidth(bs []key.Binding) int {
	w := 0
	for i, b := range bs {
		if i > 0 {
			w += 3
		}
		w += lipWidth(b.Help().Key) + 1 + lipWidth(b.Help().Desc)
	}
	return w
}
