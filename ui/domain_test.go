package ui

import (
	"os"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

func TestDomainHost(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"https://x.eu.auth0.com/", "x.eu.auth0.com"},
		{"HTTPS://X.eu.auth0.com", "x.eu.auth0.com"},
		{"  My-Tenant.us.auth0.com  ", "my-tenant.us.auth0.com"},
		{"tenant.auth0.com.", "tenant.auth0.com"},
		{"127.0.0.1:8443", "127.0.0.1:8443"},
		{"http://127.0.0.1:8080/", "http://127.0.0.1:8080"},      // a loopback sandbox over plain HTTP says so
		{"https://example.com/path", "https://example.com/path"}, // refused: kept as typed for the field to say why
	} {
		if got := domainHost(tc.in); got != tc.want {
			t.Errorf("domainHost(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// A domain typed as a URL is the host everywhere after the tenant screen:
// on that screen, in the review's journal line, the journal file, the
// summary and the exports.
func TestDomainTypedAsAURLIsTheHostEverywhere(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	o := sandboxOptions(t, sb)
	o.Settings.Domain = ""
	d := newDriver(t, o, 100, 40)
	d.press("enter") // wso2
	d.requireStep(steps.StepTenant)
	typed := "HTTPS://" + sb.Domain + "/"
	d.typeText(typed)
	d.press("enter")
	d.waitFor("the tenant answers")
	if got := d.m.sess.settings.Domain; got != sb.Domain {
		t.Fatalf("the domain is kept as %q, want the host %q", got, sb.Domain)
	}
	d.requireScreen("Tenant domain   " + sb.Domain)
	if strings.Contains(d.screen(), "HTTPS://") {
		t.Fatalf("the tenant screen shows the URL as typed:\n%s", d.screen())
	}
	d.press("enter")
	d.requireStep(steps.StepManagement)
	d.press("enter", "enter", "enter")
	d.waitFor("scopes the playbook needs are granted")
	d.press("enter")
	d.press("enter", "enter", "enter") // the API Manager, by hand
	d.press("enter", "enter")
	d.waitFor("Well-known URL")
	d.press("enter")
	d.press("enter", "enter")
	d.requireStep(steps.StepApplication)
	d.press("enter", "enter", "enter")
	d.waitUntil("planned", func(m Model) bool { return m.review().planned || m.review().err != nil })
	d.press("enter")
	d.waitUntil("applied", func(m Model) bool { return m.sess.applied || m.progress().err != nil })
	if err := d.m.progress().err; err != nil {
		t.Fatalf("apply: %v", err)
	}
	d.press("enter")
	d.press("enter") // the first export
	d.waitUntil("exported", func(m Model) bool { return len(m.sess.exports) > 0 })
	d.press("right", "enter") // and the next
	d.waitUntil("exported twice", func(m Model) bool { return len(m.sess.exports) > 1 })
	if d.m.sess.result.Domain != sb.Domain {
		t.Errorf("the result's domain is %q", d.m.sess.result.Domain)
	}
	files := append([]string{o.JournalPath}, d.m.sess.exports...)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "HTTPS://") {
			t.Errorf("%s holds the domain as typed:\n%s", f, b)
		}
		if !strings.Contains(string(b), sb.Domain) {
			t.Errorf("%s does not name the tenant %s", f, sb.Domain)
		}
	}
	j, err := steps.OpenJournal(o.JournalPath, false)
	if err != nil {
		t.Fatal(err)
	}
	if js, _ := j.Settings(); j.Domain() != sb.Domain || js.Domain != sb.Domain {
		t.Errorf("journal domain %q, its settings' %q; want %q", j.Domain(), js.Domain, sb.Domain)
	}
}

// The spinner line names the URL discovery reads: the scheme as the client
// makes it, in any case typed, the host without a trailing slash.
func TestDiscoveryURLTakesTheSchemeInAnyCase(t *testing.T) {
	for in, want := range map[string]string{
		"x.eu.auth0.com":           "https://x.eu.auth0.com/.well-known/openid-configuration",
		"HTTPS://X.eu.auth0.com/":  "https://X.eu.auth0.com/.well-known/openid-configuration",
		"HTTP://127.0.0.1:8443":    "http://127.0.0.1:8443/.well-known/openid-configuration",
		" https://x.eu.auth0.com ": "https://x.eu.auth0.com/.well-known/openid-configuration",
	} {
		if got := discoveryURL(in); got != want {
			t.Errorf("discoveryURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// A value too wide for the screen goes under its label, every line of it
// indented: a 64-character secret at 40 columns was cut into a second line
// at the screen's edge, outside the value's column.
func TestValueLineIndentsEveryLineOfAWideValue(t *testing.T) {
	secret := strings.Repeat("abcdefgh", 8)
	out := valueLine(newStyles(true), "Client secret", secret, 40)
	lines := strings.Split(out, "\n")
	if len(lines) < 3 {
		t.Fatalf("a 64-character value at 40 columns in %d lines:\n%s", len(lines), out)
	}
	var got string
	for _, l := range lines[1:] {
		l = ansi.Strip(l)
		if !strings.HasPrefix(l, "  ") || lipWidth(l) > 40 {
			t.Errorf("line %q is not indented under the label, or wider than 40", l)
		}
		got += strings.TrimPrefix(l, "  ")
	}
	if got != secret {
		t.Errorf("the lines hold %q, want the whole value %q", got, secret)
	}
}
