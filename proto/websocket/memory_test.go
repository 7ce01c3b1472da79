package websocket

import (
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
)

// TestConnSize: what an idle connection holds of the package's is its
// Conn, 32 bytes on a 64-bit system (the package documentation says so):
// three pointers and a word of small fields.
func TestConnSize(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("the figure is for 64-bit systems")
	}
	require.Equal(t, uintptr(32), unsafe.Sizeof(Conn{}))
}
