package main

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/auth0-wizard/auth0-wizard/internal/hostname"
	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
	"github.com/auth0-wizard/auth0-wizard/wso2client"
	"github.com/auth0-wizard/auth0-wizard/wso2sandbox"
)

// envWSO2AdminPassword is the WSO2 admin's password. With it (or
// --wso2-admin-password-file) the wso2 playbook registers the key manager
// and generates keys through WSO2 API Manager's REST APIs.
const envWSO2AdminPassword = "WSO2_ADMIN_PASSWORD"

// wso2Flags are the flags of WSO2 API Manager's side that are not playbook
// inputs (--apim-url, --wso2-admin-user and --wso2-app-name are: see
// inputFlags). The password is never a flag value.
type wso2Flags struct {
	passwordFile     string
	tokenURL         string
	authorizeClients []string
}

func addWSO2Flags(pf *pflag.FlagSet, w *wso2Flags) {
	pf.StringVar(&w.passwordFile, "wso2-admin-password-file", "", "wso2: file holding the WSO2 admin's password (else env "+envWSO2AdminPassword+"); with it the key manager is registered and keys are generated through WSO2")
	pf.StringVar(&w.tokenURL, "wso2-token-url", "", "wso2: WSO2's token endpoint for the admin's password grant (default APIM-URL/oauth2/token; e.g. the gateway's https://HOST:8243/token)")
	pf.StringArrayVar(&w.authorizeClients, "authorize-client", nil, "wso2: client ID of an application WSO2's connector made, to authorize for the API (the guide's step 3.3); repeatable")
}

// wso2Config is what a run needs to reach WSO2 API Manager beyond its
// settings: the token URL, how to build the client, and the in-process
// stand-in of --sandbox.
type wso2Config struct {
	tokenURL  string
	newClient func(wso2client.Config) (*wso2client.Client, error)
	standIn   *wso2sandbox.Server // non-nil with --sandbox
	// userGiven says the admin user was given (config file): the person
	// means WSO2's side to be done, so a missing password is asked for.
	userGiven bool
}

// resolveWSO2 reads WSO2's inputs that are not playbook inputs: the admin's
// password (a file, else the environment; the prompt comes later, when one
// is needed), the token URL and the applications to authorize. (With
// --sandbox, startSandboxes starts the WSO2 stand-in beside the sandbox
// tenant and takes its URL and admin credentials.)
func resolveWSO2(f *Factory, g globalFlags, cf configFile, rc *runConfig, s *steps.Settings) error {
	w := g.wso2
	rc.wso2 = wso2Config{tokenURL: first(w.tokenURL, cf.WSO2TokenURL), newClient: f.NewWSO2Client, userGiven: s.WSO2AdminUser != ""}
	switch {
	case w.passwordFile != "":
		pw, err := readSecretFile(w.passwordFile, "WSO2 admin password")
		if err != nil {
			return err
		}
		s.WSO2AdminPassword = pw
	default:
		if v, _ := f.LookupEnv(envWSO2AdminPassword); v != "" {
			s.WSO2AdminPassword = v
		}
	}
	if len(w.authorizeClients) > 0 {
		s.AuthorizeClients = nil
		for _, id := range w.authorizeClients {
			id = strings.TrimSpace(id)
			if id == "" || strings.ContainsAny(id, " \t\r\n") {
				return usagef("--authorize-client %q is not a client ID: give the client ID of an application WSO2's connector made (Applications → <user><app>_PRODUCTION)", id)
			}
			s.AuthorizeClients = append(s.AuthorizeClients, id)
		}
	}
	return nil
}

// certIssuer is (*sandbox.Server).IssueCertificate: a server certificate
// signed by the sandbox tenant's CA.
type certIssuer interface {
	IssueCertificate(hosts ...string) (tls.Certificate, error)
}

// startStandIn starts a WSO2 stand-in whose connector talks to the sandbox
// tenant sb. Its certificate is signed by the sandbox's CA when the sandbox
// can issue one, so that the sandbox's CA file trusts both; otherwise the
// stand-in makes its own CA, returned as extraCA: trusting both then takes
// the two CAs in one file (see caBundle).
func startStandIn(f *Factory, sb *sandbox.Server, opts wso2sandbox.Options) (srv *wso2sandbox.Server, extraCA []byte, err error) {
	opts.Auth0Client = sb.Client()
	if is, ok := any(sb).(certIssuer); ok && len(sb.CAPEM) > 0 {
		cert, err := is.IssueCertificate("127.0.0.1", "localhost")
		if err != nil {
			return nil, nil, fmt.Errorf("sign the WSO2 stand-in's certificate with the sandbox's CA: %w", err)
		}
		opts.Certificate, opts.CAPEM = &cert, sb.CAPEM
	}
	srv, err = f.StartWSO2(opts)
	if err != nil {
		return nil, nil, fmt.Errorf("start the WSO2 stand-in: %w", err)
	}
	if !bytes.Equal(srv.CAPEM, sb.CAPEM) {
		extraCA = srv.CAPEM
	}
	return srv, extraCA, nil
}

// caBundle writes the PEM of every CA to trust for the sandbox and the WSO2
// stand-in into one file, when the sandbox's own CA file does not already
// trust both; it returns the file and a function removing it.
func caBundle(sb *sandbox.Server, extraCA []byte) (string, func(), error) {
	if len(extraCA) == 0 {
		return sb.CAFile, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "auth0-wizard-sandbox-ca-")
	if err != nil {
		return "", nil, fmt.Errorf("make a folder for the CA file: %w", err)
	}
	path := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(path, append(append([]byte{}, sb.CAPEM...), extraCA...), 0o644); err != nil {
		_ = os.RemoveAll(dir)
		return "", nil, fmt.Errorf("write the CA file: %w", err)
	}
	return path, func() { _ = os.RemoveAll(dir) }, nil
}

// wso2Client builds the WSO2 API Manager client for the settings, trusting
// the run's CAs (--ca-file, the sandbox's), or nil when the settings carry
// no admin password: WSO2's side is then left to be done by hand.
func (rc *runConfig) wso2Client(s steps.Settings) (steps.WSO2Client, error) {
	if s.WSO2AdminPassword == "" {
		return nil, nil
	}
	url := first(s.APIMURL, steps.DefaultAPIMURL)
	c, err := rc.wso2.newClient(wso2client.Config{
		URL: url, TokenURL: rc.wso2.tokenURL, Username: first(s.WSO2AdminUser, "admin"), Password: s.WSO2AdminPassword,
		CAPEM: rc.caPEM, Trace: rc.trace,
	})
	if err != nil {
		return nil, usageError{fmt.Errorf("WSO2 API Manager at %s: %w", url, err)}
	}
	return c, nil
}

// withWSO2 gives the engine the WSO2 client when the settings have the
// admin's password.
func (rc *runConfig) withWSO2(e *steps.Engine, s steps.Settings) (*steps.Engine, error) {
	w, err := rc.wso2Client(s)
	if err != nil || w == nil {
		return e, err
	}
	return e.WithWSO2(w), nil
}

// checkStandInInputs refuses, with --sandbox, an API Manager URL or admin
// user other than the in-process stand-in's: the run would reach another
// WSO2 than the one it started.
func checkStandInInputs(rc *runConfig, given map[string]string) error {
	w := rc.wso2.standIn
	if w == nil {
		return nil
	}
	if v, ok := given["apim_url"]; ok && v != w.URL {
		return usagef("--sandbox starts its own WSO2 stand-in at %s: drop --apim-url", w.URL)
	}
	if v, ok := given["wso2_admin_user"]; ok && v != w.AdminUser {
		return usagef("--sandbox starts its own WSO2 stand-in, whose admin is %s: drop --wso2-admin-user", w.AdminUser)
	}
	return nil
}

// resumeWSO2 fills WSO2's inputs the journal's run used (the API Manager
// URL, the admin user, the developer-portal application) where s leaves
// them empty, as steps.ResumeSettings does for the other inputs: teardown
// must reach the WSO2 the run changed.
func resumeWSO2(s steps.Settings, j *steps.Journal) steps.Settings {
	if j == nil {
		return s
	}
	js, ok := j.Settings()
	if !ok || js.Playbook != s.Playbook || s.Domain != "" && js.Domain != "" && !hostname.Same(js.Domain, s.Domain) {
		return s
	}
	s.APIMURL = first(s.APIMURL, js.APIMURL)
	s.WSO2AdminUser = first(s.WSO2AdminUser, js.WSO2AdminUser)
	s.WSO2AppName = first(s.WSO2AppName, js.WSO2AppName)
	return s
}

// wso2Entries are the journal's entries of WSO2's side this tool made:
// only WSO2 can delete them.
func wso2Entries(j *steps.Journal) []steps.Resource {
	var out []steps.Resource
	for _, r := range j.Resources() {
		if (r.Kind == steps.KindWSO2KeyManager || r.Kind == steps.KindWSO2Application) && r.Action != steps.Reuse.Past() && r.Action != steps.Update.Past() {
			out = append(out, r)
		}
	}
	return out
}

// describeEntries names resources for a person: "WSO2 key manager Auth0 (id)".
func describeEntries(rs []steps.Resource) string {
	var parts []string
	for _, r := range rs {
		p := steps.KindLabel(r.Kind) + " " + steps.Printable(r.Name)
		if r.ID != "" {
			p += " (" + steps.Printable(r.ID) + ")"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ", ")
}

// wso2PasswordAlternatives says how to give the admin password headless.
const wso2PasswordAlternatives = "set " + envWSO2AdminPassword + " or --wso2-admin-password-file"

// askWSO2Password asks for the WSO2 admin's password on a terminal, or says
// how to give it when there is none.
func askWSO2Password(f *Factory, s *steps.Settings, why string) error {
	pw, err := promptSecret(f, "Password of the WSO2 admin "+first(s.WSO2AdminUser, "admin")+" at "+first(s.APIMURL, steps.DefaultAPIMURL),
		wso2PasswordAlternatives+" ("+why+")")
	if err != nil {
		return err
	}
	s.WSO2AdminPassword = pw
	return nil
}

// wso2Failed says why WSO2's side of a finished run did not succeed, "" when
// it did or was not done.
func wso2Failed(r steps.Result) string {
	if r.WSO2 == nil || r.WSO2.Token.Verified {
		return ""
	}
	why := r.WSO2.Token.Reason
	if why == "" {
		why = "it was not verified"
	}
	return "the token WSO2 generated did not verify: " + why
}

// applyWSO2Inputs checks WSO2's inputs of an apply and asks for the admin's
// password when WSO2's side is wanted (the admin user given) and no
// password was; without one, WSO2's side is left to do by hand, and said so.
func applyWSO2Inputs(f *Factory, rc *runConfig, given map[string]string, p steps.Playbook, s *steps.Settings) error {
	if len(s.AuthorizeClients) > 0 && p.ID != steps.WSO2 {
		return usagef("--authorize-client is for the wso2 playbook: it authorizes applications WSO2's connector made")
	}
	if p.ID != steps.WSO2 || s.WSO2AdminPassword != "" {
		return nil
	}
	if _, ok := given["wso2_admin_user"]; ok || rc.wso2.userGiven {
		return askWSO2Password(f, s, "the admin user was given, so WSO2's side is to be done through WSO2")
	}
	fmt.Fprintf(f.Err, "note: WSO2's side (register the key manager, generate keys) is left to do by hand: %s to have it done through WSO2 at %s\n",
		wso2PasswordAlternatives, first(s.APIMURL, steps.DefaultAPIMURL))
	return nil
}

// teardownWSO2Password makes sure a teardown whose journal records what this
// tool made in WSO2 has the admin's password: asked for on a terminal, else
// the teardown deletes the rest and left says which WSO2 entries stay and
// how to delete them ("" when none stay).
func teardownWSO2Password(f *Factory, j *steps.Journal, s *steps.Settings) (left string, err error) {
	entries := wso2Entries(j)
	if len(entries) == 0 || s.WSO2AdminPassword != "" {
		return "", nil
	}
	if isTerminal(f.In) {
		return "", askWSO2Password(f, s, "the journal records what this tool made in WSO2, which only WSO2 can delete")
	}
	left = fmt.Sprintf("%s can only be deleted through WSO2 API Manager at %s: %s and tear down again",
		describeEntries(entries), first(s.APIMURL, steps.DefaultAPIMURL), wso2PasswordAlternatives)
	fmt.Fprintf(f.Err, "warning: no WSO2 admin password: %s\n", left)
	return left, nil
}
