package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/auth0-wizard/auth0-wizard/internal/atomicfile"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// ApplyOptions are what `apply` was asked to do.
type ApplyOptions struct {
	Global globalFlags
	DryRun bool
	Output string            // text or json
	Export string            // a format of the export registry, or ""
	Out    string            // the export's file
	Inputs map[string]string // the playbook inputs given by flag, by Input.Key
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

// givenInputs are the input flags given on the command line, by Input.Key.
func givenInputs(fs *pflag.FlagSet, vals map[string]*string) map[string]string {
	given := map[string]string{}
	for key, v := range vals {
		if fs.Changed(flagName(key)) {
			given[key] = *v
		}
	}
	return given
}

// applyInputs copies the given inputs into the settings.
func applyInputs(given map[string]string, s *steps.Settings) {
	for _, p := range steps.Playbooks() {
		for _, st := range p.Steps {
			for _, in := range st.Inputs {
				if v, ok := given[in.Key]; ok && in.Field != nil {
					*in.Field(s) = v
				}
			}
		}
	}
}

// newApplyCmd is `apply`; runF replaces runApply when not nil.
func newApplyCmd(f *Factory, g *globalFlags, runF func(context.Context, *Factory, *ApplyOptions) error) *cobra.Command {
	if runF == nil {
		runF = runApply
	}
	opts := &ApplyOptions{}
	var inputs map[string]*string
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
			opts.Global, opts.Inputs = *g, givenInputs(cmd.Flags(), inputs)
			return runF(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.DryRun, "dry-run", false, "print the plan (create / reuse / update) and change nothing")
	fl.StringVarP(&opts.Output, "output", "o", "text", "output format: text or json")
	fl.StringVar(&opts.Export, "export", "", exportUsage())
	fl.StringVar(&opts.Out, "out", "", "file for --export (0600 when it holds a secret)")
	inputs = inputFlags(fl)
	return cmd
}

func runApply(ctx context.Context, f *Factory, o *ApplyOptions) error {
	g := o.Global
	if o.Output != "text" && o.Output != "json" {
		return usagef("--output must be text or json, not %q", o.Output)
	}
	if (o.Export == "") != (o.Out == "") {
		return usagef("--export and --out go together: --export FORMAT --out FILE")
	}
	if o.Export != "" && !slices.Contains(steps.ExportFormats(), o.Export) {
		return usagef("--export %q is not a format: use one of %s", o.Export, strings.Join(steps.ExportFormats(), ", "))
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
	// The journal of the run to resume: its settings fill every value not
	// given by a flag, the environment or the config file, so that
	// `apply --journal FILE` continues the same run.
	var j *steps.Journal
	if path := rc.JournalPath; path != "" {
		if j, err = openJournal(path, g.revealSecrets); err != nil {
			return err
		}
		s = resumeWSO2(steps.ResumeSettings(s, j), j)
	}
	if s.Playbook == "" {
		return usagef("--playbook is required: wso2 or azure (or --journal of a run to resume)")
	}
	p, err := steps.PlaybookByID(s.Playbook)
	if err != nil {
		return usageError{err}
	}
	if j == nil {
		if j, err = openJournal(steps.DefaultJournalPath(p.ID), g.revealSecrets); err != nil {
			return err
		}
		s = resumeWSO2(steps.ResumeSettings(s, j), j)
	}
	if err := checkExportFor(o.Export, p.ID); err != nil {
		return err
	}
	if err := requireTenant(f, &s); err != nil {
		return err
	}
	s = steps.WithDefaults(s)
	if err := validateInputs(p, &s); err != nil {
		return err
	}
	if err := applyWSO2Inputs(f, rc, o.Inputs, p, &s); err != nil {
		return err
	}

	client, err := rc.tenantClient(s)
	if err != nil {
		return err
	}
	eng, err := rc.withWSO2(steps.NewEngine(client), s)
	if err != nil {
		return err
	}
	progress := func(format string, a ...any) { fmt.Fprintf(f.Err, format+"\n", a...) }
	progress("checking %s", s.Domain)
	// Stopped while it reads the tenant (Check, Plan): nothing was written.
	unchanged := func(err error) error {
		if ctx.Err() == nil {
			return err
		}
		fmt.Fprintf(f.Err, "stopped during the first checks, before any change: nothing was changed in %s\n", s.Domain)
		return errAborted
	}
	if _, err := eng.Check(ctx, p, s); err != nil {
		return unchanged(err)
	}
	plan, err := eng.Plan(ctx, p, s, j)
	if err != nil && ctx.Err() != nil {
		return unchanged(err)
	}
	var conflict *steps.JournalConflictError
	if errors.As(err, &conflict) {
		return usageError{err}
	}
	if err != nil {
		return err
	}
	if o.DryRun {
		return printPlan(f.Out, o.Output, plan)
	}
	// The test user's password is asked only when the user is to be made
	// (never for a dry run): a user that exists is reused as it is.
	if createsUser(plan) && s.UserPassword == "" {
		if s.UserPassword, err = promptSecret(f, "Password for the test user",
			"set "+envUserPassword+" or --user-password-file"); err != nil {
			return err
		}
		if err := steps.ValidatePassword(s.UserPassword); err != nil {
			return usagef("Password for the test user: %v", err)
		}
	}
	for _, a := range plan.Actions {
		progress("plan: %s %s %q", a.Verb, a.Kind, a.Name)
	}

	run := eng.Start(ctx, p, s, plan, j)
	for ev := range run.Events {
		progress("%s", steps.EventLine(ev))
	}
	res, err := run.Wait()
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
			fmt.Fprintf(f.Err, "stopped. %s\n", next)
			return errAborted
		}
		return fmt.Errorf("%w\n%s", err, next)
	}

	if o.Export != "" {
		masked, err := writeExport(o.Export, o.Out, res, s, g.revealSecrets)
		if err != nil {
			return err
		}
		progress("exported %s to %s", o.Export, o.Out)
		if masked != "" {
			progress("warning: %s", masked)
		}
	}
	note := sandboxNote(rc, res.JournalPath)
	if o.Output == "json" {
		data, err := json.MarshalIndent(steps.Output(res, g.revealSecrets), "", "  ")
		if err != nil {
			return fmt.Errorf("encode the result: %w", err)
		}
		if _, err := f.Out.Write(append(data, '\n')); err != nil {
			return err
		}
		if note != "" {
			progress("note: %s", note)
		}
	} else if err := printResultText(f.Out, res, g.revealSecrets, note); err != nil {
		return err
	}
	if !res.Token.Verified {
		return fmt.Errorf("the test token did not verify: %s", res.Token.Reason)
	}
	if why := wso2Failed(res); why != "" {
		return errors.New(why)
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
	if format == "" || slices.Contains(steps.ExportFormatsFor(id), format) {
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
			if slices.Contains(steps.ExportFormatsFor(p.ID), f) {
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
func requireTenant(f *Factory, s *steps.Settings) error {
	if s.Domain == "" {
		return usagef("the tenant domain is required: --domain or %s (or --sandbox)", envDomain)
	}
	if s.ClientID == "" {
		return usagef("the management application's client ID is required: --client-id or %s", envClientID)
	}
	if s.ClientSecret == "" {
		var err error
		s.ClientSecret, err = promptSecret(f, "Client secret of the management application",
			"set "+envClientSecret+" or --client-secret-file")
		return err
	}
	return nil
}

// writeExport renders the result in format and writes it to path (0600
// when it holds a secret). masked is the warning to give when the file's
// secret was masked and the file needs it ("" otherwise).
func writeExport(format, path string, res steps.Result, s steps.Settings, reveal bool) (masked string, err error) {
	ef, err := steps.ExportFormatByName(format)
	if err != nil {
		return "", err
	}
	out, err := steps.Render(format, res, s, reveal)
	if err != nil {
		return "", err
	}
	perm := os.FileMode(0o644)
	if out.Secret {
		perm = 0o600
	}
	if err := atomicfile.Write(path, out.Data, perm); err != nil {
		return "", err
	}
	if out.Masked && ef.MaskedWarning != "" {
		masked = fmt.Sprintf(ef.MaskedWarning, path)
	}
	return masked, nil
}

func printPlan(w io.Writer, output string, plan steps.Plan) error {
	if output == "json" {
		data, err := json.MarshalIndent(plan, "", "  ")
		if err != nil {
			return err
		}
		_, err = w.Write(append(data, '\n'))
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "plan for %s on %s (nothing changed):\n", plan.Playbook, plan.Domain)
	for _, a := range plan.Actions {
		line := fmt.Sprintf("  %-7s %-16s %s", a.Verb, a.Kind, a.Name)
		if a.ExistingID != "" {
			line += "  (" + a.ExistingID + ")"
		}
		if len(a.Changes) > 0 {
			line += "  changes: " + strings.Join(a.Changes, ", ")
		}
		b.WriteString(line + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// printResultText writes the result as steps.Report lays it out: a section
// a block, its rows as tab-aligned columns.
func printResultText(w io.Writer, r steps.Result, reveal bool, note string) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "%s playbook applied to %s\n", r.Playbook, r.Domain)
	for _, sec := range steps.Report(r, reveal) {
		if sec.Inline && len(sec.Rows) == 1 {
			fmt.Fprintf(tw, "\n%s\t%s\n", sec.Title, sec.Rows[0].Value)
			continue
		}
		fmt.Fprintf(tw, "\n%s\n", sec.Title)
		for _, row := range sec.Rows {
			cells := row.Cells
			if cells == nil {
				cells = []string{row.Key, row.Value}
			}
			fmt.Fprintf(tw, "  %s\n", strings.Join(cells, "\t"))
		}
	}
	if note != "" {
		fmt.Fprintf(tw, "\nnote: %s\n", note)
	}
	return tw.Flush()
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
