package ui

import (
	"fmt"
	"strings"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// PlainSummary is what the wizard leaves on the terminal after the alt
// screen is gone: the endpoints, the ids and the keys (the secret masked
// unless reveal), or how to resume a run that stopped.
func PlainSummary(o Outcome, reveal bool) string {
	st := newStyles(true)
	var b strings.Builder
	row := func(label, value string) {
		fmt.Fprintf(&b, "  %-16s %s\n", label, value)
	}
	if len(o.Checks) > 0 {
		b.WriteString(checksText(o.Checks, o.Width))
		if !o.Applied {
			return strings.TrimRight(b.String(), "\n")
		}
		b.WriteString("\n")
	}
	switch {
	case o.Applied:
		r := o.Result
		b.WriteString(st.ok.Render("✓ auth0-wizard: "+string(o.Playbook)+" done") + "\n\n")
		row("Client ID", r.ClientID)
		secret := mask(r.ClientSecret)
		if reveal {
			secret = r.ClientSecret
		}
		row("Client secret", secret)
		row("Audience", r.Audience)
		row("Token", steps.TokenVerdict(r.Token))
		if r.UserToken != nil {
			row("User token", steps.TokenVerdict(*r.UserToken))
		}
		if w := r.WSO2; w != nil {
			// WSO2's side, as steps.WSO2Report has it: the secret shown is
			// the one above.
			b.WriteString("\n")
			rows := map[string]string{}
			if sec := steps.WSO2Report(r, reveal); sec != nil {
				for _, kv := range sec.Rows {
					rows[kv.Key] = kv.Value
				}
			}
			// The key manager and the application are under the
			// resources, with the rest the run made.
			row("WSO2 API Manager", steps.Printable(w.URL))
			row("Consumer key", rows["consumer_key"])
			row("Consumer secret", secret)
			row("WSO2 token", rows["token"])
		}
		b.WriteString("\n")
		ep := r.Endpoints
		row("Issuer", ep.Issuer)
		row("Authorize", ep.AuthorizationEndpoint)
		row("Token endpoint", ep.TokenEndpoint)
		row("Userinfo", ep.UserinfoEndpoint)
		row("JWKS", ep.JWKSURI)
		row("Revoke", ep.RevocationEndpoint)
		row("Discovery", ep.OpenIDConfiguration)
		b.WriteString("\n")
		for _, res := range r.Resources {
			v := res.Action + " " + res.Name
			if len([]rune(v))+len(res.ID) <= 58 {
				row(steps.KindLabel(res.Kind), v+" ("+res.ID+")")
				continue
			}
			row(steps.KindLabel(res.Kind), v)
			row("", "id "+res.ID)
		}
		row("Journal", r.JournalPath)
		for _, f := range o.Exports {
			row("Exported", f)
		}
		if !reveal {
			b.WriteString("\n" + st.muted.Render("The secret is masked: --reveal-secrets prints it.") + "\n")
		}
	case o.Started:
		word := "stopped"
		if o.Err != nil && !o.Aborted {
			word = "failed: " + o.Err.Error()
		}
		b.WriteString(st.warn.Render("! auth0-wizard: the "+string(o.Playbook)+" run "+word) + "\n")
		b.WriteString("The journal keeps what was done: " + o.JournalPath + "\n")
		if o.ResumeHint != "" {
			b.WriteString(o.ResumeHint + "\n")
		}
	case o.Aborted:
		b.WriteString("auth0-wizard: quit before anything changed in the tenant.\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// checksText is the doctor's verdicts as plain lines: a word per verdict,
// then why and, for WARN and FAIL, the fix; wrapped at words to width when
// it is known (> 0), each continuation under its text.
func checksText(checks []steps.CheckResult, width int) string {
	var b strings.Builder
	line := func(indent, text string) {
		if width > 0 {
			text = strings.ReplaceAll(wrapWords(text, max(width-len(indent), 20)), "\n", "\n"+indent)
		}
		b.WriteString(indent + text + "\n")
	}
	for _, c := range checks {
		line("", fmt.Sprintf("%-4s  %s", c.Status, c.Title))
		if c.Why != "" {
			line("      ", c.Why)
		}
		if c.Fix != "" && (c.Status == steps.CheckFail || c.Status == steps.CheckWarn) {
			line("      ", "fix: "+c.Fix)
		}
	}
	return b.String()
}
