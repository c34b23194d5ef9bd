package steps_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// stopAfterFirstStart applies s with the journal at path and cancels the run
// as soon as its first action is in flight, as Ctrl+C does.
func stopAfterFirstStart(t *testing.T, c steps.Client, s steps.Settings, path string) (steps.Plan, *steps.Journal) {
	t.Helper()
	return stopWhen(t, c, s, path, func(ev steps.Event) bool { return ev.Kind == steps.EventStarted })
}

// stopWhen runs the playbook of s with the journal at path and cancels the
// run at the first event stop accepts.
func stopWhen(t *testing.T, c steps.Client, s steps.Settings, path string, stop func(steps.Event) bool) (steps.Plan, *steps.Journal) {
	t.Helper()
	p, _ := steps.PlaybookByID(s.Playbook)
	j, err := steps.OpenJournal(path, false)
	if err != nil {
		t.Fatal(err)
	}
	e := steps.NewEngine(c)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	plan, err := e.Plan(ctx, p, s, j)
	if err != nil {
		t.Fatal(err)
	}
	// Unbuffered: the run waits for each event to be read, so nothing
	// after the one that stops it is sent; the run meets the cancel at its
	// next event, whatever the machine's load.
	ch := make(chan steps.Event)
	done := make(chan error, 1)
	go func() {
		_, err := e.Apply(ctx, p, s, plan, j, ch)
		done <- err
	}()
	for ev := range ch {
		if stop(ev) {
			cancel()
			break
		}
	}
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("stopped run: err = %v", err)
	}
	if countCreated(j) == 0 {
		t.Fatal("the stopped run created nothing: nothing to prove")
	}
	return plan, j
}

// A run stopped halfway with its own names (not the defaults) is continued
// by a resume given only the journal and the management secret: the journal
// supplies the tenant, the client ID and every input. Settings that name
// other resources are refused before any change, and the journal keeps its
// record, so teardown still removes everything.
func TestResumeContinuesTheJournalsRun(t *testing.T) {
	t.Parallel()
	for _, id := range []steps.PlaybookID{steps.WSO2, steps.Azure} {
		t.Run(string(id), func(t *testing.T) {
			t.Parallel()
			sb, c := startSandbox(t, sandbox.Options{Seed: 12, Latency: 50 * time.Millisecond})
			adm := newAdmin(t, sb)
			before := adm.snapshot()
			ctx := context.Background()
			p, _ := steps.PlaybookByID(id)

			first := settings(sb, id)
			first.APIIdentifier, first.APIName, first.AppName = "api-two", "API two", "App two"
			first.ConnectionName, first.UserEmail = "Conn-two", "two@example.com"
			path := filepath.Join(t.TempDir(), "j2.json")
			// Stopped once the API is made (not at the first start, where
			// which resources the journal holds depends on timing): the
			// journal records the API, so other names conflict with it.
			stopWhen(t, c, first, path, func(ev steps.Event) bool {
				return ev.Action == steps.ActResourceServer && ev.Kind == steps.EventDone
			})
			recorded, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}

			// The defaults name other resources: refused, journal untouched.
			j, err := steps.OpenJournal(path, false)
			if err != nil {
				t.Fatal(err)
			}
			other := settings(sb, id)
			_, err = steps.NewEngine(c).Plan(ctx, p, other, j)
			var conflict *steps.JournalConflictError
			if !errors.As(err, &conflict) {
				t.Fatalf("plan with other names: err = %v, want a JournalConflictError", err)
			}
			for _, want := range []string{`"api-two"`, `"` + other.APIIdentifier + `"`, "--journal", "teardown --journal " + path} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("conflict error does not name %s:\n%v", want, err)
				}
			}
			if _, err := steps.NewEngine(c).Apply(ctx, p, other, steps.Plan{}, j, nil); !errors.As(err, &conflict) {
				t.Fatalf("apply with other names: err = %v, want a JournalConflictError", err)
			}
			if now, _ := os.ReadFile(path); !bytes.Equal(now, recorded) {
				t.Fatalf("a refused run rewrote the journal:\n%s\n---\n%s", recorded, now)
			}

			// Only the secrets given: the journal fills the rest.
			j, err = steps.OpenJournal(path, false)
			if err != nil {
				t.Fatal(err)
			}
			s := steps.ResumeSettings(steps.Settings{ClientSecret: sb.ClientSecret, UserPassword: first.UserPassword}, j)
			if s.Playbook != id || s.Domain != sb.Domain || s.ClientID != sb.ClientID || s.Audience != sb.Audience ||
				s.APIIdentifier != first.APIIdentifier || s.AppName != first.AppName || s.APIName != first.APIName {
				t.Fatalf("resumed settings = %+v", s)
			}
			if id == steps.Azure && (s.ConnectionName != first.ConnectionName || s.UserEmail != first.UserEmail) {
				t.Fatalf("resumed azure settings = %+v", s)
			}
			_, res, _, err := applyOnce(ctx, t, c, id, steps.WithDefaults(s), j)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Token.Verified || res.Audience != first.APIIdentifier {
				t.Errorf("resumed run: token %v for %s", res.Token.Verified, res.Audience)
			}
			after := adm.snapshot()
			if len(after)-len(before) != len(res.Resources) || count(after, "client", "App two") != 1 || count(after, "resource_server", "api-two") != 1 {
				t.Fatalf("duplicates or strays after resume (%d resources):\n%s", len(res.Resources), strings.Join(after, "\n"))
			}
			for _, r := range j.Resources() {
				if r.Action != "created" && r.Kind != steps.KindConnectionClient {
					t.Errorf("journal after resume: %+v", r)
				}
			}
			if err := steps.NewEngine(c).Teardown(ctx, j, nil); err != nil {
				t.Fatal(err)
			}
			if got := adm.snapshot(); !slices.Equal(got, before) {
				t.Fatalf("teardown left:\n%s", strings.Join(got, "\n"))
			}
		})
	}
}

// A journal for another playbook or tenant fills nothing, nor does a new one.
func TestResumeSettingsOnlyFromTheSameRun(t *testing.T) {
	t.Parallel()
	sb, c := startSandbox(t, sandbox.Options{Seed: 13})
	path := filepath.Join(t.TempDir(), "j.json")
	j, _ := steps.OpenJournal(path, false)
	s := settings(sb, steps.WSO2)
	s.APIIdentifier = "api-three"
	if _, _, _, err := applyOnce(context.Background(), t, c, steps.WSO2, s, j); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		in   steps.Settings
		want string // the api identifier that results
	}{
		{"only the journal", steps.Settings{}, "api-three"},
		{"same playbook and tenant", steps.Settings{Playbook: steps.WSO2, Domain: "https://" + sb.Domain + "/"}, "api-three"},
		{"given wins", steps.Settings{APIIdentifier: "given"}, "given"},
		{"other playbook", steps.Settings{Playbook: steps.Azure}, ""},
		{"other tenant", steps.Settings{Domain: "other.eu.auth0.com"}, ""},
	}
	for _, tc := range cases {
		if got := steps.ResumeSettings(tc.in, j).APIIdentifier; got != tc.want {
			t.Errorf("%s: api identifier %q, want %q", tc.name, got, tc.want)
		}
	}
	fresh, _ := steps.OpenJournal(filepath.Join(t.TempDir(), "new.json"), false)
	if got := steps.ResumeSettings(steps.Settings{}, fresh); got.Playbook != "" || got.Domain != "" {
		t.Errorf("a new journal filled %+v", got)
	}
	if got := steps.ResumeSettings(steps.Settings{ClientID: "x"}, nil); got.ClientID != "x" || got.Domain != "" {
		t.Errorf("a nil journal filled %+v", got)
	}
}

// The resume hint names what the journal does not hold (the secrets; the
// test user's password only while the user is not made), and says plainly
// that a run on the in-process sandbox cannot be resumed.
func TestResumeHint(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "my journal.json")
	journal := func(resources string) *steps.Journal {
		t.Helper()
		doc := `{"version":1,"playbook":"azure","domain":"my-tenant.us.auth0.com","resources":[` + resources + `],"updated_at":"2026-11-22T00:00:00Z"}`
		if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
		j, err := steps.OpenJournal(path, false)
		if err != nil {
			t.Fatal(err)
		}
		return j
	}
	quoted := "'" + path + "'"
	noUser := journal(`{"action_id":"client","kind":"client","id":"abc","name":"app","action":"created"}`)
	hint := noUser.ResumeHint(false, "ca.pem")
	for _, want := range []string{"To resume: AUTH0_CLIENT_SECRET=… AUTH0_WIZARD_USER_PASSWORD=… auth0-wizard apply --journal " + quoted + " --ca-file ca.pem",
		"--client-secret-file", "wizard again with --journal " + quoted} {
		if !strings.Contains(hint, want) {
			t.Errorf("hint lacks %q:\n%s", want, hint)
		}
	}
	if strings.Contains(hint, "--playbook") || strings.Contains(hint, "--domain") {
		t.Errorf("hint names what the journal gives:\n%s", hint)
	}
	withUser := journal(`{"action_id":"user","kind":"user","id":"auth0|1","name":"jane@example.com","action":"created"}`)
	if hint := withUser.ResumeHint(false, ""); strings.Contains(hint, "PASSWORD") || !strings.Contains(hint, "AUTH0_CLIENT_SECRET=… auth0-wizard apply --journal "+quoted+"\n") {
		t.Errorf("hint once the user is made:\n%s", hint)
	}
	sbHint := withUser.ResumeHint(true, "")
	if !strings.Contains(sbHint, "cannot be resumed") || !strings.Contains(sbHint, "afresh") || strings.Contains(sbHint, "apply") {
		t.Errorf("sandbox hint:\n%s", sbHint)
	}
}
