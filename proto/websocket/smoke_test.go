package websocket

import (
	"strings"
	"testing"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/require"
)

func TestSmokeEcho(t *testing.T) {
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

// recorder is a client's Handler that reports everything.
type recorder struct {
	opened   chan *Conn
	messages chan string
	closed   chan closed
	onOpen   func(c *Conn)
}

func newRecorder() *recorder {
	return &recorder{opened: make(chan *Conn, 10), messages: make(chan string, 100), closed: make(chan closed, 10)}
}

func (r *recorder) OnOpen(c *Conn) {
	if r.onOpen != nil {
		r.onOpen(c)
	}
	r.opened <- c
}
func (r *recorder) OnMessage(c *Conn, op Opcode, data []byte) {
	r.messages <- op.String() + " " + string(data)
}
func (r *recorder) OnClose(c *Conn, code uint16, err error) { r.closed <- closed{code, err} }

func TestSmokeDial(t *testing.T) {
	e := newEcho()
	s := startServer(t, e, WithCompression(1))
	l := startClientLoop(t)
	r := newRecorder()
	r.onOpen = func(c *Conn) {
		c.WriteText([]byte("hello"))
		c.WriteBinary([]byte(strings.Repeat("compress me ", 100)))
	}
	l.Post(func() {
		_, err := Dial(l, "ws://"+s.addr+"/x", r, WithClientCompression(1))
		if err != nil {
			t.Error(err)
		}
	})
	c := testkit.Receive(t, r.opened, "OnOpen")
	require.True(t, c.Compressed())
	require.Equal(t, "text hello", testkit.Receive(t, r.messages, "a message"))
	require.Equal(t, "binary "+strings.Repeat("compress me ", 100), testkit.Receive(t, r.messages, "a message"))
	l.Post(func() { c.Close(CloseNormal, "bye") })
	got := testkit.Receive(t, r.closed, "OnClose")
	require.Equal(t, closed{CloseNormal, nil}, got)
	e.wantClosed(t, CloseNormal, nil)
}
