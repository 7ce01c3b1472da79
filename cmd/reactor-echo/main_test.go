package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/require"
)

// The test binary doubles as the echo server: run with this variable set,
// it is reactor-echo, so the tests can start it as a real process and signal
// it without building anything.
const beServer = "REACTOR_ECHO_TEST_SERVER"

func TestMain(m *testing.M) {
	if os.Getenv(beServer) == "1" {
		if n := os.Getenv("REACTOR_ECHO_NOFILE"); n != "" {
			// Run out of fds early: the server's own RLIMIT_NOFILE.
			var lim syscall.Rlimit
			syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
			fmt.Sscan(n, &lim.Cur)
			if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
				fmt.Fprintln(os.Stderr, "setrlimit:", err)
				os.Exit(2)
			}
		}
		os.Args = append([]string{"reactor-echo"}, strings.Fields(os.Getenv("REACTOR_ECHO_ARGS"))...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

type server struct {
	cmd   *exec.Cmd
	addr  string
	lines chan string
}

func startServer(t *testing.T, args string, env ...string) *server {
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), beServer+"=1", "REACTOR_ECHO_ARGS="+args)
	cmd.Env = append(cmd.Env, env...)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	s := &server{cmd: cmd, lines: make(chan string, 1000)}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			s.lines <- sc.Text()
		}
		close(s.lines)
	}()
	first := s.next(t)
	var network string
	_, err = fmt.Sscanf(first, "reactor-echo listening on %s %s", &network, &s.addr)
	require.NoError(t, err, "first line %q", first)
	return s
}

func (s *server) next(t *testing.T) string {
	t.Helper()
	select {
	case line, ok := <-s.lines:
		require.True(t, ok, "the server's output ended")
		return line
	case <-time.After(testkit.Limit):
		t.Fatal("the server printed nothing")
		return ""
	}
}

// dial connects to the server, with a deadline on every operation; the
// connection is closed when the test ends.
func (s *server) dial(t *testing.T) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", s.addr)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(testkit.Limit))
	return c
}

// counter reads one named counter from a stats line.
func counter(t *testing.T, line, name string) int {
	for _, f := range strings.Fields(line) {
		if v, ok := strings.CutPrefix(f, name+"="); ok {
			var n int
			_, err := fmt.Sscan(v, &n)
			require.NoError(t, err)
			return n
		}
	}
	t.Fatalf("no %s in %q", name, line)
	return 0
}

func TestEcho(t *testing.T) {
	s := startServer(t, "-addr 127.0.0.1:0")
	c := s.dial(t)
	_, err := c.Write([]byte("hello, reactor"))
	require.NoError(t, err)
	got := make([]byte, 14)
	_, err = io.ReadFull(c, got)
	require.NoError(t, err)
	require.Equal(t, "hello, reactor", string(got))
}

// TestGracefulShutdown: SIGTERM while the server holds queued output for
// a client that has not read yet. The client must get back every byte the
// server had read before the signal, in order, and the server must exit
// with status 0.
func TestGracefulShutdown(t *testing.T) {
	s := startServer(t, "-addr 127.0.0.1:0 -stats 5ms -grace 30s")
	c := s.dial(t)
	sent := make([]byte, 8<<20)
	for i := range sent {
		sent[i] = byte(i % 253)
	}
	// More than the server queues before it stops reading (backpressure)
	// plus what the socket buffers hold: this write does not finish before
	// the client reads, and it fails once the server has closed.
	go c.Write(sent)
	var readBefore int
	for {
		line := s.next(t)
		in, out := counter(t, line, "bytes_in"), counter(t, line, "bytes_out")
		if in-out >= 512<<10 {
			readBefore = in
			break
		}
	}
	require.NoError(t, s.cmd.Process.Signal(syscall.SIGTERM))
	got, err := io.ReadAll(c)
	if err != nil {
		// Bytes the client sent after the server stopped reading make the
		// final close a reset, after the echo was delivered.
		require.ErrorIs(t, err, syscall.ECONNRESET)
	}
	c.Close() // the server waits for this FIN before it closes the socket
	require.GreaterOrEqual(t, len(got), readBefore, "every byte read before SIGTERM comes back")
	require.True(t, bytes.Equal(sent[:len(got)], got), "the echo is the stream sent, in order")
	var last string
	for line := range s.lines {
		last = line
	}
	require.Equal(t, len(got), counter(t, last, "bytes_out"), "final counters: %s", last)
	require.NoError(t, s.cmd.Wait(), "exit status")
}

// TestIdleTimeout: with -idle-timeout a silent client is disconnected.
func TestIdleTimeout(t *testing.T) {
	s := startServer(t, "-addr 127.0.0.1:0 -idle-timeout 50ms")
	c := s.dial(t)
	_, err := io.ReadAll(c) // returns when the server closes the silent connection
	if err != nil {
		require.ErrorIs(t, err, syscall.ECONNRESET)
	}
}

// TestHalfClose: the client sends, half-closes, and gets everything back.
func TestHalfClose(t *testing.T) {
	s := startServer(t, "-addr 127.0.0.1:0")
	c := s.dial(t)
	_, err := c.Write([]byte("all of this, then FIN"))
	require.NoError(t, err)
	require.NoError(t, c.(*net.TCPConn).CloseWrite())
	got, err := io.ReadAll(c)
	require.NoError(t, err)
	require.Equal(t, "all of this, then FIN", string(got))
}
