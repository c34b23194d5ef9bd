package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// The binary the real-terminal tests and benchmarks run: built once per
// test process (not once per test: seven builds cost a minute on a loaded
// machine) into a folder TestMain removes.
var built struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

// wizardBinary is the path of the auth0-wizard binary built from this
// package's source, failing tb when it does not build.
func wizardBinary(tb testing.TB) string {
	tb.Helper()
	built.once.Do(func() {
		built.dir, built.err = os.MkdirTemp("", "auth0-wizard-bin-")
		if built.err != nil {
			return
		}
		built.bin = filepath.Join(built.dir, "auth0-wizard")
		if out, err := exec.Command("go", "build", "-o", built.bin, ".").CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if built.err != nil {
		tb.Fatal(built.err)
	}
	return built.bin
}

// newTmux is a tmux server of the test's own (socket named by name and the
// process), killed when the test ends; the test is skipped, saying so,
// when tmux is not installed.
func newTmux(t *testing.T, name string) *tmuxWizard {
	t.Helper()
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("tmux is not installed: this real-terminal test needs it (.ci/run installs it)")
	}
	socket := fmt.Sprintf("wiz-%s-%d", name, os.Getpid())
	t.Cleanup(func() { _ = exec.Command(tmux, "-L", socket, "kill-server").Run() })
	return &tmuxWizard{t: t, tmux: tmux, socket: socket}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		_ = os.RemoveAll(built.dir)
	}
	os.Exit(code)
}
