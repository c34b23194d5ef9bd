package steps

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"slices"
	"strings"
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

	mu      sync.Mutex
	checked map[string]Endpoints // playbook + "|" + domain → endpoints
}

// NewEngine returns an engine working through c.
func NewEngine(c Client) *Engine {
	return &Engine{c: c, backoff: resendBackoff, checked: map[string]Endpoints{}}
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
	rs    ResourceServer
	app   App
	grant ClientGrant
	conn  Connection
	user  User
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
// A same-named application without this tool's marker is never reused nor
// duplicated: Plan fails with an error wrapping ErrUnmarkedClient.
func (e *Engine) Plan(ctx context.Context, p Playbook, s Settings, j *Journal) (Plan, error) {
	s = WithDefaults(s)
	if err := p.validate(s, true); err != nil {
		return Plan{}, err
	}
	domain := domainHost(s.Domain)
	if j != nil {
		if err := j.checkFor(p.ID, domain); err != nil {
			return Plan{}, err
		}
		if err := j.checkSettings(p.ID, domain, s); err != nil {
			return Plan{}, err
		}
	}
	ep, err := e.ensureChecked(ctx, p, s)
	if err != nil {
		return Plan{}, err
	}
	azure := p.ID == Azure

	st := &planState{ours: map[string]bool{}}
	var (
		rsFound, appFound, grantFound, connFound, userFound, enabled bool
		mu                                                           sync.Mutex
		errs                                                         []error
	)
	fail := func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}
	found := func(err error, what string) bool {
		if err == nil {
			return true
		}
		if !errors.Is(err, ErrNotFound) {
			fail(fmt.Errorf("look up %s: %w", what, err))
		}
		return false
	}

	// Round 1: everything found by its name, at once.
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		rs, err := e.c.FindResourceServer(ctx, s.APIIdentifier)
		rsFound, st.rs = found(err, "resource server "+s.APIIdentifier), rs
	}()
	go func() {
		defer wg.Done()
		app, err := e.c.FindClient(ctx, s.AppName)
		appFound, st.app = found(err, "application "+s.AppName), app
	}()
	if azure {
		wg.Add(2)
		go func() {
			defer wg.Done()
			c, err := e.c.FindConnection(ctx, s.ConnectionName)
			connFound, st.conn = found(err, "connection "+s.ConnectionName), c
		}()
		go func() {
			defer wg.Done()
			u, err := e.c.FindUser(ctx, s.ConnectionName, s.UserEmail)
			userFound, st.user = found(err, "user "+s.UserEmail+" in "+s.ConnectionName), u
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		return Plan{}, errors.Join(errs...)
	}
	if appFound && !appMarked(st.app, j) {
		return Plan{}, &UnmarkedClientError{Name: s.AppName, ClientID: st.app.ClientID}
	}

	// Round 2: what needs an id from round 1.
	if appFound {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g, err := e.c.FindClientGrant(ctx, st.app.ClientID, s.APIIdentifier)
			grantFound, st.grant = found(err, "client grant of "+s.AppName+" for "+s.APIIdentifier), g
		}()
		if azure && connFound {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := e.c.ConnectionEnabledFor(ctx, st.conn.ID, st.app.ClientID)
				if err != nil {
					fail(fmt.Errorf("read the applications of connection %s: %w", s.ConnectionName, err))
				}
				enabled = ok
			}()
		}
	}
	wg.Wait()
	if len(errs) > 0 {
		return Plan{}, errors.Join(errs...)
	}

	// Which found resources this tool created in an earlier run.
	ours := func(actionID, id string, present bool) {
		if j == nil || !present {
			return
		}
		if en, ok := j.entry(actionID); ok && (en.Action == Create.Past() && en.ID == id || en.Action == journalPending) {
			st.ours[actionID] = true
		}
	}
	ours("resource_server", st.rs.ID, rsFound)
	ours("client", st.app.ClientID, appFound)
	ours("client_grant", st.grant.ID, grantFound)
	ours("connection", st.conn.ID, connFound)
	ours("user", st.user.ID, userFound)
	if en, ok := journalEntryOf(j, "connection_client"); ok && enabled && en.Action != Reuse.Past() {
		st.ours["connection_client"] = true // this tool enabled it: teardown turns it off
	}

	plan := Plan{Playbook: p.ID, Domain: domain, Endpoints: ep, state: st}
	rsA := Action{ID: "resource_server", Kind: KindResourceServer, Name: s.APIName + " (" + s.APIIdentifier + ")", Verb: Create}
	if rsFound {
		rsA.Verb, rsA.ExistingID = Reuse, st.rs.ID
		if ch := rsChanges(p.ID, st.rs); len(ch) > 0 {
			rsA.Verb, rsA.Changes = Update, ch
		}
	}
	appA := Action{ID: "client", Kind: KindClient, Name: s.AppName, Verb: Create}
	if appFound {
		appA.Verb, appA.ExistingID = Reuse, st.app.ClientID
		if ch := appChanges(s, st.app); len(ch) > 0 {
			appA.Verb, appA.Changes = Update, ch
		}
	}
	grantA := Action{ID: "client_grant", Kind: KindClientGrant, Name: s.AppName + " → " + s.APIIdentifier, Verb: Create,
		DependsOn: []string{"resource_server", "client"}}
	if grantFound {
		grantA.Verb, grantA.ExistingID = Reuse, st.grant.ID
		if missing := missingStrings(grantScopes(p.ID), st.grant.Scope); len(missing) > 0 {
			grantA.Verb, grantA.Changes = Update, []string{"add scope " + strings.Join(missing, ", ")}
		}
	}
	plan.Actions = []Action{rsA, appA, grantA}
	if azure {
		connA := Action{ID: "connection", Kind: KindConnection, Name: s.ConnectionName, Verb: Create}
		if connFound {
			connA.Verb, connA.ExistingID = Reuse, st.conn.ID
		}
		ccA := Action{ID: "connection_client", Kind: KindConnectionClient, Name: s.ConnectionName + " → " + s.AppName, Verb: Update,
			Changes: []string{"enable the connection for the application"}, DependsOn: []string{"connection", "client"}}
		if enabled {
			ccA.Verb, ccA.ExistingID, ccA.Changes = Reuse, st.conn.ID, nil
		}
		userA := Action{ID: "user", Kind: KindUser, Name: s.UserEmail, Verb: Create, DependsOn: []string{"connection"}}
		if userFound {
			userA.Verb, userA.ExistingID = Reuse, st.user.ID
		}
		plan.Actions = append(plan.Actions, connA, ccA, userA)
	}
	return plan, nil
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

func journalEntryOf(j *Journal, actionID string) (journalEntry, bool) {
	if j == nil {
		return journalEntry{}, false
	}
	return j.entry(actionID)
}

func appMarked(a App, j *Journal) bool {
	if a.Marked() {
		return true
	}
	if j == nil {
		return false
	}
	en, ok := j.entry("client")
	return ok && en.ID == a.ClientID && en.Action == Create.Past()
}

// grantScopes are the scopes the application's grant must carry.
func grantScopes(id PlaybookID) []string {
	if id == WSO2 {
		return []string{WSO2Scope}
	}
	return []string{}
}

// rsScopes are the scopes the resource server must declare.
func rsScopes(id PlaybookID) []Scope {
	if id == WSO2 {
		return []Scope{{Value: WSO2Scope, Description: "Requested by WSO2 API Manager for its applications"}}
	}
	return nil
}

func rsChanges(id PlaybookID, rs ResourceServer) []string {
	var ch []string
	for _, want := range rsScopes(id) {
		if !slices.ContainsFunc(rs.Scopes, func(s Scope) bool { return s.Value == want.Value }) {
			ch = append(ch, "add scope "+want.Value)
		}
	}
	return ch
}

// appCallbacks are the callbacks the application must allow.
func appCallbacks(s Settings) []string {
	if s.Playbook != Azure || s.APIMInstance == "" {
		return nil
	}
	return []string{APIMRedirectURI(s.APIMInstance, s.APIMServer)}
}

// APIMRedirectURI is the redirect URI of an Azure API Management developer
// portal for an OAuth 2.0 authorization server named server.
func APIMRedirectURI(instance, server string) string {
	if server == "" {
		server = "auth0"
	}
	return "https://" + instance + ".developer.azure-api.net/signin-oauth/code/callback/" + server
}

func appChanges(s Settings, a App) []string {
	var ch []string
	if s.AppType != "" && a.AppType != s.AppType {
		ch = append(ch, fmt.Sprintf("app type %s → %s", orNone(a.AppType), s.AppType))
	}
	if s.TokenEndpointAuthMethod != "" && a.TokenEndpointAuthMethod != s.TokenEndpointAuthMethod {
		ch = append(ch, fmt.Sprintf("token endpoint authentication %s → %s", orNone(a.TokenEndpointAuthMethod), s.TokenEndpointAuthMethod))
	}
	if m := missingStrings(s.GrantTypes, a.GrantTypes); len(m) > 0 {
		ch = append(ch, "add grant types "+strings.Join(m, ", "))
	}
	if m := missingStrings(appCallbacks(s), a.Callbacks); len(m) > 0 {
		ch = append(ch, "add callback "+strings.Join(m, ", "))
	}
	return ch
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
