package wso2sandbox

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// applicationDTO is the Developer Portal v1 Application definition
// (required: name, throttlingPolicy; applicationId read-only).
type applicationDTO struct {
	ApplicationID      string            `json:"applicationId,omitempty"`
	Name               string            `json:"name"`
	ThrottlingPolicy   string            `json:"throttlingPolicy"`
	Description        string            `json:"description,omitempty"`
	TokenType          string            `json:"tokenType,omitempty"`
	Status             string            `json:"status,omitempty"`
	Groups             []string          `json:"groups,omitempty"`
	SubscriptionCount  int               `json:"subscriptionCount"`
	Keys               []applicationKey  `json:"keys,omitempty"`
	Attributes         map[string]string `json:"attributes,omitempty"`
	SubscriptionScopes []any             `json:"subscriptionScopes,omitempty"`
	Owner              string            `json:"owner,omitempty"`
	HashEnabled        bool              `json:"hashEnabled"`
}

// applicationInfo is the ApplicationInfo definition of an ApplicationList.
type applicationInfo struct {
	ApplicationID     string            `json:"applicationId"`
	Name              string            `json:"name"`
	ThrottlingPolicy  string            `json:"throttlingPolicy"`
	Description       string            `json:"description,omitempty"`
	Status            string            `json:"status"`
	Groups            []string          `json:"groups,omitempty"`
	SubscriptionCount int               `json:"subscriptionCount"`
	Attributes        map[string]string `json:"attributes,omitempty"`
	Owner             string            `json:"owner"`
}

// applicationKey is the ApplicationKey definition.
type applicationKey struct {
	KeyMappingID         string         `json:"keyMappingId"`
	KeyManager           string         `json:"keyManager"`
	ConsumerKey          string         `json:"consumerKey"`
	ConsumerSecret       string         `json:"consumerSecret"`
	SupportedGrantTypes  []string       `json:"supportedGrantTypes"`
	CallbackURL          string         `json:"callbackUrl,omitempty"`
	KeyState             string         `json:"keyState"`
	KeyType              string         `json:"keyType"`
	GroupID              string         `json:"groupId,omitempty"`
	Token                any            `json:"token"`
	AdditionalProperties map[string]any `json:"additionalProperties,omitempty"`
}

// keyGenerateRequest is the ApplicationKeyGenerateRequest definition
// (required: keyType, grantTypesToBeSupported).
type keyGenerateRequest struct {
	KeyType                 string            `json:"keyType"`
	KeyManager              string            `json:"keyManager,omitempty"`
	GrantTypesToBeSupported []string          `json:"grantTypesToBeSupported"`
	CallbackURL             string            `json:"callbackUrl,omitempty"`
	Scopes                  []string          `json:"scopes,omitempty"`
	ValidityTime            string            `json:"validityTime,omitempty"`
	ClientID                string            `json:"clientId,omitempty"`
	ClientSecret            string            `json:"clientSecret,omitempty"`
	AdditionalProperties    map[string]string `json:"additionalProperties,omitempty"`
}

// tokenGenerateRequest is the ApplicationTokenGenerateRequest definition.
type tokenGenerateRequest struct {
	ConsumerSecret       string         `json:"consumerSecret,omitempty"`
	ValidityPeriod       int64          `json:"validityPeriod,omitempty"`
	Scopes               []string       `json:"scopes,omitempty"`
	RevokeToken          string         `json:"revokeToken,omitempty"`
	AdditionalProperties map[string]any `json:"additionalProperties,omitempty"`
}

type application struct {
	dto  applicationDTO
	keys []*appKey
}

type appKey struct {
	key          applicationKey
	keyManagerID string
}

// throttlingPolicies are the application policies of a default install.
var throttlingPolicies = []string{"Unlimited", "50PerMin", "20PerMin", "10PerMin"}

// app returns the user's application with the id; the caller holds s.mu.
func (s *Server) app(owner, id string) *application {
	for _, a := range s.apps {
		if a.dto.ApplicationID == id && a.dto.Owner == owner {
			return a
		}
	}
	return nil
}

func (a *application) view() applicationDTO {
	d := a.dto
	d.Keys = []applicationKey{}
	for _, k := range a.keys {
		d.Keys = append(d.Keys, k.key)
	}
	return d
}

func (s *Server) listApplications(w http.ResponseWriter, r *http.Request) {
	owner := tokenOf(r).user
	query := r.URL.Query().Get("query")
	s.mu.Lock()
	list := []applicationInfo{}
	for _, a := range s.apps {
		if a.dto.Owner != owner || query != "" && a.dto.Name != query {
			continue
		}
		d := a.dto
		list = append(list, applicationInfo{ApplicationID: d.ApplicationID, Name: d.Name, ThrottlingPolicy: d.ThrottlingPolicy,
			Description: d.Description, Status: d.Status, Groups: d.Groups, Attributes: d.Attributes, Owner: d.Owner})
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"count": len(list), "list": list,
		"pagination": map[string]any{"offset": 0, "limit": 25, "total": len(list), "next": "", "previous": ""},
	})
}

func (s *Server) createApplication(w http.ResponseWriter, r *http.Request) {
	owner := tokenOf(r).user
	var d applicationDTO
	if !decodeStrict(w, r, &d) {
		return
	}
	switch {
	case d.Name == "" || d.ThrottlingPolicy == "":
		writeError(w, http.StatusBadRequest, "Bad Request", "Required fields name and throttlingPolicy of the application are missing")
		return
	case !slices.Contains(throttlingPolicies, d.ThrottlingPolicy):
		writeError(w, http.StatusBadRequest, "Bad Request", "Specified throttling tier "+d.ThrottlingPolicy+" is invalid")
		return
	case d.TokenType != "" && d.TokenType != "OAUTH" && d.TokenType != "JWT":
		writeError(w, http.StatusBadRequest, "Bad Request", "tokenType must be OAUTH or JWT")
		return
	case len(d.Keys) > 0:
		writeError(w, http.StatusBadRequest, "Bad Request", "keys are generated, not given: use generate-keys")
		return
	}
	if d.TokenType == "" {
		d.TokenType = "JWT"
	}
	d.ApplicationID, d.Status, d.Owner, d.Keys = newUUID(), "APPROVED", owner, nil
	s.mu.Lock()
	for _, a := range s.apps {
		if a.dto.Owner == owner && strings.EqualFold(a.dto.Name, d.Name) {
			s.mu.Unlock()
			writeError(w, http.StatusConflict, "Conflict", "A duplicate application already exists by the name - "+d.Name)
			return
		}
	}
	a := &application{dto: d}
	s.apps = append(s.apps, a)
	view := a.view()
	s.mu.Unlock()
	w.Header().Set("Location", s.URL+"/api/am/store/v1/applications/"+d.ApplicationID)
	writeJSON(w, http.StatusCreated, view)
}

func (s *Server) getApplication(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	a := s.app(tokenOf(r).user, r.PathValue("applicationId"))
	var view applicationDTO
	if a != nil {
		view = a.view()
	}
	s.mu.Unlock()
	if a == nil {
		writeError(w, http.StatusNotFound, "Not Found", "Application "+r.PathValue("applicationId")+" does not exist")
		return
	}
	writeJSON(w, http.StatusOK, view)
}

// deleteApplication removes the application; the connector first deletes
// the applications it made in the key managers.
func (s *Server) deleteApplication(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("applicationId")
	s.mu.Lock()
	a := s.app(tokenOf(r).user, id)
	var keys []appKey
	if a != nil {
		for _, k := range a.keys {
			keys = append(keys, *k)
		}
	}
	s.mu.Unlock()
	if a == nil {
		writeError(w, http.StatusNotFound, "Not Found", "Application "+id+" does not exist")
		return
	}
	for _, k := range keys {
		km := s.keyManagerSnapshot(k.keyManagerID)
		if km == nil || km.Type != "Auth0" {
			continue
		}
		if err := s.connectorDeleteApp(r.Context(), km, k.key.ConsumerKey); err != nil {
			writeError(w, http.StatusInternalServerError, "Internal Server Error", "Error while deleting the application from key manager "+km.Name+": "+err.Error())
			return
		}
	}
	s.mu.Lock()
	s.apps = slices.DeleteFunc(s.apps, func(x *application) bool { return x == a })
	s.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

// keyManagerSnapshot copies a key manager's DTO, nil if it is gone.
func (s *Server) keyManagerSnapshot(id string) *keyManagerDTO {
	s.mu.Lock()
	defer s.mu.Unlock()
	if k := s.findKeyManager(id); k != nil {
		d := k.dto
		return &d
	}
	return nil
}

func (s *Server) generateKeys(w http.ResponseWriter, r *http.Request) {
	owner := tokenOf(r).user
	id := r.PathValue("applicationId")
	var req keyGenerateRequest
	if !decodeStrict(w, r, &req) {
		return
	}
	if req.KeyType != "PRODUCTION" && req.KeyType != "SANDBOX" {
		writeError(w, http.StatusBadRequest, "Bad Request", "keyType is required and must be PRODUCTION or SANDBOX")
		return
	}
	if req.GrantTypesToBeSupported == nil {
		writeError(w, http.StatusBadRequest, "Bad Request", "grantTypesToBeSupported is required")
		return
	}
	if req.KeyManager == "" {
		req.KeyManager = "Resident Key Manager"
	}
	s.mu.Lock()
	a := s.app(owner, id)
	km := s.keyManagerByName(req.KeyManager)
	var appName string
	var dto keyManagerDTO
	conflict := false
	if a != nil && km != nil {
		appName, dto = a.dto.Name, km.dto
		for _, k := range a.keys {
			if k.keyManagerID == km.dto.ID && k.key.KeyType == req.KeyType {
				conflict = true
			}
		}
	}
	s.mu.Unlock()
	switch {
	case a == nil:
		writeError(w, http.StatusNotFound, "Not Found", "Application "+id+" does not exist")
		return
	case km == nil: // KEY_MANAGER_NOT_FOUND
		writeCodedError(w, http.StatusBadRequest, 901403, "Key Manager not found", "Key Manager "+req.KeyManager+" not found")
		return
	case !km.enabled(): // KEY_MANAGER_NOT_ENABLED
		writeCodedError(w, http.StatusBadRequest, 901406, "Key Manager is not enabled in the system", "Key Manager "+req.KeyManager+" is not enabled in the system")
		return
	case conflict:
		// KEY_MAPPING_ALREADY_EXISTS: not among the document's responses
		// (200, 400, 404, 412), but what WSO2 answers.
		writeCodedError(w, http.StatusConflict, 901409, "Key Mappings already exists",
			fmt.Sprintf("Key Mappings already exists for application %s with key manager %s", appName, req.KeyManager))
		return
	case dto.Type == "Auth0" && s.Generation == GenerationV1 && req.AdditionalProperties["audience_of_api"] == "":
		// The v1 connector declares audience_of_api a required application
		// setting: KEY_MANAGER_MISSING_REQUIRED_PROPERTIES_IN_APPLICATION.
		writeCodedError(w, http.StatusBadRequest, 901407, "Required application properties are missing",
			"Required application properties are missing: audience_of_api")
		return
	}
	key := applicationKey{
		KeyMappingID: newUUID(), KeyManager: req.KeyManager, SupportedGrantTypes: req.GrantTypesToBeSupported,
		CallbackURL: req.CallbackURL, KeyState: "COMPLETED", KeyType: req.KeyType,
	}
	if len(req.AdditionalProperties) > 0 {
		key.AdditionalProperties = map[string]any{}
		for k, v := range req.AdditionalProperties {
			key.AdditionalProperties[k] = v
		}
	}
	if dto.Type == "Auth0" {
		clientID, secret, err := s.connectorCreateApp(r.Context(), &dto, owner, appName, req)
		if err != nil {
			writeError(w, http.StatusInternalServerError, "Internal Server Error", err.Error())
			return
		}
		key.ConsumerKey, key.ConsumerSecret = clientID, secret
	} else {
		key.ConsumerKey, key.ConsumerSecret = randomString(28), randomString(28)
	}
	s.mu.Lock()
	if a := s.app(owner, id); a != nil {
		a.keys = append(a.keys, &appKey{key: key, keyManagerID: dto.ID})
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, key)
}

func (s *Server) listKeys(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	a := s.app(tokenOf(r).user, r.PathValue("applicationId"))
	list := []applicationKey{}
	if a != nil {
		for _, k := range a.keys {
			list = append(list, k.key)
		}
	}
	s.mu.Unlock()
	if a == nil {
		writeError(w, http.StatusNotFound, "Not Found", "Application "+r.PathValue("applicationId")+" does not exist")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"count": len(list), "list": list})
}

// findKey returns a copy of the application's key mapping.
func (s *Server) findKey(owner, appID, mappingID string) (*appKey, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.app(owner, appID)
	if a == nil {
		return nil, "Application " + appID + " does not exist"
	}
	for _, k := range a.keys {
		if k.key.KeyMappingID == mappingID {
			c := *k
			return &c, ""
		}
	}
	return nil, "Key mapping " + mappingID + " of application " + appID + " does not exist"
}

func (s *Server) getKey(w http.ResponseWriter, r *http.Request) {
	k, msg := s.findKey(tokenOf(r).user, r.PathValue("applicationId"), r.PathValue("keyMappingId"))
	if k == nil {
		writeError(w, http.StatusNotFound, "Not Found", msg)
		return
	}
	writeJSON(w, http.StatusOK, k.key)
}

func (s *Server) generateToken(w http.ResponseWriter, r *http.Request) {
	var req tokenGenerateRequest
	if !decodeStrict(w, r, &req) {
		return
	}
	k, msg := s.findKey(tokenOf(r).user, r.PathValue("applicationId"), r.PathValue("keyMappingId"))
	if k == nil {
		writeError(w, http.StatusNotFound, "Not Found", msg)
		return
	}
	secret := req.ConsumerSecret
	if secret == "" {
		secret = k.key.ConsumerSecret
	}
	km := s.keyManagerSnapshot(k.keyManagerID)
	if km == nil {
		writeError(w, http.StatusBadRequest, "Bad Request", "The key manager of key mapping "+k.key.KeyMappingID+" no longer exists")
		return
	}
	if km.Type != "Auth0" {
		writeJSON(w, http.StatusOK, map[string]any{"accessToken": newUUID(), "tokenScopes": append([]string{"default"}, req.Scopes...), "validityTime": tokenLifetime})
		return
	}
	tok, err := s.connectorToken(r.Context(), km, k.key.ConsumerKey, secret, req.Scopes)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "Internal Server Error", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"accessToken": tok.access, "tokenScopes": tok.scopes, "validityTime": tok.expiresIn})
}
