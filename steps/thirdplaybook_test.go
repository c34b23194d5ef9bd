package steps_test

import (
	"context"
	"slices"
	"testing"

	"github.com/auth0-wizard/auth0-wizard/internal/testplaybook"
	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

func TestThirdPlaybookIsData(t *testing.T) {
	t.Parallel()
	p := testplaybook.Kong()
	sb, c := startSandbox(t, sandbox.Options{})
	a := newAdmin(t, sb)
	before := a.snapshot()
	e := steps.NewEngine(c)
	s := p.WithDefaults(steps.Settings{Domain: sb.Domain, ClientID: sb.ClientID, ClientSecret: sb.ClientSecret, Audience: sb.Audience})
	ctx := context.Background()
	j, err := steps.OpenJournal(t.TempDir()+"/kong.journal.json", false)
	if err != nil {
		t.Fatal(err)
	}

	plan, err := e.Plan(ctx, p, s, j)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, act := range plan.Actions {
		ids = append(ids, act.ID+":"+string(act.Verb))
	}
	if want := []string{"api:create", "consumer:create", "consumer_grant:create"}; !slices.Equal(ids, want) {
		t.Fatalf("plan %v, want %v", ids, want)
	}
	res, err := e.Apply(ctx, p, s, plan, j, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Token.Verified || res.Audience != "https://orders.example.com" {
		t.Fatalf("token verified=%v for %q (%s)", res.Token.Verified, res.Audience, res.Token.Reason)
	}
	if got := res.Token.Claims["scope"]; got != "read:orders" {
		t.Errorf("token scope %v, want the grant's read:orders", got)
	}
	if f := p.Gateway.Fields(res, s, false); len(f) != 4 || f[1].Value != res.ClientID || f[2].Value == res.ClientSecret {
		t.Errorf("gateway fields %+v", f)
	}

	// A second plan reuses everything.
	again, err := e.Plan(ctx, p, s, j)
	if err != nil {
		t.Fatal(err)
	}
	for _, act := range again.Actions {
		if act.Verb != steps.Reuse {
			t.Errorf("second plan: %s is %s, want reuse", act.ID, act.Verb)
		}
	}

	for _, r := range e.Doctor(ctx, p, s, steps.DoctorOptions{Journal: j}) {
		if r.Status != steps.CheckPass {
			t.Errorf("doctor %s: %s %s (fix: %s)", r.ID, r.Status, r.Why, r.Fix)
		}
	}

	if err := e.Teardown(ctx, j, nil); err != nil {
		t.Fatal(err)
	}
	if after := a.snapshot(); !slices.Equal(before, after) {
		t.Errorf("teardown left the tenant changed:\nbefore %v\nafter  %v", before, after)
	}
}
