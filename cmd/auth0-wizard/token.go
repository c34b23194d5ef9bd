package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/auth0-wizard/auth0-wizard/auth0client"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// maxTokenInput bounds what `token decode` reads from stdin.
const maxTokenInput = 64 << 10

// TokenDecodeOptions are what `token decode` was asked to do.
type TokenDecodeOptions struct {
	Global globalFlags
	Output string   // text or json
	Args   []string // the token, "-" for stdin, or none
}

// newTokenCmd is `token`; runF replaces runTokenDecode when not nil.
func newTokenCmd(f *Factory, g *globalFlags, runF func(context.Context, *Factory, *TokenDecodeOptions) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Decode and verify tokens",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newTokenDecodeCmd(f, g, runF))
	return cmd
}

func newTokenDecodeCmd(f *Factory, g *globalFlags, runF func(context.Context, *Factory, *TokenDecodeOptions) error) *cobra.Command {
	if runF == nil {
		runF = runTokenDecode
	}
	o := &TokenDecodeOptions{}
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
			o.Global, o.Args = *g, args
			return runF(cmd.Context(), f, o)
		},
	}
	cmd.Flags().StringVarP(&o.Output, "output", "o", "text", "output format: text or json")
	return cmd
}

// readTokenInput takes the token from the argument, or from stdin for "-"
// or when no argument is given and stdin is not a terminal.
func readTokenInput(in io.Reader, args []string) (string, error) {
	if len(args) == 1 && args[0] != "-" {
		return args[0], nil
	}
	if len(args) == 0 && isTerminal(in) {
		return "", usagef("give the token: `auth0-wizard token decode -` and paste it, or pipe it in")
	}
	b, err := io.ReadAll(io.LimitReader(in, maxTokenInput+1))
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

func runTokenDecode(ctx context.Context, f *Factory, o *TokenDecodeOptions) error {
	g := o.Global
	if o.Output != "text" && o.Output != "json" {
		return usagef("--output must be text or json, not %q", o.Output)
	}
	if g.sandbox {
		return usagef("token decode reads the tenant from the token (or --domain): --sandbox has no use here")
	}
	raw, err := readTokenInput(f.In, o.Args)
	if err != nil {
		return err
	}
	d, err := auth0client.DecodeToken(raw)
	if err != nil {
		return err
	}
	rep := tokenReport{Header: d.Header, Claims: d.Claims, Expiry: steps.Expiry(d.Expires, time.Now())}
	if exp := d.Expires.UTC(); !d.Expires.IsZero() && exp.Year() >= 0 && exp.Year() <= 9999 {
		// (A time JSON cannot hold, an exp thousands of years ahead, is
		// said by Expiry alone.)
		rep.ExpiresAt = &exp
	}
	rep.Signature = checkTokenSignature(ctx, f, g, raw, d)
	if g.revealSecrets {
		rep.Token = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(raw), "Bearer "))
	}

	if o.Output == "json" {
		data, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return fmt.Errorf("encode token report: %w", err)
		}
		if _, err := f.Out.Write(append(jsonPrintable(data), '\n')); err != nil {
			return err
		}
	} else if err := printTokenReport(f.Out, rep); err != nil {
		return err
	}
	if rep.Signature.Checked && !rep.Signature.Verified {
		return errors.New("the token's signature does not verify: " + rep.Signature.Detail)
	}
	return nil
}

// checkTokenSignature verifies the signature against the JWKS of --domain,
// else of the token's issuer, else of AUTH0_DOMAIN or the config file's
// domain; it says plainly when it could not.
func checkTokenSignature(ctx context.Context, f *Factory, g globalFlags, raw string, d auth0client.DecodedToken) tokenSignature {
	rc, cleanup, err := resolve(f, g)
	if err != nil {
		return tokenSignature{Detail: "not checked: " + err.Error()}
	}
	defer cleanup()
	domain := first(g.domain, d.Issuer, rc.Settings.Domain)
	if domain == "" {
		return tokenSignature{Detail: "not checked: the token names no issuer (iss); give --domain to check it against a tenant's keys"}
	}
	c, err := rc.client(auth0client.Config{Domain: domain})
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

func printTokenReport(w io.Writer, rep tokenReport) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	printClaimMap(tw, "header", rep.Header)
	printClaimMap(tw, "claims", rep.Claims)
	expiry := rep.Expiry
	if rep.ExpiresAt != nil {
		expiry += " (" + rep.ExpiresAt.Format(time.RFC3339) + ")"
	}
	fmt.Fprintf(tw, "\nexpiry\t%s\n", expiry)
	sig := "✗ " + rep.Signature.Detail
	switch {
	case rep.Signature.Verified:
		sig = "✓ " + rep.Signature.Detail
	case !rep.Signature.Checked:
		sig = "? " + rep.Signature.Detail
	}
	fmt.Fprintf(tw, "signature\t%s\n", sig)
	if rep.Token != "" {
		fmt.Fprintf(tw, "token\t%s\n", rep.Token)
	} else {
		fmt.Fprintf(tw, "token\tnot shown (--reveal-secrets shows it)\n")
	}
	return tw.Flush()
}

// printClaimMap writes a header or the claims, sorted by name, each value
// as a person reads it (steps.ClaimText; lists and objects as JSON).
func printClaimMap(w io.Writer, title string, m map[string]any) {
	fmt.Fprintln(w, title)
	for _, row := range steps.ClaimRows(m) {
		v := row.Value
		switch m[row.Key].(type) {
		case []any, map[string]any:
			if b, err := json.Marshal(m[row.Key]); err == nil {
				v = steps.Printable(string(b)) // JSON leaves C1 controls raw
			}
		}
		fmt.Fprintf(w, "  %s\t%s\n", row.Key, v)
	}
}

// jsonPrintable escapes, in encoded JSON, the characters encoding/json
// leaves raw that a terminal acts on (C1 controls such as the 8-bit CSI,
// bidirectional controls): as \uXXXX they decode to the same strings, and
// a report shown on a terminal cannot drive it. (C0 controls, ESC among
// them, and U+2028/U+2029 are escaped by encoding/json already.)
func jsonPrintable(b []byte) []byte {
	var out []byte
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r >= 0x80 && (unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Bidi_Control, r)) {
			if out == nil {
				out = append(make([]byte, 0, len(b)+16), b[:i]...)
			}
			out = fmt.Appendf(out, `\u%04x`, r)
		} else if out != nil {
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	if out == nil {
		return b
	}
	return out
}
