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

// tlsEcho is the TLS echo server the goroutine runs are tested against:
// crypto/tls, a goroutine per connection. With corruptAt > 0 it flips a
// bit of the byte at that offset of every connection's plaintext stream.
type tlsEcho struct {
	corruptAt int
	delay     time.Duration // before each echo
	ln        net.Listener
	wg        sync.WaitGroup
	mu        sync.Mutex
	conns     map[net.Conn]bool
	full      atomic.Int64 // handshakes completed that did not resume a session
	resumed   atomic.Int64
}

// startTLSEcho runs a TLS echo server until the test ends.
func startTLSEcho(t *testing.T, corruptAt int) (string, *tlsEcho) {
	return startSlowTLSEcho(t, corruptAt, 0)
}

// startSlowTLSEcho runs a TLS echo server that waits delay before each
// echo, until the test ends.
func startSlowTLSEcho(t *testing.T, corruptAt int, delay time.Duration) (string, *tlsEcho) {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{testkit.Certs(t).Server}})
	require.NoError(t, err)
	s := &tlsEcho{corruptAt: corruptAt, delay: delay, ln: ln, conns: map[net.Conn]bool{}}
	s.wg.Go(s.accept)
	t.Cleanup(func() {
		ln.Close()
		s.mu.Lock()
		for c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
	})
	return ln.Addr().String(), s
}

func (s *tlsEcho) accept() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns[c] = true
		s.mu.Unlock()
		s.wg.Go(func() { s.echo(c.(*tls.Conn)) })
	}
}

func (s *tlsEcho) echo(c *tls.Conn) {
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		c.Close()
	}()
	if err := c.Handshake(); err != nil {
		return
	}
	if c.ConnectionState().DidResume {
		s.resumed.Add(1)
	} else {
		s.full.Add(1)
	}
	buf := make([]byte, 32<<10)
	seen := 0
	for {
		n, err := c.Read(buf)
		if i := s.corruptAt - seen; s.corruptAt > 0 && 0 <= i && i < n {
			buf[i] ^= 0x10
		}
		seen += n
		if n > 0 && s.delay > 0 {
			time.Sleep(s.delay)
		}
		if n > 0 {
			if _, err := c.Write(buf[:n]); err != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func quickTLS(addr string, version uint16) Config {
	cfg := quick(addr)
	cfg.TLS = TLSClientConfig(version, tls.X25519)
	return cfg
}

func TestRunTLS(t *testing.T) {
	testkit.CheckLeaks(t)
	addr, _ := startTLSEcho(t, 0)
	for _, tc := range []struct {
		size, depth int
		version     uint16
		want        string
	}{
		{64, 1, tls.VersionTLS13, "TLS 1.3 TLS_AES_128_GCM_SHA256 X25519 ECDSA-P-256"},
		{64, 16, tls.VersionTLS13, "TLS 1.3"},
		{65536, 1, tls.VersionTLS13, "TLS 1.3"},
		{64, 4, tls.VersionTLS12, "TLS 1.2 TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 X25519 ECDSA-P-256"},
	} {
		log := new(logBuffer)
		cfg := quickTLS(addr, tc.version)
		cfg.Size, cfg.Depth, cfg.Log, cfg.Progress = tc.size, tc.depth, log, 100*time.Millisecond
		if runtime.GOOS == "linux" {
			cfg.ServerPID = os.Getpid() // the server runs in this process
		}
		r, err := Run(context.Background(), cfg)
		require.NoError(t, err, "%+v\nlog:\n%s", tc, log)
		checkSane(t, r, log)
		require.Equal(t, tc.depth, r.Depth)
		require.Contains(t, r.TLS, tc.want)
		require.Equal(t, runtime.GOOS == "linux", r.ServerMeasured)
		require.Contains(t, log.String(), "measuring")
	}
}

// TestRunTLSDetectsCorruption: a server that flips one bit of the
// plaintext of each stream is caught, on every connection, which is then
// closed.
func TestRunTLSDetectsCorruption(t *testing.T) {
	testkit.CheckLeaks(t)
	addr, _ := startTLSEcho(t, 100)
	log := new(logBuffer)
	cfg := quickTLS(addr, tls.VersionTLS13)
	cfg.Conns, cfg.Log = 5, log
	r, err := Run(context.Background(), cfg)
	require.NoError(t, err, "a bad server is a result, not a failure of the run")
	require.Equal(t, uint64(5), r.Errors)
	require.Contains(t, log.String(), "echo: message 1, byte 36: got")
}

func TestRunTLSNoServer(t *testing.T) {
	testkit.CheckLeaks(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	log := new(logBuffer)
	cfg := quickTLS(addr, tls.VersionTLS13)
	cfg.Conns, cfg.Log = 3, log
	r, err := Run(context.Background(), cfg)
	require.ErrorContains(t, err, "no connection")
	require.Equal(t, uint64(3), r.Errors)
}

// TestRunTLSPlainServer: a server that does not speak TLS fails every
// handshake, and the run says so.
func TestRunTLSPlainServer(t *testing.T) {
	testkit.CheckLeaks(t)
	addr := startEcho(t, "tcp", echoHandler{})
	cfg := quickTLS(addr, tls.VersionTLS13)
	cfg.Conns, cfg.DialTimeout = 2, 2*time.Second
	_, err := Run(context.Background(), cfg)
	require.ErrorContains(t, err, "no connection")
}

// TestRunTLSCancelled: a run ends when its context does, in the middle of
// the measured window, and says so.
func TestRunTLSCancelled(t *testing.T) {
	testkit.CheckLeaks(t)
	addr, _ := startTLSEcho(t, 0)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := quickTLS(addr, tls.VersionTLS13)
	cfg.Duration = time.Hour
	cfg.Progress = 20 * time.Millisecond
	cfg.Log = &cancelOn{word: "measuring", cancel: cancel}
	_, err := Run(ctx, cfg)
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorContains(t, err, "stopped during measuring")
}

func TestRunIdleTLS(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	testkit.CheckLeaks(t)
	addr, srv := startTLSEcho(t, 0)
	log := new(logBuffer)
	r, err := RunIdle(context.Background(), Config{
		Addr: addr, Conns: 200, ServerPID: os.Getpid(), Log: log,
		TLS: TLSClientConfig(tls.VersionTLS13, tls.X25519),
	})
	require.NoError(t, err)
	require.Zero(t, r.Errors, "log:\n%s", log)
	require.Equal(t, 200, r.IdleConns)
	require.Positive(t, r.RSSBefore)
	require.Positive(t, r.RSSAfter)
	require.Contains(t, r.TLS, "TLS 1.3")
	require.Equal(t, int64(200), srv.full.Load(), "every handshake done on the server before the RSS was read")
}

func TestRunHandshakes(t *testing.T) {
	testkit.CheckLeaks(t)
	addr, srv := startTLSEcho(t, 0)
	log := new(logBuffer)
	cfg := quickTLS(addr, tls.VersionTLS13)
	cfg.Conns, cfg.Log, cfg.Progress = 4, log, 100*time.Millisecond
	// A session cache would make the client offer tickets; the run turns
	// them off whatever it is given.
	cfg.TLS.SessionTicketsDisabled = false
	cfg.TLS.ClientSessionCache = tls.NewLRUClientSessionCache(16)
	if runtime.GOOS == "linux" {
		cfg.ServerPID = os.Getpid()
	}
	r, err := RunHandshakes(context.Background(), cfg)
	require.NoError(t, err, "log:\n%s", log)
	require.Zero(t, r.Errors, "log:\n%s", log)
	require.Positive(t, r.Handshakes)
	require.Positive(t, r.HandshakesPerSec)
	require.Positive(t, r.P50)
	require.LessOrEqual(t, r.P50, r.P99)
	require.LessOrEqual(t, r.P99, r.Max)
	require.GreaterOrEqual(t, r.Duration, 300*time.Millisecond)
	require.Equal(t, "TLS 1.3 TLS_AES_128_GCM_SHA256 X25519 ECDSA-P-256", r.TLS)
	require.Equal(t, runtime.GOOS == "linux", r.ServerMeasured)
	require.Contains(t, log.String(), "handshakes/s")
	// Warmup rounds count on the server, not in the result.
	require.GreaterOrEqual(t, srv.full.Load(), int64(r.Handshakes))
	require.Zero(t, srv.resumed.Load(), "no round resumed a session")
}

// TestRunHandshakesTCP: without TLS a round is a TCP connect and an echo.
func TestRunHandshakesTCP(t *testing.T) {
	testkit.CheckLeaks(t)
	addr := startEcho(t, "tcp", echoHandler{})
	log := new(logBuffer)
	cfg := quick(addr)
	cfg.Conns, cfg.Log = 2, log
	r, err := RunHandshakes(context.Background(), cfg)
	require.NoError(t, err)
	require.Zero(t, r.Errors, "log:\n%s", log)
	require.Positive(t, r.Handshakes)
	require.Empty(t, r.TLS)
}

// TestRunHandshakesCorruption: a bad echo fails its round.
func TestRunHandshakesCorruption(t *testing.T) {
	testkit.CheckLeaks(t)
	addr, _ := startTLSEcho(t, 10)
	log := new(logBuffer)
	cfg := quickTLS(addr, tls.VersionTLS13)
	cfg.Conns, cfg.Log = 2, log
	_, err := RunHandshakes(context.Background(), cfg)
	require.ErrorContains(t, err, "no round")
	require.Contains(t, log.String(), "echo: message 0, byte 10: got")
}

func TestRunHandshakesNoServer(t *testing.T) {
	testkit.CheckLeaks(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	cfg := quickTLS(addr, tls.VersionTLS13)
	cfg.Conns, cfg.Log = 2, new(logBuffer)
	r, err := RunHandshakes(context.Background(), cfg)
	require.ErrorContains(t, err, "no round")
	require.Positive(t, r.Errors)
}

// TestTLSRefusesRemote makes sure that the goroutine runs dial nothing
// elsewhere either.
func TestTLSRefusesRemote(t *testing.T) {
	tlsCfg := TLSClientConfig(tls.VersionTLS13, tls.X25519)
	_, err := Run(context.Background(), Config{Addr: "192.0.2.1:7777", TLS: tlsCfg})
	require.ErrorIs(t, err, ErrNotLoopback)
	_, err = RunIdle(context.Background(), Config{Addr: "192.0.2.1:7777", TLS: tlsCfg, ServerPID: 1})
	require.ErrorIs(t, err, ErrNotLoopback)
	_, err = RunHandshakes(context.Background(), Config{Addr: "192.0.2.1:7777", TLS: tlsCfg})
	require.ErrorIs(t, err, ErrNotLoopback)
	_, err = RunHandshakes(context.Background(), Config{Addr: "192.0.2.1:7777"})
	require.ErrorIs(t, err, ErrNotLoopback)
}

func TestTLSConfigChecks(t *testing.T) {
	tlsCfg := TLSClientConfig(tls.VersionTLS13, tls.X25519)
	for _, c := range []Config{
		{TLS: tlsCfg, Size: MaxTLSInFlight + 1},
		{TLS: tlsCfg, Size: 64 << 10, Depth: 4},
	} {
		_, err := c.withDefaults()
		require.Error(t, err, "%+v", c)
	}
	_, err := Config{TLS: tlsCfg, Size: 64 << 10}.withDefaults()
	require.NoError(t, err)
}
