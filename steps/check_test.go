package steps_test

import (
	"context"
	"strings"
	"testing"

	"github.com/auth0-wizard/auth0-wizard/auth0client"
	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// Check's errors say what went wrong, with the domain or the client, before
// anything is changed.
func TestCheckErrors(t *testing.T) {
	t.Parallel()
	sb, _ := startSandbox(t, sandbox.Options{Seed: 6})
	p, _ := steps.PlaybookByID(steps.WSO2)

	t.Run("wrong secret", func(t *testing.T) {
		c := newClient(t, sb, sb.ClientID, "not-the-secret")
		s := settings(sb, steps.WSO2)
		_, err := steps.NewEngine(c).Check(context.Background(), p, s)
		if err == nil || !strings.Contains(err.Error(), sb.ClientID) {
			t.Fatalf("err = %v", err)
		}
		t.Log(err)
	})
	t.Run("unreachable", func(t *testing.T) {
		addr := "127.0.0.1:1" // a privileged port nothing listens on (another test's free port could be taken)
		c, err := auth0client.New(auth0client.Config{Domain: addr, ClientID: "x", ClientSecret: "y"})
		if err != nil {
			t.Fatal(err)
		}
		s := steps.WithDefaults(steps.Settings{Playbook: steps.WSO2, Domain: addr, ClientID: "x", ClientSecret: "y"})
		_, err = steps.NewEngine(c).Check(context.Background(), p, s)
		if err == nil || !strings.Contains(err.Error(), addr) {
			t.Fatalf("err = %v", err)
		}
		t.Log(err)
	})
}
