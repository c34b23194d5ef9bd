package steps_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auth0-wizard/auth0-wizard/auth0client"
	"github.com/auth0-wizard/auth0-wizard/internal/sandboxtest"
	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// The kits playbook copies every action but the shared ones per attendee,
// mapping dependencies and giving each copy the attendee's names.
func TestKitsPlaybookCopiesEachAttendeesActions(t *testing.T) {
	t.Parallel()
	p, _ := steps.PlaybookByID(steps.Azure)
	kp := steps.KitsPlaybook(p, steps.Kits{Count: 3})
	var ids []string
	for _, a := range kp.Actions {
		ids = append(ids, a.ID)
	}
	want := []string{"resource_server", "connection"}
	for _, n := range []string{"01", "02", "03"} {
		want = append(want, "client#"+n, "client_grant#"+n, "connection_client#"+n, "user#"+n)
	}
	if !slices.Equal(ids, want) {
		t.Fatalf("actions = %v, want %v", ids, want)
	}
	s := steps.WithDefaults(steps.Settings{Playbook: steps.Azure, UserEmail: "trainer@school.example"})
	for _, a := range kp.Actions {
		switch a.ID {
		case "client_grant#02":
			if !slices.Equal(a.DependsOn, []string{"resource_server", "client#02"}) {
				t.Errorf("client_grant#02 depends on %v", a.DependsOn)
			}
		case "connection_client#03":
			if !slices.Equal(a.DependsOn, []string{"connection", "client#03"}) {
				t.Errorf("connection_client#03 depends on %v", a.DependsOn)
			}
		case "client#02":
			if got := a.Want(s).App.Name; got != "Azure API Management (attendee-02)" {
				t.Errorf("client#02 wants %q", got)
			}
		case "user#03":
			if got := a.Want(s).User.Email; got != "attendee-03@school.example" {
				t.Errorf("user#03 wants %q", got)
			}
		}
	}
	if got := (steps.Kits{Count: 120, Prefix: "cls"}).Label(7); got != "cls-007" {
		t.Errorf("label of kit 7 of 120 = %q", got)
	}
	for _, bad := range []steps.Kits{{Count: 0}, {Count: steps.MaxKits + 1}, {Count: 2, Prefix: "a b"}, {Count: 2, Prefix: "-x"}} {
		if bad.Validate() == nil {
			t.Errorf("%+v is valid", bad)
		}
	}
}

// kitsRun applies k kits of playbook id on sb with a journal at path.
func kitsRun(ctx context.Context, t *testing.T, c steps.Client, s steps.Settings, k steps.Kits, path string) (steps.KitsResult, *steps.Journal, []steps.Event, error) {
	t.Helper()
	p, _ := steps.PlaybookByID(s.Playbook)
	j, err := steps.OpenJournal(path, true)
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan steps.Event, 4096)
	res, err := steps.NewEngine(c).ApplyKits(ctx, p, s, k, j, ch)
	return res, j, drain(ch), err
}

// Five azure kits: one API and one connection, five applications with
// their grants and five users, each kit's tokens verified; a second run
// with the journal reuses everything with the same passwords; teardown
// restores the tenant and leaves no kit's secret in the journal.
func TestKitsAzureResumeAndTeardown(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t, sandbox.Options{Seed: 21})
	c := sandboxtest.Client(t, sb, nil)
	adm := sandboxtest.NewAdmin(t, sb)
	before := adm.Snapshot()
	ctx := context.Background()
	s := sandboxtest.Settings(sb, steps.Azure)
	s.UserPassword = "" // each attendee gets their own
	path := filepath.Join(t.TempDir(), "kits.json")

	res, j, evs, err := kitsRun(ctx, t, c, s, steps.Kits{Count: 5}, path)
	if err != nil {
		t.Fatalf("ApplyKits: %v", err)
	}
	if res.Complete() != 5 || len(res.Kits) != 5 {
		t.Fatalf("%d of %d kits complete", res.Complete(), len(res.Kits))
	}
	after := adm.Snapshot()
	if n := sandboxtest.Count(after, "resource_server", "basic-calculator"); n != 1 {
		t.Errorf("%d APIs basic-calculator, want 1 shared", n)
	}
	if n := sandboxtest.Count(after, "connection", "BasicCalculator"); n != 1 {
		t.Errorf("%d connections, want 1 shared", n)
	}
	passwords := map[string]bool{}
	for _, k := range res.Kits {
		if n := sandboxtest.Count(after, "client", "Azure API Management ("+k.Label+")"); n != 1 {
			t.Errorf("%d applications for %s, want 1", n, k.Label)
		}
		if n := sandboxtest.Count(after, "user", k.Label+"@example.com"); n != 1 {
			t.Errorf("%d users for %s, want 1", n, k.Label)
		}
		if k.ClientSecret == "" || k.UserToken == nil || !k.UserToken.Verified || !k.Token.Verified {
			t.Errorf("%s: secret %t, token %v, user token %v", k.Label, k.ClientSecret != "", k.Token.Verified, k.UserToken)
		}
		if err := steps.ValidatePassword(k.UserPassword); err != nil {
			t.Errorf("%s's password: %v", k.Label, err)
		}
		passwords[k.UserPassword] = true
		if _, ok := find(evs, "token#"+k.Label[len("attendee-"):], steps.EventDone); !ok {
			t.Errorf("no done event for %s's token", k.Label)
		}
	}
	if len(passwords) != 5 {
		t.Errorf("%d distinct passwords for 5 attendees", len(passwords))
	}
	// The lock APIs are gone and the password-realm grant taken back:
	// what is left is the kits.
	if n := len(after) - len(before); n != 1+1+5*3 {
		t.Errorf("the tenant has %d more resources, want 17:\n%s", n, strings.Join(after, "\n"))
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("journal: %v, mode %v", err, fi.Mode())
	}
	if kits := steps.JournalKits(j); len(kits) != 5 || kits[2].Label != "attendee-03" || kits[2].UserPassword != res.Kits[2].UserPassword || kits[2].ClientSecret != res.Kits[2].ClientSecret {
		t.Fatalf("journal kits: %+v", kits)
	}

	again, _, _, err := kitsRun(ctx, t, c, s, steps.Kits{Count: 5}, path)
	if err != nil {
		t.Fatalf("second ApplyKits: %v", err)
	}
	for i, k := range again.Kits {
		first := res.Kits[i]
		if !k.Complete() || k.ClientID != first.ClientID || k.UserPassword != first.UserPassword || k.ClientSecret != first.ClientSecret {
			t.Errorf("resumed %s: complete %t, same client %t, same password %t, same secret %t", k.Label, k.Complete(),
				k.ClientID == first.ClientID, k.UserPassword == first.UserPassword, k.ClientSecret == first.ClientSecret)
		}
	}
	if got := adm.Snapshot(); !slices.Equal(got, after) {
		t.Errorf("the second run changed the tenant:\n%s", strings.Join(got, "\n"))
	}

	j, err = steps.OpenJournal(path, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := steps.NewEngine(c).Teardown(ctx, j, nil); err != nil {
		t.Fatalf("teardown: %v", err)
	}
	if got := adm.Snapshot(); !slices.Equal(got, before) {
		t.Errorf("teardown left:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(before, "\n"))
	}
	b, _ := os.ReadFile(path)
	for _, k := range res.Kits {
		if strings.Contains(string(b), k.UserPassword) || strings.Contains(string(b), k.ClientSecret) {
			t.Errorf("the journal still holds %s's secrets after teardown", k.Label)
		}
	}
}

// Under faults (10 % of management requests fail, writes' answers lost),
// wso2 kits stopped halfway and resumed all complete, each application
// made once.
func TestKitsWSO2UnderFaultsResumeWithoutDuplicates(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t, sandbox.Options{Seed: 5, FailRate: 0.1})
	c := sandboxtest.Client(t, sb, func(cfg *auth0client.Config) { cfg.Retry = sandboxtest.FastRetry() })
	adm := sandboxtest.NewAdmin(t, sb)
	before := adm.Snapshot()
	s := sandboxtest.Settings(sb, steps.WSO2)
	path := filepath.Join(t.TempDir(), "kits.json")

	// Stopped as soon as the first kit's application is made.
	ctx, cancel := context.WithCancel(context.Background())
	p, _ := steps.PlaybookByID(steps.WSO2)
	j, err := steps.OpenJournal(path, true)
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan steps.Event, 4096)
	done := make(chan error, 1)
	go func() {
		_, err := steps.NewEngine(c).ApplyKits(ctx, p, s, steps.Kits{Count: 6, Concurrency: 3}, j, ch)
		done <- err
	}()
	for ev := range ch {
		if ev.Kind == steps.EventDone && strings.HasPrefix(ev.Action, "client#") {
			cancel()
			break
		}
	}
	if err := <-done; err == nil {
		t.Fatal("the stopped run says every kit is complete")
	}
	cancel()

	res, _, _, err := kitsRun(context.Background(), t, c, s, steps.Kits{Count: 6, Concurrency: 3}, path)
	if err != nil {
		t.Fatalf("resumed ApplyKits: %v", err)
	}
	if res.Complete() != 6 {
		t.Fatalf("%d of 6 kits complete", res.Complete())
	}
	snap := adm.Snapshot()
	for _, k := range res.Kits {
		if n := sandboxtest.Count(snap, "client", "WSO2 APIM application ("+k.Label+")"); n != 1 {
			t.Errorf("%d applications for %s, want 1", n, k.Label)
		}
		if n := sandboxtest.Count(snap, "client_grant", k.ClientID); n != 1 {
			t.Errorf("%d grants for %s, want 1", n, k.Label)
		}
	}
	if n := sandboxtest.Count(snap, "resource_server", "urn:auth0-wizard:lock:"); n != 0 {
		t.Errorf("%d locks left behind", n)
	}
	j, _ = steps.OpenJournal(path, true)
	if err := steps.NewEngine(c).Teardown(context.Background(), j, nil); err != nil {
		t.Fatalf("teardown: %v", err)
	}
	if got := adm.Snapshot(); !slices.Equal(got, before) {
		t.Errorf("teardown left:\n%s", strings.Join(got, "\n"))
	}
}

// The doctor checks every kit the journal records and names the broken
// one: the kit whose client grant someone deleted.
func TestDoctorKitsNamesTheBrokenKit(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t, sandbox.Options{Seed: 8})
	c := sandboxtest.Client(t, sb, nil)
	adm := sandboxtest.NewAdmin(t, sb)
	s := sandboxtest.Settings(sb, steps.Azure)
	path := filepath.Join(t.TempDir(), "kits.json")
	res, j, _, err := kitsRun(context.Background(), t, c, s, steps.Kits{Count: 3, Prefix: "student"}, path)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := steps.PlaybookByID(steps.Azure)
	checks := steps.NewEngine(c).DoctorKits(context.Background(), p, s, j, 0, nil)
	if len(checks) != 3 {
		t.Fatalf("%d kits checked", len(checks))
	}
	for _, k := range checks {
		if k.Broken() {
			t.Fatalf("%s is broken right after it was made: %+v", k.Label, k.Checks)
		}
	}
	broken := res.Kits[1]
	for _, g := range adm.List("client-grants", "client_grants") {
		if g["client_id"] == broken.ClientID {
			adm.Do(http.MethodDelete, sb.BaseURL+"/api/v2/client-grants/"+g["id"].(string), nil, nil)
		}
	}
	var names []string
	for _, k := range steps.NewEngine(c).DoctorKits(context.Background(), p, s, j, 2, nil) {
		if k.Broken() {
			names = append(names, k.Label)
		}
	}
	if !slices.Equal(names, []string{"student-02"}) {
		t.Fatalf("broken kits = %v, want [student-02]", names)
	}
}

// requestCount counts, from auth0client's trace (one write an exchange),
// the Management API requests sent and how the limit answered them.
type requestCount struct {
	mu                         sync.Mutex
	sent, limited, unavailable int
	transport                  int
}

func (c *requestCount) Write(b []byte) (int, error) {
	line, rest, _ := strings.Cut(string(b), "\n")
	if !strings.HasPrefix(line, "--> ") || !strings.Contains(line, "/api/v2/") {
		return len(b), nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent++
	switch {
	case strings.HasPrefix(rest, "<-- 429 ") || strings.Contains(rest, "\n<-- 429 "):
		c.limited++
	case strings.HasPrefix(rest, "<-- 503 ") || strings.Contains(rest, "\n<-- 503 "):
		c.unavailable++
	case strings.Contains(rest, "<-- error after"):
		c.transport++
	}
	return len(b), nil
}

// BenchmarkKits makes 30 azure kits against a sandbox limited to 10
// Management API requests a second (burst 10) where 10 % of them fail,
// then tears them down. It asserts every kit complete, no duplicate, the
// tenant restored; and reports the share of the limit the run used:
// requests ÷ (wall time × limit), counted from the client's trace, both
// as the issue defines it (every request sent, 429s included) and as the
// limit sees it (the requests it admitted: neither a 429 nor a 503 the
// sandbox answers before taking a token).
func BenchmarkKits(b *testing.B) {
	const (
		count = 30
		limit = 10.0
	)
	for _, conc := range []int{steps.DefaultKitsConcurrency, 2 * steps.DefaultKitsConcurrency} {
		b.Run(fmt.Sprintf("azure-%d-kits-concurrency-%d", count, conc), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				sb := sandboxtest.Start(b, sandbox.Options{Seed: 30, RateLimit: limit, Burst: 10, FailRate: 0.1})
				adm := sandboxtest.NewAdmin(b, sb)
				before := adm.Snapshot()
				rc := &requestCount{}
				c := sandboxtest.Client(b, sb, func(cfg *auth0client.Config) { cfg.Trace = rc })
				s := sandboxtest.Settings(sb, steps.Azure)
				p, _ := steps.PlaybookByID(steps.Azure)
				j, _ := steps.OpenJournal(filepath.Join(b.TempDir(), "kits.json"), true)
				start := time.Now()
				res, err := steps.NewEngine(c).ApplyKits(context.Background(), p, s, steps.Kits{Count: count, Concurrency: conc}, j, nil)
				wall := time.Since(start)
				if err != nil || res.Complete() != count {
					b.Fatalf("%d of %d kits complete: %v", res.Complete(), count, err)
				}
				rc.mu.Lock()
				sent, limited, unavailable, transport := rc.sent, rc.limited, rc.unavailable, rc.transport
				rc.mu.Unlock()
				snap := adm.Snapshot()
				dups := 0
				for _, k := range res.Kits {
					dups += max(0, sandboxtest.Count(snap, "client", "("+k.Label+")")-1)
					dups += max(0, sandboxtest.Count(snap, "user", k.Label+"@")-1)
					dups += max(0, sandboxtest.Count(snap, "client_grant", k.ClientID)-1)
				}
				dups += max(0, sandboxtest.Count(snap, "resource_server", "basic-calculator")-1)
				dups += sandboxtest.Count(snap, "resource_server", "urn:auth0-wizard:lock:")
				if dups != 0 {
					b.Errorf("%d duplicates (or locks left):\n%s", dups, strings.Join(snap, "\n"))
				}
				issueShare := float64(sent) / (wall.Seconds() * limit)
				admitted := sent - limited - unavailable
				share := float64(admitted) / (wall.Seconds() * limit)
				b.ReportMetric(wall.Seconds(), "wall-s")
				b.ReportMetric(float64(sent), "requests")
				b.ReportMetric(float64(limited), "429s")
				b.ReportMetric(issueShare, "sent/limit")
				b.ReportMetric(share, "admitted/limit")
				b.Logf("%d/%d kits complete, %d duplicates; %d management requests in %v (%d answered 429, %d 503, %d lost): "+
					"sent ÷ (wall × limit) = %.2f, admitted ÷ (wall × limit) = %.2f (%.1f requests a kit)",
					res.Complete(), count, dups, sent, wall.Round(time.Millisecond), limited, unavailable, transport, issueShare, share, float64(sent)/count)
				if share < 0.9 {
					b.Logf("below 0.9 of the limit: see the report of the kits work for why")
				}

				tstart := time.Now()
				if err := steps.NewEngine(c).Teardown(context.Background(), j, nil); err != nil {
					b.Fatalf("teardown: %v", err)
				}
				b.Logf("teardown in %v", time.Since(tstart).Round(time.Millisecond))
				if got := adm.Snapshot(); !slices.Equal(got, before) {
					b.Errorf("teardown did not restore the tenant:\n%s", strings.Join(got, "\n"))
				}
			}
		})
	}
}

func TestKitsStatus(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name                    string
		finished, failed, total int
		elapsed                 time.Duration
		sent                    int64
		want                    string
	}{
		{"nothing yet", 0, 0, 10, 0, 0, "0/10 · 0.0 req/s · estimating"},
		{"not counted", 2, 0, 10, 2 * time.Second, -1, "2/10 · about 8s left"},
		{"no time yet", 2, 0, 10, 0, 0, "2/10 · 0.0 req/s · estimating"},
		{"half way, a failure", 5, 1, 10, 5 * time.Second, 40, "5/10, 1 failed · 8.0 req/s · about 5s left"},
		{"done", 10, 0, 10, 4 * time.Second, 30, "10/10 · 7.5 req/s · done"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := steps.KitsStatus(tc.finished, tc.failed, tc.total, tc.elapsed, tc.sent); got != tc.want {
				t.Errorf("KitsStatus = %q, want %q", got, tc.want)
			}
		})
	}
}

// KitsEmailQuestion asks only what a class needs: a test user's email for
// a playbook that makes users, when none valid is given. ValidateKits
// refuses what ApplyKits would, before anything is sent.
func TestKitsEmailQuestionAndValidateKits(t *testing.T) {
	t.Parallel()
	azure, _ := steps.PlaybookByID(steps.Azure)
	wso2, _ := steps.PlaybookByID(steps.WSO2)
	s := steps.Settings{Domain: "t.example.com", ClientID: "c", ClientSecret: "s"}
	if in, need := azure.KitsEmailQuestion(s); !need || in.Validate == nil || in.Validate("jane") == nil || in.Field == nil {
		t.Fatalf("azure without an email: need %v, input %+v", need, in)
	}
	s.UserEmail = "trainer@school.example"
	if _, need := azure.KitsEmailQuestion(s); need {
		t.Fatal("azure asks again for an email it has")
	}
	if _, need := wso2.KitsEmailQuestion(steps.Settings{}); need {
		t.Fatal("wso2 makes no user, yet asks for its email")
	}
	k := steps.Kits{Count: 3}
	if err := azure.ValidateKits(s, k); err != nil {
		t.Fatalf("valid kits refused: %v", err)
	}
	s.AppName = strings.Repeat("a", 195)
	if err := azure.ValidateKits(s, k); err == nil || !strings.Contains(err.Error(), "application names") {
		t.Fatalf("too long a name once labelled: %v", err)
	}
	if err := azure.ValidateKits(steps.Settings{Domain: "t.example.com", ClientID: "c", ClientSecret: "s", UserEmail: "x@y.z"}, steps.Kits{Count: steps.MaxKits + 1}); err == nil {
		t.Fatal("more kits than MaxKits accepted")
	}
}
