package redact

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
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
			out := Body(tc.contentType, []byte(tc.body), true)
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

// TestTransportTracesRedacted: a traced exchange shows the request and the
// answer with no secret in them (header values, body and query fields, JWTs
// and the kept secrets, as they are and escaped), the caller reads the whole
// answer, and a body that is neither JSON nor a form is shown only when
// TextBodies says so.
func TestTransportTracesRedacted(t *testing.T) {
	t.Parallel()
	const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/text" {
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, "plain words with kept-s3cr3t/value in them")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Set-Cookie", "session=cookie-value")
		_, _ = io.WriteString(w, `{"access_token":"`+jwt+`","name":"app","note":"kept-s3cr3t/value","ticket":"`+jwt+`"}`)
	}))
	t.Cleanup(srv.Close)
	for _, text := range []bool{true, false} {
		var trace bytes.Buffer // written in RoundTrip, on the caller's goroutine
		secrets := &Secrets{}
		secrets.Add("kept-s3cr3t/value")
		secrets.Add("abc") // too short to scrub
		c := &http.Client{Transport: &Transport{Next: http.DefaultTransport, W: &trace, Secrets: secrets, TextBodies: text}}

		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/oauth/token?client_secret=q-s3cr3t&x=1", strings.NewReader("grant_type=password&password=hunter22&note=kept-s3cr3t%2Fvalue"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Ticket", jwt) // no field says it is a secret: its shape does
		req.SetBasicAuth("user", "basic-pass")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if !strings.Contains(string(body), jwt) {
			t.Fatalf("the caller does not read the whole answer: %s", body)
		}
		resp, err = c.Get(srv.URL + "/text")
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.ReadAll(resp.Body)
		_ = resp.Body.Close()

		out := trace.String()
		for _, secret := range []string{jwt, "q-s3cr3t", "hunter22", "kept-s3cr3t", "kept-s3cr3t%2Fvalue", "basic-pass", "dXNlcjpiYXNpYy1wYXNz", "cookie-value"} {
			if strings.Contains(out, secret) {
				t.Errorf("text bodies %v: the trace holds %q:\n%s", text, secret, out)
			}
		}
		for _, want := range []string{"--> POST " + srv.URL + "/oauth/token?client_secret=%5BREDACTED%5D&x=1", "Authorization: Basic [REDACTED]",
			"grant_type=password", "password=%5BREDACTED%5D", "<-- 200 OK", `"name":"app"`, `"access_token":"[REDACTED]"`, "Set-Cookie: [REDACTED]", "X-Ticket: [REDACTED]", `"ticket":"[REDACTED]"`} {
			if !strings.Contains(out, want) {
				t.Errorf("text bodies %v: the trace lacks %q:\n%s", text, want, out)
			}
		}
		if got := strings.Contains(out, "plain words with [REDACTED] in them"); got != text {
			t.Errorf("text bodies %v: the text body shown = %v:\n%s", text, got, out)
		}
		if !text && !strings.Contains(out, "[body of 42 bytes not shown]") {
			t.Errorf("the text body is not said by its size:\n%s", out)
		}
	}
}
