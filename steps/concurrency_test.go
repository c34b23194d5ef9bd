package steps_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auth0-wizard/auth0-wizard/auth0client"
	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// The same-name races of issue 9: several runs of the tool, each with its
// own journal and management client, apply the same playbook with the same
// names at once, on a tenant that fails 20 % of the Management API requests
// (503, dropped connections, and writes committed whose answer is lost) and
// allows 10 requests a second. Each round is then torn down with every
// journal. What is counted, from the tenant as the Management API lists it:
//
//   - duplicates: a second application of the name, a second grant for one
//     (application, audience) pair;
//   - orphans: a resource of the tool's names (or a lock) that no journal
//     records as created or as a pending create teardown finds again, and
//     what is left of them after every teardown;
//   - double claims: one resource recorded as created by two journals;
//   - false conflicts: a run failing with someone else's resource
//     (ErrForeign, ErrUnmarkedClient) although every actor was this tool;
//   - foreign deletions: a resource of another name, made before the round
//     by another administrator, gone after the round or its teardown;
//   - a tenant not restored: the snapshot after every teardown differs from
//     the one before the round.
//
// Runs may fail on the faults (a create that gave up, the rate limit): each
// failure is counted by its reason, and its teardown must still leave
// nothing behind.

const (
	raceRuns     = 4
	raceFailRate = 0.2
	raceRate     = 10
)

// raceFigures are the counts over the rounds.
type raceFigures struct {
	FailRate                                            float64
	Rounds, Applies, Failed                             int
	Duplicates, Orphans, LeftAfterTeardown, DoubleClaim int
	FalseConflicts, ForeignDeletions, NotRestored       int
	TeardownRetries                                     int
	GoWithParent                                        int // grants reused by every run, removed with their application or API
	Why                                                 map[string]int
	Requests, RateLimited, LockRequests                 []int // per apply
	ApplyTime                                           []time.Duration
	Problems                                            []string // what each non-zero count was, for the failure message
}

func (f *raceFigures) problem(format string, args ...any) {
	f.Problems = append(f.Problems, fmt.Sprintf(format, args...))
}

// raceCounter is an auth0client trace that only counts: Management API
// requests sent (every attempt), 429 answers, and requests on the engine's
// locks (temporary APIs: their create and look-ups name the lock's
// identifier; during apply, every API delete is a lock's).
type raceCounter struct {
	mu                     sync.Mutex
	mgmt, limited, lockReq int
}

func (c *raceCounter) Write(p []byte) (int, error) {
	sc := bufio.NewScanner(bytes.NewReader(p))
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	var first, status string
	lock := bytes.Contains(p, []byte("urn:auth0-wizard:lock:")) || bytes.Contains(p, []byte(url.QueryEscape("urn:auth0-wizard:lock:")))
	for sc.Scan() {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "--> ") && first == "":
			first = l
		case strings.HasPrefix(l, "<-- ") && status == "":
			status = l
		}
	}
	if !strings.Contains(first, "/api/v2/") {
		return len(p), nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.mgmt++
	if strings.HasPrefix(status, "<-- 429") {
		c.limited++
	}
	if lock || strings.HasPrefix(first, "--> DELETE ") && strings.Contains(first, "/api/v2/resource-servers/") {
		c.lockReq++
	}
	return len(p), nil
}

// raceNames are the tool's names in a round's settings.
type raceNames struct{ api, app, conn, email string }

// seedForeign makes, as another administrator, an API, an application and
// a connection of other names than the tool's, each exactly once despite
// the faults (a create whose answer is lost is looked up before it is sent
// again), and returns their ids.
func seedForeign(ctx context.Context, t testing.TB, c steps.Client, round int) []string {
	t.Helper()
	ensure := func(what string, create func() (string, error), find func() (string, error)) string {
		for attempt := 0; attempt < 20; attempt++ {
			id, err := create()
			if err == nil {
				return id
			}
			if id, ferr := find(); ferr == nil {
				return id
			}
		}
		t.Fatalf("seeding %s failed 20 times", what)
		return ""
	}
	api := fmt.Sprintf("urn:someone-else:round-%d", round)
	app := fmt.Sprintf("Someone else's app %d", round)
	conn := fmt.Sprintf("someone-else-%d", round)
	return []string{
		ensure(api, func() (string, error) {
			rs, err := c.CreateResourceServer(ctx, steps.ResourceServer{Name: "Someone else's API", Identifier: api})
			return rs.ID, err
		}, func() (string, error) { rs, err := c.FindResourceServer(ctx, api); return rs.ID, err }),
		ensure(app, func() (string, error) {
			a, err := c.CreateClient(ctx, steps.App{Name: app, AppType: "non_interactive", GrantTypes: []string{"client_credentials"}})
			return a.ClientID, err
		}, func() (string, error) {
			apps, err := c.FindClients(ctx, app)
			if err == nil && len(apps) == 0 {
				err = steps.ErrNotFound
			}
			if err != nil {
				return "", err
			}
			return apps[0].ClientID, nil
		}),
		ensure(conn, func() (string, error) {
			cn, err := c.CreateConnection(ctx, steps.Connection{Name: conn, Strategy: "auth0"})
			return cn.ID, err
		}, func() (string, error) { cn, err := c.FindConnection(ctx, conn); return cn.ID, err }),
	}
}

// removeForeign deletes what seedForeign made (deletes are retried by the
// client; a gone one is a 404).
func removeForeign(ctx context.Context, t testing.TB, c steps.Client, ids []string) {
	t.Helper()
	for attempt := 0; attempt < 5; attempt++ {
		errs := []error{
			ignoreNotFound(c.DeleteResourceServer(ctx, ids[0])),
			ignoreNotFound(c.DeleteClient(ctx, ids[1])),
			ignoreNotFound(c.DeleteConnection(ctx, ids[2])),
		}
		if errors.Join(errs...) == nil {
			return
		}
	}
	t.Fatalf("could not remove the seeded resources %v", ids)
}

func ignoreNotFound(err error) error {
	if errors.Is(err, steps.ErrNotFound) {
		return nil
	}
	return err
}

// str reads a string field of a listed item.
func str(m map[string]any, k string) string { s, _ := m[k].(string); return s }

// toolRes is a resource of the tool's names: a label to report it, and
// the keys of the resources whose deletion removes it too (a client grant
// goes with its application and with its API).
type toolRes struct {
	label string
	with  []string
}

// toolResources lists the resources of the tool's names (and its locks),
// as "kind id" keys.
func toolResources(a *admin, n raceNames) map[string]toolRes {
	out := map[string]toolRes{}
	apiKey := ""
	for _, rs := range a.list("resource-servers", "resource_servers") {
		if id := str(rs, "identifier"); id == n.api || strings.HasPrefix(id, "urn:auth0-wizard:lock:") {
			k := "resource_server " + str(rs, "id")
			out[k] = toolRes{label: "API " + id + " " + str(rs, "name")}
			if id == n.api {
				apiKey = k
			}
		}
	}
	for _, c := range a.list("clients", "clients") {
		if str(c, "name") == n.app {
			md, _ := c["client_metadata"].(map[string]any)
			out["client "+str(c, "client_id")] = toolRes{label: fmt.Sprintf("application %s run %v", n.app, md[steps.RunKey])}
		}
	}
	for _, g := range a.list("client-grants", "client_grants") {
		if str(g, "audience") == n.api {
			out["client_grant "+str(g, "id")] = toolRes{label: "grant of " + str(g, "client_id") + " for " + n.api,
				with: []string{"client " + str(g, "client_id"), apiKey}}
		}
	}
	for _, c := range a.list("connections", "connections") {
		if str(c, "name") == n.conn {
			out["connection "+str(c, "id")] = toolRes{label: "connection " + n.conn}
		}
	}
	for _, u := range a.list("users", "users") {
		if strings.EqualFold(str(u, "email"), n.email) {
			out["user "+str(u, "user_id")] = toolRes{label: "user " + n.email}
		}
	}
	return out
}

// raceOutcome is one run of a round.
type raceOutcome struct {
	j    *steps.Journal
	path string
	err  error
	rc   *raceCounter
	took time.Duration
}

// sameNameRound runs one round: raceRuns applies of playbook id with the
// same names at once, then every journal's teardown, and adds its counts
// to fig.
func sameNameRound(ctx context.Context, t testing.TB, sb *sandbox.Server, admC steps.Client, id steps.PlaybookID, round int, fig *raceFigures) {
	t.Helper()
	adm := newAdmin(t, sb)
	s := settings(sb, id)
	names := raceNames{api: s.APIIdentifier, app: s.AppName, conn: s.ConnectionName, email: s.UserEmail}
	p, _ := steps.PlaybookByID(id)
	if !p.Has(steps.KindConnection) {
		names.conn, names.email = "\x00", "\x00" // the playbook makes neither
	}
	seeded := seedForeign(ctx, t, admC, round)
	start := adm.snapshot()
	if left := toolResources(adm, names); len(left) > 0 {
		t.Fatalf("round %d starts with resources of the tool's names: %v", round, left)
	}

	dir := t.TempDir()
	outs := make([]*raceOutcome, raceRuns)
	var wg sync.WaitGroup
	for i := range outs {
		o := &raceOutcome{rc: &raceCounter{}, path: filepath.Join(dir, fmt.Sprintf("run%d.journal.json", i))}
		outs[i] = o
		j, err := steps.OpenJournal(o.path, false)
		if err != nil {
			t.Fatal(err)
		}
		o.j = j
		c, err := auth0client.New(auth0client.Config{Domain: sb.Domain, ClientID: sb.ClientID, ClientSecret: sb.ClientSecret, CAPEM: sb.CAPEM, Trace: o.rc})
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			began := time.Now()
			_, _, _, o.err = applyOnce(ctx, t, c, id, s, o.j)
			o.took = time.Since(began)
		}()
	}
	wg.Wait()
	fig.Rounds++

	// What each journal records, by "kind id".
	created := map[string]int{}  // recorded as created (answered or proven)
	claimed := map[string]int{}  // created, or pending and found again by teardown's rule
	recorded := map[string]int{} // in a journal, whatever its action
	mid := toolResources(adm, names)
	for _, o := range outs {
		fig.Applies++
		o.rc.mu.Lock()
		fig.Requests = append(fig.Requests, o.rc.mgmt)
		fig.RateLimited = append(fig.RateLimited, o.rc.limited)
		fig.LockRequests = append(fig.LockRequests, o.rc.lockReq)
		o.rc.mu.Unlock()
		fig.ApplyTime = append(fig.ApplyTime, o.took)
		if o.err != nil {
			fig.Failed++
			fig.Why[failureReason(o.err)]++
			if errors.Is(o.err, steps.ErrForeign) || errors.Is(o.err, steps.ErrUnmarkedClient) {
				fig.FalseConflicts++
				fig.problem("round %d: false conflict: %v", round, o.err)
			}
		}
		jf := readJournalFile(t, o.path)
		for _, r := range jf.Resources {
			key := r.Kind + " " + r.ID
			recorded[key]++
			switch r.Action {
			case "created":
				created[key]++
				claimed[key]++
			case "pending":
				// Teardown looks it up: an application by this run's
				// marker, a unique key by the key.
				for k, res := range mid {
					if !strings.HasPrefix(k, r.Kind+" ") || strings.Contains(res.label, "API urn:auth0-wizard:lock:") {
						continue
					}
					if r.Kind == "client" && !strings.HasSuffix(res.label, " run "+jf.RunID) {
						continue
					}
					claimed[k]++
				}
			}
		}
	}
	apps, grants := 0, map[string]int{}
	for k, res := range mid {
		label := res.label
		switch {
		case strings.HasPrefix(k, "client "):
			apps++
		case strings.HasPrefix(k, "client_grant "):
			grants[label]++
		}
		if claimed[k] == 0 && recorded[k] > 0 && slices.ContainsFunc(res.with, func(w string) bool { return claimed[w] > 0 }) {
			// Recorded, as reused, by every run: its create went
			// unanswered, and the run that sent it could not prove it its
			// own, its application or API being another run's (issue 9:
			// fields prove a grant only between this run's own). It is
			// not left behind: it goes with the application or API a
			// journal holds, when that journal is torn down.
			claimed[k]++
			fig.GoWithParent++
		}
		if claimed[k] == 0 {
			fig.Orphans++
			fig.problem("round %d: orphan %s (%s): no journal records it as created or pending (%d record it otherwise)", round, k, label, recorded[k])
		}
		if created[k] > 1 {
			fig.DoubleClaim++
			fig.problem("round %d: %s (%s) is recorded as created by %d journals", round, k, label, created[k])
		}
	}
	if apps > 1 {
		fig.Duplicates += apps - 1
		fig.problem("round %d: %d applications named %s", round, apps, names.app)
	}
	for label, n := range grants {
		if n > 1 {
			fig.Duplicates += n - 1
			fig.problem("round %d: %d grants: %s", round, n, label)
		}
	}

	// Every journal's teardown, one after the other; one that fails on
	// the faults is run again, as a person would.
	for _, o := range outs {
		var err error
		for try := 0; try < 3; try++ {
			if err = steps.NewEngine(admC).Teardown(ctx, o.j, nil); err == nil {
				break
			}
			if errors.Is(err, steps.ErrForeign) {
				fig.FalseConflicts++
				fig.problem("round %d: teardown refused a resource of this tool: %v", round, err)
				break
			}
			fig.TeardownRetries++
		}
		if err != nil {
			fig.problem("round %d: teardown failed: %v", round, err)
		}
	}
	end := adm.snapshot()
	if left := toolResources(adm, names); len(left) > 0 {
		fig.LeftAfterTeardown += len(left)
		for k, res := range left {
			fig.problem("round %d: left after every teardown: %s (%s)", round, k, res.label)
		}
	}
	for _, sid := range seeded {
		if !slices.ContainsFunc(end, func(l string) bool { return strings.Contains(l, " "+sid+" ") }) {
			fig.ForeignDeletions++
			fig.problem("round %d: the other administrator's %s was deleted", round, sid)
		}
	}
	if d := snapDiff(start, end); d != "" {
		fig.NotRestored++
		fig.problem("round %d: teardown did not restore the tenant:\n%s", round, d)
	}
	removeForeign(ctx, t, admC, seeded)
}

// failureReason is a run's error in a few words, to count failures by.
func failureReason(err error) string {
	msg := err.Error()
	switch {
	case errors.Is(err, steps.ErrForeign), errors.Is(err, steps.ErrUnmarkedClient):
		return "someone else's resource (false conflict)"
	case strings.Contains(msg, "may not use the password-realm grant"):
		// Not a fault: another run of the tool took the application's
		// temporary password-realm grant back between this run's check of
		// it and its test login (steps/apply.go tokens).
		return "test login refused: another run took the shared application's temporary password-realm grant back"
	case strings.Contains(msg, "gave up after"):
		return "a create gave up after its attempts, none committed"
	case strings.Contains(msg, "rate limit held"):
		return "the rate limit held after several waits (429)"
	case strings.Contains(msg, "looking it up"):
		return "the look-up after an uncertain create failed"
	case strings.Contains(msg, "lock"):
		return "the lock: " + firstLine(msg)
	case strings.Contains(msg, "server error") || strings.Contains(msg, "HTTP 503") || strings.Contains(msg, "HTTP 502"):
		return "a request failed after its retries (5xx): " + firstLine(msg)
	}
	return firstLine(msg)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// runRaces runs rounds rounds, the playbooks in turn, on one sandbox.
func runRaces(t testing.TB, rounds int, seed int64, failRate float64) *raceFigures {
	t.Helper()
	ctx := context.Background()
	sb, admC := startSandbox(t, sandbox.Options{FailRate: failRate, RateLimit: raceRate, Seed: seed})
	fig := &raceFigures{Why: map[string]int{}, FailRate: failRate}
	for round := 0; round < rounds; round++ {
		id := steps.WSO2
		if round%2 == 1 {
			id = steps.Azure
		}
		sameNameRound(ctx, t, sb, admC, id, round, fig)
	}
	return fig
}

// uncontended counts the requests of one apply alone, without faults or
// a rate limit: the engine's own cost, the lock's included.
func uncontended(t testing.TB, id steps.PlaybookID) (total, lock int) {
	t.Helper()
	sb, _ := startSandbox(t, sandbox.Options{Seed: 7})
	rc := &raceCounter{}
	c, err := auth0client.New(auth0client.Config{Domain: sb.Domain, ClientID: sb.ClientID, ClientSecret: sb.ClientSecret, CAPEM: sb.CAPEM, Trace: rc})
	if err != nil {
		t.Fatal(err)
	}
	j, _ := steps.OpenJournal("", false)
	if _, _, _, err := applyOnce(context.Background(), t, c, id, settings(sb, id), j); err != nil {
		t.Fatal(err)
	}
	return rc.mgmt, rc.lockReq
}

// report is the figures as lines.
func (f *raceFigures) report() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d rounds × %d concurrent same-name applies (wso2 and azure in turn), --fail-rate %.1f, --rate-limit %d:\n",
		f.Rounds, raceRuns, f.FailRate, raceRate)
	fmt.Fprintf(&b, "  duplicates %d, orphans %d (left after teardown %d), double claims %d, false conflicts %d, foreign deletions %d, rounds not restored by teardown %d\n",
		f.Duplicates, f.Orphans, f.LeftAfterTeardown, f.DoubleClaim, f.FalseConflicts, f.ForeignDeletions, f.NotRestored)
	fmt.Fprintf(&b, "  applies %d, failed %d, teardowns run again after a fault %d, grants reused by every run and removed with their application or API %d\n",
		f.Applies, f.Failed, f.TeardownRetries, f.GoWithParent)
	reasons := make([]string, 0, len(f.Why))
	for r := range f.Why {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	for _, r := range reasons {
		fmt.Fprintf(&b, "    %d × %s\n", f.Why[r], r)
	}
	fmt.Fprintf(&b, "  Management API requests per apply: %s; of them 429s: %s; on the locks: %s\n",
		spread(f.Requests), spread(f.RateLimited), spread(f.LockRequests))
	var times []int
	for _, d := range f.ApplyTime {
		times = append(times, int(d.Milliseconds()))
	}
	fmt.Fprintf(&b, "  apply time (ms): %s\n", spread(times))
	return b.String()
}

// spread is min / median / mean / max.
func spread(xs []int) string {
	if len(xs) == 0 {
		return "-"
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	sum := 0
	for _, x := range s {
		sum += x
	}
	return fmt.Sprintf("min %d, median %d, mean %.1f, max %d", s[0], s[len(s)/2], float64(sum)/float64(len(s)), s[len(s)-1])
}

// TestSameNameRaces: a few rounds of the races (see above); every count
// that must be zero is.
func TestSameNameRaces(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("minutes of rate-limited races")
	}
	fig := runRaces(t, 3, 2026, raceFailRate)
	for _, id := range []steps.PlaybookID{steps.WSO2, steps.Azure} {
		total, lock := uncontended(t, id)
		t.Logf("%s alone, no faults: %d Management API requests per apply, %d of them on the locks", id, total, lock)
	}
	t.Log(fig.report())
	if len(fig.Problems) > 0 {
		t.Fatalf("%d problems:\n%s", len(fig.Problems), strings.Join(fig.Problems, "\n"))
	}
	if fig.Applies != 3*raceRuns {
		t.Fatalf("%d applies ran, want %d", fig.Applies, 3*raceRuns)
	}
	if fig.Failed == fig.Applies {
		t.Fatalf("every apply failed: %v", fig.Why)
	}
}

// BenchmarkSameNameRaces runs the 25 rounds issue 9 asks for and prints
// the figures (go test -run '^$' -bench SameNameRaces -benchtime 1x ./steps).
func BenchmarkSameNameRaces(b *testing.B) {
	for i := 0; i < b.N; i++ {
		fig := runRaces(b, 25, 2026+int64(i), raceFailRate)
		fmt.Print(fig.report())
		// The same races without faults: what contention alone costs.
		calm := runRaces(b, 4, 2026+int64(i), 0)
		fmt.Print(calm.report())
		fig.Problems = append(fig.Problems, calm.Problems...)
		for _, id := range []steps.PlaybookID{steps.WSO2, steps.Azure} {
			total, lock := uncontended(b, id)
			fmt.Printf("  %s alone, no faults: %d Management API requests per apply, %d of them on the locks\n", id, total, lock)
		}
		if len(fig.Problems) > 0 {
			fmt.Printf("%d problems:\n%s\n", len(fig.Problems), strings.Join(fig.Problems, "\n"))
			b.Fail()
		}
	}
}
