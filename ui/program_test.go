package ui

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"
)

// TestProgramReachesSummary runs the wizard as a real Bubble Tea program
// (teatest) at both sizes, by Enter alone on the sandbox, and goldens the
// final summary screen.
func TestProgramReachesSummary(t *testing.T) {
	t.Parallel()
	for _, sz := range []struct{ w, h int }{{80, 24}, {160, 48}} {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			t.Parallel()
			sb := newSandbox(t)
			o := sandboxOptions(t, sb)
			tm := teatest.NewTestModel(t, New(o),
				teatest.WithInitialTermSize(sz.w, sz.h),
				teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
			out := tm.Output()
			var seen bytes.Buffer
			wait := func(want string) {
				t.Helper()
				teatest.WaitFor(t, out, func(b []byte) bool {
					seen.Write(b)
					return strings.Contains(flatten(seen.String()), want)
				}, teatest.WithDuration(30*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
			}
			enter := func() { tm.Send(keyMsg("enter")) }
			wait("What do you want to set up?")
			enter()
			wait("Tenant domain")
			enter()
			wait("the tenant answers")
			enter()
			wait("Client ID")
			enter()
			enter()
			enter()
			wait("scopes the playbook needs are granted")
			enter()
			wait("Admin password") // the API Manager step: URL, admin user, no password (WSO2's side by hand)
			enter()
			enter()
			enter()
			wait("Key manager name")
			enter()
			enter()
			wait("Well-known URL")
			enter()
			wait("API name")
			enter()
			enter()
			wait("Application name")
			enter()
			enter()
			enter()
			wait("Review the plan")
			wait("Journal:")
			enter()
			wait("press enter for the summary")
			enter()
			wait("Summary")
			wait("dotenv") // the export row, last on the screen
			tm.Send(keyMsg("q"))
			fm := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(Model)
			if !fm.Outcome().Applied {
				t.Fatalf("the program ended without applying")
			}
			fm.quitting = false // View is empty once quitting; golden the last screen
			golden.RequireEqual(t, normalize(ansi.Strip(fm.View().Content), sb, o, fm.sess.result))
		})
	}
}

var cursorForward = regexp.MustCompile(`\x1b\[(\d*)C`)

// flatten turns the renderer's output into plain text: cursor-forward moves
// (which the renderer uses to skip blanks) become spaces, other escapes go.
func flatten(s string) string {
	s = cursorForward.ReplaceAllStringFunc(s, func(m string) string {
		n, err := strconv.Atoi(m[2 : len(m)-1])
		if err != nil {
			n = 1
		}
		return strings.Repeat(" ", n)
	})
	return ansi.Strip(s)
}
