package sandbox

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// The user search query syntax of search_engine v3 (Lucene), as Auth0
// documents it (docs: manage-users/user-search/user-search-query-syntax):
// field:value terms, "quoted phrases", a trailing or leading * wildcard,
// ranges [a TO b] and {a TO b} (* for an open end), _exists_:field,
// AND / OR / NOT (and a leading -), parentheses, field:(a OR b) groups.
// Terms side by side without an operator must all match. A bare term
// searches the common user fields (email, name, nickname, username,
// given_name, family_name, user_id).

// luceneNode is one parsed query.
type luceneNode interface {
	match(o obj) bool
	// terms lists the field terms (ranges and _exists_ aside).
	terms() []luceneTerm
}

type luceneTerm struct {
	field, value string
	prefix       bool // value*
	suffix       bool // *value
}

type luceneAnd []luceneNode
type luceneOr []luceneNode
type luceneNot struct{ n luceneNode }
type luceneAll struct{}
type luceneExists struct{ field string }
type luceneRange struct {
	field        string
	lo, hi       string // "*" is open
	incLo, incHi bool
}

func (q luceneAnd) match(o obj) bool {
	for _, n := range q {
		if !n.match(o) {
			return false
		}
	}
	return true
}

func (q luceneOr) match(o obj) bool {
	for _, n := range q {
		if n.match(o) {
			return true
		}
	}
	return false
}

func (q luceneNot) match(o obj) bool { return !q.n.match(o) }
func (luceneAll) match(obj) bool     { return true }
func (q luceneExists) match(o obj) bool {
	if len(fieldValues(o, q.field)) > 0 {
		return true
	}
	// An object (or an empty list) exists too.
	var cur any = o
	for _, p := range strings.Split(q.field, ".") {
		m, ok := asMap(cur)
		if !ok {
			return false
		}
		cur = m[p]
	}
	return cur != nil
}
func (q luceneAnd) terms() []luceneTerm  { return childTerms(q) }
func (q luceneOr) terms() []luceneTerm   { return childTerms(q) }
func (q luceneNot) terms() []luceneTerm  { return q.n.terms() }
func (luceneAll) terms() []luceneTerm    { return nil }
func (luceneExists) terms() []luceneTerm { return nil }
func (luceneRange) terms() []luceneTerm  { return nil }
func (t luceneTerm) terms() []luceneTerm { return []luceneTerm{t} }

func childTerms(l []luceneNode) []luceneTerm {
	var out []luceneTerm
	for _, n := range l {
		out = append(out, n.terms()...)
	}
	return out
}

// bareFields are what a term without a field searches.
var bareFields = []string{"email", "name", "nickname", "username", "given_name", "family_name", "user_id", "client_id"}

func (t luceneTerm) match(o obj) bool {
	fields := []string{t.field}
	if t.field == "" {
		fields = bareFields
	}
	want := strings.ToLower(t.value)
	for _, f := range fields {
		for _, have := range fieldValues(o, f) {
			have = strings.ToLower(have)
			switch {
			case t.prefix && t.suffix:
				if strings.Contains(have, want) {
					return true
				}
			case t.prefix:
				if strings.HasPrefix(have, want) {
					return true
				}
			case t.suffix:
				if strings.HasSuffix(have, want) {
					return true
				}
			case have == want:
				return true
			}
		}
	}
	return false
}

func (q luceneRange) match(o obj) bool {
	for _, have := range fieldValues(o, q.field) {
		if q.lo != "*" {
			c := compareValues(have, q.lo)
			if c < 0 || (c == 0 && !q.incLo) {
				continue
			}
		}
		if q.hi != "*" {
			c := compareValues(have, q.hi)
			if c > 0 || (c == 0 && !q.incHi) {
				continue
			}
		}
		return true
	}
	return false
}

// compareValues compares numerically when both are numbers, else as
// strings (ISO dates compare rightly so).
func compareValues(a, b string) int {
	fa, errA := strconv.ParseFloat(a, 64)
	fb, errB := strconv.ParseFloat(b, 64)
	if errA == nil && errB == nil {
		switch {
		case fa < fb:
			return -1
		case fa > fb:
			return 1
		}
		return 0
	}
	return strings.Compare(a, b)
}

// fieldValues are the values of a dotted field of o as strings: every
// element when it crosses an array (identities.connection), the domain of
// the email for email.domain.
func fieldValues(o obj, field string) []string {
	if field == "email.domain" {
		if _, domain, ok := strings.Cut(o.str("email"), "@"); ok {
			return []string{domain}
		}
		return nil
	}
	var out []string
	var walk func(v any, path []string)
	walk = func(v any, path []string) {
		if len(path) == 0 {
			switch x := v.(type) {
			case nil:
			case []any:
				for _, e := range x {
					walk(e, nil)
				}
			case map[string]any, obj:
			default:
				out = append(out, lookupScalar(x))
			}
			return
		}
		switch x := v.(type) {
		case obj:
			walk(x[path[0]], path[1:])
		case map[string]any:
			walk(x[path[0]], path[1:])
		case []any:
			for _, e := range x {
				walk(e, path)
			}
		}
	}
	walk(o, strings.Split(field, "."))
	return out
}

func lookupScalar(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case json.Number:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	}
	return ""
}

// ---- parsing ----

type lucToken struct {
	kind  string // "(", ")", "AND", "OR", "NOT", "term", "group" (field:()
	text  string
	field string
}

func badLucene(format string, args ...any) error {
	return errf(http.StatusBadRequest, "invalid_query_string", "Query validation error: "+format, args...)
}

func lucTokens(q string) ([]lucToken, error) {
	var out []lucToken
	i := 0
	for i < len(q) {
		switch c := q[i]; c {
		case ' ', '\t', '\n':
			i++
			continue
		case '(', ')':
			out = append(out, lucToken{kind: string(c)})
			i++
			continue
		case '-', '!':
			out = append(out, lucToken{kind: "NOT"})
			i++
			continue
		case '+':
			i++
			continue
		}
		// A term: up to a space or a parenthesis, taking quoted strings
		// and ranges whole.
		start := i
		field := ""
		group := false
		for !group && i < len(q) && q[i] != ' ' && q[i] != '\t' && q[i] != '(' && q[i] != ')' {
			switch q[i] {
			case '\\':
				i += 2
				continue
			case '"':
				end := strings.IndexByte(q[i+1:], '"')
				if end < 0 {
					return nil, badLucene("unterminated quoted value in %q", q[start:])
				}
				i += end + 2
				continue
			case '[', '{':
				end := strings.IndexAny(q[i+1:], "]}")
				if end < 0 {
					return nil, badLucene("unterminated range in %q", q[start:])
				}
				i += end + 2
				continue
			case ':':
				if field == "" {
					field = q[start:i]
				}
				if i+1 < len(q) && q[i+1] == '(' {
					out = append(out, lucToken{kind: "group", field: field})
					group = true
				}
			}
			i++
		}
		if group {
			continue
		}
		{
			text := q[start:i]
			switch text {
			case "AND", "&&":
				out = append(out, lucToken{kind: "AND"})
			case "OR", "||":
				out = append(out, lucToken{kind: "OR"})
			case "NOT":
				out = append(out, lucToken{kind: "NOT"})
			default:
				out = append(out, lucToken{kind: "term", text: text})
			}
		}
	}
	return out, nil
}

type lucParser struct {
	toks []lucToken
	pos  int
	ops  int
}

func (p *lucParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos].kind
	}
	return ""
}

// parseLucene parses a v3 user search query; an empty one matches all.
func parseLucene(q string) (luceneNode, error) {
	toks, err := lucTokens(q)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return luceneAll{}, nil
	}
	p := &lucParser{toks: toks}
	n, err := p.or("")
	if err != nil {
		return nil, err
	}
	if p.pos != len(p.toks) {
		return nil, badLucene("unexpected %q in the query", p.toks[p.pos].kind)
	}
	return n, nil
}

func (p *lucParser) or(field string) (luceneNode, error) {
	var alts luceneOr
	for {
		n, err := p.and(field)
		if err != nil {
			return nil, err
		}
		alts = append(alts, n)
		if p.peek() != "OR" {
			break
		}
		p.pos++
	}
	if len(alts) == 1 {
		return alts[0], nil
	}
	return alts, nil
}

func (p *lucParser) and(field string) (luceneNode, error) {
	var all luceneAnd
	for {
		n, err := p.unary(field)
		if err != nil {
			return nil, err
		}
		all = append(all, n)
		switch p.peek() {
		case "AND":
			p.pos++
			continue
		case "", "OR", ")":
		default:
			continue // side by side: all must match
		}
		break
	}
	if len(all) == 1 {
		return all[0], nil
	}
	return all, nil
}

func (p *lucParser) unary(field string) (luceneNode, error) {
	if p.peek() == "NOT" {
		p.pos++
		n, err := p.unary(field)
		if err != nil {
			return nil, err
		}
		return luceneNot{n}, nil
	}
	return p.primary(field)
}

func (p *lucParser) primary(field string) (luceneNode, error) {
	if p.pos >= len(p.toks) {
		return nil, badLucene("the query ends where a term is expected")
	}
	t := p.toks[p.pos]
	p.pos++
	switch t.kind {
	case "(", "group":
		if t.kind == "group" {
			field = t.field
			if p.peek() != "(" {
				return nil, badLucene("expected ( after %s:", field)
			}
			p.pos++
		}
		n, err := p.or(field)
		if err != nil {
			return nil, err
		}
		if p.peek() != ")" {
			return nil, badLucene("unbalanced parentheses")
		}
		p.pos++
		return n, nil
	case "term":
		if p.ops++; p.ops > 100 {
			return nil, badLucene("the query has too many terms")
		}
		return parseLuceneTerm(t.text, field)
	}
	return nil, badLucene("unexpected %q in the query", t.kind)
}

func parseLuceneTerm(text, field string) (luceneNode, error) {
	value := text
	if f, v, ok := cutField(text); ok {
		field, value = f, v
	}
	if field == "_exists_" {
		return luceneExists{field: strings.Trim(value, `"`)}, nil
	}
	if value == "" {
		return nil, badLucene("no value for %s", field)
	}
	if (value[0] == '[' || value[0] == '{') && len(value) > 2 {
		inner := value[1 : len(value)-1]
		lo, hi, ok := strings.Cut(inner, " TO ")
		if !ok || field == "" {
			return nil, badLucene("invalid range %s", value)
		}
		return luceneRange{field: field, lo: strings.Trim(strings.TrimSpace(lo), `"`), hi: strings.Trim(strings.TrimSpace(hi), `"`),
			incLo: value[0] == '[', incHi: value[len(value)-1] == ']'}, nil
	}
	if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
		return luceneTerm{field: field, value: value[1 : len(value)-1]}, nil
	}
	t := luceneTerm{field: field, value: strings.ReplaceAll(value, `\`, "")}
	if strings.HasSuffix(t.value, "*") {
		t.prefix, t.value = true, strings.TrimSuffix(t.value, "*")
	}
	if strings.HasPrefix(t.value, "*") {
		t.suffix, t.value = true, strings.TrimPrefix(t.value, "*")
	}
	if t.value == "" && (t.prefix || t.suffix) {
		if field == "" {
			return luceneAll{}, nil
		}
		return luceneExists{field: field}, nil
	}
	return t, nil
}

// cutField splits field:value at the first colon outside quotes and
// escapes.
func cutField(text string) (string, string, bool) {
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '\\':
			i++
		case '"', '[', '{':
			return "", "", false
		case ':':
			return text[:i], text[i+1:], true
		}
	}
	return "", "", false
}
