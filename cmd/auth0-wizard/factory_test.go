package main

import (
	"strings"
	"testing"
)

// envFactory is the binary's factory with no streams and env as the whole
// environment.
func envFactory(env map[string]string) *Factory {
	f := newFactory(strings.NewReader(""), nil, nil)
	f.LookupEnv = func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}
	return f
}

// TestOnlySettingsReadTheEnvironment: the commands see the environment only
// through the factory, so a test's environment is the whole of it.
func TestOnlySettingsReadTheEnvironment(t *testing.T) {
	t.Setenv(envDomain, "from-the-process.us.auth0.com")
	rc, cleanup, err := resolve(envFactory(map[string]string{envAccessible: "1"}), globalFlags{})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	if rc.Settings.Domain != "" || !rc.accessible {
		t.Errorf("resolve read the process environment (domain %q) or not the factory's (accessible %v)", rc.Settings.Domain, rc.accessible)
	}
}

// TMUX and COLUMNS reach the wizard through settings resolution, from the
// factory's environment, not read by ui.
func TestResolveReadsTmuxAndColumns(t *testing.T) {
	rc, cleanup, err := resolve(envFactory(map[string]string{envTmux: "/tmp/tmux-1000/default,1,0", envColumns: "132"}), globalFlags{})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	if !rc.inTmux || rc.columns != 132 {
		t.Errorf("inTmux %v, columns %d; want true, 132", rc.inTmux, rc.columns)
	}
}
