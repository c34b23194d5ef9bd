package steps

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// errNotStarted marks an action that did not run because a dependency
// failed or the run was cancelled.
var errNotStarted = errors.New("not started")

// outcome is what an action came to.
type outcome struct {
	done    chan struct{}
	id      string
	verb    Verb           // what this run did
	created bool           // the journal keeps it as created
	app     App            // client: with its secret
	rs      ResourceServer // resource server: as the tenant holds it
	err     error
}

// run is one Apply.
type run struct {
	c       Client
	backoff time.Duration
	p       Playbook
	s       Settings
	plan    Plan
	st      *planState
	j       *Journal
	events  chan<- Event
	out     map[string]*outcome
}

// Apply carries the plan out: independent actions at once, each dependent
// one when what it needs is done, the journal written as each completes;
// then it mints the test token(s) and verifies them. It sends Events on
// events (never closing it; nil drops them). A plan not made by Plan (or for
// another playbook) is made again first. On ctx cancellation no new action
// starts, actions in flight finish and are journaled, and Apply returns an
// error wrapping ctx.Err(); Apply with the same journal then resumes.
//
// The Result is filled as far as the run got, also with an error.
func (e *Engine) Apply(ctx context.Context, p Playbook, s Settings, plan Plan, j *Journal, events chan<- Event) (Result, error) {
	s = WithDefaults(s)
	if err := p.validate(s, true); err != nil {
		return Result{}, err
	}
	if j == nil {
		j, _ = OpenJournal("", false)
	}
	domain := domainHost(s.Domain)
	if plan.state == nil || plan.Playbook != p.ID || plan.Domain != domain {
		var err error
		if plan, err = e.Plan(ctx, p, s, j); err != nil {
			return Result{}, err
		}
	} else if _, err := e.ensureChecked(ctx, p, s); err != nil {
		return Result{}, err
	}
	for _, a := range plan.Actions {
		if a.ID == "user" && a.Verb == Create && s.UserPassword == "" {
			return Result{}, fmt.Errorf("user %s does not exist in %s yet and no password was given for it: a password is needed to create the test user", s.UserEmail, s.ConnectionName)
		}
	}
	if err := j.begin(p.ID, domain, s); err != nil {
		return Result{}, err
	}
	r := &run{c: e.c, backoff: e.backoff, p: p, s: s, plan: plan, st: plan.state, j: j, events: events, out: map[string]*outcome{}}
	for _, a := range plan.Actions {
		r.out[a.ID] = &outcome{done: make(chan struct{})}
	}
	var wg sync.WaitGroup
	for _, a := range plan.Actions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.action(ctx, a)
		}()
	}
	wg.Wait()

	res := Result{Playbook: p.ID, Domain: domain, Endpoints: plan.Endpoints, Audience: s.APIIdentifier, JournalPath: j.Path()}
	var errs []error
	for _, a := range plan.Actions {
		o := r.out[a.ID]
		switch {
		case o.err == nil:
			if a.Kind != KindConnectionClient {
				res.Resources = append(res.Resources, Resource{Kind: a.Kind, ID: o.id, Name: a.Name, Action: o.verb.Past()})
			}
		case errors.Is(o.err, errNotStarted):
		default:
			errs = append(errs, o.err)
		}
	}
	if c := r.out["client"]; c != nil && c.err == nil {
		res.ClientID, res.ClientSecret = c.app.ClientID, c.app.ClientSecret
	}
	if o := r.out["resource_server"]; o != nil && o.err == nil {
		res.APISigningAlg, res.APISigningSecret = o.rs.SigningAlg, o.rs.SigningSecret
	}
	if ctx.Err() != nil {
		errs = append(errs, fmt.Errorf("apply stopped before it finished (the journal %s lets a new apply resume): %w", orMemory(j.Path()), ctx.Err()))
		return res, errors.Join(errs...)
	}
	if len(errs) > 0 {
		return res, errors.Join(errs...)
	}
	if err := r.tokens(ctx, &res); err != nil {
		return res, err
	}
	return res, nil
}

// sleep waits d, or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func orMemory(path string) string {
	if path == "" {
		return "(in memory)"
	}
	return path
}

// actionContext is the context an action runs with: not cancelled by ctx
// (a write in flight must get its answer so the journal stays exact) until
// inFlightTimeout after ctx is done; retries are reported as events.
func (r *run) actionContext(ctx context.Context, id string) (context.Context, context.CancelFunc) {
	actx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(inFlightTimeout, cancel) })
	actx = WithNotifier(actx, func(n RetryNotice) {
		kind := EventRetrying
		if n.RateLimited {
			kind = EventWaiting
		}
		emit(ctx, r.events, Event{Action: id, Kind: kind, Attempt: n.Attempt, Wait: n.Wait, Message: n.Reason})
	})
	return actx, func() { stop(); cancel() }
}

func (r *run) action(ctx context.Context, a Action) {
	o := r.out[a.ID]
	defer close(o.done)
	for _, d := range a.DependsOn {
		dep, ok := r.out[d]
		if !ok {
			continue
		}
		select {
		case <-dep.done:
		case <-ctx.Done():
			o.err = errNotStarted
			return
		}
		if dep.err != nil {
			o.err = errNotStarted
			if !errors.Is(dep.err, errNotStarted) {
				emit(ctx, r.events, Event{Action: a.ID, Kind: EventFailed, Message: "not attempted: " + d + " failed"})
			}
			return
		}
	}
	if ctx.Err() != nil {
		o.err = errNotStarted
		return
	}
	actx, cancel := r.actionContext(ctx, a.ID)
	defer cancel()
	start := time.Now()
	emit(ctx, r.events, Event{Action: a.ID, Kind: EventStarted, Verb: a.Verb, Message: a.Name})
	var err error
	switch a.ID {
	case "resource_server":
		err = r.resourceServer(actx, ctx, a, o)
	case "client":
		err = r.client(actx, ctx, a, o)
	case "client_grant":
		err = r.clientGrant(actx, ctx, a, o)
	case "connection":
		err = r.connection(actx, ctx, a, o)
	case "connection_client":
		err = r.connectionClient(actx, ctx, a, o)
	case "user":
		err = r.user(actx, ctx, a, o)
	default:
		err = fmt.Errorf("unknown action %q", a.ID)
	}
	if err == nil {
		o.created = o.created || r.st.ours[a.ID]
		err = r.journal(a, o)
	}
	if err != nil {
		o.err = err
		emit(ctx, r.events, Event{Action: a.ID, Kind: EventFailed, Message: err.Error(), Duration: time.Since(start)})
		return
	}
	emit(ctx, r.events, Event{Action: a.ID, Kind: EventDone, Verb: o.verb, ID: o.id, Duration: time.Since(start), Message: a.Name})
}

// lookupKeys are what an action's reuse rule needs, kept in the journal.
func (r *run) lookupKeys(a Action) map[string]string {
	s := r.s
	switch a.ID {
	case "resource_server":
		return map[string]string{"identifier": s.APIIdentifier}
	case "client":
		return map[string]string{"name": s.AppName}
	case "client_grant":
		return map[string]string{"client_id": r.out["client"].app.ClientID, "audience": s.APIIdentifier}
	case "connection":
		return map[string]string{"name": s.ConnectionName}
	case "connection_client":
		return map[string]string{"client_id": r.out["client"].app.ClientID}
	case "user":
		return map[string]string{"connection": s.ConnectionName, "email": s.UserEmail}
	}
	return nil
}

func (r *run) journal(a Action, o *outcome) error {
	action := o.verb.Past()
	if o.created {
		action = Create.Past()
	}
	if err := r.j.record(journalEntry{ActionID: a.ID, Kind: a.Kind, ID: o.id, Name: a.Name, Action: action,
		DependsOn: a.DependsOn, Lookup: r.lookupKeys(a)}); err != nil {
		return err
	}
	if a.ID == "client" {
		return r.j.setSecret("client_secret", o.app.ClientSecret)
	}
	return nil
}

// pending records that a create is about to be sent.
func (r *run) pending(a Action) error {
	if en, ok := r.j.entry(a.ID); ok && en.Action == Create.Past() {
		// Created earlier and gone since: keep the entry until this create
		// is answered; teardown of a gone resource is a no-op.
		en.Action = journalPending
		en.ID = ""
		return r.j.record(en)
	}
	return r.j.record(journalEntry{ActionID: a.ID, Kind: a.Kind, Name: a.Name, Action: journalPending,
		DependsOn: a.DependsOn, Lookup: r.lookupKeys(a)})
}

// create sends a create and makes it safe to repeat: on an unknown outcome
// (ErrUncertain, a transport error) it looks the resource up by its reuse
// rule and takes it as created when found, else sends the create again (a
// bounded number of times); a conflict (409) is looked up and reused (or
// taken as created, when an earlier attempt of ours may have made it).
func create[T any](actx, ctx context.Context, r *run, a Action, send func(context.Context) (T, error), find func(context.Context) (T, error)) (T, Verb, error) {
	var zero T
	if err := r.pending(a); err != nil {
		return zero, "", err
	}
	uncertain := false
	for attempt := 1; ; attempt++ {
		v, err := send(actx)
		if err == nil {
			return v, Create, nil
		}
		if actx.Err() != nil {
			return zero, "", err
		}
		switch {
		case errors.Is(err, ErrConflict):
			f, ferr := lookup(actx, find)
			if ferr == nil {
				if uncertain {
					return f, Create, nil
				}
				return f, Reuse, nil
			}
			return zero, "", fmt.Errorf("%w; looking it up to reuse it failed: %v", err, ferr)
		case isUncertain(err):
			uncertain = true
			f, ferr := lookup(actx, find)
			if ferr == nil {
				return f, Create, nil
			}
			if !errors.Is(ferr, ErrNotFound) {
				return zero, "", fmt.Errorf("%w; looking it up to see whether it was made failed: %v", err, ferr)
			}
			if attempt >= maxCreateAttempts {
				return zero, "", fmt.Errorf("%w (gave up after %d attempts, none committed)", err, attempt)
			}
			wait := r.backoff * time.Duration(attempt)
			emit(ctx, r.events, Event{Action: a.ID, Kind: EventRetrying, Attempt: attempt + 1, Wait: wait,
				Message: "the create's outcome was unknown and it was not made: sending it again"})
			if err := sleep(actx, wait); err != nil {
				return zero, "", err
			}
		default:
			return zero, "", err
		}
	}
}

// lookup runs a reuse-rule lookup, again when its own outcome is uncertain.
func lookup[T any](actx context.Context, find func(context.Context) (T, error)) (T, error) {
	var (
		v   T
		err error
	)
	for attempt := 1; attempt <= maxLookupAttempts; attempt++ {
		v, err = find(actx)
		if err == nil || !isUncertain(err) || actx.Err() != nil {
			return v, err
		}
	}
	return v, err
}

// createOrReuse runs an action that reuses the resource as it stands or
// creates it (see create); id names the resource created.
func createOrReuse[T any](actx, ctx context.Context, r *run, a Action, o *outcome, id func(T) string,
	send func(context.Context) (T, error), find func(context.Context) (T, error)) error {
	if a.Verb == Reuse {
		o.id, o.verb = a.ExistingID, Reuse
		return nil
	}
	v, verb, err := create(actx, ctx, r, a, send, find)
	if err != nil {
		return err // the Client names what it tried
	}
	o.id, o.verb, o.created = id(v), verb, verb == Create
	return nil
}

func (r *run) resourceServer(actx, ctx context.Context, a Action, o *outcome) error {
	s := r.s
	if a.Verb == Reuse {
		o.rs = r.st.rs
	}
	if a.Verb != Update {
		return createOrReuse(actx, ctx, r, a, o, func(rs ResourceServer) string { o.rs = rs; return rs.ID },
			func(c context.Context) (ResourceServer, error) {
				return r.c.CreateResourceServer(c, ResourceServer{Name: s.APIName, Identifier: s.APIIdentifier, SigningAlg: s.SigningAlg, Scopes: rsScopes(r.p.ID)})
			},
			func(c context.Context) (ResourceServer, error) { return r.c.FindResourceServer(c, s.APIIdentifier) })
	}
	scopes := slices.Clone(r.st.rs.Scopes)
	for _, want := range rsScopes(r.p.ID) {
		if !slices.ContainsFunc(scopes, func(x Scope) bool { return x.Value == want.Value }) {
			scopes = append(scopes, want)
		}
	}
	rs, err := r.c.UpdateResourceServer(actx, a.ExistingID, ResourceServer{Name: r.st.rs.Name, Scopes: scopes})
	if err != nil {
		return err // the Client names what it tried
	}
	o.id, o.verb = orID(rs.ID, a.ExistingID), Update
	o.rs = rs
	if o.rs.SigningAlg == "" {
		o.rs.SigningAlg, o.rs.SigningSecret = r.st.rs.SigningAlg, r.st.rs.SigningSecret
	}
	return nil
}

func orID(id, fallback string) string {
	if id == "" {
		return fallback
	}
	return id
}

func (r *run) client(actx, ctx context.Context, a Action, o *outcome) error {
	s := r.s
	switch a.Verb {
	case Reuse:
		app, err := r.c.GetClient(actx, a.ExistingID)
		if err != nil {
			return err // the Client names what it tried
		}
		o.app, o.id, o.verb = app, app.ClientID, Reuse
	case Update:
		app, err := r.c.UpdateClient(actx, a.ExistingID, App{Name: s.AppName, AppType: s.AppType, TokenEndpointAuthMethod: s.TokenEndpointAuthMethod,
			GrantTypes: union(r.st.app.GrantTypes, s.GrantTypes), Callbacks: union(r.st.app.Callbacks, appCallbacks(s))})
		if err != nil {
			return err // the Client names what it tried
		}
		if app.ClientSecret == "" {
			if app, err = r.c.GetClient(actx, a.ExistingID); err != nil {
				return err // the Client names what it tried
			}
		}
		o.app, o.id, o.verb = app, orID(app.ClientID, a.ExistingID), Update
	default:
		app, verb, err := create(actx, ctx, r, a,
			func(c context.Context) (App, error) {
				return r.c.CreateClient(c, App{Name: s.AppName, AppType: s.AppType, TokenEndpointAuthMethod: s.TokenEndpointAuthMethod,
					GrantTypes: slices.Clone(s.GrantTypes), Callbacks: appCallbacks(s), Metadata: map[string]string{MarkerKey: MarkerValue}})
			},
			func(c context.Context) (App, error) {
				app, err := r.c.FindClient(c, s.AppName)
				if err == nil && !app.Marked() {
					return App{}, fmt.Errorf("application %s: %w", s.AppName, ErrNotFound)
				}
				return app, err
			})
		if err != nil {
			return err // the Client names what it tried
		}
		if app.ClientSecret == "" {
			full, err := r.c.GetClient(actx, app.ClientID)
			if err != nil {
				return err // the Client names what it tried
			}
			app = full
		}
		o.app, o.id, o.verb, o.created = app, app.ClientID, verb, verb == Create
	}
	return nil
}

func (r *run) clientGrant(actx, ctx context.Context, a Action, o *outcome) error {
	s := r.s
	clientID := r.out["client"].app.ClientID
	want := grantScopes(r.p.ID)
	switch a.Verb {
	case Reuse:
		o.id, o.verb = a.ExistingID, Reuse
	case Update:
		g, err := r.c.UpdateClientGrant(actx, a.ExistingID, union(r.st.grant.Scope, want))
		if err != nil {
			return err // the Client names what it tried
		}
		o.id, o.verb = orID(g.ID, a.ExistingID), Update
	default:
		g, verb, err := create(actx, ctx, r, a,
			func(c context.Context) (ClientGrant, error) {
				return r.c.CreateClientGrant(c, ClientGrant{ClientID: clientID, Audience: s.APIIdentifier, Scope: want})
			},
			func(c context.Context) (ClientGrant, error) { return r.c.FindClientGrant(c, clientID, s.APIIdentifier) })
		if err != nil {
			return err // the Client names what it tried
		}
		if m := missingStrings(want, g.Scope); verb == Reuse && len(m) > 0 {
			if g, err = r.c.UpdateClientGrant(actx, g.ID, union(g.Scope, want)); err != nil {
				return err // the Client names what it tried
			}
			verb = Update
		}
		o.id, o.verb, o.created = g.ID, verb, verb == Create
	}
	return nil
}

func (r *run) connection(actx, ctx context.Context, a Action, o *outcome) error {
	s := r.s
	return createOrReuse(actx, ctx, r, a, o, func(c Connection) string { return c.ID },
		func(c context.Context) (Connection, error) {
			return r.c.CreateConnection(c, Connection{Name: s.ConnectionName, Strategy: "auth0"})
		},
		func(c context.Context) (Connection, error) { return r.c.FindConnection(c, s.ConnectionName) })
}

func (r *run) connectionClient(actx, ctx context.Context, a Action, o *outcome) error {
	connID, clientID := r.out["connection"].id, r.out["client"].app.ClientID
	o.id = connID
	if a.Verb == Reuse {
		o.verb = Reuse
		return nil
	}
	var err error
	for attempt := 1; attempt <= maxCreateAttempts; attempt++ {
		// Enabling is idempotent: an unknown outcome is simply sent again.
		if err = r.c.SetConnectionClient(actx, connID, clientID, true); err == nil || !isUncertain(err) || actx.Err() != nil {
			break
		}
		if attempt < maxCreateAttempts {
			wait := r.backoff * time.Duration(attempt)
			emit(ctx, r.events, Event{Action: a.ID, Kind: EventRetrying, Attempt: attempt + 1, Wait: wait, Message: "the outcome was unknown: sending it again"})
			if err = sleep(actx, wait); err != nil {
				break
			}
		}
	}
	if err != nil {
		return err // the Client names what it tried
	}
	o.verb = Update
	return nil
}

func (r *run) user(actx, ctx context.Context, a Action, o *outcome) error {
	s := r.s
	return createOrReuse(actx, ctx, r, a, o, func(u User) string { return u.ID },
		func(c context.Context) (User, error) {
			return r.c.CreateUser(c, User{Email: s.UserEmail, Password: s.UserPassword, Connection: s.ConnectionName})
		},
		func(c context.Context) (User, error) { return r.c.FindUser(c, s.ConnectionName, s.UserEmail) })
}

// tokens mints the test token by client credentials (both playbooks) and,
// for azure when the application allows the password-realm grant, logs the
// test user in; both at once.
func (r *run) tokens(ctx context.Context, res *Result) error {
	const id = "token"
	s := r.s
	app := r.out["client"].app
	actx, cancel := r.actionContext(ctx, id)
	defer cancel()
	start := time.Now()
	emit(ctx, r.events, Event{Action: id, Kind: EventStarted, Message: "test token for " + s.APIIdentifier})

	userToken := r.p.ID == Azure && slices.Contains(app.GrantTypes, GrantPasswordRealm) && s.UserPassword != ""
	switch {
	case r.p.ID != Azure || userToken:
	case s.UserPassword == "":
		res.UserTokenNote = "the user login was not attempted: no password was given for " + s.UserEmail
	default:
		res.UserTokenNote = "the user login was not attempted: the application does not allow the password-realm grant (" + GrantPasswordRealm + ")"
	}
	var (
		wg       sync.WaitGroup
		cc, ut   TokenCheck
		cer, uer error
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		cc, cer = r.c.ClientCredentialsToken(actx, app.ClientID, app.ClientSecret, s.APIIdentifier)
	}()
	if userToken {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ut, uer = r.c.PasswordRealmToken(actx, app.ClientID, app.ClientSecret, s.ConnectionName, s.UserEmail, s.UserPassword, s.APIIdentifier)
		}()
	}
	wg.Wait()

	var errs []error
	res.Token = cc
	if cer != nil {
		res.Token = TokenCheck{Reason: cer.Error()}
		errs = append(errs, fmt.Errorf("mint a test token for %s by client credentials: %w", s.APIIdentifier, cer))
	} else if !cc.Verified {
		errs = append(errs, fmt.Errorf("the test token for %s did not verify: %s", s.APIIdentifier, cc.Reason))
	}
	if userToken {
		if uer != nil {
			ut = TokenCheck{Reason: uer.Error()}
			errs = append(errs, fmt.Errorf("log user %s in through %s (password-realm): %w", s.UserEmail, s.ConnectionName, uer))
		} else if !ut.Verified {
			errs = append(errs, fmt.Errorf("the user token for %s did not verify: %s", s.UserEmail, ut.Reason))
		}
		res.UserToken = &ut
	}
	if err := errors.Join(errs...); err != nil {
		emit(ctx, r.events, Event{Action: id, Kind: EventFailed, Message: err.Error(), Duration: time.Since(start)})
		return err
	}
	msg := "verified against " + cc.KeySource
	if userToken {
		msg += "; user login ok"
	} else if res.UserTokenNote != "" {
		msg += "; " + res.UserTokenNote
	}
	emit(ctx, r.events, Event{Action: id, Kind: EventDone, Duration: time.Since(start), Message: msg})
	return nil
}

// teardownOrder is the reverse dependency order teardown deletes in.
var teardownOrder = []ResourceKind{KindUser, KindConnectionClient, KindConnection, KindClientGrant, KindClient, KindResourceServer}

// Teardown deletes, in reverse dependency order, only what the journal says
// this tool created (a create whose answer was lost is looked up first), and
// turns off a connection it enabled for an application; a resource already
// gone counts as deleted. Each entry leaves the journal as it is handled, so
// a second Teardown is a no-op. Reused resources are never touched.
func (e *Engine) Teardown(ctx context.Context, j *Journal, events chan<- Event) error {
	entries := j.entries()
	slices.SortStableFunc(entries, func(a, b journalEntry) int {
		return slices.Index(teardownOrder, a.Kind) - slices.Index(teardownOrder, b.Kind)
	})
	var errs []error
	for _, en := range entries {
		if !en.ours() {
			continue
		}
		if ctx.Err() != nil {
			errs = append(errs, fmt.Errorf("teardown stopped: %w", ctx.Err()))
			break
		}
		start := time.Now()
		emit(ctx, events, Event{Action: en.ActionID, Kind: EventStarted, Verb: Delete, ID: en.ID, Message: en.Name})
		actx := WithNotifier(context.WithoutCancel(ctx), func(n RetryNotice) {
			kind := EventRetrying
			if n.RateLimited {
				kind = EventWaiting
			}
			emit(ctx, events, Event{Action: en.ActionID, Kind: kind, Attempt: n.Attempt, Wait: n.Wait, Message: n.Reason})
		})
		err := e.undo(actx, en)
		if errors.Is(err, ErrNotFound) {
			err = nil
		}
		if err == nil {
			err = j.remove(en.ActionID)
		}
		if err != nil {
			err = fmt.Errorf("delete %s %s: %w", strings.ReplaceAll(string(en.Kind), "_", " "), en.Name, err)
			errs = append(errs, err)
			emit(ctx, events, Event{Action: en.ActionID, Kind: EventFailed, Message: err.Error(), Duration: time.Since(start)})
			continue
		}
		emit(ctx, events, Event{Action: en.ActionID, Kind: EventDone, Verb: Delete, ID: en.ID, Duration: time.Since(start), Message: en.Name})
	}
	return errors.Join(errs...)
}

func (e *Engine) undo(ctx context.Context, en journalEntry) error {
	id := en.ID
	if en.Action == journalPending {
		var err error
		if id, err = e.resolvePending(ctx, en); err != nil {
			return err
		}
	}
	switch en.Kind {
	case KindUser:
		return e.c.DeleteUser(ctx, id)
	case KindConnectionClient:
		return e.c.SetConnectionClient(ctx, id, en.Lookup["client_id"], false)
	case KindConnection:
		return e.c.DeleteConnection(ctx, id)
	case KindClientGrant:
		return e.c.DeleteClientGrant(ctx, id)
	case KindClient:
		return e.c.DeleteClient(ctx, id)
	case KindResourceServer:
		return e.c.DeleteResourceServer(ctx, id)
	}
	return fmt.Errorf("unknown kind %q in the journal", en.Kind)
}

// resolvePending finds a resource whose create was sent but not answered.
func (e *Engine) resolvePending(ctx context.Context, en journalEntry) (string, error) {
	l := en.Lookup
	switch en.Kind {
	case KindResourceServer:
		rs, err := e.c.FindResourceServer(ctx, l["identifier"])
		return rs.ID, err
	case KindClient:
		app, err := e.c.FindClient(ctx, l["name"])
		if err == nil && !app.Marked() {
			return "", ErrNotFound
		}
		return app.ClientID, err
	case KindClientGrant:
		g, err := e.c.FindClientGrant(ctx, l["client_id"], l["audience"])
		return g.ID, err
	case KindConnection:
		c, err := e.c.FindConnection(ctx, l["name"])
		return c.ID, err
	case KindUser:
		u, err := e.c.FindUser(ctx, l["connection"], l["email"])
		return u.ID, err
	case KindConnectionClient:
		return en.ID, nil
	}
	return "", fmt.Errorf("unknown kind %q in the journal", en.Kind)
}
