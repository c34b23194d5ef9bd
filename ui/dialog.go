package ui

import (
	"fmt"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// dialog is the one overlay of the wizard (crush's dialogs): a question to
// confirm, or the whole explanation of the screen. While it is open it has
// the keys; the screen under it keeps its state. The root opens it and acts
// on the answer it reports.
type dialog struct {
	kind     dialogKind
	text     string          // the whole explanation (dialogExplain), the question's why (dialogConfirm)
	conflict journalConflict // the journal's other run (dialogJournal)
	playbook steps.Playbook  // this run's (dialogJournal)
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
	dialogJournal                       // the journal records another run: continue it, a new journal, or tear it down?
	dialogConfirm                       // a screen's question before it changes the tenant
)

// answer is what a key did to the dialog.
type answer int

const (
	answerNone       answer = iota // the key means nothing here
	answerYes                      // y (or ctrl+c on the quit question)
	answerNo                       // n, esc: close it
	answerQuit                     // ctrl+c over the explanation
	answerClose                    // the explanation is read
	answerContinue                 // c: continue the journal's run
	answerNewJournal               // n: record this run in a new journal
	answerTeardown                 // t: tear the journal's run down first
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
	case dialogJournal:
		c := d.conflict
		switch {
		case key.Matches(msg, k.Continue) && c.canContinue():
			return answerContinue
		case key.Matches(msg, k.NewJournal) && c.newPath != "":
			return answerNewJournal
		case key.Matches(msg, k.TearDown) && c.sameTenant:
			return answerTeardown
		case key.Matches(msg, k.Cancel):
			return answerNo
		case key.Matches(msg, k.Quit):
			return answerQuit
		}
	}
	return answerNone
}

// View is the dialog in width columns and, where it can be shortened, at
// most height lines.
func (d dialog) View(st styles, width, height int) string {
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
	case dialogJournal:
		// The choices stay in sight: on a small terminal their details
		// go, then the explanation moves below them.
		for _, short := range []int{0, 1, 2} {
			if v := d.journalView(st, width, short); short == 2 || lipHeight(v) <= height {
				return v
			}
		}
	}
	return wrap(reflow(d.text), width)
}

// journalView offers the ways out of a journal conflict, each with what it
// does; only those that can be taken here are offered.
// short 1 leaves out the details of the choices, short 2 also puts the
// explanation below them.
func (d dialog) journalView(st styles, width, short int) string {
	c := d.conflict
	option := func(k, what, detail string) string {
		head := st.helpKey.Render(k) + "  " + st.value.Render(what)
		if short > 0 {
			return head
		}
		return head + "\n" + st.muted.Render(indent(wrap(detail, max(width-3, 10)), "   "))
	}
	parts := []string{st.warn.Render(wrap("! The journal records another run", width)), ""}
	if short < 2 {
		parts = append(parts, wrap(c.text(d.playbook), width), "")
	}
	if c.canContinue() {
		var vals []string
		for _, sc := range c.settings {
			vals = append(vals, fmt.Sprintf("%s %q", inputLabel(d.playbook, sc.Key), steps.Printable(sc.Journal)))
		}
		parts = append(parts, option("c", "continue that run", "take its values ("+strings.Join(vals, ", ")+") and plan again: what it made is reused, what is missing created"))
	}
	if c.newPath != "" {
		what := "start a new journal"
		if short > 0 {
			what += ": " + steps.Printable(filepath.Base(c.newPath)) // the new path is shown whatever the room
		}
		parts = append(parts, option("n", what, "record this run in "+steps.Printable(c.newPath)+"; the earlier run stays in "+steps.Printable(c.path)))
	}
	if !c.canContinue() && c.playbook != "" && c.playbook != d.playbook.ID && short == 0 {
		parts = append(parts, st.muted.Render(wrap("That run is the "+string(c.playbook)+" playbook's: to continue it, set that playbook up with this journal.", width)))
	}
	if c.sameTenant {
		parts = append(parts, option("t", "tear that run down first", "delete what it created (never what it only reused), then plan again with this journal"))
	} else if short == 0 {
		parts = append(parts, st.muted.Render(wrap("That run was on another tenant ("+steps.Printable(c.domain)+"): tearing it down needs that tenant's management application, so it is not offered here.", width)))
	}
	if short == 2 {
		// Below the choices, so that what the room cuts is the why.
		parts = append(parts, "", wrap(c.text(d.playbook), width))
	}
	return strings.Join(parts, "\n")
}

// Keys is the dialog's help.
func (d dialog) Keys(k keyMap) bindings {
	if d.kind == dialogJournal {
		var own []key.Binding
		if d.conflict.canContinue() {
			own = append(own, k.Continue)
		}
		if d.conflict.newPath != "" {
			own = append(own, k.NewJournal)
		}
		if d.conflict.sameTenant {
			own = append(own, k.TearDown)
		}
		return bindings{short: append(own, k.Cancel, k.Quit)}
	}
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
