package sandbox

import (
	"net/http"
)

// Client credentials (private_key_jwt public keys and certificates) under
// /clients/{id}/credentials. Credentials given inline in a client's
// client_authentication_methods are the same objects.

func credentialSchema(update bool) schema {
	if update {
		return schema{fields: map[string]string{"expires_at": "string|null"}}
	}
	return schema{
		fields: map[string]string{
			"credential_type": "string", "name": "string", "subject_dn": "string", "pem": "string",
			"alg": "string", "parse_expiry_from_cert": "boolean", "expires_at": "string",
		},
		required: []string{"credential_type"},
		enums: map[string][]string{
			"credential_type": {"public_key", "cert_subject_dn", "x509_cert"},
			"alg":             {"RS256", "RS384", "PS256"},
		},
	}
}

func notFoundCredential() error {
	return errf(http.StatusNotFound, "inexistent_client_credential", "The credential does not exist")
}

// registerCredentials records the inline credentials of a client (already
// given ids by fillCredentials), its private_key_jwt ones and those made
// for Token Vault, in the credential store.
func (s *Server) registerCredentials(c obj) {
	id := c.str("client_id")
	inline := anySlice(c.obj("client_authentication_methods").obj("private_key_jwt")["credentials"])
	for _, x := range append(inline, anySlice(c.obj(tvpaKey)["credentials"])...) {
		cred, ok := asMap(x)
		if !ok || s.findCredential(id, str(cred["id"])) != nil {
			continue
		}
		s.t.Credentials[id] = append(s.t.Credentials[id], cloneObj(obj(cred)))
	}
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func (s *Server) findCredential(clientID, id string) obj {
	return findBy(s.t.Credentials[clientID], "id", id)
}

func (s *Server) listCredentials(m *mreq) (int, any, error) {
	if s.findClient(m.segs[1]) == nil {
		return 0, nil, notFoundClient()
	}
	out := []any{}
	for _, c := range s.t.Credentials[m.segs[1]] {
		out = append(out, credentialView(c))
	}
	return http.StatusOK, out, nil
}

func (s *Server) createCredential(m *mreq) (int, any, error) {
	clientID := m.segs[1]
	if s.findClient(clientID) == nil {
		return 0, nil, notFoundClient()
	}
	in, err := m.decodeObject(credentialSchema(false))
	if err != nil {
		return 0, nil, err
	}
	dropNulls(in)
	if in.str("credential_type") != "cert_subject_dn" && in.str("pem") == "" {
		return 0, nil, badBody("'Missing required property: pem'.")
	}
	cred := cloneObj(in)
	s.fillCredentialList([]any{cred})
	delete(cred, "parse_expiry_from_cert")
	s.t.Credentials[clientID] = append(s.t.Credentials[clientID], cred)
	return http.StatusCreated, cred, nil
}

// credentialOf is the credential a /clients/{id}/credentials/{credential_id}
// path names, of a client that exists.
func (s *Server) credentialOf(m *mreq) (obj, error) {
	if s.findClient(m.segs[1]) == nil {
		return nil, notFoundClient()
	}
	if c := s.findCredential(m.segs[1], m.segs[3]); c != nil {
		return c, nil
	}
	return nil, notFoundCredential()
}

func (s *Server) getCredential(m *mreq) (int, any, error) {
	c, err := s.credentialOf(m)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, credentialView(c), nil
}

// credentialView is a credential as a read shows it: expires_at null when
// none was set (the create answer leaves it out; recordings).
func credentialView(c obj) obj {
	v := cloneObj(c)
	setDefault(v, "expires_at", nil)
	return v
}

func (s *Server) updateCredential(m *mreq) (int, any, error) {
	c, err := s.credentialOf(m)
	if err != nil {
		return 0, nil, err
	}
	in, err := m.decodeObject(credentialSchema(true))
	if err != nil {
		return 0, nil, err
	}
	if v, ok := in["expires_at"]; ok {
		if v == nil {
			delete(c, "expires_at")
		} else {
			c["expires_at"] = v
		}
	}
	c["updated_at"] = now()
	return http.StatusOK, c, nil
}

func (s *Server) deleteCredential(m *mreq) (int, any, error) {
	clientID, id := m.segs[1], m.segs[3]
	s.t.Credentials[clientID] = removeWhere(s.t.Credentials[clientID], func(o obj) bool { return o.str("id") == id })
	if c := s.findClient(clientID); c != nil {
		if pkj := c.obj("client_authentication_methods").obj("private_key_jwt"); pkj != nil {
			var keep []any
			for _, x := range anySlice(pkj["credentials"]) {
				if m, ok := asMap(x); !ok || str(m["id"]) != id {
					keep = append(keep, x)
				}
			}
			pkj["credentials"] = nonNil(keep)
		}
	}
	return http.StatusNoContent, nil, nil
}

// userRelations answers the user sub-list this sandbox keeps empty
// (organizations), in Auth0's list shape.
func (s *Server) userRelations(m *mreq) (int, any, error) {
	if s.findUser(m.segs[1]) == nil {
		return 0, nil, notFoundUser()
	}
	return m.page(nil, listing{key: m.segs[2], offset: true})
}
