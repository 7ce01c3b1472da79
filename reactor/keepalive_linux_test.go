package reactor

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// TestKeepAlive: accepted and dialed TCP connections have keepalive on,
// with the period of WithKeepAlive (default 15 s); WithKeepAlive(0) turns
// it off.
func TestKeepAlive(t *testing.T) {
	for _, tc := range []struct {
		opts []Option
		on   bool
		secs int
	}{
		{nil, true, 15},
		{[]Option{WithKeepAlive(1500 * time.Millisecond)}, true, 2},
		{[]Option{WithKeepAlive(0)}, false, 0},
	} {
		got := make(chan [2]int, 2)
		rec := newRecorder(t)
		rec.open = func(c *Conn) {
			on, err1 := unix.GetsockoptInt(c.Fd(), unix.SOL_SOCKET, unix.SO_KEEPALIVE)
			idle, err2 := unix.GetsockoptInt(c.Fd(), unix.IPPROTO_TCP, unix.TCP_KEEPIDLE)
			if err1 != nil || err2 != nil {
				on, idle = -1, -1
			}
			got <- [2]int{on, idle}
		}
		l, addr := serve(t, rec, tc.opts...)
		dial(t, "tcp", addr)
		dialErr := make(chan error, 1)
		require.NoError(t, l.Post(func() {
			_, err := l.Dial("tcp", addr, time.Second)
			dialErr <- err
		}))
		require.NoError(t, <-dialErr)
		for _, who := range []string{"one", "the other"} {
			v := <-got
			require.NotEqual(t, -1, v[0], "getsockopt failed")
			require.Equal(t, tc.on, v[0] != 0, "%s: SO_KEEPALIVE with %d options", who, len(tc.opts))
			if tc.on {
				require.Equal(t, tc.secs, v[1], "%s: TCP_KEEPIDLE", who)
			}
		}
	}
}
