package reactor

import (
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/require"
)

// TestTLSEcho echoes payloads up to 1 MiB over TLS 1.2 and 1.3, with ALPN,
// and checks what OnOpen sees of the handshake.
func TestTLSEcho(t *testing.T) {
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		t.Run(tls.VersionName(v), func(t *testing.T) {
			pollers(t, func(t *testing.T, opt Option) {
				rec := newRecorder(t)
				states := make(chan tls.ConnectionState, 10)
				rec.open = func(c *Conn) {
					st, ok := c.ConnectionState()
					require.True(t, ok)
					states <- st
				}
				cfg := testkit.ServerTLS(t)
				cfg.NextProtos = []string{"echo/1", "h2"}
				l, addr := serveTLS(t, rec, cfg, opt)
				ccfg := testkit.ClientTLS(t)
				ccfg.MinVersion, ccfg.MaxVersion = v, v
				ccfg.NextProtos = []string{"echo/1"}
				for _, n := range []int{1, 64, 16 << 10, 16<<10 + 1, 1 << 20} {
					c := dialTLS(t, addr, ccfg)
					st := <-states
					require.Equal(t, v, st.Version)
					require.Equal(t, "echo/1", st.NegotiatedProtocol)
					require.True(t, st.HandshakeComplete)
					require.Equal(t, c.ConnectionState().CipherSuite, st.CipherSuite)
					p := payload(n)
					require.Equal(t, p, roundTrip(t, c, p))
					require.Equal(t, p, roundTrip(t, c, p), "a second round trip on the same connection")
					require.NoError(t, c.Close())
					ev := rec.nextClose(t)
					require.True(t, ev.err == nil || errors.Is(ev.err, io.EOF), "OnClose: %v", ev.err)
				}
				require.EqualValues(t, 5, l.Stats().TLSHandshakes)
			})
		})
	}
}

// TestTLSPeerCloseNotify: a client that ends with close_notify is reported
// as io.EOF, one that sends FIN without it as io.ErrUnexpectedEOF, the
// stream having possibly been cut by an attacker.
func TestTLSPeerCloseNotify(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		rec := newRecorder(t)
		_, addr := serveTLS(t, rec, testkit.ServerTLS(t), opt)

		c := dialTLS(t, addr, testkit.ClientTLS(t))
		require.Equal(t, []byte("hi"), roundTrip(t, c, []byte("hi")))
		require.NoError(t, c.CloseWrite()) // close_notify, then FIN
		require.ErrorIs(t, rec.nextClose(t).err, io.EOF)
		_, err := c.Read(make([]byte, 1))
		require.ErrorIs(t, err, io.EOF, "the server answers with its own close_notify")

		raw := dial(t, "tcp", addr)
		c = tls.Client(raw, testkit.ClientTLS(t))
		require.Equal(t, []byte("hi"), roundTrip(t, c, []byte("hi")))
		require.NoError(t, raw.(*net.TCPConn).CloseWrite()) // FIN, no close_notify
		require.ErrorIs(t, rec.nextClose(t).err, io.ErrUnexpectedEOF)
	})
}

// recordingConn keeps every byte read through it.
type recordingConn struct {
	net.Conn
	mu  sync.Mutex
	got bytes.Buffer
}

func (r *recordingConn) Read(p []byte) (int, error) {
	n, err := r.Conn.Read(p)
	r.mu.Lock()
	r.got.Write(p[:n])
	r.mu.Unlock()
	return n, err
}

// recordTypes splits a TLS byte stream into its record types.
func recordTypes(b []byte) []byte {
	var types []byte
	for len(b) >= 5 {
		n := 5 + (int(b[3])<<8 | int(b[4]))
		types = append(types, b[0])
		if n > len(b) {
			break
		}
		b = b[n:]
	}
	return types
}

// TestTLSCloseSendsCloseNotify: Close sends the reply written before it,
// then close_notify (an alert record, visible as such in TLS 1.2), then
// FIN.
func TestTLSCloseSendsCloseNotify(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		rec := newRecorder(t)
		rec.data = func(c *Conn) {
			p, _ := c.Next(0)
			c.Write(p)
			c.Close()
		}
		_, addr := serveTLS(t, rec, testkit.ServerTLS(t), opt)
		raw := &recordingConn{Conn: dial(t, "tcp", addr)}
		ccfg := testkit.ClientTLS(t)
		ccfg.MaxVersion = tls.VersionTLS12
		c := tls.Client(raw, ccfg)
		_, err := c.Write([]byte("last words"))
		require.NoError(t, err)
		got, err := io.ReadAll(c)
		require.NoError(t, err, "io.EOF, after close_notify, ends ReadAll without an error")
		require.Equal(t, "last words", string(got))
		raw.mu.Lock()
		types := recordTypes(raw.got.Bytes())
		raw.mu.Unlock()
		require.NotEmpty(t, types)
		require.EqualValues(t, 21, types[len(types)-1], "the last record is an alert: close_notify")
		require.NoError(t, rec.nextClose(t).err)
	})
}

// TestTLSGarbageHello: bytes that are no ClientHello close the connection
// with crypto/tls's error in OnClose and no OnOpen; checkLeaks (in
// serveTLS) checks that the handshake goroutine ended.
func TestTLSGarbageHello(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		rec := newRecorder(t)
		rec.open = func(c *Conn) { t.Error("OnOpen after a failed handshake") }
		l, addr := serveTLS(t, rec, testkit.ServerTLS(t), opt)
		for _, junk := range []string{
			"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
			"\x16\x03\x01\x00\x05hello", // a handshake record with no ClientHello in it
		} {
			raw := dial(t, "tcp", addr)
			_, err := raw.Write([]byte(junk))
			require.NoError(t, err)
			ev := rec.nextClose(t)
			require.Error(t, ev.err)
			require.Contains(t, ev.err.Error(), "tls:")
			io.Copy(io.Discard, raw) // the server closes (after its alert, if any)
		}
		testkit.WaitUntil(t, "the failures counted", func() bool { return l.Stats().TLSFailures == 2 })
		require.Zero(t, l.Stats().TLSRunning)
	})
}

// TestTLSSilentClientTimesOut: a client that connects and sends nothing is
// closed at the handshake timeout, and so is one that stops in the middle
// of its ClientHello.
func TestTLSSilentClientTimesOut(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		rec := newRecorder(t)
		rec.open = func(c *Conn) { t.Error("OnOpen without a handshake") }
		_, addr := serveTLS(t, rec, testkit.ServerTLS(t), opt, WithTLSHandshakeTimeout(100*time.Millisecond))
		hello := clientHello(t)
		for _, sent := range [][]byte{nil, hello[:len(hello)/2], hello} {
			raw := dial(t, "tcp", addr)
			_, err := raw.Write(sent)
			require.NoError(t, err)
			start := time.Now()
			ev := rec.nextClose(t)
			require.ErrorIs(t, ev.err, ErrTLSHandshakeTimeout)
			require.Less(t, time.Since(start), 5*time.Second)
			io.Copy(io.Discard, raw)
		}
	})
}

// clientHello returns the first flight of a crypto/tls client: one record
// holding its ClientHello.
func clientHello(t testing.TB) []byte {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	go tls.Client(a, testkit.ClientTLS(t)).Handshake()
	hdr := make([]byte, 5)
	_, err := io.ReadFull(b, hdr)
	require.NoError(t, err)
	body := make([]byte, int(hdr[3])<<8|int(hdr[4]))
	_, err = io.ReadFull(b, body)
	require.NoError(t, err)
	return append(hdr, body...)
}

// tlsDialer is a handler for DialTLS tests: it writes hello on open and
// records what comes back.
type tlsDialer struct {
	*recorder
	mu     sync.Mutex
	got    []byte
	opened chan tls.ConnectionState
}

func (d *tlsDialer) OnOpen(c *Conn) {
	st, _ := c.ConnectionState()
	d.opened <- st
}

func (d *tlsDialer) OnData(c *Conn) {
	p, _ := c.Next(0)
	d.mu.Lock()
	d.got = append(d.got, p...)
	d.mu.Unlock()
}

// TestDialTLS: a loop's TLS client against a crypto/tls server, with bytes
// written before OnOpen, and against a server whose certificate does not
// verify.
func TestDialTLS(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		testkit.CheckLeaks(t)
		ln, err := tls.Listen("tcp", "127.0.0.1:0", testkit.ServerTLS(t))
		require.NoError(t, err)
		defer ln.Close()
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				go func() {
					defer c.Close()
					io.Copy(c, c)
				}()
			}
		}()
		d := &tlsDialer{recorder: newRecorder(t), opened: make(chan tls.ConnectionState, 1)}
		l, err := New(d, opt)
		require.NoError(t, err)
		run(t, l)
		conns := make(chan *Conn, 1)
		require.NoError(t, l.Post(func() {
			c, err := l.DialTLS("tcp", ln.Addr().String(), testkit.ClientTLS(t), time.Second)
			require.NoError(t, err)
			_, err = c.Write([]byte("early "))
			require.NoError(t, err)
			conns <- c
		}))
		c := <-conns
		st := <-d.opened
		require.True(t, st.HandshakeComplete)
		require.NoError(t, l.Post(func() { c.Write([]byte("and late")) }))
		testkit.WaitUntil(t, "the echo", func() bool {
			d.mu.Lock()
			defer d.mu.Unlock()
			return string(d.got) == "early and late"
		})
		require.NoError(t, l.Post(func() { c.Close() }))
		require.NoError(t, d.nextClose(t).err)

		// The certificate names 127.0.0.1 and localhost, not this.
		bad := testkit.ClientTLS(t)
		bad.ServerName = "example.com"
		require.NoError(t, l.Post(func() {
			_, err := l.DialTLS("tcp", ln.Addr().String(), bad, time.Second)
			require.NoError(t, err)
		}))
		ev := d.nextClose(t)
		require.Error(t, ev.err)
		require.True(t, strings.Contains(ev.err.Error(), "certificate"), "OnClose: %v", ev.err)
		select {
		case <-d.opened:
			t.Fatal("OnOpen after a failed handshake")
		default:
		}
	})
}

// halfCloseTLS is a handler that answers after the peer's close_notify
// (HalfCloser), or half-closes its own side on "bye".
type halfCloseTLS struct {
	*recorder
	all chan string // what each connection received, at its OnClose
}

func (h *halfCloseTLS) OnData(c *Conn) {
	p, _ := c.Next(0)
	got, _ := c.Context().([]byte)
	got = append(got, p...)
	c.SetContext(got)
	if bytes.HasSuffix(got, []byte("bye")) {
		c.Write([]byte("so long"))
		c.CloseWrite() // close_notify after the reply, then FIN; reading goes on
	}
}

func (h *halfCloseTLS) OnPeerClose(c *Conn) {
	got, _ := c.Context().([]byte)
	c.Write([]byte("heard " + string(got)))
	c.Close()
}

func (h *halfCloseTLS) OnClose(c *Conn, err error) {
	got, _ := c.Context().([]byte)
	h.all <- string(got)
	h.recorder.OnClose(c, err)
}

// TestTLSHalfClose: CloseWrite on a TLS connection sends the queued reply,
// then close_notify (an alert record, seen in TLS 1.2), then FIN, and the
// connection still reads; a HalfCloser hears the peer's close_notify in
// OnPeerClose and can still answer.
func TestTLSHalfClose(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		h := &halfCloseTLS{recorder: newRecorder(t), all: make(chan string, 2)}
		_, addr := serveTLS(t, h, testkit.ServerTLS(t), opt)

		// The server half-closes: the client reads to EOF, then still sends.
		raw := &recordingConn{Conn: dial(t, "tcp", addr)}
		ccfg := testkit.ClientTLS(t)
		ccfg.MaxVersion = tls.VersionTLS12
		c := tls.Client(raw, ccfg)
		_, err := c.Write([]byte("bye"))
		require.NoError(t, err)
		got, err := io.ReadAll(c)
		require.NoError(t, err, "close_notify ends the stream cleanly")
		require.Equal(t, "so long", string(got))
		raw.mu.Lock()
		types := recordTypes(raw.got.Bytes())
		raw.mu.Unlock()
		require.EqualValues(t, 21, types[len(types)-1], "close_notify, an alert record, comes last")
		_, err = c.Write([]byte(" and more"))
		require.NoError(t, err, "the server still reads after CloseWrite")
		require.NoError(t, c.CloseWrite())
		ev := h.nextClose(t)
		require.ErrorIs(t, ev.err, io.EOF)
		require.Equal(t, "bye and more", <-h.all)

		// The client half-closes: OnPeerClose answers.
		c = dialTLS(t, addr, testkit.ClientTLS(t))
		_, err = c.Write([]byte("hello"))
		require.NoError(t, err)
		require.NoError(t, c.CloseWrite())
		got, err = io.ReadAll(c)
		require.NoError(t, err)
		require.Equal(t, "heard hello", string(got))
		require.ErrorIs(t, h.nextClose(t).err, io.EOF)
		require.Equal(t, "hello", <-h.all)
	})
}
