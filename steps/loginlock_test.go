package steps_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// TestTestLoginWaitsForAnotherRunsLogin: two runs share the tool's azure
// application. Run A holds the lock of the application's test login and,
// for it, the temporary password-realm grant. Run B, reusing everything,
// sees the application allowing that grant; it must still take the login's
// lock (and so wait for A), because A takes the grant back when its login
// is done. B took the lock only when its view lacked the grant, so it
// logged in beside A, and its login failed whenever A's take-back came
// first (1 apply in 100 in BenchmarkSameNameRaces).
func TestTestLoginWaitsForAnotherRunsLogin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sb, c := startSandbox(t, sandbox.Options{Seed: 4242})
	s := settings(sb, steps.Azure)
	p, _ := steps.PlaybookByID(steps.Azure)
	j, err := steps.OpenJournal(filepath.Join(t.TempDir(), "j.json"), false)
	if err != nil {
		t.Fatal(err)
	}
	_, res, _, err := applyOnce(ctx, t, c, steps.Azure, s, j)
	if err != nil {
		t.Fatal(err)
	}
	app, err := c.GetClient(ctx, res.ClientID)
	if err != nil || slices.Contains(app.GrantTypes, steps.GrantPasswordRealm) {
		t.Fatalf("after the first run the application allows %v (%v): want no password-realm grant", app.GrantTypes, err)
	}

	// Run A: its login's lock, and the grant it allowed for that login.
	const runA = "00000000000000aa"
	sum := sha256.Sum256([]byte("password_realm\x00" + app.ClientID))
	lock, err := c.CreateResourceServer(ctx, steps.ResourceServer{
		Name:       fmt.Sprintf("auth0-wizard lock (temporary) run %s at %d beat 0", runA, time.Now().Unix()),
		Identifier: "urn:auth0-wizard:lock:" + hex.EncodeToString(sum[:12]),
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateClient(ctx, app.ClientID, steps.App{GrantTypes: append(slices.Clone(app.GrantTypes), steps.GrantPasswordRealm)}); err != nil {
		t.Fatal(err)
	}

	// Run B reuses the setup (a second run on the same journal).
	e := steps.NewEngine(c)
	plan, err := e.Plan(ctx, p, s, j)
	if err != nil {
		t.Fatal(err)
	}
	events := make(chan steps.Event)
	type done struct {
		res steps.Result
		err error
	}
	finished := make(chan done, 1)
	go func() {
		r, err := e.Apply(ctx, p, s, plan, j, events)
		finished <- done{r, err}
	}()
	var waited bool
	for !waited {
		select {
		case ev := <-events:
			waited = ev.Kind == steps.EventWaiting && ev.Action == steps.TokenAction
		case d := <-finished:
			t.Fatalf("run B ended (err %v, user token verified %v) while run A held its test login's lock: it did not wait for it",
				d.err, d.res.UserToken != nil && d.res.UserToken.Verified)
		}
	}
	// A's login is done: it takes the grant back and lets the lock go.
	if _, err := c.UpdateClient(ctx, app.ClientID, steps.App{GrantTypes: app.GrantTypes}); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteResourceServer(ctx, lock.ID); err != nil {
		t.Fatal(err)
	}
	go func() {
		for range events { // B's remaining events
		}
	}()
	d := <-finished
	close(events)
	if d.err != nil {
		t.Fatalf("run B after A's login: %v", d.err)
	}
	if d.res.UserToken == nil || !d.res.UserToken.Verified {
		t.Fatalf("run B's user login: %+v", d.res.UserToken)
	}
	if after, err := c.GetClient(ctx, app.ClientID); err != nil || slices.Contains(after.GrantTypes, steps.GrantPasswordRealm) {
		t.Fatalf("after run B the application allows %v (%v): want the grant taken back", after.GrantTypes, err)
	}
}
