package websocket

// Handler is what a user of a connection writes: the connection calls it,
// on its loop's goroutine, as the connection opens, receives messages and
// closes. Like a reactor.Handler it must not block.
type Handler interface {
	// OnOpen is called once the opening handshake is over: on a server
	// after the 101 answer is queued, on a client once the server's
	// answer has been checked. The handler may write at once.
	OnOpen(c *Conn)
	// OnMessage gets each whole message; op is Text or Binary. data is
	// valid only during the call: it may lie in the connection's input
	// (unmasked in place), in the assembly buffer of a fragmented
	// message, or in the loop's decompression buffer. A handler that
	// keeps it copies it. A Text message is valid UTF-8.
	OnMessage(c *Conn, op Opcode, data []byte)
	// OnClose is called once, when the connection is over: code is the
	// close code of the close handshake (the peer's, or the one sent,
	// whichever came first; CloseNoStatus for a close frame without a
	// code), or CloseAbnormal (1006) if the TCP connection ended without
	// one; err says why when it was not an orderly close (nil
	// otherwise). A dialed connection that never opened gets OnClose
	// without OnOpen, with the error of the dial or of the handshake.
	OnClose(c *Conn, code uint16, err error)
}

// WritableHandler is implemented by a Handler that wants to know when a
// connection's output, having filled up (the write methods returned
// reactor.ErrOutputFull, or it passed the loop's high watermark), has
// drained: the reactor's WritableHandler, for WebSocket connections. A
// producer writes while Available allows, and again in OnWritable.
type WritableHandler interface {
	OnWritable(c *Conn)
}
