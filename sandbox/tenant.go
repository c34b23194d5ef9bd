package sandbox

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// obj is one resource as the Management API shows it. Resources are kept as
// JSON objects so that every field a client sets is echoed back as Auth0
// does, including fields this sandbox gives no meaning to.
type obj map[string]any

func (o obj) str(k string) string {
	s, _ := o[k].(string)
	return s
}

func (o obj) bool(k string) bool {
	b, _ := o[k].(bool)
	return b
}

func (o obj) obj(k string) obj {
	switch v := o[k].(type) {
	case obj:
		return v
	case map[string]any:
		return obj(v)
	}
	return nil
}

// strs returns o[k] as a list of strings (non-strings are skipped).
func (o obj) strs(k string) []string {
	return toStrings(o[k])
}

func toStrings(v any) []string {
	var out []string
	switch l := v.(type) {
	case []any:
		for _, x := range l {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
	case []string:
		out = append(out, l...)
	}
	return out
}

func toInt(v any) (int64, bool) {
	switch n := v.(type) {
	case json.Number:
		i, err := n.Int64()
		if err != nil {
			f, ferr := n.Float64()
			if ferr != nil {
				return 0, false
			}
			return int64(f), true
		}
		return i, true
	case float64:
		return int64(n), true
	case int:
		return int64(n), true
	case int64:
		return n, true
	}
	return 0, false
}

// tenant is everything a sandbox tenant holds; it is what --state saves.
type tenant struct {
	ManagementClientID string `json:"management_client_id"`
	ResourceServers    []obj  `json:"resource_servers"`
	Clients            []obj  `json:"clients"`
	ClientGrants       []obj  `json:"client_grants"`
	Connections        []obj  `json:"connections"`
	Users              []obj  `json:"users"`
	// Passwords maps user_id to a salted SHA-256 of the password.
	Passwords map[string]string `json:"passwords"`
	// Credentials maps client_id to its private_key_jwt credentials.
	Credentials map[string][]obj `json:"credentials"`
	// Settings holds the tenant settings set through PATCH
	// /tenants/settings: default_directory (the connection the plain
	// password grant uses) and default_audience among them. A new tenant
	// has neither.
	Settings obj `json:"settings,omitempty"`
	// Roles are the tenant's roles (roles.go); RolePermissions maps a
	// role's id to the permissions it grants, RoleMembers to the
	// user_ids it is given to (in the order they were given it), and
	// UserPermissions a user_id to the permissions given to the user
	// directly.
	Roles           []obj                      `json:"roles,omitempty"`
	RolePermissions map[string][]permissionRef `json:"role_permissions,omitempty"`
	RoleMembers     map[string][]string        `json:"role_members,omitempty"`
	UserPermissions map[string][]permissionRef `json:"user_permissions,omitempty"`
}

// normalize makes a decoded tenant safe to use: no nil maps, objects typed
// as obj all the way down where the code looks them up.
func (t *tenant) normalize() {
	if t.Passwords == nil {
		t.Passwords = map[string]string{}
	}
	if t.Credentials == nil {
		t.Credentials = map[string][]obj{}
	}
	if t.RolePermissions == nil {
		t.RolePermissions = map[string][]permissionRef{}
	}
	if t.RoleMembers == nil {
		t.RoleMembers = map[string][]string{}
	}
	if t.UserPermissions == nil {
		t.UserPermissions = map[string][]permissionRef{}
	}
}

func (t *tenant) UnmarshalJSON(data []byte) error {
	type plain tenant
	var p plain
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&p); err != nil {
		return err
	}
	*t = tenant(p)
	return nil
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

// now is the timestamp format of the Management API.
func now() string { return time.Now().UTC().Format("2006-01-02T15:04:05.000Z") }

const (
	alnum     = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	secretSet = alnum + "-_"
	hexSet    = "0123456789abcdef"
)

// randString draws n characters of set from the seeded generator.
// The caller holds s.mu (or is New, before serving).
func (s *Server) randString(set string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = set[s.rng.IntN(len(set))]
	}
	return string(b)
}

func (s *Server) newResourceServerID() string {
	return s.unique(func() string { return s.randString(hexSet, 24) }, func(id string) bool { return s.findResourceServer(id) != nil })
}

func (s *Server) newClientID() string {
	return s.unique(func() string { return s.randString(alnum, 32) }, func(id string) bool { return s.findClient(id) != nil })
}

func (s *Server) newClientSecret() string { return s.randString(secretSet, 64) }

func (s *Server) newGrantID() string {
	return s.unique(func() string { return "cgr_" + s.randString(alnum, 16) }, func(id string) bool { return s.findGrant(id) != nil })
}

func (s *Server) newConnectionID() string {
	return s.unique(func() string { return "con_" + s.randString(alnum, 16) }, func(id string) bool { return s.findConnection(id) != nil })
}

func (s *Server) newUserID() string {
	return s.unique(func() string { return s.randString(hexSet, 24) }, func(id string) bool { return s.findUser("auth0|"+id) != nil })
}

// unique draws until taken says the id is free (the tenant may be nil
// while it is being seeded).
func (s *Server) unique(draw func() string, taken func(string) bool) string {
	for {
		id := draw()
		if s.t == nil || !taken(id) {
			return id
		}
	}
}

func (s *Server) newCredentialID() string { return "cred_" + s.randString(alnum, 22) }

// setKey installs the RS256 signing key with its kid and a self-signed
// certificate (JWKS x5c).
func (s *Server) setKey(key *rsa.PrivateKey) error {
	sum := sha256.Sum256(key.N.Bytes())
	s.key = key
	s.kid = base64.RawURLEncoding.EncodeToString(sum[:15])
	tmpl := &x509.Certificate{
		SerialNumber:          new(big.Int).SetBytes(sum[:8]),
		Subject:               pkix.Name{CommonName: hostOnly(s.Domain)},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return fmt.Errorf("sandbox: making the signing certificate: %w", err)
	}
	s.keyDER = der
	return nil
}

// defaultConnectionName is the database connection of a new tenant.
const defaultConnectionName = "Username-Password-Authentication"

// seedTenant makes what a new real tenant holds: the system Management API,
// a machine-to-machine management application granted every one of its
// scopes, and the default database connection enabled for that application.
func (s *Server) seedTenant() *tenant {
	t := &tenant{}
	t.normalize()
	t.ResourceServers = append(t.ResourceServers, s.managementAPI())
	app := s.newClientObject(obj{
		"name":                       "auth0-wizard sandbox (Test Application)",
		"app_type":                   "non_interactive",
		"grant_types":                []any{"client_credentials"},
		"token_endpoint_auth_method": "client_secret_post",
		"description":                "The management application of this sandbox tenant, authorized for the Auth0 Management API with every scope.",
	})
	t.ManagementClientID = app.str("client_id")
	t.Clients = append(t.Clients, app)
	t.ClientGrants = append(t.ClientGrants, s.managementGrant(app.str("client_id")))
	conn := s.newConnectionObject(obj{"name": defaultConnectionName, "strategy": "auth0", "options": defaultDatabaseOptions()})
	conn["enabled_clients"] = []any{app.str("client_id")}
	t.Connections = append(t.Connections, conn)
	// Drawn last, so that the ids above stay those of earlier versions.
	t.Clients = append(t.Clients, s.globalClient())
	return t
}

// completeTenant adds to a loaded tenant what a fresh one has and a state
// saved by an older sandbox lacks: the global client ("All Applications")
// and the system Management API (with the management application's grant
// to it, when that is gone too). Nothing else is touched. It returns what
// it added, by name.
func (s *Server) completeTenant() []string {
	var added []string
	hasGlobal := false
	for _, c := range s.t.Clients {
		hasGlobal = hasGlobal || c.bool("global")
	}
	if !hasGlobal {
		s.t.Clients = append(s.t.Clients, s.globalClient())
		added = append(added, globalClientName)
	}
	hasAPI := false
	for _, rs := range s.t.ResourceServers {
		hasAPI = hasAPI || rs.str("identifier") == s.Audience
	}
	if !hasAPI {
		s.t.ResourceServers = append(s.t.ResourceServers, s.managementAPI())
		added = append(added, "Auth0 Management API")
		granted := false
		for _, g := range s.t.ClientGrants {
			granted = granted || (g.str("client_id") == s.t.ManagementClientID && g.str("audience") == s.Audience)
		}
		if !granted && s.t.ManagementClientID != "" {
			s.t.ClientGrants = append(s.t.ClientGrants, s.managementGrant(s.t.ManagementClientID))
			added = append(added, "the management application's grant")
		}
	}
	return added
}

// managementAPI is the system "Auth0 Management API" of a new tenant.
func (s *Server) managementAPI() obj {
	scopes := make([]any, 0, len(managementScopes))
	for _, sc := range managementScopes {
		scopes = append(scopes, obj{"value": sc.value, "description": sc.description})
	}
	return obj{
		"id":                   s.newResourceServerID(),
		"name":                 "Auth0 Management API",
		"identifier":           s.Audience,
		"allow_offline_access": false,
		"skip_consent_for_verifiable_first_party_clients": false,
		"token_lifetime":         json.Number("86400"),
		"token_lifetime_for_web": json.Number("7200"),
		"signing_alg":            "RS256",
		"scopes":                 scopes,
		"is_system":              true,
		"subject_type_authorization": obj{
			"client": obj{"policy": "require_client_grant"}, "user": obj{"policy": "allow_all"},
		},
	}
}

// managementGrant grants the management application every scope of the
// Management API.
func (s *Server) managementGrant(clientID string) obj {
	scopes := make([]any, 0, len(managementScopes))
	for _, sc := range managementScopes {
		scopes = append(scopes, sc.value)
	}
	return obj{
		"id":           s.newGrantID(),
		"client_id":    clientID,
		"audience":     s.Audience,
		"scope":        scopes,
		"subject_type": "client",
	}
}

// globalClientName is the name of a tenant's global client.
const globalClientName = "All Applications"

// globalClient is the client every tenant has for its tenant-wide
// settings ("All Applications", global: true): listed by GET /clients
// unless is_global=false, never granted an API.
func (s *Server) globalClient() obj {
	c := s.newClientObject(obj{"name": globalClientName, "callbacks": []any{}})
	c["global"] = true
	c["tenant"] = tenantName
	c["cross_origin_auth"] = false
	delete(c, "cross_origin_authentication")
	return c
}

// defaultDatabaseOptions are the options of a new tenant's
// Username-Password-Authentication as the dashboard makes it (go-auth0
// v1.49 recordings of a tenant's own default connection); the newer
// defaults of every database connection are added to them.
func defaultDatabaseOptions() obj {
	return obj{
		"mfa":                          obj{"active": true, "return_enroll_settings": true},
		"import_mode":                  false,
		"configuration":                obj{},
		"customScripts":                obj{},
		"passwordPolicy":               "good",
		"password_history":             obj{"size": json.Number("5"), "enable": false},
		"password_dictionary":          obj{"enable": false, "dictionary": []any{}},
		"password_no_personal_info":    obj{"enable": false},
		"password_complexity_options":  obj{"min_length": json.Number("8")},
		"enabledDatabaseCustomization": false,
		"brute_force_protection":       true,
	}
}

// hashPassword returns a salted SHA-256 of the password (salt$hex).
func (s *Server) hashPassword(pw string) string {
	salt := s.randString(alnum, 16)
	sum := sha256.Sum256([]byte(salt + "\x00" + pw))
	return salt + "$" + hex.EncodeToString(sum[:])
}

func checkPassword(stored, pw string) bool {
	salt, want, ok := strings.Cut(stored, "$")
	if !ok {
		return false
	}
	sum := sha256.Sum256([]byte(salt + "\x00" + pw))
	return hex.EncodeToString(sum[:]) == want
}

// lookups, through the indexes; the caller holds s.mu.

func (s *Server) findClient(id string) obj { return s.ix.clients.first("id", id) }

func (s *Server) findResourceServer(idOrIdentifier string) obj {
	if rs := s.ix.resourceServers.first("id", idOrIdentifier); rs != nil {
		return rs
	}
	return s.findRSByIdentifier(idOrIdentifier)
}

func (s *Server) findRSByIdentifier(identifier string) obj {
	return s.ix.resourceServers.first("identifier", identifier)
}

func (s *Server) findGrant(id string) obj { return s.ix.grants.first("id", id) }

// grantSubject is a grant's subject_type; a grant without one is a client's.
func grantSubject(g obj) string {
	if st := g.str("subject_type"); st != "" {
		return st
	}
	return "client"
}

func (s *Server) findGrantFor(clientID, audience, subjectType string) obj {
	for _, g := range s.ix.grants.find("client", clientID) {
		if g.str("client_id") == clientID && g.str("audience") == audience && grantSubject(g) == subjectType {
			return g
		}
	}
	return nil
}

// findDefaultGrant is the grant default_for third_party_clients of an
// audience, nil if there is none.
func (s *Server) findDefaultGrant(audience, subjectType string) obj {
	for _, g := range s.ix.grants.find("client", "") {
		if g.str("default_for") == "third_party_clients" && g.str("client_id") == "" && g.str("audience") == audience && grantSubject(g) == subjectType {
			return g
		}
	}
	return nil
}

func (s *Server) findConnection(id string) obj { return s.ix.connections.first("id", id) }

func (s *Server) findConnectionByName(name string) obj {
	return s.ix.connections.first("name", name)
}

func (s *Server) findUser(id string) obj { return s.ix.users.first("id", id) }

// findLogin is the user of a connection whose email (any case) or
// username is login, nil if none: the first in the tenant's order.
func (s *Server) findLogin(connection, login string) obj {
	byEmail := s.ix.users.first("conn_email", connection+"\x00"+strings.ToLower(login))
	byName := s.ix.users.first("conn_username", connection+"\x00"+login)
	switch {
	case byEmail == nil:
		return byName
	case byName == nil:
		return byEmail
	case s.ix.users.order[byName.str("user_id")] < s.ix.users.order[byEmail.str("user_id")]:
		return byName
	}
	return byEmail
}

// findBy is the first object of list whose key is value, nil if none.
func findBy(list []obj, key, value string) obj {
	for _, o := range list {
		if o.str(key) == value {
			return o
		}
	}
	return nil
}

func removeWhere(list []obj, drop func(obj) bool) []obj {
	out := list[:0]
	for _, o := range list {
		if !drop(o) {
			out = append(out, o)
		}
	}
	clear(list[len(out):])
	return out
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }

// asMap reads a JSON object whether it came from a request (map[string]any)
// or from this package (obj).
func asMap(v any) (map[string]any, bool) {
	switch m := v.(type) {
	case map[string]any:
		return m, true
	case obj:
		return m, true
	}
	return nil, false
}
