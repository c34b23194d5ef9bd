package main

import (
	"encoding/csv"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/auth0-wizard/auth0-wizard/internal/sandboxtest"
)

// What a trainer does, command by command, against a tenant that outlives
// the commands: make the kits (handouts and CSV, all 0600), check them with
// the doctor, break one and see it named, repair it by running kits again,
// and tear the class down to the tenant as it was.
func TestKitsCommandClassLifecycle(t *testing.T) {
	t.Parallel()
	sb, tenant := persistentTenant(t)
	adm := sandboxtest.NewAdmin(t, sb)
	before := adm.Snapshot()
	dir := t.TempDir()
	journal, out := filepath.Join(dir, "class.json"), filepath.Join(dir, "handouts")
	args := func(extra ...string) []string { return append(append([]string{}, extra...), tenant...) }
	kits := args("kits", "--playbook", "azure", "--count", "3", "--prefix", "team", "--user-email", "trainer@school.example",
		"--journal", journal, "--out", out)

	code, stdout, stderr := runCmd(t, kits...)
	if code != exitOK {
		t.Fatalf("kits: exit %d\n%s%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "3 of 3 kits complete") || !strings.Contains(stderr, "17/17") || !strings.Contains(stderr, "req/s") {
		t.Errorf("kits output:\n%s\n%s", stdout, stderr)
	}
	var names []string
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		names = append(names, e.Name())
		fi, _ := e.Info()
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v", e.Name(), fi.Mode().Perm())
		}
	}
	want := []string{"kits.csv", "team-01.html", "team-01.md", "team-02.html", "team-02.md", "team-03.html", "team-03.md"}
	if !slices.Equal(names, want) {
		t.Fatalf("handouts = %v, want %v", names, want)
	}
	f, _ := os.Open(filepath.Join(out, "kits.csv"))
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(rows) != 4 {
		t.Fatalf("kits.csv: %v, %d rows", err, len(rows))
	}
	md, _ := os.ReadFile(filepath.Join(out, "team-02.md"))
	page, _ := os.ReadFile(filepath.Join(out, "team-02.html"))
	row := rows[2] // label, complete, application, client_id, client_secret, audience, user_email, user_password, ...
	if row[0] != "team-02" || row[1] != "true" || row[6] != "team-02@school.example" {
		t.Fatalf("row of team-02: %v", row)
	}
	for _, v := range []string{row[3], row[4], row[6], row[7], "basic-calculator", sb.Domain, "/oauth/token", "curl "} {
		if !strings.Contains(string(md), v) {
			t.Errorf("team-02.md lacks %q", v)
		}
	}
	for _, v := range []string{row[3], row[4], row[6], "<pre>curl", "@media print"} {
		if !strings.Contains(string(page), v) {
			t.Errorf("team-02.html lacks %q", v)
		}
	}
	if strings.Contains(stderr, row[4]) || strings.Contains(stderr, row[7]) || strings.Contains(stdout, row[4]) {
		t.Error("a kit's secret or password reached the command's output")
	}

	doctor := args("doctor", "--kits", "--journal", journal)
	code, stdout, stderr = runCmd(t, doctor...)
	if code != exitOK || strings.Count(stdout, "ok      team-") != 3 {
		t.Fatalf("doctor --kits: exit %d\n%s%s", code, stdout, stderr)
	}
	// Someone deletes team-02's application.
	adm.Do(http.MethodDelete, sb.BaseURL+"/api/v2/clients/"+row[3], nil, nil)
	code, stdout, stderr = runCmd(t, doctor...)
	if code != exitFailure || !strings.Contains(stdout, "BROKEN  team-02") || strings.Contains(stdout, "BROKEN  team-01") ||
		!strings.Contains(stderr, "1 of 3 kits are broken (team-02)") {
		t.Fatalf("doctor --kits after a deletion: exit %d\n%s%s", code, stdout, stderr)
	}
	// Running kits again makes what is missing.
	if code, stdout, stderr = runCmd(t, kits...); code != exitOK {
		t.Fatalf("kits again: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, stdout, stderr = runCmd(t, doctor...); code != exitOK {
		t.Fatalf("doctor --kits after the repair: exit %d\n%s%s", code, stdout, stderr)
	}

	if code, stdout, stderr = runCmd(t, args("teardown", "--journal", journal)...); code != exitOK {
		t.Fatalf("teardown: exit %d\n%s%s", code, stdout, stderr)
	}
	if want := "turned the connection off for 3 applications"; !strings.Contains(stdout, want) {
		t.Errorf("teardown's summary lacks %q:\n%s", want, stdout)
	}
	if got := adm.Snapshot(); !slices.Equal(got, before) {
		t.Errorf("teardown left:\n%s", strings.Join(got, "\n"))
	}
}

func TestKitsCommandUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"kits", "--sandbox", "--playbook", "azure"},
		{"kits", "--sandbox", "--playbook", "azure", "--count", "2", "--prefix", "a b"},
		{"kits", "--sandbox", "--count", "2"},
		{"doctor", "--kits", "--sandbox"},
	} {
		if code, _, stderr := runCmd(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d\n%s", args, code, exitUsage, stderr)
		}
	}
}
