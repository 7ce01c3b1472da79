// Package sock holds the system calls and socket options that differ from
// one system to the next, for the reactor package: opening and accepting
// non-blocking, close-on-exec sockets (socket_*.go, accept*.go), TCP
// keepalive (keepalive_*.go), SO_REUSEPORT and whether the kernel
// balances it (reuseport*.go), the bytes a peer has not acknowledged
// (unacked_*.go) and the round trip the kernel measured (roundtrip_*.go),
// socket reads and writes (rawio*.go), whether a socket has room to send
// (writable.go), batches of datagrams with recvmmsg and sendmmsg or one
// call each, and the names of unixgram sockets (batch.go, msg_*.go), and
// binding with the removal of a stale unix socket file (bind.go). Each
// file is one mechanism, with a build line where the
// systems differ, in the style of the poller package; the reactor package
// carries no build line and never asks which system it runs on.
//
// Errors are the system's, as errno values; where a function names the
// call in the error (os.NewSyscallError), its documentation says so.
package sock
