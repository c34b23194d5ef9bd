package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"charm.land/huh/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
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
	opts.Width = accessibleWidth(opts, out)
	o, err := runAccessible(ctx, opts, in, out)
	o.Width = opts.Width // the plain summary's checks wrap to it too
	return o, err
}

func runAccessible(ctx context.Context, opts Options, in io.Reader, out io.Writer) (Outcome, error) {
	if opts.Context == nil {
		opts.Context = ctx
	}
	opts.Playbooks = resolvePlaybooks(opts.Playbooks)
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
	var class *classAnswers // preparing a class: tenant, management, then the kits
	if id == "" {
		first := string(opts.Playbooks[0].ID)
		choice, check, answers := first, first, newClassAnswers(opts.Playbooks)
		if err := run(playbookForm(opts.Playbooks, &choice, &check, answers, theme, true)); err != nil {
			return Outcome{Aborted: true}, nil
		}
		id = steps.PlaybookID(choice)
		switch choice {
		case checkChoice:
			if err := run(newCheckForm(opts.Playbooks, &check, theme)); err != nil {
				return Outcome{Aborted: true}, nil
			}
			id, doctor = steps.PlaybookID(check), true
		case classChoice:
			if err := run(newClassForm(opts.Playbooks, answers, theme)); err != nil {
				return Outcome{Aborted: true}, nil
			}
			id, class = steps.PlaybookID(answers.playbook), answers
		}
	}
	p, err := opts.playbookByID(id)
	if err != nil {
		return o, err
	}
	sess.playbook = p
	sess.settings.Playbook = p.ID
	o.Playbook = p.ID

	total := stepsOf(p, doctor, class != nil)
	for i, step := range p.Steps {
		if step.Kind == steps.StepSummary {
			break
		}
		say("\nStep %d of %d: %s", i+1, total, step.Title)
		if step.Explain != "" {
			say("%s", wrapWords(reflow(step.Explain), width))
		}
		for _, in := range step.Inputs {
			if in.Help != "" && (in.When == nil || in.When(sess.settings)) {
				say("%s", hang("  "+in.Label+": "+in.Help, width))
			}
		}
		// A secret typed here (not given by the environment or a file) is
		// asked again when the step's check fails.
		typed := emptySecrets(step, &sess.settings)
		for attempt := 1; ; attempt++ {
			applyDefaults(&sess.settings, step)
			before := askedInputs(step, sess.settings)
			f, _ := newStepForm(&sess.settings, step, theme, true)
			if err := run(f); err != nil {
				return Outcome{Aborted: true, Playbook: p.ID}, nil
			}
			clearDashed(&sess.settings, step)
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
				clearDashed(&sess.settings, step)
			}
			err := accessibleCheck(ctx, opts, sess, step, width, say)
			if err == nil {
				break
			}
			say("%s", hang("✗ "+printableLines(err.Error()), width))
			if attempt >= maxAttempts {
				return o, err
			}
			for _, f := range typed {
				*f = ""
			}
			say("Try again.")
		}
		if step.Kind == steps.StepApplication {
			if err := accessibleAuthorize(ctx, opts, sess, width, run, say); err != nil {
				return Outcome{Aborted: true, Playbook: p.ID}, nil
			}
		}
		if class != nil && step.Kind == steps.StepManagement {
			say("\nStep %d of %d: Prepare a class", i+2, total)
			return accessibleKits(ctx, opts, sess, class.plan(), width, run, say), nil
		}
		if doctor && step.Kind == steps.StepManagement {
			say("\nStep %d of %d: What to check", i+2, total)
			say("%s", wrapWords(checkTargetExplain, width))
			t := initialCheckTarget(opts, sess)
			for _, in := range checkInputs(sess, &t) {
				h := in.help
				if in.placeholder != "" {
					h += " (" + steps.Printable(in.placeholder) + ")"
				}
				say("%s", hang("  "+in.label+": "+h, width))
			}
			for attempt := 1; ; attempt++ {
				f, _ := newCheckTargetForm(sess, &t, theme, true)
				if err := run(f); err != nil {
					return Outcome{Aborted: true, Playbook: p.ID}, nil
				}
				for _, in := range checkInputs(sess, &t) {
					if strings.TrimSpace(*in.value) == clearedInput {
						*in.value = ""
					}
				}
				t.journal, t.clientID = strings.TrimSpace(t.journal), strings.TrimSpace(t.clientID)
				sess.doctorOpt = t
				if attempt == 1 {
					say("\nStep %d of %d: Checks", i+3, total)
				}
				o, err := accessibleDoctor(ctx, opts, sess, say)
				if err == nil || attempt >= maxAttempts {
					return o, err
				}
				// A journal that is not there: what to check is asked again.
				say("%s", hang("✗ "+printableLines(err.Error()), width))
				say("Try again.")
			}
		}
		if step.Kind == steps.StepKeyManager {
			shown, _ := gatewayFields(sess, preApplyResult(sess), opts.Reveal)
			say("%s:", p.Gateway.Title)
			if sess.wso2 != nil && connected(sess.settings) {
				say("%s", wrapWords(fmt.Sprintf("Key manager %q will be registered in WSO2 at %s (create/reuse/update shown in the plan), with these values:", sess.settings.KeyManagerName, sess.settings.APIMURL), width))
			}
			sayFields(shown, width, say)
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
		say("%s", hang(fmt.Sprintf("  %s %s %s", a.Verb, kindLabel(a.Kind), steps.Printable(a.Name)), width))
		if a.Verb == steps.Update && len(a.Changes) > 0 {
			say("%s", hang("    changes: "+steps.Printable(strings.Join(a.Changes, "; ")), width))
		}
		if a.Found != "" {
			say("%s", hang("    found: "+steps.Printable(a.Found), width))
		}
		for _, w := range a.Warnings {
			say("%s", hang("    ! "+steps.Printable(w), width))
		}
	}
	apply := true
	if err := run(huh.NewForm(huh.NewGroup(huh.NewConfirm().Title("Apply this plan?").Value(&apply))).WithAccessible(true)); err != nil || !apply {
		o.Aborted = true
		return o, nil
	}

	// Apply, one line an event, through WSO2 too when its check passed.
	o.Started = true
	r := engineFor(c, sess.wso2, sess.settings).Start(ctx, p, sess.settings, pl, j)
	progress := steps.NewProgress(pl)
	for ev := range r.Events {
		say("%s", hang(steps.EventLine(ev), width))
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
	o.Applied, o.Result, o.Settings = true, res, sess.settings
	sess.result, sess.applied = res, true
	st, si := summaryStep(p)
	say("\nStep %d of %d: %s", si+1, len(p.Steps), st.Title)
	if set := sess.settings; set.UserEmail != "" && p.Gateway.ShowsUser {
		pw := mask(set.UserPassword)
		if opts.Reveal {
			pw = steps.Printable(set.UserPassword)
		}
		say("%s", hang("Test user: "+steps.Printable(set.UserEmail)+", password "+pw, width))
	}
	for _, n := range summaryNotes(sess) {
		say("%s", hang("! "+n, width))
	}
	if _, ok := p.Step("key_manager"); !ok && p.Gateway.Fields != nil {
		// The gateway's form was not shown before the run: here it is.
		shown, _ := gatewayFields(sess, res, opts.Reveal)
		say("%s:", p.Gateway.Title)
		sayFields(shown, width, say)
	}
	o.Exports = accessibleExports(width, opts, p, res, sess.settings, run, say)

	// The doctor, as the summary's d runs it: on what this run made.
	check := false
	if err := run(huh.NewForm(huh.NewGroup(huh.NewConfirm().Title("Run the doctor's checks on what was made?").Value(&check))).WithAccessible(true)); err == nil && check {
		say("Checking what was made …")
		res, err := checkSetup(ctx, engineFor(c, sess.wso2, sess.settings), j, afterRunTarget(opts, sess), p, sess.settings)
		if err != nil {
			say("%s", hang("✗ the checks could not run: "+printableLines(err.Error()), width))
		}
		o.Checks = res
	}
	return o, nil
}

// sayFields prints a gateway form's fields, each with its help under it.
func sayFields(fields []steps.Field, width int, say func(string, ...any)) {
	for _, f := range fields {
		say("%s", hang("  "+f.Label+": "+steps.Printable(f.Value), width))
		if f.Help != "" {
			say("%s", hang("    "+f.Help, width))
		}
	}
}

// hang wraps text to width at word boundaries, the lines after the first
// indented two more than the first, so that an item's continuation is seen
// as one.
func hang(text string, width int) string {
	lead := len(text) - len(strings.TrimLeft(text, " "))
	pad := strings.Repeat(" ", lead+2)
	lines := strings.Split(wrapWords(strings.TrimLeft(text, " "), max(width-lead-2, 20)), "\n")
	for i := range lines {
		if i == 0 {
			lines[i] = strings.Repeat(" ", lead) + lines[i]
		} else {
			lines[i] = pad + lines[i]
		}
	}
	return strings.Join(lines, "\n")
}

// wrapWords wraps text to width at spaces, never inside a word: a word
// wider than the line (a long URL) stands whole on its own line, where the
// terminal folds it without a line break, so a screen reader reads it
// as one. Each line of text is wrapped on its own.
func wrapWords(text string, width int) string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		cur, curW := "", -1
		for _, w := range strings.Split(line, " ") {
			ww := ansi.StringWidth(w)
			switch {
			case curW < 0:
				cur, curW = w, ww
			case curW+1+ww <= width:
				cur, curW = cur+" "+w, curW+1+ww
			default:
				out = append(out, cur)
				cur, curW = w, ww
			}
		}
		out = append(out, cur)
	}
	return strings.Join(out, "\n")
}

// printableLines is an error's text made printable line by line (its
// lines are this tool's own; what they quote may be the tenant's).
func printableLines(text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = steps.Printable(l)
	}
	return strings.Join(lines, "\n")
}

// emptySecrets are the step's secret fields that nothing filled yet: the
// ones line mode asks for.
func emptySecrets(step steps.Step, set *steps.Settings) []*string {
	var out []*string
	for _, in := range step.Inputs {
		if in.Secret && in.Field != nil {
			if p := in.Field(set); p != nil && *p == "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// accessibleAuthorize is the application step's 3.3, as the screen offers
// it: in a playbook that authorizes applications WSO2's connector made,
// when WSO2's side is done by hand, the connector's applications are
// listed and those not yet authorized for the API offered to pick.
func accessibleAuthorize(ctx context.Context, opts Options, sess *session, width int, run func(*huh.Form) error, say func(string, ...any)) error {
	if sess.playbook.Expand == nil || connected(sess.settings) {
		return nil
	}
	say("Listing the applications WSO2's connector made (step 3.3) …")
	msg := listConnectorApps(ctx, sess.client, opts.NewClient, steps.WithDefaults(sess.settings))
	if msg.Err != nil {
		say("%s", hang("! step 3.3: "+printableLines(msg.Err.Error()), width))
		return nil
	}
	sess.connector = msg.Apps
	var done []string
	var open []steps.ConnectorApp
	for _, a := range msg.Apps {
		if a.Authorized {
			done = append(done, steps.Printable(a.App.Name))
		} else {
			open = append(open, a)
		}
	}
	if len(done) > 0 {
		say("%s", hang("✓ already authorized for the API: "+strings.Join(done, ", "), width))
	}
	if len(msg.Apps) == 0 {
		say("%s", wrapWords("Step 3.3: WSO2's connector has made no application in this tenant yet; once keys are generated in the developer portal, run the wizard again to authorize it.", width))
	}
	if len(open) == 0 {
		return nil
	}
	say("%s", wrapWords("Applications WSO2's connector made, not yet authorized for "+steps.Printable(sess.settings.APIIdentifier)+
		": type an application's number to pick it (again to unpick it), 0 when done. None is picked unless you pick it.", width))
	f, _ := stepForm([]huh.Field{authorizeField(&sess.settings, open, 0)}, newStyles(true).huhTheme(), true)
	if err := run(f); err != nil {
		return err
	}
	if n := len(sess.settings.AuthorizeClients); n > 0 {
		say("%s", hang(fmt.Sprintf("✓ %d to authorize for the API: %s", n, steps.Printable(strings.Join(sess.settings.AuthorizeClients, ", "))), width))
	} else {
		say("None picked: no application is authorized for the API.")
	}
	return nil
}

// accessibleExports offers the playbook's exports one after the other
// until the person chooses none, writing each as the summary screen does.
func accessibleExports(width int, opts Options, p steps.Playbook, res steps.Result, set steps.Settings, run func(*huh.Form) error, say func(string, ...any)) []string {
	var written []string
	for range 8 {
		choice := "none"
		opt := []huh.Option[string]{huh.NewOption("none: done", "none")}
		for _, f := range p.Gateway.Exports {
			opt = append(opt, huh.NewOption(f, f))
		}
		sel := huh.NewSelect[string]().Title("Write an export?").Options(markDefault(opt, choice)...).Value(&choice)
		if err := run(huh.NewForm(huh.NewGroup(sel)).WithAccessible(true)); err != nil || choice == "none" {
			return written
		}
		path := exportPath(opts.ExportDir, p.ID, choice)
		msg, _ := writeExport(opts.WriteFile, path, choice, res, set, opts.Reveal)().(exportWrittenMsg)
		if msg.Err != nil {
			say("%s", hang("✗ "+printableLines(msg.Err.Error()), width))
			continue
		}
		mode := "0644"
		if msg.Secret {
			mode = "0600, holds the secret"
		}
		say("✓ wrote %s (%s)", msg.Path, mode)
		if msg.Masked {
			say("%s", hang(strings.Replace(maskedNote(choice), "press s, then export again", "run again with --reveal-secrets", 1), width))
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

// accessibleCheck runs the check a step implies (discovery, scopes, the
// API Manager's versions and credentials), as its screen does.
func accessibleCheck(ctx context.Context, opts Options, sess *session, step steps.Step, width int, say func(string, ...any)) error {
	switch step.Kind {
	case steps.StepTenant:
		domain := strings.TrimSpace(sess.settings.Domain)
		say("%s", hang("Reading "+discoveryURL(domain)+" …", width))
		ep, err := discoverTenant(ctx, opts.NewClient, domain)
		if err != nil {
			return fmt.Errorf("discovery failed: %w", err)
		}
		sess.endpoints = ep
		say("%s", hang(fmt.Sprintf("✓ the tenant answers. Issuer %s, token endpoint %s, JWKS %s", steps.Printable(ep.Issuer), steps.Printable(ep.TokenEndpoint), steps.Printable(ep.JWKSURI)), width))
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
		set := &sess.settings
		set.APIMURL = strings.TrimSpace(set.APIMURL)
		sess.wso2, sess.wso2Ver = nil, steps.WSO2Version{}
		if !connected(*set) {
			say("%s", wrapWords("No admin password: WSO2's side is done by hand, with the values the next steps show.", width))
			return nil
		}
		say("%s", wrapWords("Asking the API Manager at "+steps.Printable(set.APIMURL)+" for its REST API versions, then for its key managers with these credentials …", width))
		msg := checkWSO2(ctx, opts.NewWSO2Client, *set)
		if msg.Err != nil {
			return fmt.Errorf("%w\n%s", msg.Err, strings.Replace(apimHint(msg.Err), "press enter on the last field", "answer the last question", 1))
		}
		sess.wso2, sess.wso2Ver = msg.Client, msg.Version
		v := msg.Version
		say("%s", hang(fmt.Sprintf("✓ WSO2 answers: Admin REST API %s, Developer Portal REST API %s%s; the credentials work",
			orDash(steps.Printable(v.Admin)), orDash(steps.Printable(v.DevPortal)), productOf(v)), width))
		names := make([]string, 0, len(msg.KeyManagers))
		for _, km := range msg.KeyManagers {
			names = append(names, steps.Printable(km.Name))
		}
		say("%s", hang(fmt.Sprintf("Key managers registered now: %s. The plan shows whether the Auth0 one is created, reused or updated.",
			orDash(strings.Join(names, ", "))), width))
	}
	return nil
}

// accessibleDoctor runs the doctor's checks; their verdicts are the
// outcome's (PlainSummary prints them).
func accessibleDoctor(ctx context.Context, opts Options, sess *session, say func(string, ...any)) (Outcome, error) {
	say("\nChecking the existing setup …")
	// The settings as given: what is left empty comes from the journal
	// (the doctor merges it), else the playbook's defaults.
	set := sess.settings
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

// accessibleKits is "prepare a class" in line mode: the email of the
// attendees' test users when the class needs one, what the kits screen
// shows (or why the kits cannot be made), its question before the tenant
// changes, then the run (a line per action done or failed, per retry, per
// wait of a second or more) and the handouts, through the kits screen's
// startKits. cmd prints the class's outcome.
func accessibleKits(ctx context.Context, opts Options, sess *session, plan kitsPlan, width int, run func(*huh.Form) error, say func(string, ...any)) Outcome {
	p := sess.playbook
	o := Outcome{Playbook: p.ID}
	set := p.WithDefaults(sess.settings)
	set.UserPassword = "" // every attendee gets their own
	k, journal := plan.kits, kitsJournalPath(opts, p.ID)
	shared, perKit := kitsShape(p, set, k)
	total := steps.KitsTotal(p, set, k)
	say("%s", wrapWords(kitsExplain(p), width))
	if in, need := p.KitsEmailQuestion(set); need {
		say("%s", hang("  "+in.Label+": "+in.Help, width))
		if err := run(huh.NewForm(huh.NewGroup(newInputField(in, &set.UserEmail, true))).WithAccessible(true)); err != nil {
			o.Aborted = true
			return o
		}
		sess.settings.UserEmail = set.UserEmail
	}
	if err := p.ValidateKits(set, k); err != nil {
		// Said before anything changes; cmd prints why and exits 1.
		o.Kits, o.Err = &KitsOutcome{Dir: plan.out}, fmt.Errorf("these kits cannot be made: %w", err)
		return o
	}
	say("%d kits of the %s playbook on %s:", k.Count, p.Title, steps.Printable(set.Domain))
	say("  attendees: %s … %s", k.Label(1), k.Label(k.Count))
	say("  actions: %d shared, %d a kit (its test token included), %d in all", shared, perKit[k.Suffix(1)], total)
	say("%s", hang("  journal: "+journal, width))
	say("%s", hang("  handouts: "+plan.out, width))
	title, text := kitsQuestion(p, set, k, journal)
	say("%s", wrapWords(text, width))
	yes := false
	q := huh.NewConfirm().Title(title).Value(&yes)
	if err := run(huh.NewForm(huh.NewGroup(q)).WithAccessible(true)); err != nil || !yes {
		o.Aborted = true
		return o
	}
	o.Started = true
	switch msg := startKits(ctx, opts.NewClient, sess.client, p, set, plan, journal, total, opts.WriteHandouts, opts.Requests)().(type) {
	case provisionDoneMsg: // it could not start
		o.Err = msg.Err
	case kitsStartedMsg:
		finished, failed := 0, 0
		for ev := range msg.run.Events {
			switch ev.Kind {
			case steps.EventStarted:
				continue // a line a finished action is enough to follow
			case steps.EventWaiting:
				if ev.Wait < time.Second {
					continue // the pacing between requests: the status line says the rate
				}
			case steps.EventDone:
				finished++
			case steps.EventFailed:
				finished, failed = finished+1, failed+1
			}
			say("%s", hang(steps.EventLine(ev), width))
		}
		done := <-msg.run.Done
		o.Err, o.Kits = done.Err, done.Kits
		if d := done.Kits; d != nil {
			say("%s", hang(steps.KitsStatus(finished, failed, total, d.Elapsed, d.Requests), width))
		}
	}
	if o.Err != nil && ctx.Err() != nil {
		o.Aborted = true
	}
	return o
}
