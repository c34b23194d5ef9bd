package sandbox

import (
	"cmp"
	"net/http"
	"regexp"
	"slices"
	"strings"
)

// Role-based access control: roles (/roles), the permissions a role grants
// and the users it is given to (/roles/{id}/permissions, /roles/{id}/users),
// and the roles and permissions of a user (/users/{id}/roles,
// /users/{id}/permissions). What Auth0 answers is taken from go-auth0
// v1.49's recordings (TestRoleManager_*, TestUserManager_Roles,
// TestUserManager_Permissions) and terraform-provider-auth0's
// TestAccRolePermissions; the rest is marked UNCONFIRMED where it is guessed.

// permissionRef is one permission a role grants or a user is given: a scope
// of an API. The API is named by its id, not its identifier: the Management
// API's identifier follows the sandbox's address from one run of a saved
// tenant to the next (rebaseAudience), and an API made again with a deleted
// one's identifier must not inherit the deleted one's permissions.
type permissionRef struct {
	ResourceServerID string `json:"resource_server_id"`
	Name             string `json:"permission_name"`
}

func notFoundRole() error {
	// Auth0 answers this one without an errorCode (recording
	// TestRoleManager_Delete, GET and DELETE of a deleted role).
	return errf(http.StatusNotFound, "", "The role does not exist.")
}

func (s *Server) findRole(id string) obj { return s.ix.roles.first("id", id) }

func (s *Server) newRoleID() string {
	return s.unique(func() string { return "rol_" + s.randString(alnum, 16) }, func(id string) bool { return s.findRole(id) != nil })
}

// roleSchema: a create takes name (required), description and, for an
// organization-level role, type and owner_id; an update takes name and
// description only, and refuses type and owner_id as additional properties
// (go-auth0 v1.49's Role.cleanForPatch: "The endpoint rejects everything
// else with a 400").
func roleSchema(update bool) schema {
	if update {
		return schema{fields: map[string]string{"name": "string", "description": "string"}}
	}
	return schema{
		fields:   map[string]string{"name": "string", "description": "string", "type": "string", "owner_id": "string"},
		required: []string{"name"},
		enums:    map[string][]string{"type": {"tenant", "organization"}},
	}
}

// roleView is a role as Auth0 shows it: id, name, description, type and,
// for an organization-level role, owner_id. A tenant role reads back with
// type "tenant" (recording TestRoleManager_OrganizationLevelRole, the
// newest tenant recorded; older recordings have no type at all).
func roleView(r obj) orderedObject {
	v := orderedObject{{"id", r["id"]}, {"name", r["name"]}}
	if d, ok := r["description"]; ok {
		v = append(v, kv{"description", d})
	}
	v = append(v, kv{"type", roleType(r)})
	if o, ok := r["owner_id"]; ok {
		v = append(v, kv{"owner_id", o})
	}
	return v
}

// roleType is a role's type: "tenant" unless it was made an
// organization's.
func roleType(r obj) string {
	if t := r.str("type"); t != "" {
		return t
	}
	return "tenant"
}

func (s *Server) createRole(m *mreq) (int, any, error) {
	in, err := m.decodeObject(roleSchema(false))
	if err != nil {
		return 0, nil, err
	}
	dropNulls(in)
	if in.str("name") == "" {
		return 0, nil, badBody("'String is too short (0 chars), minimum 1' on property name.")
	}
	// An organization-level role names its organization. The sandbox
	// holds no organizations, so it cannot check that the organization
	// exists as Auth0 surely does (UNCONFIRMED, and so is the answer to
	// an organization role without owner_id or a tenant role with one).
	_, hasOwner := in["owner_id"]
	switch {
	case in.str("type") == "organization" && !hasOwner:
		return 0, nil, badBody("'Missing required property: owner_id'.")
	case in.str("type") != "organization" && hasOwner:
		return 0, nil, badBody("'owner_id' is only allowed for roles of type organization.")
	}
	// Names are not unique: Auth0's API reference lists no conflict answer
	// for POST /roles (UNCONFIRMED).
	r := obj{"id": s.newRoleID(), "name": in["name"]}
	for _, k := range []string{"description", "type", "owner_id"} {
		if v, ok := in[k]; ok {
			r[k] = v
		}
	}
	s.t.Roles = append(s.t.Roles, r)
	s.ix.roles.add(r)
	// 200, not 201 (recordings).
	return http.StatusOK, roleView(r), nil
}

func (s *Server) getRole(m *mreq) (int, any, error) {
	r := s.findRole(m.segs[1])
	if r == nil {
		return 0, nil, notFoundRole()
	}
	return http.StatusOK, roleView(r), nil
}

// listRoles is GET /roles: name_filter (a part of the name, in any case:
// the API reference says "case-insensitive"; a substring rather than a
// prefix is UNCONFIRMED), type and owner_id (recording
// TestRoleManager_OrganizationLevelRole), offset paging, in the order the
// roles were made (UNCONFIRMED: Auth0 may sort them by name).
func (s *Server) listRoles(m *mreq) (int, any, error) {
	filter := strings.ToLower(m.q.Get("name_filter"))
	typ, owner := m.q.Get("type"), m.q.Get("owner_id")
	if typ != "" && typ != "tenant" && typ != "organization" {
		return 0, nil, badQuery("'No enum match for: \"%s\"' on property type.", typ)
	}
	var matched []obj
	for _, r := range s.t.Roles {
		switch {
		case filter != "" && !strings.Contains(strings.ToLower(r.str("name")), filter):
		case typ != "" && roleType(r) != typ:
		case owner != "" && r.str("owner_id") != owner:
		default:
			matched = append(matched, r)
		}
	}
	return listFirst(pageOf(m, matched, listing{key: "roles", offset: true}, func(r obj) (any, error) { return roleView(r), nil }))
}

func (s *Server) updateRole(m *mreq) (int, any, error) {
	in, err := m.decodeObject(roleSchema(true))
	if err != nil {
		return 0, nil, err
	}
	r := s.findRole(m.segs[1])
	if r == nil {
		return 0, nil, notFoundRole()
	}
	if n, ok := in["name"]; ok && str(n) == "" {
		return 0, nil, badBody("'String is too short (0 chars), minimum 1' on property name.")
	}
	for k, v := range in {
		if v == nil {
			delete(r, k) // only description: name is never null here
			continue
		}
		r[k] = v
	}
	s.ix.roles.update(r)
	return http.StatusOK, roleView(r), nil
}

// deleteRole takes the role from every user who has it ("Once deleted, it is
// removed from any user who was previously assigned that role", Auth0's API
// reference) and answers 200 with {} (recordings).
func (s *Server) deleteRole(m *mreq) (int, any, error) {
	id := m.segs[1]
	if s.findRole(id) == nil {
		return 0, nil, notFoundRole()
	}
	s.t.Roles = dropWhere(s.t.Roles, s.ix.roles, func(r obj) bool { return r.str("id") == id })
	delete(s.t.RolePermissions, id)
	delete(s.t.RoleMembers, id)
	return http.StatusOK, obj{}, nil
}

// ---- permissions ----

// permissionsBody reads {"permissions":[{"resource_server_identifier",
// "permission_name"}, ...]} and resolves each to a scope of an API. An API
// that does not exist is refused as Auth0 refuses it (404 "The resource
// server does not exist: '...'", quoted by auth0-cli issue #348 and
// auth0.net issue #444; no errorCode is quoted, and none is given) on an
// add; a removal naming an API that is gone answers
// 204 (terraform-provider-auth0 TestAccRole takes a role's permissions off
// after destroying their API). An add's permission must be one of the
// API's scopes; Auth0's answer to one that is not is UNCONFIRMED. A removal
// of an undeclared one is ignored.
func (s *Server) permissionsBody(m *mreq, add bool) ([]permissionRef, error) {
	in, err := m.decodeObject(schema{fields: map[string]string{"permissions": "array"}, required: []string{"permissions"}})
	if err != nil {
		return nil, err
	}
	items := anySlice(in["permissions"])
	if len(items) == 0 {
		return nil, badBody("'Array is too short (0), minimum 1' on property permissions.") // UNCONFIRMED
	}
	var out []permissionRef
	for i, x := range items {
		p, ok := x.(map[string]any)
		if !ok {
			return nil, badBody("'Expected type object but found type %s' on property permissions[%d].", jsonType(x), i)
		}
		for k, v := range p {
			switch k {
			case "resource_server_identifier", "permission_name":
				if _, isStr := v.(string); !isStr {
					return nil, badBody("'Expected type string but found type %s' on property permissions[%d].%s.", jsonType(v), i, k)
				}
			case "resource_server_name", "description":
				// What a read answers; a client that sends a read
				// permission back (go-auth0's Permission has both
				// fields) is not refused for them (UNCONFIRMED).
			default:
				return nil, badBody("'Additional properties not allowed: %s' on property permissions[%d].", k, i)
			}
		}
		for _, k := range []string{"resource_server_identifier", "permission_name"} {
			if _, has := p[k]; !has {
				return nil, badBody("'Missing required property: %s' on property permissions[%d].", k, i)
			}
		}
		ident, name := str(p["resource_server_identifier"]), str(p["permission_name"])
		rs := s.findRSByIdentifier(ident)
		if rs == nil && !add {
			continue
		}
		if rs == nil {
			return nil, errf(http.StatusNotFound, "", "The resource server does not exist: '%s'", ident)
		}
		if scopeOf(rs, name) == nil {
			if add {
				return nil, errf(http.StatusBadRequest, "", "Permission '%s' is not defined for the resource server '%s'", name, ident) // UNCONFIRMED
			}
			continue
		}
		out = append(out, permissionRef{ResourceServerID: rs.str("id"), Name: name})
	}
	return out, nil
}

// scopeOf is the scope of the API whose value is name, nil if it has none.
func scopeOf(rs obj, name string) map[string]any {
	for _, x := range anySlice(rs["scopes"]) {
		if sc, ok := asMap(x); ok && str(sc["value"]) == name {
			return sc
		}
	}
	return nil
}

func addPermissions(have, add []permissionRef) []permissionRef {
	for _, p := range add {
		if !slices.Contains(have, p) {
			have = append(have, p)
		}
	}
	return have
}

func removePermissions(have, drop []permissionRef) []permissionRef {
	return slices.DeleteFunc(have, func(p permissionRef) bool { return slices.Contains(drop, p) })
}

// keepNonEmpty stores list under k, or takes k out of m when list is empty,
// so that a saved tenant holds no empty entries.
func keepNonEmpty[V any](m map[string][]V, k string, list []V) {
	if len(list) > 0 {
		m[k] = list
	} else {
		delete(m, k)
	}
}

// grantedPermission is a permission as a read shows it, resolved against
// its API.
type grantedPermission struct {
	ref   permissionRef
	rs    obj
	scope map[string]any
}

// resolvePermissions resolves refs against the tenant's APIs, sorted as
// Auth0 lists them: by permission name (terraform-provider-auth0
// TestAccRolePermissions: permission:1, permission:10, permission:11 ...),
// the API first (UNCONFIRMED across APIs). A permission whose API or scope
// is gone is not shown: deleting an API drops its permissions
// (dropPermissionsOf), and a scope taken off an API is taken from the
// roles and users that had it (UNCONFIRMED).
func (s *Server) resolvePermissions(refs []permissionRef) []grantedPermission {
	var out []grantedPermission
	for _, p := range refs {
		rs := s.ix.resourceServers.first("id", p.ResourceServerID)
		if rs == nil {
			continue
		}
		if sc := scopeOf(rs, p.Name); sc != nil {
			out = append(out, grantedPermission{ref: p, rs: rs, scope: sc})
		}
	}
	slices.SortStableFunc(out, func(a, b grantedPermission) int {
		return cmp.Or(strings.Compare(a.rs.str("identifier"), b.rs.str("identifier")), strings.Compare(a.ref.Name, b.ref.Name))
	})
	return out
}

// permissionView is a permission as GET /roles/{id}/permissions shows it
// (recordings): the scope's description only when it has one
// (UNCONFIRMED).
func permissionView(g grantedPermission) orderedObject {
	v := orderedObject{{"permission_name", g.ref.Name}}
	if d, ok := g.scope["description"]; ok {
		v = append(v, kv{"description", d})
	}
	return append(v, kv{"resource_server_name", g.rs["name"]}, kv{"resource_server_identifier", g.rs["identifier"]})
}

func (s *Server) listRolePermissions(m *mreq) (int, any, error) {
	id := m.segs[1]
	if s.findRole(id) == nil {
		return 0, nil, notFoundRole()
	}
	perms := s.resolvePermissions(s.t.RolePermissions[id])
	return listFirst(pageOf(m, perms, listing{key: "permissions", offset: true}, func(g grantedPermission) (any, error) { return permissionView(g), nil }))
}

// addRolePermissions answers 201 with {} (recordings); a permission the
// role has already is no error (UNCONFIRMED).
func (s *Server) addRolePermissions(m *mreq) (int, any, error) {
	return s.editPermissions(m, true, s.findRole(m.segs[1]) != nil, notFoundRole, s.t.RolePermissions)
}

func (s *Server) removeRolePermissions(m *mreq) (int, any, error) {
	return s.editPermissions(m, false, s.findRole(m.segs[1]) != nil, notFoundRole, s.t.RolePermissions)
}

// ---- role members ----

// idsBody reads {"<key>":["id", ...]}: a list of at least one string
// (UNCONFIRMED: the minimum).
func idsBody(m *mreq, key string) ([]string, error) {
	in, err := m.decodeObject(schema{fields: map[string]string{key: "array"}, required: []string{key}})
	if err != nil {
		return nil, err
	}
	items := anySlice(in[key])
	if len(items) == 0 {
		return nil, badBody("'Array is too short (0), minimum 1' on property %s.", key)
	}
	out := make([]string, 0, len(items))
	for i, x := range items {
		v, ok := x.(string)
		if !ok {
			return nil, badBody("'Expected type string but found type %s' on property %s[%d].", jsonType(x), key, i)
		}
		out = append(out, v)
	}
	return out, nil
}

// roleUserView is a member as GET /roles/{id}/users shows it (recordings).
func roleUserView(u obj) orderedObject {
	v := orderedObject{{"user_id", u["user_id"]}}
	for _, k := range []string{"email", "picture", "name"} {
		if x, ok := u[k]; ok {
			v = append(v, kv{k, x})
		}
	}
	return v
}

// listRoleUsers pages a role's members by offset or by checkpoint (from,
// take), in the order they were given the role and, among those given it
// at once, by user_id (recording TestRoleManager_UsersCheckpointPagination,
// whose cursor holds the time of the assignment and the user_id).
func (s *Server) listRoleUsers(m *mreq) (int, any, error) {
	id := m.segs[1]
	if s.findRole(id) == nil {
		return 0, nil, notFoundRole()
	}
	var members []obj
	for _, uid := range s.t.RoleMembers[id] {
		if u := s.findUser(uid); u != nil {
			members = append(members, u)
		}
	}
	return listFirst(pageOf(m, members, listing{key: "users", offset: true, checkpoint: true}, func(u obj) (any, error) { return roleUserView(u), nil }))
}

// assignRoleUsers gives the role to users and answers 200 with {}
// (recordings). A user that does not exist is refused as a user path is
// (UNCONFIRMED), and nothing is assigned then.
func (s *Server) assignRoleUsers(m *mreq) (int, any, error) {
	ids, err := idsBody(m, "users")
	if err != nil {
		return 0, nil, err
	}
	id := m.segs[1]
	if s.findRole(id) == nil {
		return 0, nil, notFoundRole()
	}
	for _, uid := range ids {
		if s.findUser(uid) == nil {
			return 0, nil, notFoundUser()
		}
	}
	s.addMembers(id, ids)
	return http.StatusOK, obj{}, nil
}

// addMembers appends the users not yet members of the role, sorted by
// user_id among themselves.
func (s *Server) addMembers(roleID string, ids []string) {
	have := s.t.RoleMembers[roleID]
	var fresh []string
	for _, uid := range ids {
		if !slices.Contains(have, uid) && !slices.Contains(fresh, uid) {
			fresh = append(fresh, uid)
		}
	}
	if len(fresh) == 0 {
		return
	}
	slices.Sort(fresh)
	s.t.RoleMembers[roleID] = append(have, fresh...)
}

func (s *Server) removeMember(roleID, userID string) {
	keepNonEmpty(s.t.RoleMembers, roleID, slices.DeleteFunc(s.t.RoleMembers[roleID], func(u string) bool { return u == userID }))
}

// ---- a user's roles and permissions ----

// userRoles are the roles a user has, in the tenant's order of roles
// (UNCONFIRMED: Auth0's order).
func (s *Server) userRoles(userID string) []obj {
	var out []obj
	for _, r := range s.t.Roles {
		if slices.Contains(s.t.RoleMembers[r.str("id")], userID) {
			out = append(out, r)
		}
	}
	return out
}

func (s *Server) listUserRoles(m *mreq) (int, any, error) {
	uid := m.segs[1]
	if s.findUser(uid) == nil {
		return 0, nil, notFoundUser()
	}
	return listFirst(pageOf(m, s.userRoles(uid), listing{key: "roles", offset: true}, func(r obj) (any, error) { return roleView(r), nil }))
}

// roleIDPattern is the shape of a role id. Auth0 refuses a body whose roles
// are not role ids with a 400 (a role's name given for its id: node-auth0
// issues #429 and #729); the message is UNCONFIRMED.
var roleIDPattern = regexp.MustCompile(`^rol_[A-Za-z0-9]{16}$`)

// userRolesBody reads {"roles":[role ids]} for the user of the path, each
// role one that exists (404 otherwise, UNCONFIRMED).
func (s *Server) userRolesBody(m *mreq) ([]string, error) {
	ids, err := idsBody(m, "roles")
	if err != nil {
		return nil, err
	}
	for i, id := range ids {
		if !roleIDPattern.MatchString(id) {
			return nil, badBody("'String does not match pattern %s: %s' on property roles[%d].", roleIDPattern, id, i)
		}
	}
	if s.findUser(m.segs[1]) == nil {
		return nil, notFoundUser()
	}
	for _, id := range ids {
		if s.findRole(id) == nil {
			return nil, notFoundRole()
		}
	}
	return ids, nil
}

// assignUserRoles answers 204 (recording TestUserManager_Roles).
func (s *Server) assignUserRoles(m *mreq) (int, any, error) {
	ids, err := s.userRolesBody(m)
	if err != nil {
		return 0, nil, err
	}
	for _, id := range ids {
		s.addMembers(id, []string{m.segs[1]})
	}
	return http.StatusNoContent, nil, nil
}

func (s *Server) removeUserRoles(m *mreq) (int, any, error) {
	ids, err := s.userRolesBody(m)
	if err != nil {
		return 0, nil, err
	}
	for _, id := range ids {
		s.removeMember(id, m.segs[1])
	}
	return http.StatusNoContent, nil, nil
}

// listUserPermissions lists the permissions a user has directly and those
// its roles grant, one entry a permission with where it comes from:
// {source_id:"", source_name:"", source_type:"DIRECT"} for a direct one
// (recording TestUserManager_Permissions); a role's id, name and "ROLE" for
// a role's (UNCONFIRMED: no recording shows one), the direct source first,
// then the roles in the tenant's order.
func (s *Server) listUserPermissions(m *mreq) (int, any, error) {
	uid := m.segs[1]
	if s.findUser(uid) == nil {
		return 0, nil, notFoundUser()
	}
	refs, sources := s.heldPermissions(uid)
	perms := s.resolvePermissions(refs)
	return listFirst(pageOf(m, perms, listing{key: "permissions", offset: true}, func(g grantedPermission) (any, error) {
		return append(permissionView(g), kv{"sources", sources[g.ref]}), nil
	}))
}

// heldPermissions are the permissions a user holds, directly and through
// its roles, each once, with where each comes from.
func (s *Server) heldPermissions(userID string) ([]permissionRef, map[permissionRef][]any) {
	refs := slices.Clone(s.t.UserPermissions[userID])
	sources := map[permissionRef][]any{}
	for _, p := range refs {
		sources[p] = []any{orderedObject{{"source_id", ""}, {"source_name", ""}, {"source_type", "DIRECT"}}}
	}
	for _, r := range s.userRoles(userID) {
		for _, p := range s.t.RolePermissions[r.str("id")] {
			if _, seen := sources[p]; !seen {
				refs = append(refs, p)
			}
			sources[p] = append(sources[p], orderedObject{{"source_id", r["id"]}, {"source_name", r["name"]}, {"source_type", "ROLE"}})
		}
	}
	return refs, sources
}

// addUserPermissions answers 201 with {} (recording
// TestUserManager_Permissions).
func (s *Server) addUserPermissions(m *mreq) (int, any, error) {
	return s.editPermissions(m, true, s.findUser(m.segs[1]) != nil, notFoundUser, s.t.UserPermissions)
}

// removeUserPermissions takes direct permissions from the user (204); one
// its roles grant stays with it.
func (s *Server) removeUserPermissions(m *mreq) (int, any, error) {
	return s.editPermissions(m, false, s.findUser(m.segs[1]) != nil, notFoundUser, s.t.UserPermissions)
}

// editPermissions adds (201 {}) or removes (204) the permissions a body
// names to or from what the role or user m.segs[1] holds directly in
// table; the body is checked before the holder is looked for.
func (s *Server) editPermissions(m *mreq, add, found bool, notFound func() error, table map[string][]permissionRef) (int, any, error) {
	refs, err := s.permissionsBody(m, add)
	if err != nil {
		return 0, nil, err
	}
	if !found {
		return 0, nil, notFound()
	}
	id := m.segs[1]
	if add {
		table[id] = addPermissions(table[id], refs)
		return http.StatusCreated, obj{}, nil
	}
	keepNonEmpty(table, id, removePermissions(table[id], refs))
	return http.StatusNoContent, nil, nil
}

// ---- what a deletion takes along ----

// forgetUser takes a deleted user out of every role and drops its direct
// permissions.
func (s *Server) forgetUser(userID string) {
	for roleID := range s.t.RoleMembers {
		s.removeMember(roleID, userID)
	}
	delete(s.t.UserPermissions, userID)
}

// dropPermissionsOf takes a deleted API's permissions from every role and
// user (UNCONFIRMED that Auth0 does: what it shows afterwards is the same,
// since it lists permissions of APIs that exist only).
func (s *Server) dropPermissionsOf(resourceServerID string) {
	for _, m := range []map[string][]permissionRef{s.t.RolePermissions, s.t.UserPermissions} {
		for k, refs := range m {
			keepNonEmpty(m, k, slices.DeleteFunc(refs, func(p permissionRef) bool { return p.ResourceServerID == resourceServerID }))
		}
	}
}

// listFirst puts a totals page in the order Auth0 answers it for roles,
// permissions and members: the list, then start, limit and total
// (recordings); pageOf's generic order begins with total.
func listFirst(status int, body any, err error) (int, any, error) {
	page, ok := body.(orderedObject)
	if err != nil || !ok || len(page) != 4 || page[0].k != "total" {
		return status, body, err
	}
	return status, orderedObject{page[3], page[1], page[2], page[0]}, nil
}

// userPermissionsFor is the names of the permissions a user holds on one
// API, given directly or through a role, in Auth0's list order: what an
// RBAC API's tokens are cut to and carry.
func (s *Server) userPermissionsFor(userID string, rs obj) []string {
	refs, _ := s.heldPermissions(userID)
	names := []string{}
	for _, g := range s.resolvePermissions(refs) {
		if g.ref.ResourceServerID == rs.str("id") {
			names = append(names, g.ref.Name)
		}
	}
	return names
}

// rbacToken applies an API's RBAC settings to a token's claims (Auth0's
// "Enable Role-Based Access Control for APIs"): with enforce_policies the
// API scopes a user token carries are those requested that the user holds
// (OpenID scopes stay), and with an *_authz token dialect the token gains a
// permissions claim, all of the user's permissions on the API. It returns
// the scopes the token keeps. For a client's token (userID ""), the
// permissions claim is the scopes granted (UNCONFIRMED: Auth0 documents the
// claim for users; machine tokens are reported to mirror their scopes).
func (s *Server) rbacToken(tc claims, rs obj, userID string, scopes []string) []string {
	if rs == nil {
		return scopes
	}
	dialect := rs.str("token_dialect")
	authz := dialect == "access_token_authz" || dialect == "rfc9068_profile_authz"
	if userID == "" {
		if authz {
			tc["permissions"] = append([]string{}, scopes...)
		}
		return scopes
	}
	if !rs.bool("enforce_policies") && !authz {
		return scopes
	}
	held := s.userPermissionsFor(userID, rs)
	if rs.bool("enforce_policies") {
		scopes = slices.DeleteFunc(slices.Clone(scopes), func(sc string) bool {
			return !slices.Contains(oidcScopes, sc) && !slices.Contains(held, sc)
		})
	}
	if authz {
		tc["permissions"] = held
	}
	return scopes
}
