package main

import (
	"bytes"
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/spf13/cobra"

	"github.com/auth0-wizard/auth0-wizard/auth0client"
	"github.com/auth0-wizard/auth0-wizard/internal/sandboxtest"
	"github.com/auth0-wizard/auth0-wizard/sandbox"
)

// testRoot is a root with the global flags and one command made by add,
// whose run function the test swapped.
func testRoot(t *testing.T, add func(f *Factory, g *globalFlags) *cobra.Command, args ...string) {
	t.Helper()
	g := &globalFlags{}
	root := &cobra.Command{Use: "auth0-wizard", SilenceErrors: true, SilenceUsage: true}
	addGlobalFlags(root.PersistentFlags(), g)
	root.AddCommand(add(envFactory(nil), g))
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		t.Fatalf("%v: %v", args, err)
	}
}

func TestApplyFlagsFillItsOptions(t *testing.T) {
	t.Parallel()
	var got *ApplyOptions
	testRoot(t, func(f *Factory, g *globalFlags) *cobra.Command {
		return newApplyCmd(f, g, func(_ context.Context, _ *Factory, o *ApplyOptions) error { got = o; return nil })
	}, "apply", "--playbook", "azure", "--domain", "t.example.com", "--dry-run", "-o", "json", "--export", "dotenv", "--out", "x.env",
		"--api-identifier", "calc", "--user-email", "jane@example.com", "--reveal-secrets")
	if got == nil {
		t.Fatal("the run function was not called")
	}
	if got.Global.playbook != "azure" || got.Global.domain != "t.example.com" || !got.Global.revealSecrets || !got.DryRun ||
		got.Output != "json" || got.Export != "dotenv" || got.Out != "x.env" {
		t.Errorf("options %+v", *got)
	}
	// Only the inputs given: the others keep the journal's or the defaults.
	if want := map[string]string{"api_identifier": "calc", "user_email": "jane@example.com"}; !maps.Equal(got.Inputs, want) {
		t.Errorf("inputs %v, want %v", got.Inputs, want)
	}
}

func TestDoctorTeardownTokenSandboxAndWizardFlagsFillTheirOptions(t *testing.T) {
	t.Parallel()
	var dr *DoctorOptions
	testRoot(t, func(f *Factory, g *globalFlags) *cobra.Command {
		return newDoctorCmd(f, g, func(_ context.Context, _ *Factory, o *DoctorOptions) error { dr = o; return nil })
	}, "doctor", "--journal", "j.json", "--app-client-id", "app-1", "--app-client-secret-file", "s.txt", "-o", "json", "--app-name", "Calc")
	if dr == nil || dr.Global.journal != "j.json" || dr.AppClientID != "app-1" || dr.AppSecretFile != "s.txt" || dr.Output != "json" ||
		!maps.Equal(dr.Inputs, map[string]string{"app_name": "Calc"}) {
		t.Errorf("doctor options %+v", dr)
	}
	var td *TeardownOptions
	testRoot(t, func(f *Factory, g *globalFlags) *cobra.Command {
		return newTeardownCmd(f, g, func(_ context.Context, _ *Factory, o *TeardownOptions) error { td = o; return nil })
	}, "teardown", "--playbook", "wso2", "--config", "c.yaml")
	if td == nil || td.Global.playbook != "wso2" || td.Global.configFile != "c.yaml" {
		t.Errorf("teardown options %+v", td)
	}
	var tk *TokenDecodeOptions
	testRoot(t, func(f *Factory, g *globalFlags) *cobra.Command {
		return newTokenCmd(f, g, func(_ context.Context, _ *Factory, o *TokenDecodeOptions) error { tk = o; return nil })
	}, "token", "decode", "-", "--domain", "t.example.com")
	if tk == nil || tk.Global.domain != "t.example.com" || !slices.Equal(tk.Args, []string{"-"}) || tk.Output != "text" {
		t.Errorf("token decode options %+v", tk)
	}
	for _, tc := range []struct {
		args      []string
		addrGiven bool
	}{{[]string{"sandbox", "--http", "--seed", "3"}, false}, {[]string{"sandbox", "--addr", "127.0.0.1:0", "--http"}, true}} {
		var sb *SandboxOptions
		testRoot(t, func(f *Factory, _ *globalFlags) *cobra.Command {
			return newSandboxCmd(f, func(_ context.Context, _ *Factory, o *SandboxOptions) error { sb = o; return nil })
		}, tc.args...)
		if sb == nil || !sb.HTTP || sb.AddrGiven != tc.addrGiven {
			t.Errorf("%v: sandbox options %+v", tc.args, sb)
		}
	}
	var wz *WizardOptions
	root := newRootCmd(envFactory(nil), func(_ context.Context, _ *Factory, o *WizardOptions) error { wz = o; return nil })
	root.SetArgs([]string{"--sandbox", "--accessible", "--playbook", "azure"})
	if err := root.Execute(); err != nil || wz == nil || !wz.Global.sandbox || !wz.Global.accessible || wz.Global.playbook != "azure" {
		t.Errorf("wizard options %+v, %v", wz, err)
	}
}

// TestCommandsTakeTheirTenantFromTheFactory: apply --sandbox starts its
// tenant and builds its client through the factory, with the run's CA and
// trace, so a test can hand it its own (here: a seeded sandbox and the
// shrunk retry policy).
func TestCommandsTakeTheirTenantFromTheFactory(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	f := envFactory(map[string]string{envUserPassword: "Str0ng!Passw0rd"})
	f.Out, f.Err = &out, &errb
	var mu sync.Mutex
	var started *sandbox.Server
	var configs []auth0client.Config
	f.StartSandbox = func(sandbox.Options) (*sandbox.Server, error) {
		sb := sandboxtest.Start(t, sandbox.Options{Seed: 17})
		mu.Lock()
		started = sb
		mu.Unlock()
		return sb, nil
	}
	f.NewClient = func(cfg auth0client.Config) (*auth0client.Client, error) {
		mu.Lock()
		configs = append(configs, cfg)
		mu.Unlock()
		cfg.Retry = sandboxtest.FastRetry()
		return auth0client.New(cfg)
	}
	if code := runWith(t.Context(), f, []string{"apply", "--sandbox", "--playbook", "azure", "--output", "json"}); code != exitOK {
		t.Fatalf("exit %d\n%s", code, errb.String())
	}
	mu.Lock()
	defer mu.Unlock()
	if started == nil || len(configs) != 1 || configs[0].Domain != started.Domain || configs[0].ClientID != started.ClientID ||
		!bytes.HasPrefix(configs[0].CAPEM, started.CAPEM) {
		t.Fatalf("sandbox %v, client configs %+v: want one client for the factory's sandbox, trusting its CA", started != nil, configs)
	}
	if o := decodeOutput(t, out.String()); o.Domain != started.Domain || !strings.Contains(errb.String(), "✓ created user") {
		t.Errorf("output for %s, progress:\n%s", o.Domain, errb.String())
	}
}
