package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// DoctorOptions are what `doctor` was asked to check.
type DoctorOptions struct {
	Global        globalFlags
	Output        string // text or json
	AppClientID   string
	AppSecretFile string
	Inputs        map[string]string // the playbook inputs given by flag, by Input.Key
	Kits          bool              // every kit of a kits journal (kits.go)
}

// newDoctorCmd is `doctor`; runF replaces runDoctor when not nil.
func newDoctorCmd(f *Factory, g *globalFlags, runF func(context.Context, *Factory, *DoctorOptions) error) *cobra.Command {
	if runF == nil {
		runF = runDoctor
	}
	opts := &DoctorOptions{}
	var inputs map[string]*string
	cmd := &cobra.Command{
		Use:   "doctor [--playbook wso2|azure] [--journal FILE] [--app-client-id ID] [--output text|json]",
		Short: "Check an existing setup link by link: what is broken, why, and how to fix it",
		Long: `doctor checks, in order, each link a gateway depends on, and gives each a
verdict (PASS, WARN, FAIL or SKIP) with one line on why and, when something is
wrong, one line on what to do:

  the tenant answers and its discovery names the issuer https://DOMAIN/;
  the management application's credentials give a token; its scopes are
  enough for the playbook; the resource server exists (wso2: with its
  "default" scope); the application exists, may use client credentials, and
  its token endpoint authentication; a client grant authorizes it for the
  API; a token minted for it verifies (signature, iss, aud, azp); azure: the
  connection exists and is enabled for the application, the user is in it
  (and logs in, when the password is given); wso2: the key manager's values
  agree with the tenant.

A check that needs one that failed is SKIP, naming it, instead of failing
again. doctor changes nothing in the tenant.

The application to check is found by --app-client-id, else by the journal
(--journal: the run's settings fill every input not given), else by its name
(--app-name, default the playbook's). --client-id, as everywhere, is the
MANAGEMENT application's client ID, not the application being checked.

Exit status: 0 when no check failed, 1 otherwise, 2 for a usage mistake.`,
		Example: `  auth0-wizard doctor --playbook wso2
  auth0-wizard doctor --journal auth0-wizard-azure.journal.json --output json
  auth0-wizard doctor --playbook wso2 --app-client-id <client ID of the WSO2 application>
  auth0-wizard doctor --domain 127.0.0.1:8443 --ca-file sandbox-ca.pem --client-id <id> --playbook azure --user-email jane@example.com`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Global, opts.Inputs = *g, givenInputs(cmd.Flags(), inputs)
			return runF(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Output, "output", "o", "text", "output format: text or json")
	fl.StringVar(&opts.AppClientID, "app-client-id", "", "client ID of the application to check (the gateway's application; not --client-id, which is the management application's)")
	fl.BoolVar(&opts.Kits, "kits", false, "check every kit of the journal the kits command wrote (--journal FILE) and list the broken ones")
	fl.StringVar(&opts.AppSecretFile, "app-client-secret-file", "", "file holding the secret the gateway uses for the application: the test token is minted with it (default: the secret read from the tenant)")
	inputs = inputFlags(fl)
	return cmd
}

// doctorReport is the JSON document of `doctor --output json`.
type doctorReport struct {
	Playbook steps.PlaybookID    `json:"playbook"`
	Domain   string              `json:"domain"`
	OK       bool                `json:"ok"`
	Checks   []steps.CheckResult `json:"checks"`
}

func runDoctor(ctx context.Context, f *Factory, o *DoctorOptions) error {
	g := o.Global
	if o.Output != "text" && o.Output != "json" {
		return usagef("--output must be text or json, not %q", o.Output)
	}
	if o.Kits {
		return runDoctorKits(ctx, f, o)
	}
	rc, cleanup, err := resolve(f, g)
	if err != nil {
		return err
	}
	defer cleanup()
	s := rc.Settings
	applyInputs(o.Inputs, &s)
	if err := checkStandInInputs(rc, o.Inputs); err != nil {
		return err
	}

	j, err := doctorJournal(g, rc)
	if err != nil {
		return err
	}
	s = steps.ResumeSettings(s, j) // the run's tenant, client ID and inputs, where not given
	if s.Playbook == "" && j != nil {
		s.Playbook = j.Playbook()
	}
	s = resumeWSO2(s, j)
	if s.Playbook == "" {
		return usagef("--playbook is required (wso2 or azure), or --journal of the run to check")
	}
	p, err := steps.PlaybookByID(s.Playbook)
	if err != nil {
		return usageError{err}
	}
	if j != nil && s.Domain == "" {
		s.Domain = j.Domain()
	}
	if err := requireTenant(f, &s); err != nil {
		return err
	}
	if rc.demoPassword {
		s.UserPassword = "" // the sandbox's made-up demo password logs nobody in
	}
	dopts := steps.DoctorOptions{AppClientID: strings.TrimSpace(o.AppClientID), Journal: j}
	if o.AppSecretFile != "" {
		if dopts.AppClientSecret, err = readSecretFile(o.AppSecretFile, "application secret"); err != nil {
			return err
		}
	}
	client, err := rc.tenantClient(s)
	if err != nil {
		return err
	}

	fmt.Fprintf(f.Err, "checking the %s setup on %s\n", p.ID, s.Domain)
	var stop func()
	dopts.Progress, stop = drain(func(r steps.CheckResult) {
		if o.Output == "text" {
			printCheck(f.Out, r)
		}
	})
	eng, err := rc.withWSO2(steps.NewEngine(client), s)
	if err != nil {
		return err
	}
	results := eng.Doctor(ctx, p, s, dopts)
	stop()
	if ctx.Err() != nil {
		return errAborted
	}

	if o.Output == "json" {
		data, err := json.MarshalIndent(doctorReport{Playbook: p.ID, Domain: s.Domain, OK: !steps.DoctorFailed(results), Checks: results}, "", "  ")
		if err != nil {
			return fmt.Errorf("encode doctor report: %w", err)
		}
		if _, err := f.Out.Write(append(data, '\n')); err != nil {
			return err
		}
	} else {
		fmt.Fprintln(f.Out, doctorSummary(results))
	}
	if steps.DoctorFailed(results) {
		var failed []string
		for _, r := range results {
			if r.Status == steps.CheckFail {
				failed = append(failed, r.ID)
			}
		}
		return fmt.Errorf("doctor: %d of %d checks failed (%s): each FAIL above says why and how to fix it",
			len(failed), len(results), strings.Join(failed, ", "))
	}
	return nil
}

// doctorJournal opens the journal given by --journal (or the config file),
// for reading only: doctor never writes it. A journal that was asked for
// and does not exist is a usage mistake.
func doctorJournal(g globalFlags, rc *runConfig) (*steps.Journal, error) {
	path := g.journal
	if path == "" && !g.sandbox {
		path = rc.JournalPath // from the config file
	}
	if path == "" {
		return nil, nil
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, usagef("journal %s does not exist: give the journal the wizard or apply wrote, or leave --journal out", path)
	} else if err != nil {
		return nil, usagef("journal %s: %v", path, err)
	}
	// Opened with its secrets (if the run kept any) so that the test token
	// can be minted without read:client_keys; they stay in memory.
	return openJournal(path, true)
}

// printCheck writes one check as `STATUS  title — why` and, when there is
// something to do, an indented `fix:` line.
func printCheck(w io.Writer, r steps.CheckResult) {
	fmt.Fprintf(w, "%-4s  %s — %s\n", r.Status, r.Title, r.Why)
	if r.Fix != "" && r.Status != steps.CheckPass {
		fmt.Fprintf(w, "      fix: %s\n", r.Fix)
	}
}

func doctorSummary(results []steps.CheckResult) string {
	counts := map[steps.CheckStatus]int{}
	for _, r := range results {
		counts[r.Status]++
	}
	var parts []string
	for _, st := range []struct {
		s    steps.CheckStatus
		word string
	}{{steps.CheckPass, "passed"}, {steps.CheckWarn, "warned"}, {steps.CheckFail, "failed"}, {steps.CheckSkip, "skipped"}} {
		if n := counts[st.s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, st.word))
		}
	}
	return fmt.Sprintf("\n%d checks: %s", len(results), strings.Join(parts, ", "))
}
