package main

import (
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/goreactor/reactor/bench/load"
	"github.com/stretchr/testify/require"
)

// cpuTime returns the user+system CPU time of process pid so far.
func cpuTime(t *testing.T, pid int) time.Duration {
	d, err := load.ProcessCPU(pid)
	if err != nil {
		t.Skipf("cannot read the server's CPU time: %v", err)
	}
	return d
}

// rss returns the resident set size of process pid.
func rss(t *testing.T, pid int) int {
	n, err := load.ProcessRSS(pid)
	require.NoError(t, err)
	return int(n)
}

func echoOnce(t *testing.T, addr, msg string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	require.NoError(t, err)
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	_, err = c.Write([]byte(msg))
	require.NoError(t, err)
	got := make([]byte, len(msg))
	_, err = io.ReadFull(c, got)
	require.NoError(t, err)
	require.Equal(t, msg, string(got))
}

// TestOutOfFDs runs the server with RLIMIT_NOFILE 32 and opens more
// connections than that. The server must not spin (accepting pauses and
// retries with a backoff), must not stop, and must serve normally once the
// connections are gone.
func TestOutOfFDs(t *testing.T) {
	s := startServer(t, "-addr 127.0.0.1:0", "REACTOR_ECHO_NOFILE=32")
	pid := s.cmd.Process.Pid
	var conns []net.Conn
	for range 80 {
		c, err := net.DialTimeout("tcp", s.addr, 10*time.Second)
		require.NoError(t, err, "the backlog takes the connections the server cannot accept")
		conns = append(conns, c)
	}
	before := cpuTime(t, pid)
	time.Sleep(2 * time.Second) // measuring how busy the server is meanwhile
	used := cpuTime(t, pid) - before
	t.Logf("server CPU time over 2 s out of fds: %v", used)
	require.Less(t, used, 400*time.Millisecond, "the server spins on EMFILE")
	for _, c := range conns {
		c.Close()
	}
	echoOnce(t, s.addr, "fds are back")
	require.NoError(t, s.cmd.Process.Signal(syscall.SIGTERM))
	for range s.lines {
	}
	require.NoError(t, s.cmd.Wait())
}

// TestHogRSS: a client that sends up to 256 MiB and never reads grows the
// server's memory by no more than its buffer caps and a small constant,
// while another client keeps getting echoes.
func TestHogRSS(t *testing.T) {
	s := startServer(t, "-addr 127.0.0.1:0 -stats 20ms")
	pid := s.cmd.Process.Pid
	echoOnce(t, s.addr, "warm")
	before := rss(t, pid)
	hog, err := net.Dial("tcp", s.addr)
	require.NoError(t, err)
	defer hog.Close()
	go func() {
		chunk := make([]byte, 1<<20)
		for range 256 {
			if _, err := hog.Write(chunk); err != nil {
				return
			}
		}
	}()
	// The server has stopped reading from the hog when bytes_in stays put.
	last, same := -1, 0
	for same < 5 {
		in := counter(t, s.next(t), "bytes_in")
		if in == last && in > 0 {
			same++
		} else {
			same = 0
		}
		last = in
	}
	for range 20 {
		echoOnce(t, s.addr, "still served")
	}
	growth := rss(t, pid) - before
	t.Logf("server read %d bytes of the hog's 256 MiB; RSS grew by %d KiB", last, growth>>10)
	require.Less(t, last, 64<<20, "the server stopped reading from the hog")
	require.Less(t, growth, 16<<20, "RSS growth beyond the buffer caps")
}

// TestTenThousandIdle holds 10,000 connections open on one loop, idle
// after a first echo, and checks that every one still echoes afterwards.
func TestTenThousandIdle(t *testing.T) {
	const n = 10000
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil || lim.Max < n+200 {
		t.Skipf("needs %d fds in this process and in the server; the hard limit is %d", n+200, lim.Max)
	}
	if lim.Cur < n+200 {
		lim.Cur = lim.Max
		require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim))
	}
	s := startServer(t, "-addr 127.0.0.1:0")
	conns := make([]net.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	one := make([]byte, 1)
	for i := range n {
		c, err := net.DialTimeout("tcp", s.addr, 10*time.Second)
		require.NoError(t, err, "connection %d", i)
		conns = append(conns, c)
		c.SetDeadline(time.Now().Add(60 * time.Second))
		_, err = c.Write([]byte{byte(i)})
		require.NoError(t, err)
		_, err = io.ReadFull(c, one)
		require.NoError(t, err)
	}
	for i, c := range conns {
		msg := []byte(fmt.Sprintf("still here %d", i))
		_, err := c.Write(msg)
		require.NoError(t, err)
		got := make([]byte, len(msg))
		_, err = io.ReadFull(c, got)
		require.NoError(t, err)
		require.Equal(t, msg, got)
	}
}
