package ui

import (
	"path/filepath"
	"strings"
	"testing"

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
