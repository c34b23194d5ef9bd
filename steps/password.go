package steps

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"unicode"
)

// PasswordPolicy is a database connection's password policy, as Auth0
// applies it to the users created in it
// (https://auth0.com/docs/authenticate/database-connections/password-strength):
// the passwordPolicy level, a password_complexity_options.min_length, or the
// newer options.password_options.complexity, which replaces both.
type PasswordPolicy struct {
	// Level is none, low, fair, good or excellent ("" reads as good, the
	// Management API's default).
	Level string `json:"level,omitempty"`
	// MinLength overrides the level's length when set.
	MinLength int `json:"min_length,omitempty"`
	// Complexity: set when the connection has password_options.
	Complexity *PasswordComplexity `json:"complexity,omitempty"`
	// Dictionary: the password may not be a common one.
	Dictionary bool `json:"dictionary,omitempty"`
}

// PasswordComplexity is options.password_options.complexity.
type PasswordComplexity struct {
	MinLength      int      `json:"min_length"`
	CharacterTypes []string `json:"character_types,omitempty"` // lowercase, uppercase, number, special
	ThreeOfFour    bool     `json:"three_of_four,omitempty"`   // character_type_rule three_of_four
	BlockIdentical bool     `json:"block_identical,omitempty"` // identical_characters block (no char 3× in a row)
}

// String names the policy and what it asks for.
func (p PasswordPolicy) String() string {
	if c := p.Complexity; c != nil {
		s := fmt.Sprintf("password options: at least %d characters", c.MinLength)
		if len(c.CharacterTypes) > 0 {
			rule := "all of"
			if c.ThreeOfFour {
				rule = "3 of"
			}
			s += ", " + rule + " " + strings.Join(c.CharacterTypes, ", ")
		}
		if c.BlockIdentical {
			s += ", no character 3 times in a row"
		}
		return s
	}
	level := p.Level
	if level == "" {
		level = "good"
	}
	return fmt.Sprintf("%q: %s", level, p.need())
}

// GeneratePassword returns a strong random password that every Auth0
// password policy accepts: 16 characters, the four classes taking turns (so
// no character comes three times in a row), none easily misread on a
// printed sheet (no 0/O, 1/l/I). The sandbox's demo user and each training
// kit's attendee get one.
func GeneratePassword() string {
	const (
		lower  = "abcdefghijkmnpqrstuvwxyz"
		upper  = "ABCDEFGHJKLMNPQRSTUVWXYZ"
		digits = "23456789"
		symbol = "!#%+-=?@"
	)
	pick := func(set string) byte {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(set))))
		if err != nil {
			panic(err) // crypto/rand does not fail on supported platforms
		}
		return set[n.Int64()]
	}
	var b []byte
	for range 4 {
		b = append(b, pick(lower), pick(upper), pick(digits), pick(symbol))
	}
	return string(b)
}

func (p PasswordPolicy) minLen(level int) int {
	if p.MinLength > 0 {
		return p.MinLength
	}
	return level
}

// need says what the level asks for.
func (p PasswordPolicy) need() string {
	switch p.Level {
	case "none":
		return fmt.Sprintf("at least %d character", p.minLen(1))
	case "low":
		return fmt.Sprintf("at least %d characters", p.minLen(6))
	case "fair":
		return fmt.Sprintf("at least %d characters with lower case, upper case and digits", p.minLen(8))
	case "excellent":
		return fmt.Sprintf("at least %d characters, 3 of lower case, upper case, digits and special characters, no character 3 times in a row", p.minLen(10))
	}
	return fmt.Sprintf("at least %d characters, 3 of lower case, upper case, digits and special characters", p.minLen(8))
}

// Check says why pw does not meet the policy (nil when it does). Auth0 has
// the last word: a dictionary or profile-data rule can still refuse it.
func (p PasswordPolicy) Check(pw string) error {
	var lower, upper, digit, special bool
	for _, r := range pw {
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		default:
			special = true
		}
	}
	kinds := 0
	for _, b := range []bool{lower, upper, digit, special} {
		if b {
			kinds++
		}
	}
	n := len([]rune(pw))
	if n > 128 {
		return fmt.Errorf("use at most 128 characters")
	}
	if c := p.Complexity; c != nil {
		have := map[string]bool{"lowercase": lower, "uppercase": upper, "number": digit, "special": special}
		missing := slices.DeleteFunc(slices.Clone(c.CharacterTypes), func(k string) bool { return have[k] })
		switch {
		case n < c.MinLength:
			return fmt.Errorf("the connection asks for %s", p)
		case c.ThreeOfFour && len(c.CharacterTypes) == 4 && len(missing) > 1, !c.ThreeOfFour && len(missing) > 0:
			return fmt.Errorf("the connection asks for %s", p)
		case c.BlockIdentical && repeats(pw, 3):
			return fmt.Errorf("the connection asks for %s", p)
		}
		return nil
	}
	weak := fmt.Errorf("use %s (the connection's password policy %q)", p.need(), orDefault(p.Level, "good"))
	switch p.Level {
	case "none":
		if n < p.minLen(1) {
			return weak
		}
	case "low":
		if n < p.minLen(6) {
			return weak
		}
	case "fair":
		if n < p.minLen(8) || !(lower && upper && digit) {
			return weak
		}
	case "excellent":
		if n < p.minLen(10) || kinds < 3 || repeats(pw, 3) {
			return weak
		}
	default:
		if n < p.minLen(8) || kinds < 3 {
			return weak
		}
	}
	return nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// repeats says whether a character stands n times in a row.
func repeats(s string, n int) bool {
	run, prev := 0, rune(-1)
	for _, r := range s {
		if r == prev {
			run++
		} else {
			run, prev = 1, r
		}
		if run >= n {
			return true
		}
	}
	return false
}
