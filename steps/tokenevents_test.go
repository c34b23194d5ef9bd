package steps_test

import (
	"context"
	"strings"
	"testing"

	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// TestTestTokenIsDoneLast: the test login's take-back of the temporary
// password-realm grant is part of the token action. Its retry (a 503 on
// the PATCH that takes the grant back) comes before the action's done, not
// after it: a row that said done went back to "retrying" and stayed so
// when nothing followed, and done already said "allowed for it only"
// before the grant was taken back.
func TestTestTokenIsDoneLast(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sc := &sandbox.Script{}
	sb, c := startSandbox(t, sandbox.Options{Seed: 77, Script: sc})
	_, _, _, _, res, evs, err := applyWithJournal(ctx, t, sb, sc, c, steps.Azure, nil, []sandbox.Fault{
		// the first PATCH allows the grant, the second takes it back
		{Pattern: "PATCH /api/v2/clients/{id}", Skip: 1, Contains: "grant_types", Kind: sandbox.FaultUnavailable},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.UserToken == nil || !res.UserToken.Verified {
		t.Fatalf("user token %+v", res.UserToken)
	}
	var token []steps.Event
	for _, ev := range evs {
		if ev.Action == steps.TokenAction {
			token = append(token, ev)
		}
	}
	if len(token) == 0 {
		t.Fatal("no event of the token action")
	}
	last := token[len(token)-1]
	retried := false
	for _, ev := range token[:len(token)-1] {
		retried = retried || ev.Kind == steps.EventRetrying
	}
	if last.Kind != steps.EventDone || !retried {
		t.Fatalf("the token action's events end with %s %q (a retry before it: %v), want its retry of the take-back, then done", last.Kind, last.Message, retried)
	}
	if !strings.Contains(last.Message, "allowed for it only") {
		t.Fatalf("done says %q", last.Message)
	}
}

// A take-back that fails for good is said in the token's done, which then
// does not claim the grant was allowed for the login only.
func TestTestTokenSaysATakeBackThatFailed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sc := &sandbox.Script{}
	sb, c := startSandbox(t, sandbox.Options{Seed: 78, Script: sc})
	_, _, _, _, res, evs, err := applyWithJournal(ctx, t, sb, sc, c, steps.Azure, nil, []sandbox.Fault{
		{Pattern: "PATCH /api/v2/clients/{id}", Skip: 1, Contains: "grant_types", Kind: sandbox.FaultAnswer, Status: 400,
			Message: "Payload validation error", ErrorCode: "invalid_body"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var done steps.Event
	for _, ev := range evs {
		if ev.Action == steps.TokenAction && ev.Kind == steps.EventDone {
			done = ev
		}
	}
	if strings.Contains(done.Message, "allowed for it only") || !strings.Contains(done.Message, "the application still allows the password-realm grant") {
		t.Fatalf("done says %q after the take-back failed", done.Message)
	}
	if res.UserToken == nil || !res.UserToken.Verified {
		t.Fatalf("user token %+v", res.UserToken)
	}
}
