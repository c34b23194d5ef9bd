package sandbox

import (
	"net/http"
	"regexp"
	"strings"
	"unicode"
)

func userSchema(update bool) schema {
	f := map[string]string{
		"email": "string", "phone_number": "string", "user_metadata": "object", "blocked": "boolean",
		"email_verified": "boolean", "phone_verified": "boolean", "app_metadata": "object",
		"given_name": "string", "family_name": "string", "name": "string", "nickname": "string",
		"picture": "string", "connection": "string", "password": "string", "verify_email": "boolean",
		"username": "string",
	}
	if update {
		f["verify_phone_number"] = "boolean"
		f["client_id"] = "string"
		for _, k := range []string{"email", "phone_number", "given_name", "family_name", "name", "nickname", "picture", "username", "user_metadata", "app_metadata"} {
			f[k] += "|null"
		}
		return schema{fields: f}
	}
	f["user_id"] = "string"
	return schema{fields: f, required: []string{"connection"}}
}

var emailPattern = regexp.MustCompile(`^[^@\s]+@[^@\s]+$`)

func notFoundUser() error {
	return errf(http.StatusNotFound, "inexistent_user", "The user does not exist.")
}

// userSecretFields never appear in a user answer.
var userSecretFields = []string{"password", "connection", "verify_email", "verify_phone_number", "client_id"}

func (s *Server) createUser(m *mreq) (int, any, error) {
	in, err := m.decodeObject(userSchema(false))
	if err != nil {
		return 0, nil, err
	}
	dropNulls(in)
	conn := s.findConnectionByName(in.str("connection"))
	if conn == nil {
		return 0, nil, errf(http.StatusBadRequest, "inexistent_connection", "The connection does not exist.")
	}
	if conn.str("strategy") != "auth0" {
		return 0, nil, errf(http.StatusBadRequest, "operation_not_supported", "Connection does not support user creation through the API. It must either be a database or passwordless connection.")
	}
	email := in.str("email")
	if _, ok := in["email"]; !ok {
		return 0, nil, badBody("'Missing required property: email'.")
	}
	if !emailPattern.MatchString(email) {
		return 0, nil, badBody("'Object didn't pass validation for format email: %s' on property email.", email)
	}
	if _, ok := in["password"]; !ok {
		return 0, nil, badBody("'Missing required property: password'.")
	}
	opts := conn.obj("options")
	if opts.bool("requires_username") && in.str("username") == "" {
		return 0, nil, badBody("'Missing required property: username'.")
	}
	if s.ix.users.first("conn_email", conn.str("name")+"\x00"+strings.ToLower(email)) != nil || (in.str("username") != "" && s.ix.users.first("conn_username", conn.str("name")+"\x00"+in.str("username")) != nil) {
		return 0, nil, errf(http.StatusConflict, "auth0_idp_error", "The user already exists.")
	}
	if err := passwordPolicy(opts, in.str("password"), in); err != nil {
		return 0, nil, err
	}
	id := s.newUserID()
	if v := in.str("user_id"); v != "" {
		id = strings.TrimPrefix(v, "auth0|")
		if s.findUser("auth0|"+id) != nil {
			return 0, nil, errf(http.StatusConflict, "auth0_idp_error", "The user already exists.")
		}
	}
	ts := now()
	u := obj{}
	for k, v := range in {
		u[k] = clone(v)
	}
	for _, k := range userSecretFields {
		delete(u, k)
	}
	local, _, _ := strings.Cut(email, "@")
	u["user_id"] = "auth0|" + id
	u["email"] = email
	setDefault(u, "email_verified", false)
	setDefault(u, "name", email)
	setDefault(u, "nickname", local)
	setDefault(u, "picture", gravatar(email))
	u["identities"] = []any{obj{"connection": conn.str("name"), "user_id": id, "provider": "auth0", "isSocial": false}}
	u["created_at"] = ts
	u["updated_at"] = ts
	s.t.Users = append(s.t.Users, u)
	s.ix.users.add(u)
	s.t.Passwords[u.str("user_id")] = s.hashPassword(in.str("password"))
	return http.StatusCreated, u, nil
}

func (s *Server) getUser(m *mreq) (int, any, error) {
	u := s.findUser(m.segs[1])
	if u == nil {
		return 0, nil, notFoundUser()
	}
	v, err := m.project(u, "user_id")
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, v, nil
}

func (s *Server) listUsers(m *mreq) (int, any, error) {
	switch m.q.Get("search_engine") {
	case "", "v3":
	case "v1", "v2":
		return 0, nil, badQuery("You are not allowed to use search_engine=%s. Use search_engine=v3 instead.", m.q.Get("search_engine"))
	default:
		return 0, nil, badQuery("'No enum match for: \"%s\"' on property search_engine.", m.q.Get("search_engine"))
	}
	query, err := parseLucene(m.q.Get("q"))
	if err != nil {
		return 0, nil, err
	}
	conn := m.q.Get("connection")
	var matched []obj
	for _, u := range s.t.Users {
		if conn != "" && userConnection(u) != conn {
			continue
		}
		if query.match(u) {
			matched = append(matched, u)
		}
	}
	return s.pageProjected(m, matched, listing{key: "users", offset: true, length: true})
}

func (s *Server) usersByEmail(m *mreq) (int, any, error) {
	email := m.q.Get("email")
	if email == "" {
		return 0, nil, badQuery("'Missing required property: email'.")
	}
	views := []any{}
	for _, u := range s.ix.users.find("email", strings.ToLower(email)) {
		v, err := m.project(u)
		if err != nil {
			return 0, nil, err
		}
		views = append(views, v)
	}
	return http.StatusOK, views, nil
}

func (s *Server) updateUser(m *mreq) (int, any, error) {
	u := s.findUser(m.segs[1])
	if u == nil {
		return 0, nil, notFoundUser()
	}
	in, err := m.decodeObject(userSchema(true))
	if err != nil {
		return 0, nil, err
	}
	if !m.has("update:users") {
		for k := range in {
			if k != "app_metadata" {
				return 0, nil, errf(http.StatusForbidden, "insufficient_scope", "Insufficient scope, expected any of: update:users")
			}
		}
	}
	_, hasPw := in["password"]
	_, hasEmail := in["email"]
	if hasPw && hasEmail {
		return 0, nil, errf(http.StatusBadRequest, "invalid_body", "Cannot update password and email simultaneously")
	}
	if hasEmail && !emailPattern.MatchString(in.str("email")) {
		return 0, nil, badBody("'Object didn't pass validation for format email: %s' on property email.", in.str("email"))
	}
	conn := s.findConnectionByName(userConnection(u))
	ts := now()
	if hasPw {
		var opts obj
		if conn != nil {
			opts = conn.obj("options")
		}
		probe := cloneObj(u)
		if err := passwordPolicy(opts, in.str("password"), probe); err != nil {
			return 0, nil, err
		}
		s.t.Passwords[u.str("user_id")] = s.hashPassword(in.str("password"))
		u["last_password_reset"] = ts
	}
	for k, v := range in {
		switch k {
		case "password", "connection", "verify_email", "verify_phone_number", "client_id":
		case "user_metadata", "app_metadata":
			// Metadata merges key by key; a null value removes a key, an
			// empty object (or null) removes them all.
			md := u.obj(k)
			if md == nil || v == nil || len(in.obj(k)) == 0 {
				md = obj{}
			}
			for mk, mv := range in.obj(k) {
				if mv == nil {
					delete(md, mk)
				} else {
					md[mk] = clone(mv)
				}
			}
			if len(md) == 0 {
				delete(u, k)
			} else {
				u[k] = md
			}
		default:
			if v == nil {
				delete(u, k)
			} else {
				u[k] = clone(v)
			}
		}
	}
	u["updated_at"] = ts
	s.ix.users.update(u)
	return http.StatusOK, u, nil
}

func (s *Server) deleteUser(m *mreq) (int, any, error) {
	id := m.segs[1]
	s.t.Users = dropWhere(s.t.Users, s.ix.users, func(u obj) bool { return u.str("user_id") == id })
	delete(s.t.Passwords, id)
	s.forgetUser(id)
	return http.StatusNoContent, nil, nil
}

// passwordPolicy checks a password against the connection's policy (Auth0's
// passwordPolicy levels and options.password_options) and answers as Auth0
// does when it is too weak.
func passwordPolicy(opts obj, pw string, profile obj) error {
	weak := &apiError{status: http.StatusBadRequest, message: "PasswordStrengthError: Password is too weak"}
	var lower, upper, digit, special bool
	for _, r := range pw {
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		default:
			special = true
		}
	}
	kinds := 0
	for _, b := range []bool{lower, upper, digit, special} {
		if b {
			kinds++
		}
	}
	length := len([]rune(pw))
	if length > 128 {
		return &apiError{status: http.StatusBadRequest, message: "PasswordStrengthError: Password is too long"}
	}
	if po := opts.obj("password_options"); po != nil {
		if cx := po.obj("complexity"); cx != nil {
			minLen, _ := toInt(cx["min_length"])
			if int64(length) < minLen {
				return weak
			}
			need := toStrings(cx["character_types"])
			have := map[string]bool{"lowercase": lower, "uppercase": upper, "number": digit, "special": special}
			missing := 0
			for _, k := range need {
				if !have[k] {
					missing++
				}
			}
			if (cx.str("character_type_rule") == "three_of_four" && len(need) == 4 && missing > 1) ||
				(cx.str("character_type_rule") != "three_of_four" && missing > 0) {
				return weak
			}
			if cx.str("identical_characters") == "block" && hasRepeat(pw, 3) {
				return weak
			}
		}
		if d := po.obj("dictionary"); d != nil && d.bool("active") && inDictionary(pw, toStrings(d["custom"])) {
			return &apiError{status: http.StatusBadRequest, message: "PasswordDictionaryError: Password is too common"}
		}
		if pd := po.obj("profile_data"); pd != nil && pd.bool("active") && usesProfile(pw, profile) {
			return &apiError{status: http.StatusBadRequest, message: "PasswordNoUserInfoError: Password is based on user information"}
		}
		return nil
	}
	policy := opts.str("passwordPolicy")
	if policy == "" && opts != nil {
		if _, ok := opts["passwordPolicy"]; ok {
			policy = "none"
		}
	}
	minLen := 0
	switch policy {
	case "none":
		minLen = 1
	case "low":
		minLen = 6
	case "fair":
		if !(lower && upper && digit) {
			return weak
		}
		minLen = 8
	case "excellent":
		if kinds < 3 || hasRepeat(pw, 3) {
			return weak
		}
		minLen = 10
	default: // "good", the API default
		if kinds < 3 {
			return weak
		}
		minLen = 8
	}
	if cx := opts.obj("password_complexity_options"); cx != nil {
		if n, ok := toInt(cx["min_length"]); ok {
			minLen = int(n)
		}
	}
	if length < minLen {
		return weak
	}
	if d := opts.obj("password_dictionary"); d != nil && d.bool("enable") && inDictionary(pw, toStrings(d["dictionary"])) {
		return &apiError{status: http.StatusBadRequest, message: "PasswordDictionaryError: Password is too common"}
	}
	if pn := opts.obj("password_no_personal_info"); pn != nil && pn.bool("enable") && usesProfile(pw, profile) {
		return &apiError{status: http.StatusBadRequest, message: "PasswordNoUserInfoError: Password is based on user information"}
	}
	return nil
}

func hasRepeat(s string, n int) bool {
	run, prev := 0, rune(-1)
	for _, r := range s {
		if r == prev {
			run++
		} else {
			run, prev = 1, r
		}
		if run >= n {
			return true
		}
	}
	return false
}

// commonPasswords stands in for Auth0's 10k dictionary.
var commonPasswords = []string{"password", "123456", "12345678", "qwerty", "letmein", "welcome", "admin", "iloveyou", "monkey", "dragon", "password1", "Password1", "Password123", "Passw0rd", "P@ssw0rd", "abc123", "111111", "sunshine", "football", "baseball"}

func inDictionary(pw string, custom []string) bool {
	for _, w := range append(custom, commonPasswords...) {
		if strings.EqualFold(pw, w) {
			return true
		}
	}
	return false
}

func usesProfile(pw string, u obj) bool {
	low := strings.ToLower(pw)
	local, _, _ := strings.Cut(u.str("email"), "@")
	for _, v := range []string{local, u.str("username"), u.str("name"), u.str("nickname")} {
		if len(v) >= 3 && strings.Contains(low, strings.ToLower(v)) {
			return true
		}
	}
	return false
}
