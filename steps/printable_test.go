package steps

import (
	"strings"
	"testing"
)

func TestPrintable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"Orders API", "Orders API"},
		{"café → ü", "café → ü"},
		{"x\x1b]52;c;aGk=\x07y", `x\x1b]52;c;aGk=\x07y`},
		{"\x1b[2Jgone", `\x1b[2Jgone`},
		{"\x1b]8;;https://evil\x1b\\click\x1b]8;;\x1b\\", `\x1b]8;;https://evil\x1b\click\x1b]8;;\x1b\`},
		{"two\nlines\r", `two\nlines\r`},
		{"\u009b2J", `\u009b2J`}, // C1 CSI
		{"a\u202eb", `a\u202eb`}, // right-to-left override
		{"bad\xffbyte", `bad\xffbyte`},
	} {
		got := Printable(tc.in)
		if got != tc.want {
			t.Errorf("Printable(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if strings.ContainsAny(got, "\x1b\x07\n\r\u009b\u202e") {
			t.Errorf("Printable(%q) still holds a control character: %q", tc.in, got)
		}
	}
}

func TestInputsRejectControlCharacters(t *testing.T) {
	t.Parallel()
	for _, p := range Playbooks() {
		for _, in := range p.Inputs() {
			if in.Validate == nil || in.Secret || len(in.Options) > 0 {
				continue
			}
			switch in.Key {
			case "api_name", "api_identifier", "app_name", "user_email", "key_manager_display_name":
				if err := in.Validate("ok\x1b]52;c;aGk=\x07"); err == nil {
					t.Errorf("%s/%s accepts an OSC 52 sequence", p.ID, in.Key)
				}
			}
		}
	}
}

func TestValidateDomainTakesAnyCaseOfTheScheme(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"HTTPS://my-tenant.us.auth0.com", "Https://my-tenant.us.auth0.com/"} {
		if err := ValidateDomain(v); err != nil {
			t.Errorf("ValidateDomain(%q) = %v", v, err)
		}
	}
	if err := ValidateDomain("HTTPS://my-tenant.us.auth0.com/x"); err == nil {
		t.Error("a path is still refused")
	}
	for in, want := range map[string]string{
		"HTTP://127.0.0.1:8080":           "http://127.0.0.1:8080/api/v2/",
		"Https://my-tenant.us.auth0.com/": "https://my-tenant.us.auth0.com/api/v2/",
		"my-tenant.us.auth0.com":          "https://my-tenant.us.auth0.com/api/v2/",
	} {
		if got := ManagementAudience(in); got != want {
			t.Errorf("ManagementAudience(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestGeneratePasswordPassesEveryPolicy: the password made for the
// sandbox's demo user and each kit's attendee is accepted by the strictest
// level and by password options asking for every class with no character
// three times in a row, and is not the same twice.
func TestGeneratePasswordPassesEveryPolicy(t *testing.T) {
	t.Parallel()
	strict := []PasswordPolicy{
		{Level: "excellent"},
		{Complexity: &PasswordComplexity{MinLength: 16, CharacterTypes: []string{"lowercase", "uppercase", "number", "special"}, BlockIdentical: true}},
	}
	seen := map[string]bool{}
	for range 200 {
		pw := GeneratePassword()
		for _, p := range strict {
			if err := p.Check(pw); err != nil {
				t.Fatalf("%q refused by %s: %v", pw, p, err)
			}
		}
		if strings.ContainsAny(pw, "0O1lI") {
			t.Fatalf("%q holds a character easily misread on paper", pw)
		}
		if seen[pw] {
			t.Fatalf("%q made twice", pw)
		}
		seen[pw] = true
	}
}
