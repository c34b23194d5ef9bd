package steps_test

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
	"github.com/auth0-wizard/auth0-wizard/wso2sandbox"
)

// A run that worked through WSO2 has WSO2's side in the report every front
// end lays out (the key manager and the application with what the run did
// and their ids, the keys, the token WSO2 generated) and in the JSON output,
// as the `wso2` object `apply --output json` has always had; a run that did
// not has neither.
func TestReportAndOutputHaveWSO2sSide(t *testing.T) {
	t.Parallel()
	f := startWSO2(t, wso2sandbox.GenerationGuide)
	ctx := context.Background()
	plan, err := f.e.Plan(ctx, f.p, f.s, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.e.Apply(ctx, f.p, f.s, plan, nil, nil)
	if err != nil {
		t.Fatal(err)
	}

	section := func(reveal bool) steps.Section {
		t.Helper()
		for _, sec := range steps.Report(res, reveal) {
			if strings.HasPrefix(sec.Title, "WSO2") {
				return sec
			}
		}
		t.Fatalf("Report has no WSO2 section: %+v", steps.Report(res, reveal))
		return steps.Section{}
	}
	sec := section(false)
	if !strings.Contains(sec.Title, f.w.URL) {
		t.Errorf("WSO2 section title %q lacks the API Manager URL %s", sec.Title, f.w.URL)
	}
	rows := map[string]steps.KeyValue{}
	for _, r := range sec.Rows {
		rows[r.Key] = r
	}
	km, app := rows["key_manager"], rows["application"]
	if want := []string{"key manager", "created", f.s.KeyManagerName, res.WSO2.KeyManagerID}; !slices.Equal(km.Cells, want) {
		t.Errorf("key manager row %+v, want cells %q", km, want)
	}
	if want := []string{"application", "created", f.s.WSO2AppName, res.WSO2.ApplicationID}; !slices.Equal(app.Cells, want) {
		t.Errorf("application row %+v, want cells %q", app, want)
	}
	if !strings.Contains(km.Value, res.WSO2.KeyManagerID) || !strings.Contains(app.Value, f.s.WSO2AppName) {
		t.Errorf("rows' values lack the name or id: %q, %q", km.Value, app.Value)
	}
	if rows["consumer_key"].Value != res.ClientID || rows["consumer_secret"].Value != steps.Masked {
		t.Errorf("keys %q / %q, want the consumer key %s and the secret masked", rows["consumer_key"].Value, rows["consumer_secret"].Value, res.ClientID)
	}
	if !strings.Contains(rows["token"].Value, "✓ verified") {
		t.Errorf("token row %q, want the WSO2 token verified", rows["token"].Value)
	}
	if got := section(true); !slices.ContainsFunc(got.Rows, func(r steps.KeyValue) bool { return r.Value == res.ClientSecret }) {
		t.Error("Report(reveal=true) does not show the consumer secret")
	}

	data, err := json.Marshal(steps.Output(res, false))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	w, ok := doc["wso2"].(map[string]any)
	if !ok {
		t.Fatalf("output has no wso2 object: %s", data)
	}
	if keys := slices.Sorted(maps.Keys(w)); !slices.Equal(keys, []string{"application_id", "key_manager_id", "token", "url"}) {
		t.Errorf("wso2 keys %v", keys)
	}
	tok, _ := w["token"].(map[string]any)
	if w["url"] != f.w.URL || w["key_manager_id"] != res.WSO2.KeyManagerID || w["application_id"] != res.WSO2.ApplicationID ||
		len(tok) != 1 || tok["verified"] != true {
		t.Errorf("wso2 object %v", w)
	}
	if strings.Contains(string(data), res.ClientSecret) {
		t.Error("the output holds the secret unrevealed")
	}
}

func TestReportAndOutputWithoutWSO2(t *testing.T) {
	t.Parallel()
	sb, c := startSandbox(t, sandbox.Options{})
	p, _ := steps.PlaybookByID(steps.Azure)
	e := steps.NewEngine(c)
	s := settings(sb, p.ID)
	plan, err := e.Plan(context.Background(), p, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Apply(context.Background(), p, s, plan, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, sec := range steps.Report(res, false) {
		if strings.HasPrefix(sec.Title, "WSO2") {
			t.Errorf("an azure run's report has a WSO2 section: %+v", sec)
		}
	}
	data, _ := json.Marshal(steps.Output(res, false))
	if strings.Contains(string(data), `"wso2"`) {
		t.Errorf("an azure run's output has a wso2 key: %s", data)
	}
}
