package reactor

import (
	"crypto/tls"
	"fmt"
	"net"
	"os"

	"github.com/goreactor/reactor/internal/sock"
	"github.com/goreactor/reactor/poller"
	"golang.org/x/sys/unix"
)

// Listen opens a listening socket on the loop and returns its address (with
// the port the system chose if the address asked for port 0). network is
// "tcp", "tcp4", "tcp6" or "unix". The socket has SO_REUSEADDR (TCP) and the
// largest backlog the system allows. For "unix", a socket file left by a
// process that is gone is removed first; a socket file that something still
// listens on is not touched, and Listen fails with EADDRINUSE. An address
// without a host (":8080") means every IPv4 address for "tcp" and "tcp4"
// (unlike the net package, whose "tcp" also takes IPv6), and every IPv6
// address for "tcp6".
//
// Call Listen on the loop's goroutine, or before Run (see "Ownership" in
// the package documentation). Name resolution may block.
func (l *Loop) Listen(network, address string) (net.Addr, error) {
	return listenAddr(l.listen(network, address, false, nil))
}

// listenAddr returns the address of a listener just opened, or the error
// that kept it from opening.
func listenAddr(ln *listener, err error) (net.Addr, error) {
	if err != nil {
		return nil, err
	}
	return ln.addr, nil
}

// listen is Listen, optionally with SO_REUSEPORT so that several loops can
// listen on one address and let the kernel spread the connections, and
// with a TLS config for ListenTLS.
func (l *Loop) listen(network, address string, reusePort bool, tcfg *tls.Config) (*listener, error) {
	if l.stopping || l.stopReq.Load() {
		return nil, ErrStopped
	}
	ra, err := resolveStream(network, address)
	if err != nil {
		return nil, err
	}
	fd, err := sock.Socket(ra.family, unix.SOCK_STREAM)
	if err != nil {
		return nil, os.NewSyscallError("socket", err)
	}
	ln := &listener{loop: l, tcp: ra.tcp, tls: tcfg}
	if reusePort {
		err = sock.SetReusePort(fd)
	}
	if err == nil {
		err = l.bindListen(fd, ra, ln)
	}
	if err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("reactor: listen %s %s: %w", network, address, err)
	}
	if err := l.addListener(fd, ln, true); err != nil {
		return nil, err
	}
	return ln, nil
}

// ListenFD adopts a listening socket the process inherited, for example
// from systemd socket activation (fd 3 onwards, see LISTEN_FDS) or from a
// parent that restarts without dropping connection attempts. The loop takes
// the fd over: it makes it non-blocking and close-on-exec, accepts on it,
// and closes it when the loop stops. The fd must be a listening stream
// socket. If ListenFD fails, the fd stays the caller's (possibly left
// non-blocking and close-on-exec).
func (l *Loop) ListenFD(fd int) (net.Addr, error) {
	if l.stopping || l.stopReq.Load() {
		return nil, ErrStopped
	}
	listening, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ACCEPTCONN)
	if err != nil {
		return nil, fmt.Errorf("reactor: listen on fd %d: %w", fd, os.NewSyscallError("getsockopt", err))
	}
	if listening == 0 {
		return nil, fmt.Errorf("reactor: fd %d is not a listening socket: %w", fd, unix.EINVAL)
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		return nil, os.NewSyscallError("fcntl", err)
	}
	unix.CloseOnExec(fd)
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return nil, os.NewSyscallError("getsockname", err)
	}
	_, unixSocket := sa.(*unix.SockaddrUnix)
	ln := &listener{loop: l, tcp: !unixSocket}
	if err := l.addListener(fd, ln, false); err != nil {
		return nil, err
	}
	return ln.addr, nil
}

// addListener registers a bound, listening socket with the loop. If that
// fails, the fd is closed only if the loop made it (owned).
func (l *Loop) addListener(fd int, ln *listener, owned bool) error {
	sa, err := unix.Getsockname(fd)
	if err == nil {
		ln.addr = l.sockaddrToAddr(sa)
		err = l.p.Add(fd, poller.Read)
	}
	if err != nil {
		if owned {
			ln.file.Remove()
			unix.Close(fd)
		}
		return err
	}
	ln.fd = fd
	l.setFD(fd, ln)
	return nil
}

func (l *Loop) bindListen(fd int, ra sockAddr, ln *listener) error {
	if ra.tcp {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
			return os.NewSyscallError("setsockopt", err)
		}
	}
	if ra.family == unix.AF_INET6 {
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, ra.v6only); err != nil {
			return os.NewSyscallError("setsockopt", err)
		}
	}
	file, err := sock.Bind(fd, ra.sa, unix.SOCK_STREAM)
	if err != nil {
		return err
	}
	ln.file = file
	if err := unix.Listen(fd, listenBacklog); err != nil {
		ln.file.Remove()
		return os.NewSyscallError("listen", err)
	}
	return nil
}
