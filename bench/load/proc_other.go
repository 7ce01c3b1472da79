//go:build !linux

package load

import (
	"errors"
	"fmt"
	"time"
)

// errNoProc is what the /proc readers return where there is no Linux /proc.
var errNoProc = fmt.Errorf("load: reading another process's CPU time and memory needs Linux /proc: %w", errors.ErrUnsupported)

// ProcessCPU returns the CPU time that process pid has used so far. It needs
// Linux's /proc; here it returns an error matching errors.ErrUnsupported.
func ProcessCPU(pid int) (time.Duration, error) { return 0, errNoProc }

// ProcessRSS returns the resident set size of process pid in bytes. It
// needs Linux's /proc; here it returns an error matching
// errors.ErrUnsupported.
func ProcessRSS(pid int) (int64, error) { return 0, errNoProc }
