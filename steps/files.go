package steps

import (
	"os"

	"github.com/auth0-wizard/auth0-wizard/internal/atomicfile"
)

// WriteFileAtomic is atomicfile.Write, kept for its callers in ui/ and the
// journal until they call atomicfile.Write themselves; then it goes.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	return atomicfile.Write(path, data, perm)
}
