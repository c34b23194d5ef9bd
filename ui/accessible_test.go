package ui

import (
	"bytes"
	"strings"
	"testing"
)

// TestAccessibleLineModeCompletesWSO2 drives the line mode as a screen
// reader user would, answering only the playbook question and keeping every
// prefilled value.
func TestAccessibleLineModeCompletesWSO2(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	o := sandboxOptions(t, sb)
	var out bytes.Buffer
	got, err := RunAccessible(o.Context, o, strings.NewReader("1\n\n\n\n\n\n\n\n\n\n\n\ny\n"), &out)
	if err != nil {
		t.Fatalf("RunAccessible: %v\n%s", err, out.String())
	}
	if !got.Applied || !got.Result.Token.Verified {
		t.Fatalf("outcome = %+v\n%s", got, out.String())
	}
	text := out.String()
	for _, want := range []string{"Step 1 of 6: Tenant", "✓ the tenant answers", "Step 3 of 6", "Well-known URL", "client_grant: ✓ created", "token: ✓"} {
		if !strings.Contains(text, want) {
			t.Fatalf("line mode output lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, sb.ClientSecret) {
		t.Fatalf("line mode printed the management secret")
	}
}
