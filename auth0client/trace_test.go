package auth0client

import (
	"strings"
	"testing"
)

func TestRedactBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, contentType, body string
		keep, drop              []string
	}{
		{"form", "application/x-www-form-urlencoded", "grant_type=password&username=a%40b.c&password=hunter22&client_secret=s3cr3t&token=tok123",
			[]string{"grant_type=password", "username=a%40b.c"}, []string{"hunter22", "s3cr3t", "tok123"}},
		{"json nested", "application/json", `{"client":{"client_secret":"s3cr3t","name":"n"},"list":[{"password":"hunter22"}],"id_token":"idtok","refresh_token":"rt1"}`,
			[]string{`"name":"n"`}, []string{"s3cr3t", "hunter22", "idtok", "rt1"}},
		{"json without content type", "", `{"access_token":"abc123xyz"}`, nil, []string{"abc123xyz"}},
		{"cut JSON is not shown", "application/json", `{"clients":[{"client_secret":"s3cr3t-value","name":"n"}`, []string{"not shown"}, []string{"s3cr3t-value"}},
		{"big JSON is redacted before it is cut", "application/json", `{"clients":[{"client_secret":"early-s3cr3t"},` + strings.Repeat(`{"name":"filler-app-with-a-long-name"},`, 3000) + `{"name":"last"}]}`,
			[]string{"bytes in all", `"client_secret":"[REDACTED]"`}, []string{"early-s3cr3t"}},
		{"signing secret", "application/json; charset=utf-8", `{"signing_secret":"hs256-secret","identifier":"x"}`, []string{`"identifier":"x"`}, []string{"hs256-secret"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := redactBody(tc.contentType, []byte(tc.body))
			for _, k := range tc.keep {
				if !strings.Contains(out, k) {
					t.Errorf("redacted %q lost %q", out, k)
				}
			}
			for _, d := range tc.drop {
				if strings.Contains(out, d) {
					t.Errorf("redacted %q keeps %q", out, d)
				}
			}
		})
	}
}
