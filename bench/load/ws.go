package load

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/goreactor/reactor/proto/websocket"
	"github.com/goreactor/reactor/reactor"
)

// The WebSocket client (Config.WebSocket), on the loop like the plain
// one, built from proto/websocket's pieces. A connection's life:
//
//	dialing -> upgrading  OnOpen (after the TLS handshake, for wss) writes
//	                      the upgrade request
//	upgrading -> open     the server's 101 has arrived whole and checked
//	                      (checkUpgrade): the connection counts as opened
//	upgrading -> failed   any other answer, or one that does not check
//	upgrading -> closed   the server closed before answering
//
// Once open, every message goes out as one binary frame, FIN set, masked
// with a fresh key from the engine's xorshift (AppendHeader, MaskBytes, in
// a buffer of the engine's, and one Write, which queues it whole or not at
// all); the server's frames are read where they lie in the connection's
// input (ParseHeader), and their payloads checked against the pattern as
// they arrive, however the server cuts a message into frames and the
// kernel into reads: an echo completes at the end of its message's last
// frame.
// A server's ping is answered with a pong; its close frame, and any frame
// a server must not send (masked, text, out of sequence, longer than what
// is in flight), fail the connection. Nothing is allocated per message.

// maxUpgradeResponse bounds the server's answer to the upgrade request.
const maxUpgradeResponse = 8 << 10

// wsSide is what the engine's WebSocket connections share. It belongs to
// the loop's goroutine.
type wsSide struct {
	rng uint64 // xorshift64: masking keys and Sec-WebSocket-Key nonces
	req []byte // the upgrade request, up to the key's value
	buf []byte // scratch: a request, or a frame being masked
}

// wsConn is one connection's WebSocket state.
type wsConn struct {
	key    [24]byte // the Sec-WebSocket-Key it sent
	left   int64    // payload bytes of the current frame still to come
	fin    bool     // the current frame ends its message
	midMsg bool     // a message has begun, and its last frame has not
}

func newWSSide(cfg Config) *wsSide {
	host := cfg.Addr
	if cfg.Network == "unix" {
		host = "localhost"
	}
	req := "GET " + cfg.Path + " HTTP/1.1\r\nHost: " + host +
		"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
	return &wsSide{
		rng: uint64(time.Now().UnixNano()) | 1,
		req: []byte(req),
		buf: make([]byte, 0, max(cfg.Size+websocket.MaxHeaderLen, len(req)+28)),
	}
}

// next returns the next number of the xorshift64 sequence. Masking keys
// need not be secret here: the peers are the generator's own servers.
func (s *wsSide) next() uint64 {
	s.rng ^= s.rng << 13
	s.rng ^= s.rng >> 7
	s.rng ^= s.rng << 17
	return s.rng
}

// maskKey returns a fresh masking key.
func (s *wsSide) maskKey() [4]byte {
	x := s.next() >> 16
	return [4]byte{byte(x), byte(x >> 8), byte(x >> 16), byte(x >> 24)}
}

// upgrade writes cl's upgrade request, with a fresh key.
func (s *wsSide) upgrade(cl *client) error {
	var nonce [16]byte
	a, b := s.next(), s.next()
	for i := range 8 {
		nonce[i], nonce[8+i] = byte(a>>(8*i)), byte(b>>(8*i))
	}
	base64.StdEncoding.Encode(cl.ws.key[:], nonce[:])
	s.buf = append(append(append(s.buf[:0], s.req...), cl.ws.key[:]...), "\r\n\r\n"...)
	_, err := cl.c.Write(s.buf)
	return err
}

// writeMessage writes msg to c in one masked binary frame.
func (s *wsSide) writeMessage(c conn, msg []byte) error {
	return s.writeFrame(c, websocket.Binary, msg)
}

// writeFrame writes a frame with FIN, opcode op and payload p to c,
// masked with a fresh key: built whole in s.buf, the payload masked
// there, and handed to c in one Write (a *reactor.Conn takes it whole or
// not at all).
func (s *wsSide) writeFrame(c conn, op websocket.Opcode, p []byte) error {
	key := s.maskKey()
	b := websocket.AppendHeader(s.buf[:0], true, false, op, len(p), &key)
	h := len(b)
	b = append(b, p...)
	websocket.MaskBytes(key, 0, b[h:])
	s.buf = b[:0]
	_, err := c.Write(b)
	return err
}

// checkUpgrade reads the server's answer to an upgrade request that sent
// key, at the start of p. It returns the answer's length once it has all
// arrived, 0 and no error before, and an error for anything but a 101
// with "Upgrade: websocket", "Connection: upgrade" and the
// Sec-WebSocket-Accept of key, and no extension or subprotocol, which the
// client did not offer.
func checkUpgrade(p, key []byte) (int, error) {
	end := bytes.Index(p, []byte("\r\n\r\n"))
	if end < 0 {
		if len(p) > maxUpgradeResponse {
			return 0, fmt.Errorf("no end to the answer in its first %d bytes", maxUpgradeResponse)
		}
		return 0, nil
	}
	status, fields, _ := bytes.Cut(p[:end], []byte("\r\n"))
	if !bytes.HasPrefix(status, []byte("HTTP/1.1 101")) || len(status) > 12 && status[12] != ' ' {
		return 0, fmt.Errorf("the server answered %q", status[:min(len(status), 80)])
	}
	var upgrade, connection, accept bool
	for len(fields) > 0 {
		var line []byte
		line, fields, _ = bytes.Cut(fields, []byte("\r\n"))
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return 0, fmt.Errorf("a malformed field %q", line[:min(len(line), 80)])
		}
		switch {
		case bytes.EqualFold(name, []byte("upgrade")):
			upgrade = upgrade || websocket.HasToken(value, "websocket")
		case bytes.EqualFold(name, []byte("connection")):
			connection = connection || websocket.HasToken(value, "upgrade")
		case bytes.EqualFold(name, []byte("sec-websocket-accept")):
			if err := websocket.CheckAccept(key, value); err != nil {
				return 0, err
			}
			accept = true
		case bytes.EqualFold(name, []byte("sec-websocket-extensions")), bytes.EqualFold(name, []byte("sec-websocket-protocol")):
			return 0, fmt.Errorf("the server chose %s, which was not offered", line)
		}
	}
	switch {
	case !upgrade:
		return 0, errors.New(`the 101 has no "Upgrade: websocket"`)
	case !connection:
		return 0, errors.New(`the 101 has no "Connection: upgrade"`)
	case !accept:
		return 0, errors.New("the 101 has no Sec-WebSocket-Accept")
	}
	return end + 4, nil
}

// wsPath is the path of a WebSocket run, for its result; empty for a run
// of plain echoes.
func wsPath(c Config) string {
	if !c.WebSocket {
		return ""
	}
	return c.Path
}

// onWSData reads what the server sent on cl: its answer to the upgrade,
// then frames.
func (e *engine) onWSData(c *reactor.Conn, cl *client) {
	p, _ := c.Peek(0)
	if e.phase == finished || (cl.state != upgrading && cl.state != open) {
		c.Discard(len(p))
		return
	}
	now := e.now()
	used := 0
	if cl.state == upgrading {
		n, err := checkUpgrade(p, cl.ws.key[:])
		if err != nil {
			c.Discard(len(p))
			e.failUpgrade(cl, err)
			return
		}
		if n == 0 {
			return
		}
		used = n
		e.open(cl, now)
	}
	k, err := e.receiveFrames(cl, p[used:], now)
	c.Discard(used + k)
	if err != nil {
		e.fail(cl, "echo", err)
	}
}

// failUpgrade closes cl, whose upgrade failed: it counts as a connection
// that did not open.
func (e *engine) failUpgrade(cl *client, err error) {
	e.report(cl, "upgrade", err)
	cl.state = failed
	_ = cl.c.Close()
	e.settle()
	_ = e.dialMore()
}

// receiveFrames reads the server's frames at the start of p, checks the
// payloads against what cl sent, and completes each message at the end of
// its last frame. It returns how many bytes it consumed: a frame header
// that has not all arrived, or a control frame, waits whole in the input
// for the next read; a data frame's payload is taken as it comes.
func (e *engine) receiveFrames(cl *client, p []byte, now int64) (int, error) {
	used := 0
	for cl.state == open && used < len(p) {
		w := &cl.ws
		if w.left > 0 {
			k := int(min(int64(len(p)-used), w.left))
			want := e.pat.message(cl.id, cl.done)[cl.off : cl.off+k]
			if err := compare(p[used:used+k], want, cl.done, cl.off); err != nil {
				return used, err
			}
			used += k
			cl.off += k
			if w.left -= int64(k); w.left == 0 {
				if err := e.endFrame(cl, now); err != nil {
					return used, err
				}
			}
			continue
		}
		h, n, err := websocket.ParseHeader(p[used:], 0)
		if err != nil || n == 0 {
			return used, err
		}
		if err := h.CheckMasking(false); err != nil {
			return used, err
		}
		if h.Opcode.IsControl() {
			if int64(len(p)-used-n) < h.Length {
				return used, nil // the whole frame, for the next read
			}
			payload := p[used+n : used+n+int(h.Length)]
			used += n + int(h.Length)
			if err := e.control(cl, h.Opcode, payload); err != nil {
				return used, err
			}
			continue
		}
		if err := h.CheckSequence(w.midMsg); err != nil {
			return used, err
		}
		switch left := e.cfg.Size - cl.off; {
		case h.Opcode == websocket.Text:
			return used, errors.New("a text frame: the client sends binary messages")
		case cl.done == cl.sent:
			return used, fmt.Errorf("a frame of %d bytes with no message in flight", h.Length)
		case h.Length > int64(left):
			return used, fmt.Errorf("message %d: a frame of %d bytes where %d are left", cl.done, h.Length, left)
		}
		used += n
		w.left, w.fin, w.midMsg = h.Length, h.Fin, !h.Fin
		if w.left == 0 {
			if err := e.endFrame(cl, now); err != nil {
				return used, err
			}
		}
	}
	return used, nil
}

// endFrame is the end of a data frame's payload: if the frame was its
// message's last, the echo of message cl.done has arrived.
func (e *engine) endFrame(cl *client, now int64) error {
	if !cl.ws.fin {
		return nil
	}
	if cl.off != e.cfg.Size {
		return fmt.Errorf("message %d ended after %d of its %d bytes", cl.done, cl.off, e.cfg.Size)
	}
	cl.off = 0
	cl.done++
	e.inflight--
	e.completed(cl, cl.done-1, now)
	return nil
}

// control handles a control frame from the server: a ping gets its pong;
// a pong, which the client never asks for, is ignored; a close frame ends
// the connection, as an error of the server's.
func (e *engine) control(cl *client, op websocket.Opcode, payload []byte) error {
	switch op {
	case websocket.Ping:
		return e.ws.writeFrame(cl.c, websocket.Pong, payload)
	case websocket.Close:
		code, reason, err := websocket.ParseClose(payload)
		if err != nil {
			return fmt.Errorf("a bad close frame: %w", err)
		}
		return fmt.Errorf("the server closed the connection: %d %q", code, reason)
	}
	return nil
}
