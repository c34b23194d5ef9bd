package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// gitignore is the repository's .gitignore as a matcher of the simple
// patterns it uses: a name with * wildcards, matched against every part of
// a path (a directory pattern, ending in "/", against its directories), or,
// holding a slash, anchored at the repository's root.
type gitignore []string

func readGitignore(t *testing.T) gitignore {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", ".gitignore"))
	if err != nil {
		t.Fatal(err)
	}
	var g gitignore
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			if strings.HasPrefix(l, "!") || strings.ContainsAny(l, "[?\\") || strings.Contains(l, "**") {
				t.Fatalf(".gitignore pattern %q is beyond what this test reads: extend gitignore.ignores", l)
			}
			g = append(g, l)
		}
	}
	return g
}

// ignores says whether git ignores the file at the slash-separated path p,
// relative to the repository's root.
func (g gitignore) ignores(p string) bool {
	parts := strings.Split(p, "/")
	for _, pat := range g {
		dirOnly := strings.HasSuffix(pat, "/")
		pat = strings.TrimSuffix(pat, "/")
		// A slash left at the start or in the middle anchors it at the
		// root: it is matched against the path's leading parts.
		anchored := strings.Contains(pat, "/")
		pat = strings.TrimPrefix(pat, "/")
		for i := range parts {
			isDir := i < len(parts)-1
			if dirOnly && !isDir {
				continue
			}
			what := parts[i]
			if anchored {
				what = strings.Join(parts[:i+1], "/")
			}
			if ok, _ := path.Match(pat, what); ok {
				return true
			}
		}
	}
	return false
}

// TestGitignoreCoversDefaultFiles: every file auth0-wizard writes by
// default, with a secret in it when --reveal-secrets is given, is ignored by
// git wherever in the repository it is run: the wizard's exports (each
// playbook × each format of the export registry, named as the summary
// screen names them), the journals and the kits' handouts. (The .env export
// once held a real secret and showed in `git status`.) The project's own
// files are not ignored.
func TestGitignoreCoversDefaultFiles(t *testing.T) {
	t.Parallel()
	g := readGitignore(t)
	var files []string
	for _, p := range steps.Playbooks() {
		for _, name := range steps.ExportFormats() {
			f, err := steps.ExportFormatByName(name)
			if err != nil || f.FileSuffix == "" {
				t.Fatalf("export format %s has no file suffix (%v)", name, err)
			}
			files = append(files, "auth0-wizard-"+string(p.ID)+f.FileSuffix) // ui's exportPath
		}
		files = append(files, steps.DefaultJournalPath(p.ID), kitsJournalPath(p.ID))
	}
	files = append(files, defaultKitsOut+"/jane-doe.md", defaultKitsOut+"/kits.csv")
	for _, f := range files {
		for _, where := range []string{"", "some/dir/"} {
			if !g.ignores(where + f) {
				t.Errorf(".gitignore does not cover %s, a file auth0-wizard writes by default", where+f)
			}
		}
	}
	for _, own := range []string{"README.md", "cmd/auth0-wizard/main.go", "steps/testdata/export-azure-dotenv.golden", "go.mod", "Makefile"} {
		if g.ignores(own) {
			t.Errorf(".gitignore covers the project's own %s", own)
		}
	}
}

// TestCorruptJournalIsUsageError: a journal file that cannot be read as
// one (not JSON, cut short, another version, an entry of an unknown kind)
// is unreadable input for every command that loads one (apply, apply
// resuming it, teardown, doctor): exit 2, a message naming the file and
// saying what to do, and nothing done on the tenant.
func TestCorruptJournalIsUsageError(t *testing.T) {
	t.Parallel()
	sb, tenant := persistentTenant(t)
	before := tenantSnapshot(t, sb)
	for name, content := range map[string]string{
		"not JSON":        "this is not a journal\n",
		"cut short":       `{"version":1,"playbook":"wso2","resources":[{"action_id":"client","kind":"cl`,
		"another version": `{"version":9,"resources":[]}`,
		"unknown kind":    `{"version":1,"playbook":"wso2","resources":[{"action_id":"x","kind":"printer","name":"p","action":"created"}]}`,
	} {
		path := filepath.Join(t.TempDir(), "bad.journal.json")
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{
			append([]string{"apply", "--playbook", "wso2", "--journal", path}, tenant...),
			append([]string{"apply", "--journal", path}, tenant...), // resume
			append([]string{"teardown", "--journal", path}, tenant...),
			append([]string{"doctor", "--playbook", "wso2", "--journal", path}, tenant...),
		} {
			code, _, stderr := runCmd(t, args...)
			if code != exitUsage || !strings.Contains(stderr, path) || !strings.Contains(stderr, "journal") {
				t.Errorf("%s: %s: exit %d, want %d with a message naming the journal\n%s", name, args[0], code, exitUsage, stderr)
			}
		}
	}
	if d := diffLines(before, tenantSnapshot(t, sb)); d != "" {
		t.Errorf("a command with a corrupt journal changed the tenant:\n%s", d)
	}
}

// diffLines lists the lines only one of two snapshots has.
func diffLines(a, b []string) string {
	in := func(s []string, x string) bool {
		for _, y := range s {
			if y == x {
				return true
			}
		}
		return false
	}
	var d []string
	for _, x := range a {
		if !in(b, x) {
			d = append(d, "- "+x)
		}
	}
	for _, x := range b {
		if !in(a, x) {
			d = append(d, "+ "+x)
		}
	}
	return strings.Join(d, "\n")
}

// TestStopDuringFirstChecks: Ctrl+C while apply reads the tenant (the
// check of its scopes and discovery, before the plan) stops it with exit
// 130 and says that nothing was changed, which is so: the tenant is as it
// was and no journal was written. The same for a teardown stopped before
// its first delete.
func TestStopDuringFirstChecks(t *testing.T) {
	t.Parallel()
	sb, tenant := persistentTenant(t)
	before := tenantSnapshot(t, sb)
	journal := filepath.Join(t.TempDir(), "j.json")
	code, stderr := runStopped(t, "checking ", append([]string{"apply", "--playbook", "wso2", "--journal", journal}, tenant...)...)
	if code != exitAbort || !strings.Contains(stderr, "nothing was changed") {
		t.Fatalf("apply stopped during the checks: exit %d, want %d saying nothing was changed\n%s", code, exitAbort, stderr)
	}
	if _, err := os.Stat(journal); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("apply stopped during the checks wrote its journal (%v)", err)
	}
	if d := diffLines(before, tenantSnapshot(t, sb)); d != "" {
		t.Fatalf("apply stopped during the checks changed the tenant:\n%s", d)
	}

	// A run to tear down, and a teardown stopped as it starts.
	if code, _, stderr := runCmd(t, append([]string{"apply", "--playbook", "wso2", "--journal", journal}, tenant...)...); code != exitOK {
		t.Fatalf("apply: exit %d\n%s", code, stderr)
	}
	made := tenantSnapshot(t, sb)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out lockedBuffer
	errb := &lockedBuffer{}
	code = run(ctx, append([]string{"teardown", "--journal", journal}, tenant...), strings.NewReader(""), &out, errb)
	if code != exitAbort || !strings.Contains(errb.String(), "nothing was changed") {
		t.Fatalf("teardown stopped before its first delete: exit %d, want %d saying nothing was changed\n%s", code, exitAbort, errb)
	}
	if d := diffLines(made, tenantSnapshot(t, sb)); d != "" {
		t.Fatalf("teardown stopped before its first delete changed the tenant:\n%s", d)
	}
	if code, _, stderr := runCmd(t, append([]string{"teardown", "--journal", journal}, tenant...)...); code != exitOK {
		t.Fatalf("teardown: exit %d\n%s", code, stderr)
	}
}

// TestHangupCleansUp: SIGHUP (the terminal closed) ends the built binary
// as SIGTERM and Ctrl+C do: the in-process sandbox is stopped and its
// temporary files (its CA file, the CA bundle with the WSO2 stand-in) are
// removed, where by default SIGHUP would kill the process and leave them.
// The binary runs `sandbox --wso2`, which holds them until it is stopped;
// the test sends the signal once the sandbox's line is on stdout.
func TestHangupCleansUp(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := wizardBinary(t)
	for _, sig := range []syscall.Signal{syscall.SIGHUP, syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			tmp := t.TempDir()
			cmd := exec.Command(bin, "sandbox", "--wso2")
			cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr lockedBuffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = cmd.Process.Kill() })
			line, err := bufio.NewReader(stdout).ReadString('\n')
			if err != nil {
				t.Fatalf("no sandbox line: %v\n%s", err, stderr.String())
			}
			var sl sandboxLine
			if err := json.Unmarshal([]byte(line), &sl); err != nil || sl.CAFile == "" {
				t.Fatalf("sandbox line %q: %v", line, err)
			}
			if !strings.HasPrefix(sl.CAFile, tmp) {
				t.Fatalf("the CA file %s is not in TMPDIR %s", sl.CAFile, tmp)
			}
			if left := entries(t, tmp); len(left) == 0 {
				t.Fatal("the sandbox made nothing in TMPDIR: the test would prove nothing")
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err = <-done:
			case <-time.After(2 * time.Minute):
				t.Fatalf("still running two minutes after %s\n%s", sig, stderr.String())
			}
			if err != nil {
				t.Fatalf("after %s: %v\n%s", sig, err, stderr.String())
			}
			if left := entries(t, tmp); len(left) != 0 {
				t.Errorf("after %s, TMPDIR still holds %v\n%s", sig, left, stderr.String())
			}
			if !strings.Contains(stderr.String(), "sandbox stopped") {
				t.Errorf("after %s, the sandbox did not say it stopped:\n%s", sig, stderr.String())
			}
		})
	}
}

func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}
