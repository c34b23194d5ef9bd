package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/auth0-wizard/auth0-wizard/auth0client"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// maxTokenInput bounds what `token decode` reads from stdin.
const maxTokenInput = 64 << 10

func newTokenCmd(g *globalFlags, ios streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Decode and verify tokens",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newTokenDecodeCmd(g, ios))
	return cmd
}

func newTokenDecodeCmd(g *globalFlags, ios streams) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "decode [TOKEN|-]",
		Short: "Show a token's header and claims, when it expires, and whether the tenant signed it",
		Long: `decode shows a JWT's header and claims, says in plain words when it expires,
and checks its signature against the tenant's published keys (JWKS): the tenant
named by the token's issuer (iss), or --domain to check it against a tenant of
your choosing. When the keys cannot be read, it says so and still decodes.

The token is read from stdin with "-", or when no TOKEN is given and stdin is
not a terminal; that keeps it out of the shell history and the process list.
The token itself is never printed back unless --reveal-secrets is given.

Exit status: 0 when the token decodes (and its signature verifies, when it
could be checked), 1 when it is not a JWT or its signature does not verify.`,
		Example: `  pbpaste | auth0-wizard token decode
  auth0-wizard token decode - < token.txt
  auth0-wizard token decode --domain 127.0.0.1:8443 --ca-file sandbox-ca.pem -`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if output != "text" && output != "json" {
				return usagef("--output must be text or json, not %q", output)
			}
			return runTokenDecode(cmd.Context(), g, ios, args, output)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	return cmd
}

// readTokenInput takes the token from the argument, or from stdin for "-"
// or when no argument is given and stdin is not a terminal.
func readTokenInput(ios streams, args []string) (string, error) {
	if len(args) == 1 && args[0] != "-" {
		return args[0], nil
	}
	if len(args) == 0 {
		if f, ok := ios.in.(*os.File); ok && term.IsTerminal(f.Fd()) {
			return "", usagef("give the token: `auth0-wizard token decode -` and paste it, or pipe it in")
		}
	}
	b, err := io.ReadAll(io.LimitReader(ios.in, maxTokenInput+1))
	if err != nil {
		return "", fmt.Errorf("read the token from stdin: %w", err)
	}
	if len(b) > maxTokenInput {
		return "", fmt.Errorf("read the token from stdin: more than %d KiB, too long for a token", maxTokenInput>>10)
	}
	return string(b), nil
}

// tokenSignature is what `token decode` found about the signature.
type tokenSignature struct {
	Checked  bool   `json:"checked"`
	Verified bool   `json:"verified"`
	JWKSURI  string `json:"jwks_uri,omitempty"`
	Detail   string `json:"detail"`
}

// tokenReport is the JSON document of `token decode --output json`.
type tokenReport struct {
	Header    map[string]any `json:"header"`
	Claims    map[string]any `json:"claims"`
	ExpiresAt *time.Time     `json:"expires_at"`
	Expiry    string         `json:"expiry"`
	Signature tokenSignature `json:"signature"`
	Token     string         `json:"token,omitempty"` // only with --reveal-secrets
}

func runTokenDecode(ctx context.Context, g *globalFlags, ios streams, args []string, output string) error {
	if g.sandbox {
		return usagef("token decode reads the tenant from the token (or --domain): --sandbox has no use here")
	}
	raw, err := readTokenInput(ios, args)
	if err != nil {
		return err
	}
	d, err := auth0client.DecodeToken(raw)
	if err != nil {
		return err
	}
	rep := tokenReport{Header: d.Header, Claims: d.Claims, Expiry: steps.Expiry(d.Expires, time.Now())}
	if !d.Expires.IsZero() {
		exp := d.Expires.UTC()
		rep.ExpiresAt = &exp
	}
	rep.Signature = checkTokenSignature(ctx, g, ios, raw, d)
	if g.revealSecrets {
		rep.Token = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(raw), "Bearer "))
	}

	if output == "json" {
		data, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return fmt.Errorf("encode token report: %w", err)
		}
		if _, err := ios.out.Write(append(data, '\n')); err != nil {
			return err
		}
	} else {
		printTokenReport(ios, rep)
	}
	if rep.Signature.Checked && !rep.Signature.Verified {
		return errors.New("the token's signature does not verify: " + rep.Signature.Detail)
	}
	return nil
}

// checkTokenSignature verifies the signature against the JWKS of --domain,
// else of the token's issuer, else of AUTH0_DOMAIN or the config file's
// domain; it says plainly when it could not.
func checkTokenSignature(ctx context.Context, g *globalFlags, ios streams, raw string, d auth0client.DecodedToken) tokenSignature {
	rc, cleanup, err := resolve(ctx, g, ios)
	if err != nil {
		return tokenSignature{Detail: "not checked: " + err.Error()}
	}
	defer cleanup()
	domain := first(g.domain, d.Issuer, rc.Settings.Domain)
	if domain == "" {
		return tokenSignature{Detail: "not checked: the token names no issuer (iss); give --domain to check it against a tenant's keys"}
	}
	c, err := auth0client.New(auth0client.Config{Domain: domain, CAPEM: rc.caPEM, Trace: rc.trace})
	if err != nil {
		return tokenSignature{Detail: fmt.Sprintf("not checked: %q is not a tenant this tool will contact (%v); give --domain", domain, err)}
	}
	sc, err := c.VerifySignature(ctx, raw)
	if err != nil {
		return tokenSignature{JWKSURI: sc.JWKSURI, Detail: "not checked: the tenant's keys could not be read: " + err.Error()}
	}
	out := tokenSignature{Checked: true, Verified: sc.Verified, JWKSURI: sc.JWKSURI, Detail: sc.Reason}
	if sc.Verified {
		out.Detail = fmt.Sprintf("verified against %s (%s, kid %q)", sc.JWKSURI, sc.Alg, sc.Kid)
		if d.Issuer != "" && d.Issuer != c.Issuer() {
			out.Detail += fmt.Sprintf("; note: the token's issuer is %q, not this tenant's %q", d.Issuer, c.Issuer())
		}
	}
	return out
}

func printTokenReport(ios streams, rep tokenReport) {
	w := tabwriter.NewWriter(ios.out, 0, 4, 2, ' ', 0)
	defer w.Flush()
	printClaimMap(w, "header", rep.Header)
	printClaimMap(w, "claims", rep.Claims)
	expiry := rep.Expiry
	if rep.ExpiresAt != nil {
		expiry += " (" + rep.ExpiresAt.Format(time.RFC3339) + ")"
	}
	fmt.Fprintf(w, "\nexpiry\t%s\n", expiry)
	sig := "✗ " + rep.Signature.Detail
	switch {
	case rep.Signature.Verified:
		sig = "✓ " + rep.Signature.Detail
	case !rep.Signature.Checked:
		sig = "? " + rep.Signature.Detail
	}
	fmt.Fprintf(w, "signature\t%s\n", sig)
	if rep.Token != "" {
		fmt.Fprintf(w, "token\t%s\n", rep.Token)
	} else {
		fmt.Fprintf(w, "token\tnot shown (--reveal-secrets shows it)\n")
	}
}

func printClaimMap(w io.Writer, title string, m map[string]any) {
	fmt.Fprintln(w, title)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "  %s\t%s\n", k, claimValue(k, m[k]))
	}
}

// claimValue shows a claim as a person reads it: times as dates too, lists
// and objects as JSON.
func claimValue(name string, v any) string {
	switch v.(type) {
	case string, float64, bool, nil:
		return claimText(name, v)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
