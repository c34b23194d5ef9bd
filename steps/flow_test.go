package steps_test

import (
	"context"
	"strings"
	"testing"

	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// The run flow over a real sandbox: Start hands out the events, Progress
// folds them into one finished row per action and the token, and Wait gives
// the same result Apply would.
func TestStartProgressRows(t *testing.T) {
	t.Parallel()
	for _, p := range steps.Playbooks() {
		t.Run(string(p.ID), func(t *testing.T) {
			t.Parallel()
			sb, c := startSandbox(t, sandbox.Options{})
			e := steps.NewEngine(c)
			s := settings(sb, p.ID)
			ctx := context.Background()
			plan, err := e.Plan(ctx, p, s, nil)
			if err != nil {
				t.Fatal(err)
			}
			prog := steps.NewProgress(plan)
			if f, n := prog.Counts(); f != 0 || n != len(plan.Actions)+1 {
				t.Fatalf("before the run: %d of %d finished, want 0 of %d", f, n, len(plan.Actions)+1)
			}
			run := e.Start(ctx, p, s, plan, nil)
			var lines []string
			for ev := range run.Events {
				prog.Add(ev)
				lines = append(lines, steps.EventLine(ev))
			}
			res, err := run.Wait()
			if err != nil {
				t.Fatalf("run: %v\n%s", err, strings.Join(lines, "\n"))
			}
			for _, r := range prog.Rows() {
				if r.State != steps.RowDone {
					t.Errorf("row %s (%s) is %s, want done", r.Action, r.Label, r.State)
				}
				// Enabling the connection for the application is an update
				// of the connection; every other action makes its resource.
				want := steps.Create
				if r.Action == "connection_client" {
					want = steps.Update
				}
				if r.Action != steps.TokenAction && r.Verb != want {
					t.Errorf("row %s: verb %s on a fresh tenant, want %s", r.Action, r.Verb, want)
				}
			}
			if f, n := prog.Counts(); f != n {
				t.Errorf("after the run: %d of %d finished", f, n)
			}
			if !res.Token.Verified {
				t.Errorf("token not verified: %s", res.Token.Reason)
			}
			var sawSecret bool
			for _, sec := range steps.Report(res, false) {
				for _, kv := range sec.Rows {
					if kv.Value == res.ClientSecret {
						sawSecret = true
					}
				}
			}
			if sawSecret {
				t.Error("Report(reveal=false) shows the client secret")
			}
		})
	}
}
