package steps_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// With a fifth of the Management API requests failing (503s, dropped
// connections, writes committed and their answers lost) and a rate limit,
// apply completes with no duplicate and no false conflict, and teardown
// still restores the tenant.
func TestApplyUnderFaults(t *testing.T) {
	t.Parallel()
	for _, id := range []steps.PlaybookID{steps.WSO2, steps.Azure} {
		for seed := int64(1); seed <= 3; seed++ {
			t.Run(fmt.Sprintf("%s/seed%d", id, seed), func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				sb, c := startSandbox(t, sandbox.Options{Seed: seed, FailRate: 0.2, RateLimit: 20, Burst: 4})
				adm := newAdmin(t, sb)
				before := adm.snapshot()
				s := settings(sb, id)
				j, _ := steps.OpenJournal(filepath.Join(t.TempDir(), "j.json"), false)
				_, res, evs, err := applyOnce(ctx, t, c, id, s, j)
				if err != nil {
					t.Fatalf("apply under faults: %v", err)
				}
				for _, r := range res.Resources {
					if r.Action != "created" {
						t.Errorf("false conflict or reuse on a fresh tenant: %+v", r)
					}
				}
				if !res.Token.Verified {
					t.Errorf("token: %+v", res.Token)
				}
				after := adm.snapshot()
				if count(after, "client", s.AppName) != 1 || count(after, "resource_server", s.APIIdentifier) != 1 ||
					count(after, "client_grant", " "+s.APIIdentifier+" ") != 1 {
					t.Fatalf("duplicates:\n%s", strings.Join(after, "\n"))
				}
				if id == steps.Azure && (count(after, "connection", s.ConnectionName) != 1 || count(after, "user", s.UserEmail) != 1) {
					t.Fatalf("duplicates:\n%s", strings.Join(after, "\n"))
				}
				retries := 0
				for _, ev := range evs {
					if ev.Kind == steps.EventRetrying || ev.Kind == steps.EventWaiting {
						retries++
					}
				}
				t.Logf("%d retry/wait events", retries)
				if err := steps.NewEngine(c).Teardown(ctx, j, nil); err != nil {
					t.Fatalf("teardown under faults: %v", err)
				}
				if got := adm.snapshot(); !slices.Equal(got, before) {
					t.Fatalf("teardown left:\n%s\n---\n%s", strings.Join(before, "\n"), strings.Join(got, "\n"))
				}
			})
		}
	}
}

// A run cancelled halfway stops after the actions in flight, and a new apply
// with the same journal resumes with no duplicate; teardown then removes
// what both runs made.
func TestCancelledRunResumes(t *testing.T) {
	t.Parallel()
	for _, id := range []steps.PlaybookID{steps.WSO2, steps.Azure} {
		t.Run(string(id), func(t *testing.T) {
			t.Parallel()
			// Every response takes 100 ms, so what is in flight when the
			// run is cancelled is still in flight when the cancel lands.
			sb, c := startSandbox(t, sandbox.Options{Seed: 3, Latency: 100 * time.Millisecond})
			adm := newAdmin(t, sb)
			before := adm.snapshot()
			s := settings(sb, id)
			path := filepath.Join(t.TempDir(), "j.json")
			plan, j := stopAfterFirstStart(t, c, s, path) // the first action is in flight: stop
			mid := adm.snapshot()
			recorded := len(j.Resources())
			made := len(mid) - len(before)
			if recorded == 0 || made != countCreated(j) {
				t.Fatalf("journal (%d entries, %d created) and tenant (%d new) disagree:\n%s", recorded, countCreated(j), made, strings.Join(mid, "\n"))
			}
			if made >= len(plan.Actions) {
				t.Fatalf("nothing was left to resume: %d made", made)
			}

			j2, err := steps.OpenJournal(path, false)
			if err != nil {
				t.Fatal(err)
			}
			_, res, _, err := applyOnce(context.Background(), t, newClient(t, sb, sb.ClientID, sb.ClientSecret), id, s, j2)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Token.Verified {
				t.Error("token not verified after resume")
			}
			after := adm.snapshot()
			if count(after, "client", s.AppName) != 1 || count(after, "resource_server", s.APIIdentifier) != 1 || count(after, "client_grant", " "+s.APIIdentifier+" ") != 1 {
				t.Fatalf("duplicates after resume:\n%s", strings.Join(after, "\n"))
			}
			for _, r := range j2.Resources() {
				if r.Action != "created" && r.Kind != steps.KindConnectionClient {
					t.Errorf("journal after resume: %+v", r)
				}
			}
			if err := steps.NewEngine(c).Teardown(context.Background(), j2, nil); err != nil {
				t.Fatal(err)
			}
			if got := adm.snapshot(); !slices.Equal(got, before) {
				t.Fatalf("teardown left:\n%s", strings.Join(got, "\n"))
			}
		})
	}
}

func countCreated(j *steps.Journal) int {
	n := 0
	for _, r := range j.Resources() {
		if r.Action == "created" {
			n++
		}
	}
	return n
}
