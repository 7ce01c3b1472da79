package reactor

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

func TestListenNetworks(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		l, err := New(newRecorder(t), opt)
		require.NoError(t, err)
		testkit.CheckLeaks(t)
		sock := filepath.Join(t.TempDir(), "echo.sock")
		addrs := map[string]net.Addr{}
		for _, na := range [][2]string{{"tcp", "127.0.0.1:0"}, {"tcp4", "127.0.0.1:0"}, {"tcp6", "[::1]:0"}, {"unix", sock}} {
			a, err := l.Listen(na[0], na[1])
			if na[0] == "tcp6" && err != nil {
				t.Logf("no IPv6 loopback here: %v", err)
				continue
			}
			require.NoError(t, err, na[0])
			addrs[na[0]] = a
		}
		run(t, l)
		for network, a := range addrs {
			dialNet := network
			if network == "tcp4" || network == "tcp6" {
				dialNet = "tcp"
			}
			c := dial(t, dialNet, a.String())
			require.Equal(t, []byte(network), roundTrip(t, c, []byte(network)), network)
		}
	})
}

func TestListenErrors(t *testing.T) {
	l, err := New(newRecorder(t))
	require.NoError(t, err)
	defer func() {
		l.Stop()
		require.NoError(t, l.Run(context.Background())) // releases the poller
	}()
	_, err = l.Listen("udp", "127.0.0.1:0")
	require.ErrorIs(t, err, ErrNetwork)
	_, err = l.Listen("tcp4", "[::1]:0")
	require.Error(t, err)

	taken, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer taken.Close()
	// SO_REUSEADDR does not let two sockets listen on one port.
	_, err = l.Listen("tcp", taken.Addr().String())
	require.ErrorIs(t, err, syscall.EADDRINUSE)
}

// TestUnixSocketFile: a stale socket file (its listener is gone) is
// replaced; one that is in use, or a file that is not a socket, is not.
func TestUnixSocketFile(t *testing.T) {
	dir := t.TempDir()
	l, err := New(newRecorder(t))
	require.NoError(t, err)

	stale := filepath.Join(dir, "stale.sock")
	old, err := net.Listen("unix", stale)
	require.NoError(t, err)
	old.(*net.UnixListener).SetUnlinkOnClose(false)
	old.Close()
	_, err = os.Stat(stale)
	require.NoError(t, err, "the stale file is still there")
	_, err = l.Listen("unix", stale)
	require.NoError(t, err, "a stale socket file is replaced")

	busy := filepath.Join(dir, "busy.sock")
	other, err := net.Listen("unix", busy)
	require.NoError(t, err)
	defer other.Close()
	_, err = l.Listen("unix", busy)
	require.ErrorIs(t, err, syscall.EADDRINUSE)

	plain := filepath.Join(dir, "plain")
	require.NoError(t, os.WriteFile(plain, []byte("data"), 0o600))
	_, err = l.Listen("unix", plain)
	require.ErrorIs(t, err, syscall.EADDRINUSE)
	data, err := os.ReadFile(plain)
	require.NoError(t, err)
	require.Equal(t, "data", string(data), "a regular file is left alone")

	l.Stop()
	require.NoError(t, l.Run(context.Background()))
	_, err = os.Stat(stale)
	require.True(t, os.IsNotExist(err), "the listener's socket file is removed when it closes")
	_, err = os.Stat(busy)
	require.NoError(t, err, "another process's socket file is untouched")
}

// TestListenFD passes a listening socket's fd into a loop, as systemd
// socket activation or a restarting parent would.
func TestListenFD(t *testing.T) {
	for _, loops := range []int{1, 2} {
		t.Run(fmt.Sprint(loops, " loops"), func(t *testing.T) {
			g, _ := newTestGroup(t, loops)
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			f, err := ln.(*net.TCPListener).File() // a dup of the listening fd
			require.NoError(t, err)
			ln.Close()
			fd, err := unix.Dup(int(f.Fd()))
			require.NoError(t, err)
			f.Close()
			addr, err := g.ListenFD(fd)
			require.NoError(t, err)
			require.Equal(t, ln.Addr().String(), addr.String())
			runGroup(t, g)
			for i := range 4 {
				c := dial(t, "tcp", addr.String())
				msg := []byte(fmt.Sprint("inherited ", i))
				require.Equal(t, msg, roundTrip(t, c, msg))
			}
		})
	}
}

func TestListenFDRefusesOtherSockets(t *testing.T) {
	l, err := New(newRecorder(t))
	require.NoError(t, err)
	defer func() { l.Stop(); l.Run(context.Background()) }()
	a, b := socketpairFDs(t)
	defer unix.Close(b)
	_, err = l.ListenFD(a)
	require.ErrorIs(t, err, unix.EINVAL, "a socket pair is not listening")
	unix.Close(a)
}
