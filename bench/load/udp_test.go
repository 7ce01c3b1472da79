package load

import (
	"context"
	"crypto/tls"
	"net"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/require"
)

// udpEcho is the UDP echo server RunUDP is tested against: one goroutine
// on a net.UDPConn. It can drop every dropEvery-th datagram it receives,
// flip a bit of the byte at corruptAt of each, or send each echo twice.
type udpEcho struct {
	dropEvery int
	corruptAt int
	twice     bool

	received, dropped atomic.Int64
}

// start runs the server until the test ends, and returns its address.
func (s *udpEcho) start(t *testing.T) string {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	var wg sync.WaitGroup
	wg.Go(func() {
		buf := make([]byte, 64<<10)
		for {
			n, from, err := c.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			k := s.received.Add(1)
			if s.dropEvery > 0 && k%int64(s.dropEvery) == 0 {
				s.dropped.Add(1)
				continue
			}
			if s.corruptAt > 0 && s.corruptAt < n {
				buf[s.corruptAt] ^= 0x10
			}
			_, _ = c.WriteToUDPAddrPort(buf[:n], from)
			if s.twice {
				_, _ = c.WriteToUDPAddrPort(buf[:n], from)
			}
		}
	})
	t.Cleanup(func() {
		c.Close()
		wg.Wait()
	})
	return c.LocalAddr().String()
}

func quickUDP(addr string) Config {
	cfg := quick(addr)
	cfg.Network, cfg.Conns = "udp", 5
	return cfg
}

// TestRunUDP: a server that loses nothing has every datagram echoed, in
// ping-pong and with several in flight. Loopback drops a datagram only
// when the receiving socket's buffer is full: the bytes in flight here are
// kept well below what the default buffer holds (large datagrams take
// about twice their size of it).
func TestRunUDP(t *testing.T) {
	testkit.CheckLeaks(t)
	srv := &udpEcho{}
	addr := srv.start(t)
	for _, tc := range []struct{ size, depth int }{{64, 1}, {64, 8}, {MinUDPSize, 2}, {1472, 4}, {9000, 1}} {
		log := new(logBuffer)
		cfg := quickUDP(addr)
		cfg.Size, cfg.Depth, cfg.Log, cfg.Progress = tc.size, tc.depth, log, 100*time.Millisecond
		// A datagram counts lost only if it really is, not if a busy
		// machine holds up the server.
		cfg.LossTimeout = 5 * time.Second
		if runtime.GOOS == "linux" {
			cfg.ServerPID = os.Getpid() // the server runs in this process
		}
		r, err := RunUDP(context.Background(), cfg)
		require.NoError(t, err, "%+v\nlog:\n%s", tc, log)
		require.Zero(t, r.Errors, "log:\n%s", log)
		require.Zero(t, r.Lost, "%+v", tc)
		require.Zero(t, r.Late, "%+v", tc)
		require.Positive(t, r.Datagrams)
		require.Positive(t, r.DatagramsPerSec)
		require.Positive(t, r.P50)
		require.LessOrEqual(t, r.P50, r.P99)
		require.LessOrEqual(t, r.P99, r.Max)
		require.GreaterOrEqual(t, r.Duration, 300*time.Millisecond)
		require.Equal(t, tc.depth, r.Depth)
		require.Equal(t, runtime.GOOS == "linux", r.ServerMeasured)
		require.Contains(t, log.String(), "datagrams/s")
	}
}

// TestRunUDPLoss: a server that drops every tenth datagram stalls no
// client for longer than the loss timeout: the drops are counted lost,
// and the echoes go on at about nine for each.
func TestRunUDPLoss(t *testing.T) {
	testkit.CheckLeaks(t)
	for _, depth := range []int{1, 4} {
		srv := &udpEcho{dropEvery: 10}
		addr := srv.start(t)
		log := new(logBuffer)
		cfg := quickUDP(addr)
		cfg.Depth, cfg.Log, cfg.LossTimeout = depth, log, 30*time.Millisecond
		r, err := RunUDP(context.Background(), cfg)
		require.NoError(t, err, "log:\n%s", log)
		require.Zero(t, r.Errors, "log:\n%s", log)
		require.Positive(t, r.Lost, "depth %d", depth)
		require.Zero(t, r.Late, "a dropped datagram never comes")
		require.GreaterOrEqual(t, r.Datagrams, 4*r.Lost, "depth %d: %d echoed, %d lost", depth, r.Datagrams, r.Lost)
		require.LessOrEqual(t, r.Lost, uint64(srv.dropped.Load()))
	}
}

// TestRunUDPLate: an echo that comes twice counts once, and then as late.
func TestRunUDPLate(t *testing.T) {
	testkit.CheckLeaks(t)
	srv := &udpEcho{twice: true}
	log := new(logBuffer)
	cfg := quickUDP(srv.start(t))
	cfg.Log = log
	r, err := RunUDP(context.Background(), cfg)
	require.NoError(t, err)
	require.Zero(t, r.Errors, "log:\n%s", log)
	require.Positive(t, r.Datagrams)
	require.Positive(t, r.Late)
	require.Zero(t, r.Lost)
}

// TestRunUDPCorruption: a server that flips a bit of every datagram ends
// every client at its first echo, and the run says that none came back.
func TestRunUDPCorruption(t *testing.T) {
	testkit.CheckLeaks(t)
	srv := &udpEcho{corruptAt: 20}
	log := new(logBuffer)
	cfg := quickUDP(srv.start(t))
	cfg.Log = log
	r, err := RunUDP(context.Background(), cfg)
	require.ErrorContains(t, err, "no datagram came back")
	require.Equal(t, uint64(cfg.Conns), r.Errors)
	require.Contains(t, log.String(), "echo: message 0, byte 20: got")
}

// TestRunUDPNoServer: with nothing listening, the system reports it
// (ECONNREFUSED) on each connected socket.
func TestRunUDPNoServer(t *testing.T) {
	testkit.CheckLeaks(t)
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	addr := c.LocalAddr().String()
	require.NoError(t, c.Close())
	cfg := quickUDP(addr)
	cfg.Conns, cfg.Log, cfg.LossTimeout = 3, new(logBuffer), 20*time.Millisecond
	_, err = RunUDP(context.Background(), cfg)
	require.ErrorContains(t, err, "no datagram came back")
}

// TestRunUDPCancelled: a run ends when its context does, and says so.
func TestRunUDPCancelled(t *testing.T) {
	testkit.CheckLeaks(t)
	srv := &udpEcho{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := quickUDP(srv.start(t))
	cfg.Duration = time.Hour
	cfg.Progress = 20 * time.Millisecond
	cfg.Log = &cancelOn{word: "measuring", cancel: cancel}
	_, err := RunUDP(ctx, cfg)
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorContains(t, err, "stopped during measuring")
}

func TestUDPConfigChecks(t *testing.T) {
	for _, c := range []Config{
		{Network: "tcp"},
		{Network: "udp", Size: MinUDPSize - 1},
		{Network: "udp", Size: MaxUDPSize + 1},
		{Network: "udp", Depth: MaxUDPDepth + 1},
		{Network: "udp", Rate: 1000},
		{Network: "udp", TLS: TLSClientConfig(tls.VersionTLS13, tls.X25519)},
		{Network: "udp", LossTimeout: -1},
	} {
		c.Addr = "127.0.0.1:9"
		_, err := RunUDP(context.Background(), c)
		require.Error(t, err, "%+v", c)
	}
	_, err := RunUDP(context.Background(), Config{Addr: "192.0.2.1:7777"})
	require.ErrorIs(t, err, ErrNotLoopback)
	// The runs of connections refuse datagrams.
	_, err = Run(context.Background(), Config{Network: "udp", Addr: "127.0.0.1:9"})
	require.ErrorContains(t, err, "RunUDP")
	_, err = RunIdle(context.Background(), Config{Network: "udp", Addr: "127.0.0.1:9", ServerPID: 1})
	require.ErrorContains(t, err, "RunUDP")
	_, err = RunHandshakes(context.Background(), Config{Network: "udp", Addr: "127.0.0.1:9"})
	require.ErrorContains(t, err, "RunUDP")
}
