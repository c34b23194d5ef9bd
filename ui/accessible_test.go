package ui

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// TestAccessibleLineModeCompletesWSO2 drives the line mode as a screen
// reader user would, answering only the playbook question and keeping every
// prefilled value.
func TestAccessibleLineModeCompletesWSO2(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	o := sandboxOptions(t, sb)
	var out bytes.Buffer
	got, err := RunAccessible(o.Context, o, &lineReader{lines: []string{"1", "", "", "", "", "", "", "", "", "", "", "", "", "y", "4", "1"}}, &out) // with the API Manager step: URL, user, no password
	if err != nil {
		t.Fatalf("RunAccessible: %v\n%s", err, out.String())
	}
	if !got.Applied || !got.Result.Token.Verified {
		t.Fatalf("outcome = %+v\n%s", got, out.String())
	}
	text := out.String()
	if len(got.Exports) != 1 || !strings.HasSuffix(got.Exports[0], "-keymanager.json") {
		t.Fatalf("exports written = %v, want the wso2 one\n%s", got.Exports, out.String())
	}
	for _, line := range strings.Split(text, "\n") {
		if lipWidth(line) > 80 && strings.Contains(line, " ") && !strings.Contains(line, "http") && !strings.Contains(line, "/tmp") {
			t.Errorf("line mode line wider than the terminal (80): %q", line)
		}
	}
	for _, want := range []string{"Step 1 of 7: Tenant", "✓ the tenant answers", "Step 4 of 7: WSO2 key manager", "Well-known URL", "✓ created client_grant", "✓ done token", "✓ wrote "} {
		if !strings.Contains(text, want) {
			t.Fatalf("line mode output lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, sb.ClientSecret) {
		t.Fatalf("line mode printed the management secret")
	}
}

// lineReader hands out one line per Read, as a terminal does when a person
// types, so each of huh's line prompts reads only its own answer.
type lineReader struct{ lines []string }

func (r *lineReader) Read(p []byte) (int, error) {
	if len(r.lines) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.lines[0]+"\n")
	r.lines = r.lines[1:]
	return n, nil
}

func TestAccessibleLineModeAzureWithTypedAnswers(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	o := sandboxOptions(t, sb)
	var out bytes.Buffer
	// playbook 2; tenant, client id, audience kept; API name, identifier,
	// algorithm, app name, APIM instance, APIM server kept; a connection
	// name and an email typed; apply.
	in := &lineReader{lines: []string{"2", "", "", "", "", "", "", "", "", "", "Calculator-Users", "jane@example.com", "y", "2", "1"}}
	got, err := RunAccessible(o.Context, o, in, &out)
	if err != nil {
		t.Fatalf("RunAccessible: %v\n%s", err, out.String())
	}
	if !got.Applied || got.Result.UserToken == nil || !got.Result.UserToken.Verified {
		t.Fatalf("outcome = %+v\n%s", got, out.String())
	}
	if len(got.Exports) != 1 {
		t.Fatalf("exports written = %v, want the json one\n%s", got.Exports, out.String())
	}
	for _, want := range []string{"Calculator-Users", "jane@example.com", "✓ created user", "✓ wrote ", "(default: RS256)", "Write an export?"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("line mode output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestAccessibleLineModeChecksAnExistingSetup(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	o := sandboxOptions(t, sb)
	var out bytes.Buffer
	in := &lineReader{lines: []string{"3", "1", "", "", "", "", "", "", "", "", ""}} // check, wso2, keep the rest
	got, err := RunAccessible(o.Context, o, in, &out)
	if err != nil {
		t.Fatalf("RunAccessible: %v\n%s", err, out.String())
	}
	// Nothing was made on this tenant: the resource server check fails.
	if got.Applied || len(got.Checks) == 0 || !steps.DoctorFailed(got.Checks) {
		t.Fatalf("outcome = %+v\n%s", got, out.String())
	}
	if txt := PlainSummary(got, false); !strings.Contains(txt, "FAIL") || !strings.Contains(txt, "fix:") {
		t.Fatalf("plain text of the checks:\n%s", txt)
	}
}
