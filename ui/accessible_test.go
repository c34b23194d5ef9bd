package ui

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// TestAccessibleLineModeCompletesWSO2 drives the line mode as a screen
// reader user would, answering only the playbook question and keeping every
// prefilled value.
func TestAccessibleLineModeCompletesWSO2(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	o := sandboxOptions(t, sb)
	var out bytes.Buffer
	got, err := RunAccessible(o.Context, o, &lineReader{lines: []string{"1", "", "", "", "", "", "", "", "", "", "", "", "", "y", "4", "1"}}, &out) // with the API Manager step: URL, user, no password
	if err != nil {
		t.Fatalf("RunAccessible: %v\n%s", err, out.String())
	}
	if !got.Applied || !got.Result.Token.Verified {
		t.Fatalf("outcome = %+v\n%s", got, out.String())
	}
	text := out.String()
	if len(got.Exports) != 1 || !strings.HasSuffix(got.Exports[0], "-keymanager.json") {
		t.Fatalf("exports written = %v, want the wso2 one\n%s", got.Exports, out.String())
	}
	for _, line := range strings.Split(text, "\n") {
		if lipWidth(line) > 80 && strings.Contains(line, " ") && !strings.Contains(line, "http") && !strings.Contains(line, "/tmp") {
			t.Errorf("line mode line wider than the terminal (80): %q", line)
		}
	}
	for _, want := range []string{"Step 1 of 7: Tenant", "✓ the tenant answers", "Step 4 of 7: WSO2 key manager", "Well-known URL", "✓ created client_grant", "✓ done token", "✓ wrote "} {
		if !strings.Contains(text, want) {
			t.Fatalf("line mode output lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, sb.ClientSecret) {
		t.Fatalf("line mode printed the management secret")
	}
}

// lineReader hands out one line per Read, as a terminal does when a person
// types, so each of huh's line prompts reads only its own answer.
type lineReader struct{ lines []string }

func (r *lineReader) Read(p []byte) (int, error) {
	if len(r.lines) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.lines[0]+"\n")
	r.lines = r.lines[1:]
	return n, nil
}

func TestAccessibleLineModeAzureWithTypedAnswers(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	o := sandboxOptions(t, sb)
	var out bytes.Buffer
	// playbook 2; tenant, client id, audience kept; API name, identifier,
	// algorithm, app name, APIM instance, APIM server kept; a connection
	// name and an email typed; apply.
	in := &lineReader{lines: []string{"2", "", "", "", "", "", "", "", "", "", "Calculator-Users", "jane@example.com", "y", "2", "1"}}
	got, err := RunAccessible(o.Context, o, in, &out)
	if err != nil {
		t.Fatalf("RunAccessible: %v\n%s", err, out.String())
	}
	if !got.Applied || got.Result.UserToken == nil || !got.Result.UserToken.Verified {
		t.Fatalf("outcome = %+v\n%s", got, out.String())
	}
	if len(got.Exports) != 1 {
		t.Fatalf("exports written = %v, want the json one\n%s", got.Exports, out.String())
	}
	for _, want := range []string{"Calculator-Users", "jane@example.com", "✓ created user", "✓ wrote ", "RS256 (default)", "Write an export?"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("line mode output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "(default: ") {
		t.Fatalf("line mode says a select's default in its title too (it marks the option):\n%s", out.String())
	}
}

func TestAccessibleLineModeChecksAnExistingSetup(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	o := sandboxOptions(t, sb)
	var out bytes.Buffer
	in := &lineReader{lines: []string{"3", "1", "", "", "", "", "", "", "", "", ""}} // check, wso2, keep the rest
	got, err := RunAccessible(o.Context, o, in, &out)
	if err != nil {
		t.Fatalf("RunAccessible: %v\n%s", err, out.String())
	}
	// Nothing was made on this tenant: the resource server check fails.
	if got.Applied || len(got.Checks) == 0 || !steps.DoctorFailed(got.Checks) {
		t.Fatalf("outcome = %+v\n%s", got, out.String())
	}
	if txt := PlainSummary(got, false); !strings.Contains(txt, "FAIL") || !strings.Contains(txt, "fix:") {
		t.Fatalf("plain text of the checks:\n%s", txt)
	}
}

// promptReader answers each of line mode's prompts by what it asks: at a
// Read, the output ends with the prompt just written (huh writes it, then
// reads, on one goroutine), so answer sees the output so far and returns the
// line to type. No count of questions is assumed; a question asked again
// and again ends the input after maxReads.
type promptReader struct {
	out    *bytes.Buffer
	answer func(out, prompt string) string
	reads  int
}

const maxReads = 200

func (r *promptReader) Read(p []byte) (int, error) {
	r.reads++
	if r.reads > maxReads {
		return 0, io.EOF
	}
	text := r.out.String()
	prompt := text[strings.LastIndex(text, "\n")+1:]
	return copy(p, r.answer(text, prompt)+"\n"), nil
}

// lastTitle is the question a numbered prompt belongs to: the line before
// its options.
func lastTitle(out string) string {
	lines := strings.Split(out, "\n")
	for i := len(lines) - 2; i >= 0; i-- {
		if l := lines[i]; l != "" && !(len(l) > 2 && l[0] >= '0' && l[0] <= '9' && strings.Contains(l[:3], ".")) {
			return l
		}
	}
	return ""
}

// exportsThenDoctor answers the export question with each of formats in
// turn, then none, and yes to the doctor; every other question is left at
// its default, and the plan applied.
func exportsThenDoctor(formats ...string) func(out, prompt string) string {
	return func(out, prompt string) string {
		switch {
		case strings.HasPrefix(prompt, "Apply this plan?"), strings.HasPrefix(prompt, "Run the doctor's checks"):
			return "y"
		case strings.HasPrefix(prompt, "Enter a number") && strings.HasPrefix(lastTitle(out), "Write an export?"):
			if len(formats) == 0 {
				return "1"
			}
			f := formats[0]
			formats = formats[1:]
			for _, l := range strings.Split(out[strings.LastIndex(out, "Write an export?"):], "\n") {
				if n, name, ok := strings.Cut(l, ". "); ok && name == f {
					return n
				}
			}
			return "no such format " + f
		}
		return ""
	}
}

// The wso2 playbook through WSO2 itself in line mode: the API Manager step
// checks the stand-in's versions and credentials (the password given as the
// environment gives it), the run registers the key manager and generates
// the keys in WSO2, every export is written, the doctor passes, and the
// plain summary has WSO2's side.
func TestAccessibleWSO2ThroughTheAPIManager(t *testing.T) {
	t.Parallel()
	sb, w := newWSO2Sandbox(t)
	o := wso2Options(t, sb, w)
	o.Settings.WSO2AdminPassword = w.AdminPassword
	var out bytes.Buffer
	got, err := RunAccessible(o.Context, o, &promptReader{out: &out, answer: exportsThenDoctor("json", "dotenv", "wso2")}, &out)
	if err != nil {
		t.Fatalf("RunAccessible: %v\n%s", err, out.String())
	}
	text := out.String()
	if !got.Applied || got.Result.WSO2 == nil || !got.Result.WSO2.Token.Verified {
		t.Fatalf("outcome %+v\n%s", got, text)
	}
	for _, want := range []string{"✓ WSO2 answers: Admin REST API", "the credentials work", "Key managers registered now:",
		"create WSO2 key manager", "create WSO2 application", "✓ created wso2_key_manager", "Step 7 of 7: Summary",
		"1. WSO2 API Manager 3.2.0 with Auth0 (default)", "regular_web (default)", "1. none: done (default)"} {
		if !strings.Contains(text, want) {
			t.Errorf("line mode output lacks %q", want)
		}
	}
	if len(got.Exports) != 3 {
		t.Errorf("exports %v, want json, dotenv and wso2", got.Exports)
	}
	if len(got.Checks) == 0 || steps.DoctorFailed(got.Checks) {
		t.Errorf("the doctor after the run: %+v", got.Checks)
	}
	plain := PlainSummary(got, false)
	for _, want := range []string{"WSO2 API Manager " + w.URL, "WSO2 key manager created Auth0 (" + got.Result.WSO2.KeyManagerID + ")",
		"WSO2 application created Auth0WizardApp (" + got.Result.WSO2.ApplicationID + ")", "Consumer key     " + got.Result.ClientID, "WSO2 token       ✓ verified", "PASS"} {
		if !strings.Contains(plain, want) {
			t.Errorf("plain summary lacks %q:\n%s", want, plain)
		}
	}
	if strings.Contains(text+plain, w.AdminPassword) || strings.Contains(text+plain, got.Result.ClientSecret) {
		t.Error("line mode or the plain summary printed a secret")
	}
	if t.Failed() {
		t.Log(text)
	}
}

// A wrong admin password fails the API Manager's check with what to do, the
// step is asked again, and after the last attempt line mode stops before
// any change.
func TestAccessibleAPIManagerRefusesAWrongPassword(t *testing.T) {
	t.Parallel()
	sb, w := newWSO2Sandbox(t)
	o := wso2Options(t, sb, w)
	o.Settings.WSO2AdminPassword = "not-the-password"
	var out bytes.Buffer
	got, err := RunAccessible(o.Context, o, &promptReader{out: &out, answer: exportsThenDoctor()}, &out)
	if err == nil || got.Started {
		t.Fatalf("err %v, outcome %+v\n%s", err, got, out.String())
	}
	text := out.String()
	if n := strings.Count(text, "Asking the API Manager"); n != maxAttempts {
		t.Errorf("checked %d times, want %d", n, maxAttempts)
	}
	if !strings.Contains(text, "leave the password empty to do WSO2's side by hand") || !strings.Contains(text, "Try again.") {
		t.Errorf("no fix said:\n%s", text)
	}
}

// Step 3.3 in line mode: with WSO2's side by hand, the applications WSO2's
// connector made are listed, the one picked is authorized for the API by
// the run, the one left is not.
func TestAccessibleAuthorizesConnectorApplications(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	o := sandboxOptions(t, sb)
	c, err := o.NewClient(o.Settings)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, name := range []string{"adminOrders_PRODUCTION", "adminBilling_SANDBOX"} {
		app, err := c.CreateClient(o.Context, steps.App{Name: name, AppType: "regular_web", TokenEndpointAuthMethod: "client_secret_basic",
			GrantTypes: []string{steps.GrantClientCredentials}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, app.ClientID)
	}
	var out bytes.Buffer
	picked := false
	answer := exportsThenDoctor()
	in := &promptReader{out: &out, answer: func(text, prompt string) string {
		if strings.HasPrefix(prompt, "Enter a number between 0 and 2") {
			if !picked {
				picked = true
				for _, l := range strings.Split(text, "\n") {
					if n, rest, ok := strings.Cut(strings.TrimLeft(l, " "), ". "); ok && strings.Contains(rest, "adminOrders_PRODUCTION") {
						return strings.TrimLeft(n, " ")
					}
				}
			}
			return "0"
		}
		return answer(text, prompt)
	}}
	got, err := RunAccessible(o.Context, o, in, &out)
	if err != nil || !got.Applied {
		t.Fatalf("RunAccessible: %v %+v\n%s", err, got, out.String())
	}
	text := out.String()
	if !strings.Contains(text, "Listing the applications WSO2's connector made (step 3.3)") || !strings.Contains(text, "✓ 1 to authorize for the API: "+ids[0]) {
		t.Errorf("line mode did not offer or say step 3.3:\n%s", text)
	}
	aud := got.Result.Audience
	if _, err := c.FindClientGrant(o.Context, ids[0], aud); err != nil {
		t.Errorf("the picked application is not authorized for %s: %v", aud, err)
	}
	if _, err := c.FindClientGrant(o.Context, ids[1], aud); err == nil {
		t.Errorf("the application left unpicked was authorized")
	}
}

// "Check an existing setup" in line mode asks what to check: a setup made
// with custom names passes when the names are typed, and its journal is
// offered as the default when it is there.
func TestAccessibleChecksASetupMadeWithCustomNames(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	o := sandboxOptions(t, sb)
	p, _ := steps.PlaybookByID(steps.WSO2)
	set := p.WithDefaults(steps.Settings{Domain: sb.Domain, ClientID: sb.ClientID, ClientSecret: sb.ClientSecret, Audience: sb.Audience,
		APIIdentifier: "https://calc.example.com", APIName: "Calculator", AppName: "Calculator client"})
	c, err := o.NewClient(set)
	if err != nil {
		t.Fatal(err)
	}
	j, err := steps.OpenJournal(o.JournalPath, false)
	if err != nil {
		t.Fatal(err)
	}
	e := steps.NewEngine(c)
	pl, err := e.Plan(o.Context, p, set, j)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Apply(o.Context, p, set, pl, j, nil); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name    string
		answers map[string]string // by the start of the prompt
		journal bool
	}{
		{"by the names", map[string]string{"Journal of the run": "", "API identifier": "https://calc.example.com", "Application name": "Calculator client"}, false},
		{"by the journal offered", map[string]string{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := o
			if tc.journal {
				o.ExistingJournals = []string{o.JournalPath}
			}
			var out bytes.Buffer
			in := &promptReader{out: &out, answer: func(text, prompt string) string {
				if strings.HasPrefix(prompt, "Enter a number") && strings.HasPrefix(lastTitle(text), "What do you want") {
					return "3"
				}
				for k, v := range tc.answers {
					if strings.HasPrefix(prompt, k) {
						return v
					}
				}
				return ""
			}}
			got, err := RunAccessible(o.Context, o, in, &out)
			if err != nil {
				t.Fatalf("RunAccessible: %v\n%s", err, out.String())
			}
			text := out.String()
			if !strings.Contains(text, "Step 3 of 4: What to check") || !strings.Contains(text, "Step 4 of 4: Checks") {
				t.Errorf("no what-to-check step:\n%s", text)
			}
			if tc.journal && !strings.Contains(text, "Journal of the run that made it ["+o.JournalPath+"]") {
				t.Errorf("the journal there is not offered:\n%s", text)
			}
			if len(got.Checks) == 0 || steps.DoctorFailed(got.Checks) {
				t.Errorf("checks of the custom-named setup:\n%s\n%s", checksText(got.Checks, 0), text)
			}
		})
	}
}

// Line mode wraps to the terminal it is given (here 100 columns): the
// explanations use the room and keep every word whole.
func TestAccessibleWrapsToTheTerminalWidth(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	o := sandboxOptions(t, sb)
	o.Width = 100
	var out bytes.Buffer
	got, err := RunAccessible(o.Context, o, &promptReader{out: &out, answer: exportsThenDoctor()}, &out)
	if err != nil || !got.Applied {
		t.Fatalf("RunAccessible: %v %+v\n%s", err, got, out.String())
	}
	text := out.String()
	wide := 0
	for _, line := range strings.Split(text, "\n") {
		w := lipWidth(line)
		if w > 80 {
			wide++
		}
		if w > 100 && !strings.Contains(line, "://") && !strings.Contains(line, "/tmp") {
			t.Errorf("line wider than the terminal (100): %q", line)
		}
	}
	if wide == 0 {
		t.Error("no line wider than 80: line mode does not use the terminal's width")
	}
	flat := strings.Join(strings.Fields(text), " ")
	p, _ := steps.PlaybookByID(steps.WSO2)
	for _, st := range p.Steps {
		if st.Kind == steps.StepSummary || st.Explain == "" {
			continue
		}
		for _, para := range strings.Split(reflow(st.Explain), "\n") {
			if !strings.Contains(flat, para) {
				t.Errorf("the %s explanation is not there word for word (a word was broken?): %q", st.ID, para)
			}
		}
	}
}

// Line mode wraps at spaces only: a word wider than the line (a long URL)
// stays whole on its own line, every other line fits, and no word is cut.
func TestWrapWordsNeverBreaksAWord(t *testing.T) {
	t.Parallel()
	long := "https://INSTANCE.developer.azure-api.net/signin-oauth/code/callback/a-long-authorization-server"
	text := "add its redirect URI " + long + " under Applications → Settings → Allowed Callback URLs\nsecond paragraph here"
	for _, width := range []int{20, 40, 80} {
		got := wrapWords(text, width)
		var words []string
		for _, l := range strings.Split(got, "\n") {
			if lipWidth(l) > width && strings.Contains(l, " ") {
				t.Errorf("width %d: line %q is wider and holds more than one word", width, l)
			}
			if strings.HasPrefix(l, " ") || strings.HasSuffix(l, " ") {
				t.Errorf("width %d: line %q keeps a space at the break", width, l)
			}
			words = append(words, strings.Fields(l)...)
		}
		if want := strings.Fields(text); !slices.Equal(words, want) {
			t.Errorf("width %d: words %q, want %q", width, words, want)
		}
		if !strings.Contains(got, "\n"+long+"\n") {
			t.Errorf("width %d: the URL is not whole on its own line:\n%s", width, got)
		}
		if !strings.Contains(got, "URLs\nsecond") {
			t.Errorf("width %d: the paragraphs ran together:\n%s", width, got)
		}
	}
}

// A journal to check that is not there is said, and what to check asked
// again: the journal cleared, the names' defaults are checked.
func TestAccessibleCheckAsksAgainForAMissingJournal(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	o := sandboxOptions(t, sb)
	missing := o.JournalPath + ".gone"
	journals := []string{missing, "-"}
	var out bytes.Buffer
	in := &promptReader{out: &out, answer: func(text, prompt string) string {
		switch {
		case strings.HasPrefix(prompt, "Enter a number") && strings.HasPrefix(lastTitle(text), "What do you want"):
			return "3"
		case strings.HasPrefix(prompt, "Journal of the run") && len(journals) > 0:
			j := journals[0]
			journals = journals[1:]
			return j // "-": cleared (an empty answer keeps the value)
		}
		return ""
	}}
	got, err := RunAccessible(o.Context, o, in, &out)
	text := out.String()
	if err != nil {
		t.Fatalf("RunAccessible: %v\n%s", err, text)
	}
	if flat := strings.Join(strings.Fields(text), " "); !strings.Contains(flat, "✗ the journal "+missing+" cannot be read") || !strings.Contains(text, "Try again.") {
		t.Errorf("the missing journal is not said:\n%s", text)
	}
	// Nothing was made on this tenant: the checks ran, and failed.
	if len(got.Checks) == 0 || !steps.DoctorFailed(got.Checks) {
		t.Errorf("checks %+v\n%s", got.Checks, text)
	}
}

// TestAccessibleClearsAPrefilledOptionalValue: an optional value given
// before (a config file's APIM instance, say) is cleared by answering "-",
// as the line prompt keeps a value on an empty answer; a required one is
// offered no "-".
func TestAccessibleClearsAPrefilledOptionalValue(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	o := sandboxOptions(t, sb)
	o.Settings.APIMInstance = "contoso-apim"
	var out bytes.Buffer
	// As TestAccessibleLineModeAzureWithTypedAnswers, with "-" for the APIM instance.
	in := &lineReader{lines: []string{"2", "", "", "", "", "", "", "", "-", "", "", "jane@example.com", "y", "2", "1"}}
	got, err := RunAccessible(o.Context, o, in, &out)
	if err != nil {
		t.Fatalf("RunAccessible: %v\n%s", err, out.String())
	}
	if !got.Applied || got.Settings.APIMInstance != "" {
		t.Fatalf("applied %v, APIM instance %q after answering -, want it empty\n%s", got.Applied, got.Settings.APIMInstance, out.String())
	}
	text := out.String()
	if !strings.Contains(text, "[contoso-apim] (- clears it)") {
		t.Fatalf("the prefilled optional value is not offered a clear:\n%s", text)
	}
	if strings.Contains(text, "[Azure API Management] (- clears it)") {
		t.Fatalf("a required (defaulted) value is offered a clear:\n%s", text)
	}
}

// TestAccessibleLineModePreparesAClass: "prepare a class" in line mode, as
// on the screens: its questions (azure, 3 attendees named typed, the
// handouts' folder), the tenant and management steps, what will be made
// and the question before the tenant changes; then a line an action, the
// handouts written, and the outcome cmd prints the class from.
func TestAccessibleLineModePreparesAClass(t *testing.T) {
	t.Parallel()
	o, dir := classOptions(t)
	var out bytes.Buffer
	// class; azure; 3 attendees; prefix typed; the folder typed; tenant,
	// client id, audience kept; yes.
	in := &lineReader{lines: []string{"4", "2", "3", "trainee", dir, "", "", "", "y"}}
	got, err := RunAccessible(o.Context, o, in, &out)
	text := out.String()
	if err != nil || got.Err != nil || got.Aborted {
		t.Fatalf("RunAccessible: %v, outcome err %v, aborted %v\n%s", err, got.Err, got.Aborted, text)
	}
	k := got.Kits
	if k == nil || k.Dir != dir || len(k.Result.Kits) != 3 || k.Result.Complete() != 3 || k.Result.Playbook != steps.Azure {
		t.Fatalf("kits outcome = %+v\n%s", k, text)
	}
	if len(k.Files) != 4 { // a handout each and kits.csv
		t.Fatalf("handouts written = %v, want 3 and kits.csv", k.Files)
	}
	for _, want := range []string{"4. Prepare a class (one kit per attendee)", "How many attendees? (one kit each, 1 to 500) [10]",
		"Step 1 of 3: Tenant", "Step 2 of 3: Management application", "Step 3 of 3: Prepare a class",
		"3 kits of the Auth0 for Azure API Management playbook", "attendees: trainee-01 … trainee-03",
		"Make 3 azure kits on ", "✓ created client#03", "✓ done token#02", "17/17 · "} {
		if !strings.Contains(text, want) {
			t.Fatalf("line mode output lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "… client#") {
		t.Fatalf("line mode says every action's start too (a line a finished action is enough):\n%s", text)
	}
	for _, kit := range k.Result.Kits {
		if strings.Contains(text, kit.ClientSecret) || strings.Contains(text, kit.UserPassword) {
			t.Fatalf("line mode printed %s's secret or password", kit.Label)
		}
	}
}

// An empty answer keeps a class question's value, as every line-mode
// input does (huh checks the empty answer before it keeps the value), and
// a "no" changes nothing.
func TestAccessibleLineModeClassKeepsDefaultsAndAsks(t *testing.T) {
	t.Parallel()
	o, _ := classOptions(t)
	var out bytes.Buffer
	in := &lineReader{lines: []string{"4", "", "", "", "", "", "", "", "n"}}
	got, err := RunAccessible(o.Context, o, in, &out)
	text := out.String()
	if err != nil || !got.Aborted || got.Kits != nil || got.Started {
		t.Fatalf("RunAccessible: %v, outcome %+v\n%s", err, got, text)
	}
	for _, want := range []string{"10 kits of the WSO2 API Manager 3.2.0 with Auth0 playbook", "attendees: attendee-01 … attendee-10", "handouts: " + defaultKitsOut} {
		if !strings.Contains(text, want) {
			t.Fatalf("line mode output lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "type a number of attendees") {
		t.Fatalf("an empty answer to the count was refused:\n%s", text)
	}
}

// Line mode asks a class's test user's email when none is given, again
// when the answer is not one, and says kits that cannot be made before it
// asks to make them.
func TestAccessibleLineModeClassAsksEmailAndRefusesFirst(t *testing.T) {
	t.Parallel()
	o, dir := classOptions(t)
	o.Settings.UserEmail = ""
	var out bytes.Buffer
	in := &lineReader{lines: []string{"4", "2", "2", "", dir, "", "", "", "jane", "trainer@school.example", "y"}}
	got, err := RunAccessible(o.Context, o, in, &out)
	text := out.String()
	if err != nil || got.Err != nil || got.Kits == nil || got.Kits.Result.Complete() != 2 {
		t.Fatalf("RunAccessible: %v, outcome %+v\n%s", err, got, text)
	}
	if !strings.Contains(text, "that is not an email address") || got.Kits.Result.Kits[1].UserEmail != "attendee-02@school.example" {
		t.Fatalf("the email was not asked again, or not used (%q):\n%s", got.Kits.Result.Kits[1].UserEmail, text)
	}

	o, dir = classOptions(t)
	o.Settings.AppName = strings.Repeat("a", 195)
	out.Reset()
	in = &lineReader{lines: []string{"4", "2", "2", "", dir, "", "", "", "y"}}
	got, err = RunAccessible(o.Context, o, in, &out)
	text = out.String()
	if err != nil || got.Err == nil || !strings.Contains(got.Err.Error(), "these kits cannot be made: the attendees' application names") || got.Started {
		t.Fatalf("RunAccessible: %v, outcome err %v, started %v\n%s", err, got.Err, got.Started, text)
	}
	if strings.Contains(text, "Make 2 azure kits") {
		t.Fatalf("kits that cannot be made were offered:\n%s", text)
	}
}
