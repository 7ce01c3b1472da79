package reactor

import (
	"runtime/debug"
)

// Handler is what a user writes: the loop calls it, on the loop's goroutine
// only, as connections open, receive bytes and close. A Handler must not
// block: while it runs, no other connection of the loop is served.
type Handler interface {
	// OnOpen is called once for each connection, accepted or dialed,
	// before any OnData; on TLS once the handshake has succeeded. A
	// connection that never opens gets OnClose without OnOpen: a dial that
	// fails or times out, a TLS handshake that fails or times out, one
	// still connecting or in its handshake when the loop stops, or one its
	// caller closed or aborted before it opened.
	OnOpen(c *Conn)
	// OnData is called when bytes arrived. c.Peek, c.Next and c.Discard see
	// the input left unconsumed by earlier calls followed by the new bytes;
	// the handler consumes whole messages and leaves a partial one for a
	// later call. Replies written with c.Write leave in the loop's next
	// flush phase, before it waits again (a large one, at once: see
	// Conn.Write).
	OnData(c *Conn)
	// OnClose is called exactly once per connection (each accepted one the
	// loop keeps, and each Dial), with the reason: nil after Close or
	// Abort; the error given to CloseWithError; io.EOF when the peer
	// closed in order; io.ErrUnexpectedEOF when the peer closed in the
	// middle of a message (unconsumed input remained) or, on TLS, without
	// close_notify; ErrStopped when the loop stopped; ErrReadTimeout,
	// ErrWriteTimeout, ErrDialTimeout, ErrTLSHandshakeTimeout or
	// ErrInputFull for those limits; ErrOutputFull when a TLS record
	// crypto/tls wrote could not be queued; a *PanicError for a panic in one of
	// the connection's callbacks; and the system's or crypto/tls's error
	// otherwise. See "Closing" in the package documentation for when the
	// queued output was dropped.
	OnClose(c *Conn, err error)
}

// HalfCloser is implemented by a Handler that wants to hear of the peer's
// FIN itself, to keep the connection open for writing after it: an
// HTTP/1.0-style server reads a request up to the client's FIN and then
// writes the response. OnPeerClose runs after the last OnData; the handler
// writes and calls Close (or CloseWrite) when it is done. A Handler without
// this method has the connection closed once its queued output has left.
//
// Before it answers what it read up to the peer's close, the handler checks
// that the close was orderly: on TLS a FIN without close_notify may have
// cut the request short, and anyone on the path can send one.
//
//	func (h *handler) OnPeerClose(c *reactor.Conn) {
//		if c.PeerCloseError() != io.EOF {
//			c.Abort() // truncated: do not answer a partial request
//			return
//		}
//		req, _ := c.Next(0)
//		c.Write(answer(req))
//		c.Close()
//	}
type HalfCloser interface {
	// OnPeerClose is called once the peer has closed its sending side.
	OnPeerClose(c *Conn)
}

// WritableHandler is implemented by a Handler that produces output on its
// own (from timers or posted functions, say) and wants to pace it:
// OnWritable is called when a connection's queued output, having reached
// the high watermark (WithWriteWatermarks), has drained to the low one.
// Until then the handler can watch Conn.Pending and Conn.Available. While
// the output is above the high watermark the loop reads nothing from the
// connection, so a producer that also waits for replies on it must leave
// room for them (keep a bounded number of requests in flight, say) rather
// than refill the output in OnWritable. OnWritable follows only a pause the
// loop made: a large Write may leave at once (see Conn.Write), so a handler
// that stops by a threshold of its own must check Pending itself rather
// than wait for OnWritable.
type WritableHandler interface {
	// OnWritable is called when the output the loop paused on has drained.
	OnWritable(c *Conn)
}

// IdleHandler is implemented by a Handler that wants a say when a
// connection's read timeout expires (WithReadTimeout, Conn.SetReadTimeout)
// rather than have it closed: to say goodbye ("idle timeout, bye"), or to
// ask the peer for a sign of life (a protocol's ping) and keep it.
type IdleHandler interface {
	// OnIdle is called when nothing has arrived on c for its read
	// timeout. It may write, and returns whether to keep the connection:
	// true restarts the idle clock; false closes it as Close does (what
	// it wrote leaves first, then FIN), and OnClose reports
	// ErrReadTimeout. It may also close the connection itself.
	OnIdle(c *Conn) (keep bool)
}

// SetHandler hands the connection over to h: from now on the loop calls h,
// not the loop's Handler, for what happens to c (OnData, OnClose, and the
// methods of HalfCloser, WritableHandler, IdleHandler and StopHandler that
// h implements). It is how one protocol hands a connection to another, as an
// HTTP server hands an upgraded connection to WebSocket. It calls nothing
// itself: the caller calls h.OnOpen, or h.OnData for input already
// buffered, if h expects them. Inside OnClose or after it, it does
// nothing.
func (c *Conn) SetHandler(h Handler) {
	if c.handlerDone() || h == nil {
		return
	}
	c.extras().h = h
}

// handler returns the connection's Handler: the one SetHandler gave it, or
// the loop's.
func (c *Conn) handler() Handler {
	if c.ext != nil && c.ext.h != nil {
		return c.ext.h
	}
	return c.loop.h
}

// optional returns the connection's handler as the optional interface T
// (HalfCloser, WritableHandler, IdleHandler, StopHandler), or nil if it does not
// implement it; loops is the loop's Handler as T, asserted once in New.
func optional[T any](c *Conn, loops T) T {
	if c.ext != nil && c.ext.h != nil {
		v, _ := c.ext.h.(T)
		return v
	}
	return loops
}

// StopHandler is implemented by a Handler that has something to say when
// the loop stops: OnStop is called for each open connection when shutdown
// begins (Stop, or the end of Run's context), before the loop closes it.
// What it writes leaves before FIN, within the grace period: a WebSocket
// server sends its close frame (1001, going away) here. It may close the
// connection itself (CloseWithError, say); otherwise the loop closes it,
// and OnClose reports ErrStopped.
type StopHandler interface {
	OnStop(c *Conn)
}

// The loop calls user code only through these functions. Each recovers a
// panic: the panic is logged, the connection it happened on (if any) is
// closed with a *PanicError, and the loop goes on serving the others.

func (l *Loop) callOnOpen(c *Conn) {
	defer l.recoverConn("OnOpen", c)
	c.handler().OnOpen(c)
}

func (l *Loop) callOnData(c *Conn) {
	defer l.recoverConn("OnData", c)
	c.handler().OnData(c)
}

func (l *Loop) callOnPeerClose(c *Conn, hc HalfCloser) {
	defer l.recoverConn("OnPeerClose", c)
	hc.OnPeerClose(c)
}

func (l *Loop) callOnWritable(c *Conn, wh WritableHandler) {
	defer l.recoverConn("OnWritable", c)
	wh.OnWritable(c)
}

func (l *Loop) callOnIdle(c *Conn, ih IdleHandler) bool {
	defer l.recoverConn("OnIdle", c)
	return ih.OnIdle(c)
}

func (l *Loop) callOnStop(c *Conn, sh StopHandler) {
	defer l.recoverConn("OnStop", c)
	sh.OnStop(c)
}

func (l *Loop) callOnClose(c *Conn) {
	defer l.recoverConn("OnClose", nil)
	c.handler().OnClose(c, c.err)
}

func (l *Loop) callTask(f func()) {
	defer l.recoverConn("function run by the loop", nil)
	f()
}

// recoverConn is deferred by the call functions above; recover works here
// because it is called directly by the deferred function.
func (l *Loop) recoverConn(where string, c *Conn) {
	v := recover()
	if v == nil {
		return
	}
	perr := &PanicError{Value: v, Stack: debug.Stack()}
	l.st[statPanics]++
	l.log.Error("reactor: recovered a panic", "in", where, "panic", v, "stack", string(perr.Stack))
	if c != nil {
		c.abort(perr)
	}
}
