package main

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/term"
	"go.yaml.in/yaml/v3"

	"github.com/auth0-wizard/auth0-wizard/auth0client"
	"github.com/auth0-wizard/auth0-wizard/internal/hostname"
	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
	"github.com/auth0-wizard/auth0-wizard/wso2sandbox"
)

// Environment variables, the names the Auth0 Terraform provider and Deploy CLI use.
const (
	envDomain       = "AUTH0_DOMAIN"
	envClientID     = "AUTH0_CLIENT_ID"
	envClientSecret = "AUTH0_CLIENT_SECRET"
	envAudience     = "AUTH0_AUDIENCE"
	envUserPassword = "AUTH0_WIZARD_USER_PASSWORD"
	envAccessible   = "ACCESSIBLE"   // any value: the wizard's accessible line mode
	envDebugLog     = "WIZARD_DEBUG" // a file for the Bubble Tea program's debug log
	envTmux         = "TMUX"         // set inside tmux: OSC 52 copies may not arrive
	envColumns      = "COLUMNS"      // the terminal's width, when it cannot be asked
	// sandboxUserEmail is the azure test user on the sandbox when none is given.
	sandboxUserEmail = "demo@example.com"
)

// runConfig is what a command needs to reach the tenant, resolved from flags,
// then the environment, then the YAML config file. It is the only place the
// environment is read (resolve): commands read what it resolved.
type runConfig struct {
	Settings    steps.Settings
	JournalPath string
	Sandbox     *sandbox.Server // non-nil with --sandbox
	// tempJournal says JournalPath is the sandbox run's own, in a temporary
	// directory removed at exit with the tenant it records.
	tempJournal bool
	// demoPassword says Settings.UserPassword was made up for a sandbox
	// demo, not given (it logs nobody in).
	demoPassword bool
	// accessible: --accessible or ACCESSIBLE set; debugLog: WIZARD_DEBUG.
	accessible bool
	debugLog   string
	// inTmux: TMUX set; columns: COLUMNS, for accessible mode's wrap.
	inTmux  bool
	columns int

	caFile    string
	caPEM     []byte
	trace     io.Writer
	newClient func(auth0client.Config) (*auth0client.Client, error)
	wso2      wso2Config // WSO2 API Manager's (wso2.go)
}

// configFile is the YAML config file: the settings of steps.Settings plus a
// few run options. Secrets are refused there.
type configFile struct {
	steps.Settings `yaml:",inline"`
	CAFile         string `yaml:"ca_file"`
	Journal        string `yaml:"journal"`
	WSO2TokenURL   string `yaml:"wso2_token_url"`
}

// secretKeys may not appear in a config file.
var secretKeys = []string{"client_secret", "user_password", "password", "wso2_admin_password"}

func loadConfigFile(path string) (configFile, error) {
	var cf configFile
	if path == "" {
		return cf, nil
	}
	data, err := readCapped(path, maxConfigFile)
	if err != nil {
		return cf, usagef("read config file %s: %v", path, err)
	}
	var raw map[string]any
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return cf, usagef("config file %s is not valid YAML: %v", path, err)
	}
	for _, k := range secretKeys {
		if _, ok := raw[k]; ok {
			return cf, usagef("config file %s holds %q: secrets are not read from config files; use the environment (%s, %s), a --*-file flag or the prompt", path, k, envClientSecret, envWSO2AdminPassword)
		}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cf); err != nil && !errors.Is(err, io.EOF) {
		return cf, usagef("config file %s: %v", path, err)
	}
	return cf, nil
}

// maxConfigFile caps what a config file may hold: a few settings, and a
// file much larger (or a device that never ends) was named by mistake.
const maxConfigFile = 1 << 20

// readCapped reads the file at path, refusing one larger than limit bytes
// without reading more than that.
func readCapped(path string, limit int64) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("it holds more than %d KiB: give the YAML file of settings", limit>>10)
	}
	return data, nil
}

// first returns the first non-empty value.
func first(vals ...string) string {
	for _, v := range vals {
		if strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// maxSecretFile caps what a secret file may hold: a secret is a line, and
// a file much larger was named by mistake.
const maxSecretFile = 64 << 10

func readSecretFile(path, what string) (string, error) {
	fh, err := os.Open(path)
	if err != nil {
		return "", usagef("read %s file: %v", what, err)
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, maxSecretFile+1))
	if err != nil {
		return "", usagef("read %s file: %v", what, err)
	}
	if len(data) > maxSecretFile {
		return "", usagef("%s file %s holds more than %d KiB: give the file that holds only the secret", what, path, maxSecretFile>>10)
	}
	s := strings.TrimRight(string(data), "\r\n")
	if s == "" {
		return "", usagef("%s file %s is empty", what, path)
	}
	return s, nil
}

// resolve reads flags, the environment (through f.LookupEnv) and the config
// file; with --sandbox it starts the in-process sandbox tenant and takes its
// domain and management credentials. cleanup stops the sandbox and closes
// the trace file.
func resolve(f *Factory, g globalFlags) (*runConfig, func(), error) {
	rc, start, cleanup, err := resolveDeferred(f, g)
	if err != nil {
		return nil, cleanup, err
	}
	if err := start(); err != nil {
		cleanup()
		return nil, func() {}, err
	}
	return rc, cleanup, nil
}

// resolveDeferred is resolve but for starting the sandbox: with --sandbox,
// start starts it (and the WSO2 stand-in beside it) and fills rc with their
// domain, credentials and CA; without, start does nothing. The wizard runs
// start beside its first screen (wizard.go); until it has returned, rc's
// Settings, Sandbox and CA are not to be read, and cleanup is not to be
// called.
func resolveDeferred(f *Factory, g globalFlags) (rc *runConfig, start func() error, cleanup func(), err error) {
	env := func(name string) string {
		v, _ := f.LookupEnv(name)
		return v
	}
	var closers []func()
	add := func(c func()) { closers = append(closers, c) }
	cleanup = func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	fail := func(err error) (*runConfig, func() error, func(), error) {
		cleanup()
		return nil, nil, func() {}, err
	}

	cf, err := loadConfigFile(g.configFile)
	if err != nil {
		return fail(err)
	}
	s := cf.Settings
	rc = &runConfig{JournalPath: first(g.journal, cf.Journal), caFile: first(g.caFile, cf.CAFile), newClient: f.NewClient,
		accessible: accessibleMode(f, g), debugLog: env(envDebugLog), inTmux: env(envTmux) != "", columns: atoiOr0(env(envColumns))}

	if p := first(g.playbook, string(s.Playbook)); p != "" {
		if _, err := steps.PlaybookByID(steps.PlaybookID(p)); err != nil {
			return fail(usageError{err})
		}
		s.Playbook = steps.PlaybookID(p)
	}

	if g.sandbox {
		if g.domain != "" || g.clientID != "" || g.clientSecretFile != "" {
			return fail(usagef("--sandbox makes its own tenant: drop --domain, --client-id and --client-secret-file"))
		}
		if rc.JournalPath == "" {
			// The in-process tenant lives as long as this process, so its
			// journal is of no use afterwards: keep it out of the working
			// directory, where it would block the next demo run.
			dir, err := os.MkdirTemp("", "auth0-wizard-sandbox-")
			if err != nil {
				return fail(fmt.Errorf("make a journal folder for the sandbox run: %w", err))
			}
			add(func() { _ = os.RemoveAll(dir) })
			rc.JournalPath, rc.tempJournal = filepath.Join(dir, "journal.json"), true
		}
	} else {
		s.Domain = first(g.domain, env(envDomain), s.Domain)
		s.ClientID = first(g.clientID, env(envClientID), s.ClientID)
		s.Audience = first(g.audience, env(envAudience), s.Audience)
		if g.clientSecretFile != "" {
			if s.ClientSecret, err = readSecretFile(g.clientSecretFile, "client secret"); err != nil {
				return fail(err)
			}
		} else {
			s.ClientSecret = env(envClientSecret)
		}
	}
	if s.Domain != "" && !g.sandbox {
		if _, err := hostname.ParseDomain(s.Domain); err != nil {
			return fail(usageError{fmt.Errorf("domain: %w", err)})
		}
	}

	switch {
	case g.userPasswordFile != "":
		if s.UserPassword, err = readSecretFile(g.userPasswordFile, "user password"); err != nil {
			return fail(err)
		}
	case env(envUserPassword) != "":
		s.UserPassword = env(envUserPassword)
	case g.sandbox:
		// A demo on the sandbox needs no typing: a strong random password
		// (shown only with --reveal-secrets).
		s.UserPassword, rc.demoPassword = steps.GeneratePassword(), true
	}
	if err := resolveWSO2(f, g, cf, rc, &s); err != nil {
		return fail(err)
	}
	if g.sandbox && s.UserEmail == "" {
		// and a test user of its own, so that Enter on every screen
		// completes the azure playbook too.
		s.UserEmail = sandboxUserEmail
	}

	if rc.caFile != "" {
		pem, err := os.ReadFile(rc.caFile)
		if err != nil {
			return fail(usagef("read --ca-file: %v", err))
		}
		if !x509.NewCertPool().AppendCertsFromPEM(pem) {
			return fail(usagef("--ca-file %s holds no PEM certificate: give the CA certificate in PEM (-----BEGIN CERTIFICATE-----), e.g. the sandbox's ca_file", rc.caFile))
		}
		rc.caPEM = append(rc.caPEM, pem...)
	}
	if g.trace != "" {
		f, err := os.OpenFile(g.trace, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
		if err != nil {
			return fail(fmt.Errorf("open --trace file: %w", err))
		}
		add(func() { _ = f.Close() })
		rc.trace = f
	}
	rc.Settings = s
	start = func() error { return nil }
	if g.sandbox {
		start = func() error { return startSandboxes(f, rc, add) }
	}
	return rc, start, cleanup, nil
}

// startSandboxes starts the in-process sandbox tenant of --sandbox and the
// WSO2 stand-in beside it, and takes their domain, credentials and CA into
// rc. add registers what cleanup must stop.
func startSandboxes(f *Factory, rc *runConfig, add func(func())) error {
	sb, err := f.StartSandbox(sandbox.Options{})
	if err != nil {
		return fmt.Errorf("start the sandbox tenant: %w", err)
	}
	add(func() { _ = sb.Close() })
	s := &rc.Settings
	s.Domain, s.ClientID, s.ClientSecret, s.Audience = sb.Domain, sb.ClientID, sb.ClientSecret, sb.Audience
	if strings.HasPrefix(sb.BaseURL, "http://") {
		s.Domain = sb.BaseURL
	}
	srv, extraCA, err := startStandIn(f, sb, wso2sandbox.Options{AdminUser: s.WSO2AdminUser, AdminPassword: s.WSO2AdminPassword})
	if err != nil {
		return err
	}
	add(func() { _ = srv.Close() })
	rc.Sandbox, rc.wso2.standIn = sb, srv
	// The sandbox's CA (and the stand-in's, if it has its own), then
	// --ca-file's.
	rc.caPEM = slices.Concat(sb.CAPEM, extraCA, rc.caPEM)
	s.APIMURL, s.WSO2AdminUser, s.WSO2AdminPassword = srv.URL, srv.AdminUser, srv.AdminPassword
	return nil
}

// atoiOr0 is a positive number in v, else 0.
func atoiOr0(v string) int {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// accessibleMode says whether the wizard runs in its accessible line mode:
// --accessible, or ACCESSIBLE set to anything.
func accessibleMode(f *Factory, g globalFlags) bool {
	v, _ := f.LookupEnv(envAccessible)
	return g.accessible || v != ""
}

// givenJournal is the journal named by --journal or the config file, ""
// when none was (the sandbox run's temporary one is not given).
func (rc *runConfig) givenJournal() string {
	if rc.tempJournal {
		return ""
	}
	return rc.JournalPath
}

// newClient builds the tenant client for the given settings, with the CA and
// trace options of the run.
func (rc *runConfig) tenantClient(s steps.Settings) (steps.Client, error) {
	return rc.client(auth0client.Config{
		Domain:       s.Domain,
		ClientID:     s.ClientID,
		ClientSecret: s.ClientSecret,
		Audience:     s.Audience,
	})
}

// client builds a tenant client for cfg with the CA and trace of the run.
func (rc *runConfig) client(cfg auth0client.Config) (*auth0client.Client, error) {
	cfg.CAPEM, cfg.Trace = rc.caPEM, rc.trace
	return rc.newClient(cfg)
}

// promptSecret asks for a secret on the terminal without echo. It refuses
// when stdin is not a terminal, naming the other ways to give it.
func promptSecret(f *Factory, label, alternatives string) (string, error) {
	in, ok := f.In.(*os.File)
	if !ok || !term.IsTerminal(in.Fd()) {
		return "", usagef("%s is required: %s", label, alternatives)
	}
	fmt.Fprintf(f.Err, "%s: ", label)
	b, err := term.ReadPassword(in.Fd())
	fmt.Fprintln(f.Err)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", label, err)
	}
	if len(b) == 0 {
		return "", usagef("%s is required: %s", label, alternatives)
	}
	return string(b), nil
}
