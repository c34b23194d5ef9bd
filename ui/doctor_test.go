package ui

import (
	"strings"
	"testing"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// TestWrapKeepsWordsWhole: text wraps at spaces only, so a URL, a path or a
// hyphenated host that fits on a line is never split; only a word longer
// than the line is broken.
func TestWrapKeepsWordsWhole(t *testing.T) {
	t.Parallel()
	text := "issuer https://127.0.0.1:36291/, token endpoint https://127.0.0.1:36291/oauth/token, JWKS " +
		"https://127.0.0.1:36291/.well-known/jwks.json, e.g. my-tenant.us.auth0.com, a machine-to-machine app"
	for _, width := range []int{30, 40, 58, 72} {
		got := wrap(text, width)
		lines := strings.Split(got, "\n")
		for _, l := range lines {
			if lipWidth(l) > width {
				t.Fatalf("width %d: line %q is %d wide", width, l, lipWidth(l))
			}
		}
		for _, w := range strings.Fields(text) {
			if lipWidth(w) <= width && !strings.Contains(got, w) {
				t.Fatalf("width %d: %q is split:\n%s", width, w, got)
			}
		}
		if strings.Join(strings.Fields(got), "") != strings.Join(strings.Fields(text), "") {
			t.Fatalf("width %d: text changed:\n%s", width, got)
		}
	}
	long := "https://very-long-host-name.example.com/a/very/long/path/that/does/not/fit"
	got := wrap("see "+long, 30)
	for _, l := range strings.Split(got, "\n") {
		if lipWidth(l) > 30 {
			t.Fatalf("a word longer than the line overflows: %q", l)
		}
	}
	if strings.ReplaceAll(got, "\n", "") != "see"+long && strings.ReplaceAll(got, "\n", "") != "see "+long {
		t.Fatalf("a long word lost characters:\n%s", got)
	}
	if got := wrap("    changes: enable the connection for the application", 30); !strings.HasPrefix(got, "    changes:") {
		t.Fatalf("leading indentation lost:\n%s", got)
	}
}

// doctorWith is the checks screen showing results, at width w.
func doctorWith(results []steps.CheckResult, w int) *doctorScreen {
	s := &doctorScreen{common: &common{sess: &session{}, styles: newStyles(true), keys: newKeyMap()}}
	s.results = results
	s.SetSize(w, 20)
	return s
}

// TestDoctorWrapsURLsWhole: the checks screen broke "issuer https://" /
// "127.0.0.1:36291/" across lines.
func TestDoctorWrapsURLsWhole(t *testing.T) {
	t.Parallel()
	why := "https://127.0.0.1:36291/.well-known/openid-configuration answers; issuer https://127.0.0.1:36291/, " +
		"token endpoint https://127.0.0.1:36291/oauth/token, JWKS https://127.0.0.1:36291/.well-known/jwks.json"
	s := doctorWith([]steps.CheckResult{{Status: steps.CheckPass, Title: "Tenant reachable", Why: why}}, 78)
	content := ansiStrip(s.content())
	for _, u := range strings.Fields(why) {
		if strings.HasPrefix(u, "https://") && !strings.Contains(content, strings.TrimRight(u, ",;")) {
			t.Fatalf("%s is split:\n%s", u, content)
		}
	}
}

// TestDoctorVerdictCounts: "1 check failed", "2 checks failed", "1 warning".
func TestDoctorVerdictCounts(t *testing.T) {
	t.Parallel()
	r := func(st steps.CheckStatus) steps.CheckResult { return steps.CheckResult{Status: st, Title: string(st)} }
	for _, tc := range []struct {
		results []steps.CheckResult
		want    string
	}{
		{[]steps.CheckResult{r(steps.CheckFail), r(steps.CheckPass)}, "✗ 1 check failed, 1 passed, 0 warnings"},
		{[]steps.CheckResult{r(steps.CheckFail), r(steps.CheckFail), r(steps.CheckWarn)}, "✗ 2 checks failed, 0 passed, 1 warning"},
		{[]steps.CheckResult{r(steps.CheckPass), r(steps.CheckWarn)}, "✓ no check failed (1 passed, 1 warning)"},
	} {
		if got := ansiStrip(doctorWith(tc.results, 78).View()); !strings.Contains(got, tc.want) {
			t.Errorf("verdict %q, want %q", strings.SplitN(got, "\n", 2)[0], tc.want)
		}
	}
}
