package steps

// StepKind says which kind of screen renders a step. The UI has one screen
// model per kind.
type StepKind string

// The kinds of step.
const (
	StepTenant         StepKind = "tenant"          // domain; discovery runs on leaving it
	StepManagement     StepKind = "management"      // client id/secret/audience; token + scope check
	StepAPIM           StepKind = "apim"            // wso2: the API Manager's URL and, optionally, its admin credentials
	StepKeyManager     StepKind = "key_manager"     // wso2: the admin portal form, read-only values
	StepResourceServer StepKind = "resource_server" // wso2 resource server / azure API
	StepApplication    StepKind = "application"     // the application client and its grant
	StepConnection     StepKind = "connection"      // azure
	StepUser           StepKind = "user"            // azure
	StepSummary        StepKind = "summary"
)

// Playbook is one published guide as data: ordered steps, each explained and
// with its inputs. The UI renders it and must not restate it.
type Playbook struct {
	ID      PlaybookID
	Title   string
	Summary string // one line on what it does
	Steps   []Step
	// Actions are what the playbook makes or reuses in the tenant, as data.
	Actions []ActionSpec
	// Expand adds the actions the settings name one by one (a grant for each
	// application to authorize); nil for none.
	Expand         func(Settings) []ActionSpec
	RequiredScopes []string // management API scopes the playbook needs
	// Defaults fills, in settings the playbook runs with, the values no
	// screen asks for (grant types, the application type); nil for none.
	Defaults func(*Settings)
	// Gateway is what the run hands over to the gateway, as data.
	Gateway Gateway
}

// Gateway is a playbook's gateway side: the form a person fills in the
// gateway's own portal, the exports that make sense after the playbook, and
// what else its summary shows. Front ends render it and never ask which
// playbook they are showing.
type Gateway struct {
	// Title names the gateway's form, e.g. "WSO2 admin portal: Add Key
	// Manager (type Auth0)".
	Title string
	// Requester names what asks the tenant for tokens ("WSO2's connector"),
	// in the doctor's explanations of a missing scope.
	Requester string
	// Checks are the doctor's checks of the gateway's own side (check ids),
	// listed after the tenant's.
	Checks []string
	// Fields returns the form's values for a finished (or planned) run; a
	// secret is masked unless reveal.
	Fields func(r Result, s Settings, reveal bool) []Field
	// Exports are the export formats offered after the playbook, in menu
	// order.
	Exports []string
	// ShowsUser says the summary shows the test user the playbook made.
	ShowsUser bool
}

// Step is one documented step of a guide.
type Step struct {
	ID      string
	Kind    StepKind
	Title   string
	Explain string // the explanation text, from assets
	Inputs  []Input
	Actions []ResourceKind // the actions it implies
}

// Input is one value a step asks for.
type Input struct {
	Key     string // stable id, e.g. "api_identifier"
	Label   string
	Help    string
	Secret  bool
	Options []string // a choice among these, when non-empty
	// Field points at the Settings field this input edits.
	Field func(*Settings) *string
	// Default computes the default from the settings given so far ("" for none).
	Default func(Settings) string
	// Validate checks a value; nil means anything goes.
	Validate func(string) error
	// When, if set, says whether the input is asked with these settings (an
	// input of the wizard's own application is not, when WSO2 makes it).
	When func(Settings) bool
}

// Action is one planned change or reuse in the tenant.
type Action struct {
	ID         string       `json:"id"` // unique in the plan, e.g. "client_grant"
	Kind       ResourceKind `json:"kind"`
	Name       string       `json:"name"`
	Verb       Verb         `json:"verb"`
	ExistingID string       `json:"existing_id,omitempty"`
	Changes    []string     `json:"changes,omitempty"` // for Update: what differs
	// Found says what a reused or updated resource really is (its name,
	// signing algorithm, password policy); Warnings how it differs from
	// what was asked. Both are for the review.
	Found     string   `json:"found,omitempty"`
	Warnings  []string `json:"warnings,omitempty"`
	DependsOn []string `json:"depends_on,omitempty"`
}

// Plan is what Plan found: each action as create, reuse or update.
type Plan struct {
	Playbook  PlaybookID `json:"playbook"`
	Domain    string     `json:"domain"`
	Endpoints Endpoints  `json:"endpoints"`
	Actions   []Action   `json:"actions"`

	state *planState // what Plan read, for Apply; nil in a plan not made by Plan
}

// Resource is a resource the run created, reused or updated.
type Resource struct {
	Kind   ResourceKind `json:"kind"`
	ID     string       `json:"id"`
	Name   string       `json:"name"`
	Action string       `json:"action"` // created, reused, updated
}

// Result is what a completed Apply hands to the summary and the exports.
type Result struct {
	Playbook     PlaybookID `json:"playbook"`
	Domain       string     `json:"domain"`
	Endpoints    Endpoints  `json:"endpoints"`
	Resources    []Resource `json:"resources"`
	ClientID     string     `json:"client_id"`
	ClientSecret string     `json:"-"`
	// APISigningAlg and APISigningSecret are the API's, as the tenant holds
	// it (a reused API keeps its own): an HS256 API's tokens are checked
	// with that secret (Azure's issuer-signing-keys).
	APISigningAlg    string      `json:"-"`
	APISigningSecret string      `json:"-"`
	Audience         string      `json:"audience"` // the API identifier the test token is for
	Token            TokenCheck  `json:"token"`
	UserToken        *TokenCheck `json:"user_token,omitempty"`
	// UserTokenNote says why the user token was not attempted (azure: the
	// application does not allow the password-realm grant), when it was not.
	UserTokenNote string `json:"user_token_note,omitempty"`
	// WSO2 is what the run did on WSO2 API Manager's side, when it had its
	// credentials.
	WSO2        *WSO2Result `json:"wso2,omitempty"`
	JournalPath string      `json:"journal"`
}
