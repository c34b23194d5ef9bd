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
	res     resource // as the tenant holds it (a client with its secret)
	verb    Verb     // what this run did
	created bool     // the journal keeps it as created
	proof   string   // how a create was proven this run's
	err     error
}

// run is one Apply.
type run struct {
	c       Client
	wso2    WSO2Client
	backoff time.Duration
	// lockWait and lockStale time the tenant-wide locks (ownership.go).
	lockWait, lockStale time.Duration
	p                   Playbook
	s                   Settings
	plan                Plan
	st                  *planState
	j                   *Journal
	events              chan<- Event
	out                 map[string]*outcome
	want                map[string]Desired
	// slots bounds how many actions run at once (nil: no bound).
	slots chan struct{}
}

// applyOptions tune one apply: maxActions bounds how many actions run at
// once (0: every action whose dependencies are done), so that a run of
// many actions (a class's kits) does not meet a rate limit with all of
// them at the same instant.
type applyOptions struct {
	maxActions int
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
	r, res, err := e.apply(ctx, p, s, plan, j, events, applyOptions{})
	if err != nil {
		return res, err
	}
	if err := r.tokens(ctx, &res); err != nil {
		return res, err
	}
	return res, nil
}

// apply carries the plan's actions out (see Apply) and returns the run, for
// the tokens that follow.
func (e *Engine) apply(ctx context.Context, p Playbook, s Settings, plan Plan, j *Journal, events chan<- Event, o applyOptions) (*run, Result, error) {
	s = p.WithDefaults(s)
	if err := p.validate(s, true); err != nil {
		return nil, Result{}, err
	}
	if j == nil {
		j, _ = OpenJournal("", false)
	}
	domain := domainHost(s.Domain)
	if plan.state == nil || plan.Playbook != p.ID || plan.Domain != domain {
		var err error
		if plan, err = e.Plan(ctx, p, s, j); err != nil {
			return nil, Result{}, err
		}
	} else if _, err := e.ensureChecked(ctx, p, s); err != nil {
		return nil, Result{}, err
	}
	_, want := wants(p, s, plan.Endpoints, domain)
	for _, a := range plan.Actions {
		if u := want[a.ID].User; a.Kind == KindUser && a.Verb == Create && u.Password == "" {
			return nil, Result{}, fmt.Errorf("user %s does not exist in %s yet and no password was given for it: a password is needed to create the test user", u.Email, u.Connection)
		}
	}
	if err := j.begin(p, domain, s); err != nil {
		return nil, Result{}, err
	}
	r := &run{c: e.c, wso2: e.wso2, backoff: e.backoff, lockWait: e.lockWait, lockStale: e.lockStale, p: p, s: s, plan: plan, st: plan.state, j: j, events: events, out: map[string]*outcome{}, want: want}
	if o.maxActions > 0 {
		r.slots = make(chan struct{}, o.maxActions)
	}
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

	res := Result{Playbook: p.ID, Domain: domain, Endpoints: plan.Endpoints, Audience: p.want(KindResourceServer, s).ResourceServer.Identifier, JournalPath: j.Path()}
	var errs []error
	for _, a := range plan.Actions {
		o := r.out[a.ID]
		switch {
		case o.err == nil:
			if kinds[a.Kind].inResult {
				res.Resources = append(res.Resources, Resource{Kind: a.Kind, ID: o.res.id, Name: a.Name, Action: o.verb.Past()})
			}
		case errors.Is(o.err, errNotStarted):
		default:
			errs = append(errs, o.err)
		}
	}
	if o := r.outOfKind(KindClient); o != nil && o.err == nil {
		res.ClientID, res.ClientSecret = o.res.app.ClientID, o.res.app.ClientSecret
	}
	if o := r.outOfKind(KindResourceServer); o != nil && o.err == nil {
		res.APISigningAlg, res.APISigningSecret = o.res.rs.SigningAlg, o.res.rs.SigningSecret
	}
	if o := r.outOfKind(KindWSO2Application); o != nil {
		// The application WSO2's connector made holds the keys.
		res.WSO2 = &WSO2Result{URL: s.APIMURL, ApplicationID: o.res.id}
		if km := r.outOfKind(KindWSO2KeyManager); km != nil {
			res.WSO2.KeyManagerID = km.res.id
		}
		if o.err == nil {
			res.ClientID, res.ClientSecret = o.res.keys.ConsumerKey, o.res.keys.ConsumerSecret
		}
	}
	if ctx.Err() != nil {
		errs = append(errs, fmt.Errorf("apply stopped before it finished (the journal %s lets a new apply resume): %w", orMemory(j.Path()), ctx.Err()))
		return r, res, errors.Join(errs...)
	}
	if len(errs) > 0 {
		return r, res, errors.Join(errs...)
	}
	return r, res, nil
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
	if r.slots != nil {
		select {
		case r.slots <- struct{}{}:
			defer func() { <-r.slots }()
		case <-ctx.Done():
			o.err = errNotStarted
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
	err := r.do(actx, ctx, a, o)
	if err == nil {
		o.created = o.created || r.st.ours[a.ID]
		err = r.journal(a, o)
	}
	if err != nil {
		o.err = err
		emit(ctx, r.events, Event{Action: a.ID, Kind: EventFailed, Message: err.Error(), Duration: time.Since(start)})
		return
	}
	emit(ctx, r.events, Event{Action: a.ID, Kind: EventDone, Verb: o.verb, ID: o.res.id, Duration: time.Since(start), Message: a.Name})
}

// wso2Token has WSO2 generate an application token for the application's
// keys and verifies it against the tenant: its audience, and that it was
// issued to the application WSO2's connector made.
func (r *run) wso2Token(ctx context.Context, app resource, audience string) (TokenCheck, error) {
	if r.wso2 == nil {
		return TokenCheck{}, errors.New("no WSO2 client: the token cannot be generated through WSO2")
	}
	tok, err := r.wso2.GenerateToken(ctx, app.id, app.keys, []string{WSO2Scope})
	if err != nil {
		return TokenCheck{}, fmt.Errorf("generate a token through WSO2 for application %s: %w", Printable(app.wapp.Name), err)
	}
	check, err := r.c.VerifyToken(ctx, tok.AccessToken, audience, app.keys.ConsumerKey)
	if err != nil {
		return check, fmt.Errorf("verify the token WSO2 generated: %w", err)
	}
	return check, nil
}

// env is what the resource model's functions work through.
func (r *run) env() env { return env{Client: r.c, wso2: r.wso2} }

// outOfKind is the outcome of the plan's first action of a kind (nil if none).
func (r *run) outOfKind(k ResourceKind) *outcome {
	for _, a := range r.plan.Actions {
		if a.Kind == k {
			return r.out[a.ID]
		}
	}
	return nil
}

// refs are the resources the action depends on, as this run made or found
// them.
func (r *run) refs(a Action) refs {
	out := refs{}
	for _, d := range a.DependsOn {
		for _, b := range r.plan.Actions {
			if b.ID == d && r.out[d] != nil && r.out[d].err == nil {
				out[b.Kind] = r.out[d].res
			}
		}
	}
	return out
}

// lookupKeys are what an action's reuse rule needs, kept in the journal.
func (r *run) lookupKeys(a Action) map[string]string {
	return kinds[a.Kind].lookupKeys(r.want[a.ID], r.refs(a))
}

func (r *run) journal(a Action, o *outcome) error {
	action := o.verb.Past()
	if o.created {
		action = kinds[a.Kind].doneVerb.Past()
	}
	proof := o.proof
	if o.created && proof == "" {
		proof = proofJournal
	}
	if err := r.j.record(journalEntry{ActionID: a.ID, Kind: a.Kind, ID: o.res.id, Name: a.Name, Action: action,
		DependsOn: a.DependsOn, Lookup: r.lookupKeys(a), Proof: proof}); err != nil {
		return err
	}
	if a.Kind == KindClient {
		return r.j.setSecret(clientSecretKey(a.ID), o.res.app.ClientSecret)
	}
	return nil
}

// pending records that a create is about to be sent.
func (r *run) pending(a Action) error {
	if en, ok := r.j.entry(a.ID); ok && en.Action == kinds[a.Kind].doneVerb.Past() {
		// Created earlier and gone since: keep the entry until this create
		// is answered; teardown of a gone resource is a no-op.
		en.Action = journalPending
		en.ID = ""
		return r.j.record(en)
	}
	return r.j.record(journalEntry{ActionID: a.ID, Kind: a.Kind, Name: a.Name, Action: journalPending,
		DependsOn: a.DependsOn, Lookup: r.lookupKeys(a)})
}

// lookup runs a reuse-rule lookup once: the Client has already retried a
// read as far as its retry policy allows (sending it again here would
// multiply the budgets).
func lookup[T any](actx context.Context, find func(context.Context) (T, error)) (T, error) {
	return find(actx)
}

// do runs one action by its kind's entry in the resource model: reuse what
// was found, update it, or make it (see create).
func (r *run) do(actx, ctx context.Context, a Action, o *outcome) error {
	k, err := kindOf(a.Kind)
	if err != nil {
		return err
	}
	d, deps := r.want[a.ID], r.refs(a)
	found := r.st.found[a.ID]
	switch a.Verb {
	case Reuse:
		o.res, o.verb = found, Reuse
		if k.reuse != nil {
			if o.res, err = k.reuse(actx, r.env(), found); err != nil {
				return err // the Client names what it tried
			}
		}
	case Update:
		if _, ok := r.st.found[a.ID]; !ok {
			// Nothing found to update: the kind makes it by an update
			// (a connection enabled for the application).
			return r.make(actx, ctx, a, k, d, deps, o)
		}
		if o.res, err = k.update(actx, r.env(), d, found, deps); err != nil {
			return err // the Client names what it tried
		}
		o.verb = Update
	default:
		return r.make(actx, ctx, a, k, d, deps, o)
	}
	return nil
}

func orID(id, fallback string) string {
	if id == "" {
		return fallback
	}
	return id
}

// tokens mints the test token for the playbook's application and API (by
// client credentials, or through WSO2 when WSO2 made the application) and,
// when the playbook makes a user, logs that user in; both at once.
func (r *run) tokens(ctx context.Context, res *Result) error {
	var app App
	if o := r.outOfKind(KindClient); o != nil {
		app = o.res.app
	}
	var wapp *resource
	if o := r.outOfKind(KindWSO2Application); o != nil {
		app = App{ClientID: o.res.keys.ConsumerKey, GrantTypes: o.res.keys.SupportedGrantTypes}
		wapp = &o.res
	}
	var user *User
	if _, ok := r.p.actionOfKind(KindUser); ok {
		u := r.p.want(KindUser, r.s).User
		user = &u
	}
	t := r.testTokens(ctx, TokenAction, app, res.Audience, user, wapp)
	res.Token, res.UserToken, res.UserTokenNote = t.token, t.user, t.note
	if res.WSO2 != nil {
		res.WSO2.Token = t.token
	}
	return t.err
}

// testTokens is what testTokens found for one application.
type testTokens struct {
	token TokenCheck
	user  *TokenCheck
	note  string // why the user login was not attempted
	err   error
}

// testTokens mints and verifies one application's test token and, given a
// user, logs the user in through the password-realm grant (which an
// application of this tool's that lacks it is allowed for that login only:
// least privilege). Its events are the action id's.
func (r *run) testTokens(ctx context.Context, id string, app App, audience string, u *User, wapp *resource) testTokens {
	actx, cancel := r.actionContext(ctx, id)
	defer cancel()
	start := time.Now()
	emit(ctx, r.events, Event{Action: id, Kind: EventStarted, Message: "test token for " + audience})
	// Done (or failed) is said last: after the temporary grant is taken
	// back and the login's lock released, whose retries and waits are the
	// action's too.
	out, login := r.mintTestTokens(actx, ctx, id, app, audience, u, wapp)
	if out.err != nil {
		emit(ctx, r.events, Event{Action: id, Kind: EventFailed, Message: out.err.Error(), Duration: time.Since(start)})
		return out
	}
	msg := "verified against " + out.token.KeySource
	switch {
	case login == loginTemporary && out.note == "":
		msg += "; user login ok (the password-realm grant was allowed for it only)"
	case login != loginNone:
		msg += "; user login ok"
		if out.note != "" {
			msg += "; " + out.note
		}
	case out.note != "":
		msg += "; " + out.note
	}
	emit(ctx, r.events, Event{Action: id, Kind: EventDone, Duration: time.Since(start), Message: msg})
	return out
}

// How a test login went through the password-realm grant.
type loginKind int

const (
	loginNone      loginKind = iota // no user login
	loginAllowed                    // the application allows the grant
	loginTemporary                  // allowed for the login only, and taken back
)

// mintTestTokens gets and verifies the action's test tokens: the
// application's (by client credentials, or through WSO2) and, when there
// is a user with a password, the user's login; for that login it allows
// the password-realm grant for the time of the login only, under the
// login's lock. out.err says what failed; out.note what was not tried, or
// that the grant could not be taken back.
func (r *run) mintTestTokens(actx, ctx context.Context, id string, app App, audience string, u *User, wapp *resource) (out testTokens, login loginKind) {
	fail := func(err error) (testTokens, loginKind) {
		return testTokens{token: TokenCheck{Reason: err.Error()}, err: err}, loginNone
	}
	temporary := false
	if u != nil && u.Password != "" && app.Marked() && app.ClientID != "" {
		// Runs sharing the application must not take the grant back under
		// each other's login: the allow, the login and the take-back hold
		// the tenant-wide lock on it, and what the application allows is
		// read again once it is held. Taken whatever the application was
		// seen to allow before: that view may be from while another run
		// held the grant for its own login, about to take it back.
		release, err := r.lock(actx, ctx, Action{ID: id, Name: "the test login through " + app.Name}, "password_realm\x00"+app.ClientID)
		if err != nil {
			return fail(err)
		}
		defer func() { _ = release() }()
		if cur, err := r.c.GetClient(actx, app.ClientID); err == nil {
			app.GrantTypes = cur.GrantTypes
		}
	}
	if u != nil && u.Password != "" && app.Marked() && app.ClientID != "" && !slices.Contains(app.GrantTypes, GrantPasswordRealm) {
		if err := r.setPasswordRealm(actx, ctx, app, true); err != nil {
			return fail(err)
		}
		app.GrantTypes = union(app.GrantTypes, []string{GrantPasswordRealm})
		temporary = true
		defer func() {
			if err := r.setPasswordRealm(actx, ctx, app, false); err != nil && out.note == "" {
				out.note = "the application still allows the password-realm grant: " + err.Error()
			}
		}()
	}
	userToken := u != nil && slices.Contains(app.GrantTypes, GrantPasswordRealm) && u.Password != ""
	switch {
	case userToken && temporary:
		login = loginTemporary
	case userToken:
		login = loginAllowed
	case u == nil:
	case u.Password == "":
		out.note = "the user login was not attempted: no password was given for " + u.Email
	default:
		out.note = "the user login was not attempted: the application does not allow the password-realm grant (" + GrantPasswordRealm + ")"
	}
	var (
		wg       sync.WaitGroup
		cc, ut   TokenCheck
		cer, uer error
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		if wapp != nil {
			// WSO2 asks its key manager for the token, as a developer's
			// "Generate Access Token" does; the tenant's JWKS checks it.
			cc, cer = r.wso2Token(actx, *wapp, audience)
			return
		}
		cc, cer = r.c.ClientCredentialsToken(actx, app.ClientID, app.ClientSecret, audience)
	}()
	if userToken {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ut, uer = r.c.PasswordRealmToken(actx, app.ClientID, app.ClientSecret, u.Connection, u.Email, u.Password, audience)
		}()
	}
	wg.Wait()

	var errs []error
	out.token = cc
	if cer != nil {
		out.token = TokenCheck{Reason: cer.Error()}
		errs = append(errs, fmt.Errorf("mint a test token for %s by client credentials: %w", audience, cer))
	} else if !cc.Verified {
		errs = append(errs, fmt.Errorf("the test token for %s did not verify: %s", audience, cc.Reason))
	}
	if userToken {
		if uer != nil {
			ut = TokenCheck{Reason: uer.Error()}
			errs = append(errs, fmt.Errorf("log user %s in through %s (password-realm): %w", u.Email, u.Connection, uer))
		} else if !ut.Verified {
			errs = append(errs, fmt.Errorf("the user token for %s did not verify: %s", u.Email, ut.Reason))
		}
		out.user = &ut
	}
	out.err = errors.Join(errs...)
	return out, login
}

// setPasswordRealm allows (or takes back) the password-realm grant of an
// application of this tool's, around the test login; taking it back is
// sent again when its answer is lost (it is idempotent).
func (r *run) setPasswordRealm(actx, ctx context.Context, app App, allow bool) error {
	grants := slices.DeleteFunc(slices.Clone(app.GrantTypes), func(g string) bool { return g == GrantPasswordRealm })
	if allow {
		grants = append(grants, GrantPasswordRealm)
	}
	var err error
	for attempt := 1; attempt <= maxCreateAttempts; attempt++ {
		if _, err = r.c.UpdateClient(context.WithoutCancel(actx), app.ClientID, App{GrantTypes: grants}); err == nil || !isUncertain(err) {
			break
		}
	}
	if err != nil {
		what := "allow"
		if !allow {
			what = "take back"
		}
		return fmt.Errorf("%s the password-realm grant of application %s for the test login: %w", what, app.ClientID, err)
	}
	return nil
}

// Teardown deletes, in reverse dependency order, only what the journal says
// this tool created (a create whose answer was lost is looked up first), and
// turns off a connection it enabled for an application; a resource already
// gone counts as deleted. Each entry leaves the journal as it is handled, so
// a second Teardown is a no-op. Reused resources are never touched. A
// refusal of the credentials themselves (ErrCredentials: a 401 or 403)
// stops it at the first: nothing else is tried.
func (e *Engine) Teardown(ctx context.Context, j *Journal, events chan<- Event) error {
	entries := j.entries()
	slices.SortStableFunc(entries, func(a, b journalEntry) int {
		// The resource model's order, backwards: what depends on another
		// goes first.
		return slices.Index(kindOrder, b.Kind) - slices.Index(kindOrder, a.Kind)
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
		err := e.undo(actx, en, j)
		if errors.Is(err, ErrNotFound) {
			err = nil
		}
		if err == nil {
			err = j.remove(en.ActionID)
		}
		if err != nil {
			err = fmt.Errorf("delete %s %s: %w", strings.ReplaceAll(string(en.Kind), "_", " "), en.Name, err)
			emit(ctx, events, Event{Action: en.ActionID, Kind: EventFailed, Message: err.Error(), Duration: time.Since(start)})
			if errors.Is(err, ErrCredentials) {
				// The tenant refused the management application itself:
				// every other delete would be refused the same way.
				errs = append(errs, fmt.Errorf("%w\nteardown stopped there: the tenant refused the management application's credentials, "+
					"so nothing else was tried and the journal keeps every resource not yet deleted; fix the credentials (or the "+
					"scopes), then run teardown again", err))
				break
			}
			errs = append(errs, err)
			continue
		}
		emit(ctx, events, Event{Action: en.ActionID, Kind: EventDone, Verb: Delete, ID: en.ID, Duration: time.Since(start), Message: en.Name})
	}
	return errors.Join(errs...)
}

// undo deletes what one journal entry records, after checking, for a kind
// with metadata, that the resource is still this run's: an entry whose
// resource now carries another run's marker, or none, is left alone.
func (e *Engine) undo(ctx context.Context, en journalEntry, j *Journal) error {
	run := j.RunID()
	k, err := kindOf(en.Kind)
	if err != nil {
		return fmt.Errorf("%w in the journal", err)
	}
	id := en.ID
	pending := en.Action == journalPending
	if pending {
		// A create whose answer was lost: find what it made.
		l := en.Lookup
		if run != "" {
			l = runMarker(run, l)
		}
		if run != "" && k.owner == nil && k.same != nil && k.findAll == nil {
			// No marker to read: what is under the key is this run's only
			// when every field the run sent matches (the journal's
			// settings say what it sent). A journal of an earlier version
			// (no run id) proves nothing: its pending create is resolved
			// by the key, as that version did.
			if id, err = e.provenPending(ctx, k, en, j); err != nil {
				return err
			}
		} else if id, err = k.resolve(ctx, e.env(), l); err != nil {
			return err
		}
	}
	if k.owner != nil {
		marked, got, err := k.owner(ctx, e.env(), id, en.Lookup)
		if err != nil {
			return err
		}
		// A journal of this version has a run id, and what its run made
		// carries it; an older journal's resources carry the tool's
		// marker at most (an application's).
		switch {
		case pending && run != "" && got != run:
			// The lost create was not made: what holds the key is
			// someone else's, and nothing of this run's is there.
			return ErrNotFound
		case run != "" && got != run:
			why := "it carries no marker of this run"
			if got != "" {
				why = "it carries another run's marker " + got
			}
			return &ForeignResourceError{Kind: en.Kind, Name: en.Name, ID: id, Why: why + ", so it was not deleted"}
		case run == "" && en.Kind == KindClient && !marked:
			return &ForeignResourceError{Kind: en.Kind, Name: en.Name, ID: id, Why: "it carries no marker of auth0-wizard, so it was not deleted"}
		}
	}
	return k.delete(ctx, e.env(), id, en.Lookup)
}

// provenPending finds the resource of a pending entry of a kind without
// metadata and returns its id when every field the run sent matches (as
// the journal's playbook and settings say); ErrNotFound when nothing, or
// someone else's, is under the key.
func (e *Engine) provenPending(ctx context.Context, k kindDef, en journalEntry, j *Journal) (string, error) {
	p, perr := PlaybookByID(j.Playbook())
	s, ok := j.Settings()
	a, aok := p.Action(en.ActionID)
	if perr != nil || !ok || !aok || a.Want == nil {
		// Nothing says what was sent: it cannot be proven, so it is not
		// deleted.
		return "", &ForeignResourceError{Kind: en.Kind, Name: en.Name, Why: "the journal does not say what this run sent, so it cannot be proven this run's and was not deleted"}
	}
	d := a.Want(s)
	r := refs{KindClient: {id: en.Lookup["client_id"]}}
	f, err := k.find(ctx, e.env(), d, r)
	if err != nil {
		return "", err
	}
	proof, err := proveOurs(en.Kind, k, d, f, j.RunID())
	if err == nil && proof == proofFields && k.depsProve {
		// What it is between must be this run's too.
		for _, dep := range en.DependsOn {
			if den, ok := j.entry(dep); !ok || den.Action != kinds[den.Kind].doneVerb.Past() {
				err = ErrForeign
			}
		}
	}
	if err != nil {
		return "", ErrNotFound // someone else's: nothing of this run's is there
	}
	return f.id, nil
}
