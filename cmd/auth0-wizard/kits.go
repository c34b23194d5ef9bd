package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	ttemplate "text/template"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/auth0-wizard/auth0-wizard/internal/atomicfile"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// KitsOptions are what `kits` was asked to do.
type KitsOptions struct {
	Global      globalFlags
	Count       int
	Prefix      string
	Out         string // the handouts' folder
	Concurrency int
	Inputs      map[string]string // the playbook inputs given by flag, by Input.Key
}

// defaultKitsOut is the handouts' folder when --out is not given.
const defaultKitsOut = "auth0-wizard-kits"

// kitsJournalPath is a kits run's journal when none is given: not the
// playbook's single-run journal, which it must not mix with.
func kitsJournalPath(id steps.PlaybookID) string { return steps.DefaultKitsJournalPath(id) }

// newKitsCmd is `kits`; runF replaces runKits when not nil.
func newKitsCmd(f *Factory, g *globalFlags, runF func(context.Context, *Factory, *KitsOptions) error) *cobra.Command {
	if runF == nil {
		runF = runKits
	}
	opts := &KitsOptions{}
	var inputs map[string]*string
	cmd := &cobra.Command{
		Use:   "kits --playbook wso2|azure --count N [--prefix P] [--journal FILE] [--out DIR]",
		Short: "Make a training class's kits: one setup per attendee on one tenant, and a handout for each",
		Long: `kits makes N attendee setups of a playbook on one tenant, in one journal: the
pieces every attendee shares once (the API; for azure the database connection),
and per attendee NN (01..N) an application "<app name> (P-NN)" with its client
grant, and for azure a test user P-NN@<the domain of --user-email> with its own
strong random password, each kit's test token (and user login) verified.

Under --out it writes, all 0600: one handout per attendee as Markdown (P-NN.md)
and as a printable HTML page (P-NN.html): the tenant, its endpoints, the
client ID and secret, the audience, for azure the user and password, and the
first command to try; and kits.csv, every kit on one line, for the trainer.

The journal (--journal, default auth0-wizard-<playbook>-kits.journal.json) keeps
the attendees' secrets and passwords, so that running the same command again
resumes the class (what exists is reused, the passwords stay the same): keep
it private (it is 0600). "auth0-wizard doctor --kits --journal FILE" checks
every kit; "auth0-wizard teardown --journal FILE" removes them all.

Exit status: 0 only when every kit is complete.`,
		Example: `  auth0-wizard kits --sandbox --playbook azure --count 5 --out /tmp/kits
  AUTH0_DOMAIN=my-tenant.us.auth0.com AUTH0_CLIENT_ID=... AUTH0_CLIENT_SECRET=... \
    auth0-wizard kits --playbook azure --count 30 --user-email trainer@school.example --out kits`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Global, opts.Inputs = *g, givenInputs(cmd.Flags(), inputs)
			return runF(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&opts.Count, "count", 0, "how many attendee kits (1 to 500)")
	fl.StringVar(&opts.Prefix, "prefix", steps.DefaultKitsPrefix, "the attendees' names: PREFIX-01, PREFIX-02, ... (letters, digits, '-')")
	fl.StringVar(&opts.Out, "out", defaultKitsOut, "folder for the handouts and kits.csv")
	fl.IntVar(&opts.Concurrency, "concurrency", steps.DefaultKitsConcurrency, "actions under way at once (lower it for a tenant with a tight rate limit)")
	inputs = inputFlags(fl)
	return cmd
}

func runKits(ctx context.Context, f *Factory, o *KitsOptions) error {
	g := o.Global
	k := steps.Kits{Count: o.Count, Prefix: o.Prefix, Concurrency: o.Concurrency}
	if err := k.Validate(); err != nil {
		return usagef("--count/--prefix: %v", err)
	}
	if strings.TrimSpace(o.Out) == "" {
		return usagef("--out must name a folder for the handouts")
	}
	rc, cleanup, err := resolve(f, g)
	if err != nil {
		return err
	}
	defer cleanup()
	s := rc.Settings
	applyInputs(o.Inputs, &s)
	s.UserPassword = "" // every attendee gets their own
	path := rc.JournalPath
	if path == "" {
		if s.Playbook == "" {
			return usagef("--playbook is required: wso2 or azure (or --journal of a class to resume)")
		}
		path = kitsJournalPath(s.Playbook)
	}
	// A kits journal keeps the attendees' secrets: always opened with them.
	j, err := openJournal(path, true)
	if err != nil {
		return err
	}
	s = steps.ResumeSettings(s, j)
	if s.Playbook == "" {
		return usagef("--playbook is required: wso2 or azure (or --journal of a class to resume)")
	}
	p, err := steps.PlaybookByID(s.Playbook)
	if err != nil {
		return usageError{err}
	}
	if err := requireTenant(f, &s); err != nil {
		return err
	}
	s = steps.WithDefaults(s)
	if err := validateInputs(p, &s); err != nil {
		return err
	}

	counter := &requestCounter{next: rc.trace}
	rc.trace = counter
	client, err := rc.tenantClient(s)
	if err != nil {
		return err
	}
	total := steps.KitsTotal(p, s, k)
	bar := newKitsBar(f.Err, total, counter, time.Now)
	fmt.Fprintf(f.Err, "making %d %s kits on %s (journal %s)\n", k.Count, p.ID, s.Domain, j.Path())
	events, stop := drain(bar.add)
	res, err := steps.NewEngine(client).ApplyKits(ctx, p, s, k, j, events)
	stop()
	bar.finish()
	sent, limited := counter.counts()
	fmt.Fprintf(f.Err, "%d management requests in %s (%d answered 429)\n", sent, bar.elapsed().Round(time.Millisecond), limited)

	if len(res.Kits) > 0 {
		if _, werr := writeHandouts(o.Out, res, rc); werr != nil {
			return errors.Join(err, werr)
		}
		fmt.Fprintf(f.Out, "%d of %d kits complete; handouts in %s (one .md and one .html per attendee, kits.csv for the trainer)\n",
			res.Complete(), len(res.Kits), o.Out)
		for _, kit := range res.Kits {
			if !kit.Complete() {
				fmt.Fprintf(f.Out, "  not complete: %s\n", kit.Label)
			}
		}
	}
	if note := sandboxNote(rc, j.Path()); note != "" {
		fmt.Fprintf(f.Err, "note: %s\n", note)
	}
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintf(f.Err, "stopped: run the same command again to resume the class (journal %s)\n", j.Path())
			return errAborted
		}
		return fmt.Errorf("%w\nthe journal %s records what was made: run the same command again to finish", err, j.Path())
	}
	return nil
}

// requestCounter counts the Management API requests the client sends (each
// exchange the client's trace writes, once a request) and the 429s among
// them, and passes the trace on to the --trace file, if any.
type requestCounter struct {
	next    io.Writer
	mu      sync.Mutex
	sent    atomic.Int64
	limited atomic.Int64
}

func (c *requestCounter) Write(b []byte) (int, error) {
	line, rest, _ := bytes.Cut(b, []byte("\n"))
	if bytes.HasPrefix(line, []byte("--> ")) && bytes.Contains(line, []byte("/api/v2/")) {
		c.sent.Add(1)
		if bytes.Contains(rest, []byte("\n<-- 429 ")) || bytes.HasPrefix(rest, []byte("<-- 429 ")) {
			c.limited.Add(1)
		}
	}
	if c.next == nil {
		return len(b), nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.next.Write(b)
}

func (c *requestCounter) counts() (sent, limited int64) { return c.sent.Load(), c.limited.Load() }

// kitsBar shows a kits run's progress on stderr: on a terminal one line
// redrawn (a bar, done/total, the request rate and the time left), else
// plain lines, one a finished action and one a wait or retry.
type kitsBar struct {
	w        io.Writer
	tty      bool
	total    int
	counter  *requestCounter
	now      func() time.Time
	start    time.Time
	state    map[string]steps.EventKind
	finished int
	failed   int
	drawn    time.Time
}

func newKitsBar(w io.Writer, total int, c *requestCounter, now func() time.Time) *kitsBar {
	tty := false
	if f, ok := w.(*os.File); ok {
		tty = term.IsTerminal(f.Fd())
	}
	return &kitsBar{w: w, tty: tty, total: total, counter: c, now: now, start: now(), state: map[string]steps.EventKind{}}
}

func (b *kitsBar) elapsed() time.Duration { return b.now().Sub(b.start) }

// add folds one event in (called from one goroutine, drain's).
func (b *kitsBar) add(ev steps.Event) {
	prev := b.state[ev.Action]
	b.state[ev.Action] = ev.Kind
	end := ev.Kind == steps.EventDone || ev.Kind == steps.EventFailed
	if end && prev != steps.EventDone && prev != steps.EventFailed {
		b.finished++
		if ev.Kind == steps.EventFailed {
			b.failed++
		}
	}
	if b.tty {
		if ev.Kind == steps.EventFailed {
			fmt.Fprintf(b.w, "\r\x1b[K%s\n", steps.EventLine(ev))
		}
		if end || b.now().Sub(b.drawn) > 100*time.Millisecond {
			b.draw()
		}
		return
	}
	switch ev.Kind {
	case steps.EventDone, steps.EventFailed:
		fmt.Fprintf(b.w, "%s  [%s]\n", steps.EventLine(ev), b.status())
	case steps.EventWaiting, steps.EventRetrying:
		fmt.Fprintln(b.w, steps.EventLine(ev))
	}
}

// status is done/total, the request rate and the time left.
func (b *kitsBar) status() string {
	sent, _ := b.counter.counts()
	return steps.KitsStatus(b.finished, b.failed, b.total, b.elapsed(), sent)
}

func (b *kitsBar) draw() {
	const width = 30
	n := 0
	if b.total > 0 {
		n = min(width, b.finished*width/b.total)
	}
	fmt.Fprintf(b.w, "\r\x1b[K[%s%s] %s", strings.Repeat("#", n), strings.Repeat(".", width-n), b.status())
	b.drawn = b.now()
}

// finish ends the bar's line.
func (b *kitsBar) finish() {
	if b.tty {
		b.draw()
		fmt.Fprintln(b.w)
	}
}

// handout is what one attendee's sheet shows.
type handout struct {
	Kit        steps.KitResult
	Playbook   string
	Title      string
	Domain     string
	Endpoints  steps.Endpoints
	Audience   string
	Connection string
	ShowsUser  bool
	Curl       string
	Complete   bool
}

// writeHandouts writes, under dir (made 0700), one .md and one .html per
// kit and kits.csv, every file 0600, and returns the files written.
func writeHandouts(dir string, res steps.KitsResult, rc *runConfig) ([]string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("make the handouts' folder: %w", err)
	}
	p, err := steps.PlaybookByID(res.Playbook)
	if err != nil {
		return nil, err
	}
	var files []string
	cacert := rc.caFile
	if cacert == "" && rc.Sandbox != nil {
		cacert = rc.Sandbox.CAFile
	}
	var table bytes.Buffer
	cw := csv.NewWriter(&table)
	_ = cw.Write([]string{"label", "complete", "application", "client_id", "client_secret", "audience", "user_email", "user_password", "token_verified", "problem"})
	for _, kit := range res.Kits {
		h := handout{Kit: kit, Playbook: string(res.Playbook), Title: p.Title, Domain: res.Domain, Endpoints: res.Endpoints,
			Audience: res.Audience, Connection: res.Connection, ShowsUser: p.Gateway.ShowsUser && kit.UserEmail != "",
			Curl: curlFor(res, kit, cacert), Complete: kit.Complete()}
		var md, page bytes.Buffer
		if err := handoutMarkdown.Execute(&md, h); err != nil {
			return files, fmt.Errorf("render %s's handout: %w", kit.Label, err)
		}
		if err := handoutHTML.Execute(&page, h); err != nil {
			return files, fmt.Errorf("render %s's handout: %w", kit.Label, err)
		}
		for _, f := range []struct {
			name string
			data []byte
		}{{kit.Label + ".md", md.Bytes()}, {kit.Label + ".html", page.Bytes()}} {
			path := filepath.Join(dir, f.name)
			if err := atomicfile.Write(path, f.data, 0o600); err != nil {
				return files, err
			}
			files = append(files, path)
		}
		problem := ""
		if kit.Err != nil {
			problem = oneLine(kit.Err.Error())
		}
		_ = cw.Write([]string{kit.Label, fmt.Sprint(kit.Complete()), kit.AppName, kit.ClientID, kit.ClientSecret, res.Audience,
			kit.UserEmail, kit.UserPassword, fmt.Sprint(kit.Token.Verified), problem})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return files, err
	}
	path := filepath.Join(dir, "kits.csv")
	if err := atomicfile.Write(path, table.Bytes(), 0o600); err != nil {
		return files, err
	}
	return append(files, path), nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// curlFor is the first command an attendee tries: a token for their
// application by client credentials.
func curlFor(res steps.KitsResult, kit steps.KitResult, cacert string) string {
	q := steps.ShellQuote
	endpoint := res.Endpoints.TokenEndpoint
	if endpoint == "" {
		endpoint = "https://" + res.Domain + "/oauth/token"
	}
	ca := ""
	if cacert != "" {
		ca = " --cacert " + q(cacert)
	}
	return fmt.Sprintf("curl%s --request POST --url %s \\\n  --header 'content-type: application/x-www-form-urlencoded' \\\n"+
		"  --data grant_type=client_credentials \\\n  --data client_id=%s \\\n  --data client_secret=%s \\\n  --data audience=%s",
		ca, q(endpoint), q(kit.ClientID), q(kit.ClientSecret), q(res.Audience))
}

var handoutMarkdown = ttemplate.Must(ttemplate.New("md").Parse(`# Auth0 training kit: {{.Kit.Label}}

{{.Title}} ({{.Playbook}} playbook){{if not .Complete}}

**This kit is not complete yet: ask your trainer.**{{end}}

## Your application

| | |
|---|---|
| Tenant | ` + "`{{.Domain}}`" + ` |
| Application | {{.Kit.AppName}} |
| Client ID | ` + "`{{.Kit.ClientID}}`" + ` |
| Client secret | ` + "`{{.Kit.ClientSecret}}`" + ` |
| Audience (API identifier) | ` + "`{{.Audience}}`" + ` |
{{- if .ShowsUser}}

## Your test user

| | |
|---|---|
| Email | ` + "`{{.Kit.UserEmail}}`" + ` |
| Password | ` + "`{{.Kit.UserPassword}}`" + ` |
| Connection | ` + "`{{.Connection}}`" + ` |
{{- end}}

## Endpoints

| | |
|---|---|
| Issuer | {{.Endpoints.Issuer}} |
| Authorize | {{.Endpoints.AuthorizationEndpoint}} |
| Token | {{.Endpoints.TokenEndpoint}} |
| JWKS | {{.Endpoints.JWKSURI}} |
| OpenID configuration | {{.Endpoints.OpenIDConfiguration}} |

## First command to try

A token for your application (client credentials):

` + "```sh\n{{.Curl}}\n```" + `

The answer's access_token is a JWT for {{.Audience}}: paste it into
` + "`auth0-wizard token decode`" + ` or jwt.io to read its claims.

Keep this sheet to yourself: it holds your application's secret{{if .ShowsUser}} and your user's password{{end}}.
`))

var handoutHTML = template.Must(template.New("html").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Auth0 training kit: {{.Kit.Label}}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#111}
h1{font-size:1.5rem;margin-bottom:.2rem} h2{font-size:1.1rem;margin-top:1.5rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%} td{padding:.25rem .5rem;vertical-align:top;border-bottom:1px solid #eee}
td:first-child{width:14rem;color:#444} code,pre{font-family:ui-monospace,monospace;word-break:break-all}
pre{background:#f4f4f4;padding:.75rem;white-space:pre-wrap} .warn{color:#a00;font-weight:bold}
@media print{body{margin:0;max-width:none} pre{background:none;border:1px solid #999} h2{break-after:avoid}}
</style></head><body>
<h1>Auth0 training kit: {{.Kit.Label}}</h1>
<p>{{.Title}} ({{.Playbook}} playbook)</p>
{{if not .Complete}}<p class="warn">This kit is not complete yet: ask your trainer.</p>{{end}}
<h2>Your application</h2>
<table>
<tr><td>Tenant</td><td><code>{{.Domain}}</code></td></tr>
<tr><td>Application</td><td>{{.Kit.AppName}}</td></tr>
<tr><td>Client ID</td><td><code>{{.Kit.ClientID}}</code></td></tr>
<tr><td>Client secret</td><td><code>{{.Kit.ClientSecret}}</code></td></tr>
<tr><td>Audience (API identifier)</td><td><code>{{.Audience}}</code></td></tr>
</table>
{{if .ShowsUser}}<h2>Your test user</h2>
<table>
<tr><td>Email</td><td><code>{{.Kit.UserEmail}}</code></td></tr>
<tr><td>Password</td><td><code>{{.Kit.UserPassword}}</code></td></tr>
<tr><td>Connection</td><td><code>{{.Connection}}</code></td></tr>
</table>{{end}}
<h2>Endpoints</h2>
<table>
<tr><td>Issuer</td><td><code>{{.Endpoints.Issuer}}</code></td></tr>
<tr><td>Authorize</td><td><code>{{.Endpoints.AuthorizationEndpoint}}</code></td></tr>
<tr><td>Token</td><td><code>{{.Endpoints.TokenEndpoint}}</code></td></tr>
<tr><td>JWKS</td><td><code>{{.Endpoints.JWKSURI}}</code></td></tr>
<tr><td>OpenID configuration</td><td><code>{{.Endpoints.OpenIDConfiguration}}</code></td></tr>
</table>
<h2>First command to try</h2>
<p>A token for your application (client credentials):</p>
<pre>{{.Curl}}</pre>
<p>The answer's <code>access_token</code> is a JWT for <code>{{.Audience}}</code>: paste it into <code>auth0-wizard token decode</code> or jwt.io to read its claims.</p>
<p><em>Keep this sheet to yourself: it holds your application's secret{{if .ShowsUser}} and your user's password{{end}}.</em></p>
</body></html>
`))

// DoctorKits: `doctor --kits --journal FILE`.

// kitsDoctorReport is `doctor --kits --output json`.
type kitsDoctorReport struct {
	Playbook steps.PlaybookID `json:"playbook"`
	Domain   string           `json:"domain"`
	OK       bool             `json:"ok"`
	Broken   []string         `json:"broken"`
	Kits     []kitVerdict     `json:"kits"`
}

type kitVerdict struct {
	steps.KitCheck
	OK bool `json:"ok"`
}

// runDoctorKits checks every kit a kits journal records with the engine's
// Doctor, one line a kit, and lists the broken ones.
func runDoctorKits(ctx context.Context, f *Factory, o *DoctorOptions) error {
	g := o.Global
	if g.journal == "" {
		return usagef("doctor --kits needs --journal FILE, the journal the kits command wrote")
	}
	if _, err := os.Stat(g.journal); errors.Is(err, fs.ErrNotExist) {
		return usagef("journal %s does not exist: give the journal the kits command wrote", g.journal)
	}
	rc, cleanup, err := resolve(f, g)
	if err != nil {
		return err
	}
	defer cleanup()
	j, err := openJournal(g.journal, true)
	if err != nil {
		return err
	}
	s := rc.Settings
	applyInputs(o.Inputs, &s)
	s.UserPassword = ""
	s = steps.ResumeSettings(s, j)
	if s.Playbook == "" {
		return usagef("journal %s records no run", g.journal)
	}
	p, err := steps.PlaybookByID(s.Playbook)
	if err != nil {
		return usageError{err}
	}
	if len(steps.JournalKits(j)) == 0 {
		return usagef("journal %s records no kits: it is a single run's journal (check it with doctor --journal %s)", g.journal, g.journal)
	}
	if err := requireTenant(f, &s); err != nil {
		return err
	}
	client, err := rc.tenantClient(s)
	if err != nil {
		return err
	}
	fmt.Fprintf(f.Err, "checking %d kits of the %s playbook on %s\n", len(steps.JournalKits(j)), p.ID, s.Domain)
	done := 0
	progress, stop := drain(func(c steps.KitCheck) {
		done++
		fmt.Fprintf(f.Err, "checked %s (%d/%d)\n", c.Label, done, len(steps.JournalKits(j)))
	})
	checks := steps.NewEngine(client).DoctorKits(ctx, p, s, j, 0, progress)
	stop()
	if ctx.Err() != nil {
		return errAborted
	}
	if o.Output == "text" {
		for _, c := range checks { // in the kits' order
			printKitCheck(f.Out, c)
		}
	}
	var broken []string
	verdicts := make([]kitVerdict, 0, len(checks))
	for _, c := range checks {
		if c.Broken() {
			broken = append(broken, c.Label)
		}
		verdicts = append(verdicts, kitVerdict{KitCheck: c, OK: !c.Broken()})
	}
	if o.Output == "json" {
		data, err := json.MarshalIndent(kitsDoctorReport{Playbook: p.ID, Domain: s.Domain, OK: len(broken) == 0, Broken: nonNil(broken), Kits: verdicts}, "", "  ")
		if err != nil {
			return err
		}
		if _, err := f.Out.Write(append(data, '\n')); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(f.Out, "\n%d kits: %d ok, %d broken\n", len(checks), len(checks)-len(broken), len(broken))
	}
	if len(broken) > 0 {
		return fmt.Errorf("doctor: %d of %d kits are broken (%s): each line above says why; running kits again with the journal repairs what is missing",
			len(broken), len(checks), strings.Join(broken, ", "))
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// printKitCheck writes one kit's verdict: ok, or broken with each failed
// check and its fix.
func printKitCheck(w io.Writer, c steps.KitCheck) {
	if !c.Broken() {
		fmt.Fprintf(w, "ok      %s  %s (%s)\n", c.Label, steps.Printable(c.App), c.Client)
		return
	}
	fmt.Fprintf(w, "BROKEN  %s  %s (%s)\n", c.Label, steps.Printable(c.App), orNone(c.Client))
	if c.Problem != "" {
		fmt.Fprintf(w, "        %s\n", c.Problem)
	}
	for _, r := range c.Checks {
		if r.Status == steps.CheckFail {
			fmt.Fprintf(w, "        FAIL %s — %s\n", r.Title, r.Why)
			if r.Fix != "" {
				fmt.Fprintf(w, "             fix: %s\n", r.Fix)
			}
		}
	}
}

func orNone(s string) string {
	if s == "" {
		return "no client ID"
	}
	return s
}
