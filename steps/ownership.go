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

// Lock tuning.
const (
	lockPrefix = "urn:auth0-wizard:lock:"
	lockStale  = 2 * time.Minute // a lock older than this was left by a run that died
	lockWait   = 5 * time.Minute // how long a run waits for another's lock (Engine tests shorten it)
)

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
func (r *run) make(actx, ctx context.Context, a Action, k kindDef, d Desired, deps refs, o *outcome) error {
	if k.mark != nil {
		k.mark(&d, r.j.RunID())
	}
	if k.lockKey != nil {
		release, err := r.lock(actx, ctx, a, string(a.Kind)+"\x00"+k.lockKey(d, deps))
		if err != nil {
			return err
		}
		defer release()
		f, err := lookup(actx, func(c context.Context) (resource, error) { return k.find(c, r.env(), d, deps) })
		switch {
		case err == nil:
			if k.marked != nil && !k.marked(f) {
				return k.foreign(d, f)
			}
			return r.settle(actx, a, k, d, deps, o, f, Reuse, "")
		case !errors.Is(err, ErrNotFound):
			return fmt.Errorf("look up %s %s before creating it: %w", k.label, Printable(d.Name), err)
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
// like a lookup.
func (r *run) create(actx, ctx context.Context, a Action, k kindDef, d Desired, deps refs) (resource, Verb, string, error) {
	if err := r.pending(a); err != nil {
		return resource{}, "", "", err
	}
	run := r.j.RunID()
	// ours finds this run's resource under the key after a lost answer.
	ours := func(c context.Context) (resource, string, error) {
		if k.findAll != nil {
			all, err := k.findAll(c, r.env(), d, deps)
			if err != nil {
				return resource{}, "", err
			}
			for _, f := range all {
				if k.runOf(f) == run && run != "" {
					return f, proofMarker, nil
				}
			}
			return resource{}, "", ErrNotFound
		}
		f, err := k.find(c, r.env(), d, deps)
		if err != nil {
			return resource{}, "", err
		}
		proof, err := proveOurs(a.Kind, k, d, f, run)
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
			if ferr == nil {
				return f, Reuse, "", nil
			}
			return resource{}, "", "", fmt.Errorf("%w; looking it up to reuse it failed: %v", err, ferr)
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
				return f, Create, proof, nil
			}
			if !errors.Is(ferr, ErrNotFound) {
				if errors.Is(ferr, ErrForeign) {
					return resource{}, "", "", ferr
				}
				return resource{}, "", "", fmt.Errorf("%w; looking it up to see whether it was made failed: %v", err, ferr)
			}
			if errors.Is(err, ErrConflict) {
				// A conflict, and nothing of ours under the key: it is gone
				// again, or the conflict is on another field.
				return resource{}, "", "", err
			}
			if attempt >= maxCreateAttempts {
				return resource{}, "", "", fmt.Errorf("%w (gave up after %d attempts, none committed)", err, attempt)
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

// lock takes the tenant-wide lock on key for this run and returns its
// release. The lock is a temporary API whose identifier is derived from key:
// Auth0 keeps identifiers unique, so one run holds it at a time; its name
// says which run took it and when, so that a lock left by a run that died is
// broken after lockStale.
func (r *run) lock(actx, ctx context.Context, a Action, key string) (func(), error) {
	sum := sha256.Sum256([]byte(key))
	ident := lockPrefix + hex.EncodeToString(sum[:12])
	run := r.j.RunID()
	deadline := time.Now().Add(r.lockWait)
	held := func(rs ResourceServer) bool { return strings.Contains(rs.Name, " run "+run+" ") }
	for attempt := 1; ; attempt++ {
		name := fmt.Sprintf("auth0-wizard lock (temporary) run %s at %d", run, time.Now().Unix())
		rs, err := r.c.CreateResourceServer(actx, ResourceServer{Name: name, Identifier: ident})
		if err == nil {
			return r.unlock(actx, rs.ID), nil
		}
		if actx.Err() != nil {
			return nil, err
		}
		if !errors.Is(err, ErrConflict) && !isUncertain(err) {
			return nil, fmt.Errorf("take the lock for %s: %w", a.Name, err)
		}
		cur, ferr := lookup(actx, func(c context.Context) (ResourceServer, error) { return r.c.FindResourceServer(c, ident) })
		switch {
		case ferr == nil && held(cur):
			return r.unlock(actx, cur.ID), nil
		case ferr == nil && lockAge(cur.Name) > lockStale:
			// Left by a run that died: break it, then take it.
			if derr := r.c.DeleteResourceServer(actx, cur.ID); derr != nil && !errors.Is(derr, ErrNotFound) && !isUncertain(derr) {
				return nil, fmt.Errorf("break the stale lock %s: %w", ident, derr)
			}
			continue
		case ferr != nil && !errors.Is(ferr, ErrNotFound) && !isUncertain(ferr):
			return nil, fmt.Errorf("read the lock for %s: %w", a.Name, ferr)
		case ferr != nil:
			continue // gone meanwhile (or unreadable for now): try again
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("another auth0-wizard run has held the lock for %s for more than %s (%s); wait for it to end, or, if no run is going on, delete the API %q in the dashboard and run again",
				a.Name, r.lockWait, Printable(cur.Name), ident)
		}
		wait := r.backoff*time.Duration(min(attempt, 8)) + time.Duration(mrand.Int64N(int64(250*time.Millisecond)))
		emit(ctx, r.events, Event{Action: a.ID, Kind: EventWaiting, Wait: wait,
			Message: "another auth0-wizard run is creating it: waiting for that run, then reusing what it made"})
		if err := sleep(actx, wait); err != nil {
			return nil, err
		}
	}
}

// unlock returns the release of a lock: its API deleted, again when the
// answer is lost (a second delete of a gone API is a 204).
func (r *run) unlock(actx context.Context, id string) func() {
	return func() {
		for attempt := 1; attempt <= maxCreateAttempts; attempt++ {
			err := r.c.DeleteResourceServer(context.WithoutCancel(actx), id)
			if err == nil || errors.Is(err, ErrNotFound) || !isUncertain(err) {
				return
			}
		}
	}
}

// lockAge is how old the lock named name is (0 when the name says nothing).
func lockAge(name string) time.Duration {
	i := strings.LastIndex(name, " at ")
	if i < 0 {
		return 0
	}
	sec, err := strconv.ParseInt(name[i+4:], 10, 64)
	if err != nil {
		return 0
	}
	return time.Since(time.Unix(sec, 0))
}
