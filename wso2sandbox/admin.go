package wso2sandbox

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
)

// keyManagerDTO is the Admin REST API v1 KeyManager definition (required:
// name, type; id read-only).
type keyManagerDTO struct {
	ID                         string               `json:"id,omitempty"`
	Name                       string               `json:"name"`
	DisplayName                string               `json:"displayName,omitempty"`
	Type                       string               `json:"type"`
	Description                string               `json:"description,omitempty"`
	WellKnownEndpoint          string               `json:"wellKnownEndpoint,omitempty"`
	IntrospectionEndpoint      string               `json:"introspectionEndpoint,omitempty"`
	ClientRegistrationEndpoint string               `json:"clientRegistrationEndpoint,omitempty"`
	TokenEndpoint              string               `json:"tokenEndpoint,omitempty"`
	RevokeEndpoint             string               `json:"revokeEndpoint,omitempty"`
	UserInfoEndpoint           string               `json:"userInfoEndpoint,omitempty"`
	AuthorizeEndpoint          string               `json:"authorizeEndpoint,omitempty"`
	Certificates               *certificatesDTO     `json:"certificates,omitempty"`
	Issuer                     string               `json:"issuer,omitempty"`
	ScopeManagementEndpoint    string               `json:"scopeManagementEndpoint,omitempty"`
	AvailableGrantTypes        []string             `json:"availableGrantTypes,omitempty"`
	EnableTokenGeneration      *bool                `json:"enableTokenGeneration,omitempty"`
	EnableTokenEncryption      *bool                `json:"enableTokenEncryption,omitempty"`
	EnableTokenHashing         *bool                `json:"enableTokenHashing,omitempty"`
	EnableMapOAuthConsumerApps *bool                `json:"enableMapOAuthConsumerApps,omitempty"`
	EnableOAuthAppCreation     *bool                `json:"enableOAuthAppCreation,omitempty"`
	EnableSelfValidationJWT    *bool                `json:"enableSelfValidationJWT,omitempty"`
	ClaimMapping               []claimMappingDTO    `json:"claimMapping,omitempty"`
	ConsumerKeyClaim           string               `json:"consumerKeyClaim,omitempty"`
	ScopesClaim                string               `json:"scopesClaim,omitempty"`
	TokenValidation            []tokenValidationDTO `json:"tokenValidation,omitempty"`
	Enabled                    *bool                `json:"enabled,omitempty"`
	AdditionalProperties       map[string]any       `json:"additionalProperties,omitempty"`
}

type certificatesDTO struct {
	Type  string `json:"type,omitempty"`
	Value string `json:"value,omitempty"`
}

type claimMappingDTO struct {
	RemoteClaim string `json:"remoteClaim,omitempty"`
	LocalClaim  string `json:"localClaim,omitempty"`
}

type tokenValidationDTO struct {
	ID     int    `json:"id,omitempty"`
	Enable *bool  `json:"enable,omitempty"`
	Type   string `json:"type,omitempty"`
	Value  any    `json:"value,omitempty"`
}

// keyManagerInfo is the KeyManagerInfo definition of a KeyManagerList.
type keyManagerInfo struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Type        string `json:"type"`
	Description string `json:"description,omitempty"`
	Enabled     bool   `json:"enabled"`
}

type keyManager struct{ dto keyManagerDTO }

// The key manager types this stand-in knows: WSO2's own ("default", the
// Resident Key Manager) and the connectors of 3.2.0, Auth0's among them.
var keyManagerTypes = []string{"default", "WSO2-IS", "Auth0", "Okta", "KeyCloak", "PingFederate", "ForgeRock"}

// connectorRequired are the connector configuration fields each type needs
// in additionalProperties (the Auth0 connector's: client_id, client_secret, audience).
var connectorRequired = map[string][]string{
	"Auth0": {"client_id", "client_secret", "audience"},
}

func boolPtr(b bool) *bool { return &b }

func residentKeyManager() *keyManager {
	return &keyManager{dto: keyManagerDTO{
		ID: newUUID(), Name: "Resident Key Manager", DisplayName: "Resident Key Manager", Type: "default",
		Description: "This is Resident Key Manager", EnableTokenGeneration: boolPtr(true), Enabled: boolPtr(true),
		EnableSelfValidationJWT: boolPtr(true), EnableOAuthAppCreation: boolPtr(true), EnableMapOAuthConsumerApps: boolPtr(true),
		AvailableGrantTypes: []string{"client_credentials", "password", "refresh_token"},
	}}
}

// withDefaults fills the documented defaults (enableTokenEncryption,
// enableTokenHashing, enableMapOAuthConsumerApps, enableOAuthAppCreation
// false; enableSelfValidationJWT true; enabled true).
func (d keyManagerDTO) withDefaults() keyManagerDTO {
	set := func(p **bool, v bool) {
		if *p == nil {
			*p = boolPtr(v)
		}
	}
	set(&d.EnableTokenGeneration, true)
	set(&d.EnableTokenEncryption, false)
	set(&d.EnableTokenHashing, false)
	set(&d.EnableMapOAuthConsumerApps, false)
	set(&d.EnableOAuthAppCreation, false)
	set(&d.EnableSelfValidationJWT, true)
	set(&d.Enabled, true)
	if d.DisplayName == "" {
		d.DisplayName = d.Name
	}
	return d
}

func (k *keyManager) enabled() bool { return k.dto.Enabled == nil || *k.dto.Enabled }

// refusal is an error answer: status, ExceptionCodes code, message, description.
type refusal struct {
	status      int
	code        int64
	message     string
	description string
}

func (r *refusal) write(w http.ResponseWriter) {
	writeCodedError(w, r.status, r.code, r.message, r.description)
}

func badRequest(description string) *refusal {
	return &refusal{http.StatusBadRequest, http.StatusBadRequest, "Bad Request", description}
}

// validateKeyManager checks what WSO2 checks of a key manager: name and
// type present, a known type (INVALID_KEY_MANAGER_TYPE), the connector's
// required configuration (REQUIRED_KEY_MANAGER_CONFIGURATION_MISSING).
func validateKeyManager(d keyManagerDTO) *refusal {
	if d.Name == "" {
		return &refusal{http.StatusBadRequest, 901404, "Key Manager name cannot be empty", "Key Manager name cannot be empty"}
	}
	if d.Type == "" {
		return badRequest("Required field type of the key manager is missing")
	}
	if !slices.Contains(keyManagerTypes, d.Type) {
		return &refusal{http.StatusBadRequest, 901400, "Key Manager Type not configured", "Key Manager Type " + d.Type + " not configured"}
	}
	for _, f := range connectorRequired[d.Type] {
		if v, _ := d.AdditionalProperties[f].(string); v == "" {
			return &refusal{http.StatusBadRequest, 901401, "Required Key Manager configuration missing", "Missing required configuration " + f}
		}
	}
	if d.Certificates != nil && d.Certificates.Type != "" && d.Certificates.Type != "JWKS" && d.Certificates.Type != "PEM" {
		return badRequest("certificates.type must be JWKS or PEM")
	}
	for _, tv := range d.TokenValidation {
		if tv.Type != "" && !slices.Contains([]string{"REFERENCE", "JWT", "CUSTOM"}, tv.Type) {
			return badRequest("tokenValidation.type must be REFERENCE, JWT or CUSTOM")
		}
	}
	return nil
}

// nameInUse is KEY_MANAGER_ALREADY_EXIST: not among the document's
// responses of POST /key-managers (201, 400), but what WSO2 answers.
func nameInUse(name string) *refusal {
	return &refusal{http.StatusConflict, 901402, "Key Manager Already Exists", "Key Manager " + name + " already exists"}
}

// findKeyManager returns the key manager with the id; the caller holds s.mu.
func (s *Server) findKeyManager(id string) *keyManager {
	for _, k := range s.keyManagers {
		if k.dto.ID == id {
			return k
		}
	}
	return nil
}

// keyManagerByName returns the enabled or not key manager of that name; the caller holds s.mu.
func (s *Server) keyManagerByName(name string) *keyManager {
	for _, k := range s.keyManagers {
		if k.dto.Name == name {
			return k
		}
	}
	return nil
}

func (s *Server) listKeyManagers(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	list := make([]keyManagerInfo, 0, len(s.keyManagers))
	for _, k := range s.keyManagers {
		list = append(list, keyManagerInfo{ID: k.dto.ID, Name: k.dto.Name, Type: k.dto.Type, Description: k.dto.Description, Enabled: k.enabled()})
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"count": len(list), "list": list})
}

func (s *Server) getKeyManager(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	k := s.findKeyManager(r.PathValue("keyManagerId"))
	var d keyManagerDTO
	if k != nil {
		d = k.dto
	}
	s.mu.Unlock()
	if k == nil {
		writeError(w, http.StatusNotFound, "Not Found", "Key Manager not found: "+r.PathValue("keyManagerId"))
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) createKeyManager(w http.ResponseWriter, r *http.Request) {
	var d keyManagerDTO
	if !decodeStrict(w, r, &d) {
		return
	}
	if ref := validateKeyManager(d); ref != nil {
		ref.write(w)
		return
	}
	d = d.withDefaults()
	d.ID = newUUID()
	s.mu.Lock()
	if s.keyManagerByName(d.Name) != nil {
		s.mu.Unlock()
		nameInUse(d.Name).write(w)
		return
	}
	k := &keyManager{dto: d}
	s.keyManagers = append(s.keyManagers, k)
	s.mu.Unlock()
	s.connectorLoaded(r.Context(), k)
	writeJSON(w, http.StatusCreated, d)
}

func (s *Server) updateKeyManager(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("keyManagerId")
	var d keyManagerDTO
	if !decodeStrict(w, r, &d) {
		return
	}
	s.mu.Lock()
	k := s.findKeyManager(id)
	s.mu.Unlock()
	if k == nil {
		writeError(w, http.StatusNotFound, "Not Found", "Key Manager not found: "+id)
		return
	}
	if ref := validateKeyManager(d); ref != nil {
		ref.write(w)
		return
	}
	d = d.withDefaults()
	d.ID = id
	s.mu.Lock()
	if other := s.keyManagerByName(d.Name); other != nil && other != k {
		s.mu.Unlock()
		nameInUse(d.Name).write(w)
		return
	}
	if k.dto.Type != d.Type {
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, "Bad Request", "The type of a key manager cannot be changed")
		return
	}
	k.dto = d
	delete(s.mgmtTokens, id) // the connector reloads its configuration
	s.mu.Unlock()
	s.connectorLoaded(r.Context(), k)
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) deleteKeyManager(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("keyManagerId")
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.findKeyManager(id)
	if k == nil {
		writeError(w, http.StatusNotFound, "Not Found", "Key Manager not found: "+id)
		return
	}
	if k.dto.Type == "default" {
		writeError(w, http.StatusBadRequest, "Bad Request", "The Resident Key Manager cannot be deleted")
		return
	}
	for _, a := range s.apps {
		for _, key := range a.keys {
			if key.keyManagerID == id {
				writeError(w, http.StatusConflict, "Conflict", fmt.Sprintf("Key Manager %s is used by application %s: delete its keys first", k.dto.Name, a.dto.Name))
				return
			}
		}
	}
	s.keyManagers = slices.DeleteFunc(s.keyManagers, func(x *keyManager) bool { return x == k })
	delete(s.mgmtTokens, id)
	w.WriteHeader(http.StatusOK)
}

// discoverKeyManager reads a well-known endpoint (multipart url, type) and
// answers a KeyManagerWellKnownResponse {valid, value}.
func (s *Server) discoverKeyManager(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(maxBody); err != nil {
		writeError(w, http.StatusBadRequest, "Bad Request", "The request is not multipart/form-data with url and type")
		return
	}
	wellKnown, kmType := r.FormValue("url"), r.FormValue("type")
	out := map[string]any{"valid": false}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, wellKnown, nil)
	if err != nil || wellKnown == "" {
		writeJSON(w, http.StatusOK, out)
		return
	}
	resp, err := s.auth0.Do(req)
	if err != nil {
		writeJSON(w, http.StatusOK, out)
		return
	}
	defer resp.Body.Close()
	var doc struct {
		Issuer                string   `json:"issuer"`
		AuthorizationEndpoint string   `json:"authorization_endpoint"`
		TokenEndpoint         string   `json:"token_endpoint"`
		UserinfoEndpoint      string   `json:"userinfo_endpoint"`
		JWKSURI               string   `json:"jwks_uri"`
		RevocationEndpoint    string   `json:"revocation_endpoint"`
		RegistrationEndpoint  string   `json:"registration_endpoint"`
		IntrospectionEndpoint string   `json:"introspection_endpoint"`
		GrantTypes            []string `json:"grant_types_supported"`
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &doc) != nil || doc.Issuer == "" {
		writeJSON(w, http.StatusOK, out)
		return
	}
	d := keyManagerDTO{
		Type: kmType, WellKnownEndpoint: wellKnown, Issuer: doc.Issuer, AuthorizeEndpoint: doc.AuthorizationEndpoint,
		TokenEndpoint: doc.TokenEndpoint, UserInfoEndpoint: doc.UserinfoEndpoint, RevokeEndpoint: doc.RevocationEndpoint,
		ClientRegistrationEndpoint: doc.RegistrationEndpoint, IntrospectionEndpoint: doc.IntrospectionEndpoint,
		AvailableGrantTypes: doc.GrantTypes,
	}
	if doc.JWKSURI != "" {
		d.Certificates = &certificatesDTO{Type: "JWKS", Value: doc.JWKSURI}
	}
	writeJSON(w, http.StatusOK, map[string]any{"valid": true, "value": d})
}
