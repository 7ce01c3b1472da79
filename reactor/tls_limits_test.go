package reactor

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/require"
)

// Limits of TLS handshakes and records: floods of ClientHellos, silent
// handshakes, records over the maximum, a panic in a handshake callback.

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
		l, addr := serveTLS(t, rec, testkit.ServerTLS(t), opt,
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

		before := runtime.NumGoroutine() // the handshake's goroutine is not among them
		est := dialTLS(t, addr, testkit.ClientTLS(t))
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
		testkit.WaitUntil(t, "the established handshake's goroutine ended", func() bool {
			return l.Stats().TLSRunning == 0 && l.Stats().TLSHandshakes == 1 && runtime.NumGoroutine() <= before
		})
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
						c, err := net.DialTimeout("tcp", addr, testkit.Limit)
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
		testkit.WaitUntil(t, "every half ClientHello accepted and read", func() bool {
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
		honest := tls.Client(raw, testkit.ClientTLS(t))
		require.NoError(t, honest.Handshake(), "a new client's handshake among 5,000 half ClientHellos")
		require.Equal(t, []byte("served"), roundTrip(t, honest, []byte("served")))
		require.NoError(t, honest.Close())
		rec.nextClose(t)

		// Whole ClientHellos and then nothing: their handshakes start, the
		// limit's worth at once, answer and wait for their peers without a
		// slot, which lets the others start.
		flood(pinners, hello, 10)
		peakG.Store(0) // the dialers have ended; the handshakes they started have not
		testkit.WaitUntil(t, "the pinning handshakes running", func() bool {
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

// TestTLSSilentHandshakesHoldNoSlot: clients that send one whole
// ClientHello and then nothing, 80 a second, do not make honest clients
// wait: a handshake that waits for its peer gives its slot back. Each
// honest handshake must be done long before any silent one times out;
// were slots held for the whole handshake, the first eight silent clients
// would hold them all until their timeout, and every honest client would
// wait for it.
func TestTLSSilentHandshakesHoldNoSlot(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		const (
			limit   = 8
			timeout = 5 * time.Second
			honest  = 20
			rate    = 80 // silent clients a second
		)
		rec := newRecorder(t)
		l, addr := serveTLS(t, rec, testkit.ServerTLS(t), opt,
			WithMaxTLSHandshakes(limit), WithTLSHandshakeTimeout(timeout))
		hello := clientHello(t)

		var (
			mu     sync.Mutex
			silent []net.Conn
		)
		t.Cleanup(func() {
			mu.Lock()
			defer mu.Unlock()
			for _, c := range silent {
				c.Close()
			}
		})
		stop := make(chan struct{})
		attacking := make(chan struct{})
		go func() {
			defer close(attacking)
			tick := time.NewTicker(time.Second / rate)
			defer tick.Stop()
			for range 4 * rate { // at most 4 s of attack
				c, err := net.DialTimeout("tcp", addr, testkit.Limit)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				silent = append(silent, c)
				mu.Unlock()
				if _, err := c.Write(hello); err != nil {
					t.Error(err)
					return
				}
				select {
				case <-stop:
					return
				case <-tick.C:
				}
			}
		}()
		testkit.WaitUntil(t, "more silent ClientHellos than slots arrived", func() bool {
			st := l.Stats()
			return st.Accepted > 2*limit && st.BytesIn >= uint64(2*limit*len(hello))
		})

		var worst time.Duration
		for i := range honest {
			raw := dial(t, "tcp", addr)
			start := time.Now()
			c := tls.Client(raw, testkit.ClientTLS(t))
			require.NoError(t, c.Handshake(), "honest client %d", i)
			worst = max(worst, time.Since(start))
			require.Equal(t, []byte("hi"), roundTrip(t, c, []byte("hi")))
			c.Close()
		}
		st := l.Stats()
		close(stop)
		<-attacking
		mu.Lock()
		n := len(silent)
		mu.Unlock()
		t.Logf("%d honest handshakes among %d silent ones: the slowest took %v; %d goroutines waited for their peers, at most %d handshakes worked at once",
			honest, n, worst, st.TLSRunning, st.TLSPeakRunning)
		require.Zero(t, st.TLSFailures, "a silent client timed out before the honest ones were done: they waited for its slot")
		require.LessOrEqual(t, st.TLSPeakRunning, limit)
		require.Less(t, worst, timeout/2)
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
				l, addr := serveTLS(t, rec, testkit.ServerTLS(t), opt)
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
		cert := testkit.Certs(t).Server
		cfg := &tls.Config{GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			if hello.ServerName == "boom" {
				panic(errors.New("certificate store exploded"))
			}
			return &cert, nil
		}}
		l, addr := serveTLS(t, rec, cfg, opt, WithLogger(discardLogger()))

		boom := testkit.ClientTLS(t)
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
			c := dialTLS(t, addr, testkit.ClientTLS(t))
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
