package main

import (
	"bytes"
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/goreactor/reactor/reactor"
	"github.com/stretchr/testify/require"
)

// packetEcho is echo that also sends each datagram back to its sender.
type packetEcho struct{ echo }

func (packetEcho) OnPacket(pc *reactor.PacketConn, p *reactor.Packet) { _ = pc.Reply(p, p.Data) }
func (packetEcho) OnPacketError(*reactor.PacketConn, error)           {}

// startUDPEcho runs a reactor loop echoing datagrams on a UDP socket in
// this process until the test ends.
func startUDPEcho(t *testing.T) string {
	l, err := reactor.New(packetEcho{})
	require.NoError(t, err)
	pc, err := l.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- l.Run(context.Background()) }()
	t.Cleanup(func() {
		l.Stop()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(testkit.Limit):
			t.Fatal("the echo server did not stop")
		}
	})
	return pc.LocalAddr().String()
}

func TestUDPJSON(t *testing.T) {
	addr := startUDPEcho(t)
	// With a long loss timeout, a datagram counts lost only if it really
	// is, not if a busy machine holds up the server.
	got, out := runJSON(t, append(pidArgs(), "-addr", addr, "-udp", "-loss-timeout", "5s",
		"-conns", "5", "-depth", "4", "-warmup", "0", "-duration", "200ms")...)
	require.Contains(t, out, "datagrams/s")
	require.Contains(t, out, "udp "+addr)
	for _, k := range []string{"server", "conns", "size", "depth", "loss_timeout_ns", "duration_s", "datagrams",
		"datagrams_per_s", "lost", "late", "p50_ns", "p99_ns", "p999_ns", "max_ns", "server_cpu_s",
		"server_cpu_per_datagram_ns", "client_cpu_per_datagram_ns", "errors"} {
		require.Contains(t, got, k)
	}
	require.Equal(t, 0.0, got["errors"])
	require.Equal(t, 0.0, got["lost"])
	require.Equal(t, 5.0, got["conns"])
	require.Equal(t, 64.0, got["size"])
	require.Equal(t, float64(5*time.Second), got["loss_timeout_ns"])
	require.Positive(t, got["datagrams"])
	if runtime.GOOS == "linux" {
		require.NotNil(t, got["server_cpu_per_datagram_ns"])
	}
}

func TestBadUDPFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-udp", "-tls"},
		{"-udp", "-rate", "1000"},
		{"-udp", "-idle", "10", "-pid", "1"},
		{"-udp", "-handshakes"},
		{"-udp", "-network", "tcp"},
		{"-udp", "-size", "4"},
		{"-udp", "-size", "70000"},
		{"-udp", "-depth", "5000"},
		{"-udp", "-loss-timeout", "0s"},
		{"-udp", "-addr", "10.1.2.3:7777"},
		{"-network", "udp"},
		{"-loss-timeout", "1s"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), args, &stdout, &stderr)
		require.Equal(t, 2, code, "%q", args)
		require.NotEmpty(t, stderr.String(), "%q", args)
		require.Empty(t, stdout.String(), "%q", args)
	}
}
