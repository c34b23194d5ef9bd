package steps

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./steps/ -run Export -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s:\n%s", name, path, got)
	}
}

func exportFixture(id PlaybookID) (Result, Settings) {
	d := "my-tenant.us.auth0.com"
	ep := Endpoints{
		Issuer: "https://" + d + "/", AuthorizationEndpoint: "https://" + d + "/authorize",
		TokenEndpoint: "https://" + d + "/oauth/token", UserinfoEndpoint: "https://" + d + "/userinfo",
		JWKSURI: "https://" + d + "/.well-known/jwks.json", RevocationEndpoint: "https://" + d + "/oauth/revoke",
		OpenIDConfiguration: "https://" + d + "/.well-known/openid-configuration",
	}
	s := WithDefaults(Settings{Playbook: id, Domain: d, ClientID: "MGMTclientID0000000000000000000", ClientSecret: "fake-management-secret",
		UserEmail: "jane@example.com", UserPassword: "Passw0rd!x", APIMInstance: "contoso-apim"})
	r := Result{Playbook: id, Domain: d, Endpoints: ep, Audience: s.APIIdentifier,
		ClientID: "APPclientID000000000000000000000", ClientSecret: "fake-app-secret", JournalPath: "auth0-wizard-" + string(id) + ".journal.json",
		Resources: []Resource{
			{Kind: KindResourceServer, ID: "64f0c0ffee0000000000000a", Name: s.APIName + " (" + s.APIIdentifier + ")", Action: "created"},
			{Kind: KindClient, ID: "APPclientID000000000000000000000", Name: s.AppName, Action: "created"},
			{Kind: KindClientGrant, ID: "cgr_0000000000000001", Name: s.AppName + " → " + s.APIIdentifier, Action: "reused"},
		},
		Token: TokenCheck{Verified: true, Claims: map[string]any{"iss": ep.Issuer, "aud": s.APIIdentifier, "azp": "APPclientID000000000000000000000", "scope": "default"}},
	}
	if id == Azure {
		r.Resources = append(r.Resources,
			Resource{Kind: KindConnectionClient, ID: "con_0000000000000001", Name: "x", Action: "updated"},
			Resource{Kind: KindConnection, ID: "con_0000000000000001", Name: s.ConnectionName, Action: "created"},
			Resource{Kind: KindUser, ID: "auth0|000000000000000000000001", Name: s.UserEmail, Action: "created"})
	}
	return r, s
}

func TestExportGolden(t *testing.T) {
	for _, id := range []PlaybookID{WSO2, Azure} {
		for _, format := range ExportFormats() {
			for _, reveal := range []bool{false, true} {
				name := "export-" + string(id) + "-" + format
				if reveal {
					name += "-reveal"
				}
				t.Run(name, func(t *testing.T) {
					r, s := exportFixture(id)
					data, secret, err := Export(format, r, s, reveal)
					if err != nil {
						t.Fatal(err)
					}
					golden(t, name, data)
					carries := bytes.Contains(data, []byte("fake-app-secret")) || bytes.Contains(data, []byte("fake-management-secret"))
					if carries != secret {
						t.Errorf("secret = %v, but the bytes carry one: %v", secret, carries)
					}
					if !reveal && carries {
						t.Error("a secret without reveal")
					}
					switch format {
					case FormatJSON, FormatWSO2:
						if !json.Valid(data) {
							t.Error("not valid JSON")
						}
					case FormatAzurePolicy:
						var v struct {
							XMLName xml.Name `xml:"policies"`
							JWT     struct {
								Header    string   `xml:"header-name,attr"`
								Audiences []string `xml:"audiences>audience"`
								Issuers   []string `xml:"issuers>issuer"`
								OpenID    struct {
									URL string `xml:"url,attr"`
								} `xml:"openid-config"`
							} `xml:"inbound>validate-jwt"`
						}
						if err := xml.Unmarshal(data, &v); err != nil {
							t.Fatalf("not valid XML: %v", err)
						}
						if v.JWT.Header != "Authorization" || !slices.Equal(v.JWT.Audiences, []string{r.Audience}) ||
							!slices.Equal(v.JWT.Issuers, []string{r.Endpoints.Issuer}) || v.JWT.OpenID.URL != r.Endpoints.OpenIDConfiguration {
							t.Errorf("validate-jwt = %+v", v.JWT)
						}
					case FormatDotenv:
						for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
							if line != "" && !strings.HasPrefix(line, "#") && !strings.Contains(line, `="`) {
								t.Errorf("line %q is not KEY=\"value\"", line)
							}
						}
					}
				})
			}
		}
	}
}

func TestOutputHasExactlyTheContractKeys(t *testing.T) {
	t.Parallel()
	r, s := exportFixture(Azure)
	data, _, err := Export(FormatJSON, r, s, false)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"audience", "client_id", "client_secret", "domain", "endpoints", "journal", "playbook", "resources", "token"}
	if !slices.Equal(keys, want) {
		t.Fatalf("keys = %v, want %v", keys, want)
	}
	var doc OutputDocument
	_ = json.Unmarshal(data, &doc)
	if doc.ClientSecret != Masked {
		t.Errorf("client_secret = %q", doc.ClientSecret)
	}
	for _, res := range doc.Resources {
		if !slices.Contains([]ResourceKind{KindResourceServer, KindClient, KindClientGrant, KindConnection, KindUser}, res.Kind) {
			t.Errorf("kind %q is not in the contract", res.Kind)
		}
	}
}

func TestKeyManagerUsesTheManagementApplication(t *testing.T) {
	t.Parallel()
	r, s := exportFixture(WSO2)
	k := KeyManager(r, s, true)
	if k.AdditionalProperties.ClientID != s.ClientID || k.AdditionalProperties.ClientSecret != s.ClientSecret ||
		k.AdditionalProperties.Audience != s.Audience || k.ClientRegistrationEndpoint != s.Audience+"clients" {
		t.Fatalf("connector = %+v", k.AdditionalProperties)
	}
	if KeyManager(r, s, false).AdditionalProperties.ClientSecret != Masked {
		t.Fatal("secret not masked")
	}
	fields := KeyManagerFields(r, s, false)
	if fields[0].Label != "Name" || fields[len(fields)-1].Label != "Audience" {
		t.Fatalf("form order: %v", fields)
	}
	for _, f := range fields {
		if f.Value == "" {
			t.Errorf("%s is empty", f.Label)
		}
		if f.Value == s.ClientSecret {
			t.Errorf("%s shows the secret", f.Label)
		}
	}
}

func TestAzureFields(t *testing.T) {
	t.Parallel()
	r, s := exportFixture(Azure)
	fields := AzureFields(r, s, false)
	get := func(label string) string {
		for _, f := range fields {
			if f.Label == label {
				return f.Value
			}
		}
		t.Fatalf("no field %q", label)
		return ""
	}
	if got := get("Redirect URI"); got != "https://contoso-apim.developer.azure-api.net/signin-oauth/code/callback/auth0" {
		t.Errorf("redirect = %s", got)
	}
	if got := get("Client secret"); got != Masked {
		t.Errorf("secret shown: %s", got)
	}
	if got := get("Authorization endpoint URL"); got != "https://my-tenant.us.auth0.com/authorize?audience=basic-calculator" {
		t.Errorf("authorize = %s", got)
	}
}

func TestExportEscapes(t *testing.T) {
	t.Parallel()
	r, s := exportFixture(Azure)
	r.Audience = `urn:a&b<"c">--d`
	data, _, err := Export(FormatAzurePolicy, r, s, false)
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Aud string `xml:"inbound>validate-jwt>audiences>audience"`
	}
	if err := xml.Unmarshal(data, &v); err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if v.Aud != r.Audience {
		t.Errorf("audience = %q", v.Aud)
	}
	s.AppName = "evil\nAUTH0_CLIENT_ID=x"
	r.ClientID = `a"$b`
	data, _, _ = Export(FormatDotenv, r, s, false)
	if strings.Contains(string(data), "\nAUTH0_CLIENT_ID=x") || !strings.Contains(string(data), `AUTH0_CLIENT_ID="a\"\$b"`) {
		t.Errorf("dotenv not escaped:\n%s", data)
	}
	if _, _, err := Export("yaml", r, s, false); err == nil || !strings.Contains(err.Error(), "azure-policy") {
		t.Errorf("unknown format error = %v", err)
	}
}

func TestExportRegistry(t *testing.T) {
	seen, suffixes := map[string]bool{}, map[string]bool{}
	for _, name := range ExportFormats() {
		f, err := ExportFormatByName(name)
		if err != nil || f.Name != name || !strings.Contains(f.FileSuffix, ".") || f.Render == nil || f.Masks == "" || seen[name] || suffixes[f.FileSuffix] {
			t.Errorf("registry entry %q = %+v, %v: want a unique name and file suffix (with its extension), a render function and what it masks", name, f, err)
		}
		seen[name], suffixes[f.FileSuffix] = true, true
	}
	for _, p := range Playbooks() {
		for _, name := range p.Gateway.Exports {
			if !seen[name] {
				t.Errorf("playbook %s offers export %q, which the registry lacks", p.ID, name)
			}
		}
	}
	if _, err := ExportFormatByName("pdf"); err == nil || !strings.Contains(err.Error(), "json, dotenv") {
		t.Errorf("unknown format: %v, want an error naming the formats", err)
	}
	if _, _, err := Export("pdf", Result{}, Settings{}, false); err == nil {
		t.Error("Export of an unknown format succeeded")
	}
}

func TestExportTemplateIsParsedOnceAndMissingIsAnError(t *testing.T) {
	a, err := dotenvTemplate()
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := dotenvTemplate(); a != b {
		t.Error("the dotenv template was parsed twice")
	}
	missing := exportTemplate("no-such-template.tmpl", nil)
	if tmpl, err := missing(); err == nil || tmpl != nil || !strings.Contains(err.Error(), "no-such-template.tmpl is missing") {
		t.Fatalf("a missing template = %v, %v; want an error naming it", tmpl, err)
	}
}

// TestRenderSaysWhatItMasks: every format that carries a secret says so
// with reveal, and says it masked one without.
func TestRenderSaysWhatItMasks(t *testing.T) {
	for _, id := range []PlaybookID{WSO2, Azure} {
		r, s := exportFixture(id)
		r.APISigningAlg, r.APISigningSecret = "HS256", "fake-signing-secret"
		for _, name := range ExportFormats() {
			hidden, err := Render(name, r, s, false)
			if err != nil {
				t.Fatal(err)
			}
			shown, err := Render(name, r, s, true)
			if err != nil {
				t.Fatal(err)
			}
			if hidden.Secret || !hidden.Masked || !shown.Secret || shown.Masked {
				t.Errorf("%s %s: without reveal secret=%v masked=%v, with reveal secret=%v masked=%v; want false,true then true,false",
					id, name, hidden.Secret, hidden.Masked, shown.Secret, shown.Masked)
			}
			for _, secret := range []string{r.ClientSecret, s.ClientSecret, "ZmFrZS1zaWduaW5nLXNlY3JldA=="} {
				if bytes.Contains(hidden.Data, []byte(secret)) {
					t.Errorf("%s %s without reveal holds the secret %q", id, name, secret)
				}
			}
		}
	}
}
