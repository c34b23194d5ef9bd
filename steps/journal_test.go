package steps

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestJournalFile(t *testing.T) {
	t.Parallel()
	for _, reveal := range []bool{false, true} {
		dir := t.TempDir()
		path := filepath.Join(dir, DefaultJournalPath(Azure))
		j, err := OpenJournal(path, reveal)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Fatal("a new journal is written before the first change")
		}
		s := validSettings(Azure)
		if err := j.begin(Azure, "my-tenant.us.auth0.com", s); err != nil {
			t.Fatal(err)
		}
		if err := j.record(journalEntry{ActionID: "client", Kind: KindClient, ID: "abc", Name: "app", Action: "created"}); err != nil {
			t.Fatal(err)
		}
		if err := j.setSecret("client_secret", "fake-app-secret"); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("mode %v, want 0600", fi.Mode().Perm())
		}
		b, _ := os.ReadFile(path)
		for _, secret := range []string{s.ClientSecret, s.UserPassword} {
			if strings.Contains(string(b), secret) {
				t.Errorf("journal holds a settings secret %q", secret)
			}
		}
		if got := strings.Contains(string(b), "fake-app-secret"); got != reveal {
			t.Errorf("reveal=%v but secret in file = %v", reveal, got)
		}
		for _, want := range []string{`"playbook": "azure"`, `"domain": "my-tenant.us.auth0.com"`, `"connection_name": "BasicCalculator"`, `"action": "created"`} {
			if !strings.Contains(string(b), want) {
				t.Errorf("journal lacks %s:\n%s", want, b)
			}
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 1 {
			t.Errorf("temp files left behind: %v", entries)
		}

		// Reopened, it is the same journal; another playbook or tenant is refused.
		j2, err := OpenJournal(path, reveal)
		if err != nil {
			t.Fatal(err)
		}
		if r := j2.Resources(); len(r) != 1 || r[0].ID != "abc" || r[0].Action != "created" {
			t.Errorf("resources = %+v", r)
		}
		if got, ok := j2.Settings(); !ok || got.UserEmail != s.UserEmail || got.ClientSecret != "" {
			t.Errorf("settings = %+v", got)
		}
		if (j2.ClientSecret() != "") != reveal {
			t.Errorf("secret kept = %q with reveal %v", j2.ClientSecret(), reveal)
		}
		if err := j2.begin(WSO2, "my-tenant.us.auth0.com", validSettings(WSO2)); err == nil || !strings.Contains(err.Error(), "tear that down first") {
			t.Errorf("other playbook: %v", err)
		}
		if err := j2.begin(Azure, "other.eu.auth0.com", s); err == nil {
			t.Error("other tenant accepted")
		}
		// Once nothing is left to tear down, the file may serve another run.
		if err := j2.remove("client"); err != nil {
			t.Fatal(err)
		}
		if err := j2.begin(WSO2, "other.eu.auth0.com", validSettings(WSO2)); err != nil {
			t.Errorf("empty journal refused: %v", err)
		}
		if j2.Playbook() != WSO2 || j2.Domain() != "other.eu.auth0.com" {
			t.Errorf("journal now for %s on %s", j2.Playbook(), j2.Domain())
		}
	}
}

func TestJournalRefusesGarbage(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "j.json")
	if err := os.WriteFile(path, []byte("not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenJournal(path, false); err == nil || !strings.Contains(err.Error(), "move it away") {
		t.Fatalf("err = %v", err)
	}
}

// A create sent and never answered (a crash in between) leaves a pending
// entry: teardown looks it up and deletes it; resume takes it as created.
func TestPendingEntries(t *testing.T) {
	t.Parallel()
	f := newFake()
	f.rs["rs_0001"] = ResourceServer{ID: "rs_0001", Name: "Basic Calculator", Identifier: "basic-calculator"}
	f.n = 1
	path := filepath.Join(t.TempDir(), "j.json")
	j, _ := OpenJournal(path, false)
	s := validSettings(Azure)
	_ = j.begin(Azure, "my-tenant.us.auth0.com", s)
	_ = j.record(journalEntry{ActionID: "resource_server", Kind: KindResourceServer, Name: "Basic Calculator", Action: journalPending,
		Lookup: map[string]string{"identifier": "basic-calculator"}})

	p, _ := PlaybookByID(Azure)
	e := NewEngine(f)
	plan, err := e.Plan(context.Background(), p, s, j)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Actions[0].Verb != Reuse || !plan.state.ours["resource_server"] {
		t.Fatalf("pending resource server planned as %s (ours %v)", plan.Actions[0].Verb, plan.state.ours)
	}

	// Teardown straight away resolves it by its identifier.
	if err := e.Teardown(context.Background(), j, nil); err != nil {
		t.Fatal(err)
	}
	if len(f.rs) != 0 || len(j.Resources()) != 0 {
		t.Fatalf("after teardown: %s / %+v", f.tenantSummary(), j.Resources())
	}
}

// Teardown touches nothing that was only reused, and a connection this tool
// only enabled for an application is turned off again.
func TestTeardownLeavesReused(t *testing.T) {
	t.Parallel()
	f := newFake()
	f.conns["con_1"] = Connection{ID: "con_1", Name: "BasicCalculator", Strategy: "auth0"}
	f.rs["rs_1"] = ResourceServer{ID: "rs_1", Name: "Basic Calculator", Identifier: "basic-calculator"}
	f.n = 10
	before := f.tenantSummary()
	p, _ := PlaybookByID(Azure)
	s := validSettings(Azure)
	j, _ := OpenJournal(filepath.Join(t.TempDir(), "j.json"), false)
	e := NewEngine(f)
	plan, err := e.Plan(context.Background(), p, s, j)
	if err != nil {
		t.Fatal(err)
	}
	verbs := map[string]Verb{}
	for _, a := range plan.Actions {
		verbs[a.ID] = a.Verb
	}
	if verbs["resource_server"] != Reuse || verbs["connection"] != Reuse || verbs["client"] != Create || verbs["connection_client"] != Update {
		t.Fatalf("plan = %v", verbs)
	}
	if _, err := e.Apply(context.Background(), p, s, plan, j, nil); err != nil {
		t.Fatal(err)
	}
	if err := e.Teardown(context.Background(), j, nil); err != nil {
		t.Fatal(err)
	}
	if got := f.tenantSummary(); got != before {
		t.Fatalf("tenant after teardown:\n%s\nwant\n%s", got, before)
	}
	if f.count("DeleteResourceServer")+f.count("DeleteConnection") != 0 {
		t.Fatal("teardown deleted a reused resource")
	}
}
