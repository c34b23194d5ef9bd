package sandbox

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestStateKeepsAddressAndCA: a saved tenant restarted from its state file
// listens at the same address (so its domain, issuer and audience stay) and
// serves a certificate of the same CA, whose file is next to the state.
func TestStateKeepsAddressAndCA(t *testing.T) {
	state := filepath.Join(t.TempDir(), "tenant.json")
	first, err := New(Options{StateFile: state, signingKey: testKey()})
	if err != nil {
		t.Fatal(err)
	}
	base, ca, caFile, clientID := first.BaseURL, first.CAPEM, first.CAFile, first.ClientID
	if caFile != filepath.Join(filepath.Dir(state), "tenant.ca.pem") {
		t.Errorf("CA file %s, want it next to the state", caFile)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	second, err := New(Options{StateFile: state})
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	if second.BaseURL != base || second.ClientID != clientID || len(second.Warnings) != 0 {
		t.Fatalf("restarted at %s (client %s, warnings %v), want %s (client %s)", second.BaseURL, second.ClientID, second.Warnings, base, clientID)
	}
	if !bytes.Equal(second.CAPEM, ca) {
		t.Fatal("restarted with another CA: the CA file clients trust went stale")
	}
	onDisk, err := os.ReadFile(second.CAFile)
	if err != nil || !bytes.Equal(onDisk, ca) {
		t.Fatalf("CA file %s after restart: %v", second.CAFile, err)
	}
	// The client trusting that CA reaches the restarted tenant.
	resp, err := second.Client().Get(second.BaseURL + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	// Its port taken, a saved tenant still starts, on a free port, and says so.
	third, err := New(Options{StateFile: state})
	if err != nil {
		t.Fatal(err)
	}
	defer third.Close()
	if third.BaseURL == base || len(third.Warnings) == 0 {
		t.Fatalf("with its port busy: %s, warnings %v; want another port and a warning", third.BaseURL, third.Warnings)
	}
}
