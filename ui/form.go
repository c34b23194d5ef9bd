package ui

import (
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

// newStepForm builds the huh form for a step's inputs, each field bound to
// the Settings field it edits in the heap-held session. The same constructor
// serves the TUI and the accessible line mode (where skipFilledSecrets leaves
// out secrets that the environment or a file already gave, since huh's
// accessible password prompt needs a terminal).
func newStepForm(s *steps.Settings, step steps.Step, st styles, accessible bool) (*huh.Form, huh.Field) {
	var fields []huh.Field
	for _, in := range step.Inputs {
		if in.Field == nil {
			continue
		}
		ptr := in.Field(s)
		if ptr == nil {
			continue
		}
		if accessible && in.Secret && *ptr != "" {
			continue
		}
		fields = append(fields, newInputField(in, ptr, accessible))
	}
	if len(fields) == 0 {
		return nil, nil
	}
	f := huh.NewForm(huh.NewGroup(fields...)).
		WithShowHelp(false).
		WithShowErrors(true).
		WithTheme(st.huhTheme()).
		WithAccessible(accessible)
	return f, fields[0]
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
		validate = func(v string) error {
			if strings.TrimSpace(v) == "" {
				v = kept
			}
			return check(v)
		}
	}
	if len(in.Options) > 0 {
		opts := make([]huh.Option[string], 0, len(in.Options))
		for _, o := range in.Options {
			opts = append(opts, huh.NewOption(o, o))
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

// formOutcome is what one key did to an embedded form.
type formOutcome int

const (
	formBusy formOutcome = iota
	formCompleted
	formBack
)

// updateForm forwards a message to an embedded form. shift+tab on the first
// field and esc anywhere mean "previous screen"; the form's own completion
// means "next". The form keeps its values in the session either way.
func updateForm(f *huh.Form, first huh.Field, k keyMap, msg tea.Msg) (*huh.Form, formOutcome, tea.Cmd) {
	if f == nil {
		if kp, ok := msg.(tea.KeyPressMsg); ok {
			switch {
			case key.Matches(kp, k.Next):
				return f, formCompleted, nil
			case key.Matches(kp, k.Back):
				return f, formBack, nil
			}
		}
		return f, formBusy, nil
	}
	if kp, ok := msg.(tea.KeyPressMsg); ok {
		if key.Matches(kp, k.Cancel) {
			return f, formBack, nil
		}
		if key.Matches(kp, k.PrevField) && f.GetFocusedField() == first {
			return f, formBack, nil
		}
	}
	m, cmd := f.Update(msg)
	f = m.(*huh.Form)
	if f.State == huh.StateCompleted {
		return f, formCompleted, nil
	}
	return f, formBusy, cmd
}

// sizeForm gives an embedded form the room it has. huh sizes its groups
// (widths, and heights from the content wrapped at that width) only from a
// WindowSizeMsg, so the form gets one with the body's size.
func sizeForm(f *huh.Form, w, h int) {
	if f == nil || w <= 0 || h <= 0 || f.State != huh.StateNormal {
		return
	}
	f.Update(tea.WindowSizeMsg{Width: w, Height: h})
}
