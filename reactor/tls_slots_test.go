package reactor

import (
	"crypto/tls"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

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
		l, addr := serveTLS(t, rec, serverTLS(t), opt,
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
				c, err := net.DialTimeout("tcp", addr, testLimit)
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
		waitUntil(t, "more silent ClientHellos than slots arrived", func() bool {
			st := l.Stats()
			return st.Accepted > 2*limit && st.BytesIn >= uint64(2*limit*len(hello))
		})

		var worst time.Duration
		for i := range honest {
			raw := dial(t, "tcp", addr)
			start := time.Now()
			c := tls.Client(raw, clientTLS(t))
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
