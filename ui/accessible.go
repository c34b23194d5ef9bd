package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"charm.land/huh/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/term"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// maxAttempts bounds how often a failed check re-asks in line mode, so a
// closed input cannot loop forever.
const maxAttempts = 3

// RunAccessible is the line mode for screen readers: the same form
// constructors as the screens, run one by one through huh's accessible mode,
// the run flow's functions called directly, then the run's events as plain
// lines (steps.EventLine). Secrets already given by the environment or a
// file are not asked again (huh's accessible password prompt needs a
// terminal).
func RunAccessible(ctx context.Context, opts Options, in io.Reader, out io.Writer) (Outcome, error) {
	if opts.Context == nil {
		opts.Context = ctx
	}
	width := accessibleWidth(opts, out)
	// Colours only where the output takes them, and never with NO_COLOR.
	out = colorprofile.NewWriter(out, os.Environ())
	theme := newStyles(true).huhTheme()
	sess := &session{settings: opts.Settings, sandbox: opts.Sandbox, caFile: opts.CAFile}
	o := Outcome{}
	say := func(format string, a ...any) { fmt.Fprintf(out, format+"\n", a...) }
	run := func(f *huh.Form) error {
		if f == nil {
			return nil
		}
		err := f.WithInput(in).WithOutput(out).RunWithContext(ctx)
		if errors.Is(err, huh.ErrUserAborted) {
			return context.Canceled
		}
		return err
	}

	id := opts.Playbook
	doctor := false
	if id == "" {
		first := string(steps.Playbooks()[0].ID)
		choice, check := first, first
		if err := run(newPlaybookForm(&choice, &check, theme, true)); err != nil {
			return Outcome{Aborted: true}, nil
		}
		id = steps.PlaybookID(choice)
		if choice == checkChoice {
			if err := run(newCheckForm(&check, theme)); err != nil {
				return Outcome{Aborted: true}, nil
			}
			id, doctor = steps.PlaybookID(check), true
		}
	}
	p, err := steps.PlaybookByID(id)
	if err != nil {
		return o, err
	}
	sess.playbook = p
	sess.settings.Playbook = p.ID
	o.Playbook = p.ID

	for i, step := range p.Steps {
		if step.Kind == steps.StepSummary {
			break
		}
		say("\nStep %d of %d: %s", i+1, len(p.Steps), step.Title)
		if step.Explain != "" {
			say("%s", wrap(reflow(step.Explain), width))
		}
		for _, in := range step.Inputs {
			if in.Help != "" && (in.When == nil || in.When(sess.settings)) {
				say("%s", wrap("  "+in.Label+": "+in.Help, width))
			}
		}
		for attempt := 1; ; attempt++ {
			applyDefaults(&sess.settings, step)
			before := askedInputs(step, sess.settings)
			f, _ := newStepForm(&sess.settings, step, theme, true)
			if err := run(f); err != nil {
				return Outcome{Aborted: true, Playbook: p.ID}, nil
			}
			// An input asked only with what was just answered (When) is
			// asked now, after the others.
			var more []string
			for _, k := range askedInputs(step, sess.settings) {
				if !slices.Contains(before, k) {
					more = append(more, k)
				}
			}
			if len(more) > 0 {
				applyDefaults(&sess.settings, step)
				f, _ := newStepForm(&sess.settings, step, theme, true, more...)
				if err := run(f); err != nil {
					return Outcome{Aborted: true, Playbook: p.ID}, nil
				}
			}
			err := accessibleCheck(ctx, opts, sess, step, say)
			if err == nil {
				break
			}
			say("✗ %v", err)
			if attempt >= maxAttempts {
				return o, err
			}
			say("Try again.")
		}
		if doctor && step.Kind == steps.StepManagement {
			return accessibleDoctor(ctx, opts, sess, say)
		}
		if step.Kind == steps.StepKeyManager {
			shown, _ := gatewayFields(sess, preApplyResult(sess), opts.Reveal)
			say("%s:", p.Gateway.Title)
			if sess.wso2 != nil && connected(sess.settings) {
				say("%s", wrap(fmt.Sprintf("Key manager %q will be registered in WSO2 at %s (create/reuse/update shown in the plan), with these values:", sess.settings.KeyManagerName, sess.settings.APIMURL), width))
			}
			for _, f := range shown {
				say("%s", wrap("  "+f.Label+": "+steps.Printable(f.Value), width))
				if f.Help != "" {
					say("%s", wrap("    "+f.Help, width))
				}
			}
		}
	}

	sess.settings = steps.WithDefaults(sess.settings)
	if err := p.Validate(sess.settings); err != nil {
		return o, err
	}
	path := journalPath(opts, p.ID)
	o.JournalPath = path
	say("\nReading the tenant to see what exists already…")
	c, err := tenantClient(sess.client, opts.NewClient, sess.settings)
	if err != nil {
		return o, err
	}
	pl, j, err := makePlan(ctx, engineFor(c, sess.wso2, sess.settings), p, sess.settings, path, opts.Reveal)
	if err != nil {
		return o, err
	}
	sess.plan, sess.journal = pl, j
	o.Plan = pl
	say("The plan:")
	for _, a := range pl.Actions {
		say("  %s %s %s", a.Verb, steps.KindLabel(a.Kind), a.Name)
		if a.Verb == steps.Update && len(a.Changes) > 0 {
			say("    changes: %s", strings.Join(a.Changes, "; "))
		}
		if a.Found != "" {
			say("    found: %s", a.Found)
		}
		for _, w := range a.Warnings {
			say("    ! %s", w)
		}
	}
	apply := true
	if err := run(huh.NewForm(huh.NewGroup(huh.NewConfirm().Title("Apply this plan?").Value(&apply))).WithAccessible(true)); err != nil || !apply {
		o.Aborted = true
		return o, nil
	}

	// Apply, one line an event.
	o.Started = true
	r := engineFor(c, sess.wso2, sess.settings).Start(ctx, p, sess.settings, pl, j)
	progress := steps.NewProgress(pl)
	for ev := range r.Events {
		say("%s", steps.EventLine(ev))
		progress.Add(ev)
	}
	o.Rows = progress.Rows()
	res, err := r.Wait()
	if err != nil {
		o.Err, o.ResumeHint = err, sess.resumeHint()
		if ctx.Err() != nil {
			o.Aborted = true
		}
		return o, nil
	}
	o.Applied, o.Result = true, res
	for _, n := range summaryNotes(&session{playbook: p, settings: sess.settings, plan: pl, result: res, applied: true}) {
		say("%s", wrap("! "+n, width))
	}
	o.Exports = accessibleExports(width, opts, p, res, sess.settings, run, say)
	return o, nil
}

// accessibleExports offers the playbook's exports one after the other
// until the person chooses none, writing each as the summary screen does.
func accessibleExports(width int, opts Options, p steps.Playbook, res steps.Result, set steps.Settings, run func(*huh.Form) error, say func(string, ...any)) []string {
	var written []string
	for range 8 {
		choice := "none"
		opt := []huh.Option[string]{huh.NewOption("none: done", "none")}
		for _, f := range steps.ExportFormatsFor(p.ID) {
			opt = append(opt, huh.NewOption(f, f))
		}
		sel := huh.NewSelect[string]().Title("Write an export? (default: none)").Options(opt...).Value(&choice)
		if err := run(huh.NewForm(huh.NewGroup(sel)).WithAccessible(true)); err != nil || choice == "none" {
			return written
		}
		path := exportPath(opts.ExportDir, p.ID, choice)
		msg, _ := writeExport(opts.WriteFile, path, choice, res, set, opts.Reveal)().(exportWrittenMsg)
		if msg.Err != nil {
			say("✗ %v", msg.Err)
			continue
		}
		say("✓ wrote %s", msg.Path)
		if msg.Masked {
			say("%s", wrap(strings.Replace(maskedNote(choice), "press s, then export again", "run again with --reveal-secrets", 1), width))
		}
		written = append(written, msg.Path)
	}
	return written
}

// accessibleWidth is the width line mode wraps to: Options.Width, the
// output's when it is a terminal, $COLUMNS, else 80.
func accessibleWidth(opts Options, out io.Writer) int {
	if opts.Width > 0 {
		return opts.Width
	}
	if f, ok := out.(*os.File); ok {
		if w, _, err := term.GetSize(f.Fd()); err == nil && w > 0 {
			return w
		}
	}
	if opts.Columns > 0 {
		return opts.Columns
	}
	return 80
}

// accessibleCheck runs the check a step implies (discovery, scopes).
func accessibleCheck(ctx context.Context, opts Options, sess *session, step steps.Step, say func(string, ...any)) error {
	switch step.Kind {
	case steps.StepTenant:
		domain := strings.TrimSpace(sess.settings.Domain)
		say("Reading %s …", discoveryURL(domain))
		ep, err := discoverTenant(ctx, opts.NewClient, domain)
		if err != nil {
			return fmt.Errorf("discovery failed: %w", err)
		}
		sess.endpoints = ep
		say("✓ the tenant answers. Issuer %s, token endpoint %s, JWKS %s", ep.Issuer, ep.TokenEndpoint, ep.JWKSURI)
	case steps.StepManagement:
		say("Obtaining a Management API token and checking its scopes …")
		res := checkManagement(ctx, opts.NewClient, sess.playbook, sess.settings)
		if res.Err != nil {
			return res.Err
		}
		if len(res.Missing) > 0 {
			return errors.New(steps.MissingScopesAdvice(res.Missing))
		}
		sess.client, sess.granted = res.Client, res.Granted
		say("✓ all %d scopes the playbook needs are granted", len(sess.playbook.RequiredScopes))
	case steps.StepAPIM:
		// As the API Manager screen: checked, and its client kept, only
		// when the admin password was given (else WSO2's side is by hand).
		if !connected(sess.settings) {
			return nil
		}
		say("Asking the API Manager at %s for its REST API versions, then for its key managers …", steps.Printable(sess.settings.APIMURL))
		res := checkWSO2(ctx, opts.NewWSO2Client, sess.settings)
		if res.Err != nil {
			return fmt.Errorf("%w. %s", res.Err, apimHint(res.Err))
		}
		sess.wso2, sess.wso2Ver = res.Client, res.Version
		v := res.Version
		say("✓ WSO2 answers: Admin REST API %s, Developer Portal REST API %s%s; the credentials work", orDash(v.Admin), orDash(v.DevPortal), productOf(v))
	}
	return nil
}

// accessibleDoctor runs the doctor's checks and prints each verdict.
func accessibleDoctor(ctx context.Context, opts Options, sess *session, say func(string, ...any)) (Outcome, error) {
	say("\nChecking the existing setup …")
	set := steps.WithDefaults(sess.settings)
	c, err := tenantClient(sess.client, opts.NewClient, set)
	if err != nil {
		return Outcome{Playbook: sess.playbook.ID}, err
	}
	res, err := checkSetup(ctx, engineFor(c, sess.wso2, set), nil, sess.doctorOpt, sess.playbook, set)
	if err != nil {
		return Outcome{Playbook: sess.playbook.ID}, err
	}
	return Outcome{Playbook: sess.playbook.ID, Checks: res, Settings: sess.settings}, nil
}
