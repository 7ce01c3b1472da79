package reactor

import (
	"io"
	"unsafe"
)

// TLS records on the loop, once the handshake is over: the read phase
// decrypts what it reads into the loop's plaintext buffer and shows it to
// OnData (records); Write encrypts into the connection's output
// (writeTLS), which then holds ciphertext and is bounded as such.

// Conservative bounds of the bytes crypto/tls adds to a plaintext: it
// writes records of at least tlsMinRecord bytes of payload (it starts small
// and grows), each with at most tlsRecordOverhead bytes of header, nonce,
// MAC and padding. Write checks the output cap against the larger size, so
// that an encrypted write is queued whole or not at all.
const (
	tlsMinRecord      = 1024
	tlsRecordOverhead = 96
)

// tlsBuffers are the loop-wide buffers of TLS records, made when the loop
// first reads or writes one: plaintext is decrypted into plain, and
// encrypted from stage (see queuePlain).
type tlsBuffers struct {
	plain []byte
	stage []byte
}

// tlsBuffers returns the loop's TLS record buffers, making them on first
// use.
func (l *Loop) tlsBuffers() *tlsBuffers {
	if l.tlsBuf == nil {
		l.tlsBuf = &tlsBuffers{plain: make([]byte, l.cfg.readBuffer), stage: make([]byte, tlsMaxPlaintext)}
	}
	return l.tlsBuf
}

// tlsMaxPlaintext is the most plaintext one TLS record carries.
const tlsMaxPlaintext = 16 << 10

func tlsSealedSize(n int) int { return n + (n/tlsMinRecord+1)*tlsRecordOverhead }

// tlsOutputSlack is what the output ring of a TLS connection may hold
// beyond the cap: room for what crypto/tls writes on its own (handshake
// messages, alerts, close_notify, key updates) even when the handler has
// filled the output.
const tlsOutputSlack = 64 << 10

// records decrypts the ciphertext just read (data) and shows the plaintext
// to OnData, until crypto/tls needs more bytes than have come.
func (t *tlsConn) records(data []byte) {
	c, l := t.c, t.c.loop
	if data != nil {
		t.tr.src = data
	}
	buf := l.tlsBuffers().plain
	for c.state == stOpen && !t.notified {
		n, err := t.read(buf)
		if n > 0 {
			c.deliver(buf[:n])
		}
		if err == nil {
			continue // buf was filled: there may be more
		}
		if err == errWouldBlock {
			break
		}
		if err == io.EOF {
			t.notified = true // close_notify: the peer will send no more
			if c.state == stOpen {
				c.peerDone(io.EOF)
			}
			break
		}
		// A broken record, a fatal alert from the peer, a record over the
		// maximum: crypto/tls has written its alert, which leaves before FIN.
		t.failed = true
		c.CloseWithError(err)
		break
	}
	t.tr.src = nil
}

// read decrypts into buf until buf is full or crypto/tls stops. Once
// crypto/tls has given less than asked and the transport has no byte left
// for it, no whole record remains (see tlsTransport), so read stops
// without the call that would only find that out.
func (t *tlsConn) read(buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		k, err := t.tc.Read(buf[n:])
		n += k
		if err != nil {
			return n, err
		}
		if n < len(buf) && len(t.tr.src) == 0 {
			return n, errWouldBlock
		}
	}
	return n, nil
}

// peerFINTLS handles the peer's FIN on an open TLS connection: after
// close_notify it ends what close_notify began; without it the stream was
// cut short.
func (c *Conn) peerFINTLS() {
	t := c.ext.tls
	if !t.notified {
		t.notified, t.truncated = true, true
		c.peerDone(io.ErrUnexpectedEOF)
		return
	}
	if c.has(factFINSent) {
		c.loop.queueClose(c)
	}
	c.updateInterest()
}

// writeTLS is Write on a TLS connection.
func (c *Conn) writeTLS(p []byte) (int, error) {
	if !c.acceptsOutput() {
		return 0, ErrClosed
	}
	t := c.ext.tls
	if c.state < stOpen {
		// Before OnOpen (DialTLS): kept, and encrypted once the handshake is done.
		if len(t.early)+len(p) > c.loop.cfg.maxOutput {
			return 0, ErrOutputFull
		}
		t.early = append(t.early, p...)
		return len(p), nil
	}
	if c.Pending()+tlsSealedSize(len(p)) > c.loop.cfg.maxOutput {
		return 0, ErrOutputFull
	}
	return c.queuePlain(p)
}

// tlsFits reports whether a bytes of plaintext and then b more, each
// written as writeTLS writes it, fit within the output cap: kept as they
// are before OnOpen, or sealed into records of their own after it.
func (c *Conn) tlsFits(a, b int) bool {
	max := c.loop.cfg.maxOutput
	if c.state < stOpen {
		return len(c.ext.tls.early)+a+b <= max
	}
	return c.Pending()+tlsSealedSize(a)+tlsSealedSize(b) <= max
}

// queuePlain encrypts p into the output. crypto/tls lets its argument
// escape, so p goes through the loop's staging buffer: otherwise every
// caller of Write, plain connections too, would have its buffer moved to
// the heap. The buffer holds one record's worth, so records keep their
// usual size.
func (c *Conn) queuePlain(p []byte) (int, error) {
	tc, stage := c.ext.tls.tc, c.loop.tlsBuffers().stage
	done := 0
	for done < len(p) {
		k := copy(stage, p[done:])
		n, err := tc.Write(stage[:k])
		done += n
		if err != nil {
			c.abort(err)
			return done, err
		}
	}
	return done, nil
}

// writeStringTLS is WriteString on a TLS connection; the bytes are only
// read.
func (c *Conn) writeStringTLS(s string) (int, error) {
	return c.writeTLS(unsafe.Slice(unsafe.StringData(s), len(s)))
}

// availableTLS is Available on a TLS connection: the plaintext that surely
// fits in room bytes of output once encrypted.
func availableTLS(room int) int {
	n := room - (room/tlsMinRecord+1)*tlsRecordOverhead
	for n > 0 && tlsSealedSize(n) > room {
		n -= tlsRecordOverhead
	}
	return max(n, 0)
}

// queueCipher queues ciphertext that crypto/tls wrote.
func (c *Conn) queueCipher(p []byte) {
	if c.handlerDone() || c.state == stAborting {
		return // closed: its output is gone
	}
	if _, err := c.output().Write(p); err != nil {
		c.abort(ErrOutputFull)
		return
	}
	c.queueOutput(len(p))
}

// closeNotify queues close_notify on an open TLS connection.
func (t *tlsConn) closeNotify() {
	if !t.failed {
		_ = t.tc.CloseWrite() // fails only if crypto/tls failed before
	}
}
