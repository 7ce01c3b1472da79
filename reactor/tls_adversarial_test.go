package reactor

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Adversarial TLS tests: peers that flood, stall, break the protocol or
// fail in the middle of a handshake, and the loop's own TLS client against
// its own server.

// tlsVersions are the versions the tests that depend on one run with.
var tlsVersions = []uint16{tls.VersionTLS12, tls.VersionTLS13}

// tlsClientVersion returns clientTLS pinned to version v.
func tlsClientVersion(t testing.TB, v uint16) *tls.Config {
	cfg := clientTLS(t)
	cfg.MinVersion, cfg.MaxVersion = v, v
	return cfg
}

// isTimeout tells whether err is a deadline that expired: a hang, for a
// test that expects an answer.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// TestTLSHandshakeFlood: 5,000 clients that send half a ClientHello and
// stop take no handshake goroutine, so a new client is still served among
// them; then 2×limit clients that send a whole ClientHello and nothing
// more each hold a goroutine, waiting for their peer, but no slot: the
// handshakes working at once never pass the limit. One connection
// established before the flood keeps echoing throughout.
func TestTLSHandshakeFlood(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		const (
			limit   = 4
			halves  = 5000
			pinners = 2 * limit
			dialers = 32 // concurrent dials: the kernel's backlog (somaxconn) is not what is tested
			trips   = 200
			slack   = 3
		)
		rec := newRecorder(t)
		l, addr := serveTLS(t, rec, serverTLS(t), opt,
			WithMaxTLSHandshakes(limit), WithTLSHandshakeTimeout(time.Minute))
		var (
			mu      sync.Mutex
			flooded []net.Conn
		)
		t.Cleanup(func() { // before the loop stops (cleanups run last first)
			mu.Lock()
			defer mu.Unlock()
			for _, c := range flooded {
				c.Close()
			}
		})

		est := dialTLS(t, addr, clientTLS(t))
		var (
			worst time.Duration
			n     int
		)
		echoOnce := func() {
			start := time.Now()
			p := []byte(fmt.Sprintf("round trip %d", n))
			_, err := est.Write(p) // small: it does not block, and needs no goroutine
			require.NoError(t, err)
			got := make([]byte, len(p))
			_, err = io.ReadFull(est, got)
			require.NoError(t, err, "round trip %d", n)
			require.Equal(t, p, got)
			worst = max(worst, time.Since(start))
			n++
		}
		echoOnce()
		waitUntil(t, "the established handshake's goroutine reported back", func() bool {
			return l.Stats().TLSRunning == 0 && l.Stats().TLSHandshakes == 1
		})
		time.Sleep(10 * time.Millisecond) // and ended
		baseline := runtime.NumGoroutine()

		// Sample the goroutine count while the flood goes on.
		var peakG atomic.Int64
		stopSampling := make(chan struct{})
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			tick := time.NewTicker(200 * time.Microsecond)
			defer tick.Stop()
			for {
				if n := int64(runtime.NumGoroutine()); n > peakG.Load() {
					peakG.Store(n)
				}
				select {
				case <-stopSampling:
					return
				case <-tick.C:
				}
			}
		}()

		// flood makes count connections that each send msg and stop, from
		// at most dialers goroutines, while the established connection
		// echoes at least minTrips times.
		flood := func(count int, msg []byte, minTrips int) {
			var (
				next    atomic.Int64
				dialErr atomic.Value
				wg      sync.WaitGroup
			)
			for range min(dialers, count) {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for next.Add(1) <= int64(count) && dialErr.Load() == nil {
						c, err := net.DialTimeout("tcp", addr, testLimit)
						if err == nil {
							mu.Lock()
							flooded = append(flooded, c)
							mu.Unlock()
							_, err = c.Write(msg)
						}
						if err != nil {
							dialErr.CompareAndSwap(nil, err)
						}
					}
				}()
			}
			dialed := make(chan struct{})
			go func() {
				wg.Wait()
				close(dialed)
			}()
			start, during := time.Now(), 0
			for flooding := true; flooding || minTrips > 0; minTrips-- {
				select {
				case <-dialed:
					flooding = false
				default:
					during++
				}
				echoOnce()
			}
			t.Logf("%d connections dialed in %v, %d round trips meanwhile", count, time.Since(start), during)
			if err, _ := dialErr.Load().(error); err != nil {
				t.Fatal(err)
			}
		}

		hello := clientHello(t)
		half := hello[:len(hello)/2]
		peakG.Store(0)
		flood(halves, half, trips)
		waitUntil(t, "every half ClientHello accepted and read", func() bool {
			st := l.Stats()
			return st.Accepted == halves+1 && st.BytesIn >= uint64(len(half))*halves
		})
		require.Zero(t, l.Stats().TLSRunning, "half ClientHellos start no handshake")
		// The dialers (each with the goroutine net.DialTimeout starts to
		// watch its deadline), the goroutine that waits for them and the
		// sampler are the test's own.
		require.LessOrEqual(t, peakG.Load(), int64(baseline+2*dialers+2+slack),
			"goroutines while 5,000 half ClientHellos came")
		peak1 := peakG.Load()

		// A new client is served while the 5,000 wait.
		raw := dial(t, "tcp", addr)
		require.NoError(t, raw.SetDeadline(time.Now().Add(10*time.Second)))
		honest := tls.Client(raw, clientTLS(t))
		require.NoError(t, honest.Handshake(), "a new client's handshake among 5,000 half ClientHellos")
		require.Equal(t, []byte("served"), roundTrip(t, honest, []byte("served")))
		require.NoError(t, honest.Close())
		rec.nextClose(t)

		// Whole ClientHellos and then nothing: their handshakes start, the
		// limit's worth at once, answer and wait for their peers without a
		// slot, which lets the others start.
		flood(pinners, hello, 10)
		peakG.Store(0) // the dialers have ended; the handshakes they started have not
		waitUntil(t, "the pinning handshakes running", func() bool {
			st := l.Stats()
			return st.Accepted == halves+pinners+2 && st.TLSRunning == pinners
		})
		for range 10 {
			echoOnce()
		}
		close(stopSampling)
		<-sampled

		st := l.Stats()
		t.Logf("%d round trips, the worst %v; peak goroutines %d then %d over a baseline of %d",
			n, worst, peak1, peakG.Load(), baseline)
		require.Equal(t, limit, st.TLSPeakRunning, "handshakes working at once: the pinning clients alone exceed the limit")
		require.Equal(t, pinners, st.TLSRunning, "each pinning client's goroutine waits for its peer")
		require.EqualValues(t, 2, st.TLSHandshakes)
		require.Zero(t, st.TLSFailures, "no flooding client was closed")
		require.Equal(t, halves+pinners+1, st.Conns)
		// Beyond the sampler, only the pinning handshakes.
		require.LessOrEqual(t, peakG.Load(), int64(baseline+1+pinners+slack),
			"goroutines while the pinning handshakes wait, 5,000 half ClientHellos with them")
		require.LessOrEqual(t, runtime.NumGoroutine(), baseline+pinners+slack, "goroutines after the flood")
	})
}

// TestTLSOversizedRecord: a record header announcing more than the
// protocol allows (2^14 + 2048 bytes of ciphertext) after the handshake
// closes the connection with crypto/tls's error, and the client gets the
// record_overflow alert (or the end of the stream), not a hang.
func TestTLSOversizedRecord(t *testing.T) {
	for _, v := range tlsVersions {
		t.Run(tls.VersionName(v), func(t *testing.T) {
			pollers(t, func(t *testing.T, opt Option) {
				rec := newRecorder(t)
				l, addr := serveTLS(t, rec, serverTLS(t), opt)
				raw := dial(t, "tcp", addr)
				c := tls.Client(raw, tlsClientVersion(t, v))
				require.Equal(t, []byte("fine"), roundTrip(t, c, []byte("fine")))

				const n = 16384 + 2048 + 1
				bad := append([]byte{23, 3, 3, n >> 8, n & 0xff}, payload(100)...)
				_, err := raw.Write(bad)
				require.NoError(t, err)
				ev := rec.nextClose(t)
				require.Error(t, ev.err)
				require.Contains(t, ev.err.Error(), "oversized")

				require.NoError(t, raw.SetReadDeadline(time.Now().Add(5*time.Second)))
				_, err = c.Read(make([]byte, 1))
				require.Error(t, err)
				require.False(t, isTimeout(err), "the client got no answer: %v", err)
				require.True(t, errors.Is(err, io.EOF) || strings.Contains(err.Error(), "record overflow"),
					"the client reads the alert or EOF, not %v", err)
				require.EqualValues(t, 1, l.Stats().TLSHandshakes)
			})
		})
	}
}

// fillOutput writes to c until Write fails, and checks that it failed with
// ErrOutputFull within the bounds, and that Available tells the truth:
// Available() bytes are accepted, and when it is 0 even one byte is not.
func fillOutput(c *Conn, maxOutput int) error {
	chunk := payload(10000)
	written := 0
	var err error
	for written < 64<<20 {
		if _, err = c.Write(chunk); err != nil {
			break
		}
		written += len(chunk)
	}
	switch {
	case !errors.Is(err, ErrOutputFull):
		return fmt.Errorf("Write after %d bytes: %v, not ErrOutputFull", written, err)
	case c.Pending() > maxOutput+64<<10:
		return fmt.Errorf("Pending %d after %d bytes written, over the cap %d + 64 KiB", c.Pending(), written, maxOutput)
	case written < maxOutput/2:
		return fmt.Errorf("ErrOutputFull after %d bytes, with a cap of %d", written, maxOutput)
	case c.Available() >= len(chunk):
		return fmt.Errorf("Available says %d bytes fit, but a Write of %d failed", c.Available(), len(chunk))
	}
	for i := 0; c.Available() > 0; i++ {
		a := c.Available()
		if i == 100 {
			return fmt.Errorf("Available still %d after 100 writes of what it said", a)
		}
		if _, err := c.Write(payload(a)); err != nil {
			return fmt.Errorf("Write of Available()=%d bytes, with %d pending: %v", a, c.Pending(), err)
		}
	}
	if _, err := c.Write([]byte{0}); !errors.Is(err, ErrOutputFull) {
		return fmt.Errorf("Write of 1 byte when Available is 0: %v, not ErrOutputFull", err)
	}
	if c.Pending() > maxOutput+64<<10 {
		return fmt.Errorf("Pending %d, over the cap %d + 64 KiB", c.Pending(), maxOutput)
	}
	return nil
}

// TestTLSNonReaderBounded: a TLS peer that sends without reading is bounded
// as a plain one is, on ciphertext: the echo's output passes the high
// watermark, reading pauses, and the loop's buffers stay within the caps;
// and a handler that writes until Write fails gets ErrOutputFull within
// the cap, with Available consistent with Write.
func TestTLSNonReaderBounded(t *testing.T) {
	for _, v := range tlsVersions {
		t.Run(tls.VersionName(v), func(t *testing.T) {
			pollers(t, func(t *testing.T, opt Option) {
				const maxIn, maxOut = 256 << 10, 256 << 10
				rec := newRecorder(t)
				filled := make(chan error, 1)
				rec.data = func(c *Conn) {
					if c.Context() == "filler" {
						c.Next(0)
						return
					}
					if p, _ := c.Peek(0); bytes.Equal(p, []byte("fill")) {
						c.Next(0)
						c.SetContext("filler")
						filled <- fillOutput(c, maxOut)
						return
					}
					echo(c)
				}
				l, addr := serveTLS(t, rec, serverTLS(t), opt, WithMaxInput(maxIn), WithMaxOutput(maxOut))

				// The echo of a client that never reads.
				raw := dial(t, "tcp", addr)
				c := tls.Client(raw, tlsClientVersion(t, v))
				require.NoError(t, c.Handshake())
				wrote := make(chan error, 1)
				var sent atomic.Int64
				go func() {
					chunk := payload(64 << 10)
					for {
						n, err := c.Write(chunk)
						sent.Add(int64(n))
						if err != nil {
							wrote <- err
							return
						}
					}
				}()
				waitUntil(t, "reading paused", func() bool { return l.Stats().ReadPauses > 0 })
				// Then the server reads nothing more, and the client's writes block.
				last := l.Stats().BytesIn
				deadline := time.Now().Add(testLimit)
				for quiet := 0; quiet < 3; {
					require.True(t, time.Now().Before(deadline), "the server kept reading: %d bytes", last)
					time.Sleep(50 * time.Millisecond)
					if in := l.Stats().BytesIn; in != last {
						last, quiet = in, 0
					} else {
						quiet++
					}
				}
				st := l.Stats()
				t.Logf("client sent %d bytes; the server read %d, paused reading %d times, held at most %d",
					sent.Load(), st.BytesIn, st.ReadPauses, st.PeakBuffered)
				require.Equal(t, 1, st.Conns, "the echo is still open: paused, not cut for output full")
				require.LessOrEqual(t, st.PeakBuffered, maxIn+maxOut+64<<10)
				require.LessOrEqual(t, st.Buffered, maxIn+maxOut+64<<10)
				raw.Close()
				select {
				case err := <-wrote:
					require.Error(t, err)
				case <-time.After(testLimit):
					t.Fatal("the client's Write did not end with its connection")
				}
				rec.nextClose(t)

				// A handler that fills the output of a client that does not read.
				raw = dial(t, "tcp", addr)
				c = tls.Client(raw, tlsClientVersion(t, v))
				_, err := c.Write([]byte("fill"))
				require.NoError(t, err)
				select {
				case err := <-filled:
					require.NoError(t, err)
				case <-time.After(testLimit):
					t.Fatal("the handler did not fill its output")
				}
			})
		})
	}
}

// TestTLSMutualAuth: with RequireAndVerifyClientCert a client with a
// certificate of the test CA is served and OnOpen sees its name; one
// without a certificate gets no OnOpen, and OnClose has the error.
func TestTLSMutualAuth(t *testing.T) {
	for _, v := range tlsVersions {
		t.Run(tls.VersionName(v), func(t *testing.T) {
			pollers(t, func(t *testing.T, opt Option) {
				rec := newRecorder(t)
				names := make(chan string, 10)
				rec.open = func(c *Conn) {
					st, ok := c.ConnectionState()
					name := "no connection state"
					if ok && len(st.PeerCertificates) > 0 {
						name = st.PeerCertificates[0].Subject.CommonName
					} else if ok {
						name = "no peer certificate"
					}
					names <- name
				}
				cfg := serverTLS(t)
				cfg.ClientAuth = tls.RequireAndVerifyClientCert
				cfg.ClientCAs = testCerts(t).pool
				l, addr := serveTLS(t, rec, cfg, opt)

				withCert := tlsClientVersion(t, v)
				withCert.Certificates = []tls.Certificate{testCerts(t).client}
				c := dialTLS(t, addr, withCert)
				require.Equal(t, []byte("authenticated"), roundTrip(t, c, []byte("authenticated")))
				select {
				case name := <-names:
					require.Equal(t, "reactor test client", name)
				case <-time.After(testLimit):
					t.Fatal("no OnOpen")
				}
				require.NoError(t, c.Close())
				rec.nextClose(t)

				raw := dial(t, "tcp", addr)
				anon := tls.Client(raw, tlsClientVersion(t, v))
				// TLS 1.3 clients finish before the server has checked
				// them: the refusal comes with the first read.
				if err := anon.Handshake(); err == nil {
					_, err = anon.Write([]byte("let me in"))
					if err == nil {
						_, err = anon.Read(make([]byte, 1))
					}
					require.Error(t, err)
					require.False(t, isTimeout(err), "the client got no answer")
				}
				ev := rec.nextClose(t)
				require.Error(t, ev.err)
				require.Contains(t, ev.err.Error(), "certificate")
				select {
				case name := <-names:
					t.Fatalf("OnOpen for a client without a certificate (%s)", name)
				default:
				}
				// Stats are as of the end of a pass: OnClose comes before.
				waitUntil(t, "the failure counted", func() bool { return l.Stats().TLSFailures == 1 })
				require.EqualValues(t, 1, l.Stats().TLSHandshakes)
			})
		})
	}
}

// TestTLSSessionResumption: a crypto/tls client with a session cache
// resumes its session on a second connection, for TLS 1.2 (a ticket in the
// handshake) and TLS 1.3 (a ticket after it, which the loop sends and the
// client reads with the echo).
func TestTLSSessionResumption(t *testing.T) {
	for _, v := range tlsVersions {
		t.Run(tls.VersionName(v), func(t *testing.T) {
			pollers(t, func(t *testing.T, opt Option) {
				rec := newRecorder(t)
				resumed := make(chan bool, 10)
				rec.open = func(c *Conn) {
					st, _ := c.ConnectionState()
					resumed <- st.DidResume
				}
				_, addr := serveTLS(t, rec, serverTLS(t), opt)
				ccfg := tlsClientVersion(t, v)
				ccfg.ClientSessionCache = tls.NewLRUClientSessionCache(4)
				for i, want := range []bool{false, true, true} {
					c := dialTLS(t, addr, ccfg)
					require.Equal(t, []byte("again"), roundTrip(t, c, []byte("again")))
					require.Equal(t, want, c.ConnectionState().DidResume, "connection %d, client side", i)
					select {
					case got := <-resumed:
						require.Equal(t, want, got, "connection %d, the server's ConnectionState", i)
					case <-time.After(testLimit):
						t.Fatal("no OnOpen")
					}
					require.NoError(t, c.Close())
					rec.nextClose(t)
				}
			})
		})
	}
}

// TestTLSOpenSSLClient: openssl s_client, TLS 1.2 and 1.3, gets its line
// echoed.
func TestTLSOpenSSLClient(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl is not on PATH")
	}
	for _, flag := range []string{"-tls1_2", "-tls1_3"} {
		t.Run(flag, func(t *testing.T) {
			pollers(t, func(t *testing.T, opt Option) {
				rec := newRecorder(t)
				l, addr := serveTLS(t, rec, serverTLS(t), opt)
				ctx, cancel := context.WithTimeout(context.Background(), testLimit)
				defer cancel()
				cmd := exec.CommandContext(ctx, openssl, "s_client", "-connect", addr, flag,
					"-quiet", "-no_ign_eof", "-verify_quiet", "-nocommands")
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				stdin, err := cmd.StdinPipe()
				require.NoError(t, err)
				stdout, err := cmd.StdoutPipe()
				require.NoError(t, err)
				require.NoError(t, cmd.Start())
				defer func() {
					cancel()
					cmd.Wait()
				}()
				const line = "hello from openssl s_client\n"
				_, err = io.WriteString(stdin, line)
				require.NoError(t, err)
				got, err := bufio.NewReader(stdout).ReadString('\n')
				require.NoError(t, err, "openssl: %s", &stderr)
				require.Equal(t, line, got)
				require.NoError(t, stdin.Close())
				require.NoError(t, cmd.Wait(), "openssl: %s", &stderr)
				ev := rec.nextClose(t)
				require.True(t, ev.err == nil || errors.Is(ev.err, io.EOF), "OnClose: %v", ev.err)
				require.EqualValues(t, 1, l.Stats().TLSHandshakes)
			})
		})
	}
}

// TestTLSGetCertificatePanics: a panic in the server's GetCertificate, on
// the handshake goroutine, closes that connection with a *PanicError; the
// loop serves the next client.
func TestTLSGetCertificatePanics(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		rec := newRecorder(t)
		rec.open = func(c *Conn) {
			if st, _ := c.ConnectionState(); st.ServerName == "boom" {
				t.Error("OnOpen after a handshake that panicked")
			}
		}
		cert := testCerts(t).server
		cfg := &tls.Config{GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			if hello.ServerName == "boom" {
				panic(errors.New("certificate store exploded"))
			}
			return &cert, nil
		}}
		l, addr := serveTLS(t, rec, cfg, opt, WithLogger(discardLogger()))

		boom := clientTLS(t)
		boom.ServerName = "boom" // sent as SNI; "127.0.0.1", an address, is not
		raw := dial(t, "tcp", addr)
		err := tls.Client(raw, boom).Handshake()
		require.Error(t, err)
		require.False(t, isTimeout(err), "the client got no answer")
		ev := rec.nextClose(t)
		var perr *PanicError
		require.ErrorAs(t, ev.err, &perr)
		require.EqualError(t, perr.Unwrap(), "certificate store exploded")
		require.NotEmpty(t, perr.Stack)

		for range 2 {
			c := dialTLS(t, addr, clientTLS(t))
			require.Equal(t, []byte("still here"), roundTrip(t, c, []byte("still here")))
			require.NoError(t, c.Close())
			ev := rec.nextClose(t)
			require.True(t, ev.err == nil || errors.Is(ev.err, io.EOF), "OnClose: %v", ev.err)
		}
		st := l.Stats()
		require.EqualValues(t, 2, st.TLSHandshakes)
		require.EqualValues(t, 1, st.TLSFailures)
		require.Zero(t, st.TLSRunning)
	})
}

// TestTLSGroup: a Group of two loops serves TLS in both accept modes, each
// loop running the handshakes of the connections it was given.
func TestTLSGroup(t *testing.T) {
	for _, mode := range []struct {
		name string
		mode AcceptMode
	}{{"reuseport", AcceptReusePort}, {"handoff", AcceptHandoff}} {
		t.Run(mode.name, func(t *testing.T) {
			pollers(t, func(t *testing.T, opt Option) {
				const clients = 20
				g, _ := newTestGroup(t, 2, WithAcceptMode(mode.mode), WithLoopOptions(opt))
				addr, err := g.ListenTLS("tcp", "127.0.0.1:0", serverTLS(t))
				require.NoError(t, err)
				runGroup(t, g)
				var wg sync.WaitGroup
				for i := range clients {
					wg.Add(1)
					go func() {
						defer wg.Done()
						raw, err := net.DialTimeout("tcp", addr.String(), testLimit)
						if err != nil {
							t.Error(err)
							return
						}
						defer raw.Close()
						raw.SetDeadline(time.Now().Add(testLimit))
						c := tls.Client(raw, clientTLS(t))
						msg := []byte(fmt.Sprint("client ", i))
						got := make([]byte, len(msg))
						if _, err := c.Write(msg); err != nil {
							t.Errorf("client %d: %v", i, err)
							return
						}
						if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, msg) {
							t.Errorf("client %d: %q, %v", i, got, err)
						}
					}()
				}
				wg.Wait()
				waitUntil(t, "every handshake counted", func() bool {
					sum, _ := g.Stats()
					return sum.TLSHandshakes == clients
				})
				sum, each := g.Stats()
				require.EqualValues(t, clients, sum.TLSHandshakes)
				require.Zero(t, sum.TLSFailures)
				if mode.mode == AcceptHandoff {
					for i, s := range each {
						require.EqualValues(t, clients/2, s.TLSHandshakes, "loop %d, given every other connection", i)
					}
				}
			})
		})
	}
}

// corkConn holds what crypto/tls writes once the ClientHello has gone (from
// the client's first read on) until uncork sends it all in one write: the
// client's last handshake flight and the request that follows it arrive
// together.
type corkConn struct {
	net.Conn
	mu     sync.Mutex
	corked bool
	held   []byte
}

func (c *corkConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	c.corked = true
	c.mu.Unlock()
	return c.Conn.Read(p)
}

func (c *corkConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.corked {
		c.held = append(c.held, p...)
		return len(p), nil
	}
	return c.Conn.Write(p)
}

func (c *corkConn) uncork() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.corked = false
	_, err := c.Conn.Write(c.held)
	c.held = nil
	return err
}

// earlyRequest makes a TLS 1.3 connection to addr and writes its request
// (size bytes after a header) the moment Handshake returns, in the
// client's last flight if cork is set, and checks the echo.
func earlyRequest(t testing.TB, addr string, i int, cork bool, size int) error {
	raw, err := net.DialTimeout("tcp", addr, testLimit)
	if err != nil {
		return err
	}
	defer raw.Close()
	raw.SetDeadline(time.Now().Add(testLimit))
	cc := &corkConn{Conn: raw}
	var conn net.Conn = raw
	if cork {
		conn = cc
	}
	c := tls.Client(conn, tlsClientVersion(t, tls.VersionTLS13))
	if err := c.Handshake(); err != nil {
		return fmt.Errorf("handshake: %w", err)
	}
	msg := append([]byte(fmt.Sprintf("request %d, cork %v, %d bytes more:", i, cork, size)), payload(size)...)
	if _, err := c.Write(msg); err != nil {
		return err
	}
	if cork {
		if err := cc.uncork(); err != nil {
			return err
		}
	}
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(c, got); err != nil {
		return fmt.Errorf("reading the echo of %.40q: %w (got %.40q)", msg, err, got)
	}
	if !bytes.Equal(got, msg) {
		return fmt.Errorf("echo %.40q of %.40q", got, msg)
	}
	return nil
}

// TestTLSEarlyRequest: a TLS 1.3 client writes its request as soon as its
// handshake is done, when the server's handshake goroutine may not have
// finished: the request comes with the client's Finished, or while the
// goroutine reports back, and the loop must decrypt it then, with no
// readiness event of its own to come. 200 connections, each answered;
// half of them send Finished and the request in one write, and one in
// four, corked or not, sends a request larger than the ciphertext the loop reads ahead of
// a handshake (tlsHandshakeInput), so that reading pauses then resumes.
func TestTLSEarlyRequest(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		const conns, workers = 200, 8
		rec := newRecorder(t)
		l, addr := serveTLS(t, rec, serverTLS(t), opt)
		var next atomic.Int64
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1) - 1)
					if i >= conns {
						return
					}
					size := 0
					if i%8 == 3 || i%8 == 6 {
						size = 40 << 10
					}
					if err := earlyRequest(t, addr, i, i%2 == 1, size); err != nil {
						t.Errorf("connection %d: %v", i, err)
						return
					}
				}
			}()
		}
		wg.Wait()
		waitUntil(t, "every handshake counted", func() bool { return l.Stats().TLSHandshakes == conns })
	})
}

// TestTLSClientRejectsServer: a handshake that fails after the server sent
// its flight (the client does not trust the server's certificate) reports
// the client's alert in OnClose, with no OnOpen, and counts as a failure.
func TestTLSClientRejectsServer(t *testing.T) {
	for _, v := range tlsVersions {
		t.Run(tls.VersionName(v), func(t *testing.T) {
			pollers(t, func(t *testing.T, opt Option) {
				rec := newRecorder(t)
				rec.open = func(c *Conn) { t.Error("OnOpen after a failed handshake") }
				l, addr := serveTLS(t, rec, serverTLS(t), opt)
				raw := dial(t, "tcp", addr)
				ccfg := tlsClientVersion(t, v)
				ccfg.RootCAs = x509.NewCertPool() // trusts nobody
				err := tls.Client(raw, ccfg).Handshake()
				var unknown x509.UnknownAuthorityError
				require.ErrorAs(t, err, &unknown, "the server sent its certificate")
				ev := rec.nextClose(t)
				require.Error(t, ev.err)
				require.Contains(t, ev.err.Error(), "remote error: tls: bad certificate", "the client's alert")
				waitUntil(t, "the failure counted", func() bool { return l.Stats().TLSFailures == 1 })
				st := l.Stats()
				require.Zero(t, st.TLSHandshakes)
				require.Zero(t, st.TLSRunning)
			})
		})
	}
}

// TestTLSConnectionStateInOnClose: ConnectionState in OnClose (to log the
// peer, say) answers at once, whatever the handshake's fate: false for a
// connection whose handshake did not complete (it was still running, or
// failed), true for one that did. A handshake still running holds
// crypto/tls's handshake lock, waiting for bytes that only the loop can
// feed: the loop must not wait for that lock.
func TestTLSConnectionStateInOnClose(t *testing.T) {
	type state struct {
		ok       bool
		complete bool
	}
	for _, tc := range []struct {
		name   string
		client func(t *testing.T, addr string)
		wantOK bool
	}{
		{"handshake running, timed out", func(t *testing.T, addr string) {
			_, err := dial(t, "tcp", addr).Write(clientHello(t)) // and nothing more
			require.NoError(t, err)
		}, false},
		{"handshake running, peer reset", func(t *testing.T, addr string) {
			raw := dial(t, "tcp", addr)
			_, err := raw.Write(clientHello(t))
			require.NoError(t, err)
			_, err = io.ReadFull(raw, make([]byte, 5)) // the server's flight: its handshake runs
			require.NoError(t, err)
			require.NoError(t, raw.(*net.TCPConn).SetLinger(0))
			raw.Close()
		}, false},
		{"handshake failed", func(t *testing.T, addr string) {
			ccfg := clientTLS(t)
			ccfg.RootCAs = x509.NewCertPool()
			require.Error(t, tls.Client(dial(t, "tcp", addr), ccfg).Handshake())
		}, false},
		{"handshake complete", func(t *testing.T, addr string) {
			c := dialTLS(t, addr, clientTLS(t))
			require.Equal(t, []byte("x"), roundTrip(t, c, []byte("x")))
			require.NoError(t, c.Close())
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pollers(t, func(t *testing.T, opt Option) {
				entered := make(chan error, 1)
				states := make(chan state, 1)
				h := &onCloseHook{recorder: newRecorder(t), hook: func(c *Conn, err error) {
					entered <- err
					st, ok := c.ConnectionState()
					states <- state{ok, st.HandshakeComplete}
				}}
				// Not serveTLS: a loop stuck in OnClose cannot be stopped,
				// and waiting for it at cleanup would only add a minute.
				l, err := New(h, opt, WithTLSHandshakeTimeout(200*time.Millisecond))
				require.NoError(t, err)
				addr, err := l.ListenTLS("tcp", "127.0.0.1:0", serverTLS(t))
				require.NoError(t, err)
				done := make(chan error, 1)
				go func() { done <- l.Run(context.Background()) }()
				stuck := false
				t.Cleanup(func() {
					l.Stop()
					if !stuck {
						waitRun(t, done, "Run after Stop")
					}
				})
				tc.client(t, addr.String())
				var why error
				select {
				case why = <-entered:
				case <-time.After(testLimit):
					t.Fatal("no OnClose")
				}
				select {
				case st := <-states:
					require.Equal(t, tc.wantOK, st.ok, "ConnectionState's ok in OnClose(%v)", why)
					require.Equal(t, tc.wantOK, st.complete, "HandshakeComplete in OnClose(%v)", why)
				case <-time.After(5 * time.Second):
					stuck = true
					t.Fatalf("ConnectionState in OnClose(%v) blocked the loop for 5 s (TLSRunning %d)", why, l.Stats().TLSRunning)
				}
			})
		})
	}
}

// selfTLS is the handler of a loop that dials itself over TLS: a dialed
// connection (its context a *selfDial) sends its message once open and
// collects the echo; an accepted one echoes.
type selfTLS struct {
	*recorder
	echoed chan string
}

type selfDial struct {
	msg string
	got []byte
}

func (h *selfTLS) OnOpen(c *Conn) {
	if d, ok := c.Context().(*selfDial); ok {
		c.WriteString(d.msg[len(d.msg)/2:]) // the first half was written before OnOpen
	}
}

func (h *selfTLS) OnData(c *Conn) {
	d, ok := c.Context().(*selfDial)
	if !ok {
		echo(c)
		return
	}
	p, _ := c.Next(0)
	d.got = append(d.got, p...)
	if len(d.got) >= len(d.msg) {
		h.echoed <- string(d.got)
		c.Close()
	}
}

// TestTLSDialSelf: the loop's TLS client against its own TLS server, on
// one loop and from another loop, with more dials in flight than the
// handshake limit; and Stop with many of those handshakes in flight
// returns cleanly, leaving no goroutine or fd behind, every connection
// told.
func TestTLSDialSelf(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		t.Run("one loop", func(t *testing.T) { selfEcho(t, opt, true) })
		t.Run("two loops", func(t *testing.T) { selfEcho(t, opt, false) })
		for _, delay := range []time.Duration{0, time.Millisecond, 5 * time.Millisecond, 20 * time.Millisecond, 50 * time.Millisecond} {
			t.Run(fmt.Sprint("stop after ", delay), func(t *testing.T) { stopSelfDials(t, opt, delay) })
		}
	})
}

// selfEcho dials the serving loop with DialTLS, from the same loop or from
// another one, more connections than the handshake limit, and checks the
// echoes.
func selfEcho(t *testing.T, opt Option, sameLoop bool) {
	const conns, limit = 10, 2
	opts := []Option{opt, WithMaxTLSHandshakes(limit), WithTLSHandshakeTimeout(5 * time.Second)}
	h := &selfTLS{recorder: newRecorder(t), echoed: make(chan string, conns)}
	srv, addr := serveTLS(t, h, serverTLS(t), opts...)
	cli := srv
	if !sameLoop {
		var err error
		cli, err = New(h, opts...)
		require.NoError(t, err)
		run(t, cli)
	}
	want := map[string]bool{}
	msgs := make([]string, conns)
	for i := range msgs {
		msgs[i] = fmt.Sprintf("message %d from a loop's TLS client", i)
		want[msgs[i]] = true
	}
	require.NoError(t, cli.Post(func() {
		for _, msg := range msgs {
			c, err := cli.DialTLS("tcp", addr, clientTLS(t), testLimit)
			if err != nil {
				t.Error(err)
				return
			}
			c.SetContext(&selfDial{msg: msg})
			c.WriteString(msg[:len(msg)/2]) // before OnOpen: sent once the handshake is done
		}
	}))
	deadline := time.After(testLimit)
	for len(want) > 0 {
		select {
		case got := <-h.echoed:
			require.True(t, want[got], "echo %q", got)
			delete(want, got)
		case ev := <-h.closed:
			if ev.err != nil && !errors.Is(ev.err, io.EOF) {
				_, dialed := ev.c.Context().(*selfDial)
				t.Fatalf("a connection (dialed: %v) failed with %v before every echo came, %d missing; server %+v; client %+v",
					dialed, ev.err, len(want), srv.Stats(), cli.Stats())
			}
		case <-deadline:
			t.Fatalf("echoes missing: %v", want)
		}
	}
	waitUntil(t, "both sides of every connection handshaken", func() bool {
		n := srv.Stats().TLSHandshakes
		if !sameLoop {
			n += cli.Stats().TLSHandshakes
		}
		return n == 2*conns
	})
}

// stopSelfDials has a loop dial itself 32 times over TLS and stops it
// after delay (at once, from the posted function that dials, for 0).
func stopSelfDials(t *testing.T, opt Option, delay time.Duration) {
	const conns = 32
	checkLeaks(t)
	h := &selfTLS{recorder: newRecorder(t), echoed: make(chan string, conns)}
	// A limit that lets both sides of every connection run: what is tested
	// is the stop, not the queue.
	l, err := New(h, opt, WithLogger(discardLogger()), WithMaxTLSHandshakes(2*conns))
	require.NoError(t, err)
	addr, err := l.ListenTLS("tcp", "127.0.0.1:0", serverTLS(t))
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- l.Run(context.Background()) }()
	dialing := make(chan struct{})
	require.NoError(t, l.Post(func() {
		defer close(dialing)
		for i := range conns {
			c, err := l.DialTLS("tcp", addr.String(), clientTLS(t), testLimit)
			if err != nil {
				t.Error(err)
				return
			}
			c.SetContext(&selfDial{msg: fmt.Sprint("dial ", i)})
		}
		if delay == 0 {
			l.Stop()
		}
	}))
	<-dialing
	if delay > 0 {
		time.Sleep(delay)
		l.Stop()
	}
	waitRun(t, done, "Run after Stop with handshakes in flight")
	st := l.Stats()
	h.mu.Lock()
	defer h.mu.Unlock()
	dialed := 0
	for c := range h.closes {
		if _, ok := c.Context().(*selfDial); ok {
			dialed++
		}
	}
	t.Logf("at the stop: %d accepted, %d handshakes done, %d failed", st.Accepted, st.TLSHandshakes, st.TLSFailures)
	require.Equal(t, conns, dialed, "every dialed connection gets OnClose")
	require.EqualValues(t, st.Dialed+st.Accepted, len(h.closes), "every connection gets OnClose")
	require.Zero(t, st.Conns)
	// checkLeaks, at cleanup: every handshake goroutine has ended, every fd is closed.
}

// TestTLSDialEndsBeforeConnect: a DialTLS connection that ends before it
// has connected, so before its handshake could begin (the connect refused,
// Close or Abort while connecting), gets OnClose like a plain Dial's and
// the loop goes on.
func TestTLSDialEndsBeforeConnect(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	refusing := ln.Addr().String()
	ln.Close()
	pollers(t, func(t *testing.T, opt Option) {
		for _, tc := range []struct {
			name string
			addr func(serving string) string
			then func(c *Conn)
			want func(t *testing.T, err error)
		}{
			{"refused", func(string) string { return refusing }, func(*Conn) {},
				func(t *testing.T, err error) { require.ErrorIs(t, err, syscall.ECONNREFUSED) }},
			{"close", func(a string) string { return a }, func(c *Conn) { c.Close() },
				func(t *testing.T, err error) { require.NoError(t, err) }},
			{"abort", func(a string) string { return a }, func(c *Conn) { c.Abort() },
				func(t *testing.T, err error) { require.NoError(t, err) }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				rec := newRecorder(t)
				rec.open = func(c *Conn) {
					if _, ok := c.Context().(*selfDial); ok {
						t.Error("OnOpen for a dialed connection that ended before it connected")
					}
				}
				l, addr := serveTLS(t, rec, serverTLS(t), opt)
				dialed := make(chan *Conn, 1)
				require.NoError(t, l.Post(func() {
					c, err := l.DialTLS("tcp", tc.addr(addr), clientTLS(t), testLimit)
					if err != nil {
						t.Error(err)
						close(dialed)
						return
					}
					c.SetContext(&selfDial{})
					tc.then(c)
					dialed <- c
				}))
				c := <-dialed
				require.NotNil(t, c)
				for {
					ev := rec.nextClose(t)
					if ev.c == c {
						tc.want(t, ev.err)
						break
					}
				}
				// The loop still serves.
				tc := dialTLS(t, addr, clientTLS(t))
				require.Equal(t, []byte("alive"), roundTrip(t, tc, []byte("alive")))
			})
		}
	})
}
