package main

import (
	"net"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestUDPEcho: -network udp (and udp6, unixgram) echoes each datagram to
// its sender, whole, and SIGTERM ends the server with its counters.
func TestUDPEcho(t *testing.T) {
	for _, tc := range []struct{ network, addr string }{
		{"udp", "127.0.0.1:0"},
		{"udp6", "[::1]:0"},
		{"unixgram", ""},
	} {
		t.Run(tc.network, func(t *testing.T) {
			addr := tc.addr
			if addr == "" {
				addr = filepath.Join(t.TempDir(), "echo.sock")
			}
			s := startServer(t, "-network "+tc.network+" -addr "+addr+" -loops 2")
			var c net.Conn
			var err error
			if tc.network == "unixgram" {
				local := &net.UnixAddr{Name: filepath.Join(t.TempDir(), "client.sock"), Net: "unixgram"}
				c, err = net.DialUnix("unixgram", local, &net.UnixAddr{Name: s.addr, Net: "unixgram"})
			} else {
				c, err = net.Dial(tc.network, s.addr)
			}
			require.NoError(t, err)
			defer c.Close()
			buf := make([]byte, 70000)
			for _, n := range []int{1, 64, 1400, 9000} {
				msg := make([]byte, n)
				for i := range msg {
					msg[i] = byte(i * 13)
				}
				_, err := c.Write(msg)
				require.NoError(t, err)
				c.SetReadDeadline(time.Now().Add(10 * time.Second))
				k, err := c.Read(buf)
				require.NoError(t, err)
				require.Equal(t, msg, buf[:k], "a %d-byte datagram", n)
			}
			require.NoError(t, s.cmd.Process.Signal(syscall.SIGTERM))
			var last string
			for line := range s.lines {
				last = line
			}
			require.Equal(t, 4, counter(t, last, "packets_in"), last)
			require.Equal(t, 4, counter(t, last, "packets_out"), last)
			require.NoError(t, s.cmd.Wait())
		})
	}
}
