package reactor

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEchoSizes(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		rec := newRecorder(t)
		l, addr := serve(t, rec, opt)
		for _, n := range []int{1, 100, 4095, 64 << 10, 64<<10 + 1, 1 << 20, 8 << 20} {
			t.Run(fmt.Sprint(n), func(t *testing.T) {
				c := dial(t, "tcp", addr)
				want := payload(n)
				require.True(t, bytes.Equal(want, roundTrip(t, c, want)), "echo of %d bytes differs", n)
			})
		}
		st := l.Stats()
		require.GreaterOrEqual(t, st.BytesIn, uint64(9<<20))
	})
}

// TestPartialMessages checks that input a handler leaves is kept, in order,
// and shown again with the next bytes: the handler takes 10-byte messages
// only, the client sends them cut at awkward places.
func TestPartialMessages(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		rec := newRecorder(t)
		rec.data = func(c *Conn) {
			for {
				msg, err := c.Next(10)
				if err != nil {
					return
				}
				c.Write(bytes.ToUpper(msg))
			}
		}
		_, addr := serve(t, rec, opt)
		c := dial(t, "tcp", addr)
		var stream bytes.Buffer
		for i := range 50 {
			fmt.Fprintf(&stream, "message%03d", i)
		}
		want := bytes.ToUpper(stream.Bytes())
		go func() {
			p := stream.Bytes()
			for _, cut := range []int{3, 17, 1, 10, 9, 11, 100, 1} {
				c.Write(p[:cut])
				p = p[cut:]
			}
			c.Write(p)
		}()
		got := make([]byte, len(want))
		_, err := io.ReadFull(c, got)
		require.NoError(t, err)
		require.Equal(t, string(want), string(got))
	})
}

// TestSlowReader sends 32 MiB to the echo server through a client that
// does not read until the server has had to wait for room: the server must
// send partially, register write interest, pause reading (backpressure),
// and still deliver every byte in order.
func TestSlowReader(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		l, addr := serve(t, newRecorder(t), opt)
		c := dial(t, "tcp", addr)
		want := payload(32 << 20)
		werr := make(chan error, 1)
		go func() {
			_, err := c.Write(want)
			werr <- err
		}()
		testkit.WaitUntil(t, "a partial send and paused reading", func() bool {
			st := l.Stats()
			return st.PartialWrites > 0 && st.WriteWaits > 0 && st.ReadPauses > 0
		})
		got := make([]byte, len(want))
		_, err := io.ReadFull(c, got)
		require.NoError(t, err)
		require.NoError(t, <-werr)
		require.True(t, bytes.Equal(want, got), "32 MiB echo differs")
		st := l.Stats()
		require.Equal(t, uint64(len(want)), st.BytesOut)
	})
}

func TestThousandConns(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		rec := newRecorder(t)
		l, addr := serve(t, rec, opt)
		const n = 1000
		conns := make([]net.Conn, n)
		for i := range conns {
			conns[i] = dial(t, "tcp", addr)
		}
		testkit.WaitUntil(t, "1,000 open connections", func() bool { return l.Stats().Conns == n })
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i, c := range conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				want := []byte(fmt.Sprintf("hello from connection %d", i))
				if _, err := c.Write(want); err != nil {
					errs <- err
					return
				}
				got := make([]byte, len(want))
				if _, err := io.ReadFull(c, got); err != nil {
					errs <- err
					return
				}
				if !bytes.Equal(want, got) {
					errs <- fmt.Errorf("connection %d got %q", i, got)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		for _, c := range conns {
			c.Close()
		}
		for range n {
			ev := rec.nextClose(t)
			require.ErrorIs(t, ev.err, io.EOF)
		}
		testkit.WaitUntil(t, "no open connection", func() bool { return l.Stats().Conns == 0 })
		require.Equal(t, uint64(n), l.Stats().Accepted)
		require.Equal(t, uint64(n), l.Stats().Closed)
	})
}

// TestChurn: 5,000 connect, echo, close cycles, a third of them closing
// before reading the echo and a third resetting, leave no fd, connection or
// buffer behind.
func TestChurn(t *testing.T) {
	l, addr := serve(t, newRecorder(t)) // serve checks for leaked fds and goroutines
	const cycles, workers = 5000, 4
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			msg := []byte("churn")
			for i := w; i < cycles; i += workers {
				c, err := net.Dial("tcp", addr)
				if !assert.NoError(t, err) {
					return
				}
				c.SetDeadline(time.Now().Add(testkit.Limit))
				_, err = c.Write(msg)
				assert.NoError(t, err)
				switch i % 3 {
				case 0: // a well-behaved client
					_, err = io.ReadFull(c, make([]byte, len(msg)))
					assert.NoError(t, err)
				case 1: // leaves without reading
				case 2: // resets
					c.(*net.TCPConn).SetLinger(0)
				}
				c.Close()
			}
		}()
	}
	wg.Wait()
	testkit.WaitUntil(t, "every connection closed", func() bool {
		st := l.Stats()
		return st.Conns == 0 && st.Closed == cycles
	})
	empty := make(chan bool, 1)
	require.NoError(t, l.Post(func() {
		n := 0
		for _, c := range l.fds {
			if _, ok := c.(*Conn); ok {
				n++
			}
		}
		empty <- n == 0 && l.held == 0
	}))
	require.True(t, <-empty, "the connection table is empty and no buffer is held")
}
