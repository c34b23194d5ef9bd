package ui

import (
	"fmt"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// keyManagerScreen is the gateway form a step fills before the run (wso2's
// "Add Key Manager" of the admin portal): first its own inputs (name,
// display name), then every field of the gateway's form in the portal's
// order with its value, each copyable on its own.
type keyManagerScreen struct {
	formScreen
	index   int
	showing bool // the portal fields are on screen (the inputs are done)
	list    fieldList
}

func newKeyManagerScreen(c *common, index int) screen {
	step := c.sess.playbook.Steps[index]
	s := &keyManagerScreen{formScreen: newStepFormScreen(c, step), index: index}
	if s.form == nil {
		s.showFields()
	}
	return s
}

// preApplyResult is what is known before Apply: the tenant and its endpoints
// (the key manager's connector uses the management application).
func preApplyResult(sess *session) steps.Result {
	return steps.Result{Playbook: sess.playbook.ID, Domain: sess.settings.Domain, Endpoints: sess.endpoints, Audience: sess.settings.APIIdentifier}
}

// gatewayFields is the playbook's gateway form for r: shown (the secret
// masked unless reveal) and as copied (the secret itself).
func gatewayFields(sess *session, r steps.Result, reveal bool) (shown, copies []steps.Field) {
	g := sess.playbook.Gateway
	if g.Fields == nil {
		return nil, nil
	}
	return g.Fields(r, sess.settings, reveal), g.Fields(r, sess.settings, true)
}

func (s *keyManagerScreen) showFields() {
	shown, copies := gatewayFields(s.sess, preApplyResult(s.sess), s.opts.Reveal)
	s.list = newFieldList(shown, copies, s.common)
	s.list.SetSize(s.width, s.height-2)
	s.showing = true
}

func (s *keyManagerScreen) SetSize(w, h int) {
	s.formScreen.SetSize(w, h)
	s.list.SetSize(w, h-2)
}

func (s *keyManagerScreen) Frame() frame {
	f := stepFrame(s.sess, s.index)
	f.Typing = !s.showing
	f.Error = !s.showing && s.hasError()
	f.Fills = s.showing
	return f
}

func (s *keyManagerScreen) Update(msg tea.Msg) (screen, tea.Cmd) {
	if s.showing {
		if kp, ok := msg.(tea.KeyPressMsg); ok {
			switch {
			case key.Matches(kp, s.keys.Next):
				return s, stepDone
			case key.Matches(kp, s.keys.Back):
				return s, wentBack
			case key.Matches(kp, s.keys.Edit) && s.form != nil:
				s.showing = false
				return s, s.rebuild()
			}
		}
		var cmd tea.Cmd
		s.list, cmd = s.list.Update(msg)
		return s, cmd
	}
	completed, cmd := s.forward(msg)
	if completed {
		s.showFields()
		return s, nil
	}
	return s, cmd
}

func (s *keyManagerScreen) View() string {
	if !s.showing {
		return s.formScreen.View()
	}
	head := s.styles.muted.Render(wrap(s.head(), s.width))
	s.list.SetSize(s.width, s.height-lipHeight(head)-1)
	return head + "\n\n" + s.list.View()
}

// head says what becomes of the values listed: registered in WSO2 by the
// run (connected), or to type into the gateway's form.
func (s *keyManagerScreen) head() string {
	g := s.sess.playbook.Gateway
	if s.sess.wso2 != nil && connected(s.sess.settings) {
		return fmt.Sprintf("Key manager %q will be registered in WSO2 at %s (create/reuse/update shown on the review), with these values:",
			steps.Printable(s.sess.settings.KeyManagerName), steps.Printable(s.sess.settings.APIMURL))
	}
	if g.Title != "" {
		return g.Title + ". Type these (c copies the one under the cursor):"
	}
	return "Type these (c copies the one under the cursor):"
}

func (s *keyManagerScreen) Keys() help.KeyMap {
	k := s.keys
	if s.showing {
		own := []key.Binding{k.Next, k.Up, k.Copy}
		if s.form != nil {
			own = append(own, k.Edit)
		}
		return k.helpFor(append(own, k.Back)...)
	}
	return k.helpFor(k.Next, k.Back)
}
