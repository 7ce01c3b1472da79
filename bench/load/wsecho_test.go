package load

import (
	"context"
	"crypto/tls"
	"sync/atomic"
	"testing"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/goreactor/reactor/proto/http1"
	"github.com/goreactor/reactor/proto/websocket"
	"github.com/goreactor/reactor/reactor"
	"github.com/stretchr/testify/require"
)

// wsEcho is the WebSocket echo server of these tests: a proto/http1
// server whose handler upgrades every request by hand and hands the
// connection over to itself (TakeOver), and then echoes every data frame
// as it came, or cut into frames of maxFrame bytes. It is a server of the
// tests' making, which can misbehave on demand (corrupt a byte, refuse,
// ping): it waits for whole frames, and checks only what the tests need.
// bench/cmd/reactor-load's tests run the client against proto/websocket's
// Upgrader, the well-behaved server.
type wsEcho struct {
	maxFrame  int  // > 0: echo in frames of at most this many bytes (nbio cuts at 32 KiB)
	corruptAt int  // > 0: flip a bit of this byte of each connection's echoed payload
	refuse    bool // answer 404 to every upgrade
	ping      bool // ping each connection once upgraded
	pongs     atomic.Int64
	fw        websocket.FrameWriter // the loop's
}

// ServeHTTP upgrades the request, whatever its path.
func (s *wsEcho) ServeHTTP(w *http1.ResponseWriter, r *http1.Request) {
	key := r.Header("Sec-WebSocket-Key")
	if s.refuse || websocket.CheckKey(key) != nil || websocket.CheckVersion(r.Header("Sec-WebSocket-Version")) != nil ||
		!websocket.HasToken(r.Header("Upgrade"), "websocket") || !websocket.HasToken(r.Header("Connection"), "upgrade") {
		w.SetStatus(404)
		return
	}
	var accept [28]byte
	w.SetStatus(101)
	_ = w.Header("Upgrade", "websocket")
	_ = w.Header("Connection", "Upgrade")
	_ = w.HeaderBytes("Sec-WebSocket-Accept", websocket.AppendAcceptKey(accept[:0], key))
	w.TakeOver(s)
}

// wsEchoConn is a connection's state: payload bytes echoed so far.
type wsEchoConn struct{ seen int }

func (s *wsEcho) OnOpen(c *reactor.Conn) {
	c.SetContext(&wsEchoConn{})
	if s.ping {
		_ = s.fw.WriteFrame(c, true, false, websocket.Ping, []byte("are you there"), nil)
	}
}

func (s *wsEcho) OnData(c *reactor.Conn) {
	st := c.Context().(*wsEchoConn)
	for {
		p, _ := c.Peek(0)
		h, n, err := websocket.ParseHeader(p, 0)
		if err == nil && n > 0 {
			err = h.CheckMasking(true)
		}
		if err != nil {
			_ = c.Abort()
			return
		}
		if n == 0 || int64(len(p)-n) < h.Length {
			return // the rest of the frame with the next read
		}
		payload := p[n : n+int(h.Length)]
		websocket.MaskBytes(h.Mask, 0, payload)
		switch h.Opcode {
		case websocket.Pong:
			s.pongs.Add(1)
		case websocket.Ping:
			_ = s.fw.WriteFrame(c, true, false, websocket.Pong, payload, nil)
		case websocket.Close:
			code, _, _ := websocket.ParseClose(payload)
			_ = s.fw.WriteClose(c, code, "", nil)
			_ = c.Close()
			return
		default:
			if i := s.corruptAt - st.seen; s.corruptAt > 0 && 0 <= i && i < len(payload) {
				payload[i] ^= 0x10
			}
			st.seen += len(payload)
			if !s.echo(c, h, payload) {
				_ = c.Close()
				return
			}
		}
		c.Discard(n + int(h.Length))
	}
}

// echo writes payload, of a frame with header h, back in frames of at
// most maxFrame bytes.
func (s *wsEcho) echo(c *reactor.Conn, h websocket.Header, payload []byte) bool {
	op := h.Opcode
	for {
		k := len(payload)
		if s.maxFrame > 0 {
			k = min(k, s.maxFrame)
		}
		if s.fw.WriteFrame(c, h.Fin && k == len(payload), false, op, payload[:k], nil) != nil {
			return false
		}
		if payload = payload[k:]; len(payload) == 0 {
			return true
		}
		op = websocket.Continuation
	}
}

func (s *wsEcho) OnClose(*reactor.Conn, error) {}

// startWSEcho runs s on an http1 server on its own loop and goroutine
// until the test ends, over TLS with cfg if it is not nil, and returns its
// address.
func startWSEcho(t *testing.T, s *wsEcho, cfg *tls.Config) string {
	t.Helper()
	srv, err := http1.NewServer(s)
	require.NoError(t, err)
	l, err := reactor.New(srv.Handler(), srv.LoopOptions()...)
	require.NoError(t, err)
	var a interface{ String() string }
	if cfg != nil {
		a, err = l.ListenTLS("tcp", "127.0.0.1:0", cfg)
	} else {
		a, err = l.Listen("tcp", "127.0.0.1:0")
	}
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- l.Run(context.Background()) }()
	t.Cleanup(func() {
		l.Stop()
		require.NoError(t, testkit.Receive(t, done, "the WebSocket echo server to stop"))
	})
	return a.String()
}
