package ui

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/creack/pty"
)

// promptWriter keeps line mode's output and, on each question, types its
// answer: huh writes a question whole and without a line end, then reads,
// while every other line ends with one, so a write that does not end a line
// is a question waiting for its answer.
type promptWriter struct {
	buf      bytes.Buffer
	onPrompt func(prompt string)
}

func (w *promptWriter) Write(p []byte) (int, error) {
	w.buf.Write(p)
	if len(p) > 0 && !bytes.HasSuffix(p, []byte("\n")) {
		text := w.buf.String()
		w.onPrompt(text[strings.LastIndex(text, "\n")+1:])
	}
	return len(p), nil
}

// The admin password typed on a terminal (huh's password prompt needs one)
// and refused by WSO2 is asked again, with the URL and the user; the right
// one then passes the check and the run goes through WSO2. The password
// never shows.
func TestAccessibleAsksATypedPasswordAgain(t *testing.T) {
	t.Parallel()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here (%v): this test types a password on one", err)
	}
	t.Cleanup(func() { _, _ = ptmx.Close(), tty.Close() })
	go func() { _, _ = io.Copy(io.Discard, ptmx) }() // the terminal's echo of what is typed

	sb, w := newWSO2Sandbox(t)
	o := wso2Options(t, sb, w)
	passwords := []string{"not-the-password", w.AdminPassword}
	asked := 0
	out := &promptWriter{onPrompt: func(prompt string) {
		answer := "" // every other value kept, the plan applied, no export
		if strings.HasPrefix(prompt, "Admin password") {
			asked++
			if len(passwords) > 0 {
				answer, passwords = passwords[0], passwords[1:]
			}
		}
		if _, err := ptmx.WriteString(answer + "\r"); err != nil {
			t.Errorf("type an answer: %v", err)
		}
	}}
	got, err := RunAccessible(o.Context, o, tty, out)
	text := out.buf.String()
	if err != nil || !got.Applied || got.Result.WSO2 == nil || !got.Result.WSO2.Token.Verified {
		t.Fatalf("RunAccessible: %v, outcome %+v\n%s", err, got, text)
	}
	if asked != 2 || strings.Count(text, "Asking the API Manager") != 2 || !strings.Contains(text, "Try again.") {
		t.Errorf("the password was asked %d times, want twice (refused, then right):\n%s", asked, text)
	}
	if !strings.Contains(text, "✓ WSO2 answers") {
		t.Errorf("the right password did not pass the check:\n%s", text)
	}
	if strings.Contains(text, w.AdminPassword) || strings.Contains(text, "not-the-password") {
		t.Errorf("line mode printed a typed password")
	}
}
