package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// dialog is the one overlay of the wizard (crush's dialogs): a question to
// confirm, or the whole explanation of the screen. While it is open it has
// the keys; the screen under it keeps its state. The root opens it and acts
// on the answer it reports.
type dialog struct {
	kind dialogKind
	text string // the whole explanation (dialogExplain), the question's why (dialogConfirm)
	// A screen's question (dialogConfirm): its title and the words of
	// its two answers.
	title, yes, no string
}

// dialogKind says what the overlay asks or shows.
type dialogKind int

const (
	dialogQuit    dialogKind = iota + 1 // quit while the run changes the tenant?
	dialogStop                          // stop the run (esc during it)?
	dialogExplain                       // the whole explanation (ctrl+o)
	dialogConfirm                       // a screen's question before it changes the tenant
)

// answer is what a key did to the dialog.
type answer int

const (
	answerNone  answer = iota // the key means nothing here
	answerYes                 // y (or ctrl+c on the quit question)
	answerNo                  // n, esc: close it
	answerQuit                // ctrl+c over the explanation
	answerClose               // the explanation is read
)

// Update is what the key means to the dialog.
func (d dialog) Update(msg tea.KeyPressMsg, k keyMap) answer {
	switch d.kind {
	case dialogExplain:
		switch {
		case key.Matches(msg, k.More), key.Matches(msg, k.Cancel), key.Matches(msg, k.Next):
			return answerClose
		case key.Matches(msg, k.Quit):
			return answerQuit
		}
	case dialogQuit:
		switch {
		case key.Matches(msg, k.Yes), key.Matches(msg, k.Quit):
			return answerYes
		case key.Matches(msg, k.No):
			return answerNo
		}
	case dialogStop, dialogConfirm:
		switch {
		case key.Matches(msg, k.Yes):
			return answerYes
		case key.Matches(msg, k.No), d.kind == dialogConfirm && key.Matches(msg, k.Cancel):
			return answerNo
		case d.kind == dialogConfirm && key.Matches(msg, k.Quit):
			return answerQuit
		}
	}
	return answerNone
}

// View is the dialog in width columns.
func (d dialog) View(st styles, width int) string {
	choice := func(yes, no string) string {
		return st.helpKey.Render("y") + st.helpDesc.Render(" "+yes+"   ") + st.helpKey.Render("n") + st.helpDesc.Render(" "+no)
	}
	switch d.kind {
	case dialogStop:
		return lipgloss.JoinVertical(lipgloss.Left,
			st.warn.Render("! Stop the run?"), "",
			wrap("It stops after the action in progress; the journal keeps what was done, and esc then goes back to the review, which plans again from it.", width), "",
			choice("stop", "keep going"))
	case dialogConfirm:
		return lipgloss.JoinVertical(lipgloss.Left,
			st.warn.Render(wrap("! "+d.title, width)), "",
			wrap(d.text, width), "",
			choice(d.yes, d.no))
	case dialogQuit:
		return lipgloss.JoinVertical(lipgloss.Left,
			st.warn.Render("! Quit while the wizard is changing the tenant?"), "",
			wrap("The run stops after the action in progress; the journal keeps what was done so you can resume later.", width), "",
			choice("stop and quit", "keep going"))
	}
	return wrap(reflow(d.text), width)
}

// Keys is the dialog's help.
func (d dialog) Keys(k keyMap) bindings {
	if d.kind == dialogExplain {
		back := k.More
		back.SetHelp("ctrl+o/esc", "back")
		return bindings{short: []key.Binding{back, k.Quit}}
	}
	yes, no := k.Yes, k.No
	if d.kind == dialogConfirm {
		yes.SetHelp("y", d.yes)
		no.SetHelp("n", d.no)
	}
	return bindings{short: []key.Binding{yes, no}}
}
