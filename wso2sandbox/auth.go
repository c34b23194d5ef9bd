package wso2sandbox

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// The scopes each operation lists in its security section (any one of them
// suffices).
var (
	adminScopes   = []string{"apim:admin", "apim:admin_operations"}                         // /key-managers…
	appScopes     = []string{"apim:subscribe", "apim:app_manage"}                           // POST /applications, keys, tokens
	appListScopes = []string{"apim:subscribe", "apim:app_manage", "apim:app_import_export"} // GET and DELETE /applications
)

// allScopes are what the admin user may have: the Admin and Developer Portal
// v1 documents' OAuth2Security scopes this stand-in serves.
var allScopes = []string{
	"openid", "apim:admin", "apim:admin_operations", "apim:admin_settings", "apim:tier_view",
	"apim:subscribe", "apim:app_manage", "apim:sub_manage", "apim:api_key", "apim:app_import_export",
}

type user struct {
	password string
	scopes   []string
}

type dcrApp struct {
	clientID, secret, name, owner, callback, grantTypes string
}

type token struct {
	user    string
	scopes  []string
	expires time.Time
}

const tokenLifetime = 3600

type ctxKey struct{}

// tokenOf returns the token of an authorized request.
func tokenOf(r *http.Request) *token { t, _ := r.Context().Value(ctxKey{}).(*token); return t }

// scoped serves h only for a bearer token that carries one of the scopes.
func (s *Server) scoped(scopes []string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		s.mu.Lock()
		t := s.tokens[raw]
		s.mu.Unlock()
		if !ok || t == nil || time.Now().After(t.expires) {
			w.Header().Set("WWW-Authenticate", `OAuth2 realm="WSO2 API Manager"`)
			writeError(w, http.StatusUnauthorized, "Unauthorized", "The user is not authorized")
			return
		}
		if !slices.ContainsFunc(scopes, func(sc string) bool { return slices.Contains(t.scopes, sc) }) {
			// The REST APIs' scope validation failure (text as WSO2 3.2.0 words it, UNCONFIRMED).
			writeError(w, http.StatusForbidden, "Forbidden",
				"User is NOT authorized to access the Resource: "+r.URL.Path+". Scope validation failed.")
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, t)))
	}
}

// checkUser checks a user's password.
func (s *Server) checkUser(name, password string) (*user, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[name]
	if u == nil || subtle.ConstantTimeCompare([]byte(u.password), []byte(password)) != 1 {
		return nil, false
	}
	return u, true
}

// dcrRequest is the client registration body of the REST API documents.
type dcrRequest struct {
	CallbackURL string `json:"callbackUrl"`
	ClientName  string `json:"clientName"`
	Owner       string `json:"owner"`
	GrantType   string `json:"grantType"`
	SaasApp     bool   `json:"saasApp"`
	TokenType   string `json:"tokenType,omitempty"`
}

// handleRegister is dynamic client registration (v0.17): Basic user
// credentials, and the same client again for the same name and owner.
func (s *Server) handleRegister(w http.ResponseWriter, r *http.Request) {
	name, password, ok := r.BasicAuth()
	if !ok {
		writeError(w, http.StatusUnauthorized, "Unauthorized", "Missing Basic authentication with the user's credentials")
		return
	}
	if _, ok := s.checkUser(name, password); !ok {
		writeError(w, http.StatusUnauthorized, "Unauthorized", "Authentication failed for "+name)
		return
	}
	var req dcrRequest
	if !decodeStrict(w, r, &req) {
		return
	}
	if req.ClientName == "" || req.Owner == "" {
		writeError(w, http.StatusBadRequest, "Bad Request", "clientName and owner are required")
		return
	}
	if req.Owner != name {
		writeError(w, http.StatusForbidden, "Forbidden", fmt.Sprintf("User %s may not register an application for %s", name, req.Owner))
		return
	}
	s.mu.Lock()
	var app *dcrApp
	for _, a := range s.dcr {
		if a.name == req.ClientName && a.owner == req.Owner {
			app = a
		}
	}
	if app == nil {
		app = &dcrApp{clientID: randomString(28), secret: randomString(28), name: req.ClientName, owner: req.Owner,
			callback: req.CallbackURL, grantTypes: req.GrantType}
		s.dcr[app.clientID] = app
	}
	s.mu.Unlock()
	js, _ := json.Marshal(map[string]string{"grant_types": app.grantTypes, "redirect_uris": app.callback, "client_name": app.name})
	writeJSON(w, http.StatusOK, map[string]any{
		"clientId": app.clientID, "clientName": app.name, "callBackURL": app.callback, "clientSecret": app.secret,
		"isSaasApplication": true, "appOwner": app.owner, "jsonString": string(js), "jsonAppAttribute": "{}", "tokenType": nil,
	})
}

func oauthError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}

// handleToken is the token endpoint: the password grant for a registered
// client. A token carries the requested scopes the user has ("default" when
// none), as WSO2's scope validator grants them.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "The request body is not a form")
		return
	}
	clientID, secret, ok := r.BasicAuth()
	if !ok {
		clientID, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	s.mu.Lock()
	app := s.dcr[clientID]
	s.mu.Unlock()
	if app == nil || subtle.ConstantTimeCompare([]byte(app.secret), []byte(secret)) != 1 {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "Client Authentication failed.")
		return
	}
	if gt := r.PostForm.Get("grant_type"); gt != "password" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "Unsupported grant_type value: "+gt)
		return
	}
	name := r.PostForm.Get("username")
	u, ok := s.checkUser(name, r.PostForm.Get("password"))
	if !ok {
		oauthError(w, http.StatusBadRequest, "invalid_grant", "Authentication failed for "+name)
		return
	}
	var granted []string
	for _, sc := range strings.Fields(r.PostForm.Get("scope")) {
		if slices.Contains(u.scopes, sc) && !slices.Contains(granted, sc) {
			granted = append(granted, sc)
		}
	}
	if len(granted) == 0 {
		granted = []string{"default"}
	}
	access, refresh := newUUID(), newUUID()
	s.mu.Lock()
	s.tokens[access] = &token{user: name, scopes: granted, expires: time.Now().Add(tokenLifetime * time.Second)}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": access, "refresh_token": refresh, "scope": strings.Join(granted, " "),
		"token_type": "Bearer", "expires_in": tokenLifetime,
	})
}
