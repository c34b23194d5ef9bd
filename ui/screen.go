package ui

import (
	"reflect"
	"runtime"
	"strings"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
)

// screen is the one contract every screen of the wizard implements
// (soft-serve's common.Component: a model, its keys and its size). The root
// keeps the list of screens of the run (routes) and dispatches to the
// active one in one place (Model.dispatch); a screen never changes which
// screen is active, it reports a fact (stepDoneMsg, wentBackMsg, ...) and
// the root's goTo does.
type screen interface {
	// Init is the screen's first command, each time goTo enters it.
	Init() tea.Cmd
	// Update handles one message; facts go out as the returned Cmd
	// (report).
	Update(msg tea.Msg) (screen, tea.Cmd)
	// View is the body, at most the size SetSize gave.
	View() string
	// SetSize gives the screen the room the root's layout leaves it.
	SetSize(width, height int)
	// Keys is the screen's help, for the root's key line.
	Keys() help.KeyMap
	// Frame is what the root draws around the body.
	Frame() frame
}

// frame is what the root needs to know of the active screen to lay the
// window out around it.
type frame struct {
	Count   string // "step 2 of 6", after the title
	Title   string
	Explain string // the explanation above the body ("" for none)
	Busy    bool   // work runs in the background: the spinner turns
	Typing  bool   // a text input has the keyboard: ? is a letter
	Error   bool   // an error is shown: the explanation yields its room
	Fills   bool   // the body fills any height (lists): the explanation gets a fixed share
}

// common is what every screen shares with the root: the session, the
// styles, the keys, the options and the spinner. It is held by pointer, so
// a new palette or spinner frame reaches every screen without copying.
type common struct {
	sess    *session
	styles  styles
	keys    keyMap
	opts    Options
	spinner string // the spinner's current frame
}

// report is the Cmd that tells the root a fact. The root handles what it
// reports before the next message (settle), so a key pressed right after
// the one that finished a screen reaches the next screen.
func report(fact tea.Msg) tea.Cmd { return reported{fact}.msg }

// reported is a fact on its way to the root; its method value is how
// settle knows a report (a closure's code is copied wherever the function
// making it is inlined, a method value's is not).
type reported struct{ fact tea.Msg }

func (r reported) msg() tea.Msg { return r.fact }

// wentBack and stepDone are the Cmds that report those facts.
var (
	wentBack = report(wentBackMsg{})
	stepDone = report(stepDoneMsg{})
)

// Commands that only hand back a message, with no I/O and no wait: a
// screen's facts (report), huh's moves from field to field and group to
// group, and the batches and sequences holding them. huh moves its focus
// through such a command (tab returns NextField, whose message moves the
// focus when it comes back), and so do our screens (enter on the last field
// reports stepDoneMsg); in the program, keys typed faster than that round
// trip reached the field (or the screen) being left. settle runs these at
// once instead, so every key reaches the field that has the focus after the
// key before it.
var (
	reportPC = reflect.ValueOf(report(nil)).Pointer()
	// huhMoves are huh's field and group moves, by name: the group moves
	// are unexported (a one-group form's last field completes it through
	// nextGroup). TestHuhMovesAreImmediate fails if a huh release renames
	// them.
	huhMoves = map[string]bool{
		funcName(huh.NextField):       true,
		funcName(huh.PrevField):       true,
		"charm.land/huh/v2.nextGroup": true,
		"charm.land/huh/v2.prevGroup": true,
	}
)

// funcName is the name of the function a func value runs.
func funcName(f any) string {
	if fn := runtime.FuncForPC(reflect.ValueOf(f).Pointer()); fn != nil {
		return fn.Name()
	}
	return ""
}

// isImmediate says whether cmd only hands back a message (see above).
// tea.Batch and tea.Sequence return a closure of Bubble Tea's compactCmds,
// named after it wherever it is inlined.
func isImmediate(cmd tea.Cmd) bool {
	if reflect.ValueOf(cmd).Pointer() == reportPC {
		return true
	}
	name := funcName(cmd)
	return huhMoves[name] || strings.Contains(name, ".compactCmds[")
}

// split runs the immediate parts of cmd and returns their messages in
// order, and the rest, to run as the program runs commands. The parts of a
// sequence after one that is not immediate stay in order, later.
func split(cmd tea.Cmd) (now []tea.Msg, later []tea.Cmd) {
	if cmd == nil {
		return nil, nil
	}
	if !isImmediate(cmd) {
		return nil, []tea.Cmd{cmd}
	}
	msg := cmd()
	switch msg := msg.(type) {
	case nil:
		return nil, nil
	case tea.BatchMsg:
		for _, c := range msg {
			n, l := split(c)
			now, later = append(now, n...), append(later, l...)
		}
		return now, later
	}
	if cmds, ok := sequenceOf(msg); ok {
		for i, c := range cmds {
			n, l := split(c)
			now = append(now, n...)
			if len(l) > 0 {
				rest := append([]tea.Cmd{tea.Batch(l...)}, cmds[i+1:]...)
				return now, []tea.Cmd{tea.Sequence(rest...)}
			}
		}
		return now, nil
	}
	return []tea.Msg{msg}, nil
}

// sequenceOf is the commands of a tea.Sequence's message (its type is
// Bubble Tea's own).
func sequenceOf(msg tea.Msg) ([]tea.Cmd, bool) {
	v := reflect.ValueOf(msg)
	if v.Kind() != reflect.Slice || v.Type().Elem() != reflect.TypeFor[tea.Cmd]() {
		return nil, false
	}
	cmds := make([]tea.Cmd, v.Len())
	for i := range cmds {
		cmds[i], _ = v.Index(i).Interface().(tea.Cmd)
	}
	return cmds, true
}
