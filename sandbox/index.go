package sandbox

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// The tenant's lookups go through indexes so that their cost does not grow
// with the tenant: a client by client_id or name, a resource server by id
// or identifier, a connection by id or name, a user by id, by email (per
// connection and across them) or by username per connection, a grant by id
// or client, a role by id. The indexes are not saved: they are built when
// a tenant is seeded or loaded and kept in step by every write (the writer
// holds s.mu); Options.checkIndexes (this package's tests) rebuilds them
// after each write and answers 500 when they differ.

// kindIndex indexes the objects of one kind (the tenant's list of them) by
// the keys each named index derives from an object. Objects found under a
// key come in the tenant's list order.
type kindIndex struct {
	id    string // the field that identifies an object of the kind
	fns   map[string]func(obj) []string
	by    map[string]map[string][]obj // index → key → objects
	keyed map[string][]string         // id → "index\x00key" it is under
	order map[string]uint64           // id → its place in the tenant's list
	// written is when each object was last written (created or updated),
	// as a count of the kind's writes: the order of sort=updated_at.
	written map[string]uint64
	next    uint64
}

func newKindIndex(id string, fns map[string]func(obj) []string) *kindIndex {
	x := &kindIndex{id: id, fns: fns, by: map[string]map[string][]obj{}, keyed: map[string][]string{}, written: map[string]uint64{}, order: map[string]uint64{}}
	for name := range fns {
		x.by[name] = map[string][]obj{}
	}
	return x
}

// add indexes an object appended to the tenant's list.
func (x *kindIndex) add(o obj) {
	id := o.str(x.id)
	x.order[id] = x.next
	x.written[id] = x.next
	x.next++
	x.insert(id, o)
}

func (x *kindIndex) insert(id string, o obj) {
	keys := map[string][]string{}
	for name, fn := range x.fns {
		ks := fn(o)
		keys[name] = ks
		for _, k := range ks {
			bucket := x.by[name][k]
			pos := x.order[id]
			i := sort.Search(len(bucket), func(i int) bool { return x.order[bucket[i].str(x.id)] > pos })
			x.by[name][k] = slices.Insert(bucket, i, o)
		}
	}
	x.keyed[id] = keysList(keys)
}

// keysList flattens index → keys as "index\x00key" entries.
func keysList(keys map[string][]string) []string {
	var out []string
	for name, ks := range keys {
		for _, k := range ks {
			out = append(out, name+"\x00"+k)
		}
	}
	return out
}

func (x *kindIndex) unindex(id string) {
	for _, nk := range x.keyed[id] {
		name, k, _ := strings.Cut(nk, "\x00")
		bucket := slices.DeleteFunc(x.by[name][k], func(o obj) bool { return o.str(x.id) == id })
		if len(bucket) == 0 {
			delete(x.by[name], k)
		} else {
			x.by[name][k] = bucket
		}
	}
	delete(x.keyed, id)
}

// remove drops an object removed from the tenant's list.
func (x *kindIndex) remove(o obj) {
	id := o.str(x.id)
	x.unindex(id)
	delete(x.order, id)
	delete(x.written, id)
}

// update indexes an object again after its fields changed in place.
func (x *kindIndex) update(o obj) {
	id := o.str(x.id)
	x.unindex(id)
	x.insert(id, o)
	x.written[id] = x.next
	x.next++
}

// find returns the objects under key in the named index (the index's own
// slice: the caller does not keep or change it).
func (x *kindIndex) find(name, key string) []obj { return x.by[name][key] }

func (x *kindIndex) first(name, key string) obj {
	if l := x.by[name][key]; len(l) > 0 {
		return l[0]
	}
	return nil
}

// describe lists the index's entries, for comparing two indexes.
func (x *kindIndex) describe() string {
	var lines []string
	for name, m := range x.by {
		for k, l := range m {
			ids := make([]string, len(l))
			for i, o := range l {
				ids[i] = o.str(x.id)
			}
			lines = append(lines, fmt.Sprintf("%s[%q] = %v", name, k, ids))
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// tenantIndexes are the indexes of one tenant.
type tenantIndexes struct {
	clients, resourceServers, connections, users, grants, roles *kindIndex
}

func one(v string) []string { return []string{v} }

func newTenantIndexes() *tenantIndexes {
	return &tenantIndexes{
		clients: newKindIndex("client_id", map[string]func(obj) []string{
			"id": func(o obj) []string { return one(o.str("client_id")) },
			// Any case: SCIM compares names so (clients/search).
			"name": func(o obj) []string { return one(strings.ToLower(o.str("name"))) },
		}),
		resourceServers: newKindIndex("id", map[string]func(obj) []string{
			"id":         func(o obj) []string { return one(o.str("id")) },
			"identifier": func(o obj) []string { return one(o.str("identifier")) },
		}),
		connections: newKindIndex("id", map[string]func(obj) []string{
			"id":   func(o obj) []string { return one(o.str("id")) },
			"name": func(o obj) []string { return one(o.str("name")) },
		}),
		users: newKindIndex("user_id", map[string]func(obj) []string{
			"id":    func(o obj) []string { return one(o.str("user_id")) },
			"email": func(o obj) []string { return one(strings.ToLower(o.str("email"))) },
			// connection\x00lower(email), connection\x00username
			"conn_email": func(o obj) []string { return one(userConnection(o) + "\x00" + strings.ToLower(o.str("email"))) },
			"conn_username": func(o obj) []string {
				if o.str("username") == "" {
					return nil
				}
				return one(userConnection(o) + "\x00" + o.str("username"))
			},
		}),
		grants: newKindIndex("id", map[string]func(obj) []string{
			"id":     func(o obj) []string { return one(o.str("id")) },
			"client": func(o obj) []string { return one(o.str("client_id")) },
		}),
		roles: newKindIndex("id", map[string]func(obj) []string{
			"id": func(o obj) []string { return one(o.str("id")) },
		}),
	}
}

// buildIndexes indexes the tenant as it is (a seeded or loaded one).
func (s *Server) buildIndexes() {
	s.ix = indexesOf(s.t)
}

func indexesOf(t *tenant) *tenantIndexes {
	ix := newTenantIndexes()
	for _, c := range t.Clients {
		ix.clients.add(c)
	}
	for _, rs := range t.ResourceServers {
		ix.resourceServers.add(rs)
	}
	for _, c := range t.Connections {
		ix.connections.add(c)
	}
	for _, u := range t.Users {
		ix.users.add(u)
	}
	for _, g := range t.ClientGrants {
		ix.grants.add(g)
	}
	for _, r := range t.Roles {
		ix.roles.add(r)
	}
	return ix
}

// indexesAgree compares the kept indexes with ones built afresh.
func (s *Server) indexesAgree() error {
	fresh := indexesOf(s.t)
	for _, p := range []struct {
		kind      string
		kept, new *kindIndex
	}{
		{"clients", s.ix.clients, fresh.clients}, {"resource servers", s.ix.resourceServers, fresh.resourceServers},
		{"connections", s.ix.connections, fresh.connections}, {"users", s.ix.users, fresh.users}, {"grants", s.ix.grants, fresh.grants},
		{"roles", s.ix.roles, fresh.roles},
	} {
		if a, b := p.kept.describe(), p.new.describe(); a != b {
			return fmt.Errorf("the %s index is out of step with the tenant:\nkept:\n%s\nfrom the tenant:\n%s", p.kind, a, b)
		}
	}
	return nil
}

// dropWhere removes the objects of list that drop selects, from the list
// and from the kind's index.
func dropWhere(list []obj, x *kindIndex, drop func(obj) bool) []obj {
	return removeWhere(list, func(o obj) bool {
		if drop(o) {
			x.remove(o)
			return true
		}
		return false
	})
}
