package main

import (
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// noRaceExitSleep keeps the race detector, under go test -race, from
// sleeping a second before the server exits, so the exit times measure the
// server.
const noRaceExitSleep = "GORACE=atexit_sleep_ms=0"

// waitConns reads stats lines until the server has n open connections.
func (s *server) waitConns(t *testing.T, n int) {
	t.Helper()
	for counter(t, s.next(t), "conns") != n {
	}
}

// TestSIGTERMWithIdleClients: 1,000 clients that keep their connections
// open with nothing to send or receive do not hold the server: on SIGTERM
// it closes them at once (each reads EOF) and exits with status 0, long
// before the grace period, which only bounds output that does not leave.
func TestSIGTERMWithIdleClients(t *testing.T) {
	s := startServer(t, "-addr 127.0.0.1:0 -stats 5ms -grace 30s", noRaceExitSleep)
	const n = 1000
	conns := make([]net.Conn, n)
	for i := range conns {
		conns[i] = s.dial(t)
	}
	s.waitConns(t, n)
	start := time.Now()
	require.NoError(t, s.cmd.Process.Signal(syscall.SIGTERM))
	for range s.lines {
	}
	require.NoError(t, s.cmd.Wait(), "exit status")
	took := time.Since(start)
	t.Logf("exited %v after SIGTERM with %d idle clients", took, n)
	require.Less(t, took, 2*time.Second, "the exit waited neither for the grace period nor for the linger")
	for i, c := range conns {
		got, err := io.ReadAll(c)
		require.NoError(t, err, "client %d: EOF, not a reset", i)
		require.Empty(t, got)
	}
}

// TestSIGTERMWithNonReader: a client that sends and never reads its echo
// holds the exit for the grace period only, and the server exits with
// status 0. The non-reader's connection ends with a reset if output was
// still queued when the grace period ended (the reactor package's
// TestStopCutsNonReader checks that case deterministically), or EOF if the
// socket buffers took it all. An idle client beside it gets EOF.
func TestSIGTERMWithNonReader(t *testing.T) {
	const grace = 300 * time.Millisecond
	s := startServer(t, "-addr 127.0.0.1:0 -stats 5ms -grace "+grace.String(), noRaceExitSleep)
	idle := s.dial(t)
	hog := s.dial(t)
	go hog.Write(make([]byte, 64<<20)) // blocks: the server stops reading once its output backs up
	for {
		line := s.next(t)
		if counter(t, line, "bytes_in")-counter(t, line, "bytes_out") >= 1<<20 {
			break // the echo backs up: the client does not read
		}
	}
	start := time.Now()
	require.NoError(t, s.cmd.Process.Signal(syscall.SIGTERM))
	for range s.lines {
	}
	require.NoError(t, s.cmd.Wait(), "exit status")
	took := time.Since(start)
	t.Logf("exited %v after SIGTERM with a client that does not read (grace %v)", took, grace)
	require.GreaterOrEqual(t, took, grace, "the output was given the grace period")
	_, err := io.ReadAll(idle)
	require.NoError(t, err, "the idle client: EOF")
	_, err = io.Copy(io.Discard, hog)
	if err != nil {
		require.ErrorIs(t, err, syscall.ECONNRESET, "the non-reader: its output was dropped, so a reset")
	}
}
