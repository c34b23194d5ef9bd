// Package assets holds the wizard's embedded data: the explanation text of
// every playbook step (texts/<playbook>-<step>.md) and the templates the
// exports are rendered from (templates/).
package assets

import (
	"embed"
	"strings"
)

// FS holds texts/*.md and templates/*.
//
//go:embed texts/*.md templates/*
var FS embed.FS

// Text returns the explanation text named name (e.g. "wso2-application"),
// without its trailing newline, or "" when there is none.
func Text(name string) string {
	b, err := FS.ReadFile("texts/" + name + ".md")
	if err != nil {
		return ""
	}
	return strings.TrimRight(string(b), "\n")
}

// Template returns the export template named name (e.g.
// "azure-policy.xml.tmpl"), or "" when there is none.
func Template(name string) string {
	b, err := FS.ReadFile("templates/" + name)
	if err != nil {
		return ""
	}
	return string(b)
}
