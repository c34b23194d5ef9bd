package sandbox

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// ---- resource servers ----

var rsFields = map[string]string{
	"name": "string", "identifier": "string", "scopes": "array", "signing_alg": "string",
	"signing_secret": "string", "allow_offline_access": "boolean", "allow_online_access": "boolean",
	"allow_online_access_with_ephemeral_sessions": "boolean", "token_lifetime": "integer",
	"token_lifetime_for_web": "integer", "token_dialect": "string",
	"skip_consent_for_verifiable_first_party_clients": "boolean", "enforce_policies": "boolean",
	"token_encryption": "object|null", "consent_policy": "string|null", "authorization_details": "array|null",
	"proof_of_possession": "object|null", "subject_type_authorization": "object",
	"authorization_policy": "object|null", "verificationLocation": "string", "options": "object",
}

var rsEnums = map[string][]string{
	"signing_alg":    {"HS256", "RS256", "PS256"},
	"token_dialect":  {"access_token", "access_token_authz", "rfc9068_profile", "rfc9068_profile_authz"},
	"consent_policy": {"transactional-authorization-with-mfa"},
}

func rsSchema(update bool) schema {
	f := map[string]string{}
	for k, v := range rsFields {
		f[k] = v
	}
	sc := schema{fields: f, enums: rsEnums}
	if update {
		delete(f, "identifier")
	} else {
		sc.required = []string{"identifier"}
	}
	return sc
}

func validateScopes(o obj) error {
	for i, x := range anySlice(o["scopes"]) {
		m, ok := x.(map[string]any)
		if !ok {
			return badBody("'Expected type object but found type %s' on property scopes[%d].", jsonType(x), i)
		}
		v, ok := m["value"].(string)
		if !ok {
			return badBody("'Missing required property: value' on property scopes[%d].", i)
		}
		if v == "" {
			return badBody("'String is too short (0 chars), minimum 1' on property scopes[%d].value.", i)
		}
		for k, e := range m {
			if k != "value" && k != "description" {
				return badBody("'Additional properties not allowed: %s' on property scopes[%d].", k, i)
			}
			if _, ok := e.(string); !ok {
				return badBody("'Expected type string but found type %s' on property scopes[%d].%s.", jsonType(e), i, k)
			}
		}
	}
	return nil
}

// cleanRS drops what Auth0 never echoes (the PEM of an encryption key).
func cleanRS(rs obj) {
	if te := rs.obj("token_encryption"); te != nil {
		if ek := te.obj("encryption_key"); ek != nil {
			delete(ek, "pem")
		}
	}
}

func (s *Server) createResourceServer(m *mreq) (int, any, error) {
	in, err := m.decodeObject(rsSchema(false))
	if err != nil {
		return 0, nil, err
	}
	dropNulls(in)
	if err := validateScopes(in); err != nil {
		return 0, nil, err
	}
	ident := in.str("identifier")
	if ident == "" {
		return 0, nil, badBody("'String is too short (0 chars), minimum 1' on property identifier.")
	}
	if s.findRSByIdentifier(ident) != nil {
		return 0, nil, errf(http.StatusConflict, "conflict", "A resource server with the same identifier already exists")
	}
	rs := obj{"id": s.newResourceServerID()}
	if _, ok := in["name"]; !ok {
		rs["name"] = ident
	}
	for k, v := range in {
		rs[k] = clone(v)
	}
	if ident == s.BaseURL+"/me/" {
		myAccountAPI(rs)
	}
	setDefault(rs, "signing_alg", "RS256")
	setDefault(rs, "allow_offline_access", false)
	setDefault(rs, "token_lifetime", json.Number("86400"))
	setDefault(rs, "token_lifetime_for_web", json.Number("7200"))
	setDefault(rs, "skip_consent_for_verifiable_first_party_clients", false)
	// Newer tenants answer these too (terraform-provider-auth0 recordings).
	setDefault(rs, "allow_online_access", false)
	setDefault(rs, "allow_online_access_with_ephemeral_sessions", false)
	sta := obj{"client": obj{"policy": "require_client_grant"}, "user": obj{"policy": "allow_all"}}
	for k, v := range rs.obj("subject_type_authorization") {
		sta[k] = v
	}
	rs["subject_type_authorization"] = sta
	if rs.str("signing_alg") == "HS256" {
		setDefault(rs, "signing_secret", s.randString(secretSet, 32))
	}
	if ident == expressConfigureIdentifier {
		expressConfigureAPI(rs)
	}
	cleanRS(rs)
	s.t.ResourceServers = append(s.t.ResourceServers, rs)
	s.ix.resourceServers.add(rs)
	return http.StatusCreated, rs, nil
}

// myAccountAPI makes rs the system "Auth0 My Account API", which Auth0
// creates when a tenant creates a resource server for https://DOMAIN/me/
// (go-auth0 v1.49 recording TestResourceServer_ACR): its own name, scopes
// and settings; what else the request gave (an authorization policy) stays.
func myAccountAPI(rs obj) {
	maps.Copy(rs, obj{
		"name": "Auth0 My Account API",
		"scopes": []any{
			obj{"value": "create:me:connected_accounts", "description": "Create Connected Accounts"},
			obj{"value": "read:me:connected_accounts", "description": "Read Connected Accounts"},
			obj{"value": "delete:me:connected_accounts", "description": "Delete Connected Accounts"},
		},
		"signing_alg": "RS256", "allow_offline_access": true,
		"token_lifetime": json.Number("600"), "token_lifetime_for_web": json.Number("600"),
		"skip_consent_for_verifiable_first_party_clients": true, "is_system": true,
		"proof_of_possession":        obj{"mechanism": "dpop", "required": false},
		"subject_type_authorization": obj{"user": obj{"policy": "require_client_grant"}, "client": obj{"policy": "deny_all"}},
	})
}

func setDefault(o obj, k string, v any) {
	if _, ok := o[k]; !ok {
		o[k] = v
	}
}

func notFoundRS() error {
	return errf(http.StatusNotFound, "inexistent_resource_server", "The resource server does not exist")
}

func (s *Server) getResourceServer(m *mreq) (int, any, error) {
	rs := s.findResourceServerInPath(m.segs[1])
	if rs == nil {
		return 0, nil, notFoundRS()
	}
	out, err := m.project(rs, "id")
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, out, nil
}

func (s *Server) listResourceServers(m *mreq) (int, any, error) {
	idents := m.qArray("identifiers")
	if len(idents) > 10 {
		return 0, nil, badQuery("'Array is too long (%d), maximum 10' on property identifiers.", len(idents))
	}
	var matched []obj
	for _, rs := range s.t.ResourceServers {
		if len(idents) == 0 || slices.Contains(idents, rs.str("identifier")) {
			matched = append(matched, rs)
		}
	}
	return s.pageProjected(m, matched, listing{key: "resource_servers", offset: true})
}

// systemRSPatchable are the fields a tenant may change on its system API.
var systemRSPatchable = []string{"token_lifetime", "token_lifetime_for_web", "skip_consent_for_verifiable_first_party_clients", "allow_offline_access", "subject_type_authorization"}

func (s *Server) updateResourceServer(m *mreq) (int, any, error) {
	rs := s.findResourceServerInPath(m.segs[1])
	if rs == nil {
		return 0, nil, notFoundRS()
	}
	in, err := m.decodeObject(rsSchema(true))
	if err != nil {
		return 0, nil, err
	}
	if err := validateScopes(in); err != nil {
		return 0, nil, err
	}
	if rs.bool("is_system") {
		for k := range in {
			if !slices.Contains(systemRSPatchable, k) {
				return 0, nil, badBody("'Additional properties not allowed: %s'.", k)
			}
		}
	}
	for k, v := range in {
		if v == nil {
			delete(rs, k)
			continue
		}
		rs[k] = clone(v)
	}
	cleanRS(rs)
	s.ix.resourceServers.update(rs)
	return http.StatusOK, rs, nil
}

func (s *Server) deleteResourceServer(m *mreq) (int, any, error) {
	rs := s.findResourceServerInPath(m.segs[1])
	if rs == nil {
		return http.StatusNoContent, nil, nil
	}
	if rs.bool("is_system") && rs.str("identifier") == s.Audience {
		return 0, nil, errf(http.StatusBadRequest, "operation_not_supported", "The system resource server (Auth0 Management API) cannot be deleted")
	}
	ident := rs.str("identifier")
	s.t.ResourceServers = dropWhere(s.t.ResourceServers, s.ix.resourceServers, func(o obj) bool { return o.str("id") == rs.str("id") })
	s.t.ClientGrants = dropWhere(s.t.ClientGrants, s.ix.grants, func(o obj) bool { return o.str("audience") == ident })
	s.dropPermissionsOf(rs.str("id"))
	return http.StatusNoContent, nil, nil
}

// ---- clients ----

var clientFieldTypes = map[string]string{
	"name": "string", "description": "string", "logo_uri": "string", "callbacks": "array",
	"allowed_origins": "array", "web_origins": "array", "client_aliases": "array", "allowed_clients": "array",
	"allowed_logout_urls": "array", "grant_types": "array", "token_endpoint_auth_method": "string|null",
	"is_token_endpoint_ip_header_trusted": "boolean", "app_type": "string", "is_first_party": "boolean",
	"oidc_conformant": "boolean", "jwt_configuration": "object", "encryption_key": "object|null",
	"sso": "boolean", "cross_origin_authentication": "boolean", "cross_origin_auth": "boolean",
	"cross_origin_loc": "string|null", "sso_disabled": "boolean", "custom_login_page_on": "boolean",
	"custom_login_page": "string", "custom_login_page_preview": "string", "form_template": "string",
	"addons": "object", "client_metadata": "object", "mobile": "object", "initiate_login_uri": "string",
	"native_social_login": "object|null", "refresh_token": "object|null", "default_organization": "object|null",
	"organization_usage": "string", "organization_require_behavior": "string",
	"organization_discovery_methods": "array", "client_authentication_methods": "object|null",
	"require_pushed_authorization_requests": "boolean", "require_proof_of_possession": "boolean",
	"signed_request_object": "object|null", "compliance_level": "string|null",
	"skip_non_verifiable_callback_uri_confirmation_prompt": "boolean|null", "token_exchange": "object|null",
	"par_request_expiry": "integer|null", "token_quota": "object|null", "oidc_logout": "object|null",
	"oidc_backchannel_logout": "object|null", "session_transfer": "object|null", "fedcm_login": "any",
	"token_vault_privileged_access": "any", "express_configuration": "any",
	"my_organization_configuration": "any", "async_approval_notification_channels": "any",
	"third_party_security_mode": "any", "redirection_policy": "any",
	"resource_server_identifier": "string",
}

var clientEnums = map[string][]string{
	"app_type": {"native", "spa", "regular_web", "non_interactive", "resource_server", "express_configuration",
		"rms", "box", "cloudbees", "concur", "dropbox", "mscrm", "echosign", "egnyte", "newrelic", "office365",
		"salesforce", "sentry", "sharepoint", "slack", "springcm", "zendesk", "zoom", "sso_integration", "oag"},
	"token_endpoint_auth_method":    {"none", "client_secret_post", "client_secret_basic"},
	"organization_usage":            {"deny", "allow", "require"},
	"organization_require_behavior": {"no_prompt", "pre_login_prompt", "post_login_prompt"},
	"grant_types":                   nil, // strings, any value
	"callbacks":                     nil,
	"allowed_origins":               nil,
	"web_origins":                   nil,
	"allowed_logout_urls":           nil,
	"client_aliases":                nil,
	"allowed_clients":               nil,
}

func clientSchema(update bool) schema {
	f := map[string]string{}
	for k, v := range clientFieldTypes {
		f[k] = v
	}
	sc := schema{fields: f, enums: clientEnums}
	if update {
		f["client_secret"] = "string"
		delete(f, "resource_server_identifier")
	} else {
		sc.required = []string{"name"}
	}
	return sc
}

func validateClientMetadata(in obj) error {
	md := in.obj("client_metadata")
	if md == nil {
		return nil
	}
	if len(md) > 10 {
		return badBody("'Too many properties defined (%d), maximum 10' on property client_metadata.", len(md))
	}
	for k, v := range md {
		if v == nil {
			continue
		}
		str, ok := v.(string)
		if !ok {
			return badBody("'Expected type string but found type %s' on property client_metadata.%s.", jsonType(v), k)
		}
		if len(str) > 255 {
			return badBody("'String is too long (%d chars), maximum 255' on property client_metadata.%s.", len(str), k)
		}
	}
	return nil
}

// newClientObject makes a client from a validated create payload, with the
// defaults a real tenant fills in.
func (s *Server) newClientObject(in obj) obj {
	c := obj{}
	for k, v := range in {
		c[k] = clone(v)
	}
	c["client_id"] = s.newClientID()
	c["client_secret"] = s.newClientSecret()
	expressConfigurationDefaults(c)
	setDefault(c, "is_first_party", true)
	setDefault(c, "is_token_endpoint_ip_header_trusted", false)
	rsLinked := c.str("app_type") == "resource_server"
	setDefault(c, "oidc_conformant", rsLinked)
	jc := obj{"secret_encoded": false}
	for k, v := range c.obj("jwt_configuration") {
		jc[k] = v
	}
	if rsLinked {
		setDefault(jc, "alg", "RS256")
	}
	if _, ok := jc["alg"]; !ok {
		setDefault(jc, "lifetime_in_seconds", json.Number("36000"))
	}
	c["jwt_configuration"] = jc
	c["signing_keys"] = []any{obj{
		"cert":    s.signingCertPEM(),
		"pkcs7":   s.signingCertPEM(),
		"subject": "deprecated",
	}}
	setDefault(c, "sso_disabled", false)
	// Older tenants answer cross_origin_auth, newer ones
	// cross_origin_authentication: keep both, in step.
	if v, ok := c["cross_origin_auth"]; ok {
		setDefault(c, "cross_origin_authentication", v)
	}
	setDefault(c, "cross_origin_authentication", false)
	c["cross_origin_auth"] = c["cross_origin_authentication"]
	if rsLinked {
		setDefault(c, "grant_types", []any{})
	} else {
		setDefault(c, "grant_types", []any{"authorization_code", "implicit", "refresh_token", "client_credentials"})
	}
	setDefault(c, "custom_login_page_on", true)
	c["refresh_token"] = refreshTokenDefaults(c.obj("refresh_token"))
	oidcLogoutDefaults(c)
	if cam := c.obj("client_authentication_methods"); cam != nil {
		s.fillCredentials(cam)
	}
	// Token Vault's credentials given as material on create are made too.
	s.fillCredentialList(anySlice(c.obj(tvpaKey)["credentials"]))
	return c
}

func refreshTokenDefaults(given obj) obj {
	rt := obj{
		"rotation_type":                "non-rotating",
		"expiration_type":              "non-expiring",
		"leeway":                       json.Number("0"),
		"token_lifetime":               json.Number("2592000"),
		"infinite_token_lifetime":      true,
		"infinite_idle_token_lifetime": true,
		"idle_token_lifetime":          json.Number("1296000"),
	}
	if given.str("expiration_type") == "expiring" {
		rt["infinite_token_lifetime"] = false
		rt["infinite_idle_token_lifetime"] = false
	}
	for k, v := range given {
		rt[k] = v
	}
	return rt
}

// fillCredentials gives private_key_jwt credentials the ids and key ids
// Auth0 assigns, and drops their PEMs.
func (s *Server) fillCredentials(cam obj) {
	if pkj := cam.obj("private_key_jwt"); pkj != nil {
		s.fillCredentialList(anySlice(pkj["credentials"]))
	}
}

// fillCredentialList gives each credential of a list, made from the
// material it holds, the id, key id, times and so on Auth0 assigns, and
// drops its PEM.
func (s *Server) fillCredentialList(creds []any) {
	for _, x := range creds {
		cred, ok := asMap(x)
		if !ok {
			continue
		}
		ts := now()
		pemText, _ := cred["pem"].(string)
		sum := sha256.Sum256([]byte(pemText))
		if b, _ := pem.Decode([]byte(pemText)); b != nil {
			sum = sha256.Sum256(b.Bytes)
		}
		delete(cred, "pem")
		if _, ok := cred["id"]; !ok {
			cred["id"] = s.newCredentialID()
		}
		// What Auth0 derives from each kind of credential (go-auth0
		// recordings): a public key's kid and alg, a certificate's
		// SHA-256 thumbprint (and a far expiry unless told), a subject
		// DN credential's subject.
		switch str(cred["credential_type"]) {
		case "x509_cert":
			setDefault(cred, "thumbprint_sha256", base64.RawURLEncoding.EncodeToString(sum[:]))
			if _, ok := cred["expires_at"]; !ok {
				cred["expires_at"] = "9999-12-31T23:59:59.000Z"
				if cert := parseCertPEM(pemText); cert != nil && cred["parse_expiry_from_cert"] == true {
					cred["expires_at"] = cert.NotAfter.UTC().Format("2006-01-02T15:04:05.000Z")
				}
			}
		case "cert_subject_dn":
			if cert := parseCertPEM(pemText); cert != nil {
				setDefault(cred, "subject_dn", subjectDN(cert))
			}
		default:
			setDefault(cred, "kid", base64.RawURLEncoding.EncodeToString(sum[:]))
			setDefault(cred, "alg", "RS256")
		}
		if _, ok := cred["created_at"]; !ok {
			cred["created_at"] = ts
			cred["updated_at"] = ts
		}
	}
}

func parseCertPEM(text string) *x509.Certificate {
	b, _ := pem.Decode([]byte(text))
	if b == nil || b.Type != "CERTIFICATE" {
		return nil
	}
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		return nil
	}
	return c
}

// subjectDN writes a certificate's subject as Auth0 shows it: one RDN a
// line, country first and common name last.
func subjectDN(c *x509.Certificate) string {
	var lines []string
	add := func(k string, vs []string) {
		for _, v := range vs {
			lines = append(lines, k+"="+v)
		}
	}
	n := c.Subject
	add("C", n.Country)
	add("ST", n.Province)
	add("L", n.Locality)
	add("O", n.Organization)
	add("OU", n.OrganizationalUnit)
	if n.CommonName != "" {
		add("CN", []string{n.CommonName})
	}
	return strings.Join(lines, "\n")
}

func (s *Server) signingCertPEM() string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.keyDER}))
}

// clientView is a client as an answer shows it: the secret only to a token
// with read:client_keys (or on create/rotate), credentials by id only.
func clientView(c obj, secret, fullCredentials bool) obj {
	v := cloneObj(c)
	if !secret {
		delete(v, "client_secret")
		delete(v, "signing_keys")
	}
	if !fullCredentials {
		if pkj := v.obj("client_authentication_methods").obj("private_key_jwt"); pkj != nil {
			pkj["credentials"] = idsOnly(anySlice(pkj["credentials"]))
		}
		if t := v.obj(tvpaKey); t != nil {
			t["credentials"] = idsOnly(anySlice(t["credentials"]))
		}
	}
	return v
}

func notFoundClient() error {
	return errf(http.StatusNotFound, "inexistent_client", "The client does not exist")
}

func (s *Server) createClient(m *mreq) (int, any, error) {
	in, err := m.decodeObject(clientSchema(false))
	if err != nil {
		return 0, nil, err
	}
	dropNulls(in)
	if in.str("name") == "" {
		return 0, nil, badBody("'String is too short (0 chars), minimum 1' on property name.")
	}
	if err := validateClientMetadata(in); err != nil {
		return 0, nil, err
	}
	if err := s.validateTVPA(in, true, ""); err != nil {
		return 0, nil, err
	}
	if err := validateMyOrgConfig(in); err != nil {
		return 0, nil, err
	}
	var rs obj
	if ident, ok := in["resource_server_identifier"]; ok {
		rs = s.findRSByIdentifier(str(ident))
		if rs == nil || in.str("app_type") != "resource_server" {
			return 0, nil, badBody("'resource_server_identifier' must name an existing resource server and needs app_type resource_server.")
		}
	}
	c := s.newClientObject(in)
	if md := c.obj("client_metadata"); md != nil {
		for k, v := range md {
			if v == nil {
				delete(md, k)
			}
		}
	}
	if rs != nil {
		rs["client_id"] = c.str("client_id")
	}
	s.registerCredentials(c)
	s.t.Clients = append(s.t.Clients, c)
	s.ix.clients.add(c)
	s.expressConfigurationGrant(c)
	return http.StatusCreated, clientView(c, true, true), nil
}

func (s *Server) getClient(m *mreq) (int, any, error) {
	c := s.findClient(m.segs[1])
	if c == nil {
		return 0, nil, notFoundClient()
	}
	view := clientView(c, m.has("read:client_keys"), false)
	if m.q.Get("fields") != "" {
		view["tenant"] = tenantName
	}
	v, err := m.project(view, "client_id", "tenant")
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, v, nil
}

func (s *Server) listClients(m *mreq) (int, any, error) {
	showSecret := m.has("read:client_keys")
	appTypes := strings.Split(m.q.Get("app_type"), ",")
	firstParty, fpSet, err := queryBool(m.q, "is_first_party")
	if err != nil {
		return 0, nil, err
	}
	global, globalSet, err := queryBool(m.q, "is_global")
	if err != nil {
		return 0, nil, err
	}
	terms, err := checkClientsQuery(m.q.Get("q"))
	if err != nil {
		return 0, nil, err
	}
	// The tenant's own list when nothing filters it; the clients that
	// match otherwise. Only the page's clients are copied into the answer.
	matched := s.t.Clients
	if m.q.Get("app_type") != "" || len(terms) > 0 || fpSet || globalSet {
		matched = nil
		for _, c := range s.t.Clients {
			if m.q.Get("app_type") != "" && !slices.Contains(appTypes, c.str("app_type")) {
				continue
			}
			if !s.matchClientGrantQuery(c, terms) {
				continue
			}
			if fpSet && c.bool("is_first_party") != firstParty {
				continue
			}
			if globalSet && c.bool("global") != global {
				continue
			}
			matched = append(matched, c)
		}
	}
	if len(matched) > 0 {
		// A bad include_fields is refused whichever page is asked for.
		if _, err := m.project(obj{}); err != nil {
			return 0, nil, err
		}
	}
	readClients, fields := m.has("read:clients"), m.q.Get("fields")
	return pageOf(m, matched, listing{key: "clients", offset: true, checkpoint: true}, func(c obj) (any, error) {
		key := viewKey{id: c.str("client_id"), secret: showSecret, readClients: readClients}
		if fields == "" {
			if data, ok := s.views.get(s.gen, key); ok {
				return json.RawMessage(data), nil
			}
		}
		v := clientView(c, showSecret, false)
		if !readClients {
			v = clientSummary(v)
		}
		v["tenant"] = tenantName
		pv, err := m.project(v, "tenant")
		if err != nil {
			return nil, err
		}
		if fields == "" {
			if _, stored := c["tenant"]; !stored {
				delete(pv, "tenant")
			}
			return cachedView{v: pv, key: key, gen: s.gen, cache: &s.views}, nil
		}
		return detached{pv}, nil
	})
}

// tenantName is the tenant field Auth0 adds to clients listed with fields=.
const tenantName = "sandbox"

// clientSummary is what read:client_summary alone may see.
func clientSummary(v obj) obj {
	out := obj{}
	for _, k := range []string{"client_id", "name", "app_type", "description", "is_first_party", "logo_uri", "tenant"} {
		if x, ok := v[k]; ok {
			out[k] = x
		}
	}
	return out
}

func (s *Server) updateClient(m *mreq) (int, any, error) {
	c := s.findClient(m.segs[1])
	if c == nil {
		return 0, nil, notFoundClient()
	}
	in, err := m.decodeObject(clientSchema(true))
	if err != nil {
		return 0, nil, err
	}
	if n, ok := in["name"]; ok && str(n) == "" {
		return 0, nil, badBody("'String is too short (0 chars), minimum 1' on property name.")
	}
	if err := validateClientMetadata(in); err != nil {
		return 0, nil, err
	}
	if err := s.validateTVPA(in, false, c.str("client_id")); err != nil {
		return 0, nil, err
	}
	if err := validateMyOrgConfig(in); err != nil {
		return 0, nil, err
	}
	if _, ok := in["client_secret"]; ok && !m.has("update:client_keys") {
		return 0, nil, errf(http.StatusForbidden, "insufficient_scope", "Insufficient scope, expected any of: update:client_keys")
	}
	if !m.has("update:clients") {
		for k := range in {
			if k != "client_secret" {
				return 0, nil, errf(http.StatusForbidden, "insufficient_scope", "Insufficient scope, expected any of: update:clients")
			}
		}
	}
	for k, v := range in {
		switch k {
		case "client_metadata":
			md := c.obj("client_metadata")
			if md == nil || v == nil {
				md = obj{}
			}
			for mk, mv := range in.obj("client_metadata") {
				if mv == nil {
					delete(md, mk)
				} else {
					md[mk] = mv
				}
			}
			c["client_metadata"] = md
		case "jwt_configuration":
			jc := obj{"secret_encoded": false}
			for jk, jv := range in.obj("jwt_configuration") {
				jc[jk] = clone(jv)
			}
			if _, ok := jc["alg"]; !ok {
				setDefault(jc, "lifetime_in_seconds", json.Number("36000"))
			}
			c["jwt_configuration"] = jc
		case "refresh_token":
			if v == nil {
				c["refresh_token"] = refreshTokenDefaults(nil)
			} else {
				c["refresh_token"] = refreshTokenDefaults(cloneObj(in.obj("refresh_token")))
			}
		case "client_authentication_methods":
			if v == nil {
				delete(c, k)
				continue
			}
			cam := cloneObj(in.obj(k))
			s.fillCredentials(cam)
			c[k] = cam
			s.registerCredentials(c)
		case "cross_origin_auth", "cross_origin_authentication":
			if v != nil {
				c["cross_origin_auth"], c["cross_origin_authentication"] = v, v
			}
		default:
			if v == nil {
				delete(c, k)
				continue
			}
			c[k] = clone(v)
		}
	}
	if _, ok := in["oidc_logout"]; ok {
		oidcLogoutDefaults(c)
	}
	s.ix.clients.update(c)
	return http.StatusOK, clientView(c, m.has("read:client_keys") || m.has("update:client_keys"), false), nil
}

// oidcLogoutDefaults fills what Auth0 adds to a client's oidc_logout: the
// back-channel initiators (custom: rp-logout and idp-logout), and the
// legacy oidc_backchannel_logout mirror of its URLs
// (terraform-provider-auth0 recordings).
func oidcLogoutDefaults(c obj) {
	ol := c.obj("oidc_logout")
	if ol == nil {
		return
	}
	ol = cloneObj(ol)
	if ol.obj("backchannel_logout_initiators") == nil {
		ol["backchannel_logout_initiators"] = obj{"mode": "custom", "selected_initiators": []any{"rp-logout", "idp-logout"}}
	}
	c["oidc_logout"] = ol
	legacy := obj{}
	if urls, ok := ol["backchannel_logout_urls"]; ok {
		legacy["backchannel_logout_urls"] = clone(urls)
	}
	c["oidc_backchannel_logout"] = legacy
}

func (s *Server) deleteClient(m *mreq) (int, any, error) {
	id := m.segs[1]
	if s.findClient(id) == nil {
		return http.StatusNoContent, nil, nil
	}
	s.t.Clients = dropWhere(s.t.Clients, s.ix.clients, func(o obj) bool { return o.str("client_id") == id })
	s.t.ClientGrants = dropWhere(s.t.ClientGrants, s.ix.grants, func(o obj) bool { return o.str("client_id") == id })
	delete(s.t.Credentials, id)
	for _, conn := range s.t.Connections {
		ec := conn.strs("enabled_clients")
		if i := slices.Index(ec, id); i >= 0 {
			conn["enabled_clients"] = clone(slices.Delete(ec, i, i+1))
		}
	}
	for _, rs := range s.t.ResourceServers {
		if rs.str("client_id") == id {
			delete(rs, "client_id")
		}
	}
	return http.StatusNoContent, nil, nil
}

func (s *Server) rotateSecret(m *mreq) (int, any, error) {
	c := s.findClient(m.segs[1])
	if c == nil {
		return 0, nil, notFoundClient()
	}
	c["client_secret"] = s.newClientSecret()
	s.ix.clients.update(c)
	return http.StatusOK, clientView(c, true, false), nil
}

// ---- client grants ----

func grantSchema(update bool) schema {
	if update {
		return schema{fields: map[string]string{
			"scope": "array", "organization_usage": "string|null", "allow_any_organization": "boolean|null",
			"authorization_details_types": "array", "allow_all_scopes": "boolean|null",
		}, enums: map[string][]string{"organization_usage": {"deny", "allow", "require"}, "scope": nil, "authorization_details_types": nil}}
	}
	return schema{
		fields: map[string]string{
			"client_id": "string", "audience": "string", "scope": "array", "subject_type": "string",
			"authorization_details_types": "array", "organization_usage": "string",
			"allow_any_organization": "boolean", "default_for": "string", "allow_all_scopes": "boolean",
		},
		required: []string{"audience"},
		enums: map[string][]string{
			"organization_usage":          {"deny", "allow", "require"},
			"subject_type":                {"client", "user", "anonymous_user"},
			"default_for":                 {"third_party_clients"},
			"scope":                       nil,
			"authorization_details_types": nil,
		},
	}
}

func notFoundGrant() error {
	return errf(http.StatusNotFound, "inexistent_client_grant", "The grant does not exist.")
}

func (s *Server) createClientGrant(m *mreq) (int, any, error) {
	in, err := m.decodeObject(grantSchema(false))
	if err != nil {
		return 0, nil, err
	}
	dropNulls(in)
	if _, ok := in["scope"]; !ok && !in.bool("allow_all_scopes") {
		return 0, nil, badBody("'Missing required property: scope'.")
	}
	clientID, audience := in.str("client_id"), in.str("audience")
	// A grant default_for third_party_clients names no client: it applies
	// to every third-party client (terraform-provider-auth0 recordings).
	// Auth0's answer to a grant with both is UNCONFIRMED.
	switch _, hasClient := in["client_id"]; {
	case in.str("default_for") != "" && hasClient:
		return 0, nil, badBody("'client_id' and 'default_for' cannot be used together.")
	case in.str("default_for") == "" && !hasClient:
		return 0, nil, badBody("'Missing required property: client_id'.")
	case hasClient && s.findClient(clientID) == nil:
		return 0, nil, errf(http.StatusNotFound, "inexistent_client", "The client does not exist")
	case hasClient && s.findClient(clientID).str("app_type") == "express_configuration":
		// Its one grant is the system grant Auth0 made with it.
		return 0, nil, errf(http.StatusBadRequest, "validation_error", "Client of type express_configuration cannot be used")
	}
	if s.findRSByIdentifier(audience) == nil {
		return 0, nil, errf(http.StatusNotFound, "inexistent_resource_server", "No resource server found by that identifier")
	}
	if err := s.checkSystemScopes(audience, in.strs("scope")); err != nil {
		return 0, nil, err
	}
	st := grantSubject(in)
	if df := in.str("default_for"); df != "" {
		if s.findDefaultGrant(audience, st) != nil {
			return 0, nil, errf(http.StatusConflict, "conflict", "A client grant already exists for %s and %s", df, audience)
		}
	} else if s.findGrantFor(clientID, audience, st) != nil {
		return 0, nil, errf(http.StatusConflict, "conflict", "A client grant already exists between %s and %s", clientID, audience)
	}
	g := obj{"id": s.newGrantID()}
	for k, v := range in {
		g[k] = clone(v)
	}
	setDefault(g, "scope", []any{})
	g["subject_type"] = st
	s.t.ClientGrants = append(s.t.ClientGrants, g)
	s.ix.grants.add(g)
	return http.StatusCreated, g, nil
}

// checkSystemScopes refuses a grant to the system Management API for a
// scope that API does not have, as Auth0 does (a custom API's grants may
// name undeclared scopes: a recorded PATCH did).
func (s *Server) checkSystemScopes(audience string, scopes []string) error {
	rs := s.findRSByIdentifier(audience)
	if rs == nil || !rs.bool("is_system") {
		return nil
	}
	for _, sc := range scopes {
		if scopeOf(rs, sc) == nil {
			return badBody("scope must be a subset of resource server scopes")
		}
	}
	return nil
}

func (s *Server) getClientGrant(m *mreq) (int, any, error) {
	g := s.findGrant(m.segs[1])
	if g == nil {
		return 0, nil, notFoundGrant()
	}
	return http.StatusOK, g, nil
}

func (s *Server) listClientGrants(m *mreq) (int, any, error) {
	q := m.q
	candidates := s.t.ClientGrants
	if v := q.Get("client_id"); v != "" {
		candidates = s.ix.grants.find("client", v)
	}
	var views []any
	for _, g := range candidates {
		if v := q.Get("client_id"); v != "" && g.str("client_id") != v {
			continue
		}
		if v := q.Get("audience"); v != "" && g.str("audience") != v {
			continue
		}
		if v := q.Get("subject_type"); v != "" && g.str("subject_type") != v {
			continue
		}
		if v := q.Get("allow_any_organization"); v != "" && (v == "true") != g.bool("allow_any_organization") {
			continue
		}
		if v := q.Get("default_for"); v != "" && g.str("default_for") != v {
			continue
		}
		views = append(views, g)
	}
	return m.page(views, listing{key: "client_grants", offset: true, checkpoint: true})
}

func (s *Server) updateClientGrant(m *mreq) (int, any, error) {
	g := s.findGrant(m.segs[1])
	if g == nil {
		return 0, nil, notFoundGrant()
	}
	in, err := m.decodeObject(grantSchema(true))
	if err != nil {
		return 0, nil, err
	}
	if err := s.checkSystemScopes(g.str("audience"), in.strs("scope")); err != nil {
		return 0, nil, err
	}
	for k, v := range in {
		if v == nil {
			delete(g, k)
			continue
		}
		g[k] = clone(v)
	}
	s.ix.grants.update(g)
	return http.StatusOK, g, nil
}

// clientGrantOrganizations is GET /client-grants/{id}/organizations: the
// organizations a grant is associated with, in offset (include_totals)
// or checkpoint (from/take) pages. A sandbox has no organizations, so the
// list of a grant that exists is empty.
func (s *Server) clientGrantOrganizations(m *mreq) (int, any, error) {
	if s.findGrant(m.segs[1]) == nil {
		return 0, nil, notFoundGrant()
	}
	return m.page(nil, listing{key: "organizations", offset: true, checkpoint: true})
}

func (s *Server) deleteClientGrant(m *mreq) (int, any, error) {
	id := m.segs[1]
	s.t.ClientGrants = dropWhere(s.t.ClientGrants, s.ix.grants, func(o obj) bool { return o.str("id") == id })
	return http.StatusNoContent, nil, nil
}

// findResourceServerInPath finds the resource server a path names by id or
// identifier. An identifier may arrive URL-encoded twice: go-auth0 v1
// escapes each path segment and the Auth0 CLI escapes the identifier before
// (`auth0 apis show https://api.example` sends https:%252F%252F...), and
// real Auth0 finds the API so (the CLI's own duplicate check relies on it),
// so a segment that names nothing is decoded once more and looked up again.
func (s *Server) findResourceServerInPath(seg string) obj {
	if rs := s.findResourceServer(seg); rs != nil {
		return rs
	}
	if again, err := url.PathUnescape(seg); err == nil && again != seg {
		return s.findResourceServer(again)
	}
	return nil
}
