// Package atomicfile writes files so that a reader never sees half of one
// and a secret never sits in a file with a wider mode than asked for.
package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
)

// Write writes data to path through a temporary file in the same folder,
// made with perm before the data goes in, synced, then renamed over path:
// a reader never sees half a file, and a secret never sits in a file with a
// wider mode (os.WriteFile keeps an existing file's mode, 0644 say, even
// when asked for 0600). The journal, every export and the sandbox's saved
// state are written this way.
func Write(path string, data []byte, perm os.FileMode) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close() // already closed on the paths that got that far
			_ = os.Remove(tmp)
			err = fmt.Errorf("write %s: %w", path, err)
		}
	}()
	if err := f.Chmod(perm); err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
