package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/creack/pty"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// ptyRun is the built binary on a pseudo-terminal: what it writes is kept
// whole (read on its own goroutine), what is typed goes to the terminal's
// input as a person's keys do.
type ptyRun struct {
	t    *testing.T
	tty  *os.File
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  strings.Builder
	more chan struct{} // a signal after each read
	done chan struct{} // closed when the output ended
}

func startPTY(t *testing.T, dir, bin string, cols uint16, args ...string) *ptyRun {
	t.Helper()
	if p, tty, err := pty.Open(); err != nil {
		t.Skipf("no pseudo-terminal here (%v): this test drives the wizard through one", err)
	} else {
		_, _ = p.Close(), tty.Close()
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	// Nothing of the caller's environment: no tenant, no secrets, no colour.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "TERM=xterm-256color", "NO_COLOR=1"}
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: cols, Rows: 40})
	if err != nil {
		t.Fatalf("start %s on a pty: %v", bin, err)
	}
	r := &ptyRun{t: t, tty: tty, cmd: cmd, more: make(chan struct{}, 1), done: make(chan struct{})}
	go func() {
		defer close(r.done)
		buf := make([]byte, 4096)
		for {
			n, err := tty.Read(buf)
			r.mu.Lock()
			r.out.Write(buf[:n])
			r.mu.Unlock()
			select {
			case r.more <- struct{}{}:
			default:
			}
			if err != nil {
				return // EIO once the program has exited and closed its side
			}
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = tty.Close()
	})
	return r
}

// text is the output so far as plain lines: the terminal's CR LF as LF,
// without the styles (bold titles) that NO_COLOR leaves.
func (r *ptyRun) text() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return ansi.Strip(strings.ReplaceAll(r.out.String(), "\r\n", "\n"))
}

// prompts are the shapes of line mode's questions as they stand at the end
// of the output while it waits for an answer: a number of a list, yes or
// no, a value kept in brackets, or an input's label with nothing kept.
var (
	numberPrompt = regexp.MustCompile(`Enter a number between (\d+) and (\d+): $`)
	onlyOne      = "There is only one option available; enter the number 1:"
	confirm      = regexp.MustCompile(`\[(Y/n|y/N)\] $`)
	kept         = regexp.MustCompile(`\] $`)
)

// inputLabels are the labels of every playbook's inputs: an input asked
// with nothing to keep is its label and a space.
func inputLabels() []string {
	var out []string
	for _, p := range steps.Playbooks() {
		for _, st := range p.Steps {
			for _, in := range st.Inputs {
				out = append(out, in.Label)
			}
		}
	}
	return out
}

// waitPrompt waits for the next question after from (the length of the
// output when the last answer was typed) and returns it with the output; ok
// is false when the program ended instead.
func (r *ptyRun) waitPrompt(from int, deadline time.Time, labels []string) (prompt, text string, ok bool) {
	r.t.Helper()
	for {
		text = r.text()
		if i := strings.LastIndex(text, "\n") + 1; i >= from {
			tail := text[i:]
			if numberPrompt.MatchString(tail) || strings.HasSuffix(tail, onlyOne) || confirm.MatchString(tail) || kept.MatchString(tail) {
				return tail, text, true
			}
			for _, l := range labels {
				if strings.HasPrefix(tail, l) && strings.HasSuffix(tail, " ") {
					return tail, text, true
				}
			}
		}
		select {
		case <-r.done:
			return "", r.text(), false
		case <-r.more:
		case <-time.After(time.Until(deadline)):
			r.t.Fatalf("no question and no end by the deadline; the output:\n%s", text)
		}
	}
}

func (r *ptyRun) typeLine(s string) {
	r.t.Helper()
	if _, err := r.tty.WriteString(s + "\r"); err != nil {
		r.t.Fatalf("type %q: %v", s, err)
	}
}

// answerAll answers each question, at most most of them, with what
// answer says for it (given the prompt, the question its list is for and
// the output so far) until the program ends (within two minutes), and
// returns the whole output.
func (r *ptyRun) answerAll(most int, labels []string, answer func(prompt, question, text string) string) string {
	r.t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	from, text := 0, ""
	for n := 0; ; n++ {
		if n > most {
			r.t.Fatalf("more than %d questions: one is asked again and again?\n%s", most, text)
		}
		prompt, out, ok := r.waitPrompt(from, deadline, labels)
		text = out
		if !ok {
			return text
		}
		from = len(text)
		r.typeLine(answer(prompt, questionOf(text), text))
	}
}

// questionOf is the title of the list a number is asked for: the last line
// above its numbered options.
func questionOf(text string) string {
	lines := strings.Split(text, "\n")
	for i := len(lines) - 2; i >= 0; i-- {
		if l := lines[i]; l != "" && !regexp.MustCompile(`^\d+\. `).MatchString(l) {
			return l
		}
	}
	return ""
}

// optionNumber is the number the last list shows for an option.
func optionNumber(text, option string) string {
	lines := strings.Split(text, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if n, name, ok := strings.Cut(lines[i], ". "); ok && strings.TrimSuffix(name, " (default)") == option {
			return n
		}
	}
	return ""
}

// TestAccessibleModeThroughAPTY drives `auth0-wizard --sandbox --accessible`
// on a real pseudo-terminal 100 columns wide, as a screen-reader user
// would, for both playbooks: every value kept, the plan applied, every
// export of the playbook written, the doctor run on what was made. wso2 runs
// through the WSO2 stand-in with --reveal-secrets (the exports hold the
// secret: 0600); azure without (the exports mask or leave it out).
func TestAccessibleModeThroughAPTY(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no pseudo-terminals on windows")
	}
	t.Parallel()
	bin := wizardBinary(t)
	labels := inputLabels()

	for _, tc := range []struct {
		playbook steps.PlaybookID
		number   string
		reveal   bool
		exports  map[string]string // format → file
		want     []string
	}{
		{steps.WSO2, "1", true,
			map[string]string{"json": "auth0-wizard-wso2.json", "dotenv": "auth0-wizard-wso2.env", "wso2": "auth0-wizard-wso2-keymanager.json"},
			[]string{"Step 3 of 7: WSO2 API Manager", "✓ WSO2 answers: Admin REST API", "the credentials work", "✓ created wso2_key_manager",
				"✓ created wso2_application", "✓ auth0-wizard: wso2 done", "WSO2 key manager created Auth0", "WSO2 application created Auth0WizardApp",
				"WSO2 token       ✓ verified", "1. WSO2 API Manager 3.2.0 with Auth0 (default)"}},
		{steps.Azure, "2", false,
			map[string]string{"json": "auth0-wizard-azure.json", "dotenv": "auth0-wizard-azure.env", "azure-policy": "auth0-wizard-azure-validate-jwt.xml"},
			[]string{"Step 1 of 7: Tenant", "RS256 (default)", `its "client_secret" is masked (********): run again with --reveal-secrets`,
				"AUTH0_CLIENT_SECRET is left out: run again with --reveal-secrets", "✓ created user", "✓ auth0-wizard: azure done", "User token       ✓ verified",
				"Azure API Management: OAuth 2.0 authorization server:"}},
	} {
		t.Run(string(tc.playbook), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			args := []string{"--sandbox", "--accessible"}
			if tc.reveal {
				args = append(args, "--reveal-secrets")
			}
			r := startPTY(t, dir, bin, 100, args...)
			var formats []string
			for f := range tc.exports {
				formats = append(formats, f)
			}
			text := r.answerAll(100, labels, func(prompt, q, text string) string {
				switch {
				case confirm.MatchString(prompt):
					return "y" // apply the plan; run the doctor
				case numberPrompt.MatchString(prompt) && strings.HasPrefix(q, "What do you want to set up?"):
					return tc.number
				case numberPrompt.MatchString(prompt) && strings.HasPrefix(q, "Write an export?"):
					if len(formats) == 0 {
						return "1" // none: done
					}
					n := optionNumber(text, formats[0])
					formats = formats[1:]
					return n
				}
				return ""
			})
			if err := r.cmd.Wait(); err != nil {
				var ee *exec.ExitError
				if errors.As(err, &ee) {
					t.Fatalf("exit %d; the output:\n%s", ee.ExitCode(), text)
				}
				t.Fatal(err)
			}

			flat := strings.Join(strings.Fields(text), " ") // a wrapped line joined again
			for _, w := range tc.want {
				if !strings.Contains(flat, strings.Join(strings.Fields(w), " ")) {
					t.Errorf("the output lacks %q", w)
				}
			}
			// The doctor ran on what was made, and every check passed.
			if !regexp.MustCompile(`(?m)^PASS  Resource server`).MatchString(text) || regexp.MustCompile(`(?m)^FAIL  `).MatchString(text) {
				t.Errorf("the doctor's checks did not all pass")
			}
			secret := ""
			if m := regexp.MustCompile(`(?m)^  Client secret    (\S+)$`).FindStringSubmatch(text); m != nil {
				secret = m[1]
			}
			if tc.reveal && (secret == "" || strings.Contains(secret, "•")) {
				t.Fatalf("with --reveal-secrets the summary shows no secret (%q)", secret)
			}
			for format, name := range tc.exports {
				path := filepath.Join(dir, name)
				fi, err := os.Stat(path)
				if err != nil {
					t.Errorf("the %s export: %v", format, err)
					continue
				}
				data, _ := os.ReadFile(path)
				// The key manager's export carries the management
				// application's secret (the connector's), the others the
				// application's keys.
				holds := secret != "" && strings.Contains(string(data), secret)
				if format == steps.FormatWSO2 {
					holds = !strings.Contains(string(data), steps.Masked)
				}
				switch {
				case tc.reveal && (fi.Mode().Perm() != 0o600 || !holds):
					t.Errorf("%s: mode %v, holds the secret %v: want 0600 with the secret", name, fi.Mode().Perm(), holds)
				case !tc.reveal && fi.Mode().Perm() != 0o644:
					t.Errorf("%s: mode %v without the secret, want 0644", name, fi.Mode().Perm())
				}
				if !strings.Contains(text, "✓ wrote "+path) && !strings.Contains(text, "✓ wrote "+name) {
					t.Errorf("the output does not say %s was written", name)
				}
			}
			// Wrapped to the terminal: no line of words wider than its 100
			// columns (a URL or a path alone may be), and some use more than 80.
			wide := false
			for _, l := range strings.Split(text, "\n") {
				w := ansi.StringWidth(l)
				wide = wide || w > 80
				if w > 100 && !strings.Contains(l, "://") && !strings.Contains(l, string(filepath.Separator)+"tmp") {
					t.Errorf("a line wider than the terminal: %q", l)
				}
			}
			if !wide {
				t.Error("no line is wider than 80: line mode does not wrap to the terminal")
			}
			if t.Failed() || os.Getenv("SHOW_PTY") != "" {
				t.Logf("the output:\n%s", text)
			}
		})
	}
}

// TestAccessibleClassThroughAPTY: "prepare a class" in line mode, on the
// built binary and a pseudo-terminal: azure kits for 3 attendees, every
// other value kept; the handouts are written (0600) and the binary exits 0
// with the kits command's closing lines.
func TestAccessibleClassThroughAPTY(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no pseudo-terminals on windows")
	}
	t.Parallel()
	bin := wizardBinary(t)
	dir := t.TempDir()
	r := startPTY(t, dir, bin, 100, "--sandbox", "--accessible")
	text := r.answerAll(30, nil, func(prompt, q, text string) string {
		switch {
		case confirm.MatchString(prompt):
			return "y"
		case strings.HasPrefix(q, "What do you want to set up?"):
			return optionNumber(text, "Prepare a class (one kit per attendee)")
		case strings.HasPrefix(q, "Kits of which playbook?"):
			return optionNumber(text, "Auth0 for Azure API Management")
		case strings.HasPrefix(prompt, "How many attendees?"):
			return "3"
		}
		return "" // keep the value offered
	})
	if err := r.cmd.Wait(); err != nil {
		t.Fatalf("%v; the output:\n%s", err, text)
	}
	flat := strings.Join(strings.Fields(text), " ")
	for _, w := range []string{"Step 3 of 3: Prepare a class", "Make 3 azure kits on ", "✓ done token#03", "17/17 · ",
		"3 of 3 kits complete; handouts in auth0-wizard-kits"} {
		if !strings.Contains(flat, w) {
			t.Errorf("the output lacks %q", w)
		}
	}
	for _, name := range []string{"attendee-01.md", "attendee-02.html", "attendee-03.md", "kits.csv"} {
		fi, err := os.Stat(filepath.Join(dir, "auth0-wizard-kits", name))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("handout %s: %v (mode %v), want it written 0600", name, err, fi)
		}
	}
	if t.Failed() {
		t.Logf("the output:\n%s", text)
	}
}
