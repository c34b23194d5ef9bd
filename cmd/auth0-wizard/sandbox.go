package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"strings"
	"time"

	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/wso2sandbox"
	"github.com/spf13/cobra"
)

// SandboxOptions are the flags of `auth0-wizard sandbox`.
type SandboxOptions struct {
	Addr      string
	AddrGiven bool // --addr was given (else a saved tenant's own port, or a free one)
	HTTP      bool
	Latency   string
	FailRate  float64
	RateLimit float64
	Burst     int
	State     string
	Seed      int64
	// WSO2 starts a WSO2 API Manager stand-in beside the tenant, its
	// connector of generation WSO2Generation.
	WSO2           bool
	WSO2Generation string
}

// sandboxLine is the first (and only) line the sandbox command prints on
// stdout: what another program needs to use the tenant.
type sandboxLine struct {
	Domain       string `json:"domain"`
	BaseURL      string `json:"base_url"`
	Audience     string `json:"audience"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	CAFile       string `json:"ca_file"`
	// With --wso2: the WSO2 stand-in (trusted by ca_file too).
	WSO2URL           string `json:"wso2_url,omitempty"`
	WSO2AdminUser     string `json:"wso2_admin_user,omitempty"`
	WSO2AdminPassword string `json:"wso2_admin_password,omitempty"`
}

// newSandboxCmd is `sandbox`; runF replaces runSandbox when not nil.
func newSandboxCmd(f *Factory, runF func(context.Context, *Factory, *SandboxOptions) error) *cobra.Command {
	if runF == nil {
		runF = runSandbox
	}
	o := &SandboxOptions{}
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Run the sandbox tenant as a server for other programs",
		Long: `sandbox runs an Auth0-compatible sandbox tenant until interrupted.

Its first line on stdout, once it accepts connections, is one JSON object:
{"domain", "base_url", "audience", "client_id", "client_secret", "ca_file"}:
the seeded management application (all Management API scopes granted) and the
CA to trust (empty with --http). Everything else goes to stderr.

With --wso2 it also starts a WSO2 API Manager 3.2.0 stand-in (DCR, the token
endpoint, the Admin REST API's key managers, the Developer Portal's
applications and keys) whose Auth0 connector works against the tenant, and
the line gains "wso2_url", "wso2_admin_user" and "wso2_admin_password"; the
one ca_file trusts both. The stand-in keeps nothing across restarts, even
with --state.

A sandbox is a test double, not a real authorization server: it listens on
loopback unless --addr says otherwise.`,
		Example: `  auth0-wizard sandbox --http --seed 1
  auth0-wizard sandbox --wso2
  auth0-wizard sandbox --latency 20ms-200ms --fail-rate 0.1 --rate-limit 5 --burst 5 --state tenant.json`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("sandbox takes no arguments, got %q", args)
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.AddrGiven = cmd.Flags().Changed("addr")
			return runF(cmd.Context(), f, o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Addr, "addr", "127.0.0.1:0", "listen address HOST:PORT (port 0: a free port; with --state, the saved tenant's port)")
	fl.BoolVar(&o.HTTP, "http", false, "serve plain HTTP instead of HTTPS with a generated CA")
	fl.StringVar(&o.Latency, "latency", "", "delay added to every response: a duration (50ms) or a range (20ms-200ms)")
	fl.Float64Var(&o.FailRate, "fail-rate", 0, "fraction (0 to 1) of Management API requests that fail as real networks do")
	fl.Float64Var(&o.RateLimit, "rate-limit", 0, "Management API requests per second (token bucket; 0: unlimited)")
	fl.IntVar(&o.Burst, "burst", 0, "token bucket size (default: the rate limit, rounded up)")
	fl.StringVar(&o.State, "state", "", "load the tenant from FILE at start (if it exists) and save it there on exit")
	fl.Int64Var(&o.Seed, "seed", 0, "make ids, secrets and faults repeatable (0: random)")
	fl.BoolVar(&o.WSO2, "wso2", false, "also start a WSO2 API Manager stand-in whose Auth0 connector works against the tenant")
	fl.StringVar(&o.WSO2Generation, "wso2-connector", wso2sandbox.GenerationGuide, "with --wso2: the Auth0 connector it plays: "+wso2sandbox.GenerationGuide+" (the guide's 3.2.0 era: audience = the API Manager URL) or "+wso2sandbox.GenerationV1+" (apim-km-auth0 v1.x: the developer's audience)")
	return cmd
}

// options checks the flags and turns them into sandbox options.
func (f SandboxOptions) options() (sandbox.Options, error) {
	opts := sandbox.Options{
		Addr:      f.Addr,
		HTTP:      f.HTTP,
		FailRate:  f.FailRate,
		RateLimit: f.RateLimit,
		Burst:     f.Burst,
		StateFile: f.State,
		Seed:      f.Seed,
	}
	if _, _, err := net.SplitHostPort(f.Addr); err != nil {
		return opts, usagef("invalid --addr %q: want HOST:PORT, e.g. 127.0.0.1:8443 or 127.0.0.1:0 for a free port", f.Addr)
	}
	if !f.AddrGiven {
		opts.Addr = "" // a saved tenant's own port, else a free one
	}
	lo, hi, err := parseLatency(f.Latency)
	if err != nil {
		return opts, err
	}
	opts.Latency, opts.LatencyMax = lo, hi
	if math.IsNaN(f.FailRate) || f.FailRate < 0 || f.FailRate > 1 {
		return opts, usagef("invalid --fail-rate %v: want a fraction from 0 to 1, e.g. 0.1 for one request in ten", f.FailRate)
	}
	if math.IsNaN(f.RateLimit) || math.IsInf(f.RateLimit, 0) || f.RateLimit < 0 {
		return opts, usagef("invalid --rate-limit %v: want requests per second, 0 or more (0: unlimited)", f.RateLimit)
	}
	if f.Burst < 0 {
		return opts, usagef("invalid --burst %d: want the bucket size, 1 or more", f.Burst)
	}
	if f.Burst > 0 && f.RateLimit == 0 {
		return opts, usagef("--burst %d needs --rate-limit: the bucket refills at that rate", f.Burst)
	}
	return opts, nil
}

// parseLatency reads --latency: "" (none), a duration ("50ms") or a range
// ("20ms-200ms"). It returns the minimum and, for a range, the maximum.
func parseLatency(s string) (lo, hi time.Duration, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, 0, nil
	}
	bad := func(why string) error {
		return usagef("invalid --latency %q: %s; want a duration like 50ms or a range like 20ms-200ms", s, why)
	}
	first, second, isRange := strings.Cut(s, "-")
	if first == "" {
		return 0, 0, bad("a delay cannot be negative")
	}
	if lo, err = time.ParseDuration(strings.TrimSpace(first)); err != nil {
		return 0, 0, bad(strings.TrimPrefix(err.Error(), "time: "))
	}
	if !isRange {
		return lo, 0, nil
	}
	if hi, err = time.ParseDuration(strings.TrimSpace(second)); err != nil {
		return 0, 0, bad(strings.TrimPrefix(err.Error(), "time: "))
	}
	if hi < lo {
		return 0, 0, bad("the range ends before it starts")
	}
	return lo, hi, nil
}

// runSandbox starts the sandbox, prints its line, and serves until the
// command's context is cancelled (SIGINT or SIGTERM), then stops it and
// saves the state.
func runSandbox(ctx context.Context, f *Factory, o *SandboxOptions) error {
	opts, err := o.options()
	if err != nil {
		return err
	}
	if o.WSO2Generation != wso2sandbox.GenerationGuide && o.WSO2Generation != wso2sandbox.GenerationV1 {
		return usagef("invalid --wso2-connector %q: want %s or %s", o.WSO2Generation, wso2sandbox.GenerationGuide, wso2sandbox.GenerationV1)
	}
	srv, err := f.StartSandbox(opts)
	if err != nil {
		return fmt.Errorf("start the sandbox: %w", err)
	}
	sl := sandboxLine{
		Domain:       srv.Domain,
		BaseURL:      srv.BaseURL,
		Audience:     srv.Audience,
		ClientID:     srv.ClientID,
		ClientSecret: srv.ClientSecret,
		CAFile:       srv.CAFile,
	}
	var standIn *wso2sandbox.Server
	if o.WSO2 {
		w, extraCA, err := startStandIn(f, srv, wso2sandbox.Options{Generation: o.WSO2Generation})
		if err != nil {
			return closeAfter(srv, err)
		}
		defer func() { _ = w.Close() }()
		caFile, removeCA, err := caBundle(srv, extraCA)
		if err != nil {
			return closeAfter(srv, err)
		}
		defer removeCA()
		standIn = w
		sl.CAFile, sl.WSO2URL, sl.WSO2AdminUser, sl.WSO2AdminPassword = caFile, w.URL, w.AdminUser, w.AdminPassword
	}
	line, err := json.Marshal(sl)
	if err != nil {
		return closeAfter(srv, fmt.Errorf("encode the sandbox line: %w", err))
	}
	if _, err := fmt.Fprintf(f.Out, "%s\n", line); err != nil {
		return closeAfter(srv, fmt.Errorf("print the sandbox line: %w", err))
	}
	if fl, ok := f.Out.(interface{ Flush() error }); ok {
		if err := fl.Flush(); err != nil {
			return closeAfter(srv, fmt.Errorf("print the sandbox line: %w", err))
		}
	}

	for _, w := range srv.Warnings {
		fmt.Fprintln(f.Err, "auth0-wizard: warning:", w)
	}
	use := "--domain " + srv.Domain
	if srv.CAFile == "" {
		use = "--domain " + srv.BaseURL // plain HTTP is spelled out as a URL
	}
	if sl.CAFile != "" {
		use += " --ca-file " + sl.CAFile
	}
	if standIn != nil {
		use += " --apim-url " + standIn.URL + " --wso2-admin-user " + standIn.AdminUser + " (and " + envWSO2AdminPassword + " from stdout)"
	}
	what := "sandbox tenant at " + srv.BaseURL
	if standIn != nil {
		what += " and WSO2 stand-in at " + standIn.URL
	}
	fmt.Fprintf(f.Err, "auth0-wizard: %s (credentials on stdout); use it with %s; Ctrl+C stops it\n", what, use)

	<-ctx.Done()
	if err := srv.Close(); err != nil {
		return fmt.Errorf("stop the sandbox: %w", err)
	}
	if opts.StateFile != "" {
		fmt.Fprintf(f.Err, "auth0-wizard: sandbox stopped; tenant saved to %s\n", opts.StateFile)
	} else {
		fmt.Fprintln(f.Err, "auth0-wizard: sandbox stopped")
	}
	return nil
}

// closeAfter stops srv after a failure and returns err.
func closeAfter(srv *sandbox.Server, err error) error {
	if cerr := srv.Close(); cerr != nil {
		return errors.Join(err, fmt.Errorf("stop the sandbox: %w", cerr))
	}
	return err
}
