package reactor

import (
	"errors"
	"fmt"
	"net"
	"os"
)

// Errors of the reactor package; test for them with errors.Is.
var (
	// ErrClosed is returned by the methods of a Conn that is closing or
	// closed (and by its writes after CloseWrite), and of a PacketConn
	// that is closed. It matches net.ErrClosed.
	ErrClosed = fmt.Errorf("reactor: connection closed: %w", net.ErrClosed)
	// ErrStopped is returned by Post, Run and Group.PostAll once the loop
	// has stopped, and by Listen, ListenTLS, ListenFD, ListenPacket, Dial,
	// DialTLS and DialPacket once Stop was called; it is the reason OnClose
	// reports for connections closed by Stop. It matches net.ErrClosed.
	ErrStopped = fmt.Errorf("reactor: loop stopped: %w", net.ErrClosed)
	// ErrRunning is returned by a second call of Run, and by Close while
	// the loop (or group) runs.
	ErrRunning = errors.New("reactor: loop already running")
	// ErrOutputFull is returned by Conn.Write and WriteString when the
	// bytes would take the connection's queued output past its maximum
	// (WithMaxOutput), and by a PacketConn's WriteTo, WriteToUnix, Reply
	// and Write when its queue is full (WithPacketQueue). Nothing of that
	// write was queued. It is also the reason OnClose reports when a TLS
	// record crypto/tls wrote could not be queued.
	ErrOutputFull = errors.New("reactor: output buffer full")
	// ErrInputFull is the reason a connection is closed when its unconsumed
	// input reached its maximum (WithMaxInput) and the handler, told so by
	// Conn.InputFull, made no room.
	ErrInputFull = errors.New("reactor: input buffer full: the handler did not consume its input")
	// ErrShortInput is returned by Conn.Peek and Conn.Next when fewer bytes
	// are buffered than asked for; the handler should wait for more.
	ErrShortInput = errors.New("reactor: fewer input bytes buffered than asked")
	// ErrReadTimeout is the reason a connection is closed when nothing
	// arrived for its read timeout. It matches os.ErrDeadlineExceeded.
	ErrReadTimeout = fmt.Errorf("reactor: read idle timeout: %w", os.ErrDeadlineExceeded)
	// ErrWriteTimeout is the reason a connection is closed when its queued
	// output made no progress for its write timeout, or, after Close, for
	// the linger. It matches os.ErrDeadlineExceeded.
	ErrWriteTimeout = fmt.Errorf("reactor: write idle timeout: %w", os.ErrDeadlineExceeded)
	// ErrDialTimeout is the reason a dialed connection is closed when it did
	// not connect within the timeout given to Dial. It matches
	// os.ErrDeadlineExceeded.
	ErrDialTimeout = fmt.Errorf("reactor: dial timeout: %w", os.ErrDeadlineExceeded)
	// ErrTLSHandshakeTimeout is the reason a TLS connection is closed when
	// its handshake did not finish within WithTLSHandshakeTimeout. It
	// matches os.ErrDeadlineExceeded.
	ErrTLSHandshakeTimeout = fmt.Errorf("reactor: TLS handshake timeout: %w", os.ErrDeadlineExceeded)
	// ErrNetwork is returned for a network Listen or Dial does not support.
	ErrNetwork = errors.New("reactor: unsupported network")
	// ErrAddress is wrapped by the error Listen, Dial and their kin return
	// for an address the network cannot use: an empty unix socket path, an
	// IPv4 address for "tcp6" or "udp6", an address without a port.
	ErrAddress = errors.New("reactor: address not usable on this network")
	// ErrTLSConfig is returned by ListenTLS for a tls.Config with no
	// certificate (Certificates, GetCertificate or GetConfigForClient).
	ErrTLSConfig = errors.New("reactor: the tls.Config has no certificate")
	// ErrNotPacketHandler is returned by ListenPacket and DialPacket when
	// the loop's Handler does not implement PacketHandler.
	ErrNotPacketHandler = errors.New("reactor: a packet socket needs a Handler that implements PacketHandler")
	// ErrInvalidOption is wrapped by the error New and NewGroup return for
	// an option given a value out of its range; the error's text names the
	// option and the value.
	ErrInvalidOption = errors.New("reactor: invalid option")
)

// PanicError is the reason a connection is closed when a Handler callback
// panicked: the loop recovers, closes that connection and goes on serving
// the others.
type PanicError struct {
	Value any    // the value passed to panic
	Stack []byte // the stack of the panicking goroutine
}

// Error says that a handler panicked, and with what.
func (e *PanicError) Error() string {
	return fmt.Sprintf("reactor: handler panicked: %v", e.Value)
}

// Unwrap returns the panic value if it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}
