package testkit

import (
	"os"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestOpenFDsSeesAPipe: the two fds of a new pipe appear in Since, with
// what they refer to where the system says, and are gone once closed.
func TestOpenFDsSeesAPipe(t *testing.T) {
	before := OpenFDs(t)
	r, w, err := os.Pipe()
	require.NoError(t, err)
	during := OpenFDs(t)
	require.ElementsMatch(t, []int{int(r.Fd()), int(w.Fd())}, during.Since(before))
	if runtime.GOOS == "linux" {
		require.Contains(t, during.Describe(during.Since(before)), "pipe:")
	}
	r.Close()
	w.Close()
	require.Empty(t, OpenFDs(t).Since(before))
}

// TestWaitUntil returns once the condition holds.
func TestWaitUntil(t *testing.T) {
	n := 0
	WaitUntil(t, "the third call", func() bool { n++; return n == 3 })
	require.Equal(t, 3, n)
}

// TestCerts: the server certificate verifies against the CA, and the
// configs fit together.
func TestCerts(t *testing.T) {
	p := Certs(t)
	require.Same(t, p, Certs(t))
	require.NotNil(t, ServerTLS(t).Certificates[0].Leaf)
	require.Equal(t, p.CA.Pool, ClientTLS(t).RootCAs)
}
