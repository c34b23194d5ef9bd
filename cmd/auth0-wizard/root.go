package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
	exitAbort   = 130
)

// usageError marks an error as a usage mistake (exit 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// openJournal opens a journal (steps.OpenJournal). A file that cannot be
// read, or is not a journal this version reads, is unreadable input: a
// usage error (exit 2), whatever the command, its message naming the file
// and what to do.
func openJournal(path string, reveal bool) (*steps.Journal, error) {
	j, err := steps.OpenJournal(path, reveal)
	if err != nil {
		return nil, usageError{err}
	}
	return j, nil
}

// errAborted is returned when the person quit; it maps to exit 130.
var errAborted = errors.New("aborted")

// globalFlags are the settings flags every command shares.
type globalFlags struct {
	domain           string
	clientID         string
	clientSecretFile string
	audience         string
	configFile       string
	caFile           string
	playbook         string
	sandbox          bool
	journal          string
	revealSecrets    bool
	trace            string
	accessible       bool
	userPasswordFile string
	wso2             wso2Flags // WSO2 API Manager's (wso2.go)
}

// addGlobalFlags registers the settings flags every command shares on the
// root's persistent flags.
func addGlobalFlags(pf *pflag.FlagSet, g *globalFlags) {
	pf.StringVar(&g.domain, "domain", "", "tenant domain, e.g. my-tenant.us.auth0.com (env AUTH0_DOMAIN)")
	pf.StringVar(&g.clientID, "client-id", "", "client ID of the management application (env AUTH0_CLIENT_ID)")
	pf.StringVar(&g.clientSecretFile, "client-secret-file", "", "file holding the management application's secret (else env AUTH0_CLIENT_SECRET or a masked prompt)")
	pf.StringVar(&g.audience, "audience", "", "Management API audience (env AUTH0_AUDIENCE; default https://DOMAIN/api/v2/)")
	pf.StringVar(&g.configFile, "config", "", "YAML config file with settings (flags and env win over it)")
	pf.StringVar(&g.caFile, "ca-file", "", "PEM file of an extra CA to trust (the sandbox's)")
	pf.StringVar(&g.playbook, "playbook", "", "playbook: wso2 or azure")
	pf.BoolVar(&g.sandbox, "sandbox", false, "run against a built-in in-process sandbox tenant (no account, no network)")
	pf.StringVar(&g.journal, "journal", "", "journal file (default auth0-wizard-<playbook>.journal.json)")
	pf.BoolVar(&g.revealSecrets, "reveal-secrets", false, "show secrets in output and keep them in the journal")
	pf.StringVar(&g.trace, "trace", "", "write a redacted trace of every HTTP exchange with Auth0 to FILE")
	pf.StringVar(&g.userPasswordFile, "user-password-file", "", "azure: file holding the test user's password (else env AUTH0_WIZARD_USER_PASSWORD or a prompt)")
	pf.BoolVar(&g.accessible, "accessible", false, "line-by-line prompts for screen readers (env ACCESSIBLE=1)")
	addWSO2Flags(pf, &g.wso2)
}

// run runs the command line with the binary's factory and returns the exit
// status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runWith(ctx, newFactory(stdin, stdout, stderr), args)
}

// runWith runs the command line with f.
func runWith(ctx context.Context, f *Factory, args []string) int {
	root := newRootCmd(f, nil)
	root.SetArgs(args)
	root.SetIn(f.In)
	root.SetOut(f.Out)
	root.SetErr(f.Err)
	err := root.ExecuteContext(ctx)
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errAborted) || errors.Is(err, context.Canceled):
		return exitAbort
	}
	fmt.Fprintln(f.Err, "auth0-wizard:", err)
	var u usageError
	if errors.As(err, &u) {
		return exitUsage
	}
	return exitFailure
}

// WizardOptions are the bare command's: the interactive wizard.
type WizardOptions struct {
	Global globalFlags
}

// newRootCmd is the root command, the wizard; runF replaces runWizard when
// not nil.
func newRootCmd(f *Factory, runF func(context.Context, *Factory, *WizardOptions) error) *cobra.Command {
	g := &globalFlags{}
	if runF == nil {
		runF = runWizard
	}
	root := &cobra.Command{
		Use:   "auth0-wizard",
		Short: "Set Auth0 up as the OAuth 2.0 authorization server behind an API gateway",
		Long: `auth0-wizard walks you through setting Auth0 up as the OAuth 2.0 authorization
server behind WSO2 API Manager or Azure API Management, one screen per step of
the published guides, and ends with the tenant's endpoints, the keys it made,
a verified test token and exports for the gateway.

Run it without a command for the interactive wizard; --sandbox runs it against
a built-in sandbox tenant (no Auth0 account, no network).`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runF(cmd.Context(), f, &WizardOptions{Global: *g})
		},
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	addGlobalFlags(root.PersistentFlags(), g)
	root.AddCommand(newSandboxCmd(f, nil), newApplyCmd(f, g, nil), newTeardownCmd(f, g, nil), newDoctorCmd(f, g, nil), newTokenCmd(f, g, nil),
		newKitsCmd(f, g, nil))
	return root
}
