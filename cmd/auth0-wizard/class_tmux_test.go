package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestClassInTmux prepares a class from the wizard's first screen in a real
// 80x24 terminal on the built-in sandbox: 3 azure kits, the confirmation,
// the run, the summary, then the handouts on disk (0600) and the lines left
// after exit. It needs tmux (.ci/run installs it).
func TestClassInTmux(t *testing.T) {
	w := newTmux(t, "class")
	w.target = "class"
	dir := t.TempDir()
	bin := wizardBinary(t)
	out := filepath.Join(dir, "sheets")
	w.run("new-session", "-d", "-s", "class", "-x", "80", "-y", "24", "-c", dir,
		"env -u NO_COLOR TERM=xterm-256color "+bin+" --sandbox; echo EXIT=$?; sleep 600")
	w.waitFor(15*time.Second, "Choose a playbook", "Prepare a class")

	w.keys("Down", "Down", "Down", "Enter")
	w.waitFor(5*time.Second, "Kits of which playbook?")
	w.keys("Down", "Enter") // azure
	w.waitFor(5*time.Second, "How many attendees?")
	w.keys("C-u")
	w.text("3")
	w.keys("Enter")
	w.waitFor(5*time.Second, "attendees' names")
	w.keys("Enter") // attendee-01 …
	w.waitFor(5*time.Second, "Folder for the handouts")
	w.keys("C-u")
	w.text(out)
	w.waitFor(5*time.Second, "sheets")
	w.enterUntil(60*time.Second, "the kits screen", func(s string) bool {
		return strings.Contains(s, "Nothing changes before you say yes")
	})
	w.keys("Enter")
	w.waitFor(5*time.Second, "Make 3 azure kits on")
	w.keys("y")
	screen := w.waitFor(60*time.Second, "every kit complete")
	for _, want := range []string{"attendee-01", "attendee-03", "req/s", "✓ done"} {
		if !strings.Contains(screen, want) {
			t.Fatalf("the kits screen lacks %q:\n%s", want, screen)
		}
	}
	w.keys("Enter")
	screen = w.waitFor(10*time.Second, "Class summary", "3 of 3 kits complete", "kits.csv")
	for i, l := range strings.Split(screen, "\n") {
		if n := len([]rune(l)); n > 80 {
			t.Fatalf("line %d is %d columns wide: %q", i+1, n, l)
		}
	}

	for _, name := range []string{"attendee-01.md", "attendee-02.html", "attendee-03.md", "kits.csv"} {
		fi, err := os.Stat(filepath.Join(out, name))
		if err != nil {
			t.Fatalf("handout %s: %v", name, err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s is %v, want 0600", name, fi.Mode().Perm())
		}
	}
	sheet, err := os.ReadFile(filepath.Join(out, "attendee-02.md"))
	if err != nil || !strings.Contains(string(sheet), "attendee-02@example.com") || !strings.Contains(string(sheet), "Client secret") {
		t.Fatalf("attendee-02's handout (%v):\n%s", err, sheet)
	}

	w.keys("q")
	w.waitFor(15*time.Second, "EXIT=0")
	after := strings.ReplaceAll(w.history(), "\n", "") // the lines are cut at 80 columns
	for _, want := range []string{"3 of 3 kits complete; handouts in " + out, "kits.csv for the trainer", "the in-process sandbox tenant"} {
		if !strings.Contains(after, want) {
			t.Fatalf("the text left after exit lacks %q:\n%s", want, after)
		}
	}
}
