package steps_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auth0-wizard/auth0-wizard/auth0client"
	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// scaleLatency is what the sandbox adds to every answer in BenchmarkTenantSize.
const scaleLatency = 50 * time.Millisecond

// BenchmarkTenantSize measures a dry run (check and plan) and a full wso2
// apply on tenants of 10, 1,000 and 5,000 applications, 50 ms per answer,
// and prints each one's time, requests and round trips (time over the
// latency), then the 5,000-application time over the 10-application one.
// Target (issue "Scale"): within 1.2×.
func BenchmarkTenantSize(b *testing.B) {
	sizes := []int{10, 1000, 5000}
	type figure struct {
		dry, full         time.Duration
		dryReqs, fullReqs int
	}
	got := map[int]figure{}
	for _, n := range sizes {
		state := filledTenant(b, n)
		var f figure
		for i := 0; i < b.N; i++ {
			f.dry, f.dryReqs = timedRun(b, state, n, false)
			f.full, f.fullReqs = timedRun(b, state, n, true)
		}
		got[n] = f
		fmt.Printf("tenant of %5d applications: dry run %8s (%3d requests, %3.0f round trips), apply %8s (%3d requests, %3.0f round trips)\n",
			n, f.dry.Round(time.Millisecond), f.dryReqs, float64(f.dry)/float64(scaleLatency),
			f.full.Round(time.Millisecond), f.fullReqs, float64(f.full)/float64(scaleLatency))
	}
	small, big := got[sizes[0]], got[sizes[len(sizes)-1]]
	dry, full := float64(big.dry)/float64(small.dry), float64(big.full)/float64(small.full)
	fmt.Printf("5,000 vs 10 applications: dry run %.2f×, apply %.2f× (target ≤ 1.2×)\n", dry, full)
	if dry > 1.2 || full > 1.2 {
		b.Errorf("cost grows with the tenant: dry run %.2f×, apply %.2f×", dry, full)
	}
}

// filledTenant saves a sandbox tenant holding n more applications to a
// state file and returns its path.
func filledTenant(b *testing.B, n int) string {
	b.Helper()
	dir := b.TempDir()
	path := filepath.Join(dir, "tenant.json")
	sb, err := sandbox.New(sandbox.Options{Seed: 3, StateFile: path})
	if err != nil {
		b.Fatal(err)
	}
	c := newClient(b, sb, sb.ClientID, sb.ClientSecret)
	work := make(chan int)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := range work {
				if _, err := c.CreateClient(context.Background(), steps.App{Name: fmt.Sprintf("filler %05d", i), AppType: "non_interactive"}); err != nil {
					b.Error(err)
				}
			}
		})
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	if err := sb.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

// timedRun starts a sandbox from a copy of the state at 50 ms an answer and
// times a dry run (check + plan) or a full apply of the wso2 playbook,
// counting the requests it sent.
func timedRun(b *testing.B, state string, n int, full bool) (time.Duration, int) {
	b.Helper()
	data, err := os.ReadFile(state)
	if err != nil {
		b.Fatal(err)
	}
	copyPath := filepath.Join(b.TempDir(), "tenant.json")
	if err := os.WriteFile(copyPath, data, 0o600); err != nil {
		b.Fatal(err)
	}
	for _, suffix := range []string{".ca.pem", "-ca.pem"} {
		if ca, err := os.ReadFile(strings.TrimSuffix(state, ".json") + suffix); err == nil {
			_ = os.WriteFile(strings.TrimSuffix(copyPath, ".json")+suffix, ca, 0o600)
		}
	}
	sb, err := sandbox.New(sandbox.Options{Seed: 3, StateFile: copyPath, Latency: scaleLatency})
	if err != nil {
		b.Fatal(err)
	}
	defer sb.Close()
	var trace traceBuffer
	c, err := auth0client.New(auth0client.Config{Domain: sb.Domain, ClientID: sb.ClientID, ClientSecret: sb.ClientSecret, CAPEM: sb.CAPEM, Trace: &trace})
	if err != nil {
		b.Fatal(err)
	}
	if total := clientTotal(b, sb); total < n {
		b.Fatalf("the tenant from %s holds %d applications, want %d or more", state, total, n)
	}
	p, _ := steps.PlaybookByID(steps.WSO2)
	s := settings(sb, steps.WSO2)
	e := steps.NewEngine(c)
	ctx := context.Background()
	b.StartTimer()
	start := time.Now()
	if full {
		_, err = e.Apply(ctx, p, s, steps.Plan{}, nil, nil)
	} else {
		_, err = e.Plan(ctx, p, s, nil)
	}
	took := time.Since(start)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	return took, strings.Count(trace.String(), "--> ")
}

// clientTotal is how many applications the tenant holds (include_totals).
func clientTotal(b *testing.B, sb *sandbox.Server) int {
	b.Helper()
	a := newAdmin(b, sb)
	var page struct {
		Total int `json:"total"`
	}
	a.do("GET", sb.BaseURL+"/api/v2/clients?include_totals=true&per_page=1&fields=client_id", nil, &page)
	return page.Total
}
