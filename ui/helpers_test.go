package ui

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/auth0-wizard/auth0-wizard/auth0client"
	"github.com/auth0-wizard/auth0-wizard/internal/atomicfile"
	"github.com/auth0-wizard/auth0-wizard/internal/sandboxtest"
	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
	"github.com/auth0-wizard/auth0-wizard/wso2client"
	"github.com/auth0-wizard/auth0-wizard/wso2sandbox"
)

// newSandbox starts an in-process sandbox tenant with a fixed seed, so ids
// and secrets are stable, and stops it when the test ends.
func newSandbox(t *testing.T) *sandbox.Server {
	t.Helper()
	return sandboxtest.Start(t, sandbox.Options{Seed: 42})
}

// sandboxOptions are the wizard's options on a sandbox, as `--sandbox` makes
// them: every field prefilled.
func sandboxOptions(t *testing.T, sb *sandbox.Server) Options {
	t.Helper()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	return Options{
		Context: ctx,
		Settings: steps.Settings{
			Domain: sb.Domain, ClientID: sb.ClientID, ClientSecret: sb.ClientSecret, Audience: sb.Audience,
			UserPassword: "Sandbox-Passw0rd!x",
		},
		NewClient: func(s steps.Settings) (steps.Client, error) {
			return auth0client.New(auth0client.Config{
				Domain: s.Domain, ClientID: s.ClientID, ClientSecret: s.ClientSecret,
				Audience: s.Audience, CAPEM: sb.CAPEM,
			})
		},
		JournalPath: filepath.Join(dir, "journal.json"),
		ExportDir:   dir,
		Sandbox:     true,
		WriteFile:   atomicfile.Write,
	}
}

// newWSO2Sandbox starts an Auth0 sandbox and a WSO2 stand-in whose
// connector talks to it.
func newWSO2Sandbox(t *testing.T) (*sandbox.Server, *wso2sandbox.Server) {
	t.Helper()
	sb := newSandbox(t)
	return sb, sandboxtest.StartWSO2(t, sb, wso2sandbox.Options{AdminPassword: "wso2-admin-Passw0rd"})
}

// wso2Options are sandboxOptions with a WSO2 client for the stand-in.
func wso2Options(t *testing.T, sb *sandbox.Server, w *wso2sandbox.Server) Options {
	t.Helper()
	o := sandboxOptions(t, sb)
	o.Settings.APIMURL, o.Settings.WSO2AdminUser = w.URL, w.AdminUser
	o.NewWSO2Client = func(s steps.Settings) (steps.WSO2Client, error) {
		return wso2client.New(wso2client.Config{URL: s.APIMURL, Username: s.WSO2AdminUser, Password: s.WSO2AdminPassword, CAPEM: w.CAPEM})
	}
	return o
}

// keyMsg builds the key press for a name as bubbles/key spells it.
func keyMsg(name string) tea.KeyPressMsg {
	switch name {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "ctrl+u":
		return tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}
	}
	r := []rune(name)
	return tea.KeyPressMsg{Code: r[0], Text: name}
}

// driver runs a Model the way the program does: Update handles a message
// and, before it returns, everything that message leads to at once (huh's
// field moves, the screens' facts: see settle); the commands it leaves run
// each on its own goroutine and their messages come back through late, to
// be handled by waitFor and waitUntil (and before the next key). No timer
// decides anything: a key's effect is complete when Update returns, and a
// wait ends on the message it waits for (its deadline only fails the test).
// Ticks, blinks and terminal queries are dropped.
type driver struct {
	t    *testing.T
	m    Model
	late chan tea.Msg
	seen func(tea.Msg) // when set, sees every message the model is given
}

func newDriver(t *testing.T, o Options, w, h int) *driver {
	t.Helper()
	d := &driver{t: t, m: New(o), late: make(chan tea.Msg, 256)}
	d.send(tea.WindowSizeMsg{Width: w, Height: h})
	d.exec(d.m.Init())
	return d
}

// quick is a latency the sandbox adds to every request in the tests that
// act while a run is going, so that it is still going when they do.
const quick = 200 * time.Millisecond

// send delivers one message, after the late messages that came meanwhile.
func (d *driver) send(msg tea.Msg) {
	d.t.Helper()
	d.drainLate()
	d.update(msg)
}

func (d *driver) update(msg tea.Msg) {
	if d.seen != nil {
		d.seen(msg)
	}
	nm, cmd := d.m.Update(msg)
	d.m = nm.(Model)
	d.exec(cmd)
}

// exec runs a command as the program does: on its own goroutine, a batch's
// commands each on theirs, a sequence's in order; their messages go to late.
func (d *driver) exec(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go d.run(cmd)
}

func (d *driver) run(cmd tea.Cmd) {
	msg := cmd()
	switch m := msg.(type) {
	case nil, tea.QuitMsg, spinner.TickMsg:
		return
	case tea.BatchMsg:
		for _, c := range m {
			d.exec(c)
		}
		return
	}
	if cmds, ok := sequenceOf(msg); ok {
		for _, c := range cmds {
			if c != nil {
				d.run(c)
			}
		}
		return
	}
	t := reflect.TypeOf(msg)
	if strings.HasPrefix(t.PkgPath(), "charm.land/bubbletea") || strings.HasPrefix(t.PkgPath(), "charm.land/bubbles/v2/cursor") {
		return // terminal queries, clipboard, cursor blinks
	}
	d.late <- msg
}

// drainLate handles the messages slow commands produced meanwhile.
func (d *driver) drainLate() {
	for {
		select {
		case m := <-d.late:
			d.update(m)
		default:
			return
		}
	}
}

// waitFor handles late messages until the screen shows every string.
func (d *driver) waitFor(want ...string) {
	d.t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		d.drainLate()
		s := d.screen()
		ok := true
		for _, w := range want {
			if !strings.Contains(s, w) {
				ok = false
				break
			}
		}
		if ok {
			return
		}
		select {
		case m := <-d.late:
			d.update(m)
		case <-deadline:
			d.t.Fatalf("timed out waiting for %q on:\n%s", want, s)
		}
	}
}

// press sends named keys, one after the other.
func (d *driver) press(keys ...string) {
	d.t.Helper()
	for _, k := range keys {
		d.send(keyMsg(k))
	}
}

// pressAhead sends a key twice before the first press's commands run, as
// happens in the program when a person presses it twice quickly (commands
// run on their own goroutines, so the second key can come before their
// answers), then runs the commands of both presses.
func (d *driver) pressAhead(name string) {
	d.t.Helper()
	d.drainLate()
	nm, first := d.m.Update(keyMsg(name))
	nm, second := nm.(Model).Update(keyMsg(name))
	d.m = nm.(Model)
	d.exec(first)
	d.exec(second)
}

// typeText types text into the focused field.
func (d *driver) typeText(s string) {
	d.t.Helper()
	for _, r := range s {
		d.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// screen is the plain text of the current view.
func (d *driver) screen() string { return ansi.Strip(d.m.View().Content) }

// requireScreen fails unless the screen shows every string.
func (d *driver) requireScreen(want ...string) {
	d.t.Helper()
	s := d.screen()
	for _, w := range want {
		if !strings.Contains(s, w) {
			d.t.Fatalf("screen lacks %q:\n%s", w, s)
		}
	}
}

func ansiStrip(s string) string { return ansi.Strip(s) }

// The active screen, for tests that look into it (a zero one when another
// screen is active).

func (m Model) tenant() *tenantScreen   { return activeScreen[tenantScreen](m) }
func (m Model) mgmt() *managementScreen { return activeScreen[managementScreen](m) }
func (m Model) review() *reviewScreen   { return activeScreen[reviewScreen](m) }
func (m Model) summary() *summaryScreen { return activeScreen[summaryScreen](m) }
func (m Model) doctor() *doctorScreen   { return activeScreen[doctorScreen](m) }
func (m Model) progress() runState      { return m.sess.run }
func (m Model) confirmQuit() bool       { return m.dialog != nil && m.dialog.kind == dialogQuit }
func (m Model) confirmStop() bool       { return m.dialog != nil && m.dialog.kind == dialogStop }
func (m Model) showExplain() bool       { return m.dialog != nil && m.dialog.kind == dialogExplain }
func activeScreen[S any](m Model) *S {
	if s, ok := any(m.screen).(*S); ok {
		return s
	}
	return new(S)
}
