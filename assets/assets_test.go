package assets

import (
	"strings"
	"testing"
)

func TestTextsAreShort(t *testing.T) {
	t.Parallel()
	entries, err := FS.ReadDir("texts")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) == 0 {
		t.Fatal("no texts embedded")
	}
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".md")
		txt := Text(name)
		if txt == "" {
			t.Errorf("%s: empty", name)
		}
		if n := strings.Count(txt, "\n") + 1; n > 8 {
			t.Errorf("%s: %d lines, want at most 8", name, n)
		}
	}
}

func TestMissing(t *testing.T) {
	t.Parallel()
	if Text("nope") != "" || Template("nope") != "" {
		t.Fatal("missing asset should be empty")
	}
	if Template("azure-policy.xml.tmpl") == "" || Template("dotenv.tmpl") == "" {
		t.Fatal("templates not embedded")
	}
}
