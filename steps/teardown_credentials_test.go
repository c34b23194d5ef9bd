package steps_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// TestTeardownStopsAtFirstCredentialsFailure: a teardown whose
// management application the tenant refuses (a wrong secret: 401 from the
// token endpoint; a missing scope: 403 from the first delete, the others
// allowed) stops at the
// first refusal instead of trying every resource in turn: one delete is
// attempted, the error wraps ErrCredentials and says that nothing else was
// tried, the tenant and the journal are as they were, and a teardown with
// good credentials then restores the tenant.
func TestTeardownStopsAtFirstCredentialsFailure(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		fault *sandbox.Fault
		bad   bool // a wrong client secret
	}{
		{name: "wrong secret", bad: true},
		{name: "missing scope", fault: &sandbox.Fault{Pattern: "DELETE /api/v2/", Kind: sandbox.FaultAnswer, Status: http.StatusForbidden,
			Message: "Insufficient scope, expected any of: delete:users", ErrorCode: "insufficient_scope"}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			sc := &sandbox.Script{}
			sb, c := startSandbox(t, sandbox.Options{Seed: int64(1300 + i), Script: sc})
			start := newAdmin(t, sb).snapshot()
			j, _ := steps.OpenJournal("", false)
			if _, _, _, err := applyOnce(ctx, t, c, steps.Azure, settings(sb, steps.Azure), j); err != nil {
				t.Fatal(err)
			}
			made, entries := newAdmin(t, sb).snapshot(), len(j.Resources())
			tc2 := c
			if tc.bad {
				tc2 = newClient(t, sb, sb.ClientID, "not-the-secret")
			}
			if tc.fault != nil {
				sc.Add(*tc.fault)
			}
			ch := make(chan steps.Event, 64)
			err := steps.NewEngine(tc2).Teardown(ctx, j, ch)
			close(ch)
			var started int
			for ev := range ch {
				if ev.Kind == steps.EventStarted {
					started++
				}
			}
			if !errors.Is(err, steps.ErrCredentials) || !strings.Contains(err.Error(), "nothing else was tried") {
				t.Fatalf("teardown: %v, want a credentials failure saying nothing else was tried", err)
			}
			if started != 1 {
				t.Errorf("teardown attempted %d deletes after the credentials were refused, want 1", started)
			}
			if sc.Left() != 0 {
				t.Errorf("the scripted 403 was never met")
			}
			if d := snapDiff(made, newAdmin(t, sb).snapshot()); d != "" {
				t.Errorf("the refused teardown changed the tenant:\n%s", d)
			}
			if n := len(j.Resources()); n != entries {
				t.Errorf("the journal holds %d entries after the refused teardown, had %d", n, entries)
			}
			if err := steps.NewEngine(c).Teardown(ctx, j, nil); err != nil {
				t.Fatal(err)
			}
			if d := snapDiff(start, newAdmin(t, sb).snapshot()); d != "" {
				t.Fatalf("teardown with good credentials did not restore the tenant:\n%s", d)
			}
		})
	}
}
