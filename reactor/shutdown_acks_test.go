package reactor

import (
	"bytes"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// TestShutdownWaitsForAcksWithoutSpinning: on Stop, a connection whose
// output has all been handed to the kernel but not yet acknowledged by a
// slow reader keeps the loop from returning until it is, so that nothing
// is reset; meanwhile the loop looks again at growing intervals rather
// than every millisecond.
func TestShutdownWaitsForAcksWithoutSpinning(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		// The server's send buffer takes the whole output, and the
		// client's small receive buffer leaves most of it unacknowledged.
		want := payload(512 << 10)
		rec := newRecorder(t)
		rec.open = func(c *Conn) {
			require.NoError(t, unix.SetsockoptInt(c.Fd(), unix.SOL_SOCKET, unix.SO_SNDBUF, 2<<20))
			c.Write(want)
			c.Close()
		}
		l, addr, done := startLoop(t, rec, opt, WithLinger(time.Minute), WithGracePeriod(time.Minute))
		d := net.Dialer{Timeout: testkit.Limit, Control: func(_, _ string, rc syscall.RawConn) error {
			var err error
			rc.Control(func(fd uintptr) { err = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF, 32<<10) })
			return err
		}}
		c, err := d.Dial("tcp", addr)
		require.NoError(t, err)
		defer c.Close()
		require.NoError(t, c.SetDeadline(time.Now().Add(testkit.Limit)))
		require.NoError(t, rec.nextClose(t).err) // the output has left the loop: FIN sent
		testkit.WaitUntil(t, "the connection lingering", func() bool { return l.Stats().Lingering == 1 })
		l.Stop()
		waits := l.Stats().Waits
		const pause = 300 * time.Millisecond
		time.Sleep(pause) // the reader is slow: the last bytes wait for it, unacknowledged
		select {
		case err := <-done:
			t.Fatalf("Run returned (%v) before the peer acknowledged the output", err)
		default:
		}
		got, err := io.ReadAll(c)
		require.NoError(t, err)
		require.True(t, bytes.Equal(want, got), "got %d of %d bytes", len(got), len(want))
		waitRun(t, done, "Run once the output was acknowledged")
		passes := l.Stats().Waits - waits
		t.Logf("%d passes while the shutdown waited %v and more for the acknowledgements", passes, pause)
		require.Less(t, passes, uint64(40), "the shutdown looked for acknowledgements too often")
	})
}
