package load

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/goreactor/reactor/proto/websocket"
	"github.com/stretchr/testify/require"
)

// newWSTestEngine is newTestEngine for a WebSocket run.
func newWSTestEngine(t testing.TB, size, depth int) (*engine, *client, *fakeConn) {
	cfg, err := Config{Size: size, Depth: depth, Conns: 3, WebSocket: true}.withDefaults()
	require.NoError(t, err)
	e := newEngine(cfg, false)
	e.phase = measuring
	f := &fakeConn{out: make([]byte, 0, 4*(size+websocket.MaxHeaderLen)*depth)}
	cl := &e.clients[1]
	cl.c, cl.state = f, open
	return e, cl, f
}

// serverEcho plays the server: it reads the client's frames in in, whole,
// unmasks them in place, and appends to out its echo of every data frame,
// cut into frames of at most maxFrame bytes (0: as they came); with ping,
// a ping goes before the first. It returns out and the client's pongs
// counted. It allocates nothing when out has room.
func serverEcho(in, out []byte, maxFrame int, ping bool) ([]byte, int) {
	pongs := 0
	for len(in) > 0 {
		h, n, err := websocket.ParseHeader(in, 0)
		if err != nil || n == 0 || !h.Masked || int64(len(in)-n) < h.Length {
			panic("serverEcho: not a whole masked frame")
		}
		payload := in[n : n+int(h.Length)]
		in = in[n+int(h.Length):]
		websocket.MaskBytes(h.Mask, 0, payload)
		if h.Opcode == websocket.Pong {
			pongs++
			continue
		}
		if ping {
			ping = false
			out = websocket.AppendHeader(out, true, false, websocket.Ping, 3, nil)
			out = append(out, "png"...)
		}
		op := h.Opcode
		for {
			k := len(payload)
			if maxFrame > 0 {
				k = min(k, maxFrame)
			}
			out = websocket.AppendHeader(out, h.Fin && k == len(payload), false, op, k, nil)
			out = append(out, payload[:k]...)
			if payload = payload[k:]; len(payload) == 0 {
				break
			}
			op = websocket.Continuation
		}
	}
	return out, pongs
}

// TestWSReceiveAnyChunking echoes what the client sent, cut into frames of
// many sizes and the frames into reads of random sizes, with pings among
// them, and checks that every message completes once, in order, that
// every ping gets its pong, and that no byte is consumed twice or left.
func TestWSReceiveAnyChunking(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, tc := range []struct{ size, depth, maxFrame int }{
		{1, 1, 0}, {64, 1, 0}, {64, 16, 0}, {64, 4, 7}, {1000, 3, 0}, {1000, 3, 126}, {70000, 2, 32 << 10},
	} {
		e, cl, f := newWSTestEngine(t, tc.size, tc.depth)
		e.refill(cl, 0)
		require.Equal(t, uint64(tc.depth), cl.sent)
		var held []byte // what the client has not consumed yet
		pings, pongs := 0, 0
		for round := 0; cl.done < 300; round++ {
			echo, n := serverEcho(bytes.Clone(f.out), nil, tc.maxFrame, round%5 == 0)
			pongs += n
			pings += bytes.Count(echo, []byte("png"))
			f.out = f.out[:0]
			for len(echo) > 0 {
				k := min(len(echo), 1+r.IntN(2*tc.size+20))
				held = append(held, echo[:k]...)
				echo = echo[k:]
				used, err := e.receiveFrames(cl, held, 1)
				require.NoError(t, err, "size %d maxFrame %d round %d", tc.size, tc.maxFrame, round)
				held = held[used:]
			}
			require.Empty(t, held, "a whole echo is consumed whole")
			require.Equal(t, cl.done+uint64(tc.depth), cl.sent, "depth kept")
		}
		_, n := serverEcho(bytes.Clone(f.out), nil, 0, false)
		require.Equal(t, pings, pongs+n, "a pong for every ping")
		require.Positive(t, pings)
		require.Equal(t, cl.done, e.msgs)
		require.Equal(t, tc.depth, e.inflight)
	}
}

// echoOf returns the server's echo of what the client has written, whole.
func echoOf(f *fakeConn) []byte {
	out, _ := serverEcho(bytes.Clone(f.out), nil, 0, false)
	f.out = f.out[:0]
	return out
}

func TestWSReceiveDetects(t *testing.T) {
	server := func(fin bool, op websocket.Opcode, payload []byte) []byte {
		return append(websocket.AppendHeader(nil, fin, false, op, len(payload), nil), payload...)
	}
	for _, tc := range []struct {
		name string
		mess func(e *engine, cl *client, echo []byte) []byte
		want string
	}{
		{"a changed byte", func(_ *engine, _ *client, echo []byte) []byte { echo[2+10] ^= 1; return echo }, "message 0, byte 10"},
		{"text", func(_ *engine, _ *client, echo []byte) []byte { echo[0] = 0x81; return echo }, "text frame"},
		{"masked", func(e *engine, cl *client, _ []byte) []byte {
			m := bytes.Clone(e.pat.message(cl.id, 0))
			return append(websocket.AppendHeader(nil, true, false, websocket.Binary, len(m), &[4]byte{}), m...)
		}, websocket.ErrMasked.Error()},
		{"too long", func(e *engine, cl *client, _ []byte) []byte {
			return server(true, websocket.Binary, append(bytes.Clone(e.pat.message(cl.id, 0)), 'x'))
		}, "a frame of 65 bytes where 64 are left"},
		{"too short", func(e *engine, cl *client, _ []byte) []byte {
			return server(true, websocket.Binary, e.pat.message(cl.id, 0)[:63])
		}, "message 0 ended after 63 of its 64 bytes"},
		{"one more", func(_ *engine, _ *client, echo []byte) []byte { return append(echo, echo...) }, "no message in flight"},
		{"a continuation first", func(_ *engine, _ *client, echo []byte) []byte { echo[0] = 0x80; return echo }, websocket.ErrContinuation.Error()},
		{"close", func(_ *engine, _ *client, _ []byte) []byte {
			return server(true, websocket.Close, websocket.AppendClose(nil, 1001, "going away"))
		}, `the server closed the connection: 1001 "going away"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, cl, f := newWSTestEngine(t, 64, 1)
			e.refill(cl, 0)
			e.phase = connecting // no more sends
			echo := tc.mess(e, cl, echoOf(f))
			_, err := e.receiveFrames(cl, echo, 1)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestCheckUpgrade(t *testing.T) {
	key := []byte("dGhlIHNhbXBsZSBub25jZQ==")
	const good = "HTTP/1.1 101 Switching Protocols\r\nupgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\n" +
		"Date: today\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"
	n, err := checkUpgrade([]byte(good+"\x82\x01x"), key)
	require.NoError(t, err)
	require.Equal(t, len(good), n, "the frames after it are not the answer's")
	for i := range len(good) {
		n, err := checkUpgrade([]byte(good[:i]), key)
		require.NoError(t, err, "%d bytes", i)
		require.Zero(t, n, "%d bytes: not all there", i)
	}
	for _, tc := range []struct{ answer, want string }{
		{strings.Replace(good, "101 Switching Protocols", "404 Not Found", 1), `answered "HTTP/1.1 404 Not Found"`},
		{strings.Replace(good, "101 Switching Protocols", "1010", 1), "answered"},
		{strings.Replace(good, "s3pP", "xxxx", 1), websocket.ErrAccept.Error()},
		{strings.Replace(good, "Sec-WebSocket-Accept", "X-Accept", 1), "no Sec-WebSocket-Accept"},
		{strings.Replace(good, "upgrade: WebSocket", "upgrade: h2c", 1), "Upgrade: websocket"},
		{strings.Replace(good, "Connection: keep-alive, Upgrade", "Connection: close", 1), "Connection: upgrade"},
		{strings.Replace(good, "Date: today", "Sec-WebSocket-Extensions: permessage-deflate", 1), "not offered"},
		{strings.Replace(good, "Date: today", "Nonsense", 1), "malformed"},
		{"HTTP/1.1 101 OK\r\n" + strings.Repeat("X-Filler: 0123456789\r\n", 500), "no end"},
	} {
		_, err := checkUpgrade([]byte(tc.answer), key)
		require.ErrorContains(t, err, tc.want, "%q", tc.answer)
	}
}

// TestWSUpgradeRequest: the request a connection writes, and the key in
// it, which its answer must match.
func TestWSUpgradeRequest(t *testing.T) {
	cfg, err := Config{Addr: "127.0.0.1:9", WebSocket: true, Path: "/echo?x=1"}.withDefaults()
	require.NoError(t, err)
	e := newEngine(cfg, false)
	f := &fakeConn{}
	cl := &e.clients[0]
	cl.c = f
	require.NoError(t, e.ws.upgrade(cl))
	req := string(f.out)
	require.True(t, strings.HasPrefix(req, "GET /echo?x=1 HTTP/1.1\r\nHost: 127.0.0.1:9\r\n"), req)
	require.True(t, strings.HasSuffix(req, "\r\nSec-WebSocket-Key: "+string(cl.ws.key[:])+"\r\n\r\n"), req)
	require.Contains(t, req, "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n")
	require.NoError(t, websocket.CheckKey(cl.ws.key[:]))
	other := e.clients[1].ws.key
	e.clients[1].c = f
	require.NoError(t, e.ws.upgrade(&e.clients[1]))
	require.NotEqual(t, other, e.clients[1].ws.key)
	require.NotEqual(t, cl.ws.key, e.clients[1].ws.key, "a key each")
}

// wsCycle is messageCycle for WebSocket: the server's echo of what the
// client wrote, in one piece.
func wsCycle(e *engine, cl *client, f *fakeConn, spare, echo *[]byte, now int64) {
	*echo, _ = serverEcho(f.out, (*echo)[:0], 0, false)
	f.out, *spare = (*spare)[:0], f.out
	if _, err := e.receiveFrames(cl, *echo, now); err != nil {
		panic(err)
	}
}

// TestWSMessagePathAllocs: framing and masking a message, reading the
// echoed frames, checking them and recording the latency allocate nothing
// (house rule 7).
func TestWSMessagePathAllocs(t *testing.T) {
	for _, tc := range []struct{ size, depth int }{{64, 1}, {64, 16}, {64 << 10, 1}} {
		e, cl, f := newWSTestEngine(t, tc.size, tc.depth)
		e.refill(cl, 0)
		spare := make([]byte, 0, cap(f.out))
		echo := make([]byte, 0, cap(f.out))
		now := int64(0)
		allocs := testing.AllocsPerRun(200, func() {
			now += 1000
			wsCycle(e, cl, f, &spare, &echo, now)
		})
		require.Zero(t, allocs, "size %d depth %d", tc.size, tc.depth)
		require.Positive(t, e.msgs)
	}
}

// BenchmarkWSMessagePath is BenchmarkMessagePath for WebSocket: the
// client's work per message, with the server's part (serverEcho) in it.
func BenchmarkWSMessagePath(b *testing.B) {
	for _, bc := range []struct {
		name string
		size int
	}{{"64B", 64}, {"64KiB", 64 << 10}} {
		size := bc.size
		b.Run(bc.name, func(b *testing.B) {
			e, cl, f := newWSTestEngine(b, size, 16)
			e.refill(cl, 0)
			spare := make([]byte, 0, cap(f.out))
			echo := make([]byte, 0, cap(f.out))
			b.ReportAllocs()
			b.SetBytes(int64(16 * size))
			now := int64(0)
			for b.Loop() {
				now += 1000
				wsCycle(e, cl, f, &spare, &echo, now) // 16 messages
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(e.msgs), "ns/msg")
		})
	}
}
