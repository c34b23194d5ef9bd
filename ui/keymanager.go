package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// keyManagerScreen is the wso2 "Add Key Manager" form of the admin portal:
// first its own inputs (name, display name), then every field of the form in
// the portal's order with its value, each copyable on its own.
type keyManagerScreen struct {
	formScreen
	sess    *session
	showing bool // the portal fields are on screen (the inputs are done)
	list    fieldList
	reveal  bool
}

func newKeyManagerScreen(sess *session, step steps.Step, st styles, k keyMap, reveal bool) keyManagerScreen {
	s := keyManagerScreen{formScreen: newFormScreen(stepFields(sess, step), st, k), sess: sess, reveal: reveal}
	if s.form == nil {
		s = s.showFields()
	}
	return s
}

// preApplyResult is what is known before Apply: the tenant and its endpoints
// (the key manager's connector uses the management application).
func preApplyResult(sess *session) steps.Result {
	return steps.Result{Playbook: sess.playbook.ID, Domain: sess.settings.Domain, Endpoints: sess.endpoints, Audience: sess.settings.APIIdentifier}
}

func (s keyManagerScreen) showFields() keyManagerScreen {
	r := preApplyResult(s.sess)
	shown := steps.KeyManagerFields(r, s.sess.settings, s.reveal)
	copies := steps.KeyManagerFields(r, s.sess.settings, true)
	s.list = newFieldList(shown, copies, s.styles, s.keys)
	s.list.SetSize(s.width, s.height-2)
	s.showing = true
	return s
}

func (s *keyManagerScreen) SetSize(w, h int) {
	s.formScreen.SetSize(w, h)
	s.list.SetSize(w, h-2)
}

func (s *keyManagerScreen) setStyles(st styles) {
	s.formScreen.setStyles(st)
	s.list.styles = st
}

func (s keyManagerScreen) editing() bool { return !s.showing }

func (s keyManagerScreen) Update(msg tea.Msg) (keyManagerScreen, tea.Cmd) {
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
		return s.showFields(), nil
	}
	return s, cmd
}

func (s keyManagerScreen) View() string {
	if !s.showing {
		return s.formScreen.View()
	}
	head := s.styles.muted.Render(wrap("In the admin portal: Key Managers → Add Key Manager, type Auth0. Fill in:", s.width))
	return head + "\n\n" + s.list.View()
}

func (s keyManagerScreen) Keys() bindings {
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
