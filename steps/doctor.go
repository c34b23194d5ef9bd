package steps

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// CheckStatus is the verdict of one doctor check.
type CheckStatus string

// The verdicts. A check whose dependency failed is skipped, not failed again.
const (
	CheckPass CheckStatus = "PASS"
	CheckWarn CheckStatus = "WARN"
	CheckFail CheckStatus = "FAIL"
	CheckSkip CheckStatus = "SKIP"
)

// The doctor's check ids, in the order they run.
const (
	CheckJournal          = "journal"
	CheckTenant           = "tenant"
	CheckManagementToken  = "management_token"
	CheckScopes           = "scopes"
	CheckResourceServer   = "resource_server"
	CheckClient           = "client"
	CheckClientGrant      = "client_grant"
	CheckToken            = "token"
	CheckConnection       = "connection"
	CheckConnectionClient = "connection_client"
	CheckUser             = "user"
	CheckUserLogin        = "user_login"
	CheckKeyManager       = "key_manager"
	CheckConnectorApps    = "connector_apps"
)

// CheckResult is one check of an existing setup: what was checked, the
// verdict, one line on why and, for WARN and FAIL, one line on what to do.
// The fix comes in two wordings: Fix for the command line (`doctor`, which
// may name flags, environment variables and config keys) and WizardFix for
// the wizard, which names only what its screens offer; FixFor picks one.
type CheckResult struct {
	ID        string      `json:"id"`
	Title     string      `json:"title"`
	Status    CheckStatus `json:"status"`
	Why       string      `json:"why"`
	Fix       string      `json:"fix,omitempty"`
	DependsOn []string    `json:"depends_on,omitempty"`
	// WizardFix is the fix in the wizard's words ("" when Fix reads the
	// same there).
	WizardFix string `json:"-"`
}

// Front is where a check's verdict is shown.
type Front int

const (
	// FrontCLI is the command line: doctor's text and JSON, apply.
	FrontCLI Front = iota
	// FrontWizard is the wizard's screens (and its accessible line mode).
	FrontWizard
)

// FixFor is the fix as the front end f words it.
func (r CheckResult) FixFor(f Front) string {
	if f == FrontWizard && r.WizardFix != "" {
		return r.WizardFix
	}
	return r.Fix
}

// DoctorOptions say which application to check and where inputs come from.
type DoctorOptions struct {
	// AppClientID is the application to check. When empty, the journal's
	// application is checked, else the application named Settings.AppName.
	AppClientID string
	// AppClientSecret is the secret the gateway holds for the application;
	// the test token is minted with it. When empty, the secret read from
	// the tenant (read:client_keys) is used, else the journal's.
	AppClientSecret string
	// Journal, when set, supplies the settings of the run that made the
	// setup (for every empty field of Settings) and the application's id.
	Journal *Journal
	// Progress, when set, receives each result as soon as it is known.
	// Doctor does not close it.
	Progress chan<- CheckResult
}

// DoctorFailed reports whether any check failed.
func DoctorFailed(results []CheckResult) bool {
	return slices.ContainsFunc(results, func(r CheckResult) bool { return r.Status == CheckFail })
}

// WSO2ConnectorScopes are the Management API scopes WSO2's Auth0 connector
// uses with the key manager's credentials (create, read, update and delete
// applications, regenerate their secrets, authorize them for an API).
func WSO2ConnectorScopes() []string {
	return []string{"create:clients", "read:clients", "update:clients", "delete:clients",
		"update:client_keys", "create:client_grants", "read:client_grants"}
}

// doctorCheck is one check as data: the checks it depends on, the
// Management API scopes its reads need, and what it does.
type doctorCheck struct {
	id string
	// kind: listed only for a playbook with an action of this kind ("" for
	// every playbook); gateway: listed only where the playbook's gateway
	// names the check.
	kind    ResourceKind
	gateway bool
	deps    []string
	reads   []string                  // scopes its reads need; skipped when the scope check found one missing
	when    func(d *doctorRun) bool   // nil: always listed
	title   func(d *doctorRun) string // names what is checked
	run     func(ctx context.Context, d *doctorRun) verdict
}

type verdict struct {
	status   CheckStatus
	why, fix string
	wizard   string // the fix in the wizard's words ("" when fix reads the same there)
}

// inWizard gives the verdict's fix in the wizard's words: what its screens
// offer instead of flags, environment variables and config keys.
func (v verdict) inWizard(fix string) verdict {
	v.wizard = fix
	return v
}

func pass(format string, a ...any) verdict {
	return verdict{status: CheckPass, why: fmt.Sprintf(format, a...)}
}

func warn(why, fix string) verdict { return verdict{status: CheckWarn, why: why, fix: fix} }
func fail(why, fix string) verdict { return verdict{status: CheckFail, why: why, fix: fix} }

// cannot is the failure of a check that could not read what it checks.
func cannot(what string, err error) verdict {
	return fail("cannot "+what+": "+errText(err), "fix the cause above and run the check again")
}

// doctorRun is what the checks learn as they go.
type doctorRun struct {
	c    Client
	p    Playbook
	s    Settings
	j    *Journal
	opts DoctorOptions

	journalOK bool
	ep        Endpoints
	granted   []string
	missing   []string
	rs        ResourceServer
	app       App
	appSecret string
	grant     ClientGrant
	conn      Connection
	tok       TokenCheck
	now       func() time.Time
}

// Doctor checks an existing setup of the playbook in the tenant, link by
// link, and returns each check in order: tenant and discovery, management
// credentials, scopes, resource server, application, client grant, a test
// token, and the playbook's own links (azure: connection, its application,
// the user; wso2: the key manager values). A check that needs one that failed
// is SKIP, naming it. Doctor changes nothing in the tenant.
//
// Settings give the tenant and the management application; their empty
// inputs come from opts.Journal's settings, then the playbook's defaults.
func (e *Engine) Doctor(ctx context.Context, p Playbook, s Settings, opts DoctorOptions) []CheckResult {
	d := &doctorRun{c: e.c, p: p, j: opts.Journal, opts: opts, now: time.Now}
	d.journalOK = d.j != nil && d.j.checkFor(p.ID, domainHost(s.Domain)) == nil
	if d.journalOK {
		s = mergeJournalSettings(s, d.j)
	}
	s.Playbook = p.ID
	d.s = WithDefaults(s)

	var out []CheckResult
	byID := map[string]CheckResult{}
	cause := map[string]string{} // skipped check → title of the failed check behind it
	for _, ch := range doctorChecks() {
		if ch.kind != "" && !p.Has(ch.kind) || ch.gateway && !slices.Contains(p.Gateway.Checks, ch.id) || ch.when != nil && !ch.when(d) {
			continue
		}
		r := CheckResult{ID: ch.id, Title: Printable(ch.title(d)), DependsOn: ch.deps}
		if why, root, skip := d.skipReason(ch, byID, cause); skip {
			r.Status, r.Why = CheckSkip, why
			cause[ch.id] = root
		} else if ctx.Err() != nil {
			r.Status, r.Why = CheckSkip, "skipped: the check was cancelled"
			cause[ch.id] = "cancelled"
		} else {
			v := ch.run(ctx, d)
			r.Status, r.Why, r.Fix = v.status, Printable(oneLine(v.why)), Printable(oneLine(v.fix))
			if v.wizard != "" {
				r.WizardFix = Printable(oneLine(v.wizard))
			}
			if v.status == CheckSkip {
				cause[ch.id] = r.Title
			}
		}
		out = append(out, r)
		byID[ch.id] = r
		if opts.Progress != nil {
			select {
			case opts.Progress <- r:
			case <-ctx.Done():
			}
		}
	}
	return out
}

// skipReason says whether a check must be skipped because a check it needs
// failed (or was itself skipped), or because its reads need a missing scope.
func (d *doctorRun) skipReason(ch doctorCheck, byID map[string]CheckResult, cause map[string]string) (why, root string, skip bool) {
	for _, dep := range ch.deps {
		r, ok := byID[dep]
		if !ok {
			continue
		}
		switch r.Status {
		case CheckFail:
			return "skipped: " + r.Title + " failed", r.Title, true
		case CheckSkip:
			root := cause[dep]
			if root == "" {
				root = r.Title
			}
			return "skipped: " + root + " failed", root, true
		}
	}
	if sc, ok := byID[CheckScopes]; ok && sc.Status == CheckFail {
		var lack []string
		for _, need := range ch.reads {
			if slices.Contains(d.missing, need) {
				lack = append(lack, need)
			}
		}
		if len(lack) > 0 {
			return fmt.Sprintf("skipped: %s failed (this check reads with %s)", sc.Title, strings.Join(lack, ", ")), sc.Title, true
		}
	}
	return "", "", false
}

// issuerFor is the issuer a tenant's discovery and tokens must name:
// https://DOMAIN/ with the trailing slash (http:// for a loopback sandbox
// given as an http:// URL).
func issuerFor(domain string) string {
	return strings.TrimSuffix(ManagementAudience(domain), "api/v2/")
}

// errText is an error as one line of a check's why.
func errText(err error) string { return oneLine(err.Error()) }

// rerun is the fix shared by checks whose resource the wizard makes.
func rerun(p PlaybookID) string {
	return fmt.Sprintf("or run auth0-wizard again for the %s playbook (the wizard or `apply`), which creates what is missing and reuses the rest", p)
}

// rerunInWizard is rerun in the wizard's words.
func rerunInWizard(p PlaybookID) string {
	return fmt.Sprintf("or choose the %s playbook on the wizard's first screen and go through it again, which creates what is missing and reuses the rest", p)
}

// failRerun is a failure whose fix is fix and, as for every resource the
// wizard makes, running the playbook again (in each front end's words).
func failRerun(p PlaybookID, why, fix string) verdict {
	return fail(why, fix+", "+rerun(p)).inWizard(fix + ", " + rerunInWizard(p))
}

// onCheckScreen is where, in the wizard, what to check is given.
const onCheckScreen = `on the "What to check" screen (esc goes back to it; "Check an existing setup" on the first screen)`

func doctorChecks() []doctorCheck {
	return []doctorCheck{
		{
			id:    CheckJournal,
			when:  func(d *doctorRun) bool { return d.j != nil },
			title: func(d *doctorRun) string { return "Journal " + d.j.Path() },
			run:   checkJournal,
		},
		{
			id:    CheckTenant,
			title: func(d *doctorRun) string { return "Tenant " + domainHost(d.s.Domain) + " reachable, discovery valid" },
			run:   checkTenant,
		},
		{
			id: CheckManagementToken, deps: []string{CheckTenant},
			title: func(d *doctorRun) string { return "Management API credentials" },
			run:   checkManagementToken,
		},
		{
			id: CheckScopes, deps: []string{CheckManagementToken},
			title: func(d *doctorRun) string { return "Management API scopes for the " + string(d.p.ID) + " playbook" },
			run:   checkScopes,
		},
		{
			id: CheckResourceServer, deps: []string{CheckManagementToken}, reads: []string{"read:resource_servers"},
			title: func(d *doctorRun) string { return "Resource server " + d.s.APIIdentifier },
			run:   checkResourceServer,
		},
		{
			id: CheckClient, deps: []string{CheckManagementToken}, reads: []string{"read:clients"},
			title: appTitle,
			run:   checkClient,
		},
		{
			id: CheckClientGrant, deps: []string{CheckResourceServer, CheckClient}, reads: []string{"read:client_grants"},
			title: func(d *doctorRun) string { return "Client grant to " + d.s.APIIdentifier },
			run:   checkClientGrant,
		},
		{
			id: CheckToken, deps: []string{CheckClientGrant},
			title: func(d *doctorRun) string { return "Test token for " + d.s.APIIdentifier },
			run:   checkToken,
		},
		{
			id: CheckConnection, kind: KindConnection, deps: []string{CheckManagementToken}, reads: []string{"read:connections"},
			title: func(d *doctorRun) string { return "Connection " + d.s.ConnectionName },
			run:   checkConnection,
		},
		{
			id: CheckConnectionClient, kind: KindConnectionClient, deps: []string{CheckConnection, CheckClient}, reads: []string{"read:connections"},
			title: func(d *doctorRun) string { return "Connection " + d.s.ConnectionName + " enabled for the application" },
			run:   checkConnectionClient,
		},
		{
			id: CheckUser, kind: KindUser, deps: []string{CheckConnection}, reads: []string{"read:users"},
			title: func(d *doctorRun) string {
				if d.s.UserEmail == "" {
					return "Test user in " + d.s.ConnectionName
				}
				return "User " + d.s.UserEmail + " in " + d.s.ConnectionName
			},
			run: checkUser,
		},
		{
			id: CheckUserLogin, kind: KindUser, deps: []string{CheckUser, CheckConnectionClient, CheckToken},
			when:  func(d *doctorRun) bool { return d.s.UserPassword != "" },
			title: func(d *doctorRun) string { return "User login through " + d.s.ConnectionName },
			run:   checkUserLogin,
		},
		{
			id: CheckConnectorApps, gateway: true, deps: []string{CheckResourceServer}, reads: []string{"read:clients", "read:client_grants"},
			title: func(d *doctorRun) string {
				return "Applications WSO2's connector made, authorized for " + d.s.APIIdentifier
			},
			run: checkConnectorApps,
		},
		{
			id: CheckKeyManager, gateway: true, deps: []string{CheckTenant, CheckManagementToken},
			title: func(d *doctorRun) string { return "WSO2 Key Manager values" },
			run:   checkKeyManager,
		},
	}
}

func appTitle(d *doctorRun) string {
	switch {
	case d.opts.AppClientID != "":
		return "Application " + d.opts.AppClientID
	case d.journalClientID() != "":
		return "Application " + d.journalClientID() + " (from the journal)"
	}
	return "Application " + fmt.Sprintf("%q", d.s.AppName)
}

func (d *doctorRun) journalClientID() string {
	if !d.journalOK {
		return ""
	}
	if en, ok := d.j.entry("client"); ok && en.Action != journalPending {
		return en.ID
	}
	return ""
}

func checkJournal(_ context.Context, d *doctorRun) verdict {
	if !d.journalOK {
		return warn(fmt.Sprintf("the journal is for playbook %s on %s, not %s on %s: it is ignored",
			d.j.Playbook(), d.j.Domain(), d.p.ID, domainHost(d.s.Domain)),
			"give the journal of this tenant and playbook, or none").inWizard(
			"give the journal of this tenant and playbook, or clear the journal field, " + onCheckScreen)
	}
	n := len(d.j.Resources())
	if n == 0 {
		return warn("the journal records no resource: inputs come from flags and defaults",
			"give the journal the run wrote (its path is in the run's output), or none").inWizard(
			"give the journal the run wrote (the summary of the run names it), or clear the journal field, " + onCheckScreen)
	}
	return pass("%d resources of playbook %s on %s; its settings fill the inputs not given", n, d.p.ID, domainHost(d.s.Domain))
}

func checkTenant(ctx context.Context, d *doctorRun) verdict {
	want := issuerFor(d.s.Domain)
	ep, err := d.c.Discover(ctx)
	d.ep = ep
	wellKnown := want + ".well-known/openid-configuration"
	switch {
	case err != nil && ep.Issuer != "" && ep.Issuer != want:
		return fail(fmt.Sprintf("%s names the issuer %q, not %q: tokens carry that issuer, so a gateway configured for %s rejects them",
			wellKnown, ep.Issuer, want, domainHost(d.s.Domain)),
			fmt.Sprintf("use the domain the issuer names (%s) as the tenant domain, in this tool and in the gateway", domainHost(ep.Issuer)))
	case err != nil:
		return fail("cannot read "+wellKnown+": "+errText(err),
			"check the tenant domain (e.g. my-tenant.us.auth0.com or your custom domain), the network, and --ca-file for a sandbox").inWizard(
			"check the tenant domain on the Tenant screen (e.g. my-tenant.us.auth0.com or your custom domain) and the network")
	case ep.Issuer != want:
		return fail(fmt.Sprintf("%s names the issuer %q, not %q", wellKnown, ep.Issuer, want),
			fmt.Sprintf("use the domain the issuer names (%s) as the tenant domain", domainHost(ep.Issuer)))
	}
	return pass("%s answers; issuer %s, token endpoint %s, JWKS %s", wellKnown, ep.Issuer, ep.TokenEndpoint, ep.JWKSURI)
}

func checkManagementToken(ctx context.Context, d *doctorRun) verdict {
	granted, err := d.c.GrantedScopes(ctx)
	if err != nil {
		where := fmt.Sprintf("under Applications → Applications → your application → Settings, and that it is authorized for the Auth0 Management API (%s)", d.s.Audience)
		return fail(errText(err), fmt.Sprintf("check the management application's client ID (%s) and secret (AUTH0_CLIENT_SECRET or --client-secret-file) %s",
			d.s.ClientID, where)).inWizard(fmt.Sprintf("check the management application's client ID (%s) and secret on the Management application screen against those %s",
			d.s.ClientID, where))
	}
	d.granted = granted
	return pass("a token for %s was obtained with client %s (%d scopes)", d.s.Audience, d.s.ClientID, len(granted))
}

func checkScopes(_ context.Context, d *doctorRun) verdict {
	d.missing = ScopeCheck(d.p, d.granted)
	if len(d.missing) > 0 {
		return fail(fmt.Sprintf("the management application %s lacks %s of the %d scopes the %s playbook needs",
			d.s.ClientID, strings.Join(d.missing, ", "), len(d.p.RequiredScopes), d.p.ID), MissingScopesAdvice(d.missing))
	}
	return pass("all %d scopes the %s playbook needs are granted", len(d.p.RequiredScopes), d.p.ID)
}

func checkResourceServer(ctx context.Context, d *doctorRun) verdict {
	rs, err := d.c.FindResourceServer(ctx, d.s.APIIdentifier)
	if errors.Is(err, ErrNotFound) {
		return failRerun(d.p.ID, fmt.Sprintf("the tenant has no API with the identifier %q", d.s.APIIdentifier),
			fmt.Sprintf("create it under Applications → APIs → + Create API with the identifier %q", d.s.APIIdentifier))
	}
	if err != nil {
		return cannot("look the API up", err)
	}
	d.rs = rs
	wantScopes := d.p.want(KindResourceServer, d.s).ResourceServer.Scopes
	for _, want := range wantScopes {
		if !slices.ContainsFunc(rs.Scopes, func(sc Scope) bool { return sc.Value == want.Value }) {
			return failRerun(d.p.ID, fmt.Sprintf("API %q (%s) has no scope %q, which %s requests for every application", rs.Name, rs.Identifier, want.Value, d.p.Gateway.Requester),
				fmt.Sprintf("add the scope %q under Applications → APIs → %s → Permissions", want.Value, rs.Name))
		}
	}
	if rs.SigningAlg == "HS256" {
		return warn(fmt.Sprintf("API %q (%s) signs its tokens with HS256 (a secret of the API): a gateway cannot check them against the tenant's JWKS", rs.Name, rs.Identifier),
			fmt.Sprintf("set Signing Algorithm to RS256 under Applications → APIs → %s → Settings", rs.Name))
	}
	extra := ""
	for i, want := range wantScopes {
		if i == 0 {
			extra = ", with the scope " + want.Value
		} else {
			extra += ", " + want.Value
		}
	}
	return pass("API %q (id %s) signs with %s%s", rs.Name, rs.ID, orNone(rs.SigningAlg), extra)
}

func checkClient(ctx context.Context, d *doctorRun) verdict {
	var (
		app App
		err error
	)
	switch id := d.journalClientID(); {
	case d.opts.AppClientID != "":
		app, err = d.c.GetClient(ctx, d.opts.AppClientID)
		if errors.Is(err, ErrNotFound) {
			return fail(fmt.Sprintf("the tenant has no application with the client ID %s", d.opts.AppClientID),
				"check the application's client ID: Applications → Applications lists each one")
		}
	case id != "":
		app, err = d.c.GetClient(ctx, id)
		if errors.Is(err, ErrNotFound) {
			return fail(fmt.Sprintf("the application the journal records (client ID %s) is gone from the tenant", id),
				"run the same apply with this journal again to recreate it, or give the client ID of the application to check").inWizard(
				"choose the playbook on the wizard's first screen and go through it again with this journal to recreate it, or give the client ID of the application to check " + onCheckScreen)
		}
	default:
		app, err = d.c.FindClient(ctx, d.s.AppName)
		if errors.Is(err, ErrNotFound) {
			return failRerun(d.p.ID, fmt.Sprintf("the tenant has no application named %q", d.s.AppName),
				"give the client ID of the application to check, or its name, or the journal of the run that made it").inWizard(
				"give the client ID of the application to check, or its name, or the journal of the run that made it, " + onCheckScreen + ", " + rerunInWizard(d.p.ID))
		}
		if err == nil && app.ClientSecret == "" {
			app, err = d.c.GetClient(ctx, app.ClientID)
		}
	}
	if err != nil {
		return cannot("read the application", err)
	}
	d.app = app
	d.appSecret = d.opts.AppClientSecret
	if d.appSecret == "" {
		d.appSecret = app.ClientSecret
	}
	if d.appSecret == "" && d.journalOK {
		d.appSecret = d.j.ClientSecret()
	}
	where := fmt.Sprintf("Applications → Applications → %s", app.Name)
	if !slices.Contains(app.GrantTypes, GrantClientCredentials) {
		return fail(fmt.Sprintf("application %q (%s) may not use the client credentials grant (its grant types: %s)",
			app.Name, app.ClientID, orNone(strings.Join(app.GrantTypes, ", "))),
			"tick Client Credentials under "+where+" → Settings → Advanced Settings → Grant Types, then Save")
	}
	switch m := app.TokenEndpointAuthMethod; {
	case m == "none":
		return fail(fmt.Sprintf("application %q (%s) has token endpoint authentication none (a public client), which cannot use client credentials", app.Name, app.ClientID),
			"set its Authentication Method to Client Secret (Basic) or (Post) under "+where+" → Credentials")
	case m != "" && d.s.TokenEndpointAuthMethod != "" && m != d.s.TokenEndpointAuthMethod:
		return warn(fmt.Sprintf("application %q (%s) authenticates at the token endpoint with %s, the gateway's setting is %s",
			app.Name, app.ClientID, m, d.s.TokenEndpointAuthMethod),
			fmt.Sprintf("make them agree: set the Authentication Method under %s → Credentials, or the gateway's client authentication method", where))
	}
	return pass("application %q, client ID %s, may use client credentials; token endpoint authentication %s",
		app.Name, app.ClientID, orNone(app.TokenEndpointAuthMethod))
}

func checkClientGrant(ctx context.Context, d *doctorRun) verdict {
	g, err := d.c.FindClientGrant(ctx, d.app.ClientID, d.s.APIIdentifier)
	if errors.Is(err, ErrNotFound) {
		return fail(fmt.Sprintf("no client grant from application %q (%s) to the audience %s: the application is not authorized for the API, so the token endpoint refuses it",
			d.app.Name, d.app.ClientID, d.s.APIIdentifier),
			fmt.Sprintf("authorize it under Applications → APIs → %s → Machine to Machine Applications (switch %q on, Update), %s",
				orNone(d.rs.Name), d.app.Name, rerun(d.p.ID))).inWizard(
			fmt.Sprintf("authorize it under Applications → APIs → %s → Machine to Machine Applications (switch %q on, Update), %s",
				orNone(d.rs.Name), d.app.Name, rerunInWizard(d.p.ID)))
	}
	if err != nil {
		return cannot("look the client grant up", err)
	}
	d.grant = g
	if want := d.p.want(KindClientGrant, d.s).Grant.Scope; len(missingStrings(want, g.Scope)) > 0 {
		return fail(fmt.Sprintf("the client grant %s from %q to %s lacks the scope %s, which %s requests in its token requests",
			g.ID, d.app.Name, d.s.APIIdentifier, strings.Join(missingStrings(want, g.Scope), ", "), d.p.Gateway.Requester),
			fmt.Sprintf("tick %s under Applications → APIs → %s → Machine to Machine Applications → %s, then Update, %s",
				strings.Join(want, ", "), orNone(d.rs.Name), d.app.Name, rerun(d.p.ID))).inWizard(
			fmt.Sprintf("tick %s under Applications → APIs → %s → Machine to Machine Applications → %s, then Update, %s",
				strings.Join(want, ", "), orNone(d.rs.Name), d.app.Name, rerunInWizard(d.p.ID)))
	}
	scopes := "no scopes"
	if len(g.Scope) > 0 {
		scopes = "scopes: " + strings.Join(g.Scope, " ")
	}
	return pass("client grant %s authorizes %q for %s (%s)", g.ID, d.app.Name, d.s.APIIdentifier, scopes)
}

func checkToken(ctx context.Context, d *doctorRun) verdict {
	if d.appSecret == "" {
		return verdict{status: CheckSkip,
			why: "skipped: the application's secret could not be read (it needs read:client_keys) and none was given",
			fix: "grant read:client_keys to the management application, or give the application's secret"}
	}
	tc, err := d.c.ClientCredentialsToken(ctx, d.app.ClientID, d.appSecret, d.s.APIIdentifier)
	if err != nil {
		fix := "fix the cause above; the gateway's token requests fail the same way"
		if d.opts.AppClientSecret != "" && d.app.ClientSecret != "" && d.opts.AppClientSecret != d.app.ClientSecret {
			fix = fmt.Sprintf("the secret given is not application %q's current secret (was it rotated?): copy it again from Applications → Applications → %s → Settings into the gateway",
				d.app.Name, d.app.Name)
		}
		return fail("the token endpoint refused a client credentials request: "+errText(err), fix)
	}
	d.tok = tc
	if !tc.Verified {
		return fail("the token was minted but does not verify: "+tc.Reason,
			"a gateway rejects it the same way: check the tenant's signing keys (JWKS) and the API's signing algorithm (RS256)")
	}
	return pass("minted by client credentials and verified: signature against %s, iss %v, aud %s, azp %s; %s",
		tc.KeySource, tc.Claims["iss"], d.s.APIIdentifier, d.app.ClientID, Expiry(tc.Expires, d.now()))
}

func checkConnection(ctx context.Context, d *doctorRun) verdict {
	c, err := d.c.FindConnection(ctx, d.s.ConnectionName)
	if errors.Is(err, ErrNotFound) {
		return failRerun(d.p.ID, fmt.Sprintf("the tenant has no connection named %q", d.s.ConnectionName),
			fmt.Sprintf("create the database connection %q under Authentication → Database → + Create DB Connection", d.s.ConnectionName))
	}
	if err != nil {
		return cannot("look the connection up", err)
	}
	d.conn = c
	return pass("connection %q (id %s, strategy %s)", c.Name, c.ID, orNone(c.Strategy))
}

func checkConnectionClient(ctx context.Context, d *doctorRun) verdict {
	ok, err := d.c.ConnectionEnabledFor(ctx, d.conn.ID, d.app.ClientID)
	if err != nil {
		return cannot("read the applications of the connection", err)
	}
	if !ok {
		return fail(fmt.Sprintf("connection %q is not enabled for application %q (%s): its users cannot log in through that application",
			d.conn.Name, d.app.Name, d.app.ClientID),
			fmt.Sprintf("switch %q on under Authentication → Database → %s → Applications, %s", d.app.Name, d.conn.Name, rerun(d.p.ID))).inWizard(
			fmt.Sprintf("switch %q on under Authentication → Database → %s → Applications, %s", d.app.Name, d.conn.Name, rerunInWizard(d.p.ID)))
	}
	return pass("connection %q is enabled for application %q (%s)", d.conn.Name, d.app.Name, d.app.ClientID)
}

func checkUser(ctx context.Context, d *doctorRun) verdict {
	if d.s.UserEmail == "" {
		return verdict{status: CheckSkip, why: "skipped: no test user email was given",
			fix: "give the test user's email, or the journal of the run that made the setup"}
	}
	u, err := d.c.FindUser(ctx, d.s.ConnectionName, d.s.UserEmail)
	if errors.Is(err, ErrNotFound) {
		return failRerun(d.p.ID, fmt.Sprintf("no user %s in the connection %q", d.s.UserEmail, d.s.ConnectionName),
			fmt.Sprintf("create the user under User Management → Users → + Create User (connection %s)", d.s.ConnectionName))
	}
	if err != nil {
		return cannot("look the user up", err)
	}
	return pass("user %s (id %s) is in %q", u.Email, u.ID, d.s.ConnectionName)
}

func checkUserLogin(ctx context.Context, d *doctorRun) verdict {
	if !slices.Contains(d.app.GrantTypes, GrantPasswordRealm) && d.app.Marked() {
		return verdict{status: CheckSkip, why: fmt.Sprintf("skipped: application %q does not allow the password-realm grant: auth0-wizard allows it for its own test login only (least privilege), so a login cannot be tried here; Azure API Management logs users in with the authorization code flow", d.app.Name),
			fix:    "run the wizard again to repeat its test login, or apply with keep_password_realm: true to keep the grant",
			wizard: "choose the azure playbook on the wizard's first screen and go through it again to repeat its test login"}
	}
	if !slices.Contains(d.app.GrantTypes, GrantPasswordRealm) {
		return warn(fmt.Sprintf("application %q does not allow the password-realm grant, so a login of the user cannot be tried here", d.app.Name),
			"nothing to fix for Azure API Management (it logs users in with the authorization code flow); tick Password under Advanced Settings → Grant Types to test logins here")
	}
	if d.appSecret == "" {
		return verdict{status: CheckSkip, why: "skipped: the application's secret could not be read and none was given",
			fix: "grant read:client_keys to the management application, or give the application's secret"}
	}
	tc, err := d.c.PasswordRealmToken(ctx, d.app.ClientID, d.appSecret, d.s.ConnectionName, d.s.UserEmail, d.s.UserPassword, d.s.APIIdentifier)
	if err != nil {
		return fail("the login of "+d.s.UserEmail+" was refused: "+errText(err), "check the user's password and that the connection is enabled for the application")
	}
	if !tc.Verified {
		return fail("the user's token does not verify: "+tc.Reason, "check the API's signing algorithm (RS256) and the tenant's signing keys")
	}
	return pass("%s logged in through %q; the access token verifies", d.s.UserEmail, d.s.ConnectionName)
}

func checkConnectorApps(ctx context.Context, d *doctorRun) verdict {
	apps, err := (&Engine{c: d.c}).ConnectorApplications(ctx, d.s)
	if err != nil {
		return cannot("list the applications WSO2's connector made", err)
	}
	if len(apps) == 0 {
		return pass("none yet (WSO2's connector names them <user><app>_PRODUCTION or _SANDBOX when a developer generates keys)")
	}
	var bad, good []string
	for _, a := range apps {
		if a.Authorized {
			good = append(good, a.App.Name)
		} else {
			bad = append(bad, fmt.Sprintf("%s (%s)", a.App.Name, a.App.ClientID))
		}
	}
	if len(bad) > 0 {
		ids := make([]string, 0, len(bad))
		for _, a := range apps {
			if !a.Authorized {
				ids = append(ids, "--authorize-client "+a.App.ClientID)
			}
		}
		return fail(fmt.Sprintf("%d of %d are not authorized for %s, so WSO2 cannot generate their tokens (\"Please add application to WSO2 resource server API\"): %s",
			len(bad), len(apps), d.s.APIIdentifier, strings.Join(bad, ", ")),
			fmt.Sprintf("run auth0-wizard apply --playbook wso2 %s (or pick them on the wizard's application screen), or authorize each under Applications → APIs → %s → Machine to Machine Applications",
				strings.Join(ids, " "), orNone(d.rs.Name))).inWizard(
			fmt.Sprintf("pick them on the Application screen of the wso2 playbook (choose it on the wizard's first screen; step 3.3 lists them), or authorize each under Applications → APIs → %s → Machine to Machine Applications",
				orNone(d.rs.Name)))
	}
	return pass("%d authorized: %s", len(good), strings.Join(good, ", "))
}

func checkKeyManager(_ context.Context, d *doctorRun) verdict {
	km := KeyManager(Result{Domain: domainHost(d.s.Domain), Endpoints: d.ep}, d.s, false)
	want := issuerFor(d.s.Domain)
	aud := km.AdditionalProperties.Audience
	switch {
	case km.WellKnownEndpoint != want+".well-known/openid-configuration":
		return fail(fmt.Sprintf("the well-known URL %q is not the tenant's %s", km.WellKnownEndpoint, want+".well-known/openid-configuration"),
			"use https://DOMAIN/.well-known/openid-configuration as the Well-known URL and Import")
	case km.Issuer != want:
		return fail(fmt.Sprintf("the Issuer %q is not %q (with its trailing slash)", km.Issuer, want),
			"set the key manager's Issuer to "+want)
	case !strings.HasSuffix(aud, "/api/v2/"):
		return fail(fmt.Sprintf("the connector's audience %q does not end in /api/v2/: WSO2 appends \"clients\" to it to register applications", aud),
			"set the Audience under Connector Configurations to https://DOMAIN/api/v2/ (the Management API's identifier)")
	}
	if iss, ok := d.tok.Claims["iss"].(string); ok && iss != km.Issuer {
		return fail(fmt.Sprintf("tokens carry the issuer %q, the key manager's Issuer is %q", iss, km.Issuer),
			"set the key manager's Issuer to "+iss)
	}
	if d.tok.Claims != nil {
		if _, ok := d.tok.Claims[km.ConsumerKeyClaim].(string); !ok {
			return fail(fmt.Sprintf("the test token has no %q claim, the key manager's consumer key claim", km.ConsumerKeyClaim),
				"check the API's token dialect; Auth0 access tokens carry azp")
		}
	}
	if d.s.APIMURL != "" && d.s.APIIdentifier != d.s.APIMURL {
		return warn(fmt.Sprintf("the API's identifier %q is not the API Manager's URL %q: the guide's connector (API Manager 3.2.0) asks Auth0 for every application token with the audience %s, which then fails (\"Please add application to WSO2 resource server API\"); later connectors use the developer portal's audience field",
			d.s.APIIdentifier, d.s.APIMURL, d.s.APIMURL),
			fmt.Sprintf("on a 3.2.0 connector give the API the identifier %s (auth0-wizard apply --playbook wso2 --api-identifier %s); on a v1.x or 4.x connector type %s into the developer portal's audience field",
				d.s.APIMURL, d.s.APIMURL, d.s.APIIdentifier)).inWizard(
			fmt.Sprintf("on a 3.2.0 connector give the API the identifier %s (the API identifier field of the wso2 playbook's resource server screen); on a v1.x or 4.x connector type %s into the developer portal's audience field",
				d.s.APIMURL, d.s.APIIdentifier))
	}
	if lack := missingStrings(WSO2ConnectorScopes(), d.granted); len(lack) > 0 {
		return warn(fmt.Sprintf("the key manager's connector (client %s) lacks %s: the developer portal's key generation or secret regeneration will fail",
			km.AdditionalProperties.ClientID, strings.Join(lack, ", ")), MissingScopesAdvice(lack))
	}
	return pass("well-known URL %s answers; issuer %s; audience %s (client registration %s); consumer key claim %s",
		km.WellKnownEndpoint, km.Issuer, aud, km.ClientRegistrationEndpoint, km.ConsumerKeyClaim)
}

// Expiry says in plain words when a token expires, seen at now:
// "expires in 23h59m", "expires in 42s", "expired 3 minutes ago",
// "expired 2 hours ago", "expired 5 days ago", or "no expiry (exp)".
func Expiry(exp, now time.Time) string {
	if exp.IsZero() {
		return "no expiry (exp)"
	}
	if d := exp.Sub(now); d > 0 {
		if d < time.Minute {
			return fmt.Sprintf("expires in %ds", int(d.Seconds()))
		}
		d = d.Truncate(time.Minute)
		h, m := int(d.Hours()), int(d.Minutes())%60
		if h == 0 {
			return fmt.Sprintf("expires in %dm", m)
		}
		return fmt.Sprintf("expires in %dh%02dm", h, m)
	}
	ago := now.Sub(exp)
	plural := func(n int, unit string) string {
		if n == 1 {
			return fmt.Sprintf("expired 1 %s ago", unit)
		}
		return fmt.Sprintf("expired %d %ss ago", n, unit)
	}
	switch {
	case ago < time.Minute:
		return plural(int(ago.Seconds()), "second")
	case ago < time.Hour:
		return plural(int(ago.Minutes()), "minute")
	case ago < 48*time.Hour:
		return plural(int(ago.Hours()), "hour")
	}
	return plural(int(ago.Hours()/24), "day")
}
