package reactor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/require"
)

// The loop's TLS client (DialTLS): against its own server, stopped with
// handshakes in flight, and ended before it connects.

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
	srv, addr := serveTLS(t, h, testkit.ServerTLS(t), opts...)
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
			c, err := cli.DialTLS("tcp", addr, testkit.ClientTLS(t), testkit.Limit)
			if err != nil {
				t.Error(err)
				return
			}
			c.SetContext(&selfDial{msg: msg})
			c.WriteString(msg[:len(msg)/2]) // before OnOpen: sent once the handshake is done
		}
	}))
	deadline := time.After(testkit.Limit)
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
	testkit.WaitUntil(t, "both sides of every connection handshaken", func() bool {
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
	testkit.CheckLeaks(t)
	h := &selfTLS{recorder: newRecorder(t), echoed: make(chan string, conns)}
	// A limit that lets both sides of every connection run: what is tested
	// is the stop, not the queue.
	l, err := New(h, opt, WithLogger(discardLogger()), WithMaxTLSHandshakes(2*conns))
	require.NoError(t, err)
	addr, err := l.ListenTLS("tcp", "127.0.0.1:0", testkit.ServerTLS(t))
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- l.Run(context.Background()) }()
	dialing := make(chan struct{})
	require.NoError(t, l.Post(func() {
		defer close(dialing)
		for i := range conns {
			c, err := l.DialTLS("tcp", addr.String(), testkit.ClientTLS(t), testkit.Limit)
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
	// testkit.CheckLeaks, at cleanup: every handshake goroutine has ended, every fd is closed.
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
				l, addr := serveTLS(t, rec, testkit.ServerTLS(t), opt)
				dialed := make(chan *Conn, 1)
				require.NoError(t, l.Post(func() {
					c, err := l.DialTLS("tcp", tc.addr(addr), testkit.ClientTLS(t), testkit.Limit)
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
				tc := dialTLS(t, addr, testkit.ClientTLS(t))
				require.Equal(t, []byte("alive"), roundTrip(t, tc, []byte("alive")))
			})
		}
	})
}
