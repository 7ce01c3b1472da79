package sock

import (
	"net"
	"net/netip"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// udpSocket opens a non-blocking UDP socket on 127.0.0.1 and returns it
// with its address; the test closes it.
func udpSocket(t *testing.T) (int, netip.AddrPort) {
	fd, err := Socket(unix.AF_INET, unix.SOCK_DGRAM)
	require.NoError(t, err)
	t.Cleanup(func() { unix.Close(fd) })
	require.NoError(t, unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	sa, err := unix.Getsockname(fd)
	require.NoError(t, err)
	a := sa.(*unix.SockaddrInet4)
	return fd, netip.AddrPortFrom(netip.AddrFrom4(a.Addr), uint16(a.Port))
}

// TestBatchUDP: a batch of datagrams to a destination each leaves with
// one send, arrives whole or marked truncated, and names its sender; on
// Linux one call moves them all, elsewhere (and with each) one per
// datagram.
func TestBatchUDP(t *testing.T) {
	for _, each := range []bool{false, true} {
		a, aAddr := udpSocket(t)
		b, bAddr := udpSocket(t)
		out, in := NewBatch(each), NewBatch(each)
		msgs := [][]byte{[]byte("one"), {}, []byte("three, longer than the buffer")}
		for i, m := range msgs {
			out.SetBuffer(i, m)
			out.DestInet(i, unix.AF_INET, bAddr, 0)
		}
		n, calls, err := out.Send(a, len(msgs))
		require.NoError(t, err)
		require.Equal(t, len(msgs), n)
		bufs := make([]byte, BatchSize*8)
		for i := range BatchSize {
			in.SetBuffer(i, bufs[i*8:(i+1)*8])
		}
		got, rcalls, err := in.Recv(b)
		require.Equal(t, len(msgs), got)
		require.True(t, err == nil || err == unix.EAGAIN, "the batch stops where the socket has no more: %v", err)
		if !each && recvBatchCall == "recvmmsg" {
			require.Equal(t, 1, calls)
			require.Equal(t, 1, rcalls)
		} else {
			require.Equal(t, len(msgs), calls)
		}
		for i, m := range msgs {
			from, scope := in.SourceInet(i)
			require.Equal(t, aAddr, from)
			require.Zero(t, scope)
			require.Equal(t, unix.AF_INET, in.Family(i))
			if len(m) > 8 {
				require.True(t, in.Truncated(i), "datagram %d", i)
				continue
			}
			require.False(t, in.Truncated(i))
			require.Equal(t, string(m), string(bufs[i*8:i*8+in.Len(i)]))
		}
	}
}

// TestBatchUnixNames: a datagram sent to a named unixgram socket gets
// there, and the receiver learns the sender's name.
func TestBatchUnixNames(t *testing.T) {
	dir := t.TempDir()
	open := func(name string) int {
		fd, err := Socket(unix.AF_UNIX, unix.SOCK_DGRAM)
		require.NoError(t, err)
		t.Cleanup(func() { unix.Close(fd) })
		f, err := Bind(fd, &unix.SockaddrUnix{Name: name}, unix.SOCK_DGRAM)
		require.NoError(t, err)
		t.Cleanup(f.Remove)
		return fd
	}
	aName, bName := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	a, b := open(aName), open(bName)
	out, in := NewBatch(false), NewBatch(false)
	out.SetBuffer(0, []byte("hello"))
	require.True(t, UnixNameFits(bName))
	out.DestUnix(0, bName)
	n, _, err := out.Send(a, 1)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	buf := make([]byte, 64)
	in.SetBuffer(0, buf)
	n, _, _ = in.Recv(b)
	require.Equal(t, 1, n)
	require.Equal(t, "hello", string(buf[:in.Len(0)]))
	require.Equal(t, unix.AF_UNIX, in.Family(0))
	require.Equal(t, aName, string(in.SourceUnix(0)))
}

// TestUnixNameFits: a path leaves room for its NUL; an abstract name may
// fill the address.
func TestUnixNameFits(t *testing.T) {
	room := len(unix.RawSockaddrUnix{}.Path)
	long := make([]byte, room)
	for i := range long {
		long[i] = 'x'
	}
	require.True(t, UnixNameFits(string(long[:room-1])))
	require.False(t, UnixNameFits(string(long)))
	require.True(t, UnixNameFits("@"+string(long[:room-1])))
	require.False(t, UnixNameFits("@"+string(long)))
}

// TestBindRemovesStaleSocket: a socket file nobody listens on is removed
// and bound again; one in use is not touched; a file that is no socket is
// an error.
func TestBindRemovesStaleSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s")
	first, err := Socket(unix.AF_UNIX, unix.SOCK_STREAM)
	require.NoError(t, err)
	_, err = Bind(first, &unix.SockaddrUnix{Name: path}, unix.SOCK_STREAM)
	require.NoError(t, err)
	require.NoError(t, unix.Listen(first, 1))

	second, err := Socket(unix.AF_UNIX, unix.SOCK_STREAM)
	require.NoError(t, err)
	defer unix.Close(second)
	_, err = Bind(second, &unix.SockaddrUnix{Name: path}, unix.SOCK_STREAM)
	require.ErrorIs(t, err, unix.EADDRINUSE, "in use")

	unix.Close(first) // the file stays: stale
	f, err := Bind(second, &unix.SockaddrUnix{Name: path}, unix.SOCK_STREAM)
	require.NoError(t, err, "a stale file is removed")
	f.Remove()
	_, err = net.Dial("unix", path)
	require.Error(t, err, "Remove removed the file")
}
