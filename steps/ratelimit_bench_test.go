package steps_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/auth0-wizard/auth0-wizard/auth0client"
	"github.com/auth0-wizard/auth0-wizard/internal/sandboxtest"
	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// BenchmarkConcurrentAppliesUnderRateLimit runs 6 azure applies at once,
// each with its own client (as 6 processes would), on a tenant limited to 2
// Management API requests a second with a burst of 2, and prints how many
// completed, how long they took, how many Management API requests they
// sent and were refused (429), and how much of the tenant's capacity
// (rate × time + burst) their answered requests used. The target (issue
// "Safe on a shared tenant"): 6 of 6.
func BenchmarkConcurrentAppliesUnderRateLimit(b *testing.B) {
	const runs = 6
	for i := 0; i < b.N; i++ {
		sb, err := sandbox.New(sandbox.Options{Seed: 7, RateLimit: 2, Burst: 2})
		if err != nil {
			b.Fatal(err)
		}
		p, _ := steps.PlaybookByID(steps.Azure)
		rc := &raceCounter{} // every client's Management API requests and 429s
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			ok      int
			waits   int
			slowest time.Duration
			errs    []error
		)
		start := time.Now()
		for n := range runs {
			wg.Go(func() {
				c := sandboxtest.Client(b, sb, func(cfg *auth0client.Config) {
					cfg.Trace = rc
				})
				s := settings(sb, steps.Azure)
				s.APIName, s.APIIdentifier = fmt.Sprintf("Calculator %d", n), fmt.Sprintf("calc-%d", n)
				s.AppName, s.ConnectionName = fmt.Sprintf("Azure app %d", n), fmt.Sprintf("Calc%d", n)
				s.UserEmail = fmt.Sprintf("user%d@example.com", n)
				events := make(chan steps.Event, 1024)
				done := make(chan int)
				go func() {
					w := 0
					for ev := range events {
						if ev.Kind == steps.EventWaiting {
							w++
						}
					}
					done <- w
				}()
				t0 := time.Now()
				res, err := steps.NewEngine(c).Apply(context.Background(), p, s, steps.Plan{}, nil, events)
				took := time.Since(t0)
				close(events)
				w := <-done
				mu.Lock()
				defer mu.Unlock()
				waits += w
				slowest = max(slowest, took)
				if err == nil && res.Token.Verified {
					ok++
				} else {
					errs = append(errs, err)
				}
			})
		}
		wg.Wait()
		wall := time.Since(start)
		sb.Close()
		rc.mu.Lock()
		sent, refused := rc.mgmt, rc.limited
		rc.mu.Unlock()
		capacity := 2*wall.Seconds() + 2
		fmt.Printf("concurrent azure applies at 2 requests/s (burst 2): %d/%d completed in %s (slowest %s), %d rate-limit waits; %d Management API requests sent, %d refused (429), %.2f of the tenant's capacity used\n",
			ok, runs, wall.Round(time.Millisecond), slowest.Round(time.Millisecond), waits, sent, refused, float64(sent-refused)/capacity)
		for _, err := range errs {
			fmt.Printf("  failed: %v\n", err)
		}
		if ok != runs {
			b.Errorf("%d of %d applies completed", ok, runs)
		}
	}
}
