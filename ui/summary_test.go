package ui

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// summaryModel is the wizard on the summary of an applied run of playbook
// id, the result made up (nothing runs), exports written to a temp dir.
func summaryModel(t *testing.T, id steps.PlaybookID, w, h int, reveal bool) Model {
	t.Helper()
	m := New(Options{Playbook: id, ExportDir: t.TempDir(), Reveal: reveal})
	nm, _ := m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	m = nm.(Model)
	m.sess.settings = steps.WithDefaults(steps.Settings{
		Playbook: id, Domain: "acme.example.com", ClientID: "mgmt-client", ClientSecret: "fake-mgmt-secret",
		UserEmail: "demo@example.com",
	})
	m.sess.result = steps.Result{
		Playbook: id, Domain: "acme.example.com", ClientID: "app-client", ClientSecret: "fake-app-secret",
		Audience: "wso2-resource-server", JournalPath: filepath.Join(t.TempDir(), "journal.json"),
		Endpoints: steps.Endpoints{
			Issuer: "https://acme.example.com/", TokenEndpoint: "https://acme.example.com/oauth/token",
			JWKSURI: "https://acme.example.com/.well-known/jwks.json",
		},
		Resources: []steps.Resource{
			{Kind: steps.KindResourceServer, ID: "403269f131816700cb642dc4", Name: "WSO2 resource server API (wso2-resource-server)", Action: "created"},
			{Kind: steps.KindClient, ID: "app-client", Name: "WSO2 APIM application", Action: "created"},
			{Kind: steps.KindClientGrant, ID: "cgr_NiSpAVnwy89syKwv", Name: "WSO2 APIM application → wso2-resource-server", Action: "created"},
		},
	}
	m.sess.applied = true
	m, _ = m.goTo(stageSummary, 0)
	return m
}

// exportRow is the summary's export choices as plain text.
func exportRow(t *testing.T, m Model) string {
	t.Helper()
	for _, l := range strings.Split(ansiStrip(m.render()), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "Export ") {
			return strings.Join(strings.Fields(l), " ")
		}
	}
	t.Fatalf("no export row on:\n%s", ansiStrip(m.render()))
	return ""
}

// TestSummaryOffersThePlaybooksExports: after azure the wso2 key manager
// (half empty) is not offered, nor azure's policy after wso2.
func TestSummaryOffersThePlaybooksExports(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		id     steps.PlaybookID
		row    string
		absent string
	}{
		{steps.WSO2, "Export [json] dotenv wso2", "azure-policy"},
		{steps.Azure, "Export [json] dotenv azure-policy", "wso2"},
	} {
		t.Run(string(tc.id), func(t *testing.T) {
			t.Parallel()
			m := summaryModel(t, tc.id, 80, 24, false)
			if row := exportRow(t, m); row != tc.row || strings.Contains(row, tc.absent) {
				t.Fatalf("export row %q, want %q", row, tc.row)
			}
		})
	}
}

// pressKeys sends keys to m, each followed by what its commands report
// (an export written, a fact), and returns the model and the last
// clipboard text a copy set.
func pressKeys(t *testing.T, m Model, keys ...string) (Model, string) {
	t.Helper()
	var clip string
	for _, k := range keys {
		nm, cmd := m.Update(keyMsg(k))
		m = nm.(Model)
		queue := []tea.Cmd{cmd}
		for len(queue) > 0 {
			cmd, queue = queue[0], queue[1:]
			if cmd == nil {
				continue
			}
			msg := cmd()
			if v := reflect.ValueOf(msg); v.IsValid() && v.Kind() == reflect.String && strings.Contains(v.Type().String(), "Clipboard") {
				clip = v.String()
				continue
			}
			switch msg := msg.(type) {
			case nil, spinner.TickMsg:
				continue
			case tea.BatchMsg:
				queue = append(queue, msg...)
				continue
			}
			nm, cmd = m.Update(msg)
			m = nm.(Model)
			queue = append(queue, cmd)
		}
	}
	return m, clip
}

// TestMaskedExportSaysSo: an export written while the secret is masked says
// so on the status line, and how to include it; the key manager JSON said
// nothing and held "client_secret": "********".
func TestMaskedExportSaysSo(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		id     steps.PlaybookID
		format string
		keys   []string
		note   string
	}{
		{steps.WSO2, "wso2", []string{"right", "right", "enter"}, "or fill it in the admin portal"},
		{steps.WSO2, "json", []string{"enter"}, "press s, then export again"},
		{steps.WSO2, "dotenv", []string{"right", "enter"}, "AUTH0_CLIENT_SECRET is left out"},
	} {
		t.Run(tc.format, func(t *testing.T) {
			t.Parallel()
			m := summaryModel(t, tc.id, 80, 24, false)
			m, _ = pressKeys(t, m, tc.keys...)
			path := exportPath(m.opts.ExportDir, tc.id, tc.format)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("export not written: %v", err)
			}
			if strings.Contains(string(data), "fake-") {
				t.Fatalf("a masked export holds a secret:\n%s", data)
			}
			screen := ansiStrip(m.render())
			requireFits(t, screen, 80, 24)
			if flat := strings.Join(strings.Fields(screen), " "); !strings.Contains(flat, "✓ wrote") || !strings.Contains(flat, tc.note) {
				t.Fatalf("the status does not say the secret is left out (%q):\n%s", tc.note, screen)
			}

			// s, then export again: the file holds the secret, 0600, and the
			// status says so without the note.
			m, _ = pressKeys(t, m, "s", "enter")
			if data, _ = os.ReadFile(path); !strings.Contains(string(data), "fake-") {
				t.Fatalf("the export after s lacks the secret:\n%s", data)
			}
			if flat := strings.Join(strings.Fields(ansiStrip(m.render())), " "); !strings.Contains(flat, "holds the secret") || strings.Contains(flat, tc.note) {
				t.Fatalf("status after a revealed export:\n%s", ansiStrip(m.render()))
			}
		})
	}
}

// TestCopyingAMaskedSecretSaysSo: c on the key manager's masked Client
// Secret copies the secret itself (a mask pasted into the admin portal would
// be saved as the connector's secret) and says so.
func TestCopyingAMaskedSecretSaysSo(t *testing.T) {
	t.Parallel()
	p, err := steps.PlaybookByID(steps.WSO2)
	if err != nil {
		t.Fatal(err)
	}
	sess := &session{playbook: p, settings: steps.WithDefaults(steps.Settings{
		Playbook: steps.WSO2, Domain: "acme.example.com", ClientID: "mgmt-client", ClientSecret: "fake-mgmt-secret",
	})}
	c := &common{sess: sess, styles: newStyles(true), keys: newKeyMap()}
	s := newKeyManagerScreen(c, stepIndex(t, p, steps.StepKeyManager)).(*keyManagerScreen)
	s.SetSize(78, 17)
	s.showFields()
	secret := -1
	for i, f := range s.list.fields {
		if f.Secret {
			secret = i
		}
	}
	if secret < 0 || s.list.fields[secret].Value == "fake-mgmt-secret" {
		t.Fatalf("no masked secret among the fields: %+v", s.list.fields)
	}
	for range secret {
		s.Update(keyMsg("down"))
	}
	_, cmd := s.Update(keyMsg("c"))
	if got := reflect.ValueOf(msgOf(cmd)).String(); got != "fake-mgmt-secret" {
		t.Fatalf("c copied %q, want the secret", got)
	}
	v := ansiStrip(s.View())
	if flat := strings.Join(strings.Fields(v), " "); !strings.Contains(flat, "the secret itself") {
		t.Fatalf("copying the masked secret does not say it copied the secret:\n%s", v)
	}
	if lipHeight(v) > 17 {
		t.Fatalf("%d lines in a room of 17:\n%s", lipHeight(v), v)
	}
	for _, l := range strings.Split(v, "\n") {
		if lipWidth(l) > 78 {
			t.Fatalf("line wider than 78: %q", l)
		}
	}
}

// TestSummaryResourcesAlign: the Resources list keeps its columns at 80
// columns: every name starts in one column, after a gap, and an id that does
// not fit beside its name goes under the name, not to the first column.
func TestSummaryResourcesAlign(t *testing.T) {
	t.Parallel()
	for _, w := range []int{80, 120} {
		m := summaryModel(t, steps.WSO2, w, 24, false)
		lines := strings.Split(ansiStrip(m.summary().content()), "\n")
		start := -1
		for i, l := range lines {
			if l == "Resources" {
				start = i + 1
			}
		}
		if start < 0 {
			t.Fatalf("no Resources list:\n%s", strings.Join(lines, "\n"))
		}
		col := -1
		for _, res := range m.sess.result.Resources {
			found := false
			for i := start; i < len(lines) && lines[i] != ""; i++ {
				l := lines[i]
				at := strings.Index(l, res.Name)
				if at < 0 || strings.TrimSpace(l[at:]) != res.Name && !strings.HasPrefix(l[at:], res.Name+"  ") {
					continue // not this resource's line (another name may start with this one)
				}
				found = true
				if col < 0 {
					col = at
				}
				if at != col || l[at-2:at] != "  " {
					t.Fatalf("at %d columns %q starts at %d, want %d after a gap:\n%s", w, res.Name, at, col, strings.Join(lines[start:], "\n"))
				}
				if !strings.Contains(l, res.ID) {
					next := lines[i+1]
					if strings.TrimSpace(next) != res.ID || strings.Index(next, res.ID) != col {
						t.Fatalf("at %d columns the id %s is not under its name:\n%s", w, res.ID, strings.Join(lines[start:], "\n"))
					}
				}
			}
			if !found {
				t.Fatalf("at %d columns %q is not listed:\n%s", w, res.Name, strings.Join(lines[start:], "\n"))
			}
		}
		for _, l := range lines {
			if lipWidth(l) > m.summary().width {
				t.Fatalf("line wider than %d: %q", m.summary().width, l)
			}
		}
	}
}

// TestExportsSurviveTheChecks: files exported before a visit to the checks
// (d, then esc) are still listed at the end; the summary screen is built
// again on the way back and forgot them.
func TestExportsSurviveTheChecks(t *testing.T) {
	t.Parallel()
	m := summaryModel(t, steps.WSO2, 80, 24, false)
	m, _ = pressKeys(t, m, "enter") // json
	want := exportPath(m.opts.ExportDir, steps.WSO2, "json")
	if got := m.Outcome().Exports; len(got) != 1 || got[0] != want {
		t.Fatalf("exports %q, want [%s]", got, want)
	}
	m, _ = pressKeys(t, m, "d")
	if m.stage != stageDoctor {
		t.Fatalf("stage %v, want doctor", m.stage)
	}
	m, _ = pressKeys(t, m, "esc", "right", "enter") // back, then dotenv
	if got := m.Outcome().Exports; len(got) != 2 || got[0] != want {
		t.Fatalf("exports after the checks %q, want %s and the .env", got, want)
	}
	m, _ = pressKeys(t, m, "enter") // the .env again: still listed once
	if got := m.Outcome().Exports; len(got) != 2 {
		t.Fatalf("a file exported twice is listed twice: %q", got)
	}
	if !strings.Contains(strings.Join(strings.Fields(ansiStrip(m.summary().content())), " "), "Exported "+want) {
		t.Fatalf("the summary no longer lists %s:\n%s", want, ansiStrip(m.summary().content()))
	}
}

// TestSecretExportOverAnOlderOneIsPrivate: exporting with the secret shown
// over a file an earlier, masked export wrote (0644) leaves it 0600, as the
// status says (os.WriteFile would keep the older file's mode: the writer
// is atomicfile.Write).
func TestSecretExportOverAnOlderOneIsPrivate(t *testing.T) {
	t.Parallel()
	m := summaryModel(t, steps.WSO2, 80, 24, false)   // the default writer
	m, _ = pressKeys(t, m, "right", "right", "enter") // wso2, masked: 0644
	path := exportPath(m.opts.ExportDir, steps.WSO2, "wso2")
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Fatalf("masked export: %v, mode %v", err, fi.Mode())
	}
	m, _ = pressKeys(t, m, "s", "enter") // again, with the secret
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("the export holding the secret is %v, want 0600; status: %q", fi.Mode().Perm(), m.summary().status)
	}
}
