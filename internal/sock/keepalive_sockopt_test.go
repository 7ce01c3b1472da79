//go:build darwin || dragonfly || freebsd || linux || netbsd

package sock

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// TestSetKeepAlive: keepalive on, the period rounded up to whole seconds
// for the first probe and between probes, and the probe count.
func TestSetKeepAlive(t *testing.T) {
	fd, err := Socket(unix.AF_INET, unix.SOCK_STREAM)
	require.NoError(t, err)
	defer unix.Close(fd)
	SetKeepAlive(fd, 1500*time.Millisecond)
	for _, opt := range []struct {
		level, name, want int
	}{
		{unix.SOL_SOCKET, unix.SO_KEEPALIVE, 1},
		{unix.IPPROTO_TCP, tcpKeepIdle, 2},
		{unix.IPPROTO_TCP, unix.TCP_KEEPINTVL, 2},
		{unix.IPPROTO_TCP, unix.TCP_KEEPCNT, keepAliveProbes},
	} {
		v, err := unix.GetsockoptInt(fd, opt.level, opt.name)
		require.NoError(t, err)
		if opt.name == unix.SO_KEEPALIVE {
			v = min(v, 1) // some systems answer the option's bit
		}
		require.Equal(t, opt.want, v, "option %d", opt.name)
	}
}
