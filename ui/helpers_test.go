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
	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// newSandbox starts an in-process sandbox tenant with a fixed seed, so ids
// and secrets are stable, and stops it when the test ends.
func newSandbox(t *testing.T) *sandbox.Server {
	t.Helper()
	sb, err := sandbox.New(sandbox.Options{Seed: 42})
	if err != nil {
		t.Fatalf("start sandbox: %v", err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	return sb
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
		WriteFile:   steps.WriteFileAtomic,
	}
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

// driver runs a Model the way the program does: each Cmd runs on its own
// goroutine. A command that answers at once (huh's field moves, a screen's
// fact) is handled before the next key, so key sequences are deterministic;
// slow ones (network, ticks, cursor blinks) land later and are handled by
// waitFor. Ticks, blinks and terminal queries are dropped.
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

// quick is how long a command may take to count as answering at once.
const quick = 200 * time.Millisecond

// send delivers one message, then the messages its commands produce at once.
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

// exec runs a command: its messages are handled now if it answers within
// quick, else queued for later.
func (d *driver) exec(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	for _, m := range d.quickly(cmd) {
		d.update(m)
	}
}

// quickly runs a command and returns its messages if it answers within
// quick; else it returns none and they go to d.late once it does.
func (d *driver) quickly(cmd tea.Cmd) []tea.Msg {
	res := make(chan []tea.Msg, 1)
	go func() { res <- d.collect(cmd) }()
	select {
	case msgs := <-res:
		return msgs
	case <-time.After(quick):
		go func() {
			for _, m := range <-res {
				d.late <- m
			}
		}()
		return nil
	}
}

// collect runs a command and flattens batches and sequences. Sub-commands of
// a batch that do not answer at once are left to finish on their own.
func (d *driver) collect(cmd tea.Cmd) []tea.Msg {
	msg := cmd()
	switch m := msg.(type) {
	case nil, tea.QuitMsg, spinner.TickMsg:
		return nil
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range m {
			if c == nil {
				continue
			}
			out = append(out, d.quickly(c)...)
		}
		return out
	}
	v := reflect.ValueOf(msg)
	if v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeOf(tea.Cmd(nil)) {
		var out []tea.Msg // tea.Sequence: in order
		for i := 0; i < v.Len(); i++ {
			if c := v.Index(i).Interface().(tea.Cmd); c != nil {
				out = append(out, d.collect(c)...)
			}
		}
		return out
	}
	t := reflect.TypeOf(msg)
	if strings.HasPrefix(t.PkgPath(), "charm.land/bubbletea") || strings.Contains(t.String(), "BlinkMsg") ||
		strings.Contains(t.String(), "initialBlinkMsg") {
		return nil // terminal queries, clipboard, cursor blinks
	}
	return []tea.Msg{msg}
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
// run on their own goroutines, so the second key can come first), then runs
// the commands of both presses in order.
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
