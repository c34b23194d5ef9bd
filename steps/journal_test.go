package steps

import (
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
		if err := j.begin(mustPlaybook(t, Azure), "my-tenant.us.auth0.com", s); err != nil {
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
		if err := j2.begin(mustPlaybook(t, WSO2), "my-tenant.us.auth0.com", validSettings(WSO2)); err == nil || !strings.Contains(err.Error(), "tear that down first") {
			t.Errorf("other playbook: %v", err)
		}
		if err := j2.begin(mustPlaybook(t, Azure), "other.eu.auth0.com", s); err == nil {
			t.Error("other tenant accepted")
		}
		// Once nothing is left to tear down, the file may serve another run.
		if err := j2.remove("client"); err != nil {
			t.Fatal(err)
		}
		if err := j2.begin(mustPlaybook(t, WSO2), "other.eu.auth0.com", validSettings(WSO2)); err != nil {
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

func mustPlaybook(t *testing.T, id PlaybookID) Playbook {
	t.Helper()
	p, err := PlaybookByID(id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestJournalTakesAnySpellingOfItsTenant: the journal compares tenants as
// hostname.Same does, so the tenant it records, given again in another case
// or as an https:// URL, is the same one (its run is resumed, not refused),
// and another host is still another tenant.
func TestJournalTakesAnySpellingOfItsTenant(t *testing.T) {
	t.Parallel()
	j, err := OpenJournal(filepath.Join(t.TempDir(), "j.json"), false)
	if err != nil {
		t.Fatal(err)
	}
	s := validSettings(Azure)
	s.Domain = "my-tenant.us.auth0.com"
	if err := j.begin(mustPlaybook(t, Azure), "my-tenant.us.auth0.com", s); err != nil {
		t.Fatal(err)
	}
	if err := j.record(journalEntry{ActionID: ActClient, Kind: KindClient, ID: "abc", Name: s.AppName, Action: "created"}); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"My-Tenant.US.auth0.com", "HTTPS://my-tenant.us.auth0.com/"} {
		if err := j.checkFor(Azure, domainHost(d)); err != nil {
			t.Errorf("%s: %v", d, err)
		}
		if got := ResumeSettings(Settings{Domain: d}, j); got.AppName != s.AppName {
			t.Errorf("%s: the journal's run is not resumed (app name %q, want %q)", d, got.AppName, s.AppName)
		}
	}
	if err := j.checkFor(Azure, "other.us.auth0.com"); err == nil {
		t.Error("another tenant is taken for the journal's")
	}
}
