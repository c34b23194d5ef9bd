package steps_test

import (
	"context"
	"strings"
	"testing"

	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// applyWithTakeBackFault applies azure on a fresh sandbox with fault on
// the test login's take-back of the password-realm grant (of the PATCHes
// of the application's grant types, the first allows it, the second takes
// it back).
func applyWithTakeBackFault(t *testing.T, fault sandbox.Fault) (steps.Result, []steps.Event) {
	t.Helper()
	ctx := context.Background()
	sc := &sandbox.Script{}
	sb, c := startSandbox(t, sandbox.Options{Seed: 77, Script: sc})
	fault.Pattern, fault.Skip, fault.Contains = "PATCH /api/v2/clients/{id}", 1, "grant_types"
	_, _, _, _, res, evs, err := applyWithJournal(ctx, t, sb, sc, c, steps.Azure, nil, []sandbox.Fault{fault})
	if err != nil {
		t.Fatal(err)
	}
	return res, evs
}

// TestTestTokenIsDoneLast: the test login's take-back of the temporary
// password-realm grant is part of the token action. Its retry (a 503 on
// the PATCH that takes the grant back) comes before the action's done, not
// after it: a row that said done went back to "retrying" and stayed so
// when nothing followed, and done already said "allowed for it only"
// before the grant was taken back.
func TestTestTokenIsDoneLast(t *testing.T) {
	t.Parallel()
	res, evs := applyWithTakeBackFault(t, sandbox.Fault{Kind: sandbox.FaultUnavailable})
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
	res, evs := applyWithTakeBackFault(t, sandbox.Fault{Kind: sandbox.FaultAnswer, Status: 400, Message: "Payload validation error", ErrorCode: "invalid_body"})
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
