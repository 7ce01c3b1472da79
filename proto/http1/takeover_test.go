package http1_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/goreactor/reactor/proto/http1"
	"github.com/goreactor/reactor/reactor"
	"github.com/stretchr/testify/require"
)

// shout is a line protocol, to upgrade to: each line comes back in upper
// case after "> ". It reports its OnOpen (whether the connection's Context
// was clear) and its OnClose.
type shout struct {
	opened chan bool // the Context was nil
	closed chan error
}

func newShout() *shout { return &shout{opened: make(chan bool, 1), closed: make(chan error, 1)} }

func (h *shout) OnOpen(c *reactor.Conn) { h.opened <- c.Context() == nil }

func (h *shout) OnData(c *reactor.Conn) {
	for {
		p, _ := c.Peek(0)
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			return
		}
		c.Write(append([]byte("> "), bytes.ToUpper(p[:i+1])...))
		c.Discard(i + 1)
	}
}

func (h *shout) OnClose(c *reactor.Conn, err error) { h.closed <- err }

// upgrader answers a request with "Upgrade: shout" with 101 and hands the
// connection to h; any other with 400.
func upgrader(h reactor.Handler) http1.HandlerFunc {
	return func(w *http1.ResponseWriter, r *http1.Request) {
		if string(r.Header("upgrade")) != "shout" {
			w.SetStatus(400)
			w.WriteString("upgrade to shout only\n")
			return
		}
		w.SetStatus(101)
		w.Header("Upgrade", "shout")
		w.Header("Connection", "Upgrade")
		w.TakeOver(h)
	}
}

// TestTakeOver: a request pipelined behind another, with the new
// protocol's bytes right after it in the same write, and its head in two
// pieces (so that the server had an exchange in the Context): the first
// request is answered, then 101, then the connection is the line
// protocol's, which gets the bytes that followed the request (an HTTP
// request among them: they are lines now) and all that comes after, and
// its own OnClose.
func TestTakeOver(t *testing.T) {
	pollers(t, func(t *testing.T, opt reactor.Option) {
		lines := newShout()
		s := startWith(t, setup{h: routes(t, map[string]http1.HandlerFunc{"/shout": upgrader(lines)}), loopOpts: []reactor.Option{opt}})
		c, br := s.dial(t)
		testkit.SendRaw(t, c, get, "GET /shout HTTP/1.1\r\nHost: x\r\nUpg")
		resp, body := testkit.ReadResponse(t, br, "GET")
		requireHello(t, resp, body, false)
		testkit.SendRaw(t, c, "rade: shout\r\nConnection: Upgrade\r\n\r\nhello\n", get)
		resp, body = testkit.ReadResponse(t, br, "GET")
		require.Equal(t, 101, resp.StatusCode)
		require.Equal(t, "shout", resp.Header.Get("Upgrade"))
		require.Equal(t, "Upgrade", resp.Header.Get("Connection"))
		require.Empty(t, resp.Header.Get("Content-Length"))
		require.Empty(t, body)
		require.True(t, testkit.Receive(t, lines.opened, "the line protocol's OnOpen"), "the Context is clear for the new handler")
		for _, want := range []string{"> HELLO\n", "> GET / HTTP/1.1\r\n", "> HOST: X\r\n", "> \r\n"} {
			line, err := br.ReadString('\n')
			require.NoError(t, err)
			require.Equal(t, want, line)
		}
		testkit.SendRaw(t, c, "bye\n")
		line, err := br.ReadString('\n')
		require.NoError(t, err)
		require.Equal(t, "> BYE\n", line)
		c.Close()
		require.ErrorIs(t, testkit.Receive(t, lines.closed, "the line protocol's OnClose"), io.EOF)
	})
}

// TestTakeOverAfterAnyResponse: a handler may hand the connection over
// after any response, a 200 with a body here: the head has no
// Content-Length, the body follows it as written, then the new protocol.
func TestTakeOverAfterAnyResponse(t *testing.T) {
	lines := newShout()
	tunnel := func(w *http1.ResponseWriter, r *http1.Request) {
		w.WriteString("tunnel open\n")
		w.TakeOver(lines)
		_, err := w.WriteString("late")
		if err != http1.ErrStreaming {
			panic(err)
		}
	}
	s := start(t, routes(t, map[string]http1.HandlerFunc{"/tunnel": tunnel}))
	c, br := s.dial(t)
	testkit.SendRaw(t, c, "GET /tunnel HTTP/1.1\r\nHost: x\r\n\r\nping\n")
	head, err := br.ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "HTTP/1.1 200 OK\r\n", head)
	date, err := br.ReadString('\n')
	require.NoError(t, err)
	require.Regexp(t, "^Date: .* GMT\r\n$", date)
	for _, want := range []string{"\r\n", "tunnel open\n", "> PING\n"} {
		line, err := br.ReadString('\n')
		require.NoError(t, err)
		require.Equal(t, want, line)
	}
	testkit.Receive(t, lines.opened, "the line protocol's OnOpen")
}

// TestTakeOverAfterFIN: a client that sends its upgrade request and its
// first line, then FIN: the new handler, not a HalfCloser, gets them, and
// then the connection closes after its answer.
func TestTakeOverAfterFIN(t *testing.T) {
	lines := newShout()
	s := start(t, routes(t, map[string]http1.HandlerFunc{"/shout": upgrader(lines)}))
	c, br := s.dial(t)
	testkit.SendRaw(t, c, "GET /shout HTTP/1.1\r\nHost: x\r\nUpgrade: shout\r\nConnection: Upgrade\r\n\r\nlast\n")
	require.NoError(t, c.(interface{ CloseWrite() error }).CloseWrite())
	resp, _ := testkit.ReadResponse(t, br, "GET")
	require.Equal(t, 101, resp.StatusCode)
	line, err := br.ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "> LAST\n", line)
	testkit.RequireEOF(t, br)
	testkit.Receive(t, lines.closed, "the line protocol's OnClose")
}
