package ui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// applyDefaults fills each empty input of the step with its default,
// computed from the settings given so far. Values already there are kept, so
// going back and forth never loses what was typed.
func applyDefaults(s *steps.Settings, step steps.Step) {
	for _, in := range step.Inputs {
		if in.Field == nil || in.Default == nil {
			continue
		}
		if p := in.Field(s); p != nil && *p == "" {
			*p = in.Default(*s)
		}
	}
}

// askedInputs are the keys of the step's inputs asked with these settings
// (an input's When), in order.
func askedInputs(step steps.Step, s steps.Settings) []string {
	var keys []string
	for _, in := range step.Inputs {
		if in.Field != nil && in.Field(&s) != nil && (in.When == nil || in.When(s)) {
			keys = append(keys, in.Key)
		}
	}
	return keys
}

// newStepForm builds the huh form for a step's inputs asked with the
// settings given so far (and, when only is set, among those only its
// keys), each field bound to the Settings field it edits in the heap-held
// session. The same constructor serves the TUI and the accessible line mode
// (which leaves out secrets that the environment or a file already gave,
// since huh's accessible password prompt needs a terminal).
func newStepForm(s *steps.Settings, step steps.Step, theme huh.Theme, accessible bool, only ...string) (*huh.Form, huh.Field) {
	return stepForm(stepFields(s, step, accessible, only...), theme, accessible)
}

// stepForm is one group of fields as every step's form is drawn (nil when
// there is no field), and its first field.
func stepForm(fields []huh.Field, theme huh.Theme, accessible bool) (*huh.Form, huh.Field) {
	if len(fields) == 0 {
		return nil, nil
	}
	f := huh.NewForm(huh.NewGroup(fields...)).
		WithShowHelp(false).
		WithShowErrors(true).
		WithTheme(theme).
		WithAccessible(accessible)
	return f, fields[0]
}

// stepFields are the fields of the step's inputs asked with the settings
// (among those, only the keys of only, when given).
func stepFields(s *steps.Settings, step steps.Step, accessible bool, only ...string) []huh.Field {
	var fields []huh.Field
	asked := askedInputs(step, *s)
	for _, in := range step.Inputs {
		if !slices.Contains(asked, in.Key) || len(only) > 0 && !slices.Contains(only, in.Key) {
			continue
		}
		ptr := in.Field(s)
		if accessible && in.Secret && *ptr != "" {
			continue
		}
		fields = append(fields, newInputField(in, ptr, accessible))
	}
	return fields
}

// newInputField renders one steps.Input as a huh field. In accessible mode
// an empty answer keeps the value shown in brackets: huh's line prompt does
// that, but validates the empty answer first, so the validator is given the
// kept value instead.
func newInputField(in steps.Input, ptr *string, accessible bool) huh.Field {
	validate := func(string) error { return nil }
	if in.Validate != nil {
		validate = in.Validate
	}
	title := in.Label
	if accessible && !in.Secret && *ptr != "" && len(in.Options) == 0 {
		kept, check := *ptr, validate
		title += " [" + kept + "]"
		clears := clearable(in)
		if clears {
			title += " (- clears it)"
		}
		validate = func(v string) error {
			switch t := strings.TrimSpace(v); {
			case t == "":
				v = kept
			case t == clearedInput && clears:
				v = "" // clearDashed empties it after the form
			}
			return check(v)
		}
	}
	if len(in.Options) > 0 {
		opts := huh.NewOptions(in.Options...)
		if accessible {
			opts = markDefault(opts, *ptr)
		}
		return huh.NewSelect[string]().
			Key(in.Key).
			Title(title).
			Description(in.Help).
			Options(opts...).
			Inline(true).
			Value(ptr).
			Validate(validate)
	}
	f := huh.NewInput().
		Key(in.Key).
		Title(title).
		Description(in.Help).
		Value(ptr).
		Validate(validate)
	if in.Secret {
		f = f.EchoMode(huh.EchoModePassword)
	}
	return f
}

// clearable says whether an input may be left empty (its check takes ""
// and no default would fill it again): line mode then offers "-" to clear
// a prefilled value, since huh's line prompt keeps the value on an empty
// answer.
func clearable(in steps.Input) bool {
	return in.Field != nil && !in.Secret && len(in.Options) == 0 && in.Default == nil &&
		(in.Validate == nil || in.Validate("") == nil)
}

// clearDashed empties the clearable inputs of a step answered "-" in line
// mode.
func clearDashed(s *steps.Settings, step steps.Step) {
	for _, in := range step.Inputs {
		if !clearable(in) {
			continue
		}
		if ptr := in.Field(s); ptr != nil && strings.TrimSpace(*ptr) == clearedInput {
			*ptr = ""
		}
	}
}

// formScreen is what every screen built around one embedded huh form
// shares: the form, how to build it again, its size. Screens embed it and
// keep only what differs.
type formScreen struct {
	*common
	form   *huh.Form
	first  huh.Field // shift+tab here leaves the screen
	build  func() (*huh.Form, huh.Field)
	asked  func() []string // the inputs asked now (nil: always the same)
	shape  []string        // the inputs the form on screen asks
	width  int
	height int
}

// newFormScreen builds the form with build, which binds its fields to
// heap-held values (the session), so rebuilding it later keeps what was typed.
func newFormScreen(c *common, build func() (*huh.Form, huh.Field)) formScreen {
	f := formScreen{common: c, build: build}
	f.form, f.first = build()
	return f
}

// newStepFormScreen is the form of a step's inputs; an input asked only
// with some settings (When) comes and goes as they are typed.
func newStepFormScreen(c *common, step steps.Step) formScreen {
	f := newFormScreen(c, func() (*huh.Form, huh.Field) { return newStepForm(&c.sess.settings, step, c.theme(), false) })
	f.asked = func() []string { return askedInputs(step, c.sess.settings) }
	f.shape = f.asked()
	return f
}

func (f *formScreen) Init() tea.Cmd {
	if f.form == nil {
		return nil
	}
	return f.form.Init()
}

func (f *formScreen) SetSize(w, h int) {
	f.width, f.height = w, h
	if f.form != nil {
		sizeForm(f.form, w, h)
	}
}

// hasError says whether the form shows a value its validator refused.
func (f *formScreen) hasError() bool {
	return f.form != nil && f.form.State == huh.StateNormal && len(f.form.Errors()) > 0
}

// typing says whether the form has the keyboard.
func (f *formScreen) typing() bool { return f.form != nil && f.form.State == huh.StateNormal }

// View is the form ("" when the step asks for nothing).
func (f *formScreen) View() string {
	if f.form == nil {
		return ""
	}
	return f.form.View()
}

// rebuild puts a fresh form on screen, sized, and returns its Init.
func (f *formScreen) rebuild() tea.Cmd {
	f.form, f.first = f.build()
	if f.asked != nil {
		f.shape = f.asked()
	}
	sizeForm(f.form, f.width, f.height)
	return f.Init()
}

// reshape rebuilds the form when what was typed changed which inputs are
// asked, the focus kept on the field that had it. The moves are huh's own,
// made at once: the next key reaches that field.
func (f *formScreen) reshape() tea.Cmd {
	if f.asked == nil || f.form == nil || slices.Equal(f.asked(), f.shape) {
		return nil
	}
	focused := f.form.GetFocusedField().GetKey()
	cmd := f.rebuild()
	if f.form == nil || !slices.Contains(f.shape, focused) {
		return cmd
	}
	for range f.shape {
		if f.form.GetFocusedField().GetKey() == focused {
			break
		}
		cmd = tea.Batch(cmd, f.form.NextField())
	}
	return cmd
}

// forward passes a message to the form. esc anywhere, or shift+tab on the
// first field, means "previous screen"; the form's own completion means
// "next", reported to the caller. Without a form (a step that asks for
// nothing) enter and esc do the same. The form keeps its values in the
// session either way.
func (f *formScreen) forward(msg tea.Msg) (completed bool, cmd tea.Cmd) {
	kp, isKey := msg.(tea.KeyPressMsg)
	if f.form == nil {
		switch {
		case isKey && key.Matches(kp, f.keys.Next):
			return true, nil
		case isKey && key.Matches(kp, f.keys.Back):
			return false, wentBack
		}
		return false, nil
	}
	if isKey && (key.Matches(kp, f.keys.Cancel) || (key.Matches(kp, f.keys.PrevField) && f.form.GetFocusedField() == f.first)) {
		return false, wentBack
	}
	done, cmd := updateForm(&f.form, msg)
	if done {
		return true, nil
	}
	if isKey {
		cmd = tea.Batch(cmd, f.reshape())
	}
	return false, cmd
}

// updateForm passes msg to the form *f (huh hands back the form it
// became) and says whether it is now completed.
func updateForm(f **huh.Form, msg tea.Msg) (done bool, cmd tea.Cmd) {
	m, cmd := (*f).Update(msg)
	if form, ok := m.(*huh.Form); ok {
		*f = form
	}
	return (*f).State == huh.StateCompleted, cmd
}

// checkedForm is a step form whose values are checked against the tenant
// once it completes (the tenant and management screens). While the check runs
// only esc works; once it passed the values show read-only, and e edits them
// again. A failed check puts the form back with the reason under it.
type checkedForm struct {
	formScreen
	step     steps.Step
	index    int // the step's index in the playbook
	checking bool
	checked  bool // the check passed for the values on screen
	err      error
	prefix   string // before the error: "✗ discovery failed: "
	hint     string // after it: what to do, when there is room
	room     int    // the screen's height; the form gets what the error leaves
}

func newCheckedForm(c *common, index int, prefix, hint string) checkedForm {
	step := c.sess.playbook.Steps[index]
	return checkedForm{formScreen: newStepFormScreen(c, step), step: step, index: index, prefix: prefix, hint: hint}
}

func (c *checkedForm) editing() bool { return !c.checking && !c.checked }

// hasError says whether the screen shows why the check failed or a value the
// validator refused.
func (c *checkedForm) hasError() bool {
	return c.editing() && (c.err != nil || c.formScreen.hasError())
}

// Frame is a step's frame; busy while the check runs.
func (c *checkedForm) Frame() frame {
	f := stepFrame(c.sess, c.index)
	f.Busy, f.Typing, f.Error = c.checking, c.editing() && c.typing(), c.hasError()
	return f
}

// SetSize gives the form the room the error under it leaves: the reason a
// check failed is shown whole, and the form scrolls to its focused field
// when the two do not fit.
func (c *checkedForm) SetSize(w, h int) {
	c.room = h
	c.formScreen.SetSize(w, max(h-lipHeight(c.reason()), 1))
}

// reason is why the last check failed, wrapped ("" when it passed).
func (c *checkedForm) reason() string {
	// A validation error replaces the failed check's: one error at a time.
	if c.err == nil || !c.editing() || c.formScreen.hasError() {
		return ""
	}
	return c.styles.fail.Render(wrap(c.prefix+c.err.Error(), c.width))
}

// failed records a failed check and puts the form back.
func (c *checkedForm) failed(err error) tea.Cmd {
	c.checking = false
	c.err = err
	if c.room > 0 {
		c.SetSize(c.width, c.room)
	}
	return c.rebuild()
}

// forward handles the keys of the running and the passed check, else passes
// the message to the form; completed means the caller starts its check.
func (c *checkedForm) forward(msg tea.Msg) (completed bool, cmd tea.Cmd) {
	if kp, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case c.checking:
			if key.Matches(kp, c.keys.Back) {
				return false, wentBack
			}
			return false, nil
		case c.checked:
			switch {
			case key.Matches(kp, c.keys.Next):
				return false, stepDone
			case key.Matches(kp, c.keys.Back):
				return false, wentBack
			case key.Matches(kp, c.keys.Edit):
				c.checked = false
				return false, c.rebuild()
			}
			return false, nil
		}
	}
	if c.checking || c.checked {
		return false, nil
	}
	return c.formScreen.forward(msg)
}

// editView is the form, and under it why the last check failed and, when
// there is room, what to do about it.
func (c *checkedForm) editView() string {
	v := c.View()
	if r := c.reason(); r != "" {
		v += "\n" + r
		if hint := c.styles.muted.Render(wrap(c.hint, c.width)); c.room == 0 || lipHeight(v)+lipHeight(hint) <= c.room {
			v += "\n" + hint
		}
	}
	return v
}

// keysFor is the help while checking (esc) and while editing (enter, esc);
// checked are the keys once the check passed.
func (c *checkedForm) keysFor(checked ...key.Binding) bindings {
	k := c.keys
	switch {
	case c.checking:
		return k.helpFor(k.Back)
	case c.checked:
		return k.helpFor(checked...)
	}
	return k.helpFor(k.Next, k.Back)
}

// stepFrame is the title line and explanation of the playbook's step i.
func stepFrame(sess *session, i int) frame {
	step := sess.playbook.Steps[i]
	count := fmt.Sprintf("step %d of %d", i+1, stepsOf(sess.playbook, sess.doctor, sess.kits != nil))
	switch {
	case sess.doctor:
		count = "check · " + count
	case sess.kits != nil:
		count = "class · " + count
	}
	return frame{Count: count, Title: step.Title, Explain: step.Explain}
}

// stepsOf is how many steps a run of p has: the playbook's, the doctor's
// (checking a setup) or a class's.
func stepsOf(p steps.Playbook, doctor, class bool) int {
	switch {
	case doctor:
		return doctorSteps
	case class:
		return classSteps
	}
	return len(p.Steps)
}

// sizeForm gives an embedded form the room it has. huh sizes its groups
// (widths, and heights from the content wrapped at that width) only from a
// WindowSizeMsg, so the form gets one with the body's size.
func sizeForm(f *huh.Form, w, h int) {
	if f == nil || w <= 0 || h <= 0 || f.State != huh.StateNormal {
		return
	}
	if len(f.Errors()) > 0 {
		h-- // huh draws a blank line above its error footer that its height leaves out
	}
	f.Update(tea.WindowSizeMsg{Width: w, Height: max(h, 1)})
}
