package steps_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// gatedClient is a management client of the sandbox whose create of one
// API waits until the test opens the gate: a run that holds its lock for
// as long as the test wants. Every call goes to the tenant over HTTP.
type gatedClient struct {
	steps.Client
	identifier string
	entered    chan struct{} // closed when the create reaches the gate
	gate       chan struct{} // closed by the test to let it through
	once       sync.Once
}

func (g *gatedClient) CreateResourceServer(ctx context.Context, rs steps.ResourceServer) (steps.ResourceServer, error) {
	if rs.Identifier == g.identifier {
		g.once.Do(func() { close(g.entered) })
		<-g.gate
	}
	return g.Client.CreateResourceServer(ctx, rs)
}

// lockBeat is the heartbeat number in a lock's name (-1 without one).
func lockBeat(name string) int {
	_, b, ok := strings.Cut(name, " beat ")
	if !ok {
		return -1
	}
	n, err := strconv.Atoi(b)
	if err != nil {
		return -1
	}
	return n
}

// TestLockHeldLongerThanStaleIsNotBroken: run A takes the lock on the API
// and holds it (its create of the API waits at a gate) for several times
// the stale time, beating all along; run B, started meanwhile with the same
// names, waits for it: it never takes A's lock for dead, however long A
// holds it. Once A is let through and releases it, B reuses A's API
// (recorded as reused, not created), one API exists, and no lock is left.
// The test opens the gate once B has waited three stale times by the
// test's clock and the lock has beaten; the outcome does not depend on when.
func TestLockHeldLongerThanStaleIsNotBroken(t *testing.T) {
	t.Parallel()
	const stale = 2 * time.Second
	ctx := context.Background()
	sb, ca := startSandbox(t, sandbox.Options{Seed: 1310})
	cb := newClient(t, sb, sb.ClientID, sb.ClientSecret)
	s := settings(sb, steps.WSO2)
	p, _ := steps.PlaybookByID(steps.WSO2)
	gated := &gatedClient{Client: ca, identifier: s.APIIdentifier, entered: make(chan struct{}), gate: make(chan struct{})}
	ea := steps.NewEngine(gated).WithLockTiming(time.Minute, stale)
	eb := steps.NewEngine(cb).WithLockTiming(time.Minute, stale)
	ja, _ := steps.OpenJournal("", false)
	jb, _ := steps.OpenJournal("", false)
	planA, err := ea.Plan(ctx, p, s, ja)
	if err != nil {
		t.Fatal(err)
	}
	planB, err := eb.Plan(ctx, p, s, jb)
	if err != nil {
		t.Fatal(err)
	}
	var openOnce sync.Once
	open := func() { openOnce.Do(func() { close(gated.gate) }) }
	defer open() // never leave A at the gate, whatever fails
	doneA := make(chan error, 1)
	go func() { _, err := ea.Apply(ctx, p, s, planA, ja, nil); doneA <- err }()
	<-gated.entered // A holds the lock on the API

	ch := make(chan steps.Event)
	doneB := make(chan error, 1)
	go func() {
		_, err := eb.Apply(ctx, p, s, planB, jb, ch)
		close(ch)
		doneB <- err
	}()
	lock := lockIdent(steps.KindResourceServer, s.APIIdentifier)
	var (
		since  time.Time
		opened bool
		beats  = map[int]bool{}
	)
	for ev := range ch {
		if opened || ev.Action != steps.ActResourceServer || ev.Kind != steps.EventWaiting {
			continue
		}
		if since.IsZero() {
			since = time.Now()
		}
		rs, err := cb.GetResourceServer(ctx, lock)
		if err != nil || !strings.Contains(rs.Name, " run "+ja.RunID()+" ") {
			// B broke it: what follows says so (B's events are read on,
			// so that B finishes).
			t.Errorf("while A holds the lock, it is %q (%v), not A's (run %s)", rs.Name, err, ja.RunID())
			opened = true
			open()
			continue
		}
		beats[lockBeat(rs.Name)] = true
		if time.Since(since) > 3*stale && len(beats) >= 3 {
			opened = true
			open()
		}
	}
	switch {
	case since.IsZero():
		t.Error("B never waited for A's lock")
	case !opened:
		t.Errorf("B stopped waiting for A's lock after %s, while A still held it: it took a live lock for dead", time.Since(since).Round(time.Millisecond))
	}
	open() // A goes on
	if err := <-doneB; err != nil {
		t.Fatalf("B: %v", err)
	}
	if err := <-doneA; err != nil {
		t.Fatalf("A: %v", err)
	}
	var a, b steps.Resource
	for _, r := range ja.Resources() {
		if r.Kind == steps.KindResourceServer {
			a = r
		}
	}
	for _, r := range jb.Resources() {
		if r.Kind == steps.KindResourceServer {
			b = r
		}
	}
	if a.Action != "created" || b.Action != "reused" || a.ID != b.ID {
		t.Fatalf("A records the API as %+v, B as %+v: want A's created and B reusing it", a, b)
	}
	after := newAdmin(t, sb).snapshot()
	if n := count(after, "resource_server", " "+s.APIIdentifier+" "); n != 1 {
		t.Errorf("%d APIs %s", n, s.APIIdentifier)
	}
	if n := locksIn(after); n != 0 {
		t.Errorf("%d locks left", n)
	}
}

// TestLockWithoutHeartbeatIsBrokenWhenStale: a lock left by a run that
// died a moment ago (its name's time is now: not abandoned by the clock)
// no longer beats; a run that has seen it unchanged for the stale time
// breaks it and goes on, and no lock is left.
func TestLockWithoutHeartbeatIsBrokenWhenStale(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sb, c := startSandbox(t, sandbox.Options{Seed: 1311})
	s := settings(sb, steps.WSO2)
	p, _ := steps.PlaybookByID(steps.WSO2)
	if _, err := c.CreateResourceServer(ctx, steps.ResourceServer{Identifier: lockIdent(steps.KindResourceServer, s.APIIdentifier),
		Name: fmt.Sprintf("auth0-wizard lock (temporary) run deadbeefdeadbeef at %d beat 3", time.Now().Unix())}); err != nil {
		t.Fatal(err)
	}
	e := steps.NewEngine(c).WithLockTiming(time.Minute, 500*time.Millisecond)
	j, _ := steps.OpenJournal("", false)
	plan, err := e.Plan(ctx, p, s, j)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Apply(ctx, p, s, plan, j, nil); err != nil {
		t.Fatal(err)
	}
	for _, r := range j.Resources() {
		if r.Kind == steps.KindResourceServer && r.Action != "created" {
			t.Errorf("the API is %s, want created once the dead run's lock was broken", r.Action)
		}
	}
	if n := locksIn(newAdmin(t, sb).snapshot()); n != 0 {
		t.Errorf("%d locks left", n)
	}
}
