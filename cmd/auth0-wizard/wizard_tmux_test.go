package main

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// tmuxWizard drives the real binary in a private tmux server: a real
// terminal, real keys, the screen read back with capture-pane.
type tmuxWizard struct {
	t      *testing.T
	tmux   string
	socket string
	target string
}

func (w *tmuxWizard) run(args ...string) string {
	w.t.Helper()
	out, err := exec.Command(w.tmux, append([]string{"-L", w.socket}, args...)...).CombinedOutput()
	if err != nil {
		w.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (w *tmuxWizard) capture() string { return w.run("capture-pane", "-p", "-t", w.target) }

// history is the screen with the lines scrolled off above it.
func (w *tmuxWizard) history() string {
	return w.run("capture-pane", "-p", "-S", "-200", "-t", w.target)
}

func (w *tmuxWizard) keys(keys ...string) {
	w.t.Helper()
	w.run(append([]string{"send-keys", "-t", w.target}, keys...)...)
}

func (w *tmuxWizard) text(s string) {
	w.t.Helper()
	w.run("send-keys", "-t", w.target, "-l", s)
}

// poll is how often the screen is read while waiting; nothing is asserted
// about time except the overall deadline.
const poll = 50 * time.Millisecond

// waitFor reads the screen until it shows every string, or fails at the
// deadline.
func (w *tmuxWizard) waitFor(timeout time.Duration, want ...string) string {
	w.t.Helper()
	deadline := time.Now().Add(timeout)
	var screen string
	for time.Now().Before(deadline) {
		screen = w.capture()
		if containsAll(screen, want...) {
			return screen
		}
		time.Sleep(poll)
	}
	w.t.Fatalf("screen never showed %q; last screen:\n%s", want, screen)
	return ""
}

// enterUntil presses Enter, waits for the screen to change and settle (two
// equal reads in a row, so a half-drawn frame is not taken for the next
// screen), and repeats until done(screen) holds or the deadline passes.
func (w *tmuxWizard) enterUntil(timeout time.Duration, what string, done func(string) bool) string {
	w.t.Helper()
	deadline := time.Now().Add(timeout)
	screen := w.settled(time.Second)
	for time.Now().Before(deadline) {
		if done(screen) {
			return screen
		}
		w.keys("Enter")
		changeBy := time.Now().Add(2 * time.Second)
		for time.Now().Before(changeBy) {
			if next := w.capture(); next != screen {
				break
			}
			time.Sleep(poll)
		}
		screen = w.settled(2 * time.Second)
	}
	w.t.Fatalf("pressing Enter never reached %s; last screen:\n%s", what, screen)
	return ""
}

// settled reads the screen until two reads in a row agree (a spinner never
// settles: then the last read after max).
func (w *tmuxWizard) settled(max time.Duration) string {
	by := time.Now().Add(max)
	prev := w.capture()
	for time.Now().Before(by) {
		time.Sleep(poll)
		next := w.capture()
		if next == prev {
			return next
		}
		prev = next
	}
	return prev
}

func containsAll(s string, want ...string) bool {
	for _, x := range want {
		if !strings.Contains(s, x) {
			return false
		}
	}
	return true
}

var clientIDLine = regexp.MustCompile(`Client ID\s+[A-Za-z0-9]{16,}`)

func isSummary(s string) bool {
	return strings.Contains(s, "Summary") && strings.Contains(s, ": done") && strings.Contains(s, "Export")
}

// TestWizardInTmux walks both playbooks in a real 80x24 terminal on the
// built-in sandbox: wso2 by Enter alone, azure with a typed connection name
// and user email. It needs tmux (.ci/run installs it).
func TestWizardInTmux(t *testing.T) {
	w := newTmux(t, "e2e")
	dir := t.TempDir()
	bin := wizardBinary(t)

	start := func(name string) {
		w.target = name
		// The shell keeps the pane after the wizard exits, so its plain
		// summary can be read.
		w.run("new-session", "-d", "-s", name, "-x", "80", "-y", "24", "-c", dir,
			"env -u NO_COLOR TERM=xterm-256color "+bin+" --sandbox; echo EXIT=$?; sleep 600")
		w.waitFor(15*time.Second, "Choose a playbook")
	}

	t.Run("wso2 by Enter alone", func(t *testing.T) {
		w.t = t
		start("wso2")
		screen := w.enterUntil(60*time.Second, "the wso2 summary", isSummary)
		// The endpoints are below the WSO2 side at 80x24: scroll to them,
		// as a person would.
		w.keys("Down", "Down", "Down", "Down", "Down", "Down", "Down", "Down", "Down", "Down")
		// Wait for what the keys scroll to, not the first line on the
		// way there: the screen may show /oauth/token before the last
		// Down is read.
		screen += w.waitFor(10*time.Second, "/oauth/token", "/.well-known/jwks.json")
		for _, want := range []string{"/oauth/token", "/.well-known/jwks.json", "✓ verified", "••••••••"} {
			if !strings.Contains(screen, want) {
				t.Fatalf("summary lacks %q:\n%s", want, screen)
			}
		}
		if !clientIDLine.MatchString(screen) {
			t.Fatalf("summary shows no client id:\n%s", screen)
		}
		for i, l := range strings.Split(screen, "\n") {
			if n := len([]rune(l)); n > 80 {
				t.Fatalf("line %d is %d columns wide: %q", i+1, n, l)
			}
		}
		w.keys("q")
		w.waitFor(15*time.Second, "EXIT=0")
		after := w.history()
		for _, want := range []string{"wso2 done", "Token endpoint", "JWKS", "✓ verified"} {
			if !strings.Contains(after, want) {
				t.Fatalf("the text left after exit lacks %q:\n%s", want, after)
			}
		}
	})

	t.Run("azure with a typed connection and email", func(t *testing.T) {
		w.t = t
		start("azure")
		w.keys("Down")
		w.enterUntil(30*time.Second, "the connection step", func(s string) bool {
			return strings.Contains(s, "Database connection name")
		})
		w.keys("C-u")
		w.text("Calculator-Users")
		w.waitFor(5*time.Second, "Calculator-Users")
		w.keys("Enter")
		w.waitFor(5*time.Second, "demo@example.com") // the sandbox's default test user
		w.keys("C-u")
		w.text("jane@example.com")
		w.waitFor(5*time.Second, "jane@example.com")
		screen := w.enterUntil(60*time.Second, "the azure summary", isSummary)
		w.keys("Down", "Down", "Down", "Down", "Down", "Down", "Down", "Down", "Down", "Down")
		// Wait for what the keys scroll to, not the first line on the
		// way there: the screen may show /oauth/token before the last
		// Down is read.
		screen += w.waitFor(10*time.Second, "/oauth/token", "/.well-known/jwks.json")
		for _, want := range []string{"/oauth/token", "/.well-known/jwks.json", "User token      ✓ verified", "jane@example.com"} {
			if !strings.Contains(screen, want) {
				t.Fatalf("summary lacks %q:\n%s", want, screen)
			}
		}
		if !clientIDLine.MatchString(screen) {
			t.Fatalf("summary shows no client id:\n%s", screen)
		}
		w.keys("q")
		w.waitFor(15*time.Second, "EXIT=0")
		if after := w.history(); !strings.Contains(after, "azure done") {
			t.Fatalf("the text left after exit lacks %q:\n%s", "azure done", after)
		}
	})
}

// TestWizardWithoutTerminal: without a TTY the bare command draws nothing
// and points at `apply` (exit 2).
func TestWizardWithoutTerminal(t *testing.T) {
	t.Parallel()
	var out, errb strings.Builder
	code := run(t.Context(), nil, strings.NewReader(""), &out, &errb)
	if code != exitUsage {
		t.Fatalf("exit %d, want %d; stderr: %s", code, exitUsage, errb.String())
	}
	if !strings.Contains(errb.String(), "auth0-wizard apply") || out.Len() != 0 {
		t.Fatalf("stdout %q, stderr %q: want nothing on stdout and a pointer to apply", out.String(), errb.String())
	}
}
