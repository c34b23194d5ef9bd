package steps

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Printable is the output boundary for data from a tenant or a token: the
// text with every control character and escape sequence made visible
// (ESC as \x1b, a line break as \n, …) so that it can never move the
// cursor, clear the screen, set the clipboard (OSC 52) or hide a link
// (OSC 8) on the terminal that shows it. Text without such characters is
// returned as it is. Everything steps renders for a person (doctor verdicts,
// event lines, claims, reports) has passed through it; front ends pass the
// tenant's values they show themselves through it too.
func Printable(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	for i, w := 0, 0; i < len(s); i += w {
		r, size := utf8.DecodeRuneInString(s[i:])
		w = size
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unicode.Is(unicode.Cc, r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Bidi_Control, r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func needsEscape(s string) bool {
	for i, r := range s {
		if r < 0x20 || r == 0x7f || r >= 0x80 && (unicode.Is(unicode.Cc, r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Bidi_Control, r)) {
			return true
		}
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return true
			}
		}
	}
	return false
}

// rejectControl refuses a value that goes to the tenant when it holds a
// control character (an escape sequence in a name would reach every
// terminal that later shows it).
func rejectControl(what, v string) error {
	if strings.IndexFunc(v, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) }) >= 0 {
		return fmt.Errorf("%s contains a control character (%s): type it again without it", what, Printable(v))
	}
	return nil
}
