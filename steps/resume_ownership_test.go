package steps_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// TestResumedPendingApplicationIsFoundByItsMarker: a run's create of the
// application was committed and its answer lost, and the look-up after it
// failed, so the journal keeps it pending. Meanwhile another run of this
// tool made an application of the same name, and the look-up by name
// (clients/search) answers with that one only. The resumed run finds its
// own by its run marker among every application of the name, records it as
// created (so teardown removes it and its secret), and leaves the other
// run's alone: nothing is orphaned, nothing foreign adopted.
func TestResumedPendingApplicationIsFoundByItsMarker(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := lostApplicationCreate(ctx, t, 1320)
	sb, sc, c, start, e, j, path := r.sb, r.sc, r.c, r.start, r.e, r.j, r.path
	s := settings(sb, steps.WSO2)
	apps, err := c.FindClients(ctx, s.AppName)
	if err != nil || len(apps) != 1 || apps[0].Metadata[steps.RunKey] != j.RunID() {
		t.Fatalf("the committed application: %+v, %v", apps, err)
	}
	ours := apps[0].ClientID

	// Another run's application of the same name, the one a search finds.
	const otherRun = "00000000000000aa"
	theirs, err := c.CreateClient(ctx, steps.App{Name: s.AppName, AppType: "non_interactive",
		Metadata: map[string]string{steps.MarkerKey: steps.MarkerValue, steps.RunKey: otherRun}})
	if err != nil {
		t.Fatal(err)
	}
	sc.Add(sandbox.Fault{Pattern: "GET /api/v2/clients/search", Kind: sandbox.FaultAnswer, Status: http.StatusOK,
		Body: fmt.Sprintf(`{"clients":[{"client_id":%q,"name":%q,"app_type":"non_interactive","client_metadata":{%q:%q,%q:%q}}],"next":""}`,
			theirs.ClientID, s.AppName, steps.MarkerKey, steps.MarkerValue, steps.RunKey, otherRun)})

	p, _ := steps.PlaybookByID(steps.WSO2)
	plan, err := e.Plan(ctx, p, s, j)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Apply(ctx, p, s, plan, j, nil); err != nil {
		t.Fatal(err)
	}
	action, id, _, _ := readJournalFile(t, path).entry(steps.ActClient)
	if action != "created" || id != ours {
		t.Fatalf("the resumed run records the application %s as %q, want its own %s created (the other run's is %s)", id, action, ours, theirs.ClientID)
	}
	if err := e.Teardown(ctx, j, nil); err != nil {
		t.Fatal(err)
	}
	after := newAdmin(t, sb).snapshot()
	if n := count(after, "client", theirs.ClientID); n != 1 {
		t.Errorf("teardown removed the other run's application %s", theirs.ClientID)
	}
	if n := count(after, "client", ours); n != 0 {
		t.Errorf("teardown left this run's own application %s behind", ours)
	}
	if err := c.DeleteClient(ctx, theirs.ClientID); err != nil {
		t.Fatal(err)
	}
	if d := snapDiff(start, newAdmin(t, sb).snapshot()); d != "" {
		t.Fatalf("the tenant is not as it was:\n%s", d)
	}
}

// TestGrantBetweenAnotherRunsResourcesIsNotAdopted: run 1 made the API,
// the application and their grant; the grant is gone since. Run 2, with
// the same names, reuses run 1's API and application and creates the
// grant; the create is committed and its answer lost. The grant found then
// matches every field run 2 sent, but what it is between is not run 2's:
// nothing proves run 2 made it, so it is recorded as reused, not created,
// and run 2's teardown leaves it (run 1's removes it with its application).
func TestGrantBetweenAnotherRunsResourcesIsNotAdopted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sc := &sandbox.Script{}
	sb, c := startSandbox(t, sandbox.Options{Seed: 1321, Script: sc})
	start := newAdmin(t, sb).snapshot()
	j1, _ := steps.OpenJournal("", false)
	if _, _, _, err := applyOnce(ctx, t, c, steps.WSO2, settings(sb, steps.WSO2), j1); err != nil {
		t.Fatal(err)
	}
	for _, r := range j1.Resources() {
		if r.Kind == steps.KindClientGrant {
			if err := c.DeleteClientGrant(ctx, r.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	e, j2, path, _, _, _, err := applyWithJournal(ctx, t, sb, sc, c, steps.WSO2, nil, []sandbox.Fault{
		{Pattern: "POST /api/v2/client-grants", Kind: sandbox.FaultCommitted502},
	})
	if err != nil {
		t.Fatal(err)
	}
	jf := readJournalFile(t, path)
	for _, a := range []string{steps.ActResourceServer, steps.ActClient} {
		if action, _, _, _ := jf.entry(a); action != "reused" {
			t.Fatalf("run 2 records %s as %q: the setup did not make it reuse run 1's", a, action)
		}
	}
	if action, _, proof, _ := jf.entry(steps.ActClientGrant); action != "reused" {
		t.Fatalf("run 2 records the grant between run 1's application and API as %q (proof %q), want reused", action, proof)
	}
	if err := e.Teardown(ctx, j2, nil); err != nil {
		t.Fatal(err)
	}
	if n := count(newAdmin(t, sb).snapshot(), "client_grant", ""); n == count(start, "client_grant", "") {
		t.Fatal("run 2's teardown deleted the grant it could not prove its own")
	}
	if err := steps.NewEngine(c).Teardown(ctx, j1, nil); err != nil {
		t.Fatal(err)
	}
	if d := snapDiff(start, newAdmin(t, sb).snapshot()); d != "" {
		t.Fatalf("run 1's teardown did not restore the tenant:\n%s", d)
	}
}
