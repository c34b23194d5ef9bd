package sandbox

import (
	"encoding/json"
	"maps"
	"net"
	"net/http"
	"regexp"
	"slices"
)

// The rules Auth0 applies to a client's newer configuration objects
// (token_vault_privileged_access, my_organization_configuration) and to
// express_configuration clients. The limits come from go-auth0 v1.49's
// tests and type documentation (TestClient_TokenVaultPrivilegedAccess*,
// TestClient_MyOrganizationConfiguration*, TestClient_ExpressConfiguration,
// TestClientGrant_ExpressConfiguration), which real tenants answered 400
// to; the recorded error bodies were redacted, so the messages below are
// written in Auth0's payload-validation style and are UNCONFIRMED.

const tvpaKey = "token_vault_privileged_access"

// validateTVPA checks token_vault_privileged_access in a client's POST
// (create) or PATCH body: every write carries all of credentials,
// ip_allowlist and grants; at most 2 credentials (material on POST,
// references to this client's existing credentials on PATCH), at most 10
// IP addresses or CIDR ranges, at most 5 grants with 20 scopes between
// them and no connection twice; POST refuses an empty allowlist or grant
// list. A null on PATCH removes the object.
func (s *Server) validateTVPA(in obj, create bool, clientID string) error {
	v, ok := in[tvpaKey]
	if !ok || (v == nil && !create) {
		return nil
	}
	t, isObj := asMap(v)
	if !isObj {
		return badBody("'Expected type object but found type %s' on property %s.", jsonType(v), tvpaKey)
	}
	for _, k := range []string{"credentials", "ip_allowlist", "grants"} {
		if _, ok := t[k]; !ok {
			return badBody("'Missing required property: %s' on property %s.", k, tvpaKey)
		}
	}
	for k, x := range t {
		switch k {
		case "credentials", "ip_allowlist", "grants":
			if _, ok := x.([]any); !ok {
				return badBody("'Expected type array but found type %s' on property %s.%s.", jsonType(x), tvpaKey, k)
			}
		default:
			return badBody("'Additional properties not allowed: %s' on property %s.", k, tvpaKey)
		}
	}
	creds, ips, grants := anySlice(t["credentials"]), anySlice(t["ip_allowlist"]), anySlice(t["grants"])
	if err := maxItems(len(creds), 2, "credentials"); err != nil {
		return err
	}
	for i, x := range creds {
		cred, ok := asMap(x)
		if !ok {
			return badBody("'Expected type object but found type %s' on property %s.credentials[%d].", jsonType(x), tvpaKey, i)
		}
		_, hasID := cred["id"]
		switch {
		case create && hasID:
			return badBody("'Additional properties not allowed: id' on property %s.credentials[%d].", tvpaKey, i)
		case create && (str(cred["credential_type"]) == "" || str(cred["pem"]) == ""):
			return badBody("'Missing required property: credential_type, pem' on property %s.credentials[%d].", tvpaKey, i)
		case !create && (!hasID || len(cred) != 1):
			return badBody("'Only id is allowed' on property %s.credentials[%d].", tvpaKey, i)
		case !create && s.findCredential(clientID, str(cred["id"])) == nil:
			return errf(http.StatusNotFound, "inexistent_credential", "Credential %s not found for this client", str(cred["id"]))
		}
	}
	if create && len(ips) == 0 {
		return badBody("'Array is too short (0), minimum 1' on property %s.ip_allowlist.", tvpaKey)
	}
	if err := maxItems(len(ips), 10, "ip_allowlist"); err != nil {
		return err
	}
	for i, x := range ips {
		if !isIPOrCIDR(str(x)) {
			return badBody("'Object didn't pass validation for format ip-or-cidr: %s' on property %s.ip_allowlist[%d].", str(x), tvpaKey, i)
		}
	}
	if create && len(grants) == 0 {
		return badBody("'Array is too short (0), minimum 1' on property %s.grants.", tvpaKey)
	}
	if err := maxItems(len(grants), 5, "grants"); err != nil {
		return err
	}
	seen, scopes := map[string]bool{}, 0
	for i, x := range grants {
		g, ok := asMap(x)
		if !ok || str(g["connection"]) == "" {
			return badBody("'Missing required property: connection' on property %s.grants[%d].", tvpaKey, i)
		}
		conn := str(g["connection"])
		if seen[conn] {
			return badBody("'Duplicate connection %s' on property %s.grants.", conn, tvpaKey)
		}
		seen[conn] = true
		scopes += len(anySlice(g["scopes"]))
	}
	if scopes > 20 {
		return badBody("'Too many scopes across grants (%d), maximum 20' on property %s.grants.", scopes, tvpaKey)
	}
	return nil
}

func maxItems(n, limit int, field string) error {
	if n > limit {
		return badBody("'Array is too long (%d), maximum %d' on property %s.%s.", n, limit, tvpaKey, field)
	}
	return nil
}

func isIPOrCIDR(s string) bool {
	if net.ParseIP(s) != nil {
		return true
	}
	_, _, err := net.ParseCIDR(s)
	return err == nil
}

// idsOnly keeps only the id of each credential of a list, as GET answers
// credentials attached to a client.
func idsOnly(creds []any) []any {
	var ids []any
	for _, x := range creds {
		if cred, ok := asMap(x); ok {
			ids = append(ids, obj{"id": cred["id"]})
		}
	}
	return nonNil(ids)
}

var (
	connectionProfileID    = regexp.MustCompile(`^cop_[A-Za-z0-9]{22}$`)
	userAttributeProfileID = regexp.MustCompile(`^uap_[A-Za-z0-9]{22}$`)
	myOrgStrategies        = []string{"pingfederate", "adfs", "waad", "google-apps", "okta", "oidc", "samlp"}
)

// validateMyOrgConfig checks my_organization_configuration: allowed
// strategies from go-auth0 v3's enum, a deletion behaviour of allow or
// allow_if_empty, profile ids of the shape Auth0 gives them (Auth0 also
// checks that they exist; the sandbox serves no profiles, so it checks
// the shape only: "cop_WRONG" is refused either way), and a
// third_party_client_access whose default is "block", the only default
// Auth0 accepts today.
func validateMyOrgConfig(in obj) error {
	const key = "my_organization_configuration"
	v, ok := in[key]
	if !ok || v == nil {
		return nil
	}
	mc, isObj := asMap(v)
	if !isObj {
		return badBody("'Expected type object but found type %s' on property %s.", jsonType(v), key)
	}
	if id, ok := mc["connection_profile_id"]; ok && !connectionProfileID.MatchString(str(id)) {
		return errf(http.StatusBadRequest, "invalid_body", "Connection profile %s does not exist", str(id))
	}
	if id, ok := mc["user_attribute_profile_id"]; ok && !userAttributeProfileID.MatchString(str(id)) {
		return errf(http.StatusBadRequest, "invalid_body", "User attribute profile %s does not exist", str(id))
	}
	for _, x := range anySlice(mc["allowed_strategies"]) {
		if !slices.Contains(myOrgStrategies, str(x)) {
			return badBody("'No enum match for: %s' on property %s.allowed_strategies.", str(x), key)
		}
	}
	if b, ok := mc["connection_deletion_behavior"]; ok && b != "allow" && b != "allow_if_empty" {
		return badBody("'No enum match for: %v' on property %s.connection_deletion_behavior.", b, key)
	}
	if tp, ok := asMap(mc["third_party_client_access"]); ok {
		allowed := anySlice(tp["allowed_values"])
		if len(allowed) == 0 {
			return badBody("'Missing required property: allowed_values' on property %s.third_party_client_access.", key)
		}
		for _, x := range allowed {
			if x != "allow" && x != "block" {
				return badBody("'No enum match for: %v' on property %s.third_party_client_access.allowed_values.", x, key)
			}
		}
		if d, ok := tp["default_value"]; ok && d != "block" {
			return badBody("'No enum match for: %v' on property %s.third_party_client_access.default_value.", d, key)
		}
	}
	return nil
}

// expressConfigurationDefaults gives a client of app_type
// express_configuration what Auth0 gives one (TestClient_ExpressConfiguration):
// OIDC conformance, RS256 without a lifetime, Okta's admin redirect, the
// code and client-credentials grants, organizations required, and an empty
// private_key_jwt credential list.
func expressConfigurationDefaults(c obj) {
	if c.str("app_type") != "express_configuration" {
		return
	}
	setDefault(c, "oidc_conformant", true)
	setDefault(c, "callbacks", []any{"https://system-admin.okta.com/admin/app/generic/oauth20redirect"})
	jc := obj{"secret_encoded": false, "alg": "RS256"}
	maps.Copy(jc, c.obj("jwt_configuration"))
	c["jwt_configuration"] = jc
	setDefault(c, "grant_types", []any{"authorization_code", "client_credentials"})
	setDefault(c, "organization_usage", "require")
	setDefault(c, "organization_require_behavior", "pre_login_prompt")
	setDefault(c, "client_authentication_methods", obj{"private_key_jwt": obj{"credentials": []any{}}})
}

// expressConfigurationScopes are the Management API scopes of the system
// grant Auth0 makes for an express_configuration client.
var expressConfigurationScopes = []any{
	"read:clients", "read:user_attribute_profiles", "read:connection_profiles", "read:organizations_summary",
	"read:connections", "create:connections", "update:connections", "read:connections_options",
	"update:connections_options", "read:organization_connections", "create:organization_connections",
	"update:organization_connections", "create:scim_config", "read:scim_token", "create:scim_token", "delete:scim_token",
}

// expressConfigurationGrant is the system grant an express_configuration
// client gets to the Management API (TestClientGrant_ExpressConfiguration).
func (s *Server) expressConfigurationGrant(c obj) {
	if c.str("app_type") != "express_configuration" {
		return
	}
	g := s.managementGrant(c.str("client_id"))
	g["scope"], g["is_system"] = clone(expressConfigurationScopes), true
	s.t.ClientGrants = append(s.t.ClientGrants, g)
	s.ix.grants.add(g)
}

// expressConfigureAPI makes rs the system "Okta OIN Express Configuration
// API" Auth0 creates from a template for urn:auth0:express-configure
// (TestResourceServer_ExpressConfiguration): only the identifier counts.
func expressConfigureAPI(rs obj) {
	for k := range rs {
		if k != "id" && k != "identifier" {
			delete(rs, k)
		}
	}
	maps.Copy(rs, obj{
		"name": "Okta OIN Express Configuration API",
		"scopes": []any{
			obj{"value": "express_configure:sso", "description": "Ability to create SSO configurations"},
			obj{"value": "express_configure:scim", "description": "Ability to create scim configurations"},
		},
		"signing_alg": "RS256", "allow_offline_access": false,
		"token_lifetime": json.Number("300"), "token_lifetime_for_web": json.Number("7200"),
		"skip_consent_for_verifiable_first_party_clients": false, "enforce_policies": true, "is_system": true,
		"subject_type_authorization": obj{"user": obj{"policy": "allow_all"}, "client": obj{"policy": "deny_all"}},
	})
}

const expressConfigureIdentifier = "urn:auth0:express-configure"
