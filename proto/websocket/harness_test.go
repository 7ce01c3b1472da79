package websocket

import (
	"bufio"
	"bytes"
	"compress/flate"
	"context"
	"encoding/binary"
	"flag"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/goreactor/reactor/proto/http1"
	"github.com/goreactor/reactor/reactor"
	"github.com/stretchr/testify/require"
)

// The tests of connections run a real loop serving an http1 server whose
// every path upgrades with an Upgrader, and talk to it with a raw TCP
// client that writes exact frames (masked, as a client must) and reads
// exact answers, as Autobahn's fuzzing client does.

// closed is what a connection's OnClose reported.
type closed struct {
	code uint16
	err  error
}

// echo is the server's Handler in most tests: every message comes back
// as it came (text as text, binary as binary), as Autobahn's echo server
// does; every OnClose is reported.
type echo struct {
	opened chan *Conn
	closed chan closed
}

func newEcho() *echo {
	return &echo{opened: make(chan *Conn, 100), closed: make(chan closed, 100)}
}

// OnOpen reports the connection to a test that waits for it; the others
// drop it.
func (e *echo) OnOpen(c *Conn) {
	select {
	case e.opened <- c:
	default:
	}
}

func (e *echo) OnMessage(c *Conn, op Opcode, data []byte) {
	if err := c.WriteMessage(op, data); err != nil {
		c.Close(CloseInternalError, err.Error())
	}
}

func (e *echo) OnClose(c *Conn, code uint16, err error) { e.closed <- closed{code, err} }

// wsServer is a loop serving WebSocket on 127.0.0.1:0.
type wsServer struct {
	addr string
	loop *reactor.Loop
}

// serverSetup says how to start a wsServer.
type serverSetup struct {
	opts     []Option         // the Upgrader's
	httpOpts []http1.Option   // the HTTP server's
	loopOpts []reactor.Option // the loop's
	tls      bool
	handler  http1.Handler // instead of an Upgrader of the Handler
}

// startServer runs a loop whose every path upgrades to h, until the test
// ends; then it stops it, checks that Run returned nil, and that no
// goroutine or fd is left.
func startServer(t testing.TB, h Handler, opts ...Option) *wsServer {
	t.Helper()
	return startServerWith(t, h, serverSetup{opts: opts})
}

func startServerWith(t testing.TB, h Handler, s serverSetup) *wsServer {
	t.Helper()
	if f := flag.Lookup("test.fuzz"); f == nil || f.Value.String() == "" {
		testkit.CheckLeaks(t) // not while fuzzing: the fuzzing engine's goroutines come and go
	}
	hh := s.handler
	if hh == nil {
		u, err := NewUpgrader(h, s.opts...)
		require.NoError(t, err)
		hh = u
	}
	srv, err := http1.NewServer(hh, s.httpOpts...)
	require.NoError(t, err)
	l, err := reactor.New(srv.Handler(), append(srv.LoopOptions(), s.loopOpts...)...)
	require.NoError(t, err)
	var addr net.Addr
	if s.tls {
		addr, err = l.ListenTLS("tcp", "127.0.0.1:0", testkit.ServerTLS(t))
	} else {
		addr, err = l.Listen("tcp", "127.0.0.1:0")
	}
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- l.Run(context.Background()) }()
	t.Cleanup(func() {
		l.Stop()
		require.NoError(t, testkit.Receive(t, done, "Run to return"))
	})
	return &wsServer{addr: addr.String(), loop: l}
}

// upgradeRequest is a valid upgrade request, with extra fields before the
// empty line.
func upgradeRequest(extra string) string {
	return "GET /chat HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" + extra + "\r\n"
}

// rawClient is a WebSocket client that writes exactly the bytes a test
// gives it and reads exactly what the server sends.
type rawClient struct {
	t       testing.TB
	c       net.Conn
	br      *bufio.Reader
	resp    *http.Response
	deflate bool // permessage-deflate was negotiated
	key     [4]byte
}

// dial connects to the server without upgrading.
func (s *wsServer) dial(t testing.TB) *rawClient {
	t.Helper()
	c, err := net.DialTimeout("tcp", s.addr, testkit.Limit)
	require.NoError(t, err)
	require.NoError(t, c.SetDeadline(time.Now().Add(testkit.Limit)))
	t.Cleanup(func() { c.Close() })
	return &rawClient{t: t, c: c, br: bufio.NewReader(c), key: [4]byte{0x12, 0x34, 0x56, 0x78}}
}

// upgrade connects and upgrades, with extra fields in the request, and
// fails the test unless the answer is 101.
func (s *wsServer) upgrade(t testing.TB, extra string) *rawClient {
	t.Helper()
	rc := s.dial(t)
	rc.write([]byte(upgradeRequest(extra)))
	resp := rc.response()
	require.Equal(t, 101, resp.StatusCode, "the answer to the upgrade")
	require.Equal(t, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", resp.Header.Get("Sec-WebSocket-Accept"))
	rc.deflate = strings.HasPrefix(resp.Header.Get("Sec-WebSocket-Extensions"), "permessage-deflate")
	return rc
}

// response reads an HTTP response head.
func (rc *rawClient) response() *http.Response {
	rc.t.Helper()
	resp, err := http.ReadResponse(rc.br, &http.Request{Method: "GET"})
	require.NoError(rc.t, err)
	if resp.StatusCode != 101 {
		io.Copy(io.Discard, resp.Body)
	}
	rc.resp = resp
	return resp
}

func (rc *rawClient) write(p []byte) {
	rc.t.Helper()
	_, err := rc.c.Write(p)
	require.NoError(rc.t, err)
}

// frame returns a client's frame: FIN if fin, the RSV bits rsv (as
// Header.RSV holds them), op and payload, masked with the client's key.
func (rc *rawClient) frame(fin bool, rsv uint8, op Opcode, payload []byte) []byte {
	b0 := byte(op) | rsv<<4
	if fin {
		b0 |= 0x80
	}
	var f []byte
	switch n := len(payload); {
	case n < 126:
		f = append(f, b0, 0x80|byte(n))
	case n <= 0xffff:
		f = binary.BigEndian.AppendUint16(append(f, b0, 0x80|126), uint16(n))
	default:
		f = binary.BigEndian.AppendUint64(append(f, b0, 0x80|127), uint64(n))
	}
	f = append(f, rc.key[:]...)
	start := len(f)
	f = append(f, payload...)
	MaskBytes(rc.key, 0, f[start:])
	return f
}

// send writes one frame at once.
func (rc *rawClient) send(fin bool, op Opcode, payload []byte) {
	rc.t.Helper()
	rc.write(rc.frame(fin, 0, op, payload))
}

// sendChopped writes p in pieces of n bytes, each with its own write.
func (rc *rawClient) sendChopped(p []byte, n int) {
	rc.t.Helper()
	for len(p) > 0 {
		k := min(n, len(p))
		rc.write(p[:k])
		p = p[k:]
	}
}

// serverFrame is a frame as the server sent it.
type serverFrame struct {
	fin     bool
	rsv     uint8
	op      Opcode
	payload []byte
}

// read reads the next frame from the server, which must not be masked.
func (rc *rawClient) read() serverFrame {
	rc.t.Helper()
	var hdr [10]byte
	_, err := io.ReadFull(rc.br, hdr[:2])
	require.NoError(rc.t, err, "reading a frame")
	f := serverFrame{fin: hdr[0]&0x80 != 0, rsv: hdr[0] >> 4 & 7, op: Opcode(hdr[0] & 0xf)}
	require.Zero(rc.t, hdr[1]&0x80, "a server's frame is not masked")
	n := uint64(hdr[1] & 0x7f)
	switch n {
	case 126:
		_, err = io.ReadFull(rc.br, hdr[2:4])
		n = uint64(binary.BigEndian.Uint16(hdr[2:4]))
	case 127:
		_, err = io.ReadFull(rc.br, hdr[2:10])
		n = binary.BigEndian.Uint64(hdr[2:10])
	}
	require.NoError(rc.t, err)
	require.LessOrEqual(rc.t, n, uint64(64<<20))
	f.payload = make([]byte, n)
	_, err = io.ReadFull(rc.br, f.payload)
	require.NoError(rc.t, err)
	return f
}

// readMessage reads a whole message (gathering fragments, inflating a
// compressed one) and returns its opcode and payload; control frames
// before it are returned instead if they come.
func (rc *rawClient) readMessage() (Opcode, []byte) {
	rc.t.Helper()
	f := rc.read()
	if f.op.IsControl() {
		return f.op, f.payload
	}
	op, data, compressed := f.op, f.payload, f.rsv&RSV1 != 0
	for !f.fin {
		f = rc.read()
		require.Equal(rc.t, Continuation, f.op)
		data = append(data, f.payload...)
	}
	if compressed {
		require.True(rc.t, rc.deflate, "RSV1 without permessage-deflate")
		data = inflateAll(rc.t, data)
	}
	return op, data
}

// expectMessage reads a message and checks it.
func (rc *rawClient) expectMessage(op Opcode, payload []byte) {
	rc.t.Helper()
	gotOp, got := rc.readMessage()
	require.Equal(rc.t, op, gotOp)
	if !bytes.Equal(payload, got) {
		rc.t.Fatalf("payload of %d bytes, want %d: %.64q", len(got), len(payload), got)
	}
}

// expectClose reads a close frame with code (and no other frame first),
// then the end of the TCP connection.
func (rc *rawClient) expectClose(code uint16) {
	rc.t.Helper()
	f := rc.read()
	require.Equal(rc.t, Close, f.op, "a close frame, not %v %q", f.op, f.payload)
	got := uint16(CloseNoStatus)
	if len(f.payload) >= 2 {
		got = binary.BigEndian.Uint16(f.payload)
	}
	require.Equal(rc.t, code, got, "close code (reason %q)", f.payload[min(2, len(f.payload)):])
	rc.expectEOF()
}

// expectEOF checks that the server closes the TCP connection (FIN, not a
// reset) with nothing more sent.
func (rc *rawClient) expectEOF() {
	rc.t.Helper()
	testkit.RequireEOF(rc.t, rc.br)
}

// closeHandshake sends a close frame with code and expects the server's
// answer with the same code, then the end.
func (rc *rawClient) closeHandshake(code uint16) {
	rc.t.Helper()
	rc.write(rc.frame(true, 0, Close, AppendClose(nil, code, "")))
	rc.expectClose(code)
}

// compressFlate compresses msg as a permessage-deflate payload with
// compress/flate directly (RFC 7692 §7.2.1).
func compressFlate(t testing.TB, msg []byte) []byte {
	var b bytes.Buffer
	w, err := flate.NewWriter(&b, flate.BestSpeed)
	require.NoError(t, err)
	w.Write(msg)
	require.NoError(t, w.Flush())
	out := b.Bytes()
	require.True(t, bytes.HasSuffix(out, []byte(syncTail)))
	return out[:len(out)-len(syncTail)]
}

// inflateAll inflates a permessage-deflate payload with compress/flate.
func inflateAll(t testing.TB, payload []byte) []byte {
	r := flate.NewReader(io.MultiReader(bytes.NewReader(payload), strings.NewReader(syncTail+finalBlock)))
	out, err := io.ReadAll(r)
	require.NoError(t, err)
	return out
}

// wantClosed waits for the server's OnClose and checks its code, and that
// its error is nil (orderly) or matches want.
func (e *echo) wantClosed(t testing.TB, code uint16, want error) closed {
	t.Helper()
	got := testkit.Receive(t, e.closed, "OnClose")
	require.Equal(t, code, got.code, "OnClose's code (err %v)", got.err)
	if want == nil {
		require.NoError(t, got.err)
	} else {
		require.ErrorIs(t, got.err, want)
	}
	return got
}

// nobody is the Handler of a loop that only dials.
type nobody struct{}

func (nobody) OnOpen(*reactor.Conn)         {}
func (nobody) OnData(*reactor.Conn)         {}
func (nobody) OnClose(*reactor.Conn, error) {}

// startClientLoop runs a loop for clients until the test ends.
func startClientLoop(t testing.TB, opts ...reactor.Option) *reactor.Loop {
	t.Helper()
	l, err := reactor.New(nobody{}, opts...)
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- l.Run(context.Background()) }()
	t.Cleanup(func() {
		l.Stop()
		require.NoError(t, testkit.Receive(t, done, "the client loop's Run to return"))
	})
	return l
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
