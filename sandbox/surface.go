package sandbox

import (
	"cmp"
	"net/http"
	"slices"
	"strings"
)

// The first-touch surface of Auth0's own tools: the Deploy CLI, the Auth0
// CLI and Terraform list these before anything else (the Deploy CLI's
// databases handler always lists actions). A sandbox tenant holds none of
// them, so each answers as an empty real tenant does, in the shape and with
// the scopes of Auth0's OpenAPI document (go-auth0 v3's generated clients).

// emptyKind is a read-only family the sandbox holds nothing of.
type emptyKind struct {
	path     string   // first path segment(s) under /api/v2/
	scopes   []string // any of these reads it
	list     func(m *mreq) (int, any, error)
	notFound *apiError // GET /{id}
}

func offsetList(key string, length bool) func(m *mreq) (int, any, error) {
	return func(m *mreq) (int, any, error) {
		return m.page(nil, listing{key: key, offset: true, length: length})
	}
}

func offsetOrCheckpointList(key string) func(m *mreq) (int, any, error) {
	return func(m *mreq) (int, any, error) {
		return m.page(nil, listing{key: key, offset: true, checkpoint: true})
	}
}

// emptyKinds lists them; the paths are those of go-auth0 v3's clients.
var emptyKinds = []emptyKind{
	{
		path: "actions/actions", scopes: []string{"read:actions"},
		// Always the paged form: {actions, total, page, per_page}.
		list: func(m *mreq) (int, any, error) {
			pg, err := queryInt(m.q, "page", 0, 0, 1<<20)
			if err != nil {
				return 0, nil, err
			}
			perPage, err := queryInt(m.q, "per_page", 50, 1, 100)
			if err != nil {
				return 0, nil, err
			}
			for _, b := range []string{"deployed", "installed"} {
				if _, _, err := queryBool(m.q, b); err != nil {
					return 0, nil, err
				}
			}
			return http.StatusOK, orderedObject{{"actions", []any{}}, {"total", 0}, {"page", pg}, {"per_page", perPage}}, nil
		},
		notFound: errf(http.StatusNotFound, "", "The action does not exist."),
	},
	{path: "rules", scopes: []string{"read:rules"}, list: offsetList("rules", false),
		notFound: errf(http.StatusNotFound, "inexistent_rule", "The rule does not exist.")},
	{path: "organizations", scopes: []string{"read:organizations", "read:organizations_summary"}, list: offsetOrCheckpointList("organizations"),
		notFound: errf(http.StatusNotFound, "inexistent_organization", "No organization found by that id or name")},
	{
		path: "logs", scopes: []string{"read:logs", "read:logs_users"},
		// from (a log id) and take answer a bare array; offset paging
		// adds length to its totals form.
		list: func(m *mreq) (int, any, error) {
			if m.q.Has("from") || m.q.Has("take") {
				if _, err := queryInt(m.q, "take", 50, 1, 100); err != nil {
					return 0, nil, err
				}
				return http.StatusOK, []any{}, nil
			}
			return m.page(nil, listing{key: "logs", offset: true, length: true})
		},
		notFound: errf(http.StatusNotFound, "inexistent_log", "log not found"),
	},
	{
		path: "custom-domains", scopes: []string{"read:custom_domains"},
		list:     func(m *mreq) (int, any, error) { return http.StatusOK, []any{}, nil },
		notFound: errf(http.StatusNotFound, "inexistent_custom_domain", "The custom domain does not exist"),
	},
	{
		path: "connections-directory-provisionings", scopes: []string{"read:directory_provisionings"},
		list: func(m *mreq) (int, any, error) {
			if _, err := queryInt(m.q, "take", 50, 1, 100); err != nil {
				return 0, nil, err
			}
			return http.StatusOK, orderedObject{{"directory_provisionings", []any{}}}, nil
		},
	},
}

// emptyRoute routes a GET of one of emptyKinds.
func emptyRoute(method string, segs []string) (route, bool) {
	if method != http.MethodGet {
		return route{}, false
	}
	path := strings.Join(segs, "/")
	for _, k := range emptyKinds {
		switch {
		case path == k.path:
			return route{k.scopes, k.list}, true
		case k.notFound != nil && strings.HasPrefix(path, k.path+"/") && len(segs) == strings.Count(k.path, "/")+2:
			nf := k.notFound
			return route{k.scopes, func(*mreq) (int, any, error) { return 0, nil, nf }}, true
		}
	}
	return route{}, false
}

// ---- clients/search ----

// clientSearchHidden are the fields clients/search never returns
// (AUTH0-FACTS §4 clients).
var clientSearchHidden = []string{"client_secret", "signing_keys", "encryption_key", "owners", "addons"}

// searchClients is GET /clients/search: SCIM (parser=scim) or Lucene
// filters on client_id, name, app_type, is_first_party and metadata.KEY,
// checkpoint paging. Auth0's index is eventually consistent; the sandbox
// answers from the tenant as it is (a client made a moment ago is found,
// which a real tenant does not promise).
func (s *Server) searchClients(m *mreq) (int, any, error) {
	parser := m.q.Get("parser")
	if parser == "" {
		parser = "lucene"
	}
	var match func(obj) bool
	candidates := s.t.Clients
	switch parser {
	case "scim":
		f, err := parseSCIM(m.q.Get("q"))
		if err != nil {
			return 0, nil, err
		}
		match = f.match
		candidates = s.scimCandidates(f)
	case "lucene":
		q, err := parseLucene(m.q.Get("q"))
		if err != nil {
			return 0, nil, err
		}
		terms := q.terms()
		if len(terms) > 5 {
			return 0, nil, badQuery("at most 5 filter operations are allowed in q")
		}
		for _, t := range terms {
			if t.field != "" && !clientSearchable(t.field) {
				return 0, nil, badQuery("'%s' is not a searchable client attribute", t.field)
			}
		}
		match = func(c obj) bool { return q.match(withMetadata(c)) }
	default:
		return 0, nil, badQuery("'No enum match for: \"%s\"' on property parser.", parser)
	}
	var matched []obj
	for _, c := range candidates {
		if match(c) {
			matched = append(matched, c)
		}
	}
	// sort: name or updated_at, ascending; the tenant's order (oldest
	// first) without it (Auth0's API reference). Names compare without
	// regard to case, as the filters do (UNCONFIRMED for the sort).
	switch sort := m.q.Get("sort"); sort {
	case "":
	case "name":
		slices.SortStableFunc(matched, func(a, b obj) int {
			return strings.Compare(strings.ToLower(a.str("name")), strings.ToLower(b.str("name")))
		})
	case "updated_at":
		w := s.ix.clients.written
		slices.SortStableFunc(matched, func(a, b obj) int { return cmp.Compare(w[a.str("client_id")], w[b.str("client_id")]) })
	default:
		return 0, nil, badQuery("'No enum match for: \"%s\"' on property sort.", sort)
	}
	if len(matched) > 0 {
		// A bad include_fields is refused whichever page is asked for.
		if _, err := m.project(obj{}); err != nil {
			return 0, nil, err
		}
	}
	if !m.q.Has("take") {
		m.q.Set("take", "50") // checkpoint paging only
	}
	readClients := m.has("read:clients")
	return pageOf(m, matched, listing{key: "clients", checkpoint: true}, func(c obj) (any, error) {
		v := clientView(c, false, false)
		for _, k := range clientSearchHidden {
			delete(v, k)
		}
		if !readClients {
			v = clientSummary(v)
		}
		pv, err := m.project(v, "client_id")
		if err != nil {
			return nil, err
		}
		return detached{pv}, nil
	})
}

// scimCandidates are the clients a SCIM filter can match: when it is one
// group holding name eq or client_id eq, the clients the index finds under
// that value (in the tenant's order); otherwise every client.
func (s *Server) scimCandidates(f scimFilter) []obj {
	if len(f) != 1 {
		return s.t.Clients
	}
	for _, t := range f[0] {
		switch {
		case t.op == "eq" && t.attr == "name":
			return s.ix.clients.find("name", strings.ToLower(t.value))
		case t.op == "eq" && t.attr == "client_id":
			if c := s.findClient(t.value); c != nil {
				return []obj{c}
			}
			return nil
		}
	}
	return s.t.Clients
}

func clientSearchable(field string) bool {
	switch field {
	case "client_id", "name", "app_type", "is_first_party", "updated_at":
		return true
	}
	rest, ok := strings.CutPrefix(field, "metadata.")
	return ok && rest != ""
}

// scimFilter is a SCIM filter: terms joined by "and" within a group, groups
// joined by "or" (no parentheses).
type scimFilter [][]scimTerm

type scimTerm struct {
	attr, op, value string
}

func (f scimFilter) match(c obj) bool {
	if len(f) == 0 {
		return true
	}
	for _, group := range f {
		all := true
		for _, t := range group {
			if !t.match(c) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

func (t scimTerm) match(c obj) bool {
	var have string
	var present bool
	switch {
	case strings.HasPrefix(t.attr, "metadata."):
		v, ok := c.obj("client_metadata")[strings.TrimPrefix(t.attr, "metadata.")]
		have, present = str(v), ok
	case t.attr == "is_first_party":
		have, present = "false", true
		if c.bool("is_first_party") {
			have = "true"
		}
	default:
		v, ok := c[t.attr]
		have, present = str(v), ok
	}
	if t.op == "pr" {
		return present
	}
	// SCIM compares strings without regard to case unless an attribute
	// is caseExact; client ids are.
	if t.attr != "client_id" {
		have, t.value = strings.ToLower(have), strings.ToLower(t.value)
	}
	switch t.op {
	case "eq":
		return present && have == t.value
	case "ne":
		return !present || have != t.value
	case "sw":
		return present && strings.HasPrefix(have, t.value)
	case "ew":
		return present && strings.HasSuffix(have, t.value)
	case "co":
		return present && strings.Contains(have, t.value)
	}
	return false
}

// parseSCIM reads `attr op "value"` terms joined by and/or.
func parseSCIM(q string) (scimFilter, error) {
	toks, err := scimTokens(q)
	if err != nil {
		return nil, err
	}
	var f scimFilter
	var group []scimTerm
	ops := 0
	for i := 0; i < len(toks); {
		if i+1 >= len(toks) {
			return nil, badQuery("invalid SCIM filter near %q", toks[i])
		}
		attr, op := toks[i], strings.ToLower(toks[i+1])
		if !clientSearchable(attr) {
			return nil, badQuery("'%s' is not a searchable client attribute", attr)
		}
		t := scimTerm{attr: attr, op: op}
		switch op {
		case "pr":
			i += 2
		case "eq", "ne", "sw", "ew", "co":
			if i+2 >= len(toks) {
				return nil, badQuery("invalid SCIM filter: %s %s needs a value", attr, op)
			}
			t.value = strings.Trim(toks[i+2], `"`)
			i += 3
		default:
			return nil, badQuery("invalid SCIM filter: unsupported operator %q", toks[i+1])
		}
		if ops++; ops > 5 {
			return nil, badQuery("at most 5 filter operations are allowed in q")
		}
		group = append(group, t)
		if i < len(toks) {
			switch strings.ToLower(toks[i]) {
			case "and":
			case "or":
				f = append(f, group)
				group = nil
			default:
				return nil, badQuery("invalid SCIM filter: expected and/or, found %q", toks[i])
			}
			i++
			if i == len(toks) {
				return nil, badQuery("invalid SCIM filter: nothing after %q", toks[i-1])
			}
		}
	}
	if len(group) > 0 {
		f = append(f, group)
	}
	return f, nil
}

// scimTokens splits a filter into words and quoted strings (quotes kept,
// \" escapes honoured).
func scimTokens(q string) ([]string, error) {
	var toks []string
	for i := 0; i < len(q); {
		switch q[i] {
		case ' ', '\t':
			i++
		case '"':
			var b strings.Builder
			b.WriteByte('"')
			j := i + 1
			for ; j < len(q) && q[j] != '"'; j++ {
				if q[j] == '\\' && j+1 < len(q) {
					j++
				}
				b.WriteByte(q[j])
			}
			if j >= len(q) {
				return nil, badQuery("invalid SCIM filter: unterminated string")
			}
			b.WriteByte('"')
			toks = append(toks, b.String())
			i = j + 1
		default:
			j := i
			for j < len(q) && q[j] != ' ' && q[j] != '\t' {
				j++
			}
			toks = append(toks, q[i:j])
			i = j
		}
	}
	return toks, nil
}

// clientsQueryAllowed are the only q terms GET /clients takes
// (AUTH0-FACTS §4: searching by name is clients/search's).
var clientsQueryAllowed = []string{"client_grant.organization_id", "client_grant.allow_any_organization"}

func checkClientsQuery(q string) ([]luceneTerm, error) {
	query, err := parseLucene(q)
	if err != nil {
		return nil, err
	}
	terms := query.terms()
	for _, t := range terms {
		if !slices.Contains(clientsQueryAllowed, t.field) {
			return nil, badQuery("Invalid query: q only accepts client_grant.organization_id and client_grant.allow_any_organization (search clients by name with GET /api/v2/clients/search)")
		}
	}
	if _, plain := query.(luceneTerm); len(terms) > 1 || (len(terms) == 1 && !plain) {
		if _, and := query.(luceneAnd); !and {
			return nil, badQuery("Invalid query: q takes client_grant terms joined by AND")
		}
	}
	return terms, nil
}

// withMetadata shows a client's client_metadata as metadata, the name
// clients/search gives it.
func withMetadata(c obj) obj {
	if md, ok := c["client_metadata"]; ok {
		v := obj{}
		for k, x := range c {
			v[k] = x
		}
		v["metadata"] = md
		return v
	}
	return c
}

// matchClientGrantQuery says whether a client has a grant matching every
// client_grant.* term (a sandbox has no organizations, so only
// allow_any_organization can match).
func (s *Server) matchClientGrantQuery(c obj, terms []luceneTerm) bool {
	for _, t := range terms {
		hit := false
		for _, g := range s.t.ClientGrants {
			if g.str("client_id") != c.str("client_id") {
				continue
			}
			switch t.field {
			case "client_grant.allow_any_organization":
				hit = hit || (strings.EqualFold(t.value, "true") == g.bool("allow_any_organization"))
			case "client_grant.organization_id":
				// No organization exists, so no grant is tied to one.
			}
		}
		if !hit {
			return false
		}
	}
	return true
}
