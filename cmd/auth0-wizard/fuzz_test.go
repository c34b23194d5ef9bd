package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/auth0-wizard/auth0-wizard/auth0client"
	"github.com/auth0-wizard/auth0-wizard/internal/hostname"
)

// terminalSafe says where text written for a terminal holds a character
// that a terminal acts on rather than shows: a C0 control other than a line
// break or a tab (ESC among them), DEL, a C1 control (the 8-bit CSI too),
// a line or paragraph separator or a bidirectional control. It returns the
// offset of the first one, or -1.
func terminalSafe(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		switch {
		case r == '\n' || r == '\t':
		case r < 0x20 || r == 0x7f, unicode.Is(unicode.Cc, r), r == '\u2028' || r == '\u2029', unicode.Is(unicode.Bidi_Control, r):
			return i
		}
		i += size
	}
	return -1
}

// jwt is a token of that header and those claims (the signature is junk:
// nothing here verifies it).
func jwt(header, claims string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(header)) + "." + enc([]byte(claims)) + ".c2ln"
}

// noNetworkFactory is a factory whose clients cannot be made: `token
// decode` then decodes without reaching any tenant.
func noNetworkFactory(in string) (*Factory, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	f := &Factory{In: strings.NewReader(in), Out: &out, Err: &errb,
		LookupEnv: func(string) (string, bool) { return "", false },
		NewClient: func(auth0client.Config) (*auth0client.Client, error) {
			return nil, errors.New("no network in this test")
		}}
	return f, &out, &errb
}

// FuzzTokenDecode: whatever is piped into `token decode`, it does not
// panic; it exits 0 or 1 (never a usage error for what the token holds);
// no character a terminal acts on (ESC of an OSC 52 or OSC 8 sequence, a
// CSI, a bidi override) reaches stdout or stderr from the token, in the
// text output or the JSON; and the JSON's header and claims are the
// token's, as DecodeToken read them. The seeds run in every `go test`.
func FuzzTokenDecode(f *testing.F) {
	rs := `{"alg":"RS256","kid":"k1","typ":"JWT"}`
	// (header, claims): a token of them; (input, ""): that input as it is.
	for _, s := range [][2]string{
		{rs, `{"iss":"https://t.eu.auth0.com/","sub":"a@clients","aud":"https://api","exp":1767225600,"iat":1767222000,"scope":"read:x"}`},
		{rs, `{"name":"\u001b]52;c;aGVsbG8=\u0007","link":"\u001b]8;;https://evil.example\u001b\\click\u001b]8;;\u001b\\","x":"\u001b[2J"}`},
		{rs, `{"csi":"\u009b2J","bidi":"\u202eevil","sep":"a\u2028b","arr":["\u001b[31m","\u009b1m",{"k\u001b":"v\u0085"}],"obj":{"\u009b":1}}`},
		{`{"alg":"none","kid":"\u001b[2J"}`, `{"exp":1e300,"nbf":-1e300,"iat":"soon","auth_time":null}`},
		{`{"alg":"HS256"}`, `{"iss":"http://evil.example/\u001b[2J","exp":9223372036854775807}`},
		{rs, `{"iss":"127.0.0.1:1","exp":-62135596801}`}, {rs, `{"exp":253402300800.5}`},
		{"Bearer " + jwt(rs, `{}`), ""}, {`{"alg":1}`, `{}`}, {rs, `[]`}, {rs, `null`}, {"a.b.c.d.e", ""}, {"x", ""},
		{".", ""}, {"..", ""}, {"\x1b[2J", ""}, {rs, "{\"\xff\":\"\xfe\u0000\"}"}, {rs, `{"a":{"b":[1,2,{"c":"\u009d"}]}}`},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		raw := a
		if b != "" {
			raw = jwt(a, b)
		}
		for _, output := range []string{"text", "json"} {
			fac, out, errb := noNetworkFactory(raw)
			code := runWith(context.Background(), fac, []string{"token", "decode", "--output", output, "-"})
			if code != exitOK && code != exitFailure {
				t.Fatalf("token decode -o %s exited %d:\n%s", output, code, errb)
			}
			for name, b := range map[string][]byte{"stdout": out.Bytes(), "stderr": errb.Bytes()} {
				if i := terminalSafe(b); i >= 0 {
					t.Fatalf("token decode -o %s wrote a terminal control to %s at %d:\n%q", output, name, i, b)
				}
			}
			d, err := auth0client.DecodeToken(raw)
			if err != nil {
				if out.Len() != 0 {
					t.Fatalf("token decode -o %s printed a report of what is not a token (%v):\n%s", output, err, out)
				}
				continue
			}
			if output != "json" {
				continue
			}
			var rep tokenReport
			if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
				t.Fatalf("token decode -o json wrote what is not JSON (%v):\n%s", err, out)
			}
			if !reflect.DeepEqual(rep.Header, d.Header) || !reflect.DeepEqual(rep.Claims, d.Claims) {
				t.Fatalf("token decode -o json changed the token:\n header %v\n   was %v\n claims %v\n   was %v", rep.Header, d.Header, rep.Claims, d.Claims)
			}
		}
	})
}

// FuzzConfigFile: whatever a --config file holds, reading it does not
// panic; a file that is not a config is a usage error (exit 2) that names
// the file; a config read never carries a secret (those come from the
// environment, a file flag or the prompt only), and its domain, when it
// names one that resolve accepts, is one hostname.ParseDomain accepts.
func FuzzConfigFile(f *testing.F) {
	for _, s := range []string{
		"domain: t.eu.auth0.com\nclient_id: abc\nplaybook: wso2\napi_identifier: https://api\n",
		"playbook: azure\nuser_email: jane@example.com\nconnection_name: db\ngrant_types: [client_credentials, password]\nkeep_password_realm: true\n",
		"client_secret: hunter2\n", "password: x\n", "wso2_admin_password: x\n", "user_password: x\n",
		"base: &b {client_secret: hunter2}\n<<: *b\n", "<<: {client_secret: hunter2, domain: t}\n",
		"domain: [a, b]\n", "nope: 1\n", "", "---\n", "- a\n- b\n", "domain: !!binary aGk=\n", "a: &a [*a]\n",
		"{", "\t", "domain: \"\\e[2J\"\n", "ca_file: /dev/null\njournal: j.json\nwso2_token_url: https://x\n", "~\n",
	} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "config.yaml")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		cf, err := loadConfigFile(path)
		if err != nil {
			var u usageError
			if !errors.As(err, &u) {
				t.Fatalf("a config file that cannot be read is not a usage error: %v", err)
			}
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("the error does not name the config file: %v", err)
			}
			return
		}
		if cf.ClientSecret != "" || cf.UserPassword != "" || cf.WSO2AdminPassword != "" {
			t.Fatalf("a config file gave a secret: %q", data)
		}
		if cf.Domain != "" {
			_, _ = hostname.ParseDomain(cf.Domain)
		}
	})
}
