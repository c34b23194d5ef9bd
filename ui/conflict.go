package ui

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/auth0-wizard/auth0-wizard/internal/hostname"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// journalConflict is a plan refused because the journal at the path
// records another run: the journal keeps one record per action, so this
// run's would replace the earlier one's and teardown could no longer remove
// what that run made. The wizard offers the ways out itself (the journal
// dialog) instead of the command line's remedies: continue that run (its
// values for the inputs that differ), start a new journal (newPath, free
// beside it), or tear that run down first.
type journalConflict struct {
	path    string
	newPath string // a journal path beside it that is not taken ("" when none was found)
	// settings are the inputs that differ, the journal's values and this
	// run's (a run of the same playbook on the same tenant).
	settings []steps.SettingConflict
	// playbook and domain are the journal's run's, when it is another
	// playbook's or another tenant's.
	playbook steps.PlaybookID
	domain   string
	// sameTenant: the journal's run was on this tenant, so this wizard's
	// management application can tear it down.
	sameTenant bool
}

// canContinue says whether this run can become the journal's: a run of
// the same playbook on the same tenant whose inputs differ.
func (c journalConflict) canContinue() bool { return len(c.settings) > 0 }

// conflictOf is the journal conflict behind a plan's error, if it is one.
// newPath is worked out by the caller (a Cmd: it looks at files).
func conflictOf(err error, domain string) (journalConflict, bool) {
	var sc *steps.JournalConflictError
	if errors.As(err, &sc) {
		return journalConflict{path: sc.Path, settings: sc.Conflicts, sameTenant: true}, true
	}
	var fe *steps.JournalForeignError
	if errors.As(err, &fe) {
		return journalConflict{path: fe.Path, playbook: fe.Playbook, domain: fe.Domain, sameTenant: hostname.Same(fe.Domain, domain)}, true
	}
	return journalConflict{}, false
}

// freeJournalPath is the first of path-2, path-3, … (before its
// .journal.json or extension) that no file holds; "" when none of 99 is
// free. It looks at files: call it in a Cmd.
func freeJournalPath(path string) string {
	dir, base := filepath.Split(path)
	ext := filepath.Ext(base)
	if strings.HasSuffix(base, ".journal.json") {
		ext = ".journal.json"
	}
	stem := strings.TrimSuffix(base, ext)
	for n := 2; n <= 100; n++ {
		p := filepath.Join(dir, fmt.Sprintf("%s-%d%s", stem, n, ext))
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			return p
		}
	}
	return ""
}

// inputLabel is how the wizard's screens name an input ("API identifier"
// for api_identifier), the key itself when no screen asks it.
func inputLabel(p steps.Playbook, key string) string {
	for _, in := range p.Inputs() {
		if in.Key == key && in.Label != "" {
			return in.Label
		}
	}
	return key
}

// setInput sets the input key of the settings to v.
func setInput(s *steps.Settings, p steps.Playbook, key, v string) {
	for _, in := range p.Inputs() {
		if in.Key != key || in.Field == nil {
			continue
		}
		if f := in.Field(s); f != nil {
			*f = v
		}
	}
}

// text says, in the wizard's words, what the journal holds and why the run
// cannot record there.
func (c journalConflict) text(p steps.Playbook) string {
	if c.canContinue() {
		var was, now []string
		for _, sc := range c.settings {
			l := inputLabel(p, sc.Key)
			was = append(was, fmt.Sprintf("%s %q", l, steps.Printable(sc.Journal)))
			now = append(now, fmt.Sprintf("%q", steps.Printable(sc.Run)))
		}
		return fmt.Sprintf("The journal %s records what an earlier run of this playbook created with %s; this run has %s. "+
			"Recording this run there would lose the record of what the earlier run made, and it could no longer be torn down.",
			steps.Printable(c.path), strings.Join(was, ", "), strings.Join(now, ", "))
	}
	return fmt.Sprintf("The journal %s records what a run of the %s playbook created on %s. "+
		"This run cannot record there without losing that record, and then what that run made could no longer be torn down.",
		steps.Printable(c.path), c.playbook, steps.Printable(c.domain))
}

// tearDown tears the run the journal at path records down, on this
// tenant (Engine.Teardown: only what that run created).
func tearDown(ctx context.Context, newClient newClientFunc, c steps.Client, w steps.WSO2Client, set steps.Settings, path string) tea.Cmd {
	return func() tea.Msg {
		cl, err := tenantClient(c, newClient, set)
		if err != nil {
			return tornDownMsg{Err: err}
		}
		j, err := steps.OpenJournal(path, false)
		if err != nil {
			return tornDownMsg{Err: fmt.Errorf("open the journal %s: %w", path, err)}
		}
		return tornDownMsg{Err: engineFor(cl, w, set).Teardown(ctx, j, nil)}
	}
}
