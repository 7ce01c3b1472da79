package websocket

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/goreactor/reactor/reactor"
	"github.com/stretchr/testify/require"
)

// TestKeepalive: with a ping interval, a silent client is pinged; one that
// answers stays; one that stops answering is closed with 1001 after
// another interval, without waiting for its close frame.
func TestKeepalive(t *testing.T) {
	e := newEcho()
	s := startServer(t, e, WithPingInterval(200*time.Millisecond))
	rc := s.upgrade(t, "")
	for range 3 {
		f := rc.read()
		require.Equal(t, Ping, f.op)
		rc.send(true, Pong, f.payload)
	}
	rc.send(true, Text, []byte("still here"))
	rc.expectMessage(Text, []byte("still here"))
	require.Equal(t, Ping, rc.read().op) // not answered
	rc.expectClose(CloseGoingAway)
	e.wantClosed(t, CloseGoingAway, ErrPingTimeout)
}

// TestIdleTimeout: a client that sends nothing is closed with 1001 after
// the idle timeout; with keepalive too, answering the pings does not keep
// it, but a message does.
func TestIdleTimeout(t *testing.T) {
	t.Run("alone", func(t *testing.T) {
		e := newEcho()
		s := startServer(t, e, WithIdleTimeout(100*time.Millisecond))
		rc := s.upgrade(t, "")
		start := time.Now()
		rc.expectClose(CloseGoingAway)
		require.GreaterOrEqual(t, time.Since(start), 100*time.Millisecond)
		e.wantClosed(t, CloseGoingAway, ErrIdleTimeout)
	})
	t.Run("with keepalive", func(t *testing.T) {
		e := newEcho()
		s := startServer(t, e, WithIdleTimeout(500*time.Millisecond), WithPingInterval(100*time.Millisecond))
		rc := s.upgrade(t, "")
		start := time.Now()
		pings := 0
		for {
			f := rc.read()
			if f.op == Close {
				require.Equal(t, uint16(CloseGoingAway), binary.BigEndian.Uint16(f.payload))
				break
			}
			require.Equal(t, Ping, f.op)
			pings++
			if pings == 3 {
				rc.send(true, Text, []byte("activity"))
				rc.expectMessage(Text, []byte("activity"))
				start = time.Now()
			}
			rc.send(true, Pong, f.payload)
		}
		rc.expectEOF()
		require.GreaterOrEqual(t, time.Since(start), 500*time.Millisecond, "the idle timeout counts from the last message")
		require.Equal(t, 3+4, pings, "after the message, four pings answered (pongs are no activity), then the close at the fifth interval")
		e.wantClosed(t, CloseGoingAway, ErrIdleTimeout)
	})
}

// TestStopSendsGoingAway: when the loop stops, every open connection gets
// a close frame with 1001, then FIN, and Run returns without waiting for
// the clients' answers.
func TestStopSendsGoingAway(t *testing.T) {
	e := newEcho()
	s := startServer(t, e)
	var clients []*rawClient
	for range 3 {
		clients = append(clients, s.upgrade(t, ""))
	}
	s.loop.Stop()
	for _, rc := range clients {
		rc.expectClose(CloseGoingAway)
		e.wantClosed(t, CloseGoingAway, reactor.ErrStopped)
	}
}

// closer is a Handler that closes with 4000 on the message "close", and
// writes after that.
type closer struct {
	*echo
	afterClose chan [2]error
}

func (h *closer) OnMessage(c *Conn, op Opcode, data []byte) {
	if string(data) != "close" {
		h.echo.OnMessage(c, op, data)
		return
	}
	err := c.Close(4000, "bye")
	h.afterClose <- [2]error{err, c.WriteText([]byte("late"))}
	c.Close(CloseNormal, "twice")
}

// TestServerClose: a server's Close sends its close frame, delivers no
// more messages, and closes once the client answers; OnClose reports the
// server's code. A client that does not answer is cut off after the
// close timeout. Writes after Close return ErrClosed.
func TestServerClose(t *testing.T) {
	h := &closer{newEcho(), make(chan [2]error, 2)}
	s := startServer(t, h, WithCloseTimeout(100*time.Millisecond))
	t.Run("answered", func(t *testing.T) {
		rc := s.upgrade(t, "")
		rc.send(true, Text, []byte("close"))
		errs := testkit.Receive(t, h.afterClose, "Close")
		require.NoError(t, errs[0])
		require.ErrorIs(t, errs[1], ErrClosed)
		require.ErrorIs(t, errs[1], net.ErrClosed)
		f := rc.read()
		require.Equal(t, Close, f.op)
		require.Equal(t, append([]byte{0x0f, 0xa0}, "bye"...), f.payload)
		rc.send(true, Text, []byte("not delivered"))
		rc.write(rc.frame(true, 0, Close, AppendClose(nil, 4000, "")))
		rc.expectEOF()
		h.wantClosed(t, 4000, nil)
	})
	t.Run("not answered", func(t *testing.T) {
		rc := s.upgrade(t, "")
		rc.send(true, Text, []byte("close"))
		testkit.Receive(t, h.afterClose, "Close")
		require.Equal(t, Close, rc.read().op)
		rc.expectEOF() // after the close timeout
		h.wantClosed(t, 4000, ErrCloseTimeout)
	})
}

// flooder writes 1 KiB messages on "flood" until the output is full, and
// "done" once it has drained (OnWritable).
type flooder struct {
	*echo
	report chan flood
	wrote  int
}

// flood is what a flooder saw when the output filled.
type flood struct {
	wrote     int
	err       error
	available int
}

func (h *flooder) OnMessage(c *Conn, op Opcode, data []byte) {
	msg := bytes.Repeat([]byte("x"), 1<<10)
	for {
		if c.Available() < len(msg) {
			h.report <- flood{h.wrote, c.WriteMessage(Binary, msg), c.Available()}
			return
		}
		if err := c.WriteMessage(Binary, msg); err != nil {
			h.report <- flood{h.wrote, err, -1}
			return
		}
		h.wrote++
	}
}

func (h *flooder) OnWritable(c *Conn) {
	c.WriteText([]byte("done"))
}

// TestBackpressure: a client that does not read holds the server's
// output at its cap: Available falls to what is left, a write past it
// returns reactor.ErrOutputFull having queued nothing, and once the
// client reads, OnWritable lets the handler go on.
func TestBackpressure(t *testing.T) {
	const maxOut = 256 << 10
	h := &flooder{echo: newEcho(), report: make(chan flood, 1)}
	s := startServerWith(t, h, serverSetup{loopOpts: []reactor.Option{reactor.WithMaxOutput(maxOut), reactor.WithWriteWatermarks(16<<10, 64<<10)}})
	rc := s.upgrade(t, "")
	rc.send(true, Text, []byte("flood"))
	got := testkit.Receive(t, h.report, "the output full")
	require.ErrorIs(t, got.err, reactor.ErrOutputFull)
	require.Less(t, got.available, 1<<10)
	require.LessOrEqual(t, got.wrote*(1<<10+4), maxOut+1<<16, "the cap holds (a large write may leave at once)")
	for i := 0; ; i++ {
		op, data := rc.readMessage()
		if op == Text {
			require.Equal(t, "done", string(data))
			require.Equal(t, got.wrote, i, "every message written came, and nothing of the refused one")
			break
		}
		require.Len(t, data, 1<<10)
	}
	rc.closeHandshake(CloseNormal)
	h.wantClosed(t, CloseNormal, nil)
}

// TestPeerGoneWithoutClose: a client that closes TCP without a close
// frame is reported with CloseAbnormal and the reason.
func TestPeerGoneWithoutClose(t *testing.T) {
	e := newEcho()
	s := startServer(t, e)
	rc := s.upgrade(t, "")
	rc.send(true, Text, []byte("hi"))
	rc.expectMessage(Text, []byte("hi"))
	rc.c.Close()
	got := testkit.Receive(t, e.closed, "OnClose")
	require.Equal(t, uint16(CloseAbnormal), got.code)
	require.Error(t, got.err)
	require.False(t, errors.Is(got.err, ErrClosed))
}

// TestEchoAndClose: messages whole and fragmented, a ping between
// fragments, and the client's close handshake.
func TestEchoAndClose(t *testing.T) {
	e := newEcho()
	s := startServer(t, e)
	rc := s.upgrade(t, "")
	rc.send(true, Text, []byte("hello"))
	rc.expectMessage(Text, []byte("hello"))
	rc.send(true, Binary, []byte{1, 2, 3})
	rc.expectMessage(Binary, []byte{1, 2, 3})
	rc.send(false, Text, []byte("hel"))
	rc.send(true, Ping, []byte("p"))
	rc.expectMessage(Pong, []byte("p"))
	rc.send(true, Continuation, []byte("lo"))
	rc.expectMessage(Text, []byte("hello"))
	rc.closeHandshake(CloseNormal)
	e.wantClosed(t, CloseNormal, nil)
}

// closeWhileReading hands each connection to the test, which closes it
// while a frame arrives.
type closeWhileReading struct {
	*echo
	conns chan *Conn
}

func (h *closeWhileReading) OnOpen(c *Conn) { h.conns <- c }

// TestCloseWhileAFrameArrives: a server that closes while a text frame
// is half arrived (unmasked and checked in place so far) goes on parsing
// it where it was, and finds the client's close frame after it.
func TestCloseWhileAFrameArrives(t *testing.T) {
	h := &closeWhileReading{newEcho(), make(chan *Conn, 1)}
	s := startServer(t, h)
	rc := s.upgrade(t, "")
	c := testkit.Receive(t, h.conns, "OnOpen")
	f := rc.frame(true, 0, Text, []byte(kosme+kosme+kosme))
	rc.write(f[:len(f)-10])
	closed := make(chan error, 1)
	testkit.WaitUntil(t, "the server to have read the half frame", func() bool {
		done := make(chan bool, 1)
		s.loop.Post(func() { done <- c.NetConn().Buffered() > 0 })
		return <-done
	})
	s.loop.Post(func() { closed <- c.Close(4001, "") })
	require.NoError(t, testkit.Receive(t, closed, "Close"))
	require.Equal(t, Close, rc.read().op)
	rc.write(f[len(f)-10:])
	rc.write(rc.frame(true, 0, Close, AppendClose(nil, 4001, "")))
	rc.expectEOF()
	h.wantClosed(t, 4001, nil)
}
