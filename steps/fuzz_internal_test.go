package steps

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/auth0-wizard/auth0-wizard/internal/hostname"
)

// journalSeeds are journals as this and earlier versions write them, and
// the ways a file named as a journal is not one.
var journalSeeds = []string{
	`{"version":1,"resources":[],"updated_at":"2026-01-02T03:04:05Z"}`,
	`{"version":1,"run_id":"0123456789abcdef","playbook":"wso2","domain":"t.eu.auth0.com",
	  "settings":{"playbook":"wso2","domain":"t.eu.auth0.com","client_id":"mgmt","api_identifier":"https://api.example.com"},
	  "resources":[{"action_id":"resource_server","kind":"resource_server","id":"rs1","name":"API","action":"created","lookup":{"identifier":"https://api.example.com"},"proof":"answered"},
	  {"action_id":"client","kind":"client","id":"c1","name":"App","action":"pending","lookup":{"name":"App"}},
	  {"action_id":"client_grant","kind":"client_grant","id":"g1","name":"App → API","action":"reused","depends_on":["client","resource_server"]}],
	  "secrets":{"client_secret":"s3cret"},"updated_at":"2026-01-02T03:04:05Z"}`,
	`{"version":1,"playbook":"azure","domain":"t","resources":[{"action_id":"connection_client#07","kind":"connection_client","id":"con","name":"db → app","action":"updated"}]}`,
	`{"version":1,"resources":[{"action_id":"x","kind":"no_such_kind","action":"created"}]}`,
	`{"version":1,"resources":[{"action_id":"client","kind":"client","action":"deleted"}]}`,
	`{"version":1,"resources":[{"action_id":"","kind":"client","action":"created"}]}`,
	`{"version":1,"resources":[{"action_id":"client","kind":"client","action":"created"},{"action_id":"client","kind":"client","action":"reused"}]}`,
	`{"version":2,"resources":[]}`, `{"version":1,"resources":null}`, `{}`, `null`, `[]`, `{"version":"1"}`, ``, `{`, "\x00\xff",
	`{"version":1,"resources":[{"action_id":"user","kind":"user","name":"\u001b]52;c;aGk=\u0007","action":"created"}]}`,
}

// FuzzOpenJournal: whatever file is named as a journal, OpenJournal does
// not panic; it either refuses it with an error naming the file, or loads a
// journal every entry of which has a known kind, a known action and its own
// action id, which writing and reading again leaves as it is; without
// reveal, no secret of the file is kept. The seeds run in every `go test`.
func FuzzOpenJournal(f *testing.F) {
	for _, s := range journalSeeds {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "in.journal.json")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		for _, reveal := range []bool{false, true} {
			j, err := OpenJournal(path, reveal)
			if err != nil {
				if j != nil {
					t.Fatalf("OpenJournal returned a journal with the error %v", err)
				}
				if !strings.Contains(err.Error(), path) {
					t.Fatalf("the error does not name the journal file: %v", err)
				}
				continue
			}
			if !reveal && j.ClientSecret() != "" {
				t.Fatal("a journal opened without reveal keeps the file's secret")
			}
			seen := map[string]bool{}
			for _, en := range j.entries() {
				if _, ok := kinds[en.Kind]; !ok {
					t.Fatalf("loaded an entry of unknown kind %q", en.Kind)
				}
				switch en.Action {
				case Create.Past(), Reuse.Past(), Update.Past(), journalPending:
				default:
					t.Fatalf("loaded an entry with action %q", en.Action)
				}
				if en.ActionID == "" || seen[en.ActionID] {
					t.Fatalf("loaded an entry with an empty or repeated action id %q", en.ActionID)
				}
				seen[en.ActionID] = true
				_ = en.ours()
			}
			// What a command reads of it.
			_ = j.Resources()
			_ = j.ResumeHint(false, "")
			s := ResumeSettings(Settings{}, j)
			if s.Domain != "" {
				_, _ = hostname.ParseDomain(s.Domain)
			}
			if p, err := PlaybookByID(j.Playbook()); err == nil {
				_ = j.checkSettings(p, j.Domain(), p.WithDefaults(s))
			}
			// Written and read again, it is the same journal.
			again := filepath.Join(dir, "again.journal.json")
			j.mu.Lock()
			j.path = again
			err = j.writeLocked()
			want, _ := json.Marshal(j.doc)
			j.mu.Unlock()
			if err != nil {
				t.Fatalf("write the loaded journal: %v", err)
			}
			j2, err := OpenJournal(again, reveal)
			if err != nil {
				t.Fatalf("the journal written from a loaded one does not load: %v", err)
			}
			j2.doc.UpdatedAt = j.doc.UpdatedAt
			if got, _ := json.Marshal(j2.doc); string(got) != string(want) {
				t.Fatalf("written and read again, the journal changed:\n got %s\nwant %s", got, want)
			}
		}
	})
}

// FuzzValidateDomain: a domain the tenant screen accepts is one
// hostname.ParseDomain accepts (the client is made from it): a host with an
// optional port, no path, query, fragment or user-info; ManagementAudience
// of it is that host's /api/v2/. No input panics.
func FuzzValidateDomain(f *testing.F) {
	for _, s := range []string{
		"my-tenant.eu.auth0.com", " my-tenant.eu.auth0.com ", "https://t.auth0.com/", "http://127.0.0.1:8080",
		"t.auth0.com/path", "t@evil.example", "t?q", "t#f", "t:", "[::1]:8443", "", "http://evil.example", "ftp://t",
		"!", "t:0", "HTTP://127.0.0.1:1", // once accepted by ValidateDomain, refused by ParseDomain
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if ValidateDomain(in) != nil {
			return
		}
		u, err := hostname.ParseDomain(strings.TrimSpace(in))
		if err != nil {
			t.Fatalf("ValidateDomain(%q) accepts what ParseDomain refuses: %v", in, err)
		}
		// The audience is at the base URL (a final dot or upper case
		// aside, which it may keep as typed).
		aud := strings.TrimSuffix(strings.ToLower(ManagementAudience(in)), "/api/v2/")
		if strings.TrimSuffix(strings.Replace(aud, ".:", ":", 1), ".") != u.String() {
			t.Fatalf("ManagementAudience(%q) = %q, not at the base URL %s", in, ManagementAudience(in), u)
		}
	})
}
