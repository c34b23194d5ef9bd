package ui

import (
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
)

// A cut line ends at a word with "…", never mid-word (issue 13: "are gra").
func TestCutAtWord(t *testing.T) {
	t.Parallel()
	got := cutAtWord("all 13 scopes the playbook needs are granted", 40)
	if got != "all 13 scopes the playbook needs are …" || lipWidth(got) > 40 {
		t.Fatalf("cutAtWord = %q (%d columns)", got, lipWidth(got))
	}
	if got := cutAtWord("short", 40); got != "short" {
		t.Fatalf("a line that fits is cut: %q", got)
	}
	if got := cutAtWord("averyveryverylongwordwithoutspaces", 10); lipWidth(got) > 10 || !strings.HasSuffix(got, "…") {
		t.Fatalf("a long word: %q", got)
	}
}

// The key line drops whole keys, keeping the screen's first and the global
// ones, instead of cutting the last one short.
func TestFitKeysKeepsTheMostImportant(t *testing.T) {
	t.Parallel()
	k := newKeyMap()
	short := k.helpFor(k.Next, k.Up, k.Copy, k.Edit, k.Back).short
	got := fitKeys(short, 40)
	if helpWidth(got) > 40 {
		t.Fatalf("%d columns", helpWidth(got))
	}
	has := func(b key.Binding) bool {
		for _, g := range got {
			if g.Help() == b.Help() {
				return true
			}
		}
		return false
	}
	if !has(k.Next) || !has(k.Help) || !has(k.Quit) {
		t.Fatalf("fitKeys dropped a main key: %v", got)
	}
}

// Copy says it sent the text (OSC 52 has no answer) and, under tmux, that
// it may not arrive and what to do instead.
func TestCopyStatusUnderTmux(t *testing.T) {
	t.Parallel()
	plain := copyStatus("the json export", "press enter", false)
	if !strings.Contains(plain, "sent the json export to the terminal's clipboard (OSC 52)") || strings.Contains(plain, "tmux") {
		t.Fatalf("outside tmux: %q", plain)
	}
	tm := copyStatus("the json export", "press enter to write it", true)
	if !strings.Contains(tm, "under tmux it may not arrive") || !strings.Contains(tm, "set-clipboard on") || !strings.Contains(tm, "press enter to write it") {
		t.Fatalf("under tmux: %q", tm)
	}
}

// On a text field ? is a letter, so the key line does not offer "? keys";
// once the field is left (a checked screen) it does.
func TestQuestionMarkOfferedOnlyWhereItWorks(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	d := newDriver(t, sandboxOptions(t, sb), 80, 24)
	d.press("enter")
	if s := d.screen(); strings.Contains(s, "? keys") {
		t.Fatalf("the tenant field offers ? keys:\n%s", s)
	}
	d.typeText("?")
	if !strings.Contains(d.m.sess.settings.Domain, "?") {
		t.Fatalf("? was not typed into the field: %q", d.m.sess.settings.Domain)
	}
	d.press("backspace", "enter")
	d.waitFor("the tenant answers")
	d.requireScreen("? keys")
}

// A validation error replaces the failed check's error instead of stacking
// under it.
func TestErrorsReplaceNotStack(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	o := sandboxOptions(t, sb)
	o.Settings.Domain = "127.0.0.1:1"
	d := newDriver(t, o, 80, 24)
	d.press("enter", "enter")
	d.waitFor("discovery failed")
	d.press("ctrl+u")
	d.typeText("a b")
	d.press("enter")
	s := d.screen()
	if strings.Contains(s, "discovery failed") {
		t.Fatalf("the failed check's error stays under the validation error:\n%s", s)
	}
}
