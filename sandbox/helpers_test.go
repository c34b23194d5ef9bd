package sandbox

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"
)

// start runs a sandbox for one test and closes it at the end.
func start(t *testing.T, opts Options) *Server {
	t.Helper()
	if opts.Seed == 0 {
		opts.Seed = 7
	}
	if opts.signingKey == nil {
		opts.signingKey = testKey()
	}
	opts.checkIndexes = true
	s, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// answer is a decoded HTTP answer.
type answer struct {
	status int
	header http.Header
	raw    []byte
}

func (a answer) object(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(a.raw, &m); err != nil {
		t.Fatalf("answer %d is not a JSON object: %v: %s", a.status, err, a.raw)
	}
	return m
}

func (a answer) array(t *testing.T) []any {
	t.Helper()
	var l []any
	if err := json.Unmarshal(a.raw, &l); err != nil {
		t.Fatalf("answer %d is not a JSON array: %v: %s", a.status, err, a.raw)
	}
	return l
}

// call sends one request; body is JSON-encoded unless it is a string or
// []byte already.
func call(t *testing.T, s *Server, method, path, token string, body any) answer {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, s.BaseURL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return sendRequest(t, s, req)
}

// sendRequest sends req to the sandbox and reads its whole answer.
func sendRequest(t *testing.T, s *Server, req *http.Request) answer {
	t.Helper()
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{status: resp.StatusCode, header: resp.Header, raw: raw}
}

// token gets a client_credentials token with a form body and body
// credentials.
func token(t *testing.T, s *Server, clientID, secret, audience string) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret}, "audience": {audience}}
	return postToken(t, s, form)["access_token"].(string)
}

// postToken sends a form to /oauth/token and returns its 200 answer.
func postToken(t testing.TB, s *Server, form url.Values) map[string]any {
	t.Helper()
	resp, err := s.Client().PostForm(s.BaseURL+"/oauth/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("token (%s for %s): %d %v", form.Get("grant_type"), form.Get("client_id"), resp.StatusCode, out)
	}
	return out
}

func mgmtToken(t *testing.T, s *Server) string {
	t.Helper()
	return token(t, s, s.ClientID, s.ClientSecret, s.Audience)
}

func wantStatus(t *testing.T, a answer, want int) {
	t.Helper()
	if a.status != want {
		t.Fatalf("status %d, want %d: %s", a.status, want, a.raw)
	}
}

// testKey is one RSA key shared by the tests of this package, so that each
// sandbox starts in milliseconds.
var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// relyingParty checks a token as an application would (jwx: the signature
// with alg and key, then exp, nbf and the validations given) and returns
// its header and its claims as the JSON objects the token carries.
func relyingParty(t *testing.T, raw string, alg jwa.SignatureAlgorithm, key any, validate ...jwt.ValidateOption) (hdr, claims map[string]any) {
	t.Helper()
	opts := []jwt.ParseOption{jwt.WithKey(alg, key)}
	for _, v := range validate {
		opts = append(opts, v)
	}
	if _, err := jwt.ParseString(raw, opts...); err != nil {
		t.Fatalf("the token does not verify: %v", err)
	}
	return unverifiedJWT(t, raw)
}

// unverifiedJWT decodes a compact JWT's header and claims without checking
// them.
func unverifiedJWT(t *testing.T, raw string) (hdr, claims map[string]any) {
	t.Helper()
	msg, err := jws.ParseString(raw)
	if err != nil || len(msg.Signatures()) != 1 {
		t.Fatalf("not a compact JWS: %v", err)
	}
	h, err := json.Marshal(msg.Signatures()[0].ProtectedHeaders())
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(h, &hdr); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(msg.Payload(), &claims); err != nil {
		t.Fatalf("the payload is not a JSON object: %v", err)
	}
	return hdr, claims
}

// checkpointWalk follows a checkpoint list (path asks for the first page,
// with take) through its next cursors, and returns each item's idField in
// the order the pages gave them; a walk of more than 20 pages fails.
func checkpointWalk(t *testing.T, s *Server, tok, path, key, idField string) []string {
	t.Helper()
	var seen []string
	next := path
	for pages := 0; ; pages++ {
		if pages > 20 {
			t.Fatalf("checkpoint paging of %s does not end", path)
		}
		page := call(t, s, "GET", next, tok, nil).object(t)
		for _, item := range page[key].([]any) {
			seen = append(seen, item.(map[string]any)[idField].(string))
		}
		cursor, _ := page["next"].(string)
		if cursor == "" {
			return seen
		}
		next = path + "&from=" + url.QueryEscape(cursor)
	}
}
