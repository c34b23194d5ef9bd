package steps

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Ownership: what this tool may call its own, and how it makes sure.
//
// A run has an identity (its journal's run id). What it creates carries it
// where Auth0 keeps metadata (an application's client_metadata, a
// connection's metadata, a user's app_metadata). A resource is recorded as
// created by this run only when the tenant answered its create, or when,
// after a create whose answer was lost, the resource found under the key
// proves to be this run's: its run marker is this run's id, or, for kinds
// without metadata (APIs, client grants), every field the run sent matches.
// Anything else found there is someone else's: the run stops and names it,
// and teardown never deletes it.
//
// Races between runs of this tool converge: the create of a resource whose
// kind cannot prove it by a marker alone (an application, whose names Auth0
// does not keep unique; an API; a client grant) is made under a lock on the
// tenant, a temporary API whose identifier is derived from the resource's
// key (Auth0 keeps identifiers unique, so one run at a time holds it). The
// holder looks the resource up again before it creates it: a run that waited
// for another finds that run's resource and reuses it.

// Proofs of ownership, kept in the journal.
const (
	proofAnswered = "answered" // the tenant answered the create
	proofMarker   = "marker"   // found after a lost answer, carrying this run's id
	proofFields   = "fields"   // found after a lost answer, every field sent matching
)

// Lock tuning (the defaults; Engine.WithLockTiming sets a run's own).
const (
	lockPrefix = "urn:auth0-wizard:lock:"
	// defaultLockStale: a lock whose heartbeat a waiting run has seen
	// unchanged this long was left by a run that died. The holder beats
	// (renames the lock) every lockStale/lockBeats, so a live run's lock is
	// never taken for dead however long it is held.
	defaultLockStale = 2 * time.Minute
	lockBeats        = 4
	// lockAbandoned: a lock whose name says it last beat longer ago than
	// this is broken at once. The name's time is the holder's clock:
	// compared with another machine's, it is off by their skew, so a
	// recent one is judged by how long this run has seen its beat unchanged.
	lockAbandoned   = 30 * time.Minute
	defaultLockWait = 5 * time.Minute // how long a run waits for another's lock
)

// WithLockTiming returns the engine with its tenant-wide locks timed so: a
// run waits up to wait for another run's lock, and breaks a lock whose
// heartbeat it has seen unchanged for stale (a holder beats every
// stale/4). A zero value keeps the default.
func (e *Engine) WithLockTiming(wait, stale time.Duration) *Engine {
	if wait > 0 {
		e.lockWait = wait
	}
	if stale > 0 {
		e.lockStale = stale
	}
	return e
}

// newRunID returns a fresh run id.
func newRunID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ForeignResourceError says a resource found under the key of a create
// whose answer was lost is not this run's: someone else made it in the
// meantime. The run does not adopt it and teardown leaves it alone.
type ForeignResourceError struct {
	Kind ResourceKind
	Name string
	ID   string
	Why  string
}

// Error says what was found, why it is not ours and what to do.
func (e *ForeignResourceError) Error() string {
	return fmt.Sprintf("%s %s (id %s) appeared in the tenant while this run's create of it went unanswered, and it is not this run's (%s): "+
		"it was not adopted and teardown will not delete it; check who made it, then run again "+
		"(it is then reused as it stands) or choose another name",
		KindLabel(e.Kind), Printable(e.Name), Printable(e.ID), e.Why)
}

// ErrForeign is wrapped by a *ForeignResourceError.
var ErrForeign = errors.New("someone else's resource")

// Unwrap makes errors.Is(err, ErrForeign) true.
func (e *ForeignResourceError) Unwrap() error { return ErrForeign }

// proveOurs decides whether f, found under the key after a create whose
// answer was lost, is this run's; it returns the proof, or the error naming
// someone else's resource.
func proveOurs(k ResourceKind, kd kindDef, d Desired, f resource, run string) (string, error) {
	if kd.runOf != nil {
		if got := kd.runOf(f); got != run || run == "" {
			why := "it carries no run marker of auth0-wizard"
			if got != "" {
				why = "it carries another run's marker " + got
			}
			return "", &ForeignResourceError{Kind: k, Name: d.Name, ID: f.id, Why: why}
		}
		return proofMarker, nil
	}
	if kd.same != nil {
		if diff := kd.same(d, f); diff != "" {
			return "", &ForeignResourceError{Kind: k, Name: d.Name, ID: f.id, Why: diff + " differs from what this run sent"}
		}
		return proofFields, nil
	}
	return "", &ForeignResourceError{Kind: k, Name: d.Name, ID: f.id, Why: "its kind cannot prove who made it"}
}

// make creates the action's resource: under the lock for its key when its
// kind needs one, looked up again first (another run may have made it while
// this one waited), then created safely (see create), completed and, when a
// conflict found one that differs, updated.
func (r *run) make(actx, ctx context.Context, a Action, k kindDef, d Desired, deps refs, o *outcome) (err error) {
	if k.mark != nil {
		k.mark(&d, r.j.RunID())
	}
	if k.lockKey != nil {
		release, lerr := r.lock(actx, ctx, a, string(a.Kind)+"\x00"+k.lockKey(d, deps))
		if lerr != nil {
			return lerr
		}
		defer func() {
			// Released on every way out; a lock left behind fails the
			// action, naming it.
			if rerr := release(); rerr != nil {
				err = errors.Join(err, rerr)
			}
		}()
		f, ferr := lookup(actx, func(c context.Context) (resource, error) { return k.find(c, r.env(), d, deps) })
		switch {
		case ferr == nil:
			if run := r.j.RunID(); k.findAll != nil && k.runOf != nil && run != "" && k.runOf(f) != run {
				if en, ok := r.j.entry(a.ID); ok && en.Action == journalPending {
					// This run's create of it was sent before (its answer
					// lost); the look-up by name found another: this
					// run's own is the one carrying its marker, if any.
					if own, ok := ownByMarker(actx, r.env(), k, d, deps, run); ok {
						f = own
					}
				}
			}
			if k.marked != nil && !k.marked(f) {
				return k.foreign(d, f)
			}
			if run := r.j.RunID(); k.runOf != nil && run != "" && k.runOf(f) == run {
				// This run's own, from a create of it whose answer was
				// lost (the journal kept it pending): created, so that
				// teardown removes it.
				return r.settle(actx, a, k, d, deps, o, f, Create, proofMarker)
			}
			return r.settle(actx, a, k, d, deps, o, f, Reuse, "")
		case !errors.Is(ferr, ErrNotFound):
			return fmt.Errorf("look up %s %s before creating it: %w", k.label, Printable(d.Name), ferr)
		}
	}
	v, verb, proof, err := r.create(actx, ctx, a, k, d, deps)
	if err != nil {
		return err // the Client names what it tried
	}
	return r.settle(actx, a, k, d, deps, o, v, verb, proof)
}

// settle completes a resource made or found by make.
func (r *run) settle(actx context.Context, a Action, k kindDef, d Desired, deps refs, o *outcome, v resource, verb Verb, proof string) error {
	var err error
	if k.finish != nil {
		if v, err = k.finish(actx, r.env(), d, v); err != nil {
			return err // the Client names what it tried
		}
	}
	if verb == Reuse && k.reuse != nil && k.finish == nil {
		if v, err = k.reuse(actx, r.env(), v); err != nil {
			return err
		}
	}
	if verb == Reuse && k.changes != nil && k.update != nil && len(k.changes(d, v)) > 0 {
		if v, err = k.update(actx, r.env(), d, v, deps); err != nil {
			return err // the Client names what it tried
		}
		verb = Update
	}
	if verb == Create {
		verb = k.doneVerb
		o.created = true
	}
	o.res, o.verb, o.proof = v, verb, proof
	return nil
}

// create sends a create and makes it safe to repeat: on an unknown outcome
// (ErrUncertain, a transport error) it looks the resource up and takes it as
// created only when it proves to be this run's (proveOurs), else sends the
// create again (a bounded number of times) when nothing is there; a conflict
// (409) is looked up and reused, or, after an unknown outcome, proven ours
// like a lookup. What another run of this tool made under the key (its run
// marker) is reused, never taken as created: runs converge. What someone else
// made is neither: the run stops naming it, and the journal's pending entry
// is dropped where the key is unique (what holds it is not ours, so this
// run's create was not made, and teardown must not look the key up).
func (r *run) create(actx, ctx context.Context, a Action, k kindDef, d Desired, deps refs) (resource, Verb, string, error) {
	if err := r.pending(a); err != nil {
		return resource{}, "", "", err
	}
	run := r.j.RunID()
	// ours finds this run's resource under the key after a lost answer:
	// its proof, or "" for another run's (reused), or the error naming
	// someone else's.
	ours := func(c context.Context) (resource, string, error) {
		if k.findAll != nil {
			all, err := k.findAll(c, r.env(), d, deps)
			if err != nil {
				return resource{}, "", err
			}
			var other, theirs []resource
			for _, f := range all {
				switch {
				case run != "" && k.runOf(f) == run:
					return f, proofMarker, nil
				case k.marked != nil && k.marked(f):
					other = append(other, f)
				default:
					theirs = append(theirs, f)
				}
			}
			switch {
			case len(other) > 0:
				// Another run of this tool made it meanwhile (without the
				// lock: an older version, or a lock broken as stale).
				return other[0], "", nil
			case len(theirs) > 0 && k.foreign != nil:
				return resource{}, "", k.foreign(d, theirs[0])
			case len(theirs) > 0:
				return resource{}, "", &ForeignResourceError{Kind: a.Kind, Name: d.Name, ID: theirs[0].id, Why: "it carries no run marker of auth0-wizard"}
			}
			return resource{}, "", ErrNotFound
		}
		f, err := k.find(c, r.env(), d, deps)
		if err != nil {
			return resource{}, "", err
		}
		if k.runOf != nil {
			if got := k.runOf(f); got != "" && got != run {
				return f, "", nil // another run's: reused
			}
		}
		proof, err := proveOurs(a.Kind, k, d, f, run)
		if err == nil && proof == proofFields && k.depsProve {
			for _, dep := range a.DependsOn {
				if o := r.out[dep]; o == nil || !o.created && !r.st.ours[dep] {
					// What it is between is not this run's (reused): it
					// matches what was sent, but nothing proves this run
					// made it. Reused, never adopted (teardown leaves it).
					return f, "", nil
				}
			}
		}
		return f, proof, err
	}
	uncertain := false
	for attempt := 1; ; attempt++ {
		v, err := k.create(actx, r.env(), d, deps)
		if err == nil {
			return v, Create, proofAnswered, nil
		}
		if actx.Err() != nil {
			return resource{}, "", "", err
		}
		switch {
		case errors.Is(err, ErrConflict) && !uncertain:
			f, ferr := lookup(actx, func(c context.Context) (resource, error) { return k.find(c, r.env(), d, deps) })
			if ferr != nil {
				return resource{}, "", "", fmt.Errorf("%w; looking it up to reuse it failed: %v", err, ferr) //nolint:errorlint // the look-up's error is told, not wrapped: its ErrNotFound must not make this one a not-found
			}
			// What holds the key is reused as Plan would have reused it:
			// not when it cannot serve (a social connection where a
			// database is wanted) or is someone else's application.
			var uerr error
			if k.unfit != nil {
				uerr = k.unfit(d, f)
			}
			if uerr == nil && k.marked != nil && !k.marked(f) {
				uerr = k.foreign(d, f)
			}
			if uerr != nil {
				return resource{}, "", "", errors.Join(uerr, r.notMade(a, k))
			}
			return f, Reuse, "", nil
		case errors.Is(err, ErrConflict) || isUncertain(err):
			uncertain = true
			var (
				f     resource
				proof string
				ferr  error
			)
			for look := 1; look <= maxLookupAttempts; look++ {
				if f, proof, ferr = ours(actx); ferr == nil || !isUncertain(ferr) || actx.Err() != nil {
					break
				}
			}
			if ferr == nil {
				if proof == "" {
					return f, Reuse, "", nil
				}
				return f, Create, proof, nil
			}
			if !errors.Is(ferr, ErrNotFound) {
				if errors.Is(ferr, ErrForeign) || errors.Is(ferr, ErrUnmarkedClient) {
					return resource{}, "", "", errors.Join(ferr, r.notMade(a, k))
				}
				return resource{}, "", "", fmt.Errorf("%w; looking it up to see whether it was made failed: %v", err, ferr) //nolint:errorlint // as above: only the create's error is wrapped
			}
			if errors.Is(err, ErrConflict) {
				// A conflict, and nothing of ours under the key: it is gone
				// again, or the conflict is on another field.
				return resource{}, "", "", err
			}
			if attempt >= maxCreateAttempts {
				// Each look-up found nothing of it: where the key is unique,
				// the journal keeps no pending create for teardown or a
				// resume to find someone else's under the key later.
				return resource{}, "", "", errors.Join(fmt.Errorf("%w (gave up after %d attempts, none committed)", err, attempt), r.notMade(a, k))
			}
			wait := r.backoff * time.Duration(attempt)
			emit(ctx, r.events, Event{Action: a.ID, Kind: EventRetrying, Attempt: attempt + 1, Wait: wait,
				Message: "the create's outcome was unknown and it was not made: sending it again"})
			if err := sleep(actx, wait); err != nil {
				return resource{}, "", "", err
			}
		default:
			return resource{}, "", "", err
		}
	}
}

// notMade drops the pending entry of a create found not made (someone
// else's resource holds its key, or every look-up after it found nothing),
// for a kind whose key Auth0 keeps unique: teardown, or a resume, would
// otherwise look the key up and find whatever someone makes there later. (An
// application's names are not unique: its pending entry stays, and
// teardown looks it up by this run's marker alone.)
func (r *run) notMade(a Action, k kindDef) error {
	if k.findAll != nil {
		return nil
	}
	if en, ok := r.j.entry(a.ID); !ok || en.Action != journalPending {
		return nil
	}
	if err := r.j.remove(a.ID); err != nil {
		return fmt.Errorf("drop the journal's pending entry of %s: %w", a.Name, err)
	}
	return nil
}

// lock takes the tenant-wide lock on key for this run and returns its
// release. The lock is a temporary API whose identifier is derived from key:
// Auth0 keeps identifiers unique, so one run holds it at a time. Its name
// says which run holds it and its heartbeat: while it is held, the holder
// renames it every lockStale/lockBeats (a new beat number and time), so
// that a run waiting for it tells a live holder from one that died. A lock
// is broken at once when its name says it last beat longer ago than
// lockAbandoned, else once this run has seen the same beat for lockStale
// (clocks of two machines differ; this run's own clock measures that). The
// lock is read by its identifier (GET /resource-servers/{identifier}), the
// tenant as it is, never through a list or search that may lag the create
// it answers a 409 for. A lock whose create may have been made (its answer
// lost) is released on every way out, an error too.
func (r *run) lock(actx, ctx context.Context, a Action, key string) (func() error, error) {
	sum := sha256.Sum256([]byte(key))
	ident := lockPrefix + hex.EncodeToString(sum[:12])
	run := r.j.RunID()
	stale, wait := r.lockStale, r.lockWait
	if stale <= 0 {
		stale = defaultLockStale
	}
	if wait <= 0 {
		wait = defaultLockWait
	}
	deadline := time.Now().Add(wait)
	held := func(rs ResourceServer) bool { return strings.Contains(rs.Name, " run "+run+" ") }
	read := func(c context.Context) (ResourceServer, error) { return r.c.GetResourceServer(c, ident) }
	maybeHeld := false // a create of this run's lock went unanswered
	fail := func(err error) (func() error, error) {
		if maybeHeld {
			// It may be in the tenant: find it and release it, so that no
			// other run waits for it and nothing is left behind.
			cur, ferr := lookup(context.WithoutCancel(actx), read)
			switch {
			case ferr == nil && held(cur):
				err = errors.Join(err, r.unlock(actx, cur.ID)())
			case ferr != nil && !errors.Is(ferr, ErrNotFound):
				err = errors.Join(err, fmt.Errorf("the temporary lock API %q may be left in the tenant (reading it failed: %w): delete it in the dashboard if it is there", ident, ferr))
			}
		}
		return nil, err
	}
	var (
		last    string // the name of the lock last seen held by another run
		waiting bool   // another run holds it: read it until it is gone, then create ours
		first   = map[string]time.Time{}
	)
	// seen is how long this run has seen the lock with that id at that
	// beat (its name).
	seen := func(rs ResourceServer) time.Duration {
		k := rs.ID + "\x00" + rs.Name
		if _, ok := first[k]; !ok {
			first[k] = time.Now()
		}
		return time.Since(first[k])
	}
	for attempt := 1; ; attempt++ {
		if attempt > 1 && time.Now().After(deadline) {
			if last == "" {
				return fail(fmt.Errorf("could not take the lock for %s within %s (the API %q kept conflicting and vanishing, or could not be read): run again", a.Name, wait, ident))
			}
			return fail(fmt.Errorf("another auth0-wizard run has held the lock for %s for more than %s (%s); wait for it to end, or, if no run is going on, delete the API %q in the dashboard and run again",
				a.Name, wait, Printable(last), ident))
		}
		conflicted := false // this round's create met a 409
		if !waiting {
			rs, err := r.c.CreateResourceServer(actx, ResourceServer{Name: lockName(run, 0), Identifier: ident})
			if err == nil {
				return r.hold(actx, rs, run, stale), nil
			}
			if actx.Err() != nil {
				return fail(err)
			}
			if !errors.Is(err, ErrConflict) && !isUncertain(err) {
				return fail(fmt.Errorf("take the lock for %s: %w", a.Name, err))
			}
			if isUncertain(err) {
				maybeHeld = true
			}
			conflicted = errors.Is(err, ErrConflict)
		}
		cur, ferr := lookup(actx, read)
		switch {
		case ferr == nil && held(cur):
			return r.hold(actx, cur, run, stale), nil
		case ferr == nil && (lockAge(cur.Name) > lockAbandoned || seen(cur) > stale):
			// Left by a run that died: break it, then take it. (Its id is
			// that lock's: a second breaker's delete is a 404.)
			if derr := r.c.DeleteResourceServer(actx, cur.ID); derr != nil && !errors.Is(derr, ErrNotFound) && !isUncertain(derr) {
				return fail(fmt.Errorf("break the stale lock %s: %w", ident, derr))
			}
			waiting = false
			continue
		case ferr != nil && !errors.Is(ferr, ErrNotFound) && !isUncertain(ferr):
			return fail(fmt.Errorf("read the lock for %s: %w", a.Name, ferr))
		case ferr != nil:
			// Gone (released meanwhile), or unreadable for now: try to
			// take it. After a 409 that the read does not show (released
			// in between), not at once: a tight loop of creates and reads
			// would spend the tenant's shared rate limit.
			if conflicted {
				if err := sleep(actx, r.backoff+time.Duration(mrand.Int64N(int64(100*time.Millisecond)))); err != nil {
					return fail(err)
				}
			}
			waiting = false
			continue
		}
		// Held by another run: wait, then read it again (a read costs one
		// request of the tenant's shared rate limit; a create that meets
		// a 409 and its read would cost two). Never longer than a beat, so
		// that a beat is not missed for long.
		waiting, last = true, cur.Name
		if time.Now().After(deadline) {
			continue // says so above
		}
		pause := r.backoff*time.Duration(min(attempt, 8)) + time.Duration(mrand.Int64N(int64(250*time.Millisecond)))
		pause = min(pause, stale/lockBeats)
		emit(ctx, r.events, Event{Action: a.ID, Kind: EventWaiting, Wait: pause,
			Message: "another auth0-wizard run is creating it: waiting for that run, then reusing what it made"})
		if err := sleep(actx, pause); err != nil {
			return fail(err)
		}
	}
}

// lockName is the name of a lock held by run at its beat-th heartbeat.
func lockName(run string, beat int) string {
	return fmt.Sprintf("auth0-wizard lock (temporary) run %s at %d beat %d", run, time.Now().Unix(), beat)
}

// hold keeps the lock rs of this run alive, renaming it with a new beat
// every stale/lockBeats, and returns its release: the heartbeat stopped
// (and waited for, so that no rename follows the delete), then the lock
// deleted. A beat that fails is tried again at the next; a lock found gone
// (another run broke it, taking this run for dead) is beaten no more.
func (r *run) hold(actx context.Context, rs ResourceServer, run string, stale time.Duration) func() error {
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		ctx := context.WithoutCancel(actx)
		t := time.NewTicker(stale / lockBeats)
		defer t.Stop()
		for beat := 1; ; beat++ {
			select {
			case <-stop:
				return
			case <-t.C:
			}
			if _, err := r.c.UpdateResourceServer(ctx, rs.ID, ResourceServer{Name: lockName(run, beat)}); errors.Is(err, ErrNotFound) {
				return
			}
		}
	}()
	release := r.unlock(actx, rs.ID)
	var once sync.Once
	return func() error {
		once.Do(func() { close(stop); <-done })
		return release()
	}
}

// unlock returns the release of a lock: its API deleted, again on any
// failure but a 404 (a delete is safe to repeat; a second delete of a gone
// API is a 404 or a 204), a bounded number of times. A lock that could not
// be deleted is an error naming it: it would be left in the tenant.
func (r *run) unlock(actx context.Context, id string) func() error {
	return func() error {
		ctx := context.WithoutCancel(actx)
		var err error
		for attempt := 1; attempt <= maxCreateAttempts; attempt++ {
			if err = r.c.DeleteResourceServer(ctx, id); err == nil || errors.Is(err, ErrNotFound) {
				return nil
			}
			if serr := sleep(ctx, r.backoff*time.Duration(attempt)+time.Duration(mrand.Int64N(int64(100*time.Millisecond)))); serr != nil {
				break
			}
		}
		return fmt.Errorf("the temporary lock API %s could not be deleted (%w): delete it in the dashboard (Applications → APIs, \"auth0-wizard lock\")", id, err)
	}
}

// lockAge is how long ago the lock named name last beat (0 when the name
// says nothing): its time, "at UNIX" (followed by "beat N" since locks
// have a heartbeat).
func lockAge(name string) time.Duration {
	i := strings.LastIndex(name, " at ")
	if i < 0 {
		return 0
	}
	at, _, _ := strings.Cut(name[i+4:], " ")
	sec, err := strconv.ParseInt(at, 10, 64)
	if err != nil {
		return 0
	}
	return time.Since(time.Unix(sec, 0))
}
