package steps

import (
	"errors"
	"fmt"
)

// ErrBadJournal is wrapped by OpenJournal's error for a file that is not a
// journal this version can read (not JSON, another version, an entry of an
// unknown kind or action): unreadable input, which the command line answers
// with its usage status.
var ErrBadJournal = errors.New("not a journal of auth0-wizard")

// check refuses a journal document whose entries this version cannot act
// on: each needs its own action id, a kind of the resource model and an
// action a run records. A journal edited by hand (or cut short) is named,
// with the entry, before teardown or a resume acts on any of it.
func (d *journalDoc) check() error {
	seen := make(map[string]bool, len(d.Resources))
	for i, e := range d.Resources {
		n := i + 1
		switch {
		case e.ActionID == "":
			return fmt.Errorf("its entry %d has no action_id", n)
		case seen[e.ActionID]:
			return fmt.Errorf("its entry %d repeats the action_id %q", n, Printable(e.ActionID))
		}
		seen[e.ActionID] = true
		if _, ok := kinds[e.Kind]; !ok {
			return fmt.Errorf("its entry %d (%s) has the unknown kind %q", n, Printable(e.ActionID), Printable(string(e.Kind)))
		}
		switch e.Action {
		case Create.Past(), Reuse.Past(), Update.Past(), journalPending:
		default:
			return fmt.Errorf("its entry %d (%s) has the unknown action %q (created, reused, updated or pending)", n, Printable(e.ActionID), Printable(e.Action))
		}
	}
	return nil
}
