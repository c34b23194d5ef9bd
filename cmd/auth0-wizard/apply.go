package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// applyFlags are the flags of `apply`.
type applyFlags struct {
	dryRun bool
	output string
	export string
	out    string
	inputs map[string]*string // one flag per playbook input, by Input.Key
}

// inputFlags registers one flag per playbook input (--api-identifier, ...),
// so that every value a screen asks for can be given headless. The inputs of
// the tenant and management steps and the secrets have flags of their own.
func inputFlags(fs *pflag.FlagSet) map[string]*string {
	vals := map[string]*string{}
	for _, p := range steps.Playbooks() {
		for _, st := range p.Steps {
			if st.Kind == steps.StepTenant || st.Kind == steps.StepManagement {
				continue
			}
			for _, in := range st.Inputs {
				if in.Secret || in.Field == nil || vals[in.Key] != nil {
					continue
				}
				usage := in.Label
				if in.Help != "" {
					usage += ": " + in.Help
				}
				if len(in.Options) > 0 {
					usage += " (" + strings.Join(in.Options, ", ") + ")"
				}
				vals[in.Key] = fs.String(flagName(in.Key), "", usage)
			}
		}
	}
	return vals
}

func flagName(key string) string { return strings.ReplaceAll(key, "_", "-") }

// applyInputs copies the input flags that were given into the settings.
func applyInputs(fs *pflag.FlagSet, vals map[string]*string, s *steps.Settings) {
	for _, p := range steps.Playbooks() {
		for _, st := range p.Steps {
			for _, in := range st.Inputs {
				v, ok := vals[in.Key]
				if !ok || in.Field == nil || !fs.Changed(flagName(in.Key)) {
					continue
				}
				*in.Field(s) = *v
			}
		}
	}
}

func newApplyCmd(g *globalFlags, ios streams) *cobra.Command {
	af := &applyFlags{}
	cmd := &cobra.Command{
		Use:   "apply --playbook wso2|azure",
		Short: "Apply a playbook headless: the same steps and engine as the wizard",
		Long: `apply runs a playbook without screens: for scripts, CI and rehearsing a demo.
Every value a screen asks for comes from a flag, the environment or the config
file. Progress goes to stderr; stdout carries the result (one JSON document with
--output json).`,
		Example: `  auth0-wizard apply --sandbox --playbook wso2 --output json
  AUTH0_DOMAIN=my-tenant.us.auth0.com AUTH0_CLIENT_ID=... AUTH0_CLIENT_SECRET=... \
    auth0-wizard apply --playbook azure --user-email demo@example.com --dry-run`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runApply(cmd.Context(), g, af, cmd.Flags(), ios)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&af.dryRun, "dry-run", false, "print the plan (create / reuse / update) and change nothing")
	f.StringVarP(&af.output, "output", "o", "text", "output format: text or json")
	f.StringVar(&af.export, "export", "", exportUsage())
	f.StringVar(&af.out, "out", "", "file for --export (0600 when it holds a secret)")
	af.inputs = inputFlags(f)
	return cmd
}

func runApply(ctx context.Context, g *globalFlags, af *applyFlags, fs *pflag.FlagSet, ios streams) error {
	if af.output != "text" && af.output != "json" {
		return usagef("--output must be text or json, not %q", af.output)
	}
	if (af.export == "") != (af.out == "") {
		return usagef("--export and --out go together: --export FORMAT --out FILE")
	}
	if af.export != "" && !contains(steps.ExportFormats(), af.export) {
		return usagef("--export %q is not a format: use one of %s", af.export, strings.Join(steps.ExportFormats(), ", "))
	}
	rc, cleanup, err := resolve(ctx, g, ios)
	if err != nil {
		return err
	}
	defer cleanup()
	s := rc.Settings
	applyInputs(fs, af.inputs, &s)
	// The journal of the run to resume: its settings fill every value not
	// given by a flag, the environment or the config file, so that
	// `apply --journal FILE` continues the same run.
	var j *steps.Journal
	if path := rc.JournalPath; path != "" {
		if j, err = steps.OpenJournal(path, g.revealSecrets); err != nil {
			return err
		}
		s = steps.ResumeSettings(s, j)
	}
	if s.Playbook == "" {
		return usagef("--playbook is required: wso2 or azure (or --journal of a run to resume)")
	}
	p, err := steps.PlaybookByID(s.Playbook)
	if err != nil {
		return usageError{err}
	}
	if j == nil {
		if j, err = steps.OpenJournal(steps.DefaultJournalPath(p.ID), g.revealSecrets); err != nil {
			return err
		}
		s = steps.ResumeSettings(s, j)
	}
	if err := checkExportFor(af.export, p.ID); err != nil {
		return err
	}
	if err := requireTenant(ios, &s); err != nil {
		return err
	}
	s = steps.WithDefaults(s)
	if err := validateInputs(p, &s); err != nil {
		return err
	}

	client, err := rc.newClient(s)
	if err != nil {
		return err
	}
	eng := steps.NewEngine(client)
	progress := newProgressPrinter(ios)
	progress.line("checking %s", s.Domain)
	if _, err := eng.Check(ctx, p, s); err != nil {
		return err
	}
	plan, err := eng.Plan(ctx, p, s, j)
	var conflict *steps.JournalConflictError
	if errors.As(err, &conflict) {
		return usageError{err}
	}
	if err != nil {
		return err
	}
	if af.dryRun {
		return printPlan(ios, af.output, plan)
	}
	// The test user's password is asked only when the user is to be made
	// (never for a dry run): a user that exists is reused as it is.
	if createsUser(plan) && s.UserPassword == "" {
		if s.UserPassword, err = promptSecret(ios, "Password for the test user",
			"set "+envUserPassword+" or --user-password-file"); err != nil {
			return err
		}
		if err := steps.ValidatePassword(s.UserPassword); err != nil {
			return usagef("Password for the test user: %v", err)
		}
	}
	for _, a := range plan.Actions {
		progress.line("plan: %s %s %q", a.Verb, a.Kind, a.Name)
	}

	events, stop := drain(progress.event)
	res, err := eng.Apply(ctx, p, s, plan, j, events)
	stop()
	if err != nil {
		stopped := ctx.Err() != nil
		next := j.ResumeHint(true, "") // the in-process sandbox is gone at exit
		if rc.Sandbox == nil {
			next = "the journal " + j.Path() + " records what was done"
			if !stopped {
				next += ": fix the cause, then resume"
			}
			next += ".\n" + j.ResumeHint(false, rc.caFile)
		}
		if stopped {
			fmt.Fprintf(ios.err, "stopped. %s\n", next)
			return errAborted
		}
		return fmt.Errorf("%w\n%s", err, next)
	}

	if af.export != "" {
		if err := writeExport(af.export, af.out, res, s, g.revealSecrets); err != nil {
			return err
		}
		progress.line("exported %s to %s", af.export, af.out)
		if af.export == steps.FormatWSO2 && !g.revealSecrets {
			progress.line("warning: the key manager JSON in %s holds client_secret %q, masked: add --reveal-secrets to write the management application's secret into it, or fill it in the admin portal's Add Key Manager form before use",
				af.out, steps.Masked)
		}
	}
	note := sandboxNote(rc, res.JournalPath)
	if af.output == "json" {
		data, _, err := steps.Export("json", res, s, g.revealSecrets)
		if err != nil {
			return err
		}
		if _, err := ios.out.Write(data); err != nil {
			return err
		}
		if note != "" {
			progress.line("note: %s", note)
		}
	} else {
		printResultText(ios, res, g.revealSecrets, note)
	}
	if !res.Token.Verified {
		return fmt.Errorf("the test token did not verify: %s", res.Token.Reason)
	}
	return nil
}

// createsUser reports whether the plan makes the azure test user.
func createsUser(plan steps.Plan) bool {
	for _, a := range plan.Actions {
		if a.Kind == steps.KindUser && a.Verb == steps.Create {
			return true
		}
	}
	return false
}

// checkExportFor refuses an export format that makes no sense after the
// playbook: the other gateway's document would be half empty.
func checkExportFor(format string, id steps.PlaybookID) error {
	if format == "" || contains(steps.ExportFormatsFor(id), format) {
		return nil
	}
	return usagef("--export %s is not for the %s playbook (it would be half empty): use one of %s",
		format, id, strings.Join(steps.ExportFormatsFor(id), ", "))
}

// exportUsage is the help of --export: each format, with the playbooks it
// is for when not all.
func exportUsage() string {
	var parts []string
	for _, f := range steps.ExportFormats() {
		var ids []string
		for _, p := range steps.Playbooks() {
			if contains(steps.ExportFormatsFor(p.ID), f) {
				ids = append(ids, string(p.ID))
			}
		}
		if len(ids) < len(steps.Playbooks()) {
			f += " (" + strings.Join(ids, ", ") + " only)"
		}
		parts = append(parts, f)
	}
	return "also export the result: " + strings.Join(parts, ", ")
}

// sandboxNote says, for a run on the in-process sandbox, that the tenant
// and (when it is the run's own temporary one) the journal are gone at exit.
func sandboxNote(rc *runConfig, journal string) string {
	switch {
	case rc.Sandbox == nil:
		return ""
	case rc.tempJournal:
		return "the in-process sandbox tenant and its journal " + journal + " are deleted when auth0-wizard exits: running again starts afresh"
	}
	return "the in-process sandbox tenant is gone when auth0-wizard exits; the journal " + journal + " is kept, but nothing it records can be resumed or torn down"
}

// validateInputs checks every input of the playbook, naming the flag that
// gives a value that is missing or wrong.
func validateInputs(p steps.Playbook, s *steps.Settings) error {
	for _, st := range p.Steps {
		if st.Kind == steps.StepTenant || st.Kind == steps.StepManagement {
			continue
		}
		for _, in := range st.Inputs {
			if in.Validate == nil || in.Field == nil {
				continue
			}
			if in.Secret && *in.Field(s) == "" {
				continue // asked for only when needed (see createsUser)
			}
			if err := in.Validate(*in.Field(s)); err != nil {
				if in.Secret {
					return usagef("%s: %v", in.Label, err)
				}
				return usagef("--%s: %v", flagName(in.Key), err)
			}
		}
	}
	// The tenant's and management application's inputs too, before any
	// request (a secret not given yet is asked for when needed).
	if err := p.ValidateGiven(*s); err != nil {
		return usageError{err}
	}
	return nil
}

// requireTenant makes sure the tenant and the management credentials are
// known, prompting for the secret on a terminal.
func requireTenant(ios streams, s *steps.Settings) error {
	if s.Domain == "" {
		return usagef("the tenant domain is required: --domain or %s (or --sandbox)", envDomain)
	}
	if s.ClientID == "" {
		return usagef("the management application's client ID is required: --client-id or %s", envClientID)
	}
	if s.ClientSecret == "" {
		var err error
		s.ClientSecret, err = promptSecret(ios, "Client secret of the management application",
			"set "+envClientSecret+" or --client-secret-file")
		return err
	}
	return nil
}

func writeExport(format, path string, res steps.Result, s steps.Settings, reveal bool) error {
	data, secret, err := steps.Export(format, res, s, reveal)
	if err != nil {
		return err
	}
	perm := os.FileMode(0o644)
	if secret {
		perm = 0o600
	}
	return steps.WriteFileAtomic(path, data, perm)
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func printPlan(ios streams, output string, plan steps.Plan) error {
	if output == "json" {
		data, err := json.MarshalIndent(plan, "", "  ")
		if err != nil {
			return err
		}
		_, err = ios.out.Write(append(data, '\n'))
		return err
	}
	fmt.Fprintf(ios.out, "plan for %s on %s (nothing changed):\n", plan.Playbook, plan.Domain)
	for _, a := range plan.Actions {
		line := fmt.Sprintf("  %-7s %-16s %s", a.Verb, a.Kind, a.Name)
		if a.ExistingID != "" {
			line += "  (" + a.ExistingID + ")"
		}
		if len(a.Changes) > 0 {
			line += "  changes: " + strings.Join(a.Changes, ", ")
		}
		fmt.Fprintln(ios.out, line)
	}
	return nil
}

func printResultText(ios streams, r steps.Result, reveal bool, note string) {
	w := tabwriter.NewWriter(ios.out, 0, 4, 2, ' ', 0)
	defer w.Flush()
	fmt.Fprintf(w, "%s playbook applied to %s\n\nendpoints\n", r.Playbook, r.Domain)
	e := r.Endpoints
	for _, kv := range [][2]string{
		{"issuer", e.Issuer}, {"authorize", e.AuthorizationEndpoint}, {"token", e.TokenEndpoint},
		{"userinfo", e.UserinfoEndpoint}, {"jwks", e.JWKSURI}, {"revoke", e.RevocationEndpoint},
		{"openid-configuration", e.OpenIDConfiguration},
	} {
		fmt.Fprintf(w, "  %s\t%s\n", kv[0], kv[1])
	}
	fmt.Fprintln(w, "\nresources")
	for _, res := range r.Resources {
		fmt.Fprintf(w, "  %s\t%s\t%s\t%s\n", res.Action, res.Kind, res.Name, res.ID)
	}
	secret := steps.Masked
	if reveal {
		secret = r.ClientSecret
	}
	fmt.Fprintf(w, "\nkeys\n  client_id\t%s\n  client_secret\t%s\n  audience\t%s\n", r.ClientID, secret, r.Audience)
	printTokenCheck(w, "test token", r.Token)
	if r.UserToken != nil {
		printTokenCheck(w, "user token", *r.UserToken)
	}
	fmt.Fprintf(w, "\njournal\t%s\n", r.JournalPath)
	if note != "" {
		fmt.Fprintf(w, "\nnote: %s\n", note)
	}
}

func printTokenCheck(w io.Writer, title string, t steps.TokenCheck) {
	verdict := "✗ not verified: " + t.Reason
	if t.Verified {
		verdict = "✓ verified (signature against " + t.KeySource + ", iss, aud, azp, exp)"
	}
	fmt.Fprintf(w, "\n%s  %s\n", title, verdict)
	keys := make([]string, 0, len(t.Claims))
	for k := range t.Claims {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "  %s\t%s\n", k, claimText(k, t.Claims[k]))
	}
}

// claimText shows a claim as a person reads it: times as dates too.
func claimText(name string, v any) string {
	f, ok := v.(float64)
	if !ok {
		return fmt.Sprint(v)
	}
	n := int64(f)
	if name == "exp" || name == "iat" || name == "nbf" || name == "auth_time" {
		return fmt.Sprintf("%d (%s)", n, time.Unix(n, 0).UTC().Format(time.RFC3339))
	}
	return fmt.Sprint(n)
}

// drain hands each value sent on the channel it returns to show, in the
// order sent; stop closes the channel and waits until the last is shown.
func drain[T any](show func(T)) (ch chan<- T, stop func()) {
	c := make(chan T, 16)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for v := range c {
			show(v)
		}
	}()
	return c, func() {
		close(c)
		<-done
	}
}

// progressPrinter writes one line per engine event to stderr.
type progressPrinter struct{ ios streams }

func newProgressPrinter(ios streams) *progressPrinter { return &progressPrinter{ios: ios} }

func (p *progressPrinter) line(format string, a ...any) {
	fmt.Fprintf(p.ios.err, format+"\n", a...)
}

func (p *progressPrinter) event(ev steps.Event) {
	switch ev.Kind {
	case steps.EventStarted:
		p.line("… %s", ev.Action)
	case steps.EventWaiting:
		p.line("⏳ %s: rate limited, waiting %s%s", ev.Action, ev.Wait.Round(time.Millisecond), suffix(ev.Message))
	case steps.EventRetrying:
		p.line("↻ %s: retry %d%s", ev.Action, ev.Attempt, suffix(ev.Message))
	case steps.EventDone:
		verb := ev.Verb.Past()
		if verb == "" {
			verb = "done"
		}
		id := ""
		if ev.ID != "" {
			id = " " + ev.ID
		}
		p.line("✓ %s %s%s (%s)", verb, ev.Action, id, ev.Duration.Round(time.Millisecond))
	case steps.EventFailed:
		p.line("✗ failed %s: %s", ev.Action, ev.Message)
	}
}

func suffix(msg string) string {
	if msg == "" {
		return ""
	}
	return ": " + msg
}
