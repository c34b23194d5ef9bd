package steps

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"slices"
	"sync"
	"time"
)

// Tuning of the engine's own retries (the Client retries 429/5xx itself).
const (
	maxCreateAttempts = 6                      // creates whose outcome was unknown and not committed
	resendBackoff     = 200 * time.Millisecond // × the attempt, before sending such a create again
	maxLookupAttempts = 3                      // lookups after an unknown outcome
	inFlightTimeout   = 90 * time.Second       // how long an in-flight action may finish after ctx is cancelled
)

// Engine plans and applies playbooks through a Client. It holds no state
// between runs except what Check learnt (endpoints of a tenant whose scopes
// passed), so that Plan and Apply do not repeat it. It is safe for
// concurrent use.
type Engine struct {
	c       Client
	backoff time.Duration // resendBackoff; tests set it to zero
	// lockWait, lockStale: the tenant-wide locks' timing (WithLockTiming).
	lockWait, lockStale time.Duration
	wso2                WSO2Client // nil: no WSO2 credentials were given

	mu      sync.Mutex
	checked map[string]Endpoints // playbook + "|" + domain → endpoints
}

// env is what the resource model's functions work through.
func (e *Engine) env() env { return env{Client: e.c, wso2: e.wso2} }

// WithWSO2 returns the engine working through w for WSO2 API Manager too
// (the wso2 playbook's key manager and developer-portal application); a
// nil w leaves those actions out.
func (e *Engine) WithWSO2(w WSO2Client) *Engine {
	e.wso2 = w
	return e
}

// Client is the Auth0 client the engine works through.
func (e *Engine) Client() Client { return e.c }

// NewEngine returns an engine working through c.
func NewEngine(c Client) *Engine {
	return &Engine{c: c, backoff: resendBackoff, lockWait: defaultLockWait, lockStale: defaultLockStale, checked: map[string]Endpoints{}}
}

// Check reads the tenant's discovery document and the management token's
// scopes (at once), and fails before any change when a required scope is
// missing: the error is a *MissingScopesError naming each scope and saying
// where to grant it.
func (e *Engine) Check(ctx context.Context, p Playbook, s Settings) (Endpoints, error) {
	s = WithDefaults(s)
	var (
		wg      sync.WaitGroup
		ep      Endpoints
		granted []string
		derr    error
		serr    error
	)
	wg.Add(2)
	go func() { defer wg.Done(); ep, derr = e.c.Discover(ctx) }()
	go func() { defer wg.Done(); granted, serr = e.c.GrantedScopes(ctx) }()
	wg.Wait()
	// The Client's errors already say what it tried, on which tenant and
	// with which application, and what to do.
	if derr != nil {
		return Endpoints{}, derr
	}
	if serr != nil {
		return ep, serr
	}
	if missing := ScopeCheck(p, granted); len(missing) > 0 {
		return ep, &MissingScopesError{Missing: missing}
	}
	e.mu.Lock()
	e.checked[string(p.ID)+"|"+domainHost(s.Domain)] = ep
	e.mu.Unlock()
	return ep, nil
}

// ensureChecked runs Check unless this engine already passed it for the
// playbook and tenant.
func (e *Engine) ensureChecked(ctx context.Context, p Playbook, s Settings) (Endpoints, error) {
	e.mu.Lock()
	ep, ok := e.checked[string(p.ID)+"|"+domainHost(s.Domain)]
	e.mu.Unlock()
	if ok {
		return ep, nil
	}
	return e.Check(ctx, p, s)
}

// planState is what Plan found, kept for Apply so it need not read again.
type planState struct {
	found map[string]resource // action id → the resource found
	// ours: actions whose resource this tool created in an earlier run (the
	// journal says so); reused now, they stay "created" in the journal.
	ours map[string]bool
}

// Plan reads the tenant and returns each action as create, reuse or update;
// it changes nothing. With a journal, resources it records as created (or
// whose create was sent and not answered) are verified present and planned as
// reuse, and stay "created" so that teardown deletes them. Settings that name
// other resources than those the journal records as created are refused with
// a *JournalConflictError (see ResumeSettings to continue the journal's run).
//
// Every action whose lookup needs nothing from another is looked up at once;
// then those that need their ids. A found resource of a kind that carries
// this tool's marker (an application) without it is never reused nor
// duplicated: Plan fails with that kind's error (ErrUnmarkedClient).
func (e *Engine) Plan(ctx context.Context, p Playbook, s Settings, j *Journal) (Plan, error) {
	s = p.WithDefaults(s)
	if err := p.validate(s, true); err != nil {
		return Plan{}, err
	}
	domain := domainHost(s.Domain)
	if j != nil {
		if err := j.checkFor(p.ID, domain); err != nil {
			return Plan{}, err
		}
		if err := j.checkSettings(p, domain, s); err != nil {
			return Plan{}, err
		}
	}
	ep, err := e.ensureChecked(ctx, p, s)
	if err != nil {
		return Plan{}, err
	}

	st := &planState{found: map[string]resource{}, ours: map[string]bool{}}
	actions, want := wants(p, s, ep, domain)
	byID := map[string]ActionSpec{}
	for _, a := range actions {
		byID[a.ID] = a
	}
	// refsOf are the found resources an action's lookup needs, and whether
	// they are all there (if one is still to be made, neither is this one).
	refsOf := func(a ActionSpec, k kindDef) (refs, bool) {
		r := refs{}
		for _, d := range a.DependsOn {
			if f, ok := st.found[d]; ok {
				r[byID[d].Kind] = f
			}
		}
		if k.ready != nil {
			return r, k.ready(want[a.ID], r)
		}
		for _, n := range k.needs {
			if _, ok := r[n]; !ok {
				return r, false
			}
		}
		return r, true
	}
	var (
		mu   sync.Mutex
		errs []error
	)
	round := func(needing bool) error {
		// What each look-up needs is read before any of them runs (they
		// write st.found as they finish).
		type lookup struct {
			a ActionSpec
			k kindDef
			r refs
		}
		var todo []lookup
		for _, a := range actions {
			k, err := kindOf(a.Kind)
			if err != nil {
				return err
			}
			if (len(k.needs) > 0 || k.ready != nil) != needing {
				continue
			}
			if r, ok := refsOf(a, k); ok {
				todo = append(todo, lookup{a, k, r})
			}
		}
		var wg sync.WaitGroup
		for _, l := range todo {
			a, k, r := l.a, l.k, l.r
			wg.Add(1)
			go func() {
				defer wg.Done()
				var (
					f   resource
					err error
				)
				en, inJournal := journalEntryOf(j, a.ID)
				if inJournal && en.ID != "" && k.byID != nil {
					// The journal knows its id: one read, whatever the
					// tenant's size.
					f, err = k.byID(ctx, e.env(), want[a.ID], en.ID)
				}
				if k.byID == nil || err != nil || f.id == "" {
					f, err = k.find(ctx, e.env(), want[a.ID], r)
				}
				if err == nil && inJournal && en.Action == journalPending && k.findAll != nil && k.runOf != nil &&
					j.RunID() != "" && k.runOf(f) != j.RunID() {
					// A create whose answer was lost, of a kind whose names
					// are not unique, and the look-up by name found another
					// one: this run's own, if it was made, is the one
					// carrying its marker.
					if f2, ok := ownByMarker(ctx, e.env(), k, want[a.ID], r, j.RunID()); ok {
						f = f2
					}
				}
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					st.found[a.ID] = f
				case !errors.Is(err, ErrNotFound):
					errs = append(errs, fmt.Errorf("look up %s %s: %w", k.label, want[a.ID].Name, err))
				}
			}()
		}
		wg.Wait()
		return errors.Join(errs...)
	}
	if err := round(false); err != nil {
		return Plan{}, err
	}
	for _, a := range actions {
		k := kinds[a.Kind]
		f, ok := st.found[a.ID]
		if !ok {
			continue
		}
		if k.marked != nil && !k.marked(f) && !journalCreated(j, a.ID, f.id) {
			return Plan{}, k.foreign(want[a.ID], f)
		}
		if k.unfit != nil {
			if err := k.unfit(want[a.ID], f); err != nil {
				return Plan{}, err
			}
		}
	}
	if err := round(true); err != nil {
		return Plan{}, err
	}

	// What a create would meet, knowable now.
	for _, a := range actions {
		k := kinds[a.Kind]
		if _, found := st.found[a.ID]; found || k.precheck == nil {
			continue
		}
		r, _ := refsOf(a, k)
		if err := k.precheck(want[a.ID], r); err != nil {
			return Plan{}, err
		}
	}

	// Which found resources this tool created in an earlier run.
	for _, a := range actions {
		f, ok := st.found[a.ID]
		if !ok || j == nil {
			continue
		}
		en, ok := j.entry(a.ID)
		switch {
		case !ok:
		case en.Action == kinds[a.Kind].doneVerb.Past() && (en.ID == f.id || a.Kind == KindConnectionClient):
			st.ours[a.ID] = true
		case en.Action == journalPending:
			// A create whose answer was lost: what is under the key now is
			// this run's only when it proves so (its run marker, or every
			// field sent and, where the kind says so, everything it depends
			// on this run's); else it is reused as found, never adopted.
			proof, err := proveOurs(a.Kind, kinds[a.Kind], want[a.ID], f, j.RunID())
			if err == nil && proof == proofFields && kinds[a.Kind].depsProve {
				for _, d := range a.DependsOn {
					if !st.ours[d] {
						err = ErrForeign
					}
				}
			}
			if err == nil {
				st.ours[a.ID] = true
			}
		}
	}

	plan := Plan{Playbook: p.ID, Domain: domain, Endpoints: ep, state: st}
	for _, a := range actions {
		k := kinds[a.Kind]
		act := Action{ID: a.ID, Kind: a.Kind, Name: want[a.ID].Name, Verb: Create, DependsOn: a.DependsOn}
		if k.doneVerb == Update {
			act.Verb, act.Changes = Update, []string{"enable the connection for the application"}
		}
		if f, ok := st.found[a.ID]; ok {
			act.Verb, act.ExistingID, act.Changes = Reuse, f.id, nil
			if k.describe != nil {
				act.Found, act.Warnings = k.describe(want[a.ID], f)
			}
			if k.changes != nil {
				if ch := k.changes(want[a.ID], f); len(ch) > 0 {
					act.Verb, act.Changes = Update, ch
				}
			}
		}
		plan.Actions = append(plan.Actions, act)
	}
	return plan, nil
}

// ownByMarker finds, among every resource under the key (k.findAll), the
// one carrying run's marker.
func ownByMarker(ctx context.Context, c env, k kindDef, d Desired, r refs, run string) (resource, bool) {
	all, err := k.findAll(ctx, c, d, r)
	if err != nil {
		return resource{}, false
	}
	for _, x := range all {
		if k.runOf(x) == run {
			return x, true
		}
	}
	return resource{}, false
}

// wants are a run's actions and what each wants, completed from discovery.
func wants(p Playbook, s Settings, ep Endpoints, domain string) ([]ActionSpec, map[string]Desired) {
	actions := p.ActionsFor(s)
	want := make(map[string]Desired, len(actions))
	for _, a := range actions {
		d := a.Want(s)
		if k, ok := kinds[a.Kind]; ok && k.complete != nil {
			k.complete(&d, ep, domain, s)
		}
		want[a.ID] = d
	}
	return actions, want
}

// journalEntryOf is the journal's entry for an action, if any.
func journalEntryOf(j *Journal, actionID string) (journalEntry, bool) {
	if j == nil {
		return journalEntry{}, false
	}
	return j.entry(actionID)
}

// journalCreated says whether the journal records the action's resource,
// with that id, as created by this tool.
func journalCreated(j *Journal, actionID, id string) bool {
	if j == nil {
		return false
	}
	en, ok := j.entry(actionID)
	return ok && en.ID == id && en.Action == Create.Past()
}

// ErrUnmarkedClient is wrapped by Plan's error when an application with the
// chosen name exists without this tool's marker.
var ErrUnmarkedClient = errors.New("application exists and was not made by auth0-wizard")

// UnmarkedClientError says an application with the chosen name exists in the
// tenant without this tool's marker in its client_metadata. The engine neither
// reuses it (it may belong to someone else; its grants and secret are not
// ours to change) nor creates a second one with the same name (names are not
// unique in Auth0, and two would make every later run ambiguous).
type UnmarkedClientError struct {
	Name     string
	ClientID string
}

// Error says what was found and what to do.
func (e *UnmarkedClientError) Error() string {
	return fmt.Sprintf("an application named %q (client ID %s) already exists and was not made by auth0-wizard "+
		"(its client_metadata has no %s=%s): it is not reused nor duplicated; choose another application name, "+
		"or add %s=%s to its metadata in the dashboard if it is meant to be managed by auth0-wizard",
		e.Name, e.ClientID, MarkerKey, MarkerValue, MarkerKey, MarkerValue)
}

// Unwrap makes errors.Is(err, ErrUnmarkedClient) true.
func (e *UnmarkedClientError) Unwrap() error { return ErrUnmarkedClient }

// APIMRedirectURI is the redirect URI of an Azure API Management developer
// portal for an OAuth 2.0 authorization server named server.
func APIMRedirectURI(instance, server string) string {
	if server == "" {
		server = "auth0"
	}
	return "https://" + instance + ".developer.azure-api.net/signin-oauth/code/callback/" + server
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// missingStrings returns the elements of want not in have.
func missingStrings(want, have []string) []string {
	var m []string
	for _, w := range want {
		if !slices.Contains(have, w) {
			m = append(m, w)
		}
	}
	return m
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, x := range b {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// isUncertain reports whether a write's outcome is unknown: the Client said
// so, or the transport failed.
func isUncertain(err error) bool {
	if errors.Is(err, ErrUncertain) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return true
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var ue *url.Error
	var ne net.Error
	return errors.As(err, &ue) || errors.As(err, &ne)
}

func emit(ctx context.Context, events chan<- Event, ev Event) {
	if events == nil {
		return
	}
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	select {
	case events <- ev:
	case <-ctx.Done():
		select { // still deliver if the reader is there
		case events <- ev:
		default:
		}
	}
}
