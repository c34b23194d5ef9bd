package steps

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/auth0-wizard/auth0-wizard/internal/hostname"
)

// Training kits: a class's setups on one tenant, as data. The pieces every
// attendee shares (the API; for azure the connection; WSO2's key manager)
// are made once; every other action of the playbook is copied per attendee,
// its id suffixed with the attendee's number (client#07), its dependencies
// mapped (shared ones kept, per-attendee ones suffixed) and its Want given
// the attendee's settings (KitSettings). One journal records the whole
// class, so that a second run resumes it and one teardown removes it.

// DefaultKitsPrefix names the attendees when no prefix is given:
// attendee-01, attendee-02, ...
const DefaultKitsPrefix = "attendee"

// DefaultKitsConcurrency is how many actions (and kits' test tokens) a kits
// run has under way at once when Kits.Concurrency is 0: enough to keep a
// tenant's rate limit busy, few enough that no request waits behind
// dozens of others for its turn. (BenchmarkKits, 30 azure kits against a
// 10/s limit with 10 % failures, with auth0client pacing to one token's
// refill: 56.6 s, 56 answers 429 at 4; 56.0 s, 69 answers 429 at 8.)
const DefaultKitsConcurrency = 4

// MaxKits is the most kits one run makes.
const MaxKits = 500

// kitSep separates an action's id from the kit's number (client#07).
const kitSep = "#"

// sharedKinds are made once for the whole class.
var sharedKinds = []ResourceKind{KindResourceServer, KindConnection, KindWSO2KeyManager}

// Kits says how many kits to make and how their attendees are named.
type Kits struct {
	Count  int
	Prefix string // "" for DefaultKitsPrefix
	// Concurrency bounds the actions and test tokens under way at once (0:
	// DefaultKitsConcurrency).
	Concurrency int

	// passwords are the attendees' test users' passwords, by kit suffix
	// (set by ApplyKits from the journal, or new).
	passwords map[string]string
}

func (k Kits) withDefaults() Kits {
	if k.Prefix == "" {
		k.Prefix = DefaultKitsPrefix
	}
	if k.Concurrency <= 0 {
		k.Concurrency = DefaultKitsConcurrency
	}
	return k
}

// Validate says what is wrong with the count or the prefix.
func (k Kits) Validate() error {
	k = k.withDefaults()
	if k.Count < 1 || k.Count > MaxKits {
		return fmt.Errorf("the number of kits must be from 1 to %d, not %d", MaxKits, k.Count)
	}
	if len(k.Prefix) > 40 {
		return fmt.Errorf("the attendees' prefix %q is longer than 40 characters", Printable(k.Prefix))
	}
	rs := []rune(k.Prefix)
	if !isAlnum(rs[0]) {
		return fmt.Errorf("the attendees' prefix %q must start with a letter or digit", Printable(k.Prefix))
	}
	for _, r := range rs {
		if !isAlnum(r) && r != '-' {
			return fmt.Errorf("the attendees' prefix %q: use only letters, digits and '-' (it names users' emails too)", Printable(k.Prefix))
		}
	}
	return nil
}

// Suffix is kit n's number as its action ids carry it: 07 (three digits
// from 100 kits on).
func (k Kits) Suffix(n int) string {
	return fmt.Sprintf("%0*d", max(2, len(strconv.Itoa(k.Count))), n)
}

// Label is kit n's attendee: attendee-07.
func (k Kits) Label(n int) string { return k.withDefaults().Prefix + "-" + k.Suffix(n) }

// KitActionID is the id of a playbook action's copy in the kit with that
// suffix: client#07.
func KitActionID(id, suffix string) string { return id + kitSep + suffix }

// splitKitID splits a kit action's id into the playbook action's id and
// the kit's suffix (ok false for a shared action).
func splitKitID(id string) (base, suffix string, ok bool) {
	i := strings.LastIndex(id, kitSep)
	if i < 0 {
		return id, "", false
	}
	suffix = id[i+1:]
	if _, err := strconv.Atoi(suffix); err != nil || suffix == "" {
		return id, "", false
	}
	return id[:i], suffix, true
}

// KitSettings are the settings of one attendee's kit: the application
// named "<AppName> (<label>)", WSO2's application "<WSO2AppName>-<label>",
// and the test user <label>@<the domain of the test user's email> with
// its own password.
func KitSettings(s Settings, label, password string) Settings {
	s.AppName = s.AppName + " (" + label + ")"
	if s.WSO2AppName != "" {
		s.WSO2AppName += "-" + label
	}
	if s.UserEmail != "" {
		s.UserEmail = label + "@" + s.UserEmail[strings.LastIndex(s.UserEmail, "@")+1:]
	}
	s.UserPassword = password
	return s
}

// KitsPlaybook is p for a class: its shared actions once, then for each
// attendee 01..Count a copy of every other action (see the top of this
// file). The playbook keeps p's id, steps and scopes, so that its journal
// is p's and teardown walks it as any other.
func KitsPlaybook(p Playbook, k Kits) Playbook {
	k = k.withDefaults()
	var shared []string
	var actions []ActionSpec
	for _, a := range p.Actions {
		if slices.Contains(sharedKinds, a.Kind) {
			shared = append(shared, a.ID)
			actions = append(actions, a)
		}
	}
	for n := 1; n <= k.Count; n++ {
		sfx, label, pw := k.Suffix(n), k.Label(n), k.passwords[k.Suffix(n)]
		kit := func(s Settings) Settings { return KitSettings(s, label, pw) }
		for _, a := range p.Actions {
			if slices.Contains(shared, a.ID) {
				continue
			}
			ka := a
			ka.ID = KitActionID(a.ID, sfx)
			ka.DependsOn = nil
			for _, d := range a.DependsOn {
				if !slices.Contains(shared, d) {
					d = KitActionID(d, sfx)
				}
				ka.DependsOn = append(ka.DependsOn, d)
			}
			if want := a.Want; want != nil {
				ka.Want = func(s Settings) Desired { return want(kit(s)) }
			}
			if when := a.When; when != nil {
				ka.When = func(s Settings) bool { return when(kit(s)) }
			}
			actions = append(actions, ka)
		}
	}
	p.Actions = actions
	return p
}

// clientSecretKey is the journal's key of an application's secret: the
// playbook's own application's is "client_secret" (as journals always
// had it), a kit's "client#07/client_secret". Teardown drops a kit's
// secrets with its entry.
func clientSecretKey(actionID string) string {
	if actionID == ActClient {
		return "client_secret"
	}
	return actionID + "/client_secret"
}

// userPasswordKey is the journal's key of a kit's test user's password.
func userPasswordKey(actionID string) string { return actionID + "/password" }

// secret returns a secret the journal keeps ("" when none).
func (j *Journal) secret(key string) string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.doc.Secrets[key]
}

// setSecrets keeps secrets (when the journal reveals them), in one write.
func (j *Journal) setSecrets(kv map[string]string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if !j.reveal || len(kv) == 0 {
		return nil
	}
	if j.doc.Secrets == nil {
		j.doc.Secrets = map[string]string{}
	}
	changed := false
	for k, v := range kv {
		if v != "" && j.doc.Secrets[k] != v {
			j.doc.Secrets[k], changed = v, true
		}
	}
	if !changed {
		return nil
	}
	return j.writeLocked()
}

// KitResult is one attendee's kit after ApplyKits.
type KitResult struct {
	Number       int    `json:"number"`
	Label        string `json:"label"` // attendee-07
	AppName      string `json:"app_name"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"-"`
	UserEmail    string `json:"user_email,omitempty"`
	UserPassword string `json:"-"`
	// Token is its application's test token; UserToken its user's login
	// (azure), Note why that login was not tried.
	Token     TokenCheck  `json:"token"`
	UserToken *TokenCheck `json:"user_token,omitempty"`
	Note      string      `json:"note,omitempty"`
	// Err says why the kit is not complete (nil when it is).
	Err error `json:"-"`
}

// Complete says whether every action of the kit is done and its test
// token(s) verified.
func (k KitResult) Complete() bool {
	return k.Err == nil && k.Token.Verified && (k.UserToken == nil || k.UserToken.Verified)
}

// KitsResult is a class's kits after ApplyKits: what every attendee shares
// and each kit.
type KitsResult struct {
	Playbook    PlaybookID `json:"playbook"`
	Domain      string     `json:"domain"`
	Endpoints   Endpoints  `json:"endpoints"`
	Audience    string     `json:"audience"`
	Connection  string     `json:"connection,omitempty"`
	JournalPath string     `json:"journal"`
	Kits        []KitResult
}

// Complete counts the complete kits.
func (r KitsResult) Complete() int {
	n := 0
	for _, k := range r.Kits {
		if k.Complete() {
			n++
		}
	}
	return n
}

// ValidateKits says why a class of k cannot be made with the settings s
// (nil when it can): what ApplyKits checks before it changes anything, for
// a front end to ask before it offers to make the kits.
func (p Playbook) ValidateKits(s Settings, k Kits) error {
	k = k.withDefaults()
	if err := k.Validate(); err != nil {
		return err
	}
	s = p.WithDefaults(s)
	if err := p.validate(s, true); err != nil {
		return err
	}
	if err := validateName("an application name", 200)(KitSettings(s, k.Label(k.Count), "").AppName); err != nil {
		return fmt.Errorf("the attendees' application names: %w", err)
	}
	return nil
}

// KitsEmailQuestion is the question a class of p asks when p makes a
// test user and the settings give no valid email (need is false
// otherwise): each attendee's user is their name at its domain.
func (p Playbook) KitsEmailQuestion(s Settings) (in Input, need bool) {
	if _, has := p.actionOfKind(KindUser); !has || validateEmail(s.UserEmail) == nil {
		return Input{}, false
	}
	for _, st := range p.Steps {
		for _, in := range st.Inputs {
			if in.Key == "user_email" {
				in.Label = "A test user's email (each attendee's user is their name @ its domain)"
				in.Help = "e.g. trainer@school.example gives attendee-01@school.example, …"
				return in, true
			}
		}
	}
	return Input{}, false
}

// ApplyKits makes a class's kits (KitsPlaybook) in one journal: the
// actions through the engine's apply, at most k.Concurrency at once, then
// each kit's test token(s) (a client credentials token and, for azure, the
// user's login), k.Concurrency kits at once, their events under token#07.
// The attendees' passwords are kept in the journal's secrets before any
// user is made, so that a resumed run (the same journal) logs the same
// users in: a kits journal with a file must be opened with reveal (it is
// 0600). The result has every kit, complete or not; the error says which
// are not.
func (e *Engine) ApplyKits(ctx context.Context, p Playbook, s Settings, k Kits, j *Journal, events chan<- Event) (KitsResult, error) {
	k = k.withDefaults()
	s = p.WithDefaults(s)
	if err := p.ValidateKits(s, k); err != nil {
		return KitsResult{}, err
	}
	if j == nil {
		j, _ = OpenJournal("", true)
	}
	if j.Path() != "" && !j.reveal {
		return KitsResult{}, fmt.Errorf("the kits journal %s keeps each attendee's client secret and password (it is 0600): open it with its secrets", j.Path())
	}
	domain := domainHost(s.Domain)
	if err := j.checkFor(p.ID, domain); err != nil {
		return KitsResult{}, err
	}
	userAct, hasUser := p.actionOfKind(KindUser)
	k.passwords = map[string]string{}
	pwKeys := map[string]string{}
	if hasUser {
		same := j.Playbook() == p.ID && hostname.Same(j.Domain(), domain)
		for n := 1; n <= k.Count; n++ {
			sfx := k.Suffix(n)
			key := userPasswordKey(KitActionID(userAct.ID, sfx))
			pw := ""
			if same {
				pw = j.secret(key)
			}
			if pw == "" {
				pw = GeneratePassword()
			}
			k.passwords[sfx], pwKeys[key] = pw, pw
		}
	}
	kp := KitsPlaybook(p, k)
	if err := j.begin(kp, domain, s); err != nil {
		return KitsResult{}, err
	}
	if err := j.setSecrets(pwKeys); err != nil {
		return KitsResult{}, err
	}

	r, _, applyErr := e.apply(ctx, kp, s, Plan{}, j, events, applyOptions{maxActions: k.Concurrency})
	res := KitsResult{Playbook: p.ID, Domain: domain, Audience: p.want(KindResourceServer, s).ResourceServer.Identifier,
		JournalPath: j.Path()}
	if p.Has(KindConnection) {
		res.Connection = p.want(KindConnection, s).Connection.Name
	}
	if r == nil {
		return res, applyErr // nothing ran: the plan or the check failed
	}
	res.Endpoints = r.plan.Endpoints

	// What the shared actions came to concerns every kit.
	var sharedErrs []error
	for _, a := range r.plan.Actions {
		if _, _, ok := splitKitID(a.ID); !ok {
			if o := r.out[a.ID]; o.err != nil && !errors.Is(o.err, errNotStarted) {
				sharedErrs = append(sharedErrs, o.err)
			}
		}
	}
	clientAct, hasClient := p.actionOfKind(KindClient)
	wappAct, hasWApp := p.actionOfKind(KindWSO2Application)
	type kitRun struct {
		app  App
		wapp *resource
		user *User
	}
	runs := make([]kitRun, k.Count)
	for n := 1; n <= k.Count; n++ {
		sfx := k.Suffix(n)
		kit := KitResult{Number: n, Label: k.Label(n), AppName: KitSettings(s, k.Label(n), "").AppName}
		var errs []error
		notStarted := false
		for _, a := range r.plan.Actions {
			if _, got, ok := splitKitID(a.ID); !ok || got != sfx {
				continue
			}
			switch o := r.out[a.ID]; {
			case o.err == nil:
			case errors.Is(o.err, errNotStarted):
				notStarted = true
			default:
				errs = append(errs, fmt.Errorf("%s: %w", a.ID, o.err))
			}
		}
		if notStarted && len(errs) == 0 {
			errs = append(errs, sharedErrs...)
			if len(errs) == 0 {
				errs = append(errs, errors.New("not finished: the run stopped before every action of the kit was done"))
			}
		}
		kit.Err = errors.Join(errs...)
		var kr kitRun
		if hasClient {
			if o := r.out[KitActionID(clientAct.ID, sfx)]; o != nil && o.err == nil {
				kr.app = o.res.app
			}
		}
		if hasWApp {
			if o := r.out[KitActionID(wappAct.ID, sfx)]; o != nil && o.err == nil {
				kr.app = App{ClientID: o.res.keys.ConsumerKey, ClientSecret: o.res.keys.ConsumerSecret, GrantTypes: o.res.keys.SupportedGrantTypes}
				w := o.res
				kr.wapp = &w
			}
		}
		kit.ClientID, kit.ClientSecret = kr.app.ClientID, kr.app.ClientSecret
		if hasUser {
			u := r.want[KitActionID(userAct.ID, sfx)].User
			kr.user = &u
			kit.UserEmail, kit.UserPassword = u.Email, u.Password
		}
		runs[n-1] = kr
		res.Kits = append(res.Kits, kit)
	}

	// The test tokens, a bounded number of kits at once.
	slots := make(chan struct{}, k.Concurrency)
	var wg sync.WaitGroup
	for i := range res.Kits {
		kit, kr := &res.Kits[i], runs[i]
		if kit.Err != nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case slots <- struct{}{}:
				defer func() { <-slots }()
			case <-ctx.Done():
				kit.Err = fmt.Errorf("its test token was not tried: %w", ctx.Err())
				return
			}
			if ctx.Err() != nil {
				kit.Err = fmt.Errorf("its test token was not tried: %w", ctx.Err())
				return
			}
			t := r.testTokens(ctx, KitActionID(TokenAction, k.Suffix(kit.Number)), kr.app, res.Audience, kr.user, kr.wapp)
			kit.Token, kit.UserToken, kit.Note, kit.Err = t.token, t.user, t.note, t.err
		}()
	}
	wg.Wait()

	var broken []string
	for _, kit := range res.Kits {
		if !kit.Complete() {
			broken = append(broken, kit.Label)
		}
	}
	if len(broken) == 0 && applyErr == nil {
		return res, nil
	}
	var errs []error
	if len(broken) > 0 {
		errs = append(errs, fmt.Errorf("%d of %d kits are not complete (%s); running again with the journal %s finishes them",
			len(broken), len(res.Kits), strings.Join(broken, ", "), orMemory(j.Path())))
	}
	for _, kit := range res.Kits {
		if kit.Err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", kit.Label, kit.Err))
		}
	}
	if ctx.Err() != nil {
		errs = append(errs, ctx.Err())
	}
	return res, errors.Join(errs...)
}

// JournalKit is one kit as a kits journal records it.
type JournalKit struct {
	Suffix       string // 07
	Label        string // attendee-07, from the user's email or the application's name
	AppName      string
	ClientID     string // "" when its application is not recorded as made
	ClientSecret string // when the journal keeps it
	UserEmail    string
	UserPassword string
}

// JournalKits are the kits a journal records, in the order of their
// numbers (none for the journal of a single run).
func JournalKits(j *Journal) []JournalKit {
	by := map[string]*JournalKit{}
	for _, en := range j.entries() {
		_, sfx, ok := splitKitID(en.ActionID)
		if !ok {
			continue
		}
		kit := by[sfx]
		if kit == nil {
			kit = &JournalKit{Suffix: sfx}
			by[sfx] = kit
		}
		switch en.Kind {
		case KindClient:
			kit.AppName = en.Lookup["name"]
			if en.Action != journalPending {
				kit.ClientID = en.ID
			}
			kit.ClientSecret = j.secret(clientSecretKey(en.ActionID))
		case KindUser:
			kit.UserEmail = en.Lookup["email"]
			kit.UserPassword = j.secret(userPasswordKey(en.ActionID))
		}
	}
	out := make([]JournalKit, 0, len(by))
	for _, kit := range by {
		switch {
		case kit.UserEmail != "":
			kit.Label = kit.UserEmail[:strings.LastIndex(kit.UserEmail, "@")]
		case strings.HasSuffix(kit.AppName, ")") && strings.LastIndex(kit.AppName, " (") > 0:
			kit.Label = kit.AppName[strings.LastIndex(kit.AppName, " (")+2 : len(kit.AppName)-1]
		default:
			kit.Label = "kit " + kit.Suffix
		}
		out = append(out, *kit)
	}
	sort.Slice(out, func(a, b int) bool {
		x, _ := strconv.Atoi(out[a].Suffix)
		y, _ := strconv.Atoi(out[b].Suffix)
		return x < y
	})
	return out
}

// KitCheck is the doctor's verdict on one kit.
type KitCheck struct {
	Kit     JournalKit    `json:"-"`
	Label   string        `json:"label"`
	App     string        `json:"app_name"`
	Client  string        `json:"client_id"`
	Checks  []CheckResult `json:"checks"`
	Problem string        `json:"problem,omitempty"` // why the kit could not be checked at all
}

// Broken says whether a check of the kit failed, or it could not be
// checked.
func (c KitCheck) Broken() bool { return c.Problem != "" || DoctorFailed(c.Checks) }

// DoctorKits checks every kit the journal records with the engine's
// Doctor, each with its own application (client id and secret from the
// journal) and test user, concurrency kits at once (0: the default), and
// returns one verdict a kit, in their order; each is sent on progress
// (when not nil) as soon as it is known. It changes nothing.
func (e *Engine) DoctorKits(ctx context.Context, p Playbook, s Settings, j *Journal, concurrency int, progress chan<- KitCheck) []KitCheck {
	if concurrency <= 0 {
		concurrency = DefaultKitsConcurrency
	}
	kits := JournalKits(j)
	out := make([]KitCheck, len(kits))
	slots := make(chan struct{}, concurrency)
	var wg sync.WaitGroup
	for i, kit := range kits {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := KitCheck{Kit: kit, Label: kit.Label, App: kit.AppName, Client: kit.ClientID}
			defer func() {
				out[i] = c
				if progress != nil {
					select {
					case progress <- c:
					case <-ctx.Done():
					}
				}
			}()
			if kit.ClientID == "" {
				c.Problem = "the journal records no application made for this kit: run kits again with this journal to finish it"
				return
			}
			select {
			case slots <- struct{}{}:
				defer func() { <-slots }()
			case <-ctx.Done():
				c.Problem = "not checked: " + ctx.Err().Error()
				return
			}
			ks := s
			ks.AppName, ks.UserEmail, ks.UserPassword = kit.AppName, kit.UserEmail, kit.UserPassword
			c.Checks = e.Doctor(ctx, p, ks, DoctorOptions{AppClientID: kit.ClientID, AppClientSecret: kit.ClientSecret, Journal: j})
		}()
	}
	wg.Wait()
	return out
}

// ShellQuote quotes s for a POSIX shell when it needs it (the handouts'
// commands).
func ShellQuote(s string) string { return shellQuote(s) }

// DefaultKitsJournalPath is a kits run's journal when none is given: not
// the playbook's single-run journal (DefaultJournalPath), which it must not
// mix with.
func DefaultKitsJournalPath(id PlaybookID) string {
	return "auth0-wizard-" + string(id) + "-kits.journal.json"
}

// KitsTotal is how many actions a kits run finishes: every action of the
// class's playbook, and each kit's test token.
func KitsTotal(p Playbook, s Settings, k Kits) int {
	return len(KitsPlaybook(p, k).ActionsFor(p.WithDefaults(s))) + k.Count
}

// KitOf says which kit an action of a kits run (or its test token) is
// for: its suffix (07), ok false for a shared action.
func KitOf(actionID string) (suffix string, ok bool) {
	_, suffix, ok = splitKitID(actionID)
	return suffix, ok
}

// KitsStatus is a kits run's progress as the `kits` command and the
// wizard's class screen show it: finished/total (and the failed), the
// Management API requests a second so far (sent < 0: not counted) and the
// time left, estimated from the pace so far.
func KitsStatus(finished, failed, total int, elapsed time.Duration, sent int64) string {
	left := "estimating"
	switch {
	case finished >= total:
		left = "done"
	case finished > 0 && elapsed > 0:
		eta := time.Duration(float64(elapsed) / float64(finished) * float64(total-finished))
		left = "about " + eta.Round(time.Second).String() + " left"
	}
	out := fmt.Sprintf("%d/%d", finished, total)
	if failed > 0 {
		out += fmt.Sprintf(", %d failed", failed)
	}
	if sent >= 0 {
		rate := 0.0
		if elapsed > 0 {
			rate = float64(sent) / elapsed.Seconds()
		}
		out += fmt.Sprintf(" · %.1f req/s", rate)
	}
	return out + " · " + left
}
