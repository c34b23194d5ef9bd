package atomicfile_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/auth0-wizard/auth0-wizard/internal/atomicfile"
)

func TestWriteReplacesWithTheModeAskedFor(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "export.env")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := atomicfile.Write(path, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if fi.Mode().Perm() != 0o600 || string(data) != "secret" {
		t.Fatalf("after Write: mode %v, content %q; want 0600 and the new content (an existing 0644 file must not keep its mode)", fi.Mode().Perm(), data)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("the folder holds %d entries, want only the file (no temporary left)", len(entries))
	}
}

func TestWriteFailureLeavesNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// The target is a folder: the rename fails, and the temporary goes.
	target := filepath.Join(dir, "taken")
	if err := os.Mkdir(target, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(target, "x"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := atomicfile.Write(target, []byte("data"), 0o600); err == nil {
		t.Fatal("Write over a non-empty folder succeeded")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("the folder holds %d entries after a failed Write, want 1 (the temporary removed)", len(entries))
	}
	if err := atomicfile.Write(filepath.Join(dir, "missing", "f"), nil, 0o600); err == nil {
		t.Fatal("Write into a missing folder succeeded")
	}
}
