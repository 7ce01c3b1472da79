package main

import (
	"context"
	"net"
	"syscall"

	"golang.org/x/sys/unix"
)

// listenReusePort opens a listening TCP socket on addr with SO_REUSEPORT,
// so that every loop can have one on the same address, and returns its fd
// for Loop.ListenFD, which takes it over.
//
// reactor.Group opens such sockets itself, but it does not give its loops
// to the handler, and a shard must reach every other shard's loop (Post) to
// forward requests to it: so reactor-kv makes its loops with reactor.New
// and its sockets here.
func listenReusePort(addr string) (int, error) {
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var err error
		if cerr := c.Control(func(fd uintptr) {
			err = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEPORT, 1)
		}); cerr != nil {
			return cerr
		}
		return err
	}}
	ln, err := lc.Listen(context.Background(), "tcp", addr)
	if err != nil {
		return -1, err
	}
	defer ln.Close()
	rc, err := ln.(*net.TCPListener).SyscallConn()
	if err != nil {
		return -1, err
	}
	// A dup of the socket, which stays open when ln closes: not through
	// ln.File, whose os.File would close the fd when collected.
	fd := -1
	if cerr := rc.Control(func(s uintptr) { fd, err = unix.Dup(int(s)) }); cerr != nil {
		return -1, cerr
	}
	return fd, err
}

func closeFD(fd int) { unix.Close(fd) }
