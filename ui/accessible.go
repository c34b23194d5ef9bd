package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"charm.land/huh/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// maxAttempts bounds how often a failed check re-asks in line mode, so a
// closed input cannot loop forever.
const maxAttempts = 3

// RunAccessible is the line mode for screen readers: the same form
// constructors as the screens, run one by one through huh's accessible mode,
// then the progress events as plain lines. Secrets already given by the
// environment or a file are not asked again (huh's accessible password
// prompt needs a terminal).
func RunAccessible(ctx context.Context, opts Options, in io.Reader, out io.Writer) (Outcome, error) {
	if opts.Context == nil {
		opts.Context = ctx
	}
	// Colours only where the output takes them, and never with NO_COLOR.
	out = colorprofile.NewWriter(out, os.Environ())
	st := newStyles(true)
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
		choice, check := string(steps.WSO2), string(steps.WSO2)
		if err := run(newPlaybookForm(&choice, &check, st, true)); err != nil {
			return Outcome{Aborted: true}, nil
		}
		id = steps.PlaybookID(choice)
		if choice == checkChoice {
			if err := run(newCheckForm(&check, st)); err != nil {
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
			say("%s", strings.TrimSpace(step.Explain))
		}
		for attempt := 1; ; attempt++ {
			applyDefaults(&sess.settings, step)
			f, _ := newStepForm(&sess.settings, step, st, true)
			if err := run(f); err != nil {
				return Outcome{Aborted: true, Playbook: p.ID}, nil
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
			say("In the WSO2 admin portal (Key Managers → Add Key Manager, type Auth0):")
			for _, f := range steps.KeyManagerFields(preApplyResult(sess), sess.settings, opts.Reveal) {
				say("  %s: %s", f.Label, f.Value)
			}
		}
	}

	sess.settings = steps.WithDefaults(sess.settings)
	if err := p.Validate(sess.settings); err != nil {
		return o, err
	}
	path := opts.JournalPath
	if path == "" {
		path = steps.DefaultJournalPath(p.ID)
	}
	o.JournalPath = path
	say("\nReading the tenant to see what exists already…")
	msg := plan(ctx, opts.NewClient, sess.client, p, sess.settings, path, opts.Reveal)().(plannedMsg)
	if msg.Err != nil {
		return o, msg.Err
	}
	sess.plan, sess.journal = msg.Plan, msg.Journal
	say("The plan:")
	for _, a := range msg.Plan.Actions {
		say("  %s %s %s", a.Verb, kindLabel(a.Kind), a.Name)
	}
	apply := true
	if err := run(huh.NewForm(huh.NewGroup(huh.NewConfirm().Title("Apply this plan?").Value(&apply))).WithAccessible(true)); err != nil || !apply {
		o.Aborted = true
		return o, nil
	}

	// Apply, events as lines: the same channel discipline as the screens.
	o.Started = true
	ps := progressScreen{sess: sess}
	started := ps.Init(opts)().(provisionStartedMsg)
	defer started.Cancel()
	for ev := range started.Events {
		say("%s", eventLine(ev))
	}
	done := <-started.Done
	if done.Err != nil {
		o.Err, o.ResumeHint = done.Err, sess.resumeHint()
		if ctx.Err() != nil {
			o.Aborted = true
		}
		return o, nil
	}
	o.Applied, o.Result = true, done.Result
	return o, nil
}

// accessibleCheck runs the check a step implies (discovery, scopes).
func accessibleCheck(ctx context.Context, opts Options, sess *session, step steps.Step, say func(string, ...any)) error {
	switch step.Kind {
	case steps.StepTenant:
		say("Reading %s …", discoveryURL(sess.settings.Domain))
		msg := discover(ctx, opts.NewClient, strings.TrimSpace(sess.settings.Domain))().(discoveredMsg)
		if msg.Err != nil {
			return fmt.Errorf("discovery failed: %w", msg.Err)
		}
		sess.endpoints = msg.Endpoints
		say("✓ the tenant answers. Issuer %s, token endpoint %s, JWKS %s", msg.Endpoints.Issuer, msg.Endpoints.TokenEndpoint, msg.Endpoints.JWKSURI)
	case steps.StepManagement:
		say("Obtaining a Management API token and checking its scopes …")
		msg := checkScopes(ctx, opts.NewClient, sess.playbook, sess.settings)().(scopesCheckedMsg)
		if msg.Err != nil {
			return msg.Err
		}
		if len(msg.Missing) > 0 {
			return errors.New(steps.MissingScopesAdvice(msg.Missing))
		}
		sess.client, sess.granted = msg.Client, msg.Granted
		say("✓ all %d scopes the playbook needs are granted", len(sess.playbook.RequiredScopes))
	}
	return nil
}

// eventLine is one progress event as a plain line.
func eventLine(ev steps.Event) string {
	var b strings.Builder
	b.WriteString(ev.Action + ": ")
	switch ev.Kind {
	case steps.EventStarted:
		b.WriteString("started")
	case steps.EventWaiting:
		b.WriteString("rate limited, waiting " + ev.Wait.Round(time.Millisecond).String())
	case steps.EventRetrying:
		fmt.Fprintf(&b, "retrying (attempt %d)", ev.Attempt)
	case steps.EventDone:
		word := "done"
		if ev.Verb != "" {
			word = ev.Verb.Past()
		}
		b.WriteString("✓ " + word)
	case steps.EventFailed:
		b.WriteString("✗ failed")
	}
	if ev.Duration > 0 {
		b.WriteString(" in " + ev.Duration.Round(time.Millisecond).String())
	}
	if ev.Message != "" {
		b.WriteString(": " + ev.Message)
	}
	return b.String()
}

// accessibleDoctor runs the doctor's checks and prints each verdict.
func accessibleDoctor(ctx context.Context, opts Options, sess *session, say func(string, ...any)) (Outcome, error) {
	path := opts.JournalPath
	if path == "" {
		path = steps.DefaultJournalPath(sess.playbook.ID)
	}
	say("\nChecking the existing setup …")
	msg := runDoctor(ctx, opts.NewClient, sess.client, nil, path, sess.playbook, steps.WithDefaults(sess.settings))().(doctorDoneMsg)
	if msg.Err != nil {
		return Outcome{Playbook: sess.playbook.ID}, msg.Err
	}
	return Outcome{Playbook: sess.playbook.ID, Checks: msg.Results, Settings: sess.settings}, nil
}
