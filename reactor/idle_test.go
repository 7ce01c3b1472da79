package reactor

import (
	"crypto/tls"
	"io"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/require"
)

// TestIdleTimeoutTLSSendsCloseNotify: a read timeout is an orderly close:
// a TLS client gets close_notify (an alert record, seen in TLS 1.2) before
// the FIN, not a stream cut short.
func TestIdleTimeoutTLSSendsCloseNotify(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		rec := newRecorder(t)
		_, addr := serveTLS(t, rec, testkit.ServerTLS(t), opt, WithReadTimeout(100*time.Millisecond))
		raw := &recordingConn{Conn: dial(t, "tcp", addr)}
		cfg := testkit.ClientTLS(t)
		cfg.MaxVersion = tls.VersionTLS12
		c := tls.Client(raw, cfg)
		require.Equal(t, []byte("ping"), roundTrip(t, c, []byte("ping")))
		got, err := io.ReadAll(c) // silent now: the server times out
		require.NoError(t, err)
		require.Empty(t, got)
		raw.mu.Lock()
		types := recordTypes(raw.got.Bytes())
		raw.mu.Unlock()
		require.EqualValues(t, 21, types[len(types)-1], "close_notify, an alert record, comes last")
		require.ErrorIs(t, rec.nextClose(t).err, ErrReadTimeout)
	})
}

// TestIdleTimeoutKeepsOutput: output queued when the read timeout expires
// still leaves (the peer reads, it only stopped sending), then FIN.
func TestIdleTimeoutKeepsOutput(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		rec := newRecorder(t)
		const size = 8 << 20
		rec.open = func(c *Conn) { c.Write(payload(size)) }
		// Reading never pauses, so the read timeout runs while output waits.
		_, addr := serve(t, rec, opt, WithMaxOutput(size), WithWriteWatermarks(size/4, size),
			WithReadTimeout(50*time.Millisecond))
		c := dial(t, "tcp", addr)
		time.Sleep(150 * time.Millisecond) // not reading yet: the timeout passes with the output queued
		got, err := io.ReadAll(c)
		require.NoError(t, err, "the output, then FIN: no reset")
		require.Equal(t, payload(size), got)
		require.ErrorIs(t, rec.nextClose(t).err, ErrReadTimeout)
	})
}

// idleHandler says goodbye on the first idle timeout of a connection that
// sent "bye", and keeps the others for keep more timeouts.
type idleHandler struct {
	*recorder
	keep  int
	idles chan int // the number of OnIdle calls so far, per call
	n     int
}

func (h *idleHandler) OnIdle(c *Conn) bool {
	h.n++
	h.idles <- h.n
	if h.n <= h.keep {
		return true
	}
	c.Write([]byte("idle timeout, bye\n"))
	return false
}

// TestIdleHandler: OnIdle may keep a connection, which then times out
// again after another period, and may say goodbye before it closes.
func TestIdleHandler(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		h := &idleHandler{recorder: newRecorder(t), keep: 2, idles: make(chan int, 10)}
		_, addr := serve(t, h, opt, WithReadTimeout(30*time.Millisecond))
		c := dial(t, "tcp", addr)
		require.Equal(t, []byte("hi"), roundTrip(t, c, []byte("hi")))
		got, err := io.ReadAll(c)
		require.NoError(t, err)
		require.Equal(t, "idle timeout, bye\n", string(got))
		require.ErrorIs(t, h.nextClose(t).err, ErrReadTimeout)
		require.Equal(t, []int{1, 2, 3}, []int{<-h.idles, <-h.idles, <-h.idles})
	})
}

// TestIdleHandlerCloses: a handler that closes the connection itself in
// OnIdle decides the reason.
func TestIdleHandlerCloses(t *testing.T) {
	h := &closingIdle{recorder: newRecorder(t)}
	_, addr := serve(t, h, WithReadTimeout(20*time.Millisecond))
	c := dial(t, "tcp", addr)
	_, err := io.ReadAll(c)
	require.NoError(t, err)
	require.ErrorIs(t, h.nextClose(t).err, io.ErrNoProgress)
}

type closingIdle struct{ *recorder }

func (h *closingIdle) OnIdle(c *Conn) bool {
	c.CloseWithError(io.ErrNoProgress)
	return true // ignored: the connection is closing
}
