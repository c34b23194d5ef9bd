package steps

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/auth0-wizard/auth0-wizard/internal/atomicfile"
	"github.com/auth0-wizard/auth0-wizard/internal/hostname"
)

// Journal actions beyond the verbs' past tenses.
const (
	// journalPending marks a create that was sent and whose answer has not
	// been recorded yet (a crash in between): resume and teardown look the
	// resource up by its reuse rule and, if it is there, treat it as created.
	journalPending = "pending"
	// proofJournal: created by an earlier run of this journal, found again.
	proofJournal = "journal"
)

const journalVersion = 1

// Journal records, as they happen, the resources a run created, reused or
// updated, so that a run can resume after a crash or Ctrl+C, teardown deletes
// exactly what was created, and exports can be made later. It is a JSON file
// written atomically (temp file in the same directory, then rename) with mode
// 0600, and holds secrets only when opened with reveal. A Journal with an
// empty path lives in memory only. It is safe for concurrent use.
type Journal struct {
	mu     sync.Mutex
	path   string
	reveal bool
	doc    journalDoc
}

type journalDoc struct {
	Version int `json:"version"`
	// RunID is the identity of the run this journal records: the marker
	// on what it creates.
	RunID     string            `json:"run_id,omitempty"`
	Playbook  PlaybookID        `json:"playbook,omitempty"`
	Domain    string            `json:"domain,omitempty"`
	Settings  *Settings         `json:"settings,omitempty"`
	Resources []journalEntry    `json:"resources"`
	Secrets   map[string]string `json:"secrets,omitempty"`
	UpdatedAt time.Time         `json:"updated_at"`
}

// journalEntry is one resource in the journal. ActionID is the plan's action
// id; Lookup holds what its reuse rule needs (identifier, name, client id,
// audience, connection, email) so that resume and teardown can find it.
type journalEntry struct {
	ActionID  string            `json:"action_id"`
	Kind      ResourceKind      `json:"kind"`
	ID        string            `json:"id,omitempty"`
	Name      string            `json:"name"`
	Action    string            `json:"action"` // created, reused, updated, pending
	DependsOn []string          `json:"depends_on,omitempty"`
	Lookup    map[string]string `json:"lookup,omitempty"`
	// Proof says how a resource was established as this tool's: the
	// tenant answered its create, or after a lost answer it carried this
	// run's marker or matched every field sent, or an earlier run's journal
	// said so.
	Proof string `json:"proof,omitempty"`
}

// ours reports whether the entry records a change this tool made that
// teardown undoes: a resource it created (or whose create was sent and not
// answered), or a connection it enabled for the application.
func (e journalEntry) ours() bool {
	return e.Action == Create.Past() || e.Action == journalPending || e.Action == kinds[e.Kind].doneVerb.Past()
}

// DefaultJournalPath is the journal file used when none is given.
func DefaultJournalPath(id PlaybookID) string { return "auth0-wizard-" + string(id) + ".journal.json" }

// OpenJournal loads the journal at path to resume or tear down a run, or
// starts a new one when the file does not exist (it is written on the first
// change). reveal keeps secrets in the file. An empty path gives an in-memory
// journal.
func OpenJournal(path string, reveal bool) (*Journal, error) {
	j := &Journal{path: path, reveal: reveal, doc: journalDoc{Version: journalVersion}}
	if path == "" {
		return j, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return j, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read journal: %w (check that it is readable, or give another --journal)", err)
	}
	if err := json.Unmarshal(b, &j.doc); err != nil {
		return nil, fmt.Errorf("journal %s is %w (%w): move it away or give another --journal", path, ErrBadJournal, err)
	}
	if j.doc.Version != journalVersion {
		return nil, fmt.Errorf("journal %s has version %d, this auth0-wizard reads version %d: %w", path, j.doc.Version, journalVersion, ErrBadJournal)
	}
	if err := j.doc.check(); err != nil {
		return nil, fmt.Errorf("journal %s is %w: %w; move it away or give another --journal", path, ErrBadJournal, err)
	}
	if !reveal {
		j.doc.Secrets = nil
	}
	return j, nil
}

// Path returns the journal's file, "" for an in-memory journal.
func (j *Journal) Path() string { return j.path }

// RunID is the identity of the run the journal records ("" before it
// began).
func (j *Journal) RunID() string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.doc.RunID
}

// Playbook returns the playbook the journal is for ("" when new).
func (j *Journal) Playbook() PlaybookID {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.doc.Playbook
}

// Domain returns the tenant the journal is for ("" when new).
func (j *Journal) Domain() string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.doc.Domain
}

// Settings returns the settings the journal was written with (no secrets),
// and whether it has any.
func (j *Journal) Settings() (Settings, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.doc.Settings == nil {
		return Settings{}, false
	}
	return *j.doc.Settings, true
}

// ClientSecret returns the application's secret kept in a journal written
// with reveal, or "".
func (j *Journal) ClientSecret() string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.doc.Secrets["client_secret"]
}

// Resources returns the resources in the journal, in the order they were
// recorded; an unfinished create shows as action "pending".
func (j *Journal) Resources() []Resource {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]Resource, 0, len(j.doc.Resources))
	for _, e := range j.doc.Resources {
		out = append(out, Resource{Kind: e.Kind, ID: e.ID, Name: e.Name, Action: e.Action})
	}
	return out
}

func (j *Journal) entry(actionID string) (journalEntry, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, e := range j.doc.Resources {
		if e.ActionID == actionID {
			return e, true
		}
	}
	return journalEntry{}, false
}

func (j *Journal) entries() []journalEntry {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Clone(j.doc.Resources)
}

// begin checks the journal belongs to this playbook and tenant and records
// the settings.
func (j *Journal) begin(p Playbook, domain string, s Settings) error {
	id := p.ID
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := j.checkLocked(id, domain); err != nil {
		return err
	}
	if err := j.checkSettingsLocked(p, domain, s); err != nil {
		return err
	}
	if j.doc.Playbook != id || !hostname.Same(j.doc.Domain, domain) {
		// Nothing of the other run is left to resume or tear down.
		j.doc.Resources, j.doc.Secrets = nil, nil
	}
	j.doc.Playbook, j.doc.Domain = id, domain
	if j.doc.RunID == "" {
		j.doc.RunID = newRunID()
	}
	s.ClientSecret, s.UserPassword = "", ""
	j.doc.Settings = &s
	return j.writeLocked()
}

// mergeJournalSettings fills every empty input of s from the journal's
// settings (never a secret: the journal holds none in its settings).
func mergeJournalSettings(s Settings, j *Journal) Settings {
	js, ok := j.Settings()
	if !ok {
		return s
	}
	fill := func(dst *string, src string) {
		if *dst == "" {
			*dst = src
		}
	}
	fill(&s.Audience, js.Audience)
	fill(&s.KeyManagerName, js.KeyManagerName)
	fill(&s.KeyManagerDisplayName, js.KeyManagerDisplayName)
	fill(&s.APIName, js.APIName)
	fill(&s.APIIdentifier, js.APIIdentifier)
	fill(&s.SigningAlg, js.SigningAlg)
	fill(&s.AppName, js.AppName)
	fill(&s.AppType, js.AppType)
	fill(&s.TokenEndpointAuthMethod, js.TokenEndpointAuthMethod)
	fill(&s.ConnectionName, js.ConnectionName)
	fill(&s.UserEmail, js.UserEmail)
	fill(&s.APIMInstance, js.APIMInstance)
	fill(&s.APIMServer, js.APIMServer)
	if len(s.GrantTypes) == 0 {
		s.GrantTypes = slices.Clone(js.GrantTypes)
	}
	return s
}

// ResumeSettings returns s with the settings of the run the journal records
// wherever s leaves a value empty, so that a run given only its journal
// continues that run instead of starting another with default names: the
// playbook, the tenant (domain, the management application's client ID and
// audience) and every input. Secrets are never filled: the journal holds
// none. A journal for another playbook or tenant than s names fills nothing
// (its inputs would describe another setup), nor does a new one or a nil j.
func ResumeSettings(s Settings, j *Journal) Settings {
	if j == nil {
		return s
	}
	id, domain := j.Playbook(), j.Domain()
	if id == "" || s.Playbook != "" && s.Playbook != id || s.Domain != "" && !hostname.Same(s.Domain, domain) {
		return s
	}
	s.Playbook = id
	js, ok := j.Settings()
	if s.Domain == "" {
		s.Domain = domain
		if ok && hostname.Same(js.Domain, domain) {
			s.Domain = js.Domain // as given, e.g. the http:// of a loopback sandbox
		}
	}
	if s.ClientID == "" {
		s.ClientID = js.ClientID
	}
	return mergeJournalSettings(s, j)
}

// SettingConflict is one input whose value differs between the run the
// journal records and the run at hand.
type SettingConflict struct {
	Key     string // the input, e.g. "api_identifier"
	Journal string // the value the journal's run created resources with
	Run     string // this run's value
}

// JournalConflictError says a run's settings name other resources than those
// an earlier run with the same journal created. The journal keeps one entry
// per action, so recording this run there would replace the record of what
// the earlier run made, and teardown could no longer remove it: the run is
// refused before anything changes.
type JournalConflictError struct {
	Path      string
	Conflicts []SettingConflict
}

// Error names the journal's values and this run's, and what to do.
func (e *JournalConflictError) Error() string {
	var was, now []string
	for _, c := range e.Conflicts {
		was = append(was, fmt.Sprintf("%s %q", c.Key, c.Journal))
		now = append(now, fmt.Sprintf("%s %q", c.Key, c.Run))
	}
	return fmt.Sprintf("journal %s records what an earlier run created with %s, but this run has %s: "+
		"recording it there would lose the record of what the earlier run made, and teardown could no longer remove it. "+
		"To continue that run, leave these inputs out (the journal's values fill every input not given); "+
		"for a separate setup, give a new --journal FILE; or tear the earlier run down first (auth0-wizard teardown --journal %s)",
		orMemory(e.Path), strings.Join(was, ", "), strings.Join(now, ", "), orMemory(e.Path))
}

// checkSettings refuses settings that name other resources than those the
// journal records as created by an earlier run of the same playbook on the
// same tenant (see JournalConflictError); s has its defaults.
func (j *Journal) checkSettings(p Playbook, domain string, s Settings) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.checkSettingsLocked(p, domain, s)
}

// checkSettingsLocked compares, for each resource the journal records as
// this tool's, the lookup keys it was found by with those the settings give
// now (the action's Want), and names the input of each that differs.
func (j *Journal) checkSettingsLocked(p Playbook, domain string, s Settings) error {
	if j.doc.Playbook != p.ID || !hostname.Same(j.doc.Domain, domain) {
		return nil // checkLocked decides
	}
	var cs []SettingConflict
	for _, e := range j.doc.Resources {
		a, ok := p.Action(e.ActionID)
		if !e.ours() || !ok || a.Want == nil {
			continue
		}
		d := a.Want(s)
		now := map[string]string{}
		if k, ok := kinds[a.Kind]; ok {
			now = k.lookupKeys(d, namedRefs(p, a, s))
		}
		for _, key := range sortedKeys(a.Inputs) {
			input, was := a.Inputs[key], e.Lookup[key]
			if key == "connection" || key == "app" {
				if conn, app, ok := strings.Cut(e.Name, " → "); ok && a.Kind == KindConnectionClient && was == "" {
					was = map[string]string{"connection": conn, "app": app}[key]
				}
			}
			same := was == now[key] || key == "email" && strings.EqualFold(was, now[key])
			if was == "" || same || slices.ContainsFunc(cs, func(c SettingConflict) bool { return c.Key == input }) {
				continue
			}
			cs = append(cs, SettingConflict{Key: input, Journal: was, Run: now[key]})
		}
	}
	if len(cs) == 0 {
		return nil
	}
	return &JournalConflictError{Path: j.path, Conflicts: cs}
}

// namedRefs are the resources an action depends on as the settings name
// them (no ids): what a lookup key that names another resource compares.
func namedRefs(p Playbook, a ActionSpec, s Settings) refs {
	r := refs{}
	for _, d := range a.DependsOn {
		if b, ok := p.Action(d); ok && b.Want != nil {
			w := b.Want(s)
			r[b.Kind] = resource{rs: w.ResourceServer, app: w.App, conn: w.Connection, user: w.User}
		}
	}
	return r
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// ResumeHint says how to pick the run this journal records up again. apply
// takes the playbook, the tenant and every input from the journal; what the
// journal never holds must be given again, and the hint names it: the
// management application's secret, for azure the test user's password while
// the user is not made yet, and caFile (the extra CA the run trusted; "" for
// none). A run on the in-process sandbox tenant (sandbox) cannot be resumed:
// that tenant is gone once the process exits, and the hint says so.
func (j *Journal) ResumeHint(sandbox bool, caFile string) string {
	if sandbox {
		return "This run was on the in-process sandbox tenant, which is gone once auth0-wizard exits: " +
			"it cannot be resumed, and running it again starts afresh on a new sandbox tenant."
	}
	if j.path == "" {
		return "The run kept no journal: running it again plans from the tenant as it is now."
	}
	env := "AUTH0_CLIENT_SECRET=… "
	if p, err := PlaybookByID(j.Playbook()); err == nil {
		if a, ok := p.actionOfKind(KindUser); ok {
			if en, ok := j.entry(a.ID); !ok || en.Action == journalPending {
				env += "AUTH0_WIZARD_USER_PASSWORD=… "
			}
		}
	}
	flags := "--journal " + shellQuote(j.path)
	if caFile != "" {
		flags += " --ca-file " + shellQuote(caFile)
	}
	return "To resume: " + env + "auth0-wizard apply " + flags + "\n" +
		"(the journal gives the playbook, the tenant, the client ID and every input, never a secret: " +
		"the management application's secret may also come from --client-secret-file or the prompt), " +
		"or run the wizard again with " + flags
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	safe := s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_./:@%+=,-", r))
	}) < 0
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// checkFor reports an error when the journal is for another playbook or tenant.
// A journal that still records something to tear down (created, pending,
// or a connection enabled) is bound to its playbook and tenant; one that does
// not may be reused for another.
func (j *Journal) checkFor(id PlaybookID, domain string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.checkLocked(id, domain)
}

func (j *Journal) checkLocked(id PlaybookID, domain string) error {
	if j.doc.Playbook == "" || j.doc.Playbook == id && hostname.Same(j.doc.Domain, domain) {
		return nil
	}
	for _, e := range j.doc.Resources {
		if e.ours() {
			return &JournalForeignError{Path: j.path, Playbook: j.doc.Playbook, Domain: j.doc.Domain, WantPlaybook: id, WantDomain: domain}
		}
	}
	return nil
}

// JournalForeignError says the journal records what a run of another
// playbook or on another tenant created: this run cannot record there.
type JournalForeignError struct {
	Path         string
	Playbook     PlaybookID // the journal's
	Domain       string     // the journal's tenant
	WantPlaybook PlaybookID // this run's
	WantDomain   string
}

// Error names both runs and what to do.
func (e *JournalForeignError) Error() string {
	return fmt.Sprintf("journal %s records what playbook %s created on %s (not %s on %s): tear that down first, or use another journal file",
		e.Path, e.Playbook, e.Domain, e.WantPlaybook, e.WantDomain)
}

// record adds or replaces the entry for e.ActionID and writes the file.
func (j *Journal) record(e journalEntry) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	i := slices.IndexFunc(j.doc.Resources, func(x journalEntry) bool { return x.ActionID == e.ActionID })
	if i >= 0 {
		j.doc.Resources[i] = e
	} else {
		j.doc.Resources = append(j.doc.Resources, e)
	}
	return j.writeLocked()
}

// remove drops the entry for actionID and writes the file.
func (j *Journal) remove(actionID string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.doc.Resources = slices.DeleteFunc(j.doc.Resources, func(x journalEntry) bool { return x.ActionID == actionID })
	if actionID == ActClient {
		delete(j.doc.Secrets, "client_secret")
	}
	for k := range j.doc.Secrets {
		if strings.HasPrefix(k, actionID+"/") { // a kit's (kits.go)
			delete(j.doc.Secrets, k)
		}
	}
	return j.writeLocked()
}

// setSecret keeps a secret, only when the journal reveals secrets.
func (j *Journal) setSecret(key, value string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if !j.reveal || value == "" {
		return nil
	}
	if j.doc.Secrets == nil {
		j.doc.Secrets = map[string]string{}
	}
	j.doc.Secrets[key] = value
	return j.writeLocked()
}

func (j *Journal) writeLocked() error {
	if j.path == "" {
		return nil
	}
	j.doc.UpdatedAt = time.Now().UTC()
	b, err := json.MarshalIndent(j.doc, "", "  ")
	if err != nil {
		return fmt.Errorf("encode journal: %w", err)
	}
	b = append(b, '\n')
	if err := atomicfile.Write(j.path, b, 0o600); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	return nil
}
