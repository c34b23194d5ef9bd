package steps

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// The run flow, one of it for every front end: Engine.Check (discovery and
// the management scopes), Engine.Plan, then Engine.Start, whose Run hands out
// the engine's events on a channel and the result once they end. The TUI
// wraps these calls in Cmds, accessible mode and `apply` call them directly;
// Progress, EventLine and Report turn what comes back into the rows and
// lines every front end shows, each only styling them.

// Run is one Apply in flight, started by Engine.Start.
type Run struct {
	// Events carries the engine's events in order; it is closed when Apply
	// has returned, after which Wait returns at once.
	Events <-chan Event
	cancel context.CancelFunc
	done   chan struct{}
	res    Result
	err    error
}

// Start runs Apply in its own goroutine. Cancel (or ctx) stops the run as
// Apply documents: no new action starts, the ones in flight finish and are
// journaled.
func (e *Engine) Start(ctx context.Context, p Playbook, s Settings, plan Plan, j *Journal) *Run {
	ctx, cancel := context.WithCancel(ctx)
	events := make(chan Event, 64)
	r := &Run{Events: events, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		defer close(events)
		r.res, r.err = e.Apply(ctx, p, s, plan, j, events)
	}()
	return r
}

// Cancel asks the run to stop.
func (r *Run) Cancel() { r.cancel() }

// Wait returns Apply's result once it has returned. A caller that reads
// Events must read them to the end first (or Cancel): the engine blocks on a
// full channel.
func (r *Run) Wait() (Result, error) {
	<-r.done
	r.cancel()
	return r.res, r.err
}

// RowState is where an action of a run stands.
type RowState string

// The states of a Row.
const (
	RowPending  RowState = "pending" // waiting its turn
	RowRunning  RowState = "running"
	RowWaiting  RowState = "waiting" // rate limited
	RowRetrying RowState = "retrying"
	RowDone     RowState = "done"
	RowFailed   RowState = "failed"
)

// Row is one action of a run as every front end shows it: a label, where it
// stands, what it did, how long it took, its retries and waits.
type Row struct {
	Action   string // Action.ID, or TokenAction
	Label    string // what it is: "API", "application", ...
	Name     string
	State    RowState
	Verb     Verb // planned, then what it did
	ID       string
	Duration time.Duration
	Retries  int
	Waited   time.Duration
	Detail   string // the latest message: why it waits, retries or failed
}

// TokenAction is the id of the test token's events and row.
const TokenAction = "token"

// Progress folds a run's events into its rows: one per planned action, then
// the test token.
type Progress struct {
	rows []Row
}

// NewProgress returns the rows of a plan before anything ran.
func NewProgress(plan Plan) *Progress {
	p := &Progress{}
	token := "mint and verify a test token"
	for _, a := range plan.Actions {
		p.rows = append(p.rows, Row{Action: a.ID, Label: KindLabel(a.Kind), Name: Printable(a.Name), State: RowPending, Verb: a.Verb, ID: Printable(a.ExistingID)})
		if a.Kind == KindWSO2Application {
			// The run's tokens come from WSO2's token endpoint, with the
			// keys WSO2 generated (run.tokens).
			token = "mint and verify a token via WSO2"
		}
	}
	p.rows = append(p.rows, Row{Action: TokenAction, Label: "token", Name: token, State: RowPending})
	return p
}

// Add applies one event to its row (an event of an action the plan did not
// have gets a row of its own).
func (p *Progress) Add(ev Event) {
	i := -1
	for k := range p.rows {
		if p.rows[k].Action == ev.Action {
			i = k
			break
		}
	}
	if i < 0 {
		p.rows = append(p.rows, Row{Action: ev.Action, Label: ev.Action, State: RowPending})
		i = len(p.rows) - 1
	}
	r := &p.rows[i]
	switch ev.Kind {
	case EventStarted:
		r.State = RowRunning
	case EventWaiting:
		r.State, r.Detail = RowWaiting, Printable(ev.Message)
		r.Waited += ev.Wait
	case EventRetrying:
		r.State, r.Detail = RowRetrying, Printable(ev.Message)
		r.Retries++
	case EventDone:
		r.State, r.Duration, r.Detail = RowDone, ev.Duration, ""
		if ev.Verb != "" {
			r.Verb = ev.Verb
		}
		if ev.ID != "" {
			r.ID = Printable(ev.ID)
		}
	case EventFailed:
		r.State, r.Duration, r.Detail = RowFailed, ev.Duration, Printable(ev.Message)
	}
}

// Rows returns a copy of the rows.
func (p *Progress) Rows() []Row { return append([]Row(nil), p.rows...) }

// Counts says how many rows are finished (done or failed) of how many.
func (p *Progress) Counts() (finished, total int) {
	for _, r := range p.rows {
		if r.State == RowDone || r.State == RowFailed {
			finished++
		}
	}
	return finished, len(p.rows)
}

// EventLine is one event as one plain line: what headless `apply`, teardown
// and accessible mode print, one line an event.
func EventLine(ev Event) string {
	ev.Message, ev.ID = Printable(ev.Message), Printable(ev.ID)
	switch ev.Kind {
	case EventStarted:
		return "… " + ev.Action + suffix(ev.Message)
	case EventWaiting:
		return fmt.Sprintf("⏳ %s: rate limited, waiting %s%s", ev.Action, ev.Wait.Round(time.Millisecond), suffix(ev.Message))
	case EventRetrying:
		return fmt.Sprintf("↻ %s: retry %d%s", ev.Action, ev.Attempt, suffix(ev.Message))
	case EventDone:
		verb := ev.Verb.Past()
		if verb == "" {
			verb = "done"
		}
		id := ""
		if ev.ID != "" {
			id = " " + ev.ID
		}
		return fmt.Sprintf("✓ %s %s%s (%s)%s", verb, ev.Action, id, ev.Duration.Round(time.Millisecond), suffix(ev.Message))
	case EventFailed:
		return fmt.Sprintf("✗ failed %s: %s", ev.Action, ev.Message)
	}
	return ev.Action + ": " + string(ev.Kind) + suffix(ev.Message)
}

func suffix(msg string) string {
	if msg == "" {
		return ""
	}
	return ": " + msg
}

// KeyValue is one labelled value of a report.
type KeyValue struct {
	Key, Value string
	// Cells is the row as columns, for a front end that lays it out as a
	// table (a resource: action, kind, name, id); nil for a plain pair.
	Cells []string
}

// ClaimRows are a token's claims sorted by name, each as a person reads it
// (times as dates too).
func ClaimRows(claims map[string]any) []KeyValue {
	names := make([]string, 0, len(claims))
	for k := range claims {
		names = append(names, k)
	}
	sort.Strings(names)
	rows := make([]KeyValue, 0, len(names))
	for _, k := range names {
		rows = append(rows, KeyValue{Key: Printable(k), Value: ClaimText(k, claims[k])})
	}
	return rows
}

// ClaimText shows a claim's value as a person reads it: a time claim as its
// number and its date.
func ClaimText(name string, v any) string {
	f, ok := v.(float64)
	if !ok {
		return Printable(fmt.Sprint(v))
	}
	n := int64(f)
	switch name {
	case "exp", "iat", "nbf", "auth_time":
		return fmt.Sprintf("%d (%s)", n, time.Unix(n, 0).UTC().Format(time.RFC3339))
	}
	return fmt.Sprint(n)
}

// TokenVerdict says in a few words whether a token verified, and why not.
func TokenVerdict(t TokenCheck) string {
	switch {
	case t.Verified && t.KeySource != "":
		return "✓ verified (signature against " + t.KeySource + ", iss, aud, azp, exp)"
	case t.Verified:
		return "✓ verified"
	case t.Reason != "":
		return "✗ not verified: " + Printable(t.Reason)
	}
	return "✗ not verified"
}

// Section is a titled group of rows of a report.
type Section struct {
	Title string
	Rows  []KeyValue
	// Inline says the section is one line, its title then its one row's
	// value (the journal's path).
	Inline bool
}

// Report is a finished run as sections of labelled values: the keys, the
// test token(s), the endpoints, the resources and the journal. The secret is
// masked unless reveal. Front ends lay the sections out; none restates them.
func Report(r Result, reveal bool) []Section {
	secret := Masked
	if reveal {
		secret = r.ClientSecret
	}
	keys := Section{Title: "keys", Rows: []KeyValue{{Key: "client_id", Value: r.ClientID}, {Key: "client_secret", Value: secret},
		{Key: "audience", Value: r.Audience}}}
	ep := r.Endpoints
	endpoints := Section{Title: "endpoints", Rows: []KeyValue{
		{Key: "issuer", Value: ep.Issuer}, {Key: "authorize", Value: ep.AuthorizationEndpoint}, {Key: "token", Value: ep.TokenEndpoint},
		{Key: "userinfo", Value: ep.UserinfoEndpoint}, {Key: "jwks", Value: ep.JWKSURI}, {Key: "revoke", Value: ep.RevocationEndpoint},
		{Key: "openid-configuration", Value: ep.OpenIDConfiguration},
	}}
	out := []Section{endpoints}
	res := Section{Title: "resources"}
	for _, x := range r.Resources {
		res.Rows = append(res.Rows, KeyValue{Key: x.Action + " " + KindLabel(x.Kind), Value: Printable(x.Name + " (" + x.ID + ")"),
			Cells: []string{x.Action, string(x.Kind), Printable(x.Name), Printable(x.ID)}})
	}
	out = append(out, res, keys)
	out = append(out, Section{Title: "test token  " + TokenVerdict(r.Token), Rows: ClaimRows(r.Token.Claims)})
	if r.UserToken != nil {
		out = append(out, Section{Title: "user token  " + TokenVerdict(*r.UserToken), Rows: ClaimRows(r.UserToken.Claims)})
	}
	if w := WSO2Report(r, reveal); w != nil {
		out = append(out, *w)
	}
	if r.JournalPath != "" {
		out = append(out, Section{Title: "journal", Rows: []KeyValue{{Key: "path", Value: r.JournalPath}}, Inline: true})
	}
	return out
}

// WSO2Report is what a run did on WSO2 API Manager's side as a section
// (nil when the run did not work through WSO2): the key manager registered
// in API Manager and the developer-portal application, each with what the
// run did to it and its id in WSO2, the application's production keys (the
// consumer secret masked unless reveal) and the token WSO2 generated with
// them. Its title starts with "WSO2".
func WSO2Report(r Result, reveal bool) *Section {
	w := r.WSO2
	if w == nil {
		return nil
	}
	entry := func(kind ResourceKind, id string) KeyValue {
		name, action := "", ""
		for _, x := range r.Resources {
			if x.Kind == kind {
				name, action = x.Name, x.Action
				break
			}
		}
		label := strings.TrimPrefix(KindLabel(kind), "WSO2 ")
		return KeyValue{Key: strings.ReplaceAll(label, " ", "_"), Value: strings.TrimSpace(action+" "+Printable(name)) + " (" + Printable(id) + ")",
			Cells: []string{label, action, Printable(name), Printable(id)}}
	}
	secret := Masked
	if reveal {
		secret = r.ClientSecret
	}
	return &Section{Title: "WSO2 API Manager  " + Printable(w.URL), Rows: []KeyValue{
		entry(KindWSO2KeyManager, w.KeyManagerID),
		entry(KindWSO2Application, w.ApplicationID),
		{Key: "consumer_key", Value: Printable(r.ClientID), Cells: []string{"consumer key", Printable(r.ClientID)}},
		{Key: "consumer_secret", Value: secret, Cells: []string{"consumer secret", secret}},
		{Key: "token", Value: TokenVerdict(w.Token), Cells: []string{"token WSO2 generated", TokenVerdict(w.Token)}},
	}}
}

// KindLabel is how a person names a resource kind.
func KindLabel(k ResourceKind) string {
	if d, ok := kindLabels[k]; ok {
		return d
	}
	return string(k)
}

var kindLabels = map[ResourceKind]string{
	KindResourceServer:   "API",
	KindClient:           "application",
	KindClientGrant:      "client grant",
	KindConnection:       "connection",
	KindConnectionClient: "connection client",
	KindWSO2KeyManager:   "WSO2 key manager",
	KindWSO2Application:  "WSO2 application",
	KindUser:             "user",
}
